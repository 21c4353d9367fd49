"""Losses on pairs of inputs and a +-1 target (MarginRankingLoss, CosineEmbeddingLoss).

Both take ``forward(input1, input2, target)``; ``backward(dy)`` returns ``(d_input1, d_input2)`` and
``backward(dy, target_grad=True)`` ``(d_input1, d_input2, d_target)`` (``_base.py`` has the protocol). The target
gradient is torch's: MarginRankingLoss differentiates its target, CosineEmbeddingLoss does not (None).
"""

from __future__ import annotations

import numpy as np

from ._base import (
    _SeveralInputs,
    broadcast_shape,
    grad_as,
    nonfinite_guard,
    promoted,
    reduce_loss,
    reduction_grad,
    sum_to,
)

# torch's cosine_embedding_loss adds EPSILON = 1e-12 to each squared norm, a C++ float: float32(1e-12) in every dtype
_COS_EPS = float(np.float32(1e-12))


def _operands(arrays: tuple, op: str) -> tuple[list[np.ndarray], np.dtype]:
    """The arrays and the dtype torch computes in: its promotion (a float beats an integer, float32 + float64 is
    float64); all integer: float32, torch's default dtype, which the loss' Python float constant promotes to."""
    out = [np.asarray(a) for a in arrays]
    for a in out:
        if a.dtype.kind not in "fiu":
            raise RuntimeError(f"{op}: expected numeric arrays, got {a.dtype}")
    return out, promoted(*(a.dtype for a in out))


