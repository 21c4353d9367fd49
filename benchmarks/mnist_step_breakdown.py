"""Where a training step goes, scratch vs torch eager (microseconds per step phase, 1 thread each).

Run: ``python benchmarks/mnist_step_breakdown.py [--experiment mlp600-sgd] [--dtype float32] [--steps N]``. Both sides
are the runner's own (``reference.mnist.runner.ScratchSide`` / ``ReferenceSide``: the experiment's model, init,
loss and optimizer, the reference twin loaded from the scratch state), trained on the same real MNIST batches;
each phase (batch gather + forward, loss forward, backward, gradient clipping when the experiment clips,
optimizer step, zero_grad) is timed with
perf_counter. The per-phase figures in docs/mnist.md come from this script; the CLI's per-epoch times are the
end-to-end check.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

import numpy as np
import torch

import scratch.regularization as sreg
from reference.mnist.experiments import EXPERIMENTS
from reference.mnist.runner import ReferenceSide, ScratchSide
from reference.mnist.threads import set_threads
from scratch.data import load_mnist

PHASES = ("forward", "loss", "backward", "clip", "step", "zero_grad")


def scratch_phases(side: ScratchSide, X: np.ndarray, y: np.ndarray, batches: np.ndarray) -> Iterator[np.ndarray]:
    model, loss, opt = side.model, side.criterion, side.optimizer
    for idx in batches:
        t0 = time.perf_counter()
        out = model(X[idx])
        t1 = time.perf_counter()
        loss(out, y[idx])
        t2 = time.perf_counter()
        model.backward(loss.backward())
        t3 = time.perf_counter()
        if side.clip is not None:
            sreg.clip_grad_norm_(side.params, side.clip)
        t4 = time.perf_counter()
        opt.step()
        t5 = time.perf_counter()
        opt.zero_grad()
        yield np.diff([t0, t1, t2, t3, t4, t5, time.perf_counter()])


def torch_phases(side: ReferenceSide, X: np.ndarray, y: np.ndarray, batches: np.ndarray) -> Iterator[np.ndarray]:
    model, opt = side.module, side.optimizer
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for idx in batches:
        t0 = time.perf_counter()
        it = torch.as_tensor(idx.tolist())  # as the runner indexes
        out = model(Xt[it])
        t1 = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(out, yt[it])
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        if side.clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), side.clip)
        t4 = time.perf_counter()
        opt.step()
        t5 = time.perf_counter()
        opt.zero_grad()
        loss.item()
        yield np.diff([t0, t1, t2, t3, t4, t5, time.perf_counter()])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiment", choices=sorted(EXPERIMENTS), default="mlp600-sgd")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--steps", type=int, default=2000)
    args = ap.parse_args()
    set_threads(1)
    exp, dtype = EXPERIMENTS[args.experiment], np.dtype(args.dtype)
    X, y, _, _ = exp.prepare(*load_mnist(), dtype)
    y = np.ascontiguousarray(y, dtype=np.int64)
    rng = np.random.default_rng(1)
    batches = np.concatenate([rng.permutation(len(X)) for _ in range(-(-args.steps * exp.batch_size // len(X)))])
    batches = batches[:args.steps * exp.batch_size].reshape(args.steps, exp.batch_size)
    scratch_side = ScratchSide(exp, dtype, 0)
    reference_side = ReferenceSide(exp, dtype, 0, scratch_side.state_dict())
    warm = min(100, args.steps // 4)
    for name, run in (("scratch", lambda: scratch_phases(scratch_side, X, y, batches)),
                      ("torch", lambda: torch_phases(reference_side, X, y, batches))):
        times = np.array(list(run()))[warm:] * 1e6
        parts = ", ".join(f"{p} {t:.0f}" for p, t in zip(PHASES, times.mean(axis=0), strict=True))
        print(f"{name:8s} {times.sum(axis=1).mean():6.0f} us/step: {parts}")


if __name__ == "__main__":
    main()
