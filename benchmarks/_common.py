"""Shared pieces of the speed benchmarks: the command line (1 thread per side), interleaved timing, errors."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from reference.mnist.threads import set_threads


def start(doc: str, number: int, sizes: str) -> argparse.Namespace:
    """Parse ``--repeats`` / ``--number`` (the docstring's first paragraph is the description), pin 1 thread for
    torch and numpy's BLAS and print the set-up line (``sizes`` names the case)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--number", type=int, default=number, help="forward + backward passes per timed repetition")
    args = ap.parse_args()
    threads = set_threads(1)
    print(f"float32, {sizes}, threads: torch {threads['torch']}, numpy BLAS {threads['numpy_blas']}; medians of "
          f"{args.repeats} interleaved repetitions of {args.number} passes")
    return args


def _time(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def medians_ms(steps: dict[str, Callable[[], object]], repeats: int, number: int) -> dict[str, float]:
    """``{name} ms``: the median over ``repeats`` of each step's time per call, the steps interleaved (a noisy
    neighbour slows all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            times[name].append(_time(step, number))
    return {f"{name} ms": statistics.median(t) * 1e3 for name, t in times.items()}


def rel(a: np.ndarray, truth: np.ndarray) -> float:
    """max |a - truth| / max |truth|."""
    return float(np.abs(a.astype(np.float64) - truth).max() / np.abs(truth).max())
