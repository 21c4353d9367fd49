"""Catalog entries for the losses: every loss x every reduction x every option, with samplers that build
(input, target) pairs consistent with each loss, kink-free for finite differences, and kink samplers that plant
exact kinks (|x - y| == 0 or delta, margin - x == 0, ...) so torch's conventions there are compared.

Class-index targets are int64 (with some ignore_index entries where the case has one); probabilities sum to 1
along the class dim; BCE inputs stay in (0, 1) (its scale is mapped to saturation toward 0/1, see _bce).
Hyper-parameters that torch only rejects at call time are exercised by ``BadArgs`` that construct AND call.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import away_from, shapes

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
    """x in (0, 1): U(0.05, 0.95) at scale 1 (FD-safe); otherwise sigmoid(scale * z), saturating to exact 0/1
    at 1e2/1e4 (torch's -100 log clamp and 1e-12 grad clamp). Targets in [0, 1] with exact 0s and 1s."""
    if scale == 1.0:
        x = rng.uniform(0.05, 0.95, shape)
    else:
        x = 1.0 / (1.0 + np.exp(-np.clip(rng.standard_normal(shape) * 3.0 * scale, -700, 700)))
    y = rng.uniform(0, 1, shape)
    y = np.where(rng.random(shape) < 0.3, np.round(y), y)
    return x.astype(dtype), y.astype(dtype)


def _bce_kinks(rng, dtype, shape, scale=1.0):
    """x exactly 0 or 1 (log clamp at -100, x(1-x) clamp at 1e-12) against targets 0, 1 and 0.5."""
    x, y = _bce(rng, dtype, shape)
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


# -- bad inputs --------------------------------------------------------------------------------------------------
def _bad(label, fn, why=""):
    return BadInput(label, fn, why)


def _planted(a: np.ndarray, value, where: int = -1) -> np.ndarray:
    """``a`` with one entry (the last by default) set to ``value``."""
    a = np.array(a, copy=True)
    a.reshape(-1)[where] = value
    return a


def _nan_inf(a: np.ndarray) -> np.ndarray:
    """Every fifth entry replaced by NaN, +inf or -inf in turn."""
    a = np.array(a, copy=True)
    flat = a.reshape(-1)
    idx = np.arange(0, flat.size, 5)
    flat[idx] = np.resize(np.array([np.nan, np.inf, -np.inf]), idx.size)
    return a


def _regression_bad(huber: bool = False, all_int: bool = True) -> tuple[BadInput, ...]:
    """MSE/L1/Huber/SmoothL1: torch warns on a size mismatch and broadcasts, promotes dtypes (Huber keeps the
    input's), accepts integer inputs (Huber: integer input is a RuntimeError), raises on incompatible shapes.
    ``all_int``: integer input AND target, which torch rejects for 'mean' (with 'sum'/'none' its L1 returns an
    integer loss, which scratch does not do)."""
    return (
        _bad("broadcast target (3,4) vs input (3,1)", lambda rng, dt: (rng.standard_normal((3, 1)).astype(dt),
                                                                      rng.standard_normal((3, 4)).astype(dt))),
        _bad("broadcast target (4,) vs input (3,4)", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt),
                                                                     rng.standard_normal(4).astype(dt))),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros((3, 4), dt), np.zeros((3, 5), dt))),
    ) + (() if huber else (  # torch's huber backward raises for another target dtype: tests/test_losses.py
        _bad("target of the other float dtype", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt),
                                                                rng.standard_normal((3, 4)).astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt), rng.integers(-2, 3, (3, 4)))),
    )) + (
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, (3, 4)), rng.standard_normal((3, 4)).astype(dt))),
        _bad("nan and inf", lambda rng, dt: (np.array([np.nan, np.inf, -np.inf, 1.0, 0.5], dt),
                                             np.array([0.0, 0.0, 1.0, np.nan, 0.5], dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 3), dt), np.zeros((0, 3), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.7, dt), np.asarray(-0.2, dt))),
    ) + ((_bad("int64 input and target", lambda rng, dt: (rng.integers(-2, 3, 5), rng.integers(-2, 3, 5))),)
         if all_int else ())


