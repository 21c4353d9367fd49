"""Where a seed000 float32 training step goes, scratch vs torch eager (microseconds per step, 1 thread each).

Run: ``python benchmarks/mnist_step_breakdown.py [--steps N]``. Both sides train the 784-600-10 ReLU network
with SGD lr 0.02 + weight decay 4e-4 on the weights, batch 16, on the same real MNIST batches, and each phase
(batch gather + forward, loss forward, backward, optimizer step, zero_grad) is timed with perf_counter. The
figures in docs/mnist.md come from this script; the CLI's per-epoch times are the end-to-end check.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import scratch.nn as snn
import scratch.optim as soptim
from reference.mnist.threads import set_threads
from scratch.data import load_mnist

PHASES = ("forward", "loss", "backward", "step", "zero_grad")


def scratch_loop(X, y, batches):
    rng = np.random.default_rng(0)
    m = snn.Sequential(snn.Linear(784, 600, rng=rng), snn.ReLU(), snn.Linear(600, 10, rng=rng))
    m[0].needs_input_grad = False
    loss = snn.CrossEntropyLoss()
    opt = soptim.SGD([{"params": [m[0].weight, m[2].weight], "weight_decay": 4e-4},
                      {"params": [m[0].bias, m[2].bias]}], lr=0.02)
    for idx in batches:
        t0 = time.perf_counter()
        out = m(X[idx])
        t1 = time.perf_counter()
        loss(out, y[idx])
        t2 = time.perf_counter()
        m.backward(loss.backward())
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        opt.zero_grad()
        yield np.diff([t0, t1, t2, t3, t4, time.perf_counter()])


def torch_loop(X, y, batches):
    m = torch.nn.Sequential(torch.nn.Linear(784, 600), torch.nn.ReLU(), torch.nn.Linear(600, 10))
    opt = torch.optim.SGD([{"params": [m[0].weight, m[2].weight], "weight_decay": 4e-4},
                           {"params": [m[0].bias, m[2].bias]}], lr=0.02)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for idx in batches:
        t0 = time.perf_counter()
        it = torch.as_tensor(idx.tolist())
        out = m(Xt[it])
        t1 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(out, yt[it])
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        opt.step()
        t4 = time.perf_counter()
        opt.zero_grad()
        loss.item()
        yield np.diff([t0, t1, t2, t3, t4, time.perf_counter()])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args()
    set_threads(1)
    X8, y, _, _ = load_mnist()
    X = (X8.reshape(len(X8), -1) / np.float32(255)).astype(np.float32)
    batches = np.random.default_rng(1).permutation(len(X))[:args.steps * 16].reshape(args.steps, 16)
    warm = min(100, args.steps // 4)
    for name, loop in (("scratch", scratch_loop), ("torch", torch_loop)):
        times = np.array(list(loop(X, y.astype(np.int64), batches)))[warm:] * 1e6
        parts = ", ".join(f"{p} {t:.0f}" for p, t in zip(PHASES, times.mean(axis=0), strict=True))
        print(f"{name:8s} {times.sum(axis=1).mean():6.0f} us/step: {parts}")


if __name__ == "__main__":
    main()
