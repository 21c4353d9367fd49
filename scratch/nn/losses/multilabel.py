"""Multi-label classification (MultiLabelMarginLoss on class-index lists, MultiLabelSoftMarginLoss on 0/1 targets).

The protocol and helpers are in ``_base.py``. The class dim is the last (input (N, C) or (C,)). Gradients are
closed-form and vectorized over samples, target positions and classes at once.
"""

from __future__ import annotations

import numpy as np

from .. import _math
from ._base import (
    _Loss,
    _WeightedLoss,
    broadcast_shape,
    float_input,
    nonfinite_guard,
    reduce_loss,
    reduction_grad,
    sum_to,
)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge on lists of class indices:

        l_n = sum_{j in Y_n} sum_{i not in Y_n} max(0, 1 - (x[n, j] - x[n, i])) / C

    where Y_n is target[n] up to its first -1 (the rest of the row is ignored, but must be in range too); an
    index listed twice counts twice, as torch's loop does.
    Args: size_average, reduce (deprecated), reduction ('mean' = mean over n).
    Shape: input (N, C) with N >= 0 and C > 0, (C,) or 0-d (C = 1); target int64 of the input's shape (a (C,)
    input also takes any target of C elements, as torch's check counts elements). Errors as torch: another
    target dtype or shape RuntimeError, an index < -1 or >= C anywhere RuntimeError, integer input
    NotImplementedError. 'none' gives (N,) for 2-d input, else 0-d. TRAP: torch's 'mean'/'sum' of an empty batch
    return uninitialized memory; scratch returns NaN / 0.
    Gradient: only terms with z = 1 - x[j] + x[i] > 0 (strictly: none at z == 0 or NaN): +1/C at i, -1/C at j.
    """

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        x = float_input(input, "multilabel_margin_loss_forward_out_frame")
        t = np.asarray(target)
        if not ((x.ndim == 2 and x.shape[1] != 0) or (x.ndim == 1 and x.shape[0] != 0) or x.ndim == 0):
            raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                               f"{list(x.shape)}")
        N, C = (x.shape[0], x.shape[1]) if x.ndim == 2 else (1, x.shape[0] if x.ndim else 1)
        ok = t.ndim == 2 and t.shape == (N, C) if x.ndim == 2 else t.ndim <= 1 and t.size == C
        if not ok:
            raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(x.shape)}")
        if t.dtype != np.int64:
            raise RuntimeError(f"expected scalar type Long but found {t.dtype}")
        if ((t < -1) | (t >= C)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        x2, t2 = x.reshape(N, C).astype(np.float64), t.reshape(N, C)
        listed = np.cumsum(t2 == -1, axis=1) == 0  # the positions before the first -1
        idx = np.where(listed, t2, 0)
        onehot = (idx[:, :, None] == np.arange(C)) & listed[:, :, None]  # (N, position, class)
        is_target = onehot.any(axis=1)
        with nonfinite_guard(x2):
            z = 1.0 - np.take_along_axis(x2, idx, axis=1)[:, :, None] + x2[:, None, :]
            active = listed[:, :, None] & ~is_target[:, None, :] & (z > 0)  # NaN z: not active, as torch
            l = np.sum(np.where(active, z, 0.0), axis=(1, 2)) / C
        a = active / C
        g = np.sum(a, axis=1) - np.einsum("nj,njc->nc", np.sum(a, axis=2), onehot)  # +1/C at i, -1/C at j
        out = (l if x.ndim == 2 else l.reshape(())) if reduction == "none" else reduce_loss(l, reduction)
        return self._save(np.asarray(out, x.dtype), g, reduction, N, x.shape)

    def _backward(self, dy, g, reduction, N, shape):
        a = dy.astype(np.float64).reshape(N, 1) if reduction == "none" else reduction_grad(dy, reduction, N)
        return (g * a).astype(dy.dtype, copy=False).reshape(shape)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """One-vs-all logistic loss per class, averaged over the classes (torch's composite, in its stable form):

        l_n = -sum_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)) / C,   C = input.shape[-1]

    finite at +-1e4 logits. Args: weight (array broadcastable against the input, or None; a buffer),
    size_average, reduce (deprecated), reduction ('mean' = mean over n; invalid: ValueError at call).
    Shape: input (N, C) or (C,) (any rank >= 1: the class dim is the input's last); target and weight broadcast
    against it (torch's elementwise ops); the sum runs over dim input.ndim - 1 of the broadcast loss, literally.
    0-d input IndexError; C = 0 gives NaN (0 / 0); integer input NotImplementedError.
    Output dtype: the promotion of input, target and weight. Evaluated in float64, float32 rounded once.
    Gradient: w (sigmoid(x) - y) / C; target (torch differentiates it): -w x / C (= -w (log sigmoid(x) -
    log sigmoid(-x)) / C, infinite at infinite x, as torch's).
    """

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self.reduction
        if reduction not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not valid")
        x = float_input(input, "log_sigmoid_cpu")
        t = np.asarray(target)
        if x.ndim == 0:
            raise IndexError("Dimension specified as -1 but tensor has no dimensions")
        w = self.weight
        shape = broadcast_shape(x.shape, t.shape)
        if w is not None:
            shape = broadcast_shape(shape, w.shape)
        floats = [a.dtype for a in (x, t, w) if a is not None and a.dtype.kind == "f"]
        odt = np.result_type(*floats)
        cd, C = x.ndim - 1, x.shape[-1]
        xx, tt = x.astype(np.float64), t.astype(np.float64)
        ww = 1.0 if w is None else w.astype(np.float64)
        with nonfinite_guard(xx, tt), np.errstate(invalid="ignore"):  # C = 0: 0 / 0 = NaN, as torch
            l = -(tt * _math.log_sigmoid(xx) + (1.0 - tt) * _math.log_sigmoid(-xx)) * ww
            per = np.asarray(np.sum(np.broadcast_to(l, shape), axis=cd) / C)
            dl = (_math.sigmoid(xx) - tt) * ww / C
            dlt = -xx * ww / C
        out = per if reduction == "none" else reduce_loss(per, reduction)
        return self._save(np.asarray(out, odt), np.broadcast_to(dl, shape), np.broadcast_to(dlt, shape),
                          reduction, cd, per.size, (x.shape, x.dtype), (t.shape, t.dtype))

    def _upstream(self, dy, reduction, cd, n):
        return np.expand_dims(reduction_grad(dy.astype(np.float64), reduction, n), cd) if reduction == "none" \
            else reduction_grad(dy.astype(np.float64), reduction, n)

    def _backward(self, dy, dl, dlt, reduction, cd, n, xmeta, tmeta):
        with nonfinite_guard(dl):
            return sum_to(dl * self._upstream(dy, reduction, cd, n), xmeta[0]).astype(xmeta[1], copy=False)

    def _target_backward(self, dy, dl, dlt, reduction, cd, n, xmeta, tmeta):
        if tmeta[1].kind != "f":
            return super()._target_backward(dy)
        with nonfinite_guard(dlt):
            return sum_to(dlt * self._upstream(dy, reduction, cd, n), tmeta[0]).astype(tmeta[1], copy=False)


__all__ = ["MultiLabelMarginLoss", "MultiLabelSoftMarginLoss"]
