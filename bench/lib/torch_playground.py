# The PyTorch peer of bench/playground-torch.ts: reads {width, inputs, targets, testCount, classes,
# hidden, learningRate, batchSize, epochs, seeds} as JSON on stdin (rows train-then-test, the split
# pulsebase made, features as stored) and trains the same MLP as pulsebase's default playground
# network: features standardized with the training rows' mean and population deviation (a constant
# feature divided by 1), Linear(width, hidden) -> ReLU -> Linear(hidden, classes), PyTorch's default
# initialisation, CrossEntropyLoss, SGD, a new shuffle every epoch, the last batch partial. Once per
# seed: prints one JSON line with the held-out accuracy of each run and every epoch's time in ms.
import json
import sys
import time

import torch

job = json.load(sys.stdin)
width, test_count, batch = job["width"], job["testCount"], job["batchSize"]
x = torch.tensor(job["inputs"], dtype=torch.float32).reshape(-1, width)
y = torch.tensor([int(t) for t in job["targets"]], dtype=torch.int64)
cut = x.shape[0] - test_count
mean = x[:cut].mean(0)
variance = (x[:cut] ** 2).mean(0) - mean ** 2
std = torch.where(variance > 1e-12, variance.clamp_min(0).sqrt(), torch.ones_like(variance))
x = (x - mean) / std
x_train, y_train, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]

accuracies, epoch_ms = [], []
for seed in job["seeds"]:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(width, job["hidden"]), torch.nn.ReLU(), torch.nn.Linear(job["hidden"], job["classes"]))
    optimizer = torch.optim.SGD(model.parameters(), lr=job["learningRate"])
    loss_fn = torch.nn.CrossEntropyLoss()
    times = []
    for _ in range(job["epochs"]):
        started = time.perf_counter()
        model.train()
        permutation = torch.randperm(cut)
        for start in range(0, cut, batch):
            index = permutation[start:start + batch]
            optimizer.zero_grad()
            loss_fn(model(x_train[index]), y_train[index]).backward()
            optimizer.step()
        times.append((time.perf_counter() - started) * 1000)
    with torch.no_grad():
        accuracies.append(float((model(x_test).argmax(1) == y_test).float().mean()))
    epoch_ms.append(times)
print(json.dumps({"accuracies": accuracies, "epochMs": epoch_ms, "torch": torch.__version__, "threads": torch.get_num_threads()}))
