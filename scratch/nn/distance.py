"""Distance functions (torch.nn's "Distance Functions"): CosineSimilarity.

torch groups CosineSimilarity with PairwiseDistance (torch/nn/modules/distance.py); scratch's PairwiseDistance
lives beside the triplet losses that use it (scratch/nn/losses/triplet.py). The broadcasting, dtype promotion and
gradient-summing helpers are the losses' (``losses/_base.py``), so both distances follow the same rules.
"""

from __future__ import annotations

import numpy as np

from ._dtypes import torch_dtype_name
from ._parameter import _typename
from .base import CachedModule
from .losses._base import broadcast_shape, nonfinite_guard, promoted, sum_to

__all__ = ["CosineSimilarity"]

# torch's names for the common dtype of two non-float inputs ("yet common dtype is Long")


def _wrap_dim(dim, ndim: int) -> int:
    """torch's dim argument: an int (a bool or float TypeError), in [-n, n - 1] with n = max(ndim, 1) (IndexError)."""
    if not isinstance(dim, int | np.integer) or isinstance(dim, bool | np.bool_):
        raise TypeError(f"cosine_similarity(): argument 'dim' (position 3) must be int, not {_typename(dim)}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return int(dim) % n


class CosineSimilarity(CachedModule):
    r"""Cosine similarity of x1 and x2 along ``dim``, each norm clamped from below by eps SEPARATELY:

    .. math:: y = \sum_d \frac{x_1}{\max(\|x_1\|_2, \epsilon)} \frac{x_2}{\max(\|x_2\|_2, \epsilon)}

    (torch 2.13 normalizes each input first, then sums the product; not ``x1 . x2 / max(|x1| |x2|, eps)``.)

    Args:
        dim (int, default 1): the dimension reduced, of the broadcast shape (IndexError out of range).
        eps (float, default 1e-8): lower bound of each norm (any real number, a bool too, as torch's parser);
            negative eps is a RuntimeError at call, a non-number a TypeError.
    Shape: x1 and x2 broadcast to (*, D, *'); output (*, *') (the broadcast shape without ``dim``); 0-d inputs
        are one-element vectors (dim 0 or -1). Output dtype: torch's promotion (int64 with float32 gives float32);
        two non-float inputs are a RuntimeError. Evaluated in float64 and rounded once (torch normalizes a float32
        input beside a float64 one in float32: scratch stays within float64's tolerance of that).
    Gradient (torch's): the clamp is applied in place under no_grad, so where ||x1|| < eps the norm is eps in the
        values but still ||x1|| in the gradient: with u_i = x_i / max(||x_i||, eps) and g = dL/dy,
        dL/dx1 = g / max(||x1||, eps) (u2 - y x1 / ||x1||), the last term 0 where ||x1|| = 0 (so at a zero x1 the
        gradient is g u2 / eps, and x2 gets 0); symmetric in x2; summed over broadcast dims.
        backward -> (d_x1, d_x2), a non-float input left out.
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
        x1, x2 = np.asarray(x1), np.asarray(x2)
        if not isinstance(self.eps, int | float | np.integer | np.floating | np.bool_):  # a bool is 0 or 1, as torch
            raise TypeError(f"cosine_similarity(): argument 'eps' (position 4) must be float, not "
                            f"{_typename(self.eps)}")
        if x1.dtype.kind != "f" and x2.dtype.kind != "f":
            raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                               f"{torch_dtype_name(np.result_type(x1.dtype, x2.dtype))}")
        if self.eps < 0:
            raise RuntimeError(f"eps must be non-negative, got: {self.eps:g}")
        shape = broadcast_shape(x1.shape, x2.shape)
        d = _wrap_dim(self.dim, len(shape))
        dt = promoted(x1.dtype, x2.dtype)
        vec = shape or (1,)  # a 0-d pair is a one-element vector
        with nonfinite_guard(x1, x2):
            parts = [self._normalized(x, vec, d) for x in (x1, x2)]
            (a, n1, c1, u1), (b, n2, c2, u2) = parts
            y = np.sum(u1 * u2, axis=d, keepdims=True)
        out = np.array(y.reshape(shape[:d] + shape[d + 1:]), dt)
        return self._save(out, (a, n1, c1, u1), (b, n2, c2, u2), y, d, ((x1.shape, x1.dtype), (x2.shape, x2.dtype)))

    def _normalized(self, x: np.ndarray, shape: tuple[int, ...], d: int):
        """(x in float64 broadcast, ||x|| along d, max(||x||, eps), x / max(||x||, eps)) with keepdims."""
        a = np.broadcast_to(x.astype(np.float64), shape)
        n = np.sqrt(np.sum(a * a, axis=d, keepdims=True))
        c = np.maximum(n, float(self.eps))
        with np.errstate(invalid="ignore"):  # eps = 0 and a zero vector: 0 / 0 = NaN, as torch
            u = a / c
        return a, n, c, u

    def backward(self, dy: np.ndarray):
        dy, (a, n1, c1, u1), (b, n2, c2, u2), y, d, metas = self._saved(dy)
        g = np.expand_dims(dy.astype(np.float64).reshape(y.shape[:d] + y.shape[d + 1:]), d)
        grads = []
        with nonfinite_guard(a, b, y), np.errstate(invalid="ignore", divide="ignore"):
            for x, n, c, u_other, (shape, dtype) in ((a, n1, c1, u2, metas[0]), (b, n2, c2, u1, metas[1])):
                if dtype.kind != "f":  # an integer input has no gradient
                    continue
                # the norm's gradient, 0 at a zero vector (where x / n is 0 / 0, silenced above and discarded)
                direction = np.where(n == 0, 0.0, x / n)
                dx = g / c * (u_other - y * direction)
                grads.append(sum_to(dx, shape).reshape(shape).astype(dtype))
        return grads[0] if len(grads) == 1 else tuple(grads)

    def extra_repr(self) -> str:
        return ""  # torch prints CosineSimilarity() whatever the arguments
