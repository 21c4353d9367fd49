"""Which lines of scratch a catalog entry runs: its scratch block built as the checks build it
(tests/harness.py), then one forward and backward on the entry's sample in float64 with a random cotangent on every
output, in training mode and again in eval mode, under ``sys.settrace`` (Python 3.11: no sys.monitoring). Only
frames of files under scratch/ are traced line by line; the mutants of an entry are made on those lines only.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

from tests.mutate.mutator import ROOT

SCRATCH = str(ROOT / "scratch")


def _relative(filename: str) -> str:
    return Path(filename).resolve().relative_to(ROOT).as_posix()


class _Tracer:
    def __init__(self) -> None:
        self.lines: dict[str, set[int]] = {}

    def global_trace(self, frame, event, arg):
        filename = frame.f_code.co_filename
        if not filename.startswith(SCRATCH):
            return None  # no line events for this frame (numpy, tests, torch): tracing costs nothing there
        lines = self.lines.setdefault(filename, set())

        def local(frame, event, arg):
            if event == "line":
                lines.add(frame.f_lineno)
            return local

        return local


def trace_calls(fn) -> dict[str, frozenset[int]]:
    """The scratch lines ``fn()`` executes, by repository-relative file."""
    tracer = _Tracer()
    previous = sys.gettrace()
    sys.settrace(tracer.global_trace)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return {_relative(f): frozenset(ls) for f, ls in sorted(tracer.lines.items()) if ls}


def trace_entry(case, seed: int = 0) -> dict[str, frozenset[int]]:
    """The scratch lines one catalog entry runs: build, forward + backward (train), forward + backward (eval)."""
    import scratch.nn
    from tests.harness import build, forward
    from tests.structure import call_backward, cotangents, wants_target_grad

    rng = np.random.default_rng(seed)
    args = case.sample(rng, np.float64, case.shape, 1.0)  # test code: sampled outside the trace

    def run() -> None:
        block = build(case, scratch.nn, np.float64)
        target_grad = wants_target_grad(block, args, case.loss)
        for mode in ("train", "eval"):
            block.train(mode == "train")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = forward(block, args)
                call_backward(block, out, cotangents(rng, out), case.loss, target_grad)

    return trace_calls(run)
