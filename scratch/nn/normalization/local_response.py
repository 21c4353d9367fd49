"""LocalResponseNorm: normalization across neighbouring channels (AlexNet), torch's F.local_response_norm.

torch computes the window sum as an average pool of x^2 over a zero-padded channel axis (``size // 2`` channels
before, ``(size - 1) // 2`` after, count_include_pad: always divided by size); here it is one strided window view
of the padded squares, summed. The gradient's window is the TRANSPOSED one (``(size - 1) // 2`` before, ``size //
2`` after: channel j feeds the windows of channels j - (size - 1) // 2 ... j + size // 2), which differs from the
forward's for an even size.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._dtypes import torch_dtype_name
from .._parameter import _typename
from ..base import CachedModule

__all__ = ["LocalResponseNorm"]


def _channel_window_sum(v: np.ndarray, size: int, before: int, after: int) -> np.ndarray:
    """out[:, c] = sum of v[:, c - before ... c + after] along axis 1, zeros beyond the ends (before + after =
    size - 1, so the output has v's shape)."""
    widths = [(0, 0)] * v.ndim
    widths[1] = (before, after)
    return sliding_window_view(np.pad(v, widths), size, axis=1).sum(axis=-1)


def _check_size(size) -> int:
    """torch's F.pad / avg_pool arguments: an int (a float or bool TypeError), > 0 (RuntimeError)."""
    if isinstance(size, bool | np.bool_) or not isinstance(size, int | np.integer):
        raise TypeError(f"avg_pool2d(): argument 'kernel_size' (position 2) must be tuple of ints, but found element "
                        f"of type {_typename(size)} at pos 0")
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    return int(size)


class LocalResponseNorm(CachedModule):
    r"""Divide each element by a power of the mean square over ``size`` neighbouring channels (dim 1):

    .. math::
        b_c = a_c \left(k + \frac{\alpha}{n} \sum_{c' = c - \lfloor n/2 \rfloor}^{c + \lfloor (n-1)/2 \rfloor}
        a_{c'}^2\right)^{-\beta}

    with zeros outside [0, C) and the sum always divided by n = size (torch's avg_pool with zero padding).

    Args:
        size (int): n, the number of channels in the window (checked at call: a float or bool TypeError, <= 0
            RuntimeError); an even size reaches one channel further back than forward.
        alpha (float, default 1e-4), beta (float, default 0.75), k (float, default 1.0).
    Shape: (N, C, *) with at least one trailing dim (3-d is (N, C, L), never unbatched); fewer dims ValueError.
        An empty input comes back as it is (before the size is checked). int64 input: torch's integer average
        pool TRUNCATES sum / n, then the result is float32; other integer dtypes NotImplementedError.
    Gradient, with d_c = k + alpha/n S_c:
        dL/dx_j = g_j d_j^{-beta} - (2 alpha beta / n) x_j sum_{c: j in window(c)} g_c x_c d_c^{-beta-1}.
    Evaluated in float64 and rounded once.
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if x.ndim < 3:
            raise ValueError(f"Expected 3D or higher dimensionality input (got {x.ndim} dimensions)")
        if x.size == 0:  # torch returns the input itself
            return self._save(x.copy(), None)
        n = _check_size(self.size)
        before, after = n // 2, (n - 1) // 2
        if x.dtype == np.int64:  # integer average pool (truncating), then float32 arithmetic
            s = _channel_window_sum(x * x, n, before, after) // n
            with np.errstate(divide="ignore", invalid="ignore"):
                y = x / (s * float(self.alpha) + float(self.k)) ** float(self.beta)
            return self._save(y.astype(np.float32), None)
        if x.dtype.kind != "f":
            pool = "avg_pool2d" if x.ndim == 3 else "avg_pool3d_out_frame"
            raise NotImplementedError(f"\"{pool}\" not implemented for '{torch_dtype_name(x.dtype)}'")
        a = x.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # k <= 0 gives NaN, as torch's pow
            d = _channel_window_sum(a * a, n, before, after) / n * float(self.alpha) + float(self.k)
            p = d ** float(self.beta)
            y = a / p
        return self._save(y.astype(x.dtype), (a, d, p))

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, saved = self._saved(dy)
        if saved is None:  # empty input (identity) or an integer one (no gradient)
            return dy.copy() if dy.size == 0 else None
        a, d, p = saved
        n = self.size
        g = dy.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            back = _channel_window_sum(g * a / (p * d), n, (n - 1) // 2, n // 2)  # the transposed window
            dx = g / p - (2.0 * float(self.alpha) * float(self.beta) / n) * a * back
        return dx.astype(dy.dtype)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
