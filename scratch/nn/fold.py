"""Unfold (im2col) and Fold (col2im) as blocks, on the shared windowing kernels of ``_windows.py``; each is the
other's adjoint, so each one's backward is the other's forward.

Unfold: (N, C, H, W) -> (N, C * kh * kw, L), L = blocks_h * blocks_w, with column l = (i, j) in row-major order
and row (c, u, v):   y[n, (c, u, v), (i, j)] = xp[n, c, s_h i + r_h u, s_w j + r_w v]   (xp: zero-padded x).
Fold:   (N, C * kh * kw, L) -> (N, C, *output_size), every entry added back where Unfold reads it (overlapping
blocks sum), then the padding cropped.
"""

from __future__ import annotations

import math

import numpy as np

from . import _windows as win
from .base import CachedModule

__all__ = ["Fold", "Unfold"]


def _ints(value, name: str) -> tuple[int, ...]:
    """One IntArrayRef argument as torch's binding parses it: an int or a sequence of ints (numpy ints too), never a
    bool or a float (TypeError); an int stands for both dims."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return (int(value),) * 2
    values = tuple(value) if isinstance(value, list | tuple | np.ndarray) else None
    if values is None or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
        raise TypeError(f"argument '{name}' must be tuple of ints, but got {value!r}")
    return tuple(int(v) for v in values)


def _args(kernel_size, dilation, padding, stride, **more) -> tuple[tuple[int, ...], ...]:
    """The hyper-parameters as pairs (``more``: Fold's output_size, returned first), checked as torch checks them
    at call time: every argument's type first (TypeError), then each one's length (RuntimeError), then the
    kernel, dilation, padding and stride values (RuntimeError)."""
    named = {**more, "kernel_size": kernel_size, "dilation": dilation, "padding": padding, "stride": stride}
    pairs = {name: _ints(v, name) for name, v in named.items()}
    for name, v in pairs.items():
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    k, r, p, s = (pairs[name] for name in ("kernel_size", "dilation", "padding", "stride"))
    for values, what, ok in ((k, "kernel size should be greater than zero", lambda v: v > 0),
                             (r, "dilation should be greater than zero", lambda v: v > 0),
                             (p, "padding should be non-negative", lambda v: v >= 0),
                             (s, "stride should be greater than zero", lambda v: v > 0)):
        if not all(ok(v) for v in values):
            name = what.split(" should")[0].replace("kernel size", "kernel").replace("padding", "pad")
            raise RuntimeError(f"{what}, but got {name}_height: {values[0]} {name}_width: {values[1]}")
    return (*(pairs[name] for name in more), k, r, p, s)


def _array(x) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
    return x


def _float(x: np.ndarray, op: str) -> None:
    """torch checks the dtype last, after the arguments and every shape check."""
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{op}" not implemented for {x.dtype}')


class _Blocks(CachedModule):
    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Unfold(_Blocks):
    """Sliding local blocks of a batched (N, C, H, W) or unbatched (C, H, W) input as columns (see the module
    docstring for the layout).

    Args: kernel_size, dilation (1), padding (0, zeros), stride (1): int or pair.
    Shape: (N, C, H, W) -> (N, C * prod(kernel_size), L); unbatched (C, H, W) -> (C * prod(kernel_size), L).
    Gradient: Fold of the cotangent (each window element's gradient added back where it was read; positions no
    block covers get 0).
    """

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _array(input)
        k, r, p, s = _args(self.kernel_size, self.dilation, self.padding, self.stride)
        if x.ndim < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], but "
                             f"got {x.ndim})")
        if x.ndim > 4 or 0 in x.shape[-3:]:  # an unbatched input's channels too; only a batch may be empty
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                               f"dimensions for input, but got: {list(x.shape)}")
        unbatched = x.ndim == 3
        xb = x[None] if unbatched else x
        out = tuple(win.out_size(xb.shape[2 + i], k[i], s[i], p[i], p[i], r[i]) for i in range(2))
        if min(out) < 1:
            raise RuntimeError(f"Given input with spatial size {tuple(xb.shape[2:])}, kernel_size={k}, dilation={r}, "
                               f"padding={p}, calculated shape of the array of sliding blocks as {out}, but its "
                               "components must be at least one.")
        _float(x, "im2col_out_cpu")
        xp = win.pad(xb, [(v, v) for v in p])
        n, c = xb.shape[:2]
        cols = win.im2col(xp, k, s, r, out).reshape(c * k[0] * k[1], n, out[0] * out[1])
        y = np.ascontiguousarray(cols.transpose(1, 0, 2))
        return self._save(y[0] if unbatched else y, xb.shape, xp.shape, out, unbatched, (k, r, p, s))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, shape, padded, out, unbatched, (k, r, p, s) = self._saved(dy)
        dy = dy[None] if unbatched else dy
        cols = dy.transpose(1, 0, 2).reshape(dy.shape[1], dy.shape[0] * dy.shape[2])
        dx = win.pad_backward(win.col2im(cols, padded, k, s, r, out), shape, [(v, v) for v in p], "constant")
        dx = np.ascontiguousarray(dx)
        return dx[0] if unbatched else dx


class Fold(_Blocks):
    """Sums columns of sliding blocks back into an image: the adjoint of :class:`Unfold` (not its inverse:
    overlapping blocks add up).

    Args: output_size (int or pair: H, W), kernel_size, dilation (1), padding (0), stride (1).
    Shape: (N, C * prod(kernel_size), L) -> (N, C, H, W); unbatched (C * prod(kernel_size), L) -> (C, H, W);
    L must equal the number of blocks Unfold would take from (H, W).
    Gradient: Unfold of the cotangent.
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__(kernel_size, dilation, padding, stride)
        self.output_size = output_size

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _array(input)
        size, k, r, p, s = _args(self.kernel_size, self.dilation, self.padding, self.stride,
                                 output_size=self.output_size)
        if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
            raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                               f"non-zero dimensions for input, but got: {list(x.shape)}")
        unbatched = x.ndim == 2
        xb = x[None] if unbatched else x
        kk = k[0] * k[1]
        if xb.shape[1] % kk:
            raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                               f"but got input.size(1)={xb.shape[1]} and kernel_size={k}.")
        blocks = tuple(win.out_size(size[i], k[i], s[i], p[i], p[i], r[i]) for i in range(2))
        if xb.shape[2] != math.prod(blocks):
            raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={r}, padding={p}, stride={s}, "
                               "expected size of input's dimension 2 to match the calculated number of sliding "
                               f"blocks {blocks[0]} * {blocks[1]} = {math.prod(blocks)}, but got "
                               f"input.size(2)={xb.shape[2]}.")
        _float(x, "col2im_out_cpu")
        n, c = xb.shape[0], xb.shape[1] // kk
        padded = (n, c) + tuple(size[i] + 2 * p[i] for i in range(2))
        cols = xb.transpose(1, 0, 2).reshape(xb.shape[1], n * xb.shape[2])
        y = win.pad_backward(win.col2im(cols, padded, k, s, r, blocks), (n, c) + size, [(v, v) for v in p],
                             "constant")
        y = np.ascontiguousarray(y)
        return self._save(y[0] if unbatched else y, padded, blocks, unbatched, (k, r, p, s))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, padded, blocks, unbatched, (k, r, p, s) = self._saved(dy)
        dy = dy[None] if unbatched else dy
        n, c = dy.shape[:2]
        cols = win.im2col(win.pad(dy, [(v, v) for v in p]), k, s, r, blocks)
        dx = np.ascontiguousarray(cols.reshape(c * k[0] * k[1], n, math.prod(blocks)).transpose(1, 0, 2))
        return dx[0] if unbatched else dx

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}, " + super().extra_repr()
