"""Windows over the spatial dims of (N, C, *spatial) arrays: ONE implementation for 1, 2 and 3 spatial dims,
shared by convolution, transposed convolution, pooling, padding and fold/unfold.

Notation: ``d`` spatial dims; per dim a kernel ``k``, stride ``s``, dilation ``r`` and padding ``(lo, hi)``.
A window of output position ``o`` covers the padded input positions ``s o + r j`` for ``j = 0 .. k-1``, so

    out = floor((size + lo + hi - r (k - 1) - 1) / s) + 1                                   (torch's formula)

- :func:`pad` / :func:`pad_backward`: every padding mode (zeros/constant, reflect, replicate, circular; negative
  padding crops) as ONE gather along each dim by an index map (``source[i]`` = the input position that padded
  position ``i`` copies, -1 for a constant); the backward is that gather's transpose (an unbuffered scatter-add,
  so an inf in the cotangent stays where it belongs).
- :func:`windows`: a read-only strided view (N, C, *out, *kernel) of a padded array (no copy).
- :func:`im2col` / :func:`col2im`: the windows copied as a (C * prod(k), N * prod(out)) matrix, rows (c, j),
  columns (n, o), the layout in which a convolution is one GEMM; col2im is its adjoint, summed by one strided
  ``+=`` per kernel offset (a loop over kernel offsets, never over elements or windows).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

PAD_MODES = ("constant", "reflect", "replicate", "circular")


def ntuple(value, n: int, name: str) -> tuple[int, ...]:
    """An int or a length-n sequence of ints, as a tuple (torch's ``_ntuple``)."""
    if isinstance(value, int | np.integer):
        return (int(value),) * n
    values = tuple(value)
    if len(values) != n or not all(isinstance(v, int | np.integer) for v in values):
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    return tuple(int(v) for v in values)


def out_size(size: int, kernel: int, stride: int, lo: int, hi: int, dilation: int) -> int:
    """floor((size + lo + hi - dilation (kernel - 1) - 1) / stride) + 1 (may be <= 0: the caller raises)."""
    return (size + lo + hi - dilation * (kernel - 1) - 1) // stride + 1


# -- padding: one gather per dim ----------------------------------------------------------------------------------
def pad_source(size: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """For each position of the padded axis, the input position it copies; -1 where a constant is written.
    reflect mirrors without repeating the edge ([2,1,0,1,2,...]), replicate repeats the edge, circular wraps.

    Negative lo/hi crop, in torch's order per mode: reflect and replicate pad from the WHOLE axis and then crop
    ([0,1,2,3] with (3, -2): [3,2,1,0,1]), circular crops FIRST and wraps what is left ((1, -2): [1,0,1])."""
    if mode in ("reflect", "replicate"):
        i = np.arange(-lo, size + hi)
        if mode == "replicate":
            return np.clip(i, 0, size - 1)
        period = 2 * (size - 1)
        r = np.abs(i) % period if period else np.zeros_like(i)
        return np.where(r < size, r, period - r)
    start, stop = max(0, -lo), size - max(0, -hi)  # the cropped axis
    m = stop - start
    i = np.arange(-max(lo, 0), m + max(hi, 0))
    if mode == "constant":
        return np.where((i >= 0) & (i < m), i + start, -1)
    if mode == "circular":
        return i % m + start if m else np.full(i.shape, -1)
    raise ValueError(f"padding mode must be one of {PAD_MODES}, got {mode!r}")


def pad(x: np.ndarray, pads: Sequence[tuple[int, int]], mode: str = "constant", value: float = 0.0) -> np.ndarray:
    """Pad (or crop, where negative) the LAST len(pads) dims of x; ``pads[i] = (lo, hi)`` for dim ``-len(pads)+i``.

    Equals ``np.pad`` with mode constant / reflect / edge / wrap for non-negative pads (reflect is numpy's
    'reflect', not 'symmetric'). The caller validates the sizes (reflect needs pad < size, circular pad <= size)."""
    d = len(pads)
    if mode == "constant" and all(lo >= 0 and hi >= 0 for lo, hi in pads):  # the common case, without a gather
        out = np.full(x.shape[:-d] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[-d:], pads, strict=True)),
                      value, dtype=x.dtype)
        out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[-d:], pads, strict=True))] = x
        return out
    out = x
    for axis, (lo, hi) in zip(range(x.ndim - d, x.ndim), pads, strict=True):
        src = pad_source(x.shape[axis], lo, hi, mode)
        out = np.take(out, np.maximum(src, 0), axis=axis)
        if (src < 0).any():
            where = [slice(None)] * out.ndim
            where[axis] = src < 0
            out[tuple(where)] = value
    return out


