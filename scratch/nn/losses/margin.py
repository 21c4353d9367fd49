"""The multi-class hinge (MultiMarginLoss): a margin between the target class's score and every other's.

The protocol and helpers are in ``_base.py``; the class dimension is the last (input (N, C) or (C,)), as torch's.
"""

from __future__ import annotations

import numpy as np

from ._base import _WeightedLoss, float_input, nonfinite_guard, reduce_loss, reduction_grad

__all__ = ["MultiMarginLoss"]


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge: l_n = sum_{i != y_n} w[y_n] max(0, margin - x[n, y_n] + x[n, i])^p / C.

    Divides by C (not C - 1), as torch. Args: p (1 or 2, else ValueError), margin (1.0), weight ((C,) of the
    input's dtype, or None; a buffer), size_average, reduce (deprecated), reduction ('mean' = mean over n).
    Shape: input (N, C), (C,) or 0-d; target (N,) or () / (1,), int64 (other dtypes, classes out of range:
    RuntimeError). 'none' gives (N,) when the target has a dim, else ().
    Gradient: only terms with z = margin - x[y] + x[i] > 0 (strictly: 0 at z == 0; a NaN z counts as 0, as
    torch): w p z^(p-1) / C at i, minus their sum at y.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: np.ndarray | None = None, size_average=None,
                 reduce=None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.ndim != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.ndim}D instead")
        self.p, self.margin = p, margin

    def forward(self, input: np.ndarray, target: np.ndarray) -> np.ndarray:
        reduction = self._check_reduction()
        if self.p != 1 and self.p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        w = self.weight
        if w is not None and w.ndim != 1:
            raise ValueError("weight must be one-dimensional")
        x = float_input(input, "multi_margin_loss_cpu_kernel")
        t = np.asarray(target)
        if t.dtype != np.int64:
            raise RuntimeError(f"expected scalar type Long but found {t.dtype}")
        if x.ndim > 2 or (x.ndim >= 1 and x.shape[-1] == 0):
            raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                               f"{list(x.shape)}")
        N, C = (x.shape[0] if x.ndim == 2 else 1), (x.shape[-1] if x.ndim else 1)
        if t.ndim > 1 or t.size != N:
            raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of "
                               f"input samples (batch size). Expected target size [{N}], but got {list(t.shape)}")
        if w is not None and (w.size != C or w.dtype != x.dtype):
            raise RuntimeError(f"inconsistent weight size or dtype, expected {C} of {x.dtype} but got "
                               f"{list(w.shape)} of {w.dtype}")
        x2, t2 = x.reshape(N, C), t.reshape(N)
        if ((t2 < 0) | (t2 >= C)).any():
            raise RuntimeError("target out of range")
        rows = np.arange(N)
        scale = (w[t2] if w is not None else np.ones(N, x.dtype))[:, None] / C
        with nonfinite_guard(x2):
            z = float(self.margin) - np.take_along_axis(x2, t2[:, None], axis=1) + x2
            active = z > 0  # strictly: z == 0 and NaN contribute nothing
            active[rows, t2] = False
            h = np.where(active, z if self.p == 1 else z * z, 0) * scale
            g = np.where(active, 1 if self.p == 1 else 2.0 * z, 0).astype(x.dtype) * scale
        g[rows, t2] = -np.sum(g, axis=1)
        l = np.sum(h, axis=1)
        out = (l if t.ndim > 0 else l.reshape(())) if reduction == "none" else reduce_loss(l, reduction)
        return self._save(np.asarray(out, x.dtype), g, reduction, N, x.shape)

    def _backward(self, dy, g, reduction, N, shape):
        a = dy.reshape(N, 1) if reduction == "none" else reduction_grad(dy, reduction, N)
        return (g * a).reshape(shape)
