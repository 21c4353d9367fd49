"""The pooling kernels over (N, C, *spatial) arrays, for any number d of spatial dims, built on ``_windows``.

Every window is walked by a loop over its kernel offsets in row-major order (never over elements, batch rows or
windows): offset ``f`` is the view ``v_f`` (N, C, *out) of one element of every window.

- max (:func:`select_max`): ``y = max_f v_f`` (NaN propagates), ``arg`` = the first offset equal to ``y``; then
  the windows torch's scan never updates (``y`` is the fill: all -inf, padding included) are reported as ``low``
  so the caller can point them at their first in-input element, and a NaN window points at its LAST NaN. That is
  exactly torch's rule ``if (val > maxval || isnan(val)) take`` from ``maxval = -inf``.
- the backward of a windowed pool is :func:`_windows.col2im` of per-offset cotangents (one strided add per
  offset) cropped by ``pad_backward``; the fast path (non-overlapping, unpadded, undilated max windows) writes
  each offset's share straight into its block: no accumulation, no transposes.
- avg: the window sum accumulated offset by offset in row-major order, then ONE division by the integer divisor
  (torch's CPU loop, so float32 agrees bit for bit); integers divide truncating toward zero, as C++ does.
- adaptive: variable windows ``[floor(i H / o), ceil((i + 1) H / o))`` gathered per dim into (o, kmax) blocks (an
  invalid slot holds the fill); the backward scatters by ``np.bincount`` (windows overlap and repeat).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .. import _windows as W
from ._args import Plan

FAST = True  # the non-overlapping max-pool fast path (tests switch it off to compare with the general path)


def offsets(kernel) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(k) for k in kernel)))


def fill_value(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _interleave(a, b) -> tuple:
    return tuple(v for pair in zip(a, b, strict=True) for v in pair)


def _along(values: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    """A 1-d array shaped to broadcast along ``axis`` of an ndim-d array."""
    return values.reshape((1,) * axis + (-1,) + (1,) * (ndim - axis - 1))


# -- windowed pools -----------------------------------------------------------------------------------------------
def pads(plan: Plan, spatial: tuple[int, ...]) -> list[tuple[int, int]]:
    """(lo, hi) per dim: the padding, and on the right as much as the last window reaches (the ceil overhang)."""
    return [(p, max(0, (o - 1) * s + r * (k - 1) + 1 - n - p))
            for n, k, s, p, r, o in zip(spatial, *plan[:5], strict=True)]


def window_views(x: np.ndarray, plan: Plan, value) -> tuple[list[np.ndarray], list[tuple[int, int]]]:
    """One (N, C, *out) view per kernel offset, over x padded with ``value``."""
    pp = pads(plan, x.shape[2:])
    xp = W.pad(x, pp, value=value) if any(lo or hi for lo, hi in pp) else x
    win = W.windows(xp, plan.kernel, plan.stride, plan.dilation, plan.out)
    return [win[(Ellipsis,) + j] for j in offsets(plan.kernel)], pp


def is_fast(plan: Plan, spatial: tuple[int, ...]) -> bool:
    """Non-overlapping windows inside the input: kernel == stride, no padding, no dilation, and no ceil_mode
    window clipped at the edge."""
    return (FAST and plan.kernel == plan.stride and not any(plan.padding) and all(r == 1 for r in plan.dilation)
            and all(o * k <= n for o, k, n in zip(plan.out, plan.kernel, spatial, strict=True)))


def first_max(views: list[np.ndarray], y: np.ndarray) -> np.ndarray:
    """The first offset whose value equals y, counted as the number of leading offsets that differ from it
    (cheap byte operations; a NaN window counts K - 1, the caller fixes it)."""
    none = views[0] != y
    arg = none.astype(np.uint8 if len(views) <= 255 else np.int64)
    for v in views[1:-1]:
        none &= v != y
        arg += none
    if len(views) == 1:
        return np.zeros_like(arg)
    return arg


def select_max(views: list[np.ndarray], fill) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(y, arg, low): torch's max with its tie (first max), NaN (last NaN) and all-fill (``low``) rules."""
    if len(views) == 1:
        y = views[0].copy()
    else:
        y = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(y, v, out=y)
    arg = first_max(views, y)
    if y.dtype.kind == "f":
        nan = np.isnan(y)
        if nan.any():
            last = np.zeros_like(arg)
            for f, v in enumerate(views):
                last = np.where(np.isnan(v), f, last)
            arg = np.where(nan, last, arg).astype(arg.dtype)
    low = y == fill
    return y, arg, (low if low.any() else None)


