"""Samplers, kink samplers and bad inputs for the multi-label losses: MultiLabelMarginLoss (class-index lists
ended by -1) and MultiLabelSoftMarginLoss (0/1 targets per class)."""

from __future__ import annotations

import numpy as np

from tests.cases._loss_bad_inputs import _bad, _nan_inf, _planted
from tests.cases._loss_samplers import _M, C, _bce_logits
from tests.catalog import BadInput


# -- MultiLabelMarginLoss ---------------------------------------------------------------------------------------
def _label_lists(rng, n: int, c: int) -> np.ndarray:
    """(n, c) int64 rows: k ~ U{0..c} labels drawn WITH replacement (torch counts a repeated label twice), then -1,
    then junk in [-1, c) that torch ignores (it only range-checks it)."""
    k = rng.integers(0, c + 1, (n, 1))
    pos = np.arange(c)
    labels = rng.integers(0, c, (n, c))
    junk = rng.integers(-1, c, (n, c))
    return np.where(pos < k, labels, np.where(pos == k, -1, junk)).astype(np.int64)


def _margins(x2: np.ndarray, t2: np.ndarray) -> np.ndarray:
    """z = 1 - x[j] + x[i] for every listed j and non-listed i (NaN elsewhere), shape (n, c, c)."""
    c = x2.shape[1]
    listed = np.cumsum(t2 == -1, axis=1) == 0
    idx = np.where(listed, t2, 0)
    is_t = ((idx[:, :, None] == np.arange(c)) & listed[:, :, None]).any(1)
    z = 1.0 - np.take_along_axis(x2, idx, 1)[:, :, None] + x2[:, None, :]
    return np.where(listed[:, :, None] & ~is_t[:, None, :], z, np.nan)


def _multilabel(rng, dtype, shape, scale=1.0):
    """Scores (N, C) / (C,) and label lists with every hinge argument z at least _M from 0 (rows redrawn until they
    are; at scale 1)."""
    n, c = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0])
    t2 = _label_lists(rng, n, c)
    x2 = rng.uniform(-2, 2, (n, c))
    for _ in range(50):  # redraw the rows with a z near a kink (a loop over attempts, not rows)
        bad = (np.abs(np.nan_to_num(_margins(x2, t2), nan=1.0)) < _M).any(axis=(1, 2))
        if not bad.any():
            break
        x2 = np.where(bad[:, None], rng.uniform(-2, 2, (n, c)), x2)
    return (x2 * scale).reshape(shape).astype(dtype), t2.reshape(shape)


def _multilabel_kinks(rng, dtype, shape, scale=1.0):
    """Dyadic scores with about a third of the non-listed classes of each row planted at x[i] = x[j] - 1 for the
    row's first label j (z == 0 exactly: torch's `z > 0` gives no gradient there)."""
    n, c = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0])
    t2 = _label_lists(rng, n, c)
    t2[:, 0] = np.where(t2[:, 0] == -1, 0, t2[:, 0])  # every row lists at least one label
    x2 = rng.integers(-16, 17, (n, c)) / 8.0
    first = np.take_along_axis(x2, t2[:, :1], 1)
    listed = np.cumsum(t2 == -1, axis=1) == 0
    is_t = ((np.where(listed, t2, 0)[:, :, None] == np.arange(c)) & listed[:, :, None]).any(1)
    plant = ~is_t & (rng.random((n, c)) < 0.35)
    x2 = np.where(plant, first - 1.0, x2)
    return x2.reshape(shape).astype(dtype), t2.reshape(shape)


