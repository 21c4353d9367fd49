"""Samplers, kink samplers, bad inputs and user distances for the triplet losses (anchor, positive, negative) and
PairwiseDistance (x1, x2)."""

from __future__ import annotations

import math

import numpy as np

from tests.cases._loss_bad_inputs import _bad, _nan_inf, _planted
from tests.cases._loss_samplers import _M, _call, _x
from tests.catalog import BadArgs, BadInput


def _norm(v: np.ndarray, p: float) -> np.ndarray:
    """||v||_p over the last dim (the sampler's own, independent of scratch's)."""
    a = np.abs(v)
    if p == math.inf:
        return a.max(-1)
    return np.count_nonzero(v, -1) if p == 0 else np.sum(a ** p, -1) ** (1 / p)


def _dist(x1, x2, p, eps):
    return _norm(x1 - x2 + eps, p)


def _triplet(margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, dist=None):
    """Anchors, positives, negatives N(0, 1) * scale, (N, D) or (D,), with every hinge u = margin + d(a, p) -
    d(a, n) at least _M from 0, d(a, n) and d(p, n) at least _M apart under swap, and every |x1 - x2 + eps| entry
    at least _M from 0 for p <= 1 (rows redrawn until so, at scale 1; a loop over attempts)."""
    dist = dist or (lambda x1, x2: _dist(x1, x2, p, eps))

    def bad_rows(a, q, n):
        dn, ds = dist(a, n), dist(q, n)
        u = margin + dist(a, q) - (np.minimum(dn, ds) if swap else dn)
        bad = np.abs(u) < _M
        if swap:
            bad |= np.abs(dn - ds) < _M
        if p <= 1:
            for x1, x2 in ((a, q), (a, n), (q, n)):
                bad |= (np.abs(x1 - x2 + eps) < _M).any(-1)
        return bad

    def sample(rng, dtype, shape, scale=1.0):
        a, q, n = (rng.standard_normal(shape) for _ in range(3))
        for _ in range(50):
            bad = bad_rows(a, q, n)[..., None]
            if not bad.any():
                break
            a, q, n = (np.where(bad, rng.standard_normal(shape), x) for x in (a, q, n))
        return tuple((x * scale).astype(dtype) for x in (a, q, n))

    return sample


def _triplet_kinks(margin: float = 1.0, plant_hinge: bool = False):
    """Dyadic triplets with about a third of the positives equal to their anchor (d(a, n) == d(p, n) exactly: the
    swap's tie, half the gradient each way) and some entries of a - p exactly 0; with ``plant_hinge`` (p = 1,
    eps = 0 cases) about a third of the rows have u == 0 exactly: n = a + (margin + ||a - p||_1) e_0."""

    def sample(rng, dtype, shape, scale=1.0):
        a, q, n = (rng.integers(-8, 9, shape) / 4.0 for _ in range(3))
        rows = shape[:-1] + (1,)
        q = np.where(rng.random(rows) < 0.35, a, np.where(rng.random(shape) < 0.2, a, q))
        if plant_hinge:
            hinge = np.zeros(shape)
            hinge[..., 0] = margin + np.abs(a - q).sum(-1)
            n = np.where(rng.random(rows) < 0.35, a + hinge, n)
        return tuple(x.astype(dtype) for x in (a, q, n))

    return sample


def _triplet_bad() -> tuple[BadInput, ...]:
    def apn(rng, dt, shape=(3, 4)):
        return _triplet()(rng, dt, shape)

    return (
        _bad("positive of another rank", lambda rng, dt: (apn(rng, dt)[0], apn(rng, dt)[1][0], apn(rng, dt)[2])),
        _bad("positive of one row broadcast", lambda rng, dt: (apn(rng, dt)[0], apn(rng, dt)[1][:1],
                                                               apn(rng, dt)[2])),
        _bad("feature sizes differ", lambda rng, dt: (apn(rng, dt)[0], apn(rng, dt, (3, 5))[1], apn(rng, dt)[2])),
        # float64 anchor and positive with a float32 negative: every distance runs in float64 in torch; a float32
        # pair's distance is float32-accurate inside a float64 loss (test_losses.py compares it at float32's tolerance)
        _bad("float32 negative with float64 anchor and positive", lambda rng, dt: (
            *apn(rng, np.float64)[:2], apn(rng, dt)[2].astype(np.float32))),
        _bad("int64 inputs (float32 loss)", lambda rng, dt: tuple(rng.integers(-3, 4, (3, 4)) for _ in range(3))),
        _bad("anchor == positive (d = ||eps||)", lambda rng, dt: (apn(rng, dt)[0], apn(rng, dt)[0],
                                                                  apn(rng, dt)[2])),
        _bad("nan and inf (inf - inf too)", lambda rng, dt: (_nan_inf(apn(rng, dt)[0]),
                                                             _planted(apn(rng, dt)[1], np.inf, 5), apn(rng, dt)[2])),
        # an integer array among float ones: no gradient for it (one or two gradients come back, as torch's)
        _bad("int64 negative", lambda rng, dt: (*apn(rng, dt)[:2], rng.integers(-3, 4, (3, 4)))),
        _bad("int64 positive and negative", lambda rng, dt: (apn(rng, dt)[0], *(rng.integers(-3, 4, (3, 4))
                                                                              for _ in range(2)))),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 4), dt),) * 3),
        _bad("no features", lambda rng, dt: (np.zeros((3, 0), dt),) * 3),
        _bad("0-d", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(0.2, dt), np.asarray(-1.0, dt))),
    )


