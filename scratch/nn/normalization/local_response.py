"""LocalResponseNorm: normalization across neighbouring channels (AlexNet), torch's F.local_response_norm; and
CrossMapLRN2d, the legacy Lua-torch version with its own window and its own (not quite matching) backward.

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

__all__ = ["LocalResponseNorm", "CrossMapLRN2d"]


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


class _AcrossChannels(CachedModule):
    """What both LRNs share: torch's arguments (size, alpha, beta, k) and repr, and a numpy input."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    @staticmethod
    def _array(x) -> np.ndarray:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        return x

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LocalResponseNorm(_AcrossChannels):
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

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = self._array(input)
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


def _running_sums(increments: np.ndarray, start: int) -> np.ndarray:
    """The values torch's running sum takes, in its order: ``increments`` (N, m, H, W) along axis 1 are added one
    after the other (np.cumsum is sequential), and the result is read at ``start``, ``start + 2``, ... (after each
    channel's add and subtract pair). So the rounding is torch's, and an inf that enters the sum and later leaves
    it leaves NaN behind (inf - inf), as in torch's loop."""
    return np.cumsum(increments, axis=1)[:, start::2]


class CrossMapLRN2d(_AcrossChannels):
    r"""Lua torch's SpatialCrossMapLRN (torch.nn.CrossMapLRN2d), 4-d inputs only:

    .. math::
        y_c = x_c \left(k + \frac{\alpha}{n} \sum_{j \in W(c)} x_j^2\right)^{-\beta}, \qquad
        W(c) = \{0\} \cup [c - p + 1,\ c + p - 1] \cap [0, C), \quad p = \lfloor (n + 1) / 2 \rfloor

    TRAP: not LocalResponseNorm. torch keeps a running sum over the channels that adds channel c + p - 1 and
    subtracts channel c - p only from c > p (not c >= p), so channel 0 is never subtracted: it is in EVERY window.
    An even n sums n - 1 channels (centred), still divided by n.

    Args:
        size (int): n (0: ZeroDivisionError at the call, as torch's ``alpha / size``; 1: forward only, torch's
            backward raises RuntimeError). Departures, at the call: a negative size is a ValueError (torch runs a
            sum that is no window, -1 and -2, or raises IndexError) and a non-int a TypeError (torch's forward
            truncates p, its backward raises TypeError).
        alpha (float, default 1e-4), beta (float, default 0.75), k (float, default 1).
    Shape: (N, C, H, W) only (ValueError otherwise); C = 0 IndexError; integer and bool inputs RuntimeError (torch's
        in-place ops cannot hold the float result). Evaluated in float64 and rounded once.
    Gradient: torch's backward, which is NOT the gradient of this forward (docs/torch_facts.md 6a). With
    d_c = k + alpha/n S_c and r_c = g_c y_c / d_c:
        dL/dx_j = g_j d_j^{-beta} - (2 alpha beta / n) x_j sum_{c = j - p}^{j + n - 1 - p} r_c,
    while the true gradient sums r_c over {c : j in W(c)} = [j - p + 1, j + p - 1] (every c for j = 0): torch's
    window is one channel lower for an odd n and one channel wider for an even n, and it misses channel 0's
    share. The two agree only when C <= n // 2 (every window holds every channel).
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__(size, alpha, beta, k)  # k's default is the int 1 here (its repr shows k=1)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = self._array(input)
        if x.ndim != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {x.ndim}D instead.")
        if x.dtype == np.bool_:  # torch.pow(input, 2, out=input.new()) gives int64 into a bool tensor
            raise RuntimeError("result type Long can't be cast to the desired output type Bool")
        n = self.size
        if not isinstance(n, int | np.integer):
            raise TypeError(f"CrossMapLRN2d size must be an int, got {_typename(n)} (torch 2.13's backward raises "
                            "TypeError for it)")
        if n < 0:
            raise ValueError(f"CrossMapLRN2d size must be >= 0, got {n} (torch 2.13 sums no window for it)")
        N, C, H, W = x.shape
        if C == 0:
            raise IndexError(f"select(): index 0 out of range for tensor of size {list(x.shape)} at dimension 1")
        ratio = float(self.alpha) / n  # ZeroDivisionError for size 0, as torch's
        if x.dtype.kind in "iu":  # the float scale cannot be stored in the input's integer dtype
            raise RuntimeError("result type Float can't be cast to the desired output type "
                               + torch_dtype_name(x.dtype))
        if x.dtype.kind != "f":
            raise TypeError(f"CrossMapLRN2d takes floating-point input, got {x.dtype}")
        a = x.astype(np.float64)
        sq = a * a
        p = (n + 1) // 2  # torch's pre_pad = int((size - 1) / 2 + 1)
        first = min(p, C)  # channel 0's sum: channels 0 .. p - 1, then per channel c >= 1 an add and a subtract
        inc = np.zeros((N, first + 2 * (C - 1), H, W))
        inc[:, :first] = sq[:, :first]
        n_add = max(0, C - p)  # c = 1 .. C - p adds channel c + p - 1
        inc[:, first:first + 2 * n_add:2] = sq[:, p:p + n_add]
        if C - 1 > p:  # c = p + 1 .. C - 1 subtracts channel c - p
            inc[:, first + 1 + 2 * p::2] = -sq[:, 1:C - p]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # k <= 0: NaN, as torch's pow
            d = _running_sums(inc, first - 1) * ratio + float(self.k)
            q = d ** -float(self.beta)
            y = q * a
        return self._save(y.astype(x.dtype), a, y, d, q)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, a, y, d, q = self._saved(dy)
        n = self.size
        N, C, H, W = a.shape
        p = (n + 1) // 2  # torch's inversePrePad = int(size - (size - 1) / 2), the same number
        if p + C > C + n - 1:  # size 1: torch narrows C channels from p = 1 of a buffer of C + size - 1
            raise RuntimeError(f"start ({p}) + length ({C}) exceeds dimension size ({C + n - 1}).")
        g = dy.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            padded = np.zeros((N, C + n - 1, H, W))
            padded[:, p:p + C] = g * y / d
            # torch's accumulator: the first n - 1 padded ratios summed, then per channel c: add padded[c + n - 1],
            # use it, subtract padded[c]
            inc = np.empty((N, 1 + 2 * C, H, W))
            inc[:, 0] = padded[:, :n - 1].sum(axis=1)
            inc[:, 1::2] = padded[:, n - 1:]
            inc[:, 2::2] = -padded[:, :C]
            dx = q * g + (-2.0 * float(self.alpha) * float(self.beta) / n) * a * _running_sums(inc, 1)
        return dx.astype(dy.dtype)
