"""The CNN fit benchmark's native reference: PyTorch on one CPU thread.

The same model and run as scripts/cnn-bench.ts (webgrad): 16x16x1 images, conv 3x3
'same' 8 filters + relu -> max pool 2 -> conv 3x3 'same' 16 + relu -> max pool 2 ->
dense 10, softmax cross-entropy, Adam (lr 1e-3), batch 64, 4,000 samples, 8 epochs,
shuffled each epoch. Prints the median ms per epoch (after the first, a warm-up) and
the total. Run: /usr/bin/python3 scripts/cnn-bench-torch.py  (needs torch)
"""
import json
import statistics
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)

SAMPLES, EPOCHS, BATCH = 4000, 8, 64
x = torch.rand(SAMPLES, 1, 16, 16)  # NCHW, PyTorch's layout
y = torch.randint(0, 10, (SAMPLES,))

model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(16 * 4 * 4, 10),
)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()

epoch_ms = []
started = time.perf_counter()
for epoch in range(EPOCHS):
    t0 = time.perf_counter()
    order = torch.randperm(SAMPLES)
    for start in range(0, SAMPLES, BATCH):
        idx = order[start:start + BATCH]
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    epoch_ms.append((time.perf_counter() - t0) * 1000)
total = (time.perf_counter() - started) * 1000
print(json.dumps({
    "implementation": f"PyTorch {torch.__version__}, 1 thread",
    "msPerEpochMedian": statistics.median(epoch_ms[1:]),
    "msPerEpoch": [round(v, 1) for v in epoch_ms],
    "totalMs": round(total, 1),
    "finalLoss": float(loss),
}))