def _triplet_bad_args(name: str) -> tuple[BadArgs, ...]:
    apn = (_x((3, 4)), _x((3, 4)) * 0.5, -_x((3, 4)))
    return (
        BadArgs("margin=0", lambda lib: getattr(lib, name)(margin=0.0)),
        BadArgs("margin=-1", lambda lib: getattr(lib, name)(margin=-1.0)),
        BadArgs("margin set to 0 after construction (at call)", lambda lib: _call(_with_margin(
            getattr(lib, name)(), 0.0), *apn)),
        BadArgs("reduction='foo' (at call)", lambda lib: _call(getattr(lib, name)(reduction="foo"), *apn)),
    )


def _with_margin(loss, margin):
    """A loss whose margin was changed after construction (torch's functional checks it at call)."""
    (loss.torch_module if hasattr(loss, "torch_module") else loss).margin = margin
    return loss


# -- a user distance for TripletMarginWithDistanceLoss: the squared Euclidean distance --------------------------
def squared_distance(lib):
    """torch's side: a plain function of tensors; scratch's: the pair (fn, grad) its protocol asks for."""
    fn = lambda x1, x2: ((x1 - x2) ** 2).sum(-1)  # noqa: E731 - the same expression on tensors and arrays
    if lib.namespace.__name__.startswith("reference"):
        return fn
    return _same_errors_as_torch(fn), _pair_grad


def _same_errors_as_torch(fn):
    """The NumPy function raising what the same expression on tensors raises (RuntimeError for sizes that do not
    broadcast: NumPy's is a ValueError), so that a bad input is the user function's error on both sides."""

    def call(x1, x2):
        try:
            return fn(x1, x2)
        except ValueError as e:
            raise RuntimeError(str(e)) from None

    return call


def _pair_grad(x1, x2, g):
    with np.errstate(invalid="ignore"):  # an infinite difference with a zero cotangent: NaN, as torch's graph
        return 2.0 * (x1 - x2) * g[..., None], -2.0 * (x1 - x2) * g[..., None]


# -- PairwiseDistance (x1, x2) ------------------------------------------------------------------------------------
def _pairs(p: float = 2.0, eps: float = 1e-6):
    """x1, x2 N(0, 1) * scale with every |x1 - x2 + eps| entry at least _M from 0 for p <= 1 or p = inf (the
    max's ties are kinks too: entries redrawn until the max is _M clear), at scale 1."""

    def sample(rng, dtype, shape, scale=1.0):
        x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
        for _ in range(50):
            v = np.abs(x1 - x2 + eps)
            bad = (v < _M).any(-1, keepdims=True) if p <= 1 else np.zeros(v.shape[:-1] + (1,), bool)
            if p == math.inf and v.shape[-1] > 1:
                top = np.sort(v, -1)
                bad |= (top[..., -1:] - top[..., -2:-1]) < _M
            if not bad.any():
                break
            x2 = np.where(bad, rng.standard_normal(shape), x2)
        return (x1 * scale).astype(dtype), (x2 * scale).astype(dtype)

    return sample


def _pairs_bad() -> tuple[BadInput, ...]:
    def pair(rng, dt, shape=(3, 4)):
        return _pairs()(rng, dt, shape)

    return (
        _bad("nan and inf (inf - inf too)", lambda rng, dt: (_nan_inf(pair(rng, dt)[0]),
                                                             _planted(pair(rng, dt)[1], np.inf, 5))),
        _bad("no features (the inf norms: RuntimeError)", lambda rng, dt: (np.zeros((3, 0), dt),) * 2),
        _bad("empty batch", lambda rng, dt: (np.zeros((0, 4), dt),) * 2),
        _bad("one row broadcast", lambda rng, dt: (pair(rng, dt)[0], pair(rng, dt)[1][:1])),
        _bad("feature sizes differ", lambda rng, dt: (pair(rng, dt)[0], pair(rng, dt, (3, 5))[1])),
        _bad("int64 inputs (float32 distance)", lambda rng, dt: tuple(rng.integers(-3, 4, (3, 4)) for _ in range(2))),
        _bad("0-d", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-1.0, dt))),
    )


def _pair_kinks(rng, dtype, shape, scale=1.0):
    """Dyadic pairs with entries of x1 - x2 exactly 0 (p = 1: sign(0) = 0), rows x1 == x2 (norm 0: gradient 0 in
    torch) and ties of |x1 - x2| (p = inf: the gradient split among them)."""
    x1 = rng.integers(-8, 9, shape) / 4.0
    d = rng.choice(np.array([-1.0, 1.0, 0.0, 0.5]), shape)
    d = np.where(rng.random(shape[:-1] + (1,)) < 0.25, 0.0, d)
    return x1.astype(dtype), (x1 - d).astype(dtype)
