"""Catalog entries: CosineSimilarity (x1, x2; no target).

The samplers keep every norm along ``dim`` well above eps (at scale 1), where the function is smooth and finite
differences apply. The kink sampler plants what they avoid: zero vectors and vectors whose norm is below eps,
where torch's gradient is NOT the derivative of the clamped function (its clamp runs in place under no_grad, see
scratch/nn/distance.py); those are compared with torch only. The hypothesis scales 0 and 1e-4 with eps = 0.5 put
every norm under the clamp.
"""

from __future__ import annotations

import numpy as np

from tests.cases._loss_bad_inputs import _nan_inf
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import shapes


def _away_from_eps(x: np.ndarray, dim: int, low: float) -> np.ndarray:
    """Vectors along ``dim`` shorter than ``low`` stretched to length 2 * low (at scale 1)."""
    n = np.sqrt(np.sum(x * x, axis=dim, keepdims=True))
    return np.where(n < low, x * (2 * low / np.maximum(n, 1e-300)), x)


def _cos(dim: int, eps: float, broadcast: bool = False):
    """x1, x2 N(0, 1) * scale with norms along dim at least 2 eps (and 0.2); ``broadcast``: x2 has one row on
    dim 0 (broadcast against x1's, the gradient summed back)."""

    def sample(rng, dtype, shape, scale=1.0):
        x1 = _away_from_eps(rng.standard_normal(shape), dim, max(2 * eps, 0.2))
        s2 = (1,) + tuple(shape[1:]) if broadcast and len(shape) > 1 else shape
        x2 = _away_from_eps(rng.standard_normal(s2), dim, max(2 * eps, 0.2))
        return (x1 * scale).astype(dtype), (x2 * scale).astype(dtype)

    return sample


def _cos_kinks(dim: int, eps: float):
    """Dyadic vectors; along ``dim`` about a quarter of each input's vectors zero and a quarter of norm ~eps / 10."""

    def sample(rng, dtype, shape, scale=1.0):
        out = []
        for _ in range(2):
            x = rng.integers(-4, 5, shape) / 4.0
            where = rng.random(tuple(1 if i == dim % len(shape) else s for i, s in enumerate(shape)))
            tiny = eps / 10 * rng.uniform(0.5, 1.0, shape) / np.sqrt(shape[dim])
            out.append(np.where(where < 0.25, 0.0, np.where(where < 0.5, tiny, x)).astype(dtype))
        return tuple(out)

    return sample


def _pair(s1, s2, d1=None, d2=None, x1_int=False, x2_int=False):
    def sample(rng, dt):
        def one(s, d, as_int):
            return rng.integers(-3, 4, s) if as_int else rng.standard_normal(s).astype(d or dt)
        return one(s1, d1, x1_int), one(s2, d2, x2_int)

    return sample


_BAD = (
    BadInput("x2 of one row, broadcast", _pair((4, 5), (1, 5))),
    BadInput("x2 of rank 1, broadcast", _pair((4, 5), (5,))),
    BadInput("x2 (N, 1), broadcast along dim", _pair((4, 5), (4, 1))),
    BadInput("x1 of higher rank: dim of the broadcast shape", _pair((2, 4, 5), (4, 5))),
    BadInput("sizes differ", _pair((4, 5), (4, 6))),
    BadInput("int64 inputs", _pair((4, 5), (4, 5), x1_int=True, x2_int=True)),
    BadInput("int64 x2 (float result)", _pair((4, 5), (4, 5), x2_int=True)),
    BadInput("float32 x1 with float64 x2", _pair((4, 5), (4, 5), np.float32, np.float64)),
    BadInput("1-D (dim 1 out of range)", _pair((5,), (5,))),
    BadInput("0-d (dim 1 out of range)", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-2.0, dt))),
    BadInput("nan and inf", lambda rng, dt: (_nan_inf(rng.standard_normal((4, 5)).astype(dt)),
                                           rng.standard_normal((4, 5)).astype(dt))),
    BadInput("empty batch", _pair((0, 5), (0, 5))),
    BadInput("x2 of one row against an empty batch", _pair((0, 5), (1, 5))),  # x2's gradient: zeros (1, 5)
    BadInput("no features", _pair((4, 0), (4, 0))),
)
# the dim=-1 entry: its own dim makes 1-D and 0-d inputs valid
_BAD_LAST = (
    BadInput("0-d pair (dim -1)", lambda rng, dt: (np.asarray(0.5, dt), np.asarray(-2.0, dt))),
    BadInput("x2 of rank 1, broadcast", _pair((3, 4), (4,))),
    BadInput("x2 of one row against an empty batch", _pair((0, 4), (1, 4))),
    BadInput("int64 inputs", _pair((3, 4), (3, 4), x1_int=True, x2_int=True)),
    BadInput("int64 x1 (float result)", _pair((3, 4), (3, 4), x1_int=True)),
    BadInput("nan and inf", lambda rng, dt: (rng.standard_normal((3, 4)).astype(dt),
                                           _nan_inf(rng.standard_normal((3, 4)).astype(dt)))),
)

_BAD_ARGS = (
    BadArgs("eps < 0 (at call)", lambda lib: lib.CosineSimilarity(eps=-1.0)(np.ones((2, 3)), np.ones((2, 3)))),
    BadArgs("eps a str (at call)", lambda lib: lib.CosineSimilarity(eps="1e-8")(np.ones((2, 3)), np.ones((2, 3)))),
    BadArgs("dim a float (at call)", lambda lib: lib.CosineSimilarity(dim=1.0)(np.ones((2, 3)), np.ones((2, 3)))),
    BadArgs("dim a bool (at call)", lambda lib: lib.CosineSimilarity(dim=True)(np.ones((2, 3)), np.ones((2, 3)))),
    BadArgs("dim out of range (at call)", lambda lib: lib.CosineSimilarity(dim=2)(np.ones((2, 3)), np.ones((2, 3)))),
)

CASES: list[Case] = [
    Case("cosine_similarity", lambda lib: lib.CosineSimilarity(), _cos(1, 1e-8), (5, 4),
         shapes=shapes(2, 4, max_side=4), kinks=_cos_kinks(1, 1e-8), bad_inputs=_BAD, bad_args=_BAD_ARGS),
    # dim=-1 on up to 3-d inputs with x2 broadcast on dim 0; eps = 0.5 clamps every norm at the scales 0 and 1e-4
    Case("cosine_similarity_last_dim_eps_broadcast", lambda lib: lib.CosineSimilarity(dim=-1, eps=0.5),
         _cos(-1, 0.5, broadcast=True), (3, 2, 4), shapes=shapes(1, 3, max_side=4), kinks=_cos_kinks(-1, 0.5),
         bad_inputs=_BAD_LAST, bad_args=_BAD_ARGS),
]
