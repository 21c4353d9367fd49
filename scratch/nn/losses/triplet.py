"""Triplet losses (TripletMarginLoss, TripletMarginWithDistanceLoss) and the distance they use, PairwiseDistance.

``forward(anchor, positive, negative)``; ``backward(dy)`` returns ``(d_anchor, d_positive, d_negative)`` (no
target: ``_base.py`` has the protocol). The losses compare d(a, p) with d(a, n), or with min(d(a, n), d(p, n))
when ``swap``.

A user distance (TripletMarginWithDistanceLoss(distance_function=...)) needs its gradient, which scratch cannot
derive from a Python function. Give either
  * a scratch block (a Module such as ``PairwiseDistance(p=1)``) whose ``forward(x1, x2)`` returns the distances
    and whose ``backward(d_dist)`` returns ``(d_x1, d_x2)``. The loss calls it once per pair in forward and, in
    backward, runs ``forward(x1, x2)`` then ``backward(g)`` again for each pair (one cache per block), so the
    block must be deterministic; its parameter gradients accumulate over the pairs, as torch's would. It is a
    child module (``state_dict`` keys ``distance_function.*``, as torch's); or
  * a pair ``(fn, grad)``: ``fn(x1, x2) -> dist`` and ``grad(x1, x2, d_dist) -> (d_x1, d_x2)`` on numpy arrays.
A plain callable raises TypeError. The three inputs reach the distance in their promoted float dtype.
"""

from __future__ import annotations

import math

import numpy as np

from ..base import CachedModule
from ..module import Module
from ._base import (
    NOT_DIFFERENTIATED,
    _SeveralInputs,
    broadcast_shape,
    grad_as,
    nonfinite_guard,
    promoted,
    reduce_loss,
    reduction_grad,
    sum_to,
)


# -- the p-norm of a difference, with torch's gradient conventions --------------------------------------------
def _pnorm(v: np.ndarray, p: float) -> np.ndarray:
    """||v||_p over the last dim, as torch.linalg.vector_norm (p = 0 counts nonzeros; +-inf: max / min of |v|)."""
    a = np.abs(v)
    if v.shape[-1] == 0:  # torch: the norm of nothing is 0; the max or min of nothing has no value
        if p in (math.inf, -math.inf):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p} norm on the dimension {v.ndim - 1} because "
                               "this dimension is empty and the operation does not have an identity")
        return np.zeros(v.shape[:-1])
    if p == math.inf:
        return a.max(axis=-1)
    if p == -math.inf:
        return a.min(axis=-1)
    if p == 0:
        return np.count_nonzero(v, axis=-1).astype(np.float64)
    if p == 1:
        return a.sum(axis=-1)
    if p == 2:
        return np.sqrt(np.sum(v * v, axis=-1))
    with np.errstate(divide="ignore"):  # p < 0 with a zero entry: 0^p = inf, the norm 0 (as torch)
        return np.sum(a ** p, axis=-1) ** (1.0 / p)