def _index_bad(log_probs: bool = False, weighted: bool = False, spatial: bool = False) -> tuple[BadInput, ...]:
    """Class-index losses (CE, NLL): target dtype/shape/range errors as torch's nll_loss_nd, NaN/inf, empty."""
    shape = (2, C, 3) if spatial else (5, C)
    ts = _tshape(shape)

    def x(rng, dt):
        return _classes(log_probs=log_probs)(rng, dt, shape, 1.0)[0]

    out = [
        _bad("int32 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(np.int32))),
        _bad("float target of the batch shape", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(dt))),
        _bad("class == C", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, ts), C))),
        _bad("class -1", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, ts), -1))),
        _bad("target batch mismatch", lambda rng, dt: (x(rng, dt), np.zeros((shape[0] + 1,) + ts[1:], np.int64))),
        _bad("target with an extra dim", lambda rng, dt: (x(rng, dt), np.zeros(ts + (1,), np.int64))),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(x(rng, dt)), rng.integers(0, C, ts))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0,) + shape[1:], dt), np.zeros((0,) + ts[1:], np.int64))),
        _bad("all targets ignored", lambda rng, dt: (x(rng, dt), np.full(ts, -100))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), rng.integers(0, C, ts))),
        _bad("0-d input", lambda rng, dt: (np.asarray(0.3, dt), np.asarray(0))),
        _bad("uint8 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, ts).astype(np.uint8))),
    ]
    if weighted:
        out.append(_bad("input of the other float dtype than the weight", lambda rng, dt: (
            x(rng, _other(dt)), rng.integers(0, C, ts))))
    if spatial:
        out.append(_bad("spatial target of the wrong size", lambda rng, dt: (
            x(rng, dt), np.zeros((shape[0], shape[2] + 1), np.int64))))
    return tuple(out)


def _probs_bad() -> tuple[BadInput, ...]:
    """Probability targets: the target's dtype promotes; int targets of the input's shape are rejected."""
    return (
        _bad("probabilities of the other float dtype", lambda rng, dt: (
            _logits(rng, dt, (3, C), 1.0), _softmax(rng.standard_normal((3, C)), 1).astype(_other(dt)))),
        _bad("int64 target of the input's shape", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                                   rng.integers(0, 2, (3, C)))),
        _bad("probabilities of another class count", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                                      np.full((3, C + 1), 0.2, dt))),
        _bad("targets outside [0, 1]", lambda rng, dt: (_logits(rng, dt, (3, C), 1.0),
                                                        rng.standard_normal((3, C)).astype(dt) * 3.0)),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(_logits(rng, dt, (3, C), 1.0)),
                                                    _softmax(rng.standard_normal((3, C)), 1).astype(dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
    )


def _bce_bad(weighted: bool = False) -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("input > 1", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], 1.5), _bce(rng, dt, shape)[1])),
        _bad("input < 0", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], -0.1), _bce(rng, dt, shape)[1])),
        _bad("nan input", lambda rng, dt: (_planted(_bce(rng, dt, shape)[0], np.nan), _bce(rng, dt, shape)[1])),
        _bad("target > 1", lambda rng, dt: (_bce(rng, dt, shape)[0], _planted(_bce(rng, dt, shape)[1], 2.0))),
        _bad("nan target", lambda rng, dt: (_bce(rng, dt, shape)[0], _planted(_bce(rng, dt, shape)[1], np.nan))),
        _bad("target of another shape", lambda rng, dt: (_bce(rng, dt, (3, 1))[0], _bce(rng, dt, shape)[1])),
        _bad("target of the other float dtype", lambda rng, dt: (
            _bce(rng, dt, shape)[0], _bce(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (_bce(rng, dt, shape)[0], rng.integers(0, 2, shape))),
        _bad("exact 0 and 1 inputs", lambda rng, dt: _bce_kinks(rng, dt, shape)),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.3, dt), np.asarray(1.0, dt))),
    ) + ((_bad("input without the weight's last dim", lambda rng, dt: _bce(rng, dt, (3, C + 1))),)
         if weighted else ())


