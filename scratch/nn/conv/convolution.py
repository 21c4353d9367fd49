"""Convolutions for 1, 2 and 3 spatial dims: Conv1d/2d/3d from ONE implementation (``_ConvNd``) on the shared
windowing kernels of ``_windows.py``; ConvTranspose1d/2d/3d (``transpose.py``) is its adjoint.

Conv (cross-correlation, no kernel flip), for group g = o // (O/G) reading input channels [g C/G, (g+1) C/G):

    y[n, o, p] = b[o] + sum_{c in group(o), j} w[o, c - g C/G, j] * xp[n, c, s p + r j]      (xp: padded x)

As matrices: cols = im2col(xp) (C*K, N*P) with K = prod(kernel), P = prod(out); per group Y_g = W_g cols_g, one
batched GEMM. Backward, closed form (the adjoint of each step):

    dW_g = dY_g cols_g^T;   db = sum over n and p of dy;   dx = pad_backward(col2im(W_g^T dY_g))

col2im adds every window element back where im2col read it, so input rows no window covers get exactly 0.

ConvTranspose is the vjp of that conv with respect to its input (the same weight, stride, padding, dilation,
groups): its forward is the conv's input-gradient computation (W^T x, col2im, crop the padding) and its backward
the conv's forward (pad, im2col, W): no formula is written twice.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _windows as win
from .._pad_checks import check_edge_padding
from ..base import CachedModule
from ..module import Parameter, check_float_dtype

__all__ = ["Conv1d", "Conv2d", "Conv3d"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
_TORCH_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _size_list(shape) -> str:
    return "[" + ", ".join(str(n) for n in shape) + "]"


class _ConvNd(CachedModule):
    """Parameters, validation and the shared GEMM of every convolution; subclasses set ``_dims``."""

    _dims: int
    needs_input_grad: bool = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self._set_hyper_parameters(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
                                   padding_mode)
        dt = check_float_dtype(dtype)
        shape = self._weight_shape()
        if min(shape) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")
        self.weight = Parameter(np.empty(shape, dt))
        self.bias = Parameter(np.empty(out_channels, dt)) if bias else None
        self._reset_parameters(rng if rng is not None else np.random.default_rng())

    def _set_hyper_parameters(self, in_channels: int, out_channels: int, kernel_size, stride, padding, dilation,
                              groups: int, padding_mode: str) -> None:
        """torch's construction checks, in its order, and the attributes they set."""
        d = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.kernel_size = win.ntuple(kernel_size, d, "kernel_size")
        self.stride = win.ntuple(stride, d, "stride")
        self.dilation = win.ntuple(dilation, d, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = win.ntuple(padding, d, "padding")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {set(PADDING_MODES)}, but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels, self.groups = int(in_channels), int(out_channels), int(groups)
        self.padding_mode = padding_mode

    def _reset_parameters(self, rng: np.random.Generator) -> None:
        """torch's reset_parameters: kaiming_uniform_(a=sqrt 5) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in =
        weight.size(1) * prod(k), and the bias from the same bound; the weight is drawn first, then the bias.
        torch's kaiming_uniform_ warns for an empty weight (a Lazy conv's too, when it materializes one)."""
        shape = self.weight.shape
        if math.prod(shape) == 0:
            warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=4)
        fan_in = shape[1] * math.prod(self.kernel_size)
        bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
        self.weight.data[...] = rng.uniform(-bound, bound, shape)
        if self.bias is not None:
            self.bias.data[...] = rng.uniform(-bound, bound, self.out_channels)

    def _weight_shape(self) -> tuple[int, ...]:
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def _pads(self) -> list[tuple[int, int]]:
        """(lo, hi) per spatial dim; 'same' puts the odd element of d (k - 1) on the high side, as torch."""
        if self.padding == "valid":
            return [(0, 0)] * self._dims
        if self.padding == "same":
            return [(r * (k - 1) // 2, r * (k - 1) - r * (k - 1) // 2) for k, r in zip(self.kernel_size,
                                                                                       self.dilation, strict=True)]
        return [(p, p) for p in self.padding]

    def _check_geometry(self, x: np.ndarray) -> None:
        """torch's checks of the hyper-parameters at call time, in its order. A padding_mode other than 'zeros'
        pads with F.pad, where a negative padding crops, and then convolves unpadded: no padding check."""
        if self.padding_mode == "zeros" and any(p < 0 for lo_hi in self._pads() for p in lo_hi):
            raise RuntimeError("negative padding is not supported")
        if any(s <= 0 for s in self.stride):
            raise RuntimeError("non-positive stride is not supported")
        if any(r <= 0 for r in self.dilation):
            raise RuntimeError(f"dilation should be greater than zero, but got {list(self.dilation)}")
        if any(k <= 0 for k in self.kernel_size):
            raise RuntimeError(f"kernel size should be greater than zero, but got {list(self.kernel_size)}")

    def _batched(self, input: np.ndarray, transposed: bool = False) -> tuple[np.ndarray, bool]:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if self.padding_mode != "zeros":  # torch pads with F.pad first: its checks come before the conv's
            check_edge_padding(x, self._pads(), _TORCH_MODE[self.padding_mode])
        d = self._dims
        if x.ndim not in (d + 1, d + 2):
            op = f"conv_transpose{d}d" if transposed else f"conv{d}d"
            raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {op}, but got "
                               f"input of size: {_size_list(x.shape)}")
        if x.dtype != self.weight.dtype:
            raise RuntimeError(f"Input type ({x.dtype}) and weight type ({self.weight.dtype}) should be the same")
        return (x, False) if x.ndim == d + 2 else (x[None], True)

    def _padded(self, x: np.ndarray) -> np.ndarray:
        """x padded by the padding mode (its sizes were checked with F.pad's rules by _batched)."""
        pads = self._pads()
        return win.pad(x, pads, _TORCH_MODE[self.padding_mode]) if any(lo or hi for lo, hi in pads) else x

    def _out(self, xp: np.ndarray) -> tuple[int, ...]:
        d = self._dims
        dilated = tuple(r * (k - 1) + 1 for k, r in zip(self.kernel_size, self.dilation, strict=True))
        if any(xp.shape[2 + i] < dilated[i] for i in range(d)):
            raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, xp.shape[2:]))}). "
                               f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater "
                               "than actual input size")
        return tuple(win.out_size(xp.shape[2 + i], self.kernel_size[i], self.stride[i], 0, 0, self.dilation[i])
                     for i in range(d))

    def _gemm_weight(self) -> np.ndarray:
        """(G, O/G, C/G * K): the weight as one matrix per group."""
        g = self.groups
        return self.weight.data.reshape(g, self.out_channels // g, -1)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x, unbatched = self._batched(input)
        self._check_geometry(x)
        c, g = x.shape[1], self.groups
        if c != self.in_channels:
            raise RuntimeError(f"Given groups={g}, weight of size {_size_list(self.weight.shape)}, expected input"
                               f"{_size_list(x.shape)} to have {self.in_channels} channels, but got {c} channels "
                               "instead")
        xp = self._padded(x)
        out = self._out(xp)
        n = x.shape[0]
        if n and c and 0 in x.shape[2:]:
            raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: "
                               f"{_size_list(x.shape)}")
        rows = c * math.prod(self.kernel_size)
        cols = win.im2col(xp, self.kernel_size, self.stride, self.dilation, out,
                          buffer=self._workspace("cols", (rows, n * math.prod(out)), x.dtype))
        y_g = np.matmul(self._gemm_weight(), cols.reshape(g, rows // g, -1))  # (G, O/G, N * P)
        y = np.empty((n, self.out_channels) + out, x.dtype)
        y_t = np.moveaxis(y_g.reshape((self.out_channels, n) + out), 0, 1)
        if self.bias is not None:  # one pass: the bias added while the result is laid out as (N, O, *out)
            np.add(y_t, self.bias.data.reshape((-1,) + (1,) * self._dims), out=y)
        else:
            np.copyto(y, y_t)
        return self._save(y[0] if unbatched else y, cols, x.shape, xp.shape, out, unbatched)

    def _workspace(self, name: str, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        """A scratch array kept between calls (not state: never in the state_dict), reallocated when the shape
        or dtype changes. Safe to reuse because only the latest forward's cache is ever used: a new forward
        replaces the cache that held the previous contents."""
        space = self.__dict__.setdefault("_workspaces", {})
        buf = space.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = space[name] = np.empty(shape, dtype)
        return buf

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, cols, x_shape, xp_shape, out, unbatched = self._saved(dy)
        dy = dy[None] if unbatched else dy
        g, o = self.groups, self.out_channels
        dy_g = np.moveaxis(dy, 1, 0).reshape(g, o // g, -1)  # (G, O/G, N * P)
        cols_g = cols.reshape(g, cols.shape[0] // g, -1)
        if self.weight.requires_grad:
            self.weight.accumulate(np.matmul(dy_g, cols_g.transpose(0, 2, 1)).reshape(self.weight.shape),
                                   owned=True)
        if self.bias is not None and self.bias.requires_grad:
            self.bias.accumulate(dy.sum(axis=(0,) + tuple(range(2, dy.ndim))), owned=True)
        if not self.needs_input_grad:
            return None
        dcols = self._workspace("dcols", (g, cols.shape[0] // g, cols.shape[1]), cols.dtype)
        dcols = np.matmul(self._gemm_weight().transpose(0, 2, 1), dy_g, out=dcols).reshape(cols.shape)
        dxp = win.col2im(dcols, xp_shape, self.kernel_size, self.stride, self.dilation, out)
        dx = win.pad_backward(dxp, x_shape, self._pads(), _TORCH_MODE[self.padding_mode]) \
            if xp_shape != x_shape else dxp
        return dx[0] if unbatched else dx

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


_CONV_DOC = """{d}-d convolution (cross-correlation) over an input (N, C_in, {spatial}) or unbatched (C_in, {spatial}).

    Formula, matrices and gradient: see the module docstring (one implementation for 1, 2 and 3 dims).
    Args:
        in_channels, out_channels (int); kernel_size (int or tuple of {d});
        stride (default 1), dilation (default 1): int or tuple;
        padding (default 0): int, tuple, 'valid' (0) or 'same' (stride 1 only; d (k - 1) split with the odd
            element on the high side, as torch);
        groups (int, default 1): in_channels and out_channels divisible by it; group g maps input channels
            [g C_in/G, (g+1) C_in/G) to output channels [g C_out/G, (g+1) C_out/G); groups = C_in is depthwise;
        bias (bool, default True); padding_mode ('zeros' | 'reflect' | 'replicate' | 'circular');
        dtype (default np.float32), rng (np.random.Generator, optional).
    Init: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C_in/groups * prod(kernel_size) (torch's).
    Shape: weight (C_out, C_in/groups, *kernel_size), bias (C_out,); output size per dim
        floor((size + lo + hi - dilation (k - 1) - 1) / stride) + 1.
    ``needs_input_grad`` (attribute, default True): False skips the input gradient (a first layer).
    """


class Conv1d(_ConvNd):
    __doc__ = _CONV_DOC.format(d=1, spatial="L")
    _dims = 1


class Conv2d(_ConvNd):
    __doc__ = _CONV_DOC.format(d=2, spatial="H, W")
    _dims = 2


class Conv3d(_ConvNd):
    __doc__ = _CONV_DOC.format(d=3, spatial="D, H, W")
    _dims = 3
