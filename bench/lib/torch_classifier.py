# The PyTorch peer of bench/sensor-train.ts: the same classifier (per channel group Dense(hidden,
# relu) -> Dense(classes, softmax), and one more on all groups), the same standardized inputs, the
# same Adam settings, batch size and number of epochs, on the same rows (read from a file the bench
# writes). Trains once to warm up, then times a second run. Prints JSON.
import json
import sys
import time

import numpy as np
import torch

spec = json.load(open(sys.argv[1]))
rows, width, train_count = spec["rows"], spec["width"], spec["trainCount"]
x = torch.from_numpy(np.fromfile(spec["inputs"], dtype="<f4").reshape(rows, width).copy())
y = torch.from_numpy(np.fromfile(spec["labels"], dtype="<i4").astype(np.int64).copy())
x_train, y_train = x[:train_count], y[:train_count]
mean, std = x_train.mean(0), x_train.std(0, unbiased=False).clamp_min(1e-6)
x_train = (x_train - mean) / std
groups = spec["groups"]  # [[from, to], ...] per head, the combined head last
hidden, classes = spec["hiddenUnits"], spec["classes"]


class Heads(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Linear(to - fr, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes)) for fr, to in groups
        )

    def forward(self, batch):
        return [head(batch[:, fr:to]) for head, (fr, to) in zip(self.heads, groups)]


def train():
    torch.manual_seed(7)
    model = Heads()
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["learningRate"])
    loss_fn = torch.nn.CrossEntropyLoss()
    started = time.perf_counter()
    for _ in range(spec["epochs"]):
        permutation = torch.randperm(train_count)
        for start in range(0, train_count, spec["batchSize"]):
            index = permutation[start:start + spec["batchSize"]]
            optimizer.zero_grad()
            loss = sum(loss_fn(out, y_train[index]) for out in model(x_train[index])) / len(groups)
            loss.backward()
            optimizer.step()
    return (time.perf_counter() - started) * 1000


train()
print(json.dumps({"ms": train(), "torch": torch.__version__, "threads": torch.get_num_threads()}))