def _bce_logits_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("target of another shape", lambda rng, dt: (_logits(rng, dt, (3, 1), 1.0), np.ones(shape, dt))),
        _bad("int64 target", lambda rng, dt: (_logits(rng, dt, shape, 1.0), rng.integers(0, 2, shape))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), np.ones(shape, dt))),
        _bad("target of the other float dtype (output takes the target's)", lambda rng, dt: (
            _logits(rng, dt, shape, 1.0), rng.uniform(0, 1, shape).astype(_other(dt)))),
        _bad("targets outside [0, 1]", lambda rng, dt: (_logits(rng, dt, shape, 1.0),
                                                        rng.uniform(-2, 3, shape).astype(dt))),
        _bad("logits +-1e4", lambda rng, dt: (np.array([[1e4, -1e4, 1e4, -1e4]] * 2, dt),
                                              np.array([[1.0, 0.0, 0.0, 1.0], [0.3, 0.7, 1.0, 0.0]], dt))),
        _bad("nan and inf logits", lambda rng, dt: (_nan_inf(_logits(rng, dt, shape, 1.0)),
                                                    rng.uniform(0, 1, shape).astype(dt))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
    )


def _kl_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("broadcast target (C,)", lambda rng, dt: (_kl()(rng, dt, shape)[0], _kl()(rng, dt, (C,))[1])),
        _bad("broadcast input (3,1)", lambda rng, dt: (_kl()(rng, dt, (3, 1))[0], _kl()(rng, dt, shape)[1])),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros(shape, dt), np.zeros((3, C + 1), dt))),
        _bad("target of the other float dtype", lambda rng, dt: (
            _kl()(rng, dt, shape)[0], _kl()(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 target", lambda rng, dt: (_kl()(rng, dt, shape)[0], rng.integers(0, 2, shape))),
        _bad("negative target (xlogy: NaN)", lambda rng, dt: (_kl()(rng, dt, shape)[0],
                                                              _planted(_kl()(rng, dt, shape)[1], -0.2))),
        _bad("-inf input at zero target (0 * inf: NaN)", lambda rng, dt: (
            np.array([-np.inf, -1.0, -np.inf], dt), np.array([0.0, 0.0, 0.5], dt))),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(_kl()(rng, dt, shape)[0]), _kl()(rng, dt, shape)[1])),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
        _bad("0-d", lambda rng, dt: (np.asarray(-1.0, dt), np.asarray(0.3, dt))),
    )


def _hinge_bad() -> tuple[BadInput, ...]:
    shape = (3, C)
    return (
        _bad("broadcast target (C,)", lambda rng, dt: (_hinge()(rng, dt, shape)[0], _hinge()(rng, dt, (C,))[1])),
        _bad("incompatible shapes", lambda rng, dt: (np.zeros(shape, dt), np.ones((3, C + 1), dt))),
        _bad("target of the other float dtype (output keeps the input's)", lambda rng, dt: (
            _hinge()(rng, dt, shape)[0], _hinge()(rng, dt, shape)[1].astype(_other(dt)))),
        _bad("int64 +-1 target", lambda rng, dt: (_hinge()(rng, dt, shape)[0],
                                                  _hinge()(rng, dt, shape)[1].astype(np.int64))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-2, 3, shape), _hinge()(rng, dt, shape)[1])),
        _bad("nan and inf inputs", lambda rng, dt: (_nan_inf(_hinge()(rng, dt, (3, 5))[0]),
                                                    np.resize(np.array([1.0, -1.0, 0.0], dt), (3, 5)))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, C), dt), np.zeros((0, C), dt))),
    )


