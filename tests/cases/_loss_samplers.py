"""Samplers and hypothesis shapes for the loss catalog: (input, target) pairs consistent with each loss, kink-free
for finite differences, plus kink samplers that plant exact kinks."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.strategies import away_from

C = 4  # classes in every class-index/probability case with a (C,) weight
_M = 1e-2  # distance kept from kinks in FD samples (FD step is 1e-6)
_OTHER = {np.dtype(np.float32): np.float64, np.dtype(np.float64): np.float32}


def _other(dt):
    return _OTHER[np.dtype(dt)]


def _weight(lib, n: int = C) -> np.ndarray:
    """Positive class weights drawn from the case's generator (so torch-initialized state differs: load test)."""
    return lib.rng.uniform(0.5, 2.0, n).astype(lib.dtype)


def _call(loss, *args):
    """Construct-and-call: torch checks most loss hyper-parameters only when the loss is called."""
    return loss(*args)


def _x(shape, dt=np.float64):
    return np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape).astype(dt)


# -- samplers ---------------------------------------------------------------------------------------------------
def _regression(kinks: tuple[float, ...] = (0.0,), target_shape=None):
    """x = y + d with d away from the kinks of d (0 for L1, +-delta for Huber, ...); both scaled."""

    def sample(rng, dtype, shape, scale=1.0):
        y = rng.uniform(-3, 3, shape if target_shape is None else target_shape(shape))
        d = away_from(rng.uniform(-3, 3, shape), kinks, _M)
        return ((y + d) * scale).astype(dtype), (y * scale).astype(dtype)

    return sample


