"""Convolution and pooling speed, scratch vs torch eager: forward + backward, float32, 1 thread each, same run.

Run: ``python benchmarks/conv.py [--repeats 9]``. Each case builds the scratch block and its torch module with
the same weights, then alternates the two sides ``repeats`` times (interleaved, so a noisy neighbour slows both),
each repetition timing ``number`` forward + backward passes with a fixed random cotangent; the table shows the
medians and the ratio scratch / torch of the medians. Cases (the issue's): a LeNet-sized conv (N=64, 1->6
channels, 28x28, k5), a CIFAR-sized conv (N=64, 32->64, 16x16, k3, pad 1) and MaxPool2d 2x2 on (64, 32, 16, 16).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

import reference.nn as R
import scratch.nn as S
from reference.mnist.threads import set_threads

CASES: dict[str, tuple[Callable, tuple[int, ...], bool]] = {
    # name: (make(lib), input shape, needs the input gradient)
    "conv LeNet N64 1->6 28x28 k5": (lambda lib, **kw: lib.Conv2d(1, 6, 5, **kw), (64, 1, 28, 28), False),
    "conv LeNet N64 1->6 28x28 k5 (+dx)": (lambda lib, **kw: lib.Conv2d(1, 6, 5, **kw), (64, 1, 28, 28), True),
    "conv CIFAR N64 32->64 16x16 k3 p1": (lambda lib, **kw: lib.Conv2d(32, 64, 3, padding=1, **kw),
                                          (64, 32, 16, 16), True),
    "maxpool 2x2 (64, 32, 16, 16)": (lambda lib, **kw: lib.MaxPool2d(2), (64, 32, 16, 16), True),
}


def _time(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def measure(name: str, repeats: int, number: int) -> tuple[float, float]:
    make, shape, needs_dx = CASES[name]
    rng = np.random.default_rng(0)
    has_params = "conv" in name
    s = make(S, **({"rng": rng} if has_params else {}))
    t = make(R, **({"rng": rng} if has_params else {})).torch_module
    if has_params:
        t.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
        s.needs_input_grad = needs_dx
    x = rng.standard_normal(shape).astype(np.float32)
    dy = rng.standard_normal(s(x).shape).astype(np.float32)
    tx, tdy = torch.from_numpy(x).requires_grad_(needs_dx), torch.from_numpy(dy)

    def scratch_step():
        s(x)
        s.backward(dy)

    def torch_step():
        t.zero_grad(set_to_none=True)
        tx.grad = None
        t(tx).backward(tdy)

    scratch_step(), torch_step()  # warm up
    ts, tt = [], []
    for _ in range(repeats):
        ts.append(_time(scratch_step, number))
        tt.append(_time(torch_step, number))
    return statistics.median(ts), statistics.median(tt)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--number", type=int, default=5, help="forward + backward passes per timed repetition")
    args = ap.parse_args()
    threads = set_threads(1)
    print(f"float32, threads: torch {threads['torch']}, numpy BLAS {threads['numpy_blas']}; medians of "
          f"{args.repeats} interleaved repetitions of {args.number} forward + backward passes")
    print(f"{'case':40s} {'scratch ms':>11s} {'torch ms':>9s} {'ratio':>6s}")
    for name in CASES:
        s, t = measure(name, args.repeats, args.number)
        print(f"{name:40s} {s * 1e3:11.2f} {t * 1e3:9.2f} {s / t:6.2f}", flush=True)


if __name__ == "__main__":
    main()