class _PairLoss(_SeveralInputs):
    """forward(input1, input2, target): the gradients of the float inputs come back in forward's order."""

    _args = ("input1", "input2", "target")

    def __init__(self, margin: float = 0.0, size_average=None, reduce=None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: np.ndarray, input2: np.ndarray, target: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class MarginRankingLoss(_PairLoss):
    """l = max(0, -y (x1 - x2) + margin): x1 should rank above x2 by ``margin`` where y = 1, below where y = -1.

    Args: margin (0.0), size_average, reduce (deprecated), reduction ('mean').
    Shape: input1, input2, target with the same number of dims (RuntimeError otherwise, as torch), broadcast
    together (torch's op is elementwise; incompatible sizes RuntimeError); 'none' gives the broadcast shape.
    Output dtype: torch's promotion of the three (any float beats integers); all integer: float32.
    Gradient, with a = [u >= 0] for u = -y (x1 - x2) + margin (torch's clamp_min passes the gradient at u == 0; a
    NaN u passes none): d/dx1 = -y a, d/dx2 = y a and, as torch differentiates the target, d/dy = -(x1 - x2) a;
    each summed over its broadcast dims, in its own dtype. backward -> (d_input1, d_input2).
    """

    def forward(self, input1: np.ndarray, input2: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        (x1, x2, t), dt = _operands((input1, input2, target), "margin_ranking_loss")
        if not x1.ndim == x2.ndim == t.ndim:
            raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                               f"input1: {list(x1.shape)}, input2: {list(x2.shape)}, target: {list(t.shape)}")
        broadcast_shape(broadcast_shape(x1.shape, x2.shape), t.shape)
        tt = t.astype(dt)  # a copy: backward needs the target
        with nonfinite_guard(x1, x2, tt):
            d = x1.astype(dt, copy=False) - x2.astype(dt, copy=False)
            u = -tt * d + float(self.margin)
            l = np.asarray(np.maximum(u, 0))  # NaN stays NaN, as torch's clamp_min (asarray: 0-d inputs)
            active = u >= 0
        metas = tuple((a.shape, a.dtype) for a in (x1, x2, t))
        return self._save(reduce_loss(l, reduction), d, tt, active, reduction, metas)

    def _upstream(self, dy, active, reduction):
        return np.where(active, reduction_grad(dy, reduction, active.size), 0)

    def _backward(self, dy, d, tt, active, reduction, metas):
        x1, x2, _ = metas
        with nonfinite_guard(tt):  # a NaN target: -y * 0 is NaN, as torch's product rule gives
            ga = tt * self._upstream(dy, active, reduction)
        return [grad_as(-ga, *x1), grad_as(ga, *x2)]

    def _target_backward(self, dy, d, tt, active, reduction, metas):
        t = metas[2]
        if t[1].kind != "f":
            return super()._target_backward(dy)
        with nonfinite_guard(d):
            return grad_as(-d * self._upstream(dy, active, reduction), *t)


class CosineEmbeddingLoss(_PairLoss):
    """l = 1 - cos(x1, x2) where y == 1, max(0, cos(x1, x2) - margin) where y == -1, 0 for any other y:

        cos = sum(x1 x2) / sqrt((sum(x1^2) + eps) (sum(x2^2) + eps)),  eps = float32(1e-12), over the last dim

    (torch's rule: eps on each squared norm, in every dtype the C++ float 1e-12; a zero vector has cos 0 and a
    finite, large gradient.) Args: margin (0.0), size_average, reduce (deprecated), reduction ('mean').
    Shape: input1 and input2 (N, D) with target (N,), or (D,) with a 0-d target (RuntimeError otherwise, as
    torch); the inputs and the target broadcast (e.g. input2 (1, D), target (1,)), and each squared norm is taken
    over its own input's last dim. Output dtype: the inputs' promotion (all integer: float32); not the target's.
    Gradient, with dl/dcos = -1 (y == 1), [cos - margin >= 0] (y == -1; clamp_min passes it at equality), 0 else:
    d cos / d x1 = x2 / d - cos x1 / (|x1|^2 + eps), d = the denominator, and symmetrically for x2. The target
    only selects branches (torch's ``where``): no gradient (None). backward -> (d_input1, d_input2).
    """

    def forward(self, input1: np.ndarray, input2: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        (x1, x2), dt = _operands((input1, input2), "cosine_embedding_loss")  # the target's dtype does not count
        t = np.asarray(target)
        if t.ndim not in (0, 1):
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        want = 2 if t.ndim == 1 else 1
        if x1.ndim != want or x2.ndim != want:
            raise RuntimeError(f"{t.ndim}D target tensor expects {want}D input tensors, but found inputs with sizes "
                               f"{list(x1.shape)} and {list(x2.shape)}.")
        broadcast_shape(broadcast_shape(x1.shape, x2.shape)[:-1], t.shape)
        cdt = np.float64  # float32 too: the sums and the root in float64, rounded once (torch's float32 is worse)
        a, b = x1.astype(cdt), x2.astype(cdt)
        with nonfinite_guard(a, b):
            s = np.sum(a * b, axis=-1)
            m1, m2 = np.sum(a * a, axis=-1) + _COS_EPS, np.sum(b * b, axis=-1) + _COS_EPS
            den = np.sqrt(m1 * m2)
            cos = s / den
            pos, neg = t == 1, t == -1
            l = np.where(pos, 1.0 - cos, 0.0) + np.where(neg, np.maximum(cos - float(self.margin), 0), 0.0)
            # dl/dcos: the branch each entry took (torch's where + clamp_min backward)
            dcos = np.where(pos, -1.0, 0.0) + np.where(neg & (cos - float(self.margin) >= 0), 1.0, 0.0)
        out = reduce_loss(np.asarray(l, dt), reduction)  # (ufuncs on 0-d arrays give scalars)
        return self._save(out, (a, b, m1, m2, den, cos), dcos, reduction, (x1.shape, x1.dtype), (x2.shape, x2.dtype),
                          t.dtype)

    def _backward(self, dy, ctx, dcos, reduction, meta1, meta2, tdtype):
        a, b, m1, m2, den, cos = ctx
        g = dcos * reduction_grad(dy.astype(np.float64), reduction, dcos.size)
        joint = np.broadcast_shapes(a.shape, b.shape)  # the shape of x1 * x2 (the feature dim may broadcast too)
        with nonfinite_guard(a, b, cos):
            gs = sum_to(g / den, joint[:-1])[..., None]  # d l / d sum(x1 x2)
            gc = g * cos
            d1 = sum_to(np.broadcast_to(gs * b, joint), a.shape) - a * sum_to(gc / m1, m1.shape)[..., None]
            d2 = sum_to(np.broadcast_to(gs * a, joint), b.shape) - b * sum_to(gc / m2, m2.shape)[..., None]
        return [grad_as(d1, *meta1), grad_as(d2, *meta2)]

    def _target_backward(self, dy, ctx, dcos, reduction, meta1, meta2, tdtype) -> None:
        """The target only selects branches (torch's ``where(target == 1, ..)``): no gradient reaches it."""
        return self._unreached_target(dy, tdtype)


__all__ = ["MarginRankingLoss", "CosineEmbeddingLoss"]
