"""Samplers, kink samplers and bad inputs for the losses on several inputs: MarginRankingLoss and
CosineEmbeddingLoss (input1, input2, target), SoftMarginLoss (input, +-1 target)."""

from __future__ import annotations

import numpy as np

from tests.cases._loss_bad_inputs import _bad, _nan_inf, _planted
from tests.cases._loss_samplers import _M, _other
from tests.catalog import BadInput
from tests.strategies import away_from


# -- MarginRankingLoss: u = -y (x1 - x2) + margin, kink at u == 0 ----------------------------------------------
def _ranking(margin: float = 0.0):
    """x1, x2 and +-1 targets with u = -y (x1 - x2) + margin at least _M from 0 (at scale 1)."""

    def sample(rng, dtype, shape, scale=1.0):
        y = rng.choice(np.array([-1.0, 1.0]), shape)
        x2 = rng.uniform(-2, 2, shape)
        u = away_from(rng.uniform(-2, 2, shape), (0.0,), _M)
        x1 = x2 + (margin - u) * y  # -y (x1 - x2) + margin = u, as y * y = 1
        return (x1 * scale).astype(dtype), (x2 * scale).astype(dtype), y.astype(dtype)

    return sample


def _ranking_kinks(margin: float):
    """Dyadic x2 and about a third of the x1 planted on u == 0 exactly (x1 = x2 + margin y)."""

    def sample(rng, dtype, shape, scale=1.0):
        y = rng.choice(np.array([-1.0, 1.0]), shape)
        x2 = rng.integers(-16, 17, shape) / 8.0
        x1 = rng.integers(-16, 17, shape) / 8.0
        plant = rng.random(shape) < 0.35
        x1 = np.where(plant, x2 + margin * y, x1)
        return x1.astype(dtype), x2.astype(dtype), y.astype(dtype)

    return sample


def _ranking_bad() -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(3, 4)):
        return _ranking(0.5)(rng, dt, shape)

    return (
        _bad("broadcast input1 (3, 1) against (3, 4)", lambda rng, dt: (xy(rng, dt, (3, 1))[0], *xy(rng, dt)[1:])),
        _bad("broadcast target (1, 4)", lambda rng, dt: (*xy(rng, dt)[:2], xy(rng, dt, (1, 4))[2])),
        _bad("input2 with one dim fewer", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1][0], xy(rng, dt)[2])),
        _bad("0-d target", lambda rng, dt: (*xy(rng, dt, (3,))[:2], np.asarray(1.0, dt))),
        _bad("incompatible sizes", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (3, 5))[1], xy(rng, dt)[2])),
        _bad("int64 target", lambda rng, dt: (*xy(rng, dt)[:2], xy(rng, dt)[2].astype(np.int64))),
        _bad("int64 input2 and target (one gradient)", lambda rng, dt: (
            xy(rng, dt)[0], *(a.astype(np.int64) for a in xy(rng, dt)[1:]))),
        _bad("target of the other float dtype", lambda rng, dt: (*xy(rng, dt)[:2],
                                                                 xy(rng, dt)[2].astype(_other(dt)))),
        _bad("input2 of the other float dtype", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(_other(dt)),
                                                                 xy(rng, dt)[2])),
        _bad("int64 inputs and target (float32 loss)", lambda rng, dt: tuple(
            a.astype(np.int64) for a in _ranking_kinks(1.0)(rng, np.float64, (3, 4)))),
        _bad("targets other than +-1", lambda rng, dt: (
            *xy(rng, dt)[:2], rng.choice(np.array([0.0, 2.0, 0.5, -3.0]), (3, 4)).astype(dt))),
        _bad("nan and inf (inf - inf too)", lambda rng, dt: (
            _nan_inf(xy(rng, dt)[0]), _planted(_planted(xy(rng, dt)[1], np.nan, 1), np.inf, 5),
            _planted(xy(rng, dt)[2], np.nan, 2))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 2), dt),) * 3),
        _bad("0-d", lambda rng, dt: (np.asarray(0.3, dt), np.asarray(-0.2, dt), np.asarray(-1.0, dt))),
    )


# -- CosineEmbeddingLoss: cos over the last dim of (N, D) / (D,) inputs -----------------------------------------
def _cos(a, b):
    return np.sum(a * b, -1) / np.sqrt((np.sum(a * a, -1) + 1e-12) * (np.sum(b * b, -1) + 1e-12))


def _cosine(margin: float = 0.0, targets=(-1.0, 1.0)):
    """x1, x2 (N, D) or (D,) and targets (N,) / () from ``targets``; a -1 target whose cos is within _M of the
    margin (the clamp's kink) becomes a 1 (at scale 1)."""

    def sample(rng, dtype, shape, scale=1.0):
        x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
        y = rng.choice(np.asarray(targets), shape[:-1])
        y = np.where((y == -1) & (np.abs(_cos(x1, x2) - margin) < _M), 1.0, y)
        return (x1 * scale).astype(dtype), (x2 * scale).astype(dtype), np.asarray(y).astype(dtype)

    return sample