def _first_inside(plan: Plan, ndim: int) -> list[np.ndarray]:
    """Per dim, the offset of each window's first element at an input position >= 0 (torch's initial index;
    it may lie past the kernel for a window entirely in the padding)."""
    out = []
    for i, (_, s, p, r, o) in enumerate(zip(*plan[:5], strict=True)):
        before = np.maximum(p - np.arange(o) * s, 0)
        out.append(_along((before + r - 1) // r, 2 + i, ndim))
    return out


def max_pool(x: np.ndarray, plan: Plan) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(y, arg, low) of a max pool on batched x; ``arg`` already points low windows at their first in-input
    element (a window entirely in the padding points into the padding: its gradient is dropped, as torch's)."""
    fill = fill_value(x.dtype)
    views, _ = window_views(x, plan, fill)
    y, arg, low = select_max(views, fill)
    if low is not None and any(plan.padding):
        first = _first_inside(plan, x.ndim)
        init = sum(np.minimum(j0, k - 1) * math.prod(plan.kernel[i + 1:])
                   for i, (j0, k) in enumerate(zip(first, plan.kernel, strict=True)))
        arg = np.where(low, init, arg).astype(arg.dtype)
    return y, arg, low


def max_indices(arg: np.ndarray, low: np.ndarray | None, plan: Plan, spatial: tuple[int, ...]) -> np.ndarray:
    """Flat indices into the UNPADDED plane (``h W + w``), int64, from the chosen offsets."""
    ndim = arg.ndim
    first = _first_inside(plan, ndim) if low is not None else None
    idx = np.zeros(arg.shape, np.int64)
    rest = arg.astype(np.int64)
    for i, (n, k, s, p, r, o) in enumerate(zip(spatial, *plan[:5], strict=True)):
        below = math.prod(plan.kernel[i + 1:])
        j = rest // below % k
        if first is not None:
            j = np.where(low, first[i], j)
        idx = idx * n + _along(np.arange(o) * s - p, 2 + i, ndim) + r * j
    return idx


def window_backward(per_offset, x_shape: tuple[int, ...], plan: Plan, dtype) -> np.ndarray:
    """dx of a windowed pool from ``per_offset(f)``, the (N, C, *out) cotangent each window gives its element at
    kernel offset f: col2im (windows overlap: their shares add) on the padded plane, then the padding cropped."""
    n, c = x_shape[:2]
    k, out = len(offsets(plan.kernel)), plan.out
    cols = np.empty((c, k, n) + out, dtype)
    for f in range(k):
        cols[:, f] = np.moveaxis(per_offset(f), 1, 0)
    pp = pads(plan, x_shape[2:])
    padded = x_shape[:2] + tuple(m + lo + hi for m, (lo, hi) in zip(x_shape[2:], pp, strict=True))
    g = W.col2im(cols.reshape(c * k, n * math.prod(out)), padded, plan.kernel, plan.stride, plan.dilation, out)
    return W.pad_backward(g, x_shape, pp, "constant")


def _routed(dy: np.ndarray, chosen: np.ndarray, finite: bool, out=None) -> np.ndarray:
    """dy where chosen, else 0: a multiply by the mask (fast), or np.where for a non-finite dy (inf * 0)."""
    if finite:
        return np.multiply(dy, chosen, out=out)
    if out is None:
        return np.where(chosen, dy, 0)
    out[...] = np.where(chosen, dy, 0)
    return out


def max_backward(dy: np.ndarray, arg: np.ndarray, x_shape: tuple[int, ...], plan: Plan) -> np.ndarray:
    """The whole cotangent of a window goes to its ONE chosen element; overlapping windows accumulate."""
    finite = bool(np.isfinite(dy).all())
    if not is_fast(plan, x_shape[2:]):  # col2im adds the shares into zeros (which also turns -0.0 into 0.0)
        return window_backward(lambda f: _routed(dy, arg == f, finite), x_shape, plan, dy.dtype)
    d = len(plan.kernel)
    blocks = np.empty(x_shape[:2] + _interleave(plan.out, plan.kernel), dy.dtype)
    for f, j in enumerate(offsets(plan.kernel)):  # each element belongs to one window: write, never add
        _routed(dy, arg == f, finite, out=blocks[(slice(None),) * 2 + _interleave((slice(None),) * d, j)])
    if finite:
        blocks += 0  # -3.0 * False is -0.0; the general path's 0 + -0.0 is 0.0: keep the two bit-identical
    covered = blocks.reshape(x_shape[:2] + tuple(o * k for o, k in zip(plan.out, plan.kernel, strict=True)))
    if covered.shape == x_shape:
        return covered
    dx = np.zeros(x_shape, dy.dtype)  # floor mode: the rows and columns no window reaches get exactly 0
    dx[(Ellipsis,) + tuple(slice(0, m) for m in covered.shape[2:])] = covered
    return dx


def avg_divisor(plan: Plan, spatial, count_include_pad: bool, ndim: int) -> np.ndarray:
    """The integer divisor per output position: the window within [-p, n + p) (count_include_pad: the ceil
    overhang past n + p is not counted) or within [0, n); a product of one factor per dim."""
    div = np.ones((1,) * ndim, np.int64)
    for i, (n, k, s, p, _, o) in enumerate(zip(spatial, *plan[:5], strict=True)):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            size = end - start
        else:
            size = np.minimum(end, n) - np.maximum(start, 0)
        div = div * _along(size, 2 + i, ndim)
    return div


def trunc_divide(a: np.ndarray, b) -> np.ndarray:
    """Integer division toward zero (C++), as torch's integer avg_pool."""
    q = a // b
    return q + (((a % b) != 0) & ((a < 0) != (np.asarray(b) < 0)))


def avg_sum(x: np.ndarray, plan: Plan) -> np.ndarray:
    """The zero-padded window sums, accumulated offset by offset in row-major order (int64 for integers)."""
    views, _ = window_views(x, plan, 0)
    acc = views[0].astype(np.int64 if x.dtype.kind in "iu" else x.dtype)
    for v in views[1:]:
        acc += v
    return acc


# -- adaptive pools -----------------------------------------------------------------------------------------------
def adaptive_bounds(n: int, o: int) -> tuple[np.ndarray, np.ndarray]:
    """start = floor(i n / o), end = ceil((i + 1) n / o): windows overlap when n % o != 0 (o > n repeats them)."""
    i = np.arange(o)
    return i * n // o, -(-(i + 1) * n // o)


def adaptive_gather(x: np.ndarray, out: tuple[int, ...], fill):
    """(g, bounds, valid): g (N, C, o_1, kmax_1, .., o_d, kmax_d) holds each window's elements (``fill`` in the
    slots past a shorter window's end); bounds per dim (start, end, kmax); valid broadcasts against g."""
    g, bounds, valid = x, [], np.ones((1,) * (2 + 2 * len(out)), bool)
    for i, (n, o) in enumerate(zip(x.shape[2:], out, strict=True)):
        start, end = adaptive_bounds(n, o)
        kmax = int((end - start).max(initial=1))
        pos = start[:, None] + np.arange(kmax)
        ok = pos < end[:, None]
        axis = 2 + 2 * i
        g = np.take(g, np.minimum(pos, n - 1).ravel(), axis=axis)
        g = g.reshape(g.shape[:axis] + (o, kmax) + g.shape[axis + 1:])
        valid = valid & ok.reshape((1,) * axis + (o, kmax) + (1,) * (2 * len(out) - 2 * i - 2))
        bounds.append((start, end, kmax))
    return np.where(valid, g, fill), bounds, valid


def adaptive_views(g: np.ndarray, kmax: tuple[int, ...]) -> list[np.ndarray]:
    d = len(kmax)
    return [g[(slice(None),) * 2 + _interleave((slice(None),) * d, j)] for j in offsets(kmax)]


def scatter_planes(weights: np.ndarray, flat: np.ndarray, x_shape: tuple[int, ...], dtype) -> np.ndarray:
    """dx (x_shape) where each weight adds into its plane at index ``flat`` (both (N*C, M))."""
    planes, plane = math.prod(x_shape[:2]), math.prod(x_shape[2:])
    where = flat + (np.arange(planes) * plane)[:, None]
    return np.bincount(where.ravel(), weights.ravel(), minlength=planes * plane).reshape(x_shape).astype(dtype)


def adaptive_positions(bounds, spatial, arg: np.ndarray | None = None) -> np.ndarray:
    """Flat in-plane positions (int64): of every (window, slot) pair, shape (o_1, kmax_1, .., o_d, kmax_d), slots
    past a window's end clipped to the last position (their weight is 0); or, given ``arg``, of each window's
    chosen slot (arg's shape)."""
    d = len(spatial)
    if arg is None:
        idx = np.zeros((1,) * (2 * d), np.int64)
        for i, ((start, _, kmax), n) in enumerate(zip(bounds, spatial, strict=True)):
            pos = np.minimum(start[:, None] + np.arange(kmax), n - 1)
            idx = idx * n + pos.reshape((1,) * (2 * i) + pos.shape + (1,) * (2 * (d - i - 1)))
        return idx
    idx, rest = np.zeros(arg.shape, np.int64), arg.astype(np.int64)
    kmaxes = [b[2] for b in bounds]
    for i, ((start, _, kmax), n) in enumerate(zip(bounds, spatial, strict=True)):
        j = rest // math.prod(kmaxes[i + 1:]) % kmax
        idx = idx * n + _along(start, 2 + i, arg.ndim) + j
    return idx
