# One epoch of LSTM(64) -> Dense(8, relu) -> Dense(1) on 1,024 windows of 45 steps x 4 features,
# batch 32, Adam, MAE loss, on the CPU: the PyTorch peer of bench/ml-epoch.ts. Prints JSON.
import json
import statistics
import sys
import time

import torch

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 3


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(input_size=4, hidden_size=64, batch_first=True)
        self.dense = torch.nn.Linear(64, 8)
        self.out = torch.nn.Linear(8, 1)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(torch.relu(self.dense(h[-1])))


torch.manual_seed(0)
x = torch.randn(1024, 45, 4)
y = torch.randn(1024, 1)
model = Model()
optimizer = torch.optim.Adam(model.parameters())
loss_fn = torch.nn.L1Loss()


def epoch():
    permutation = torch.randperm(1024)
    for start in range(0, 1024, 32):
        index = permutation[start:start + 32]
        optimizer.zero_grad()
        loss = loss_fn(model(x[index]), y[index])
        loss.backward()
        optimizer.step()


epoch()  # warm-up
times = []
for _ in range(RUNS):
    started = time.perf_counter()
    epoch()
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"medianMs": statistics.median(times), "runsMs": times, "torch": torch.__version__, "threads": torch.get_num_threads()}))