def _regression_kinks(kinks: tuple[float, ...]):
    """Dyadic y and d (exact in float32) with about a third of the differences planted exactly on a kink."""

    def sample(rng, dtype, shape, scale=1.0):
        y = rng.integers(-16, 17, shape) / 8.0
        d = rng.integers(-24, 25, shape) / 8.0
        flat = d.reshape(-1)
        idx = rng.permutation(flat.size)[: max(len(kinks), flat.size // 3)]
        flat[idx] = np.resize(np.asarray(kinks, np.float64), idx.size)
        return (y + d).astype(dtype), y.astype(dtype)

    return sample


def _tshape(shape):
    """(N, C, d1, ...) -> (N, d1, ...); unbatched (C,) -> ()."""
    return () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _logits(rng, dtype, shape, scale):
    return (rng.standard_normal(shape) * 2.0 * scale).astype(dtype)


def _classes(ignore_index: int | None = None, log_probs: bool = False, tdtype=np.int64):
    """Logits (or log-probabilities for NLL: log_softmax of scaled logits) and class indices; a quarter of the
    targets set to ``ignore_index`` (never the first, so the deterministic samples keep a denominator)."""

    def sample(rng, dtype, shape, scale=1.0):
        z = rng.standard_normal(shape) * 2.0 * scale
        if log_probs:
            z = z - z.max(axis=min(1, len(shape) - 1), keepdims=True)
            z = z - np.log(np.exp(z).sum(axis=min(1, len(shape) - 1), keepdims=True))
        t = rng.integers(0, shape[0 if len(shape) == 1 else 1], _tshape(shape))
        if ignore_index is not None and t.ndim:
            drop = rng.random(t.shape) < 0.25
            drop.reshape(-1)[:1] = False
            t = np.where(drop, ignore_index, t)
        return z.astype(dtype), np.asarray(t).astype(tdtype)

    return sample


def _probs(rng, dtype, shape, scale=1.0):
    """Logits and a probability target of the same shape (class dim 1, or 0 when unbatched)."""
    axis = 0 if len(shape) == 1 else 1
    return _logits(rng, dtype, shape, scale), _softmax(rng.standard_normal(shape) * 2.0, axis).astype(dtype)


def _bce(rng, dtype, shape, scale=1.0):
    """x in (0, 1): U(0.05, 0.95) at scale 1 and targets U(0.05, 0.95) (both FD-safe: the target is
    differentiated too, and must stay in [0, 1] when perturbed); otherwise x = sigmoid(scale * z), saturating to
    exact 0/1 at 1e2/1e4 (torch's -100 log clamp and 1e-12 grad clamp), with targets in [0, 1] holding exact 0s
    and 1s."""
    if scale == 1.0:
        return rng.uniform(0.05, 0.95, shape).astype(dtype), rng.uniform(0.05, 0.95, shape).astype(dtype)
    x = 1.0 / (1.0 + np.exp(-np.clip(rng.standard_normal(shape) * 3.0 * scale, -700, 700)))
    return x.astype(dtype), _unit_targets(rng, shape).astype(dtype)


def _unit_targets(rng, shape):
    """Targets in [0, 1], about 30% of them exactly 0 or 1."""
    y = rng.uniform(0, 1, shape)
    return np.where(rng.random(shape) < 0.3, np.round(y), y)


def _bce_kinks(rng, dtype, shape, scale=1.0):
    """x exactly 0 or 1 (log clamp at -100, x(1-x) clamp at 1e-12) against targets 0, 1 and 0.5."""
    x, y = _bce(rng, dtype, shape)
    y = _unit_targets(rng, shape).astype(dtype)
    flat = x.reshape(-1)
    idx = rng.permutation(flat.size)[: max(2, flat.size // 2)]
    flat[idx] = np.resize(np.array([0.0, 1.0]), idx.size)
    y.reshape(-1)[idx[::3]] = 0.5
    return x, y


def _bce_logits(rng, dtype, shape, scale=1.0):
    y = rng.uniform(0, 1, shape)
    return _logits(rng, dtype, shape, scale), np.where(rng.random(shape) < 0.3, np.round(y), y).astype(dtype)


def _kl(log_target: bool = False):
    """input = log q (log_softmax over the last dim of scaled logits); target p with exact zeros (xlogy(0, 0) = 0),
    or log p for log_target."""

    def sample(rng, dtype, shape, scale=1.0):
        z = rng.standard_normal(shape) * 2.0 * scale
        logq = z - z.max(axis=-1, keepdims=True)
        logq = logq - np.log(np.exp(logq).sum(axis=-1, keepdims=True))
        p = _softmax(rng.standard_normal(shape), -1)
        if log_target:
            return logq.astype(dtype), np.log(p).astype(dtype)
        return logq.astype(dtype), np.where(rng.random(shape) < 0.25, 0.0, p).astype(dtype)

    return sample


def _hinge(margin: float = 1.0, targets=(-1.0, 1.0)):
    """x away from margin (the clamp's kink for targets != 1); targets drawn from ``targets``."""

    def sample(rng, dtype, shape, scale=1.0):
        x = away_from(rng.uniform(-3, 3, shape), (margin,), _M) * scale
        return x.astype(dtype), rng.choice(np.asarray(targets), shape).astype(dtype)

    return sample


def _hinge_kinks(margin: float, targets=(-1.0, 1.0)):
    def sample(rng, dtype, shape, scale=1.0):
        x = rng.integers(-24, 25, shape) / 8.0
        x.reshape(-1)[rng.permutation(x.size)[: max(1, x.size // 3)]] = margin
        return x.astype(dtype), rng.choice(np.asarray(targets), shape).astype(dtype)

    return sample


def _margin(margin: float = 1.0):
    """Scores (N, C) / (C,) and int64 classes with every z = margin - x[y] + x[i] (i != y) at least _M from 0."""

    def sample(rng, dtype, shape, scale=1.0):
        x = rng.uniform(-2, 2, shape) * scale
        t = rng.integers(0, shape[-1], shape[:-1])
        x2, t2 = x.reshape(-1, shape[-1]), t.reshape(-1)
        z = margin - x2[np.arange(t2.size), t2][:, None] + x2
        near = (np.abs(z) < _M) & (np.arange(shape[-1]) != t2[:, None])
        x2 += np.where(near, np.where(z >= 0, _M, -_M) - z, 0.0)
        return x.astype(dtype), np.asarray(t)

    return sample


def _margin_kinks(margin: float):
    """Dyadic scores with about a third of the z = margin - x[y] + x[i] planted exactly at 0."""

    def sample(rng, dtype, shape, scale=1.0):
        x = rng.integers(-16, 17, shape) / 8.0
        t = rng.integers(0, shape[-1], shape[:-1])
        x2, t2 = x.reshape(-1, shape[-1]), t.reshape(-1)
        xy = x2[np.arange(t2.size), t2][:, None]
        plant = (rng.random(x2.shape) < 0.35) & (np.arange(shape[-1]) != t2[:, None])
        x2[...] = np.where(plant, xy - margin, x2)
        return x.astype(dtype), np.asarray(t)

    return sample


# -- hypothesis shapes -------------------------------------------------------------------------------------------
_N = st.integers(1, 6)
_S = st.integers(1, 4)
BATCH_C = st.tuples(_N, st.just(C))  # (N, C) with the weight's C
ANY_C = st.tuples(_N, st.integers(1, 6))  # (N, C) without a weight
SPATIAL = st.tuples(_N, st.just(C), _S, _S)  # (N, C, H, W)
UNBATCHED = st.just((C,))