def pad_backward(g: np.ndarray, shape: tuple[int, ...], pads: Sequence[tuple[int, int]], mode: str) -> np.ndarray:
    """The adjoint of :func:`pad`: each padded position's gradient is added to the input position it copied
    (edges of reflect/replicate/circular receive several), constants receive nothing."""
    d = len(pads)
    if mode == "constant" and all(lo >= 0 and hi >= 0 for lo, hi in pads):
        return g[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(shape[-d:], pads, strict=True))]
    for axis, (lo, hi) in reversed(list(zip(range(len(shape) - d, len(shape)), pads, strict=True))):
        src = pad_source(shape[axis], lo, hi, mode)
        keep = src >= 0
        last = np.moveaxis(g, axis, -1)
        folded = np.zeros(last.shape[:-1] + (shape[axis],), g.dtype)
        np.add.at(folded, (Ellipsis, src[keep]), last[..., keep])  # each padded entry back where it was copied
        g = np.moveaxis(folded, -1, axis)
    return g


# -- windows -----------------------------------------------------------------------------------------------------
def windows(xp: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
            out: Sequence[int]) -> np.ndarray:
    """Read-only view (N, C, *out, *kernel) of xp (N, C, *padded): ``[n, c, o.., j..] = xp[n, c, s o + r j ..]``.

    numpy's sliding_window_view over the dilated extents, then every s-th window and every r-th element of it:
    a view that cannot reach past xp (a padded size too small for ``out`` windows gives fewer of them)."""
    if 0 in out:  # no window (an empty output): nothing to read, whatever the padded sizes
        return np.empty(xp.shape[:2] + tuple(out) + tuple(kernel), xp.dtype)
    d = len(kernel)
    span = tuple(r * (k - 1) + 1 for k, r in zip(kernel, dilation, strict=True))
    view = np.lib.stride_tricks.sliding_window_view(xp, span, axis=tuple(range(2, 2 + d)))
    return view[(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out, strict=True))
                + tuple(slice(None, None, r) for r in dilation)]


def im2col(xp: np.ndarray, kernel: Sequence[int], stride: Sequence[int], dilation: Sequence[int],
           out: Sequence[int], buffer: np.ndarray | None = None) -> np.ndarray:
    """(C * prod(kernel), N * prod(out)): rows ordered (c, j_1.., j_d), columns (n, o_1.., o_d).

    Copying the windows in this order (channels and kernel offsets outermost, output positions innermost, as
    CS231n's fast layers do) reads each input row contiguously; the (N * out, C * k) order costs ~4x more.
    ``buffer`` (optional, C-contiguous, of that shape and dtype) receives the copy: a reused buffer saves the
    page faults of a fresh multi-megabyte array at every call."""
    d = len(kernel)
    w = windows(xp, kernel, stride, dilation, out)  # (N, C, *out, *k)
    order = (1,) + tuple(range(2 + d, 2 + 2 * d)) + (0,) + tuple(range(2, 2 + d))
    if buffer is None:
        n, c = xp.shape[:2]
        return w.transpose(order).reshape(c * math.prod(kernel), n * math.prod(out))
    np.copyto(buffer.reshape(tuple(w.shape[i] for i in order)), w.transpose(order))
    return buffer


def col2im(cols: np.ndarray, padded: tuple[int, ...], kernel: Sequence[int], stride: Sequence[int],
           dilation: Sequence[int], out: Sequence[int]) -> np.ndarray:
    """The adjoint of :func:`im2col`: (C * prod(k), N * prod(out)) -> (N, C, *padded), where every window
    element adds into the padded position it was read from (positions no window covers get exactly 0)."""
    d = len(kernel)
    n, c = padded[:2]
    blocks = cols.reshape((c,) + tuple(kernel) + (n,) + tuple(out))
    # summed in (C, N, *padded), the layout of the blocks: a same-layout add runs ~3x faster than one whose
    # source is a transposed view; one transpose at the end
    result = np.zeros((c, n) + tuple(padded[2:]), dtype=cols.dtype)
    offsets = itertools.product(*(range(k) for k in kernel)) if 0 not in out else ()  # no window: nothing adds
    for j in offsets:  # one strided add per kernel offset
        target = (slice(None), slice(None)) + tuple(
            slice(dilation[i] * j[i], dilation[i] * j[i] + stride[i] * (out[i] - 1) + 1, stride[i]) for i in range(d))
        result[target] += blocks[(slice(None),) + j]
    return np.moveaxis(result, 0, 1)
