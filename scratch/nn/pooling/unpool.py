"""MaxUnpool1d/2d/3d: the partial inverse of max pooling, ``y = 0 everywhere; y[n, c, indices[n, c, i]] = x[n, c, i]``.

``indices`` are what MaxPool returns with ``return_indices=True``: int64 flat positions in each (sample, channel)
plane of the OUTPUT (``h W + w``; 3-d ``(t H + h) W + w``). The output's spatial size is, per dim,

    default = (n - 1) s - 2 p + k

or ``output_size`` (d or d + 2 numbers, each strictly between default - s and default + s). Every check is
torch's, in torch's order, with its class and message: the output_size rules (ValueError, torch's Python), then
the int64 indices, the input's rank, the indices' shape and empty non-batch dims (RuntimeError), integer values
(NotImplementedError), and an index outside the plane (RuntimeError). torch runs the 1-d case as 2-d with a
trailing unit dim, so its messages speak of 2-d and of shapes ending in 1; scratch's say the same.
"""

from __future__ import annotations

import collections.abc
import math

import numpy as np

from .._dtypes import torch_dtype_name
from ..base import CachedModule

__all__ = ["MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]



def _ntuple(value, d: int) -> tuple:
    """torch's ``_single`` / ``_pair`` / ``_triple``: an iterable is kept as a tuple (of ANY length, unlike
    ``_windows.ntuple``, which validates: torch's unpooling accepts a 3-tuple kernel in 2-d and fails later with
    IndexError), a number repeated d times."""
    return tuple(value) if isinstance(value, collections.abc.Iterable) else (value,) * d


def output_spatial_size(shape: tuple[int, ...], kernel: tuple, stride: tuple, padding: tuple, output_size):
    """torch's ``_unpool_output_size``: the default ``(n - 1) s - 2 p + k`` per dim, or ``output_size`` checked
    against it (ValueError)."""
    default = [(shape[-len(kernel) + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(len(kernel))]
    if output_size is None:
        size = default
    else:
        if len(output_size) == len(kernel) + 2:
            output_size = output_size[2:]
        if len(output_size) != len(kernel):
            raise ValueError(f"output_size should be a sequence containing {len(kernel)} or {len(kernel) + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for d in range(len(kernel)):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < output_size[d] < high:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
        size = list(output_size)
    for d, n in enumerate(size):
        if n < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but got "
                             f"output_size[{d}]={n}")
    return tuple(int(n) for n in size)


def _check(x: np.ndarray, idx: np.ndarray, d: int) -> None:
    """torch's C++ checks of max_unpooling{2,3}d, in its order (the 1-d case is the 2-d kernel on (..., L, 1))."""
    k = max(d, 2)
    xs, js = (x.shape + (1,), idx.shape + (1,)) if d == 1 else (x.shape, idx.shape)
    if idx.dtype != np.int64:
        got = f" but got: {torch_dtype_name(idx.dtype)}" if k == 2 else ""
        raise RuntimeError(f"elements in indices should be type int64{got}")
    if len(xs) not in (k + 1, k + 2):
        raise RuntimeError(f"Input to max_unpooling{k}d should be a {k + 1}d or {k + 2}d Tensor, but got a tensor "
                           f"with {len(xs)} dimensions.")
    if xs != js:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(xs)}) but got "
                           f"indices tensor with shape: {list(js)}")
    for dim in range(1, len(xs)):
        if xs[dim] == 0:
            raise RuntimeError(f"max_unpooling{k}d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(xs)} with dimension {dim} being empty.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"max_unpool{k}d\" not implemented for '{torch_dtype_name(x.dtype)}'")


class _MaxUnpoolNd(CachedModule):
    r"""Max unpooling over d spatial dims: a zero output of the unpooled size with each input value written at
    its index, ``y.flat_plane[indices[i]] = x[i]`` per (sample, channel) plane.

    Args:
        kernel_size: the pooling window, an int or a d-tuple.
        stride: the pooling step. Default: ``kernel_size``.
        padding: the pooling's padding. Default: 0.

    Forward: ``forward(input, indices, output_size=None)``; ``output_size`` picks among the sizes a strided
    pooling maps to the same input size (d or d + 2 numbers; torch's range check).

    Shape: input and indices (N, C, *in) or (C, *in) -> (N, C, *out), out = (in - 1) s - 2 p + k per dim.

    Gradient: ``dx[i] = dy.flat_plane[indices[i]]`` (a gather), torch's rule. Where two inputs share an index the
    output holds the LAST one (row-major order in the plane, as torch's CPU loop), yet both receive that
    position's cotangent, so the gradient is not the derivative there (torch's too); the indices take none.
    """

    _d = 0

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, self._d)
        self.stride = _ntuple(stride if stride is not None else kernel_size, self._d)
        self.padding = _ntuple(padding, self._d)

    def forward(self, input: np.ndarray, indices: np.ndarray, output_size=None) -> np.ndarray:
        x, idx = np.asarray(input), np.asarray(indices)
        size = output_spatial_size(x.shape, self.kernel_size, self.stride, self.padding, output_size)
        _check(x, idx, self._d)
        lead = x.shape[:-self._d]
        planes, plane_in, plane_out = math.prod(lead), math.prod(x.shape[-self._d:]), math.prod(size)
        flat = np.array(idx.reshape(planes, plane_in), copy=True)  # its own copy: the caller may reuse indices
        out = np.zeros((planes, plane_out), x.dtype)
        if out.size:  # torch checks (and writes) nothing when the output is empty
            bad = (flat < 0) | (flat >= plane_out)
            if bad.any():
                shown = "x".join(map(str, size + ((1,) if self._d == 1 else ())))
                raise RuntimeError(f"Found an invalid max index: {flat[bad][0]} (output volumes are of size {shown})")
            # a repeated index keeps the LAST value in row-major order, as torch's CPU loop: numpy assigns in memory
            # order, and both index arrays here are fresh C-contiguous arrays (checked by an entry with repeats)
            out[np.arange(planes)[:, None], flat] = x.reshape(planes, plane_in)
        return self._save(out.reshape(lead + size), flat, x.shape)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        dy, flat, shape = self._saved(grad_output)
        planes = flat.shape[0]
        plane = dy.reshape(planes, dy.size // planes if planes else 0)
        if plane.shape[1] == 0:  # an empty output (or batch): nothing to gather
            if flat.size:  # torch's gather from the empty output refuses the indices it would read
                raise RuntimeError(f"index {flat.flat[0]} is out of bounds for dimension {len(shape) - self._d} "
                                   "with size 0")
            return np.zeros(shape, dy.dtype)
        return np.take_along_axis(plane, flat, axis=1).reshape(shape)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """1-d max unpooling: ``y[n, c, indices[n, c, l]] = x[n, c, l]``; see :class:`_MaxUnpoolNd`.
    Shape: (N, C, L_in) or (C, L_in) -> (N, C, L_out), L_out = (L_in - 1) s - 2 p + k."""

    _d = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """2-d max unpooling into (H_out, W_out) planes, indices ``h W_out + w``; see :class:`_MaxUnpoolNd`.
    Shape: (N, C, H_in, W_in) or (C, H_in, W_in) -> (N, C, H_out, W_out)."""

    _d = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """3-d max unpooling into (D_out, H_out, W_out) volumes, indices ``(t H_out + h) W_out + w``; see
    :class:`_MaxUnpoolNd`. Shape: (N, C, D_in, H_in, W_in) or (C, D_in, H_in, W_in) -> (N, C, *out)."""

    _d = 3