def _margin_bad(weighted: bool = False) -> tuple[BadInput, ...]:
    shape = (5, C)

    def x(rng, dt):
        return _margin()(rng, dt, shape)[0]

    out = [
        _bad("class == C", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, 5), C))),
        _bad("class -1", lambda rng, dt: (x(rng, dt), _planted(rng.integers(0, C, 5), -1))),
        _bad("int32 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 5).astype(np.int32))),
        _bad("uint8 target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 5).astype(np.uint8))),
        _bad("target of another length", lambda rng, dt: (x(rng, dt), rng.integers(0, C, 4))),
        _bad("2-d target", lambda rng, dt: (x(rng, dt), rng.integers(0, C, (5, 1)))),
        _bad("3-d input", lambda rng, dt: (rng.standard_normal((2, 3, C)).astype(dt), np.zeros((2, 3), np.int64))),
        _bad("no classes", lambda rng, dt: (np.zeros((3, 0), dt), np.zeros(3, np.int64))),
        _bad("int64 input", lambda rng, dt: (rng.integers(-3, 3, shape), rng.integers(0, C, 5))),
        # z = margin - x[y] + x[i] is NaN there and torch's `z > 0` test drops the term: loss and gradient 0
        _bad("nan input", lambda rng, dt: (_planted(x(rng, dt), np.nan, 1), rng.integers(0, C, 5))),
        _bad("unbatched (C,) with a (1,) target", lambda rng, dt: (x(rng, dt)[0], np.array([2]))),
        _bad("0-d input", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(0))),
    ]
    if weighted:
        out.append(_bad("input of the other float dtype than the weight", lambda rng, dt: (
            x(rng, _other(dt)), rng.integers(0, C, 5))))
    return tuple(out)


def _reduction_bad(make) -> tuple[BadArgs, ...]:
    """torch validates the reduction string only when the loss is called."""
    return (BadArgs("reduction='foo' (at call)", lambda lib: make(lib, "foo")),
            BadArgs("reduction='batchmean' outside KLDivLoss", lambda lib: make(lib, "batchmean")))


def _reg_call(name, **kw):
    return lambda lib, red: _call(getattr(lib, name)(reduction=red, **kw), _x((3, 4)), _x((3, 4)) * 0.5)


def _ce_call(lib, red):
    return _call(lib.CrossEntropyLoss(reduction=red), _x((3, C)), np.array([0, 1, 2]))


def _w(lib, *shape) -> np.ndarray:
    return lib.rng.uniform(0.5, 2.0, shape).astype(lib.dtype)


