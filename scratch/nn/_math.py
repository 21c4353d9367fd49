"""Numerically stable elementwise helpers shared by activations and losses (NumPy only).

numpy has no erf; GELU needs one accurate to float64 rounding, so :func:`erfc` evaluates W. J. Cody's rational
Chebyshev approximations (Math. Comp. 23 (1969) 631-637, the SPECFUN CALERF constants), each branch on the whole
array with a clipped argument (no Python loop over elements):
- |u| <= 0.46875: erf(u) = u P4(u^2) / Q4(u^2), erfc = 1 - erf;
- 0.46875 < |u| <= 4: erfc(|u|) = exp(-u^2) P8(|u|) / Q8(|u|);
- |u| > 4: erfc(|u|) = exp(-u^2) / |u| (1/sqrt(pi) + u^-2 P5(u^-2) / Q5(u^-2));
- exp(-u^2) as exp(-t^2) exp(-(|u| - t)(|u| + t)) with t = |u| rounded down to 1/16 (t^2 exact: no error
  from squaring a large |u|); u < 0: erfc(u) = 2 - erfc(-u).
Worst relative error against math.erfc: 9.4e-16 on [-6, 26] (tests/test_activations.py pins 2e-15).
"""

from __future__ import annotations

import numpy as np

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_RSQRTPI = 0.5641895835477562869
_THRESH, _FOUR = 0.46875, 4.0


def _rational(x: np.ndarray, num: tuple, den: tuple, n: int) -> np.ndarray:
    """CALERF's Horner scheme: (num[n+1] x^(n+1) + num[0] x^n + ... + num[n]) / (x^(n+1) + den[0] x^n + ... +
    den[n]) (``x`` times that in the first interval; the caller multiplies)."""
    xnum, xden = num[n + 1] * x, x
    for i in range(n):
        xnum = (xnum + num[i]) * x
        xden = (xden + den[i]) * x
    return (xnum + num[n]) / (xden + den[n])


def erfc(u: np.ndarray) -> np.ndarray:
    """Complementary error function, vectorized (Cody's approximations: the module docstring)."""
    u = np.asarray(u)
    dt = u.dtype if u.dtype.kind == "f" else np.dtype(np.float64)
    x = u.astype(np.float64)
    a = np.abs(x)
    small = np.minimum(a, _THRESH)
    z = small * small
    erf_small = np.where(x < 0, -small, small) * _rational(z, _A, _B, 3)  # |u| <= 0.46875: odd in u
    tail = _rational(np.clip(a, _THRESH, _FOUR), _C, _D, 7)
    if (a > _FOUR).any():  # GELU's inputs rarely reach here: skip the third branch when nothing needs it
        big = np.maximum(a, _FOUR)
        inv2 = 1.0 / (big * big)
        tail = np.where(a <= _FOUR, tail, (_RSQRTPI - inv2 * _rational(inv2, _P, _Q, 4)) / big)
    t = np.trunc(a * 16.0) / 16.0
    with np.errstate(over="ignore", invalid="ignore"):
        tail = tail * (np.exp(-t * t) * np.exp(-(a - t) * (a + t)))
    tail = np.where(np.isinf(a), 0.0, tail)  # (|u| - t) is inf - inf there
    tail = np.where(x < 0, 2.0 - tail, tail)
    out = np.where(a <= _THRESH, 1.0 - erf_small, tail)
    return out.astype(dt, copy=False)


def erf(u: np.ndarray) -> np.ndarray:
    """Error function from the same approximations: u P4(u^2) / Q4(u^2) for |u| <= 0.46875, else
    sign(u) (1 - erfc(|u|)). GELU uses it in torch's form 0.5 (1 + erf(x / sqrt 2)), so that for x < 0 the
    cancellation in 1 + erf rounds as torch's does (erfc(-x / sqrt 2) would be more accurate there, and
    different from torch by up to ~1e-16 absolute, which L-BFGS on a GELU network amplifies to 4e-12)."""
    x = np.asarray(u, np.float64)
    a = np.abs(x)
    small = np.minimum(a, _THRESH)
    inner = np.where(x < 0, -small, small) * _rational(small * small, _A, _B, 3)
    outer = 1.0 - erfc(a)
    return np.where(a <= _THRESH, inner, np.where(x < 0, -outer, outer))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow: exp is only ever taken of a non-positive number."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), finite for every finite x."""
    return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), finite for every finite x."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _safe_max(x: np.ndarray, axis: int) -> np.ndarray:
    """Row max for shifting; empty input has no max (and needs no shift)."""
    if x.size == 0:
        return np.zeros((), x.dtype)
    # No guard for infinite maxima: torch computes x - max as is, so a row holding +inf (or only -inf) is NaN.
    return np.max(x, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """x - logsumexp(x): the max is subtracted first so +-1e4 logits stay finite."""
    m = _safe_max(x, axis)
    shifted = x - m
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    m = _safe_max(x, axis)
    e = np.exp(x - m)
    return e / np.sum(e, axis=axis, keepdims=True)


def normalize_dim(dim: int, ndim: int) -> int:
    """torch's dim wrapping: [-ndim, ndim-1] (a 0-d tensor accepts -1 and 0); IndexError otherwise."""
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return dim % max(ndim, 1)
