"""Shuffle layers: PixelShuffle, PixelUnshuffle (sub-pixel rearrangement) and ChannelShuffle (ShuffleNet).

Each is a fixed permutation of the input's elements, written as ONE regrouping: reshape the input to a split
shape, transpose the split axes, reshape to the output shape. The gradient of a permutation is the inverse
permutation of the cotangent: reshape dy to the transposed split shape, apply the inverse transpose, reshape to the
input's shape (so PixelShuffle's backward is PixelUnshuffle of dy, and ChannelShuffle(g)'s is ChannelShuffle(C/g)).

The factor / groups argument is stored as given and checked when the layer is called, as torch does (a float or a
bool is torch's argument-parser TypeError, a non-positive int a RuntimeError). Any dtype passes through (integer
and bool inputs too, as in torch); only a floating-point input has a gradient.
"""

from __future__ import annotations

import numpy as np

from ._parameter import _typename
from .base import CachedModule

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]


def _int_argument(value, fn: str, name: str) -> int:
    """torch's parser for an ``int`` argument: Python and numpy ints; a bool or a float is a TypeError."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return int(value)
    raise TypeError(f"{fn}(): argument '{name}' (position 2) must be int, not {_typename(value)}")


class _Regroup(CachedModule):
    """y = x.reshape(split).transpose(perm).reshape(out); dL/dx = the inverse regrouping of dy."""

    def _plan(self, x: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
        """(split shape, axis permutation, output shape) for this input; raises torch's errors."""
        raise NotImplementedError

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        split, perm, out_shape = self._plan(x)
        moved = np.empty([split[a] for a in perm], x.dtype)
        moved[...] = x.reshape(split).transpose(perm)  # one copy: the output never aliases the input
        return self._save(moved.reshape(out_shape), split, perm, x.shape, x.dtype.kind == "f")

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """The inverse permutation of dy (None for a non-float input, which has no gradient)."""
        dy, split, perm, in_shape, differentiable = self._saved(dy)
        if not differentiable:
            return None
        dx = np.empty(split, dy.dtype)
        dx[...] = dy.reshape([split[a] for a in perm]).transpose(np.argsort(perm))
        return dx.reshape(in_shape)


def _sub_pixel_checks(x: np.ndarray, factor, fn: str, name: str) -> int:
    r = _int_argument(factor, fn, name)
    if x.ndim < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           "dimension(s)")
    if r <= 0:
        raise RuntimeError(f"{fn} expects a positive {name}, but got {r}")
    return r


class PixelShuffle(_Regroup):
    r"""Rearrange (*, C r^2, H, W) into (*, C, H r, W r): channel c r^2 + i r + j becomes sub-pixel (i, j).

    .. math:: y[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w]

    Args:
        upscale_factor (int): r, checked at call (a float or bool TypeError, r <= 0 RuntimeError, as torch).
    Shape: input (*, C r^2, H, W) with any number (>= 0) of leading dims (so (C r^2, H, W) unbatched works);
        output (*, C, H r, W r). A channel count not divisible by r^2, or fewer than 3 dims, is a RuntimeError.
    Gradient: PixelUnshuffle(r) of dy (a permutation: each output element is one input element).
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def _plan(self, x):
        r = _sub_pixel_checks(x, self.upscale_factor, "pixel_shuffle", "upscale_factor")
        *lead, c, h, w = x.shape
        if c % (r * r):
            raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                               f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
        n = len(lead)  # (*, C, r, r, H, W) -> (*, C, H, r, W, r)
        perm = (*range(n), n, n + 3, n + 1, n + 4, n + 2)
        return (*lead, c // (r * r), r, r, h, w), perm, (*lead, c // (r * r), h * r, w * r)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(_Regroup):
    r"""The inverse of PixelShuffle: (*, C, H r, W r) into (*, C r^2, H, W).

    .. math:: y[..., c r^2 + i r + j, h, w] = x[..., c, h r + i, w r + j]

    Args:
        downscale_factor (int): r, checked at call as PixelShuffle's.
    Shape: input (*, C, H r, W r), any leading dims; output (*, C r^2, H, W). H or W not divisible by r is a
        RuntimeError (height checked first). TRAP: an EMPTY input comes back unchanged, in its own shape (torch's
        kernel returns ``input.clone()`` for numel 0, after the checks), where PixelShuffle reshapes empties.
    Gradient: PixelShuffle(r) of dy.
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def _plan(self, x):
        r = _sub_pixel_checks(x, self.downscale_factor, "pixel_unshuffle", "downscale_factor")
        *lead, c, h, w = x.shape
        for what, size, at in (("height", h, -2), ("width", w, -1)):
            if size % r:
                raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
                                   f"input.size({at})={size} is not divisible by {r}")
        if x.size == 0:
            return x.shape, tuple(range(x.ndim)), x.shape
        n = len(lead)  # (*, C, H, r, W, r) -> (*, C, r, r, H, W)
        perm = (*range(n), n, n + 2, n + 4, n + 1, n + 3)
        return (*lead, c, h // r, r, w // r, r), perm, (*lead, c * r * r, h // r, w // r)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class ChannelShuffle(_Regroup):
    r"""Interleave g groups of channels: view the C channels as (g, C/g), transpose, flatten.

    .. math:: y[n, j g + i, ...] = x[n, i C/g + j, ...], \quad 0 <= i < g, 0 <= j < C/g

    Args:
        groups (int): g, checked at call (a float or bool TypeError; g <= 0 RuntimeError).
    Shape: (N, C, *) with at least one trailing dim (a 1-d or 2-d input is a RuntimeError: torch requires > 2
        dims); C must be divisible by g (RuntimeError). Output: the input's shape.
    Gradient: ChannelShuffle(C/g) of dy, the inverse interleaving.
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def _plan(self, x):
        g = _int_argument(self.groups, "channel_shuffle", "groups")
        if x.ndim <= 2:
            raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}")
        if g <= 0:
            raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
        n, c, *rest = x.shape
        if c % g:
            raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {g} groups.")
        return (n, g, c // g, *rest), (0, 2, 1, *range(3, x.ndim + 1)), x.shape

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