_BAD_WEIGHT_CE = (
    BadArgs("weight of length C + 1", lambda lib: _call(lib.CrossEntropyLoss(weight=_weight(lib, C + 1)),
                                                        _x((3, C)), np.array([0, 1, 2]))),
    BadArgs("weight of shape (1, C)", lambda lib: _call(lib.CrossEntropyLoss(weight=_w(lib, 1, C)),
                                                        _x((3, C)), np.array([0, 1, 2]))),
    BadArgs("weight of length C + 1, probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(weight=_weight(lib, C + 1)), _x((3, C)), np.full((3, C), 1.0 / C))),
    BadArgs("label_smoothing=1.5", lambda lib: _call(lib.CrossEntropyLoss(label_smoothing=1.5), _x((3, C)),
                                                     np.array([0, 1, 2]))),
    BadArgs("label_smoothing=1.5, probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(label_smoothing=1.5), _x((3, C)), np.full((3, C), 1.0 / C))),
    BadArgs("ignore_index >= 0 with probability targets", lambda lib: _call(
        lib.CrossEntropyLoss(ignore_index=0), _x((3, C)), np.full((3, C), 1.0 / C))),
) + _reduction_bad(_ce_call)

_BAD_WEIGHT_NLL = (
    BadArgs("weight of length C + 1", lambda lib: _call(lib.NLLLoss(weight=_weight(lib, C + 1)), _x((3, C)),
                                                        np.array([0, 1, 2]))),
) + _reduction_bad(lambda lib, red: _call(lib.NLLLoss(reduction=red), _x((3, C)), np.array([0, 1, 2])))

_BCE_XY = (np.full((3, C), 0.25), np.full((3, C), 0.5))
_BAD_BCE = (
    BadArgs("weight not broadcastable", lambda lib: _call(lib.BCELoss(weight=_weight(lib, C + 1)), *_BCE_XY)),
    BadArgs("weight larger than the input", lambda lib: _call(lib.BCELoss(weight=_w(lib, 2, 3, C)), *_BCE_XY)),
) + _reduction_bad(lambda lib, red: _call(lib.BCELoss(reduction=red), *_BCE_XY))

_BAD_BCE_LOGITS = (
    BadArgs("pos_weight not broadcastable", lambda lib: _call(lib.BCEWithLogitsLoss(pos_weight=_weight(lib, C + 1)),
                                                              _x((3, C)), _BCE_XY[1])),
    BadArgs("weight larger than the input", lambda lib: _call(lib.BCEWithLogitsLoss(weight=_w(lib, 2, 3, C)),
                                                              _x((3, C)), _BCE_XY[1])),
) + _reduction_bad(lambda lib, red: _call(lib.BCEWithLogitsLoss(reduction=red), _x((3, C)), _BCE_XY[1]))

_MM_XY = (_x((3, C)), np.array([0, 1, 2]))
_BAD_MARGIN = (
    BadArgs("p=3", lambda lib: _call(lib.MultiMarginLoss(p=3), *_MM_XY)),
    BadArgs("p=0", lambda lib: _call(lib.MultiMarginLoss(p=0), *_MM_XY)),
    BadArgs("weight of length C + 1", lambda lib: _call(lib.MultiMarginLoss(weight=_weight(lib, C + 1)), *_MM_XY)),
    BadArgs("2-d weight", lambda lib: _call(lib.MultiMarginLoss(weight=_w(lib, 1, C)), *_MM_XY)),
) + _reduction_bad(lambda lib, red: _call(lib.MultiMarginLoss(reduction=red), *_MM_XY))


def _reg(name, make, kinks=(), kink_points=None, red_call=None, extra_bad_args=(), **kw) -> Case:
    """A regression loss entry: x = y + d with d away from the kinks; planted kinks compared with torch."""
    return Case(name, make, _regression(kinks), (5, 4), shapes=shapes(1, 4), loss=True,
                kinks=_regression_kinks(kink_points or kinks) if (kink_points or kinks) else None,
                bad_args=(_reduction_bad(red_call) if red_call else ()) + extra_bad_args, **kw)


def _cls(name, make, sample, shape=(6, C), shp=BATCH_C, **kw) -> Case:
    return Case(name, make, sample, shape, shapes=shp, loss=True, **kw)


_KL_SHAPES = shapes(1, 3)
_CE_ANY = st.one_of(ANY_C, st.tuples(_N, st.integers(1, 5), _S, _S), st.tuples(st.integers(1, 6)))
_MM_ANY = st.one_of(ANY_C, st.tuples(st.integers(1, 6)))

CASES: list[Case] = [
    # -- MSELoss ----------------------------------------------------------------------------------------------
    _reg("mse", lambda lib: lib.MSELoss(), bad_inputs=_regression_bad(), red_call=_reg_call("MSELoss")),
    _reg("mse_sum", lambda lib: lib.MSELoss(reduction="sum")),
    _reg("mse_none", lambda lib: lib.MSELoss(reduction="none")),
    Case("mse_broadcast_target", lambda lib: lib.MSELoss(), _regression((), target_shape=lambda s: s[-1:]), (5, 4),
         shapes=shapes(1, 4), loss=True),  # warns and broadcasts; the gradient is summed back to the input
    _reg("mse_legacy_size_average_false", lambda lib: lib.MSELoss(size_average=False)),  # = 'sum', with a warning
    # -- L1Loss: kink at x == y (gradient sign(0) = 0) ---------------------------------------------------------
    _reg("l1", lambda lib: lib.L1Loss(), (0.0,), bad_inputs=_regression_bad(), red_call=_reg_call("L1Loss")),
    _reg("l1_sum", lambda lib: lib.L1Loss(reduction="sum"), (0.0,)),
    _reg("l1_none", lambda lib: lib.L1Loss(reduction="none"), (0.0,)),
    # -- HuberLoss: kinks of the second derivative at |d| == delta; d == 0 planted too ---------------------------
    _reg("huber", lambda lib: lib.HuberLoss(), (-1.0, 1.0), (0.0, -1.0, 1.0), _reg_call("HuberLoss"),
         extra_bad_args=(BadArgs("delta=0", lambda lib: _call(lib.HuberLoss(delta=0.0), _x(3), _x(3))),
                         BadArgs("delta=-1", lambda lib: _call(lib.HuberLoss(delta=-1.0), _x(3), _x(3)))),
         bad_inputs=_regression_bad(huber=True, all_int=False)),
    _reg("huber_delta", lambda lib: lib.HuberLoss(reduction="sum", delta=0.5), (-0.5, 0.5), (0.0, -0.5, 0.5)),
    _reg("huber_none", lambda lib: lib.HuberLoss(reduction="none", delta=2.0), (-2.0, 2.0), (0.0, -2.0, 2.0)),
    # -- SmoothL1Loss: |d| == beta; beta = 0 is L1 (kink at 0) ---------------------------------------------------
    _reg("smooth_l1", lambda lib: lib.SmoothL1Loss(), (-1.0, 1.0), (0.0, -1.0, 1.0), _reg_call("SmoothL1Loss"),
         extra_bad_args=(BadArgs("beta=-1", lambda lib: _call(lib.SmoothL1Loss(beta=-1.0), _x(3), _x(3))),),
         bad_inputs=_regression_bad()),
    _reg("smooth_l1_beta", lambda lib: lib.SmoothL1Loss(reduction="none", beta=0.5), (-0.5, 0.5), (0.0, -0.5, 0.5)),
    _reg("smooth_l1_beta0", lambda lib: lib.SmoothL1Loss(reduction="sum", beta=0.0), (0.0,),
         bad_inputs=_regression_bad(all_int=False)),
    # -- KLDivLoss ('mean' warns: divides by numel) -------------------------------------------------------------
    Case("kl_div", lambda lib: lib.KLDivLoss(), _kl(), (5, C), shapes=_KL_SHAPES, loss=True,
         bad_inputs=_kl_bad(), bad_args=(BadArgs("reduction='foo' (at call)", lambda lib: _call(
             lib.KLDivLoss(reduction="foo"), _x((3, C)), np.full((3, C), 0.25))),)),
    Case("kl_div_batchmean", lambda lib: lib.KLDivLoss(reduction="batchmean"), _kl(), (5, C), shapes=_KL_SHAPES,
         loss=True, bad_inputs=_kl_bad()),
    Case("kl_div_sum", lambda lib: lib.KLDivLoss(reduction="sum"), _kl(), (5, C), shapes=_KL_SHAPES, loss=True),
    Case("kl_div_none", lambda lib: lib.KLDivLoss(reduction="none"), _kl(), (5, C), shapes=_KL_SHAPES, loss=True),
    Case("kl_div_log_target", lambda lib: lib.KLDivLoss(reduction="batchmean", log_target=True), _kl(True), (5, C),
         shapes=_KL_SHAPES, loss=True),
    Case("kl_div_log_target_none", lambda lib: lib.KLDivLoss(reduction="none", log_target=True), _kl(True),
         (5, C), shapes=_KL_SHAPES, loss=True),
    # -- HingeEmbeddingLoss: kink where margin - x == 0 (clamp passes the gradient there) ------------------------
    Case("hinge_embedding", lambda lib: lib.HingeEmbeddingLoss(), _hinge(), (5, 4), shapes=shapes(1, 4),
         loss=True, kinks=_hinge_kinks(1.0), bad_inputs=_hinge_bad(), bad_args=_reduction_bad(
             lambda lib, red: _call(lib.HingeEmbeddingLoss(reduction=red), _x((3, 4)), np.ones((3, 4))))),
    Case("hinge_embedding_margin_sum", lambda lib: lib.HingeEmbeddingLoss(margin=0.5, reduction="sum"),
         _hinge(0.5), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_hinge_kinks(0.5)),
    Case("hinge_embedding_none", lambda lib: lib.HingeEmbeddingLoss(margin=-0.25, reduction="none"),
         _hinge(-0.25), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_hinge_kinks(-0.25)),
    Case("hinge_embedding_other_targets", lambda lib: lib.HingeEmbeddingLoss(reduction="none"),
         _hinge(1.0, (-1.0, 0.0, 1.0, 2.0)), (5, 4), shapes=shapes(1, 4), loss=True,
         kinks=_hinge_kinks(1.0, (-1.0, 0.0, 1.0, 2.0))),
    # -- CrossEntropyLoss: class indices ---------------------------------------------------------------------------
    _cls("cross_entropy", lambda lib: lib.CrossEntropyLoss(), _classes(-100), shp=_CE_ANY,
         bad_inputs=_index_bad(), bad_args=_BAD_WEIGHT_CE),
    _cls("cross_entropy_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum"), _classes(-100), shp=_CE_ANY),
    _cls("cross_entropy_none", lambda lib: lib.CrossEntropyLoss(reduction="none"), _classes(-100), shp=_CE_ANY),
    _cls("cross_entropy_weight", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _classes(),
         bad_inputs=_index_bad(weighted=True)),
    _cls("cross_entropy_ignore_index_in_range", lambda lib: lib.CrossEntropyLoss(ignore_index=2, reduction="sum"),
         _classes()),
    _cls("cross_entropy_weight_ignore_smooth", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), ignore_index=-100, label_smoothing=0.2), _classes(-100)),
    _cls("cross_entropy_weight_ignore_smooth_sum", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="sum", label_smoothing=0.3), _classes(-100)),
    _cls("cross_entropy_smooth_none", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="none", label_smoothing=0.3), _classes(-100)),
    _cls("cross_entropy_smooth_full", lambda lib: lib.CrossEntropyLoss(label_smoothing=1.0), _classes(-100),
         shp=_CE_ANY),
    _cls("cross_entropy_2d", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib), label_smoothing=0.1),
         _classes(-100), (2, C, 3, 2), SPATIAL, bad_inputs=_index_bad(weighted=True, spatial=True)),
    _cls("cross_entropy_2d_none", lambda lib: lib.CrossEntropyLoss(reduction="none"), _classes(-100),
         (2, C, 3, 2), SPATIAL),
    _cls("cross_entropy_3d_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum", weight=_weight(lib)),
         _classes(-100), (2, C, 2, 2, 2), st.tuples(_N, st.just(C), _S, _S, _S)),
    _cls("cross_entropy_unbatched", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _classes(), (C,),
         UNBATCHED),
    _cls("cross_entropy_unbatched_none", lambda lib: lib.CrossEntropyLoss(reduction="none", label_smoothing=0.2),
         _classes(), (C,), UNBATCHED),
    # -- CrossEntropyLoss: probability targets --------------------------------------------------------------------
    _cls("cross_entropy_probs", lambda lib: lib.CrossEntropyLoss(), _probs, shp=_CE_ANY, bad_inputs=_probs_bad()),
    _cls("cross_entropy_probs_smooth", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib), label_smoothing=0.25),
         _probs),
    _cls("cross_entropy_probs_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum"), _probs, shp=_CE_ANY),
    _cls("cross_entropy_probs_none", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="none", label_smoothing=0.1), _probs),
    _cls("cross_entropy_probs_2d", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _probs, (2, C, 3, 2),
         SPATIAL),
    _cls("cross_entropy_probs_unbatched", lambda lib: lib.CrossEntropyLoss(reduction="none"), _probs, (C,),
         UNBATCHED),
    # -- NLLLoss (input: log-probabilities) ------------------------------------------------------------------------
    _cls("nll", lambda lib: lib.NLLLoss(), _classes(-100, log_probs=True), shp=_CE_ANY,
         bad_inputs=_index_bad(log_probs=True), bad_args=_BAD_WEIGHT_NLL),
    _cls("nll_sum", lambda lib: lib.NLLLoss(reduction="sum"), _classes(-100, log_probs=True), shp=_CE_ANY),
    _cls("nll_none", lambda lib: lib.NLLLoss(reduction="none"), _classes(-100, log_probs=True), shp=_CE_ANY),
    _cls("nll_weight_ignore", lambda lib: lib.NLLLoss(weight=_weight(lib), ignore_index=1),
         _classes(log_probs=True), bad_inputs=_index_bad(log_probs=True, weighted=True)),
    _cls("nll_2d", lambda lib: lib.NLLLoss(weight=_weight(lib), reduction="none"), _classes(-100, log_probs=True),
         (2, C, 3, 2), SPATIAL, bad_inputs=_index_bad(log_probs=True, weighted=True, spatial=True)),
    _cls("nll_unbatched", lambda lib: lib.NLLLoss(reduction="sum"), _classes(log_probs=True), (C,), UNBATCHED),
    _cls("nll_uint8_target", lambda lib: lib.NLLLoss(weight=_weight(lib)),
         _classes(log_probs=True, tdtype=np.uint8)),
    # -- BCELoss (input probabilities; kinks: x exactly 0 or 1) -----------------------------------------------------
    _cls("bce", lambda lib: lib.BCELoss(), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks, bad_inputs=_bce_bad(),
         bad_args=_BAD_BCE),
    _cls("bce_sum", lambda lib: lib.BCELoss(reduction="sum"), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks),
    _cls("bce_none", lambda lib: lib.BCELoss(reduction="none"), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks),
    _cls("bce_weight", lambda lib: lib.BCELoss(weight=_weight(lib)), _bce, (5, C), shapes(1, 3, fixed_last=C),
         kinks=_bce_kinks, bad_inputs=_bce_bad(weighted=True)),
    _cls("bce_weight_column_none", lambda lib: lib.BCELoss(weight=_w(lib, 5, 1), reduction="none"), _bce, (5, C),
         st.tuples(st.just(5), _N), kinks=_bce_kinks),
    # -- BCEWithLogitsLoss (stable at +-1e4 logits) ------------------------------------------------------------------
    _cls("bce_logits", lambda lib: lib.BCEWithLogitsLoss(), _bce_logits, (5, C), shapes(1, 4),
         bad_inputs=_bce_logits_bad(), bad_args=_BAD_BCE_LOGITS),
    _cls("bce_logits_sum", lambda lib: lib.BCEWithLogitsLoss(reduction="sum"), _bce_logits, (5, C), shapes(1, 4)),
    _cls("bce_logits_none", lambda lib: lib.BCEWithLogitsLoss(reduction="none"), _bce_logits, (5, C),
         shapes(1, 4)),
    _cls("bce_logits_pos_weight", lambda lib: lib.BCEWithLogitsLoss(pos_weight=_weight(lib)), _bce_logits,
         (5, C), shapes(1, 3, fixed_last=C), bad_inputs=_bce_logits_bad()),
    _cls("bce_logits_weight_pos_weight_none", lambda lib: lib.BCEWithLogitsLoss(
        weight=_w(lib, 5, 1), pos_weight=_weight(lib), reduction="none"), _bce_logits, (5, C),
        st.tuples(st.just(5), st.just(C))),
    # -- MultiMarginLoss (kinks: margin - x[y] + x[i] == 0; divides by C) ------------------------------------------
    _cls("multi_margin", lambda lib: lib.MultiMarginLoss(), _margin(), (6, C), _MM_ANY, kinks=_margin_kinks(1.0),
         bad_inputs=_margin_bad(), bad_args=_BAD_MARGIN),
    _cls("multi_margin_sum", lambda lib: lib.MultiMarginLoss(reduction="sum", margin=0.5), _margin(0.5), (6, C),
         _MM_ANY, kinks=_margin_kinks(0.5)),
    _cls("multi_margin_none", lambda lib: lib.MultiMarginLoss(reduction="none"), _margin(), (6, C), _MM_ANY,
         kinks=_margin_kinks(1.0), bad_inputs=(_bad("empty batch", lambda rng, dt: (
             np.zeros((0, C), dt), np.zeros(0, np.int64))),)),  # 'mean'/'sum' of an empty batch: torch is garbage
    _cls("multi_margin_p2_weight", lambda lib: lib.MultiMarginLoss(p=2, margin=0.75, weight=_weight(lib)),
         _margin(0.75), (6, C), kinks=_margin_kinks(0.75), bad_inputs=_margin_bad(weighted=True)),
    _cls("multi_margin_p2_none", lambda lib: lib.MultiMarginLoss(p=2, reduction="none"), _margin(), (6, C),
         _MM_ANY, kinks=_margin_kinks(1.0)),
    _cls("multi_margin_unbatched", lambda lib: lib.MultiMarginLoss(weight=_weight(lib), reduction="none"),
         _margin(), (C,), UNBATCHED, kinks=_margin_kinks(1.0)),
]
