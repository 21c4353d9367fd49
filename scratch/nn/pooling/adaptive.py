"""AdaptiveAvgPool and AdaptiveMaxPool for 1, 2 and 3 spatial dims (one private base per operation).

Output position i of a dim of size n pooled to o covers ``[floor(i n / o), ceil((i + 1) n / o))``: windows of
unequal sizes that overlap when ``n % o != 0`` and repeat when ``o > n``. ``output_size`` is an int or a d-tuple
whose ``None`` entries keep the input's size (2-d and 3-d; a rank too small for the tuple is a ValueError, as
torch's ``_list_with_default``); 0 gives an empty output, whose backward torch refuses (RuntimeError).
"""

from __future__ import annotations

import math

import numpy as np

from ..base import CachedModule
from . import _args
from . import _kernels as K
from .windowed import _unbatch, cotangent, indexed_backward, save_indexed

__all__ = ["AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
           "AdaptiveMaxPool3d"]


class _AdaptiveAvgPoolNd(CachedModule):
    r"""Adaptive average pooling: ``y[n, c, i] = sum_{h in window(i)} x[n, c, h] / |window(i)|`` per dim.

    As torch, the window sum is accumulated in row-major order and divided by each dim's window length in turn
    (``sum / kh / kw``). An all-ones output size is ``input.mean(spatial dims, keepdim=True)`` in torch, with no
    rank check: AdaptiveAvgPool2d(1) pools a 2-d input to (1, 1) and any higher rank too, an empty input gives
    NaN, an integer input is a RuntimeError of ``mean``; other sizes need (N, C, *in) or (C, *in) float input.

    Args:
        output_size: the output's spatial size: an int, or a tuple (None entries keep the input's size).

    Shape: (N, C, *in) or (C, *in) -> (N, C, *output_size) or (C, *output_size).

    Gradient: ``dy[i] / |window(i)|`` to every element of window i; overlapping windows accumulate.
    """

    _d = 0

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: np.ndarray) -> np.ndarray:
        d = self._d
        x = _args.array(input, f"adaptive_avg_pool{d}d")
        out, mean = _args.adaptive_sizes("avg", d, x, self.output_size)
        if mean:
            n = math.prod(x.shape[x.ndim - d:])
            with np.errstate(invalid="ignore", divide="ignore"):
                total = x.sum(axis=tuple(range(x.ndim - d, x.ndim)), keepdims=True, dtype=np.float64)
                return self._save((total / n).astype(x.dtype), "mean", n, x.shape, None)
        batched = x.ndim == d + 2
        xb = x if batched else x[None]
        g, bounds, valid = K.adaptive_gather(xb, out, 0)
        views = K.adaptive_views(g, tuple(b[2] for b in bounds))
        y = views[0].copy()
        for v in views[1:]:
            y += v
        counts = [(end - start).astype(x.dtype) for start, end, _ in bounds]
        for i, c in enumerate(counts):
            y = y / K._along(c, 2 + i, y.ndim)
        return self._save(_unbatch(y, batched), counts, (bounds, valid), xb.shape, batched)

    def backward(self, grad_output) -> np.ndarray:
        dy, counts, where, shape, batched = self._saved(grad_output)
        if isinstance(counts, str):  # the mean shortcut: torch's mean backward, dy / numel
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.broadcast_to(dy / where, shape).copy()
        _args.adaptive_backward_check("avg", self._d, dy.shape)
        delta = dy if batched else dy[None]
        for i, c in enumerate(counts):
            delta = delta / K._along(c, 2 + i, delta.ndim)
        bounds, valid = where
        spread = delta.reshape(delta.shape[:2] + tuple(v for o in delta.shape[2:] for v in (o, 1)))
        weights = np.where(valid, spread, 0)
        weights = weights.reshape(math.prod(shape[:2]), math.prod(weights.shape[2:]))
        flat = K.adaptive_positions(bounds, shape[2:]).reshape(1, -1)
        return _unbatch(K.scatter_planes(weights, flat, shape, dy.dtype), batched)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling of (N, C, L) or (C, L) to ``output_size`` (an int or a 1-tuple): see
    :class:`_AdaptiveAvgPoolNd` (windows, mean shortcut, gradient)."""

    _d = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling of (N, C, H, W) or (C, H, W) to ``output_size`` (int or (H_out, W_out), None
    keeps a size): see :class:`_AdaptiveAvgPoolNd`."""

    _d = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling of (N, C, D, H, W) or (C, D, H, W) to ``output_size``: see
    :class:`_AdaptiveAvgPoolNd`."""

    _d = 3


class _AdaptiveMaxPoolNd(CachedModule):
    r"""Adaptive max pooling: ``y[n, c, i] = max_{h in window(i)} x[n, c, h]`` per dim (windows as the module
    docstring states); with ``return_indices=True`` the block returns ``(output, indices)``, int64 flat indices
    into each plane (``h W + w``).

    Args:
        output_size: the output's spatial size: an int, or a tuple (None entries keep the input's size).
        return_indices: also return the argmax indices. Default: False.

    Shape: (N, C, *in) or (C, *in) float -> (N, C, *output_size) or (C, *output_size); every non-batch dim of
    the input must be non-empty (an unbatched (0, L) input passes: torch checks dims 1.. only).

    Gradient: the whole cotangent of a window goes to its first maximum in row-major order; a window holding NaN
    outputs NaN and routes to its LAST NaN; overlapping windows accumulate.
    """

    _d = 0

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: np.ndarray):
        d = self._d
        x = _args.array(input, f"adaptive_max_pool{d}d")
        out, _ = _args.adaptive_sizes("max", d, x, self.output_size)
        batched = x.ndim == d + 2
        xb = x if batched else x[None]
        g, bounds, _ = K.adaptive_gather(xb, out, -np.inf)
        y, arg, _ = K.select_max(K.adaptive_views(g, tuple(b[2] for b in bounds)), -np.inf)
        return save_indexed(self, y, K.adaptive_positions(bounds, xb.shape[2:], arg), xb.shape, batched)

    def backward(self, grad_output, *rest) -> np.ndarray:
        dy, (idx, shape, batched) = cotangent(self, grad_output, rest)
        _args.adaptive_backward_check("max", self._d, dy.shape)
        return indexed_backward(dy, idx, shape, batched)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling of (N, C, L) or (C, L) to ``output_size`` (an int or a 1-tuple): see
    :class:`_AdaptiveMaxPoolNd` (windows, ties, NaN, gradient)."""

    _d = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling of (N, C, H, W) or (C, H, W) to ``output_size`` (int or (H_out, W_out), None keeps
    a size): see :class:`_AdaptiveMaxPoolNd`."""

    _d = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling of (N, C, D, H, W) or (C, D, H, W) to ``output_size``: see
    :class:`_AdaptiveMaxPoolNd`."""

    _d = 3