def _pnorm_grad(v: np.ndarray, n: np.ndarray, p: float, g: np.ndarray) -> np.ndarray:
    """d ||v||_p / d v times g (torch's linalg_vector_norm_backward): 0 where the norm is 0; p = 1: sign(v) (0 at
    0, and at NaN: torch's sign(NaN) is 0); +-inf: split evenly among the entries attaining the max (min); p < 1:
    0 at v_k == 0; p = 0: 0."""
    n1, g1 = n[..., None], g[..., None]
    if p == 0:  # a count: no gradient
        return np.zeros_like(v)
    if p == 1:
        return _sign(v) * g1
    if p in (math.inf, -math.inf):
        hit = np.abs(v) == n1
        return _sign(v) * hit * (g1 / np.maximum(hit.sum(axis=-1, keepdims=True), 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 2:
            return v * np.where(n1 == 0, 0.0, g1 / n1)
        a = np.abs(v)
        if p < 1:
            return np.sign(v) * np.where(v == 0, 0.0, a ** (p - 1)) * (g1 * n1 ** (1 - p))
        return np.sign(v) * a ** (p - 1) * np.where(n1 == 0, 0.0, g1 / n1 ** (p - 1))


def _sign(v: np.ndarray) -> np.ndarray:
    """torch's sign: 0 at NaN (NumPy's is NaN)."""
    return np.where(np.isnan(v), 0.0, np.sign(v))


def _distance(x1, x2, p: float, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """(||x1 - x2 + eps||_p over the last dim, the difference) in float64: torch's pairwise_distance adds eps to
    the difference, not inside the root. 0-d inputs: the difference as a (1,) vector, the distance 0-d."""
    broadcast_shape(np.shape(x1), np.shape(x2))  # torch's RuntimeError for incompatible sizes
    v = x1.astype(np.float64) - x2.astype(np.float64) + eps
    v = v.reshape(v.shape or (1,))
    return _pnorm(v, p), v


class PairwiseDistance(CachedModule):
    """d = ||x1 - x2 + eps||_p over the last dim (torch's pairwise_distance: eps is added to the difference).

    Args: p (2.0; any float, 0 counts nonzeros, +-inf the max/min), eps (1e-6), keepdim (False). The
    attributes are torch's: ``norm``, ``eps``, ``keepdim``. repr ``PairwiseDistance()`` as torch's.
    Shape: x1 and x2 broadcast; the norm runs over the last dim of the larger rank; (N, D) -> (N,) ((N, 1) with
    keepdim). Output dtype: the promotion (all integer: float32). Evaluated in float64, float32 rounded once.
    Gradient: d/dx1 = grad of the norm at v (see _pnorm_grad; 0 where d == 0), d/dx2 = -d/dx1, summed over
    broadcast dims. p = 0: torch's graph has no gradient (zeros here). backward -> (d_x1, d_x2).
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        x1, x2 = np.asarray(x1), np.asarray(x2)
        shape = broadcast_shape(x1.shape, x2.shape)
        dt = promoted(x1.dtype, x2.dtype)
        with nonfinite_guard(x1, x2):
            d, v = _distance(x1, x2, self.norm, self.eps)
        out = np.array(d[..., None] if self.keepdim and shape else d, dt)  # a copy: d is kept for backward
        return self._save(out, v, d, ((x1.shape, x1.dtype), (x2.shape, x2.dtype)))

    def backward(self, dy: np.ndarray):
        """(d_x1, d_x2); p = 0 (a count) gives zeros, as the twin reports torch's missing gradient."""
        dy, v, d, metas = self._saved(dy)
        with nonfinite_guard(v):
            dv = _pnorm_grad(v, d, self.norm, dy.astype(np.float64).reshape(d.shape))
        grads = [grad_as(s * dv, *meta) for s, meta in ((1.0, metas[0]), (-1.0, metas[1]))]
        grads = [gr for gr in grads if gr is not NOT_DIFFERENTIATED]
        return (grads[0] if len(grads) == 1 else tuple(grads)) if grads else None


# -- the losses -----------------------------------------------------------------------------------------------
class _Triplet(_SeveralInputs):
    """l = max(0, margin + d(a, p) - d(a, n)), with d(a, n) replaced by min(d(a, n), d(p, n)) under ``swap``."""

    _args = ("anchor", "positive", "negative")

    def _check_margin(self, margin: float) -> None:
        """At construction and again at call (torch's functional checks it too)."""
        if margin <= 0:
            raise ValueError(f"{type(self).__name__}: expected margin to be greater than 0, got {margin} instead")

    def _dist(self, x1, x2) -> np.ndarray:
        raise NotImplementedError

    def _dist_grad(self, x1, x2, g) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
        raise NotImplementedError

    def forward(self, anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        self._check_margin(self.margin)
        arrays = [np.asarray(a) for a in (anchor, positive, negative)]
        a, p, n = arrays
        if not a.ndim == p.ndim == n.ndim:
            raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                               f"dimensions, but got: anchor {a.ndim}D, positive {p.ndim}D, and negative {n.ndim}D "
                               "inputs")
        dt = promoted(*(x.dtype for x in arrays))
        a, p, n = (x.astype(dt) for x in arrays)  # copies: backward runs the distance on them again
        with nonfinite_guard(a, p, n):  # inf - inf: NaN, as torch (a user distance's too)
            d_pos, d_neg = self._dist(a, p), self._dist(a, n)
            d_swap = self._dist(p, n) if self.swap else None
        with nonfinite_guard(d_pos, d_neg):
            # torch.minimum's backward at a tie gives each side half; with NaN both sides the whole
            w_neg = None if d_swap is None else np.where(d_neg == d_swap, 0.5, np.where(d_neg > d_swap, 0.0, 1.0))
            near = d_neg if d_swap is None else np.minimum(d_neg, d_swap)
            u = float(self.margin) + d_pos - near
            l = np.asarray(np.maximum(u, 0))  # NaN stays NaN (clamp_min)
            active = u >= 0  # clamp_min passes the gradient at 0, none at NaN
        metas = [(x.shape, x.dtype) for x in arrays]
        return self._save(reduce_loss(np.asarray(l, dt), reduction), (a, p, n), (d_neg, d_swap, w_neg), active,
                          reduction, metas)

    def _backward(self, dy, apn, dists, active, reduction, metas):
        a, p, n = apn
        d_neg, d_swap, w_neg = dists
        gu = np.where(active, reduction_grad(dy.astype(np.float64), reduction, active.size), 0.0)
        with nonfinite_guard(a, p, n):
            grads = [self._dist_grad(a, p, gu), self._dist_grad(a, n, -gu if w_neg is None else -gu * w_neg)]
            if w_neg is not None:
                w_swap = np.where(d_neg == d_swap, 0.5, np.where(d_swap > d_neg, 0.0, 1.0))
                grads.append(self._dist_grad(p, n, -gu * w_swap))
        if grads[0][0] is None:  # p = 0: torch's graph does not reach the inputs (an integer one has no entry)
            return [None if np.dtype(dtype).kind == "f" else NOT_DIFFERENTIATED for _, dtype in metas]
        total = [grads[0][0] + grads[1][0], grads[0][1], grads[1][1]]  # d/da, d/dp, d/dn
        if w_neg is not None:
            total[1], total[2] = total[1] + grads[2][0], total[2] + grads[2][1]
        return [grad_as(np.asarray(g, np.float64), *meta) for g, meta in zip(total, metas, strict=True)]


class TripletMarginLoss(_Triplet):
    """l = max(0, margin + ||a - p + eps||_p - ||a - n + eps||_p), with swap: the second distance is
    min(d(a, n), d(p, n)) (Balntas et al.).

    Args: margin (1.0; <= 0 ValueError at construction), p (2.0; any float as PairwiseDistance's), eps (1e-6),
    swap (False), size_average, reduce (deprecated), reduction ('mean').
    Shape: anchor, positive, negative of the same rank (RuntimeError otherwise), broadcast; (N, D) -> (N,) for
    'none', (D,) -> 0-d. Output dtype: the promotion (all integer: float32).
    Gradient: the distances' (PairwiseDistance), through clamp_min (passes at 0) and, with swap, torch.minimum
    (half to each side at a tie d(a, n) == d(p, n)); p = 0: None for all three, as torch's graph.
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self._check_margin(margin)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def _dist(self, x1, x2):
        return _distance(x1, x2, self.p, self.eps)[0]

    def _dist_grad(self, x1, x2, g):
        if self.p == 0:  # torch's graph does not reach the inputs
            return None, None
        d, v = _distance(x1, x2, self.p, self.eps)
        dv = _pnorm_grad(v, d, self.p, sum_to(g, d.shape))
        return sum_to(dv, x1.shape), sum_to(-dv, x2.shape)


class TripletMarginWithDistanceLoss(_Triplet):
    """l = max(0, margin + d(a, p) - d(a, n)) for a distance d (default PairwiseDistance(): p = 2, eps = 1e-6),
    with swap: min(d(a, n), d(p, n)) in place of d(a, n).

    Args (keyword-only, as torch): distance_function (None -> PairwiseDistance(); a scratch block or a pair
    (fn, grad): see the module docstring), margin (1.0; <= 0 ValueError at construction and at call), swap
    (False), reduction ('mean'). Shape: the three inputs of the same rank (RuntimeError otherwise); the rest is
    the distance's. Gradient: the distance's, through clamp_min (passes at 0) and torch.minimum (half each at a
    tie).
    """

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self._check_margin(margin)
        if distance_function is None:
            distance_function = PairwiseDistance()
        if isinstance(distance_function, Module):
            if not callable(getattr(distance_function, "backward", None)):
                raise TypeError("distance_function: a scratch block needs a backward(d_dist) -> (d_x1, d_x2)")
        elif not (isinstance(distance_function, tuple | list) and len(distance_function) == 2
                  and all(callable(f) for f in distance_function)):
            raise TypeError("distance_function: scratch needs the distance's gradient; give a scratch block (e.g. "
                            "PairwiseDistance(p=1)) or a pair (fn, grad) with fn(x1, x2) -> dist and "
                            f"grad(x1, x2, d_dist) -> (d_x1, d_x2); got {type(distance_function).__name__}")
        self.distance_function = distance_function  # a Module is registered as a child, as in torch
        self.margin, self.swap = margin, swap

    def _dist(self, x1, x2):
        f = self.distance_function
        return np.asarray(f(x1, x2) if isinstance(f, Module) else f[0](x1, x2), np.float64)

    def _dist_grad(self, x1, x2, g):
        f = self.distance_function
        if isinstance(f, Module):  # one cache per block: run its forward again for this pair, then its backward
            out = np.asarray(f(x1, x2))
            grads = f.backward(sum_to(g, out.shape).astype(out.dtype))
        else:
            grads = f[1](x1, x2, sum_to(g, np.shape(f[0](x1, x2))))
        return grads if grads is not None else (None, None)


__all__ = ["PairwiseDistance", "TripletMarginLoss", "TripletMarginWithDistanceLoss"]