def _cosine_kinks(rng, dtype, shape, scale=1.0):
    """Dyadic rows with about half the pairs orthogonal (sum x1 x2 == 0 exactly: cos == 0 == margin, the clamp's
    kink for y == -1) and some zero rows (cos 0, the eps in the norms keeps the gradient finite)."""
    x1 = rng.integers(-8, 9, shape) / 4.0
    x2 = rng.integers(-8, 9, shape) / 4.0
    ortho = np.zeros_like(x1)
    if shape[-1] >= 2:
        ortho[..., 0], ortho[..., 1] = x1[..., 1], -x1[..., 0]
    pick = rng.random(shape[:-1] + (1,)) < 0.5
    x2 = np.where(pick, ortho, x2)
    x1 = np.where(rng.random(shape[:-1] + (1,)) < 0.2, 0.0, x1)
    y = rng.choice(np.array([-1.0, 1.0]), shape[:-1])
    return x1.astype(dtype), x2.astype(dtype), np.asarray(y).astype(dtype)


def _cosine_bad() -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(4, 3)):
        return _cosine()(rng, dt, shape)

    return (
        _bad("2-d target", lambda rng, dt: (*xy(rng, dt)[:2], xy(rng, dt)[2][:, None])),
        _bad("(D,) inputs with a 1-d target", lambda rng, dt: (xy(rng, dt)[0][0], xy(rng, dt)[1][0],
                                                               xy(rng, dt)[2][:1])),
        _bad("(N, D) inputs with a 0-d target", lambda rng, dt: (*xy(rng, dt)[:2], np.asarray(xy(rng, dt)[2][0]))),
        _bad("3-d inputs", lambda rng, dt: (xy(rng, dt)[0][None], xy(rng, dt)[1][None], xy(rng, dt)[2])),
        _bad("3-d input1 only", lambda rng, dt: (xy(rng, dt)[0][None], *xy(rng, dt)[1:])),
        _bad("input2 of one row broadcast", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1][:1], xy(rng, dt)[2])),
        _bad("target of one entry broadcast", lambda rng, dt: (*xy(rng, dt)[:2], np.array([-1.0], dt))),
        _bad("target of another length", lambda rng, dt: (*xy(rng, dt)[:2], xy(rng, dt, (3, 3))[2])),
        _bad("feature sizes differ", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (4, 2))[1], xy(rng, dt)[2])),
        _bad("int64 target", lambda rng, dt: (*xy(rng, dt)[:2], xy(rng, dt)[2].astype(np.int64))),
        _bad("input2 of the other float dtype", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(_other(dt)),
                                                                 xy(rng, dt)[2])),
        _bad("int64 inputs (float32 loss)", lambda rng, dt: (rng.integers(-3, 4, (4, 3)), rng.integers(-3, 4, (4, 3)),
                                                             xy(rng, dt)[2])),
        _bad("zero vectors (eps = float32(1e-12) in the norms)", lambda rng, dt: (
            np.zeros((3, 4), dt), np.array([[1.0, 2.0, 0.0, 0.5]] * 3, dt), np.array([1.0, -1.0, 1.0], dt))),
        _bad("targets other than +-1", lambda rng, dt: (*xy(rng, dt)[:2], np.array([0.0, 2.0, 1.0, -1.0], dt))),
        _bad("nan and inf", lambda rng, dt: (_nan_inf(xy(rng, dt)[0]), xy(rng, dt)[1],
                                             _planted(xy(rng, dt)[2], np.nan, 1))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt), np.zeros(0, dt))),
        _bad("no features", lambda rng, dt: (np.zeros((2, 0), dt), np.zeros((2, 0), dt), np.array([1.0, -1.0], dt))),
    )


# -- SoftMarginLoss: log(1 + exp(-y x)) -------------------------------------------------------------------------
def _soft_margin(targets=(-1.0, 1.0)):
    """Logits (scaled; at 1e2/1e4 exp(-y x) overflows and torch's loss is inf, its gradient NaN) and targets."""

    def sample(rng, dtype, shape, scale=1.0):
        x = rng.standard_normal(shape) * 2.0 * scale
        return x.astype(dtype), rng.choice(np.asarray(targets), shape).astype(dtype)

    return sample


def _soft_margin_bad() -> tuple[BadInput, ...]:
    def xy(rng, dt, shape=(3, 4)):
        return _soft_margin()(rng, dt, shape)

    return (
        _bad("broadcast target (4,)", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (4,))[1])),
        _bad("target enlarging the input", lambda rng, dt: (xy(rng, dt, (3, 1))[0], xy(rng, dt)[1])),
        _bad("incompatible shapes", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt, (3, 5))[1])),
        _bad("int64 target", lambda rng, dt: (xy(rng, dt)[0], xy(rng, dt)[1].astype(np.int64))),
        _bad("target of the other float dtype (output keeps the input's)", lambda rng, dt: (
            xy(rng, dt)[0], xy(rng, dt)[1].astype(_other(dt)))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 4, (3, 4)), xy(rng, dt)[1])),
        _bad("logits +-1e4 and at the overflow edges (inf loss, NaN gradient, as torch)", lambda rng, dt: (
            np.array([1e4, -1e4, 88.5, 89.0, 700.0, 710.0, -50.0, 0.0], dt),
            np.array([1.0, 1.0, -1.0, -1.0, -1.0, -1.0, 1.0, -1.0], dt))),
        _bad("nan and inf (an inf input with target 0: 0 * inf)", lambda rng, dt: (
            _nan_inf(xy(rng, dt)[0]), _planted(_planted(xy(rng, dt)[1], np.nan, 1), 0.0, 5))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-1.0, dt))),
    )
