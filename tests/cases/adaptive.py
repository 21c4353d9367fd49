"""Catalog entries: AdaptiveLogSoftmaxWithLoss (input, int64 target) -> (output, loss), two outputs with a random
cotangent on each. Targets are planted so that every cluster the entry names is reached (and, where the entry
says so, one cluster by exactly one row, or none): torch squeezes its row indices, so one row is a shape edge."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case


def targets(n_classes: int, cutoffs: list[int], skip: int | None = None, single: int | None = None):
    """(input, target): input ~ U(-2, 2) * scale of the drawn shape; target covering the shortlist and every cluster
    (cluster ``skip`` never, cluster ``single`` by exactly one row), the rest uniform over the allowed classes."""
    bounds = [0] + cutoffs + [n_classes]

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x = (rng.uniform(-2.0, 2.0, shape) * scale).astype(dtype)
        n = shape[0] if len(shape) == 2 else 1
        allowed = [c for i in range(len(bounds) - 1) if i - 1 not in (skip, single)
                   for c in range(bounds[i], bounds[i + 1])]
        t = rng.choice(allowed, n)
        planted = [rng.integers(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1) if i - 1 != skip]
        k = min(n, len(planted))
        t[rng.permutation(n)[:k]] = planted[:k]
        t = t.astype(np.int64)
        return (x, t if len(shape) == 2 else np.asarray(t[0]))

    return sample


def _x(shape, dt=np.float64):
    return np.random.default_rng(0).standard_normal(shape).astype(dt)


def _bad(label, shape, target):
    return BadInput(label, lambda rng, dt: (_x(shape, dt), np.asarray(target)))


_BAD = (
    _bad("target = n_classes", (3, 6), [0, 9, 10]),
    _bad("negative target", (3, 6), [0, -1, 2]),
    _bad("int32 target (accepted)", (2, 6), np.array([0, 7], np.int32)),
    _bad("int16 target", (2, 6), np.array([0, 7], np.int16)),
    _bad("batch sizes differ", (3, 6), [0, 1]),
    _bad("2-d target", (2, 6), [[0, 1], [2, 3]]),
    _bad("1-d target, 3-d input", (2, 1, 6), [0, 1]),
    _bad("0-d target, 2-d input", (2, 6), 3),
    _bad("empty batch (loss NaN)", (0, 6), np.zeros(0, np.int64)),
)


def _args(label: str, cutoffs, n_classes: int = 10) -> BadArgs:
    return BadArgs(label, lambda lib: lib.AdaptiveLogSoftmaxWithLoss(6, n_classes, cutoffs))


_ARGS = (_args("no cutoffs", []), _args("unsorted cutoffs", [5, 2]), _args("repeated cutoff", [2, 2, 5]),
         _args("cutoff = n_classes", [3, 10]), _args("cutoff 0", [0, 4]), _args("fractional cutoff", [2.5, 6]),
         BadArgs("negative in_features", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(-1, 10, [3, 6])))


def _shapes(in_features: int) -> st.SearchStrategy:
    return st.tuples(st.integers(3, 9), st.just(in_features))


CASES: list[Case] = [
    Case("adaptive_log_softmax", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6]), targets(10, [3, 6]),
         (7, 6), shapes=_shapes(6), bad_inputs=_BAD, bad_args=_ARGS),
    Case("adaptive_log_softmax_head_bias_div2", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(
        8, 12, [2, 5, 9], div_value=2.0, head_bias=True), targets(12, [2, 5, 9]), (9, 8), shapes=_shapes(8),
         bad_args=_ARGS),
    Case("adaptive_log_softmax_one_row_and_empty_cluster", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(
        5, 9, [2, 4, 7], div_value=1.5), targets(9, [2, 4, 7], skip=1, single=0), (5, 5), bad_args=_ARGS),
    Case("adaptive_log_softmax_batch1", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(4, 6, [3]), targets(6, [3]),
         (1, 4), bad_args=_ARGS),
    Case("adaptive_log_softmax_unbatched", lambda lib: lib.AdaptiveLogSoftmaxWithLoss(4, 6, [2], head_bias=True),
         targets(6, [2]), (4,), bad_args=_ARGS),
]
