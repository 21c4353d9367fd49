"""MaxPool, AvgPool and LPPool for 1, 2 and 3 spatial dims: one private base per operation, parametrized by the
number of spatial dims ``_d``; the public classes are thin subclasses.

Common notation, per spatial dim: size n, kernel k, stride s (default: the kernel), padding p, dilation r. Window
``o`` covers the input positions ``s o - p + r j`` for ``j = 0 .. k-1``, and

    out = floor((n + 2p - r (k - 1) - 1) / s) + 1,

or with ``ceil_mode=True`` the ceiling, minus one if that last window would start in the right padding
(``(out - 1) s >= n + p``); windows then reach past ``n + p`` (the overhang). Inputs are (N, C, *spatial) or
unbatched (C, *spatial); N = 0 works. Every check is torch's, with its class and message (see ``_args.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..base import CachedModule
from . import _args
from . import _kernels as K

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d",
           "LPPool3d"]


def cotangent(block: CachedModule, grad_output, rest: tuple) -> tuple:
    """(the output's cotangent, the cache): backward(d_output) or, with indices returned, backward(d_output,
    None); the integer indices take no cotangent."""
    if type(block._out_meta) is tuple:  # (output, indices): several outputs
        (dy, _), cache = block._saved_all(grad_output, *rest)
        return dy, cache
    if any(r is not None for r in rest):
        raise RuntimeError(f"{type(block).__name__}.backward got {1 + len(rest)} cotangents for 1 output")
    dy, *cache = block._saved(grad_output)
    return dy, cache


def _unbatch(a: np.ndarray, batched: bool) -> np.ndarray:
    return a if batched else a[0]


def save_indexed(block: CachedModule, y: np.ndarray, idx: np.ndarray, shape: tuple[int, ...], batched: bool):
    """End the forward of a pool whose output i comes from ONE input element, the flat in-plane index idx[i]
    (batched y and idx): return the output, or with ``block.return_indices`` (output, indices), the caller owning
    its indices (the cache keeps a copy)."""
    result = _unbatch(y, batched)
    if block.return_indices:
        result = (result, _unbatch(idx, batched))
        idx = idx.copy()
    return block._save(result, idx, shape, batched)


def indexed_backward(dy: np.ndarray, idx: np.ndarray, shape: tuple[int, ...], batched: bool) -> np.ndarray:
    """The backward of :func:`save_indexed`'s pools: each output's cotangent added at its index in its (n, c)
    plane (indices shared by several outputs add)."""
    planes, m = math.prod(shape[:2]), math.prod(idx.shape[2:])
    dyb = dy if batched else dy[None]
    return _unbatch(K.scatter_planes(dyb.reshape(planes, m), idx.reshape(planes, m), shape, dy.dtype), batched)


class _MaxPoolNd(CachedModule):
    r"""Max pooling over d spatial dims: ``y[n, c, o] = max_j x[n, c, s o - p + r j]`` (j over the kernel).

    The padding is implicitly -inf (it never wins), and each window must start inside the input or the left
    padding; with ``return_indices=True`` the block returns ``(output, indices)``: int64 flat indices into the
    UNPADDED plane of each sample and channel (``h W + w``; 3-d ``(t H + h) W + w``).

    Args:
        kernel_size: the window size, an int or a d-tuple.
        stride: the window step. Default: ``kernel_size``.
        padding: implicit -inf on both sides, at most half the kernel (the undilated kernel). Default: 0.
        dilation: the step between a window's elements. Default: 1.
        return_indices: also return the argmax indices. Default: False.
        ceil_mode: ceil instead of floor in the output size (torch's last-window rule). Default: False.

    Shape: (N, C, *in) or (C, *in) -> (N, C, *out) or (C, *out); integer inputs pool too (no gradient), except
    MaxPool1d without indices (NotImplementedError, as torch).

    Gradient: the whole cotangent of a window goes to ONE element, the first maximum in row-major window order
    (ties never split); a window holding NaN outputs NaN and routes to its LAST NaN; a window whose elements are
    all -inf routes to its first element inside the input; overlapping windows accumulate. ``backward(d_output)``
    (or ``backward(d_output, None)`` with indices) returns dL/dinput.
    """

    _d = 0

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: np.ndarray):
        x = _args.array(input, f"max_pool{self._d}d")
        indices = bool(self.return_indices)
        plan = _args.max_plan(self._d, x, self.kernel_size, self.stride, self.padding, self.dilation,
                              self.ceil_mode, indices)
        xb = x if plan.batched else x[None]
        y, arg, low = K.max_pool(xb, plan)
        out = _unbatch(y, plan.batched)
        if indices:
            out = (out, _unbatch(K.max_indices(arg, low, plan, xb.shape[2:]), plan.batched))
        return self._save(out, arg, plan, xb.shape, x.dtype.kind == "f")

    def backward(self, grad_output, *rest):
        dy, (arg, plan, shape, differentiable) = cotangent(self, grad_output, rest)
        if not differentiable:
            return None
        return _unbatch(K.max_backward(dy if plan.batched else dy[None], arg, shape, plan), plan.batched)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-d max pooling, ``y[n, c, l] = max_j x[n, c, s l - p + r j]``: see :class:`_MaxPoolNd` (Args, gradient).
    Shape: (N, C, L) or (C, L); indices are positions along L."""

    _d = 1


class MaxPool2d(_MaxPoolNd):
    """2-d max pooling, ``y[n, c, h, w] = max_{i, j} x[n, c, s_h h - p_h + r_h i, s_w w - p_w + r_w j]``: see
    :class:`_MaxPoolNd` (Args, gradient). Shape: (N, C, H, W) or (C, H, W); indices ``h W + w``."""

    _d = 2


class MaxPool3d(_MaxPoolNd):
    """3-d max pooling over (D, H, W) windows: see :class:`_MaxPoolNd` (Args, gradient).
    Shape: (N, C, D, H, W) or (C, D, H, W); indices ``(d H + h) W + w``."""

    _d = 3


def _single(v):
    return tuple(v) if isinstance(v, Iterable) else (v,)


def _average(x: np.ndarray, plan: _args.Plan, count_include_pad: bool, override):
    """(y, the divisor: an int, or in x's float dtype) of an average pool on batched x."""
    acc = K.avg_sum(x, plan)
    div = override if override is not None else K.avg_divisor(plan, x.shape[2:], count_include_pad, x.ndim)
    if x.dtype.kind in "iu":
        return K.trunc_divide(acc, div).astype(x.dtype), div
    div = x.dtype.type(div) if override is not None else div.astype(x.dtype)
    return acc / div, div


class _AvgPoolNd(CachedModule):
    r"""Average pooling over d spatial dims: ``y[n, c, o] = sum_j xp[n, c, s o + j] / divisor[o]`` (xp zero-padded).

    The divisor is ``divisor_override`` if given (it wins over count_include_pad=False too); else, per dim and
    multiplied, the window's extent inside ``[-p, n + p)`` when ``count_include_pad`` (the padding counts, a ceil
    overhang past ``n + p`` does NOT), or inside ``[0, n)`` otherwise. Integer inputs sum in int64 and divide
    truncating toward zero, as torch's C++ does.

    Args:
        kernel_size: the window size, an int or a d-tuple.
        stride: the window step. Default: ``kernel_size``.
        padding: implicit zeros on both sides, at most half the kernel. Default: 0.
        ceil_mode: ceil instead of floor in the output size (torch's last-window rule). Default: False.
        count_include_pad: count the padding in the divisor. Default: True.
        divisor_override: a fixed divisor (not 0; negative works). Default: None. Not on AvgPool1d.

    Shape: (N, C, *in) or (C, *in) -> (N, C, *out) or (C, *out). AvgPool2d on a rank < 3 input raises IndexError
    (torch reads ``size(-3)`` first); AvgPool3d needs the unpadded input at least the kernel.

    Gradient: ``dy[o] / divisor[o]`` to every input element of window o; overlapping windows accumulate; padding
    and the overhang receive nothing.
    """

    _d = 0

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _args.array(input, f"avg_pool{self._d}d")
        override = getattr(self, "divisor_override", None)
        plan = _args.avg_plan(self._d, x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                              self.count_include_pad, override)
        xb = x if plan.batched else x[None]
        y, div = _average(xb, plan, self.count_include_pad, override)
        return self._save(_unbatch(y, plan.batched), div, plan, xb.shape, x.dtype.kind == "f")

    def backward(self, grad_output) -> np.ndarray | None:
        dy, div, plan, shape, differentiable = self._saved(grad_output)
        if not differentiable:
            return None
        g = (dy if plan.batched else dy[None]) / div
        return _unbatch(K.window_backward(lambda f: g, shape, plan, dy.dtype), plan.batched)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """1-d average pooling over (N, C, L) or (C, L): see :class:`_AvgPoolNd` (divisor rules, gradient). No
    ``divisor_override``; kernel_size, stride and padding are stored as 1-tuples, as torch's."""

    _d = 1

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        CachedModule.__init__(self)
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding, self.ceil_mode, self.count_include_pad = _single(padding), ceil_mode, count_include_pad


class AvgPool2d(_AvgPoolNd):
    """2-d average pooling over (N, C, H, W) or (C, H, W): see :class:`_AvgPoolNd` (divisor rules, gradient)."""

    _d = 2


class AvgPool3d(_AvgPoolNd):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W): see :class:`_AvgPoolNd`."""

    _d = 3


def _torch_sign(a: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), 0, np.sign(a)).astype(a.dtype, copy=False)  # torch.sign(nan) == 0


class _LPPoolNd(CachedModule):
    r"""Power-average pooling: ``y = (K * avg_pool(x ** p)) ** (1 / p)``, K = prod(kernel_size), no padding.

    This is torch's formula: ``avg_pool`` divides by the number of in-input elements, so a ceil_mode window clipped
    at the edge is scaled by K / (its size), not the p-norm of what it holds (torch computes
    ``(sign(a) * relu(|a|)).mul(K).pow(1/p)`` for a = avg_pool(x ** p)). ``norm_type=inf`` is max pooling of |x|,
    ``-inf`` minus max pooling of -|x| (the min of |x|).

    Args:
        norm_type: p (float(norm_type) is taken at forward: 0 raises ZeroDivisionError there, as torch).
        kernel_size: the window size, an int or a d-tuple (LPPool1d: an int).
        stride: the window step. Default: None, the kernel size.
        ceil_mode: ceil instead of floor in the output size. Default: False.

    Shape: (N, C, *in) or (C, *in) -> (N, C, *out) or (C, *out); integer inputs give float32, as torch's pow.

    Gradient: the chain of torch's ops: ``dy (1/p) u^(1/p - 1) K`` with u = K a, zero where a == 0 (a window of
    zeros, relu's gradient at 0), then ``/ count`` to each window element times ``p x^(p - 1)`` (inf at x = 0 for
    p < 1, NaN for negative x with a fractional p). p = +-inf: dy to the max (min) |x| of the window, first one on
    ties, times sign(x).
    """

    _d = 0

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: np.ndarray) -> np.ndarray:
        p, d, kernel = float(self.norm_type), self._d, self.kernel_size
        if d > 1:  # torch's _pair / _triple, then tuple unpacking
            parts = tuple(kernel) if isinstance(kernel, Iterable) else (kernel,) * d
            if len(parts) != d:
                raise ValueError(f"too many values to unpack (expected {d})" if len(parts) > d else
                                 f"not enough values to unpack (expected {d}, got {len(parts)})")
        x = _args.array(input, f"avg_pool{d}d")
        if math.isinf(p):
            plan = _args.max_plan(d, x, kernel, self.stride, 0, 1, self.ceil_mode, False)
            xb = x if plan.batched else x[None]
            y, arg, _ = K.max_pool(np.abs(xb) if p > 0 else -np.abs(xb), plan)
            return self._save(_unbatch(y if p > 0 else -y, plan.batched), ("max", arg, _torch_sign(xb)), plan,
                              xb.shape, x.dtype.kind == "f")
        if x.dtype.kind in "iu":
            x = x.astype(np.float32)  # an integer tensor ** a float is a float32 tensor in torch
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            z = (x.astype(np.float64) ** p).astype(x.dtype)
            plan = _args.avg_plan(d, z, kernel, self.stride, 0, self.ceil_mode, True, None, self.stride is None)
            zb = z if plan.batched else z[None]
            a, div = _average(zb, plan, True, None)
            if d == 1 and not _args.is_int(kernel):
                raise TypeError(f"mul(): argument 'other' (position 1) must be Tensor, not {type(kernel).__name__}")
            inv, ksize = 1.0 / p, math.prod(plan.kernel)
            sign = _torch_sign(a)
            u = sign * np.maximum(np.abs(a), 0) * x.dtype.type(ksize)
            y = (u.astype(np.float64) ** inv).astype(x.dtype)
            du = (inv * u.astype(np.float64) ** (inv - 1)).astype(x.dtype)
            dz = (p * (x if plan.batched else x[None]).astype(np.float64) ** (p - 1)).astype(x.dtype)
        return self._save(_unbatch(y, plan.batched), ("avg", du * x.dtype.type(ksize), sign, np.abs(a), div, dz),
                          plan, zb.shape, input.dtype.kind == "f")

    def backward(self, grad_output) -> np.ndarray | None:
        dy, cache, plan, shape, differentiable = self._saved(grad_output)
        if not differentiable:
            return None
        dy = dy if plan.batched else dy[None]
        if cache[0] == "max":
            return _unbatch(K.max_backward(dy, cache[1], shape, plan) * cache[2], plan.batched)
        _, dudy, sign, r, div, dz = cache
        with np.errstate(invalid="ignore", over="ignore"):
            da = np.where(r <= 0, 0, dy * dudy * sign) * sign  # threshold_backward of relu(|a|), then abs's
            g = da / div
            return _unbatch(K.window_backward(lambda f: g, shape, plan, dy.dtype) * dz, plan.batched)

    def extra_repr(self) -> str:
        return (f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
                f"ceil_mode={self.ceil_mode}")


class LPPool1d(_LPPoolNd):
    """1-d power-average pooling over (N, C, L) or (C, L): ``y = (sum_window x^p * k / n_window)^(1/p)``; see
    :class:`_LPPoolNd` (formula, gradient, zero windows)."""

    _d = 1


class LPPool2d(_LPPoolNd):
    """2-d power-average pooling over (N, C, H, W) or (C, H, W): see :class:`_LPPoolNd`."""

    _d = 2


class LPPool3d(_LPPoolNd):
    """3-d power-average pooling over (N, C, D, H, W) or (C, D, H, W): see :class:`_LPPoolNd`."""

    _d = 3