def _multilabel_bad() -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(3, C)):
        return _multilabel(rng, dt, shape)

    return (
        _bad("int32 target", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(np.int32))),
        _bad("float target", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(dt))),
        _bad("target of another shape", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (3, C - 1))[1])),
        _bad("(C,) target for (N, C) input", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (C,))[1])),
        _bad("3-d input", lambda rng, dt: (np.zeros((2, 2, C), dt), np.zeros((2, 2, C), np.int64))),
        _bad("no classes", lambda rng, dt: (np.zeros((3, 0), dt), np.zeros((3, 0), np.int64))),
        _bad("class == C", lambda rng, dt: (xy(rng, dt)[0], _planted(xy(rng, dt)[1], C, 0))),
        _bad("class -2", lambda rng, dt: (xy(rng, dt)[0], _planted(xy(rng, dt)[1], -2, 0))),
        _bad("class == C after the -1 (range-checked too)", lambda rng, dt: (
            xy(rng, dt)[0], np.array([[1, -1, C, 0], [0, -1, 0, 0], [-1, 0, 0, 0]]))),
        _bad("no labels (all -1)", lambda rng, dt: (xy(rng, dt)[0], np.full((3, C), -1))),
        _bad("every class a label", lambda rng, dt: (xy(rng, dt)[0], np.tile(np.arange(C), (3, 1)))),
        _bad("a label repeated (counted twice)", lambda rng, dt: (xy(rng, dt)[0], np.array(
            [[2, 2, -1, 0], [1, 1, 1, 1], [3, 0, 3, -1]]))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, (3, C)), xy(rng, dt)[1])),
        _bad("nan and inf", lambda rng, dt: (_nan_inf(xy(rng, dt)[0]), np.array(
            [[0, -1, 0, 0], [1, 2, -1, 0], [3, -1, 0, 0]]))),
        _bad("(C,) input with a (1, C) target", lambda rng, dt: (xy(rng, dt, (C,))[0], xy(rng, dt, (1, C))[1])),
        _bad("(C,) input with a 0-d target (C != 1)", lambda rng, dt: (xy(rng, dt, (C,))[0], np.asarray(1))),
        _bad("(1,) input with a 0-d target", lambda rng, dt: (np.array([0.5], dt), np.asarray(0))),
        _bad("0-d input with a (1,) target", lambda rng, dt: (np.asarray(0.5, dt), np.array([0]))),
        _bad("0-d input and target -1", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-1))),
    )


# -- MultiLabelSoftMarginLoss: logits and targets in [0, 1] (a third exactly 0 or 1), stable at +-1e4 ------------
def _soft_multilabel_bad() -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(3, C)):
        return _bce_logits(rng, dt, shape)

    return (
        _bad("0-d input", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(1.0, dt))),
        _bad("broadcast target (C,)", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (C,))[1])),
        _bad("broadcast input (3, 1)", lambda rng, dt: (xy(rng, dt, (3, 1))[0], xy(rng, dt)[1])),
        _bad("(C,) input with an (N, C) target (the sum runs over dim 0)", lambda rng, dt: (
            xy(rng, dt, (C,))[0], xy(rng, dt)[1])),
        _bad("incompatible shapes", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (3, C + 1))[1])),
        _bad("int64 target", lambda rng, dt: (xy(rng, dt)[0], np.round(xy(rng, dt)[1]).astype(np.int64))),
        _bad("float32 target with a float64 input", lambda rng, dt: (xy(rng, np.float64)[0],
                                                                     xy(rng, dt)[1].astype(np.float32))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, (3, C)), xy(rng, dt)[1])),
        _bad("targets outside [0, 1]", lambda rng, dt: (xy(rng, dt)[0], rng.uniform(-2, 3, (3, C)).astype(dt))),
        _bad("logits +-1e4", lambda rng, dt: (np.array([[1e4, -1e4, 1e4, -1e4]] * 2, dt),
                                              np.array([[1.0, 0.0, 0.0, 1.0], [0.3, 0.7, 1.0, 0.0]], dt))),
        _bad("nan and inf", lambda rng, dt: (_nan_inf(xy(rng, dt)[0]), _planted(xy(rng, dt)[1], np.nan, 1))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("no classes (0 / 0: NaN)", lambda rng, dt: (np.zeros((3, 0), dt), np.zeros((3, 0), dt))),
    )
