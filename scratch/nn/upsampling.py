"""Upsampling layers: Upsample (torch's ``F.interpolate`` as a block), UpsamplingNearest2d, UpsamplingBilinear2d.

Every mode is separable. Along one spatial axis of size n resampled to o, a mode is a TABLE of index/weight pairs
``idx``, ``w`` of shape (o, k): ``y[..., i, ...] = sum_j w[i, j] x[..., idx[i, j], ...]``, with k = 1 (nearest,
no weights), 2 (linear) or 4 (cubic). ONE routine applies a table along an axis (:func:`_along`) and ONE its
transpose (:func:`_along_t`: the cotangent scattered onto the source indices); forward applies the axes from the
last to the first (torch's kernel interpolates the last dim innermost, so float32 rounds in the same order) and
backward the transposes. 'area' is adaptive average pooling (scratch.nn.pooling), as in torch.

The tables follow torch 2.13's CPU kernels (docs/torch_facts.md section 19), including where torch's backward is
NOT the transpose of its forward:

- scale: ``1 / scale_factor`` when a scale factor reaches the kernel (given, recompute_scale_factor not True),
  else ``n / o``; align_corners uses ``(n - 1) / (o - 1)`` (0 for o = 1) and ignores the scale factor. Computed in
  the input's dtype (float32 for float32: torch's opmath), the coordinate ``scale (i + 0.5) - 0.5`` with ONE
  rounding (torch's compiled kernel fuses it into an FMA; float32 reproduces it through float64), and rounded to
  float32 before the floor (torch's ``floorf``), also for float64 input.
- linear: the coordinate clamped at 0, ``i0 = min(floor, n - 1)``, ``i1 = i0 + (i0 < n - 1)``, weights ``1 - l``,
  ``l`` with ``l`` clamped to [0, 1]; o == n is the identity (whatever the scale factor).
- cubic: no clamp, Keys' cubic convolution with A = -0.75 at t = coordinate - floor, the 4 indices
  ``floor - 1 .. floor + 2`` clamped to [0, n - 1]. Backward copies dy when EVERY spatial size is unchanged, while
  forward applies the weights of 1 / scale_factor.
- nearest: ``min(floor(i scale), n - 1)``; nearest-exact: ``min(floor((i + 0.5) scale), n - 1)``. Backward always
  uses torch's ``nearest_idx``: float32 scale, and for nearest o == n -> i, o == 2 n -> i >> 1 whatever the scale
  factor; forward does so only in 2-d when H_out + W_out <= 128 (torch's channels-last kernel choice), so with a
  scale factor like 1.1 (5 -> 5) or 2.1 (5 -> 10) torch's 1-d/3-d gradient is not its forward's.

dtypes: float32 and float64; float16 computes in float32 with float16 weights (torch's opmath and its generic
kernels, linear's 1 - w1 from the float16 w1; its 2-d small-output bilinear kernel keeps float32 weights), a float16
ulp apart on ~0.03% of 2-d and 3-d outputs (a float32 rounding between passes not reproduced), uint8 works for
the nearest modes (a gather). torch's uint8 bilinear/bicubic is a separate fixed-point algorithm that scratch does
not implement (NotImplementedError); other integer and bool inputs are NotImplementedError, as torch's.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from ._dtypes import torch_dtype_name
from ._parameter import _typename
from .base import CachedModule
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]

_F32, _F64 = np.float32, np.float64
_A = -0.75  # torch's cubic convolution constant without antialias (OpenCV's)
_RANKED = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}  # the interpolating modes' input ranks
_KERNELS = {("nearest", 3): "upsample_nearest1d", ("nearest", 4): "upsample_nearest2d",
            ("nearest", 5): "upsample_nearest3d", ("nearest-exact", 3): "_upsample_nearest_exact1d",
            ("nearest-exact", 4): "_upsample_nearest_exact2d", ("nearest-exact", 5): "_upsample_nearest_exact3d",
            ("linear", 3): "upsample_linear1d", ("bilinear", 4): "upsample_bilinear2d",
            ("bicubic", 4): "upsample_bicubic2d", ("trilinear", 5): "upsample_trilinear3d"}
_POOLS = {3: AdaptiveAvgPool1d, 4: AdaptiveAvgPool2d, 5: AdaptiveAvgPool3d}


# -- one axis: the tables -----------------------------------------------------------------------------------------
def _fma(a, b, c, dt):
    """``a b + c`` rounded once, as torch's compiled kernels compute it (float32: exact through float64)."""
    if dt == _F32:
        return (np.asarray(a, _F64) * b + c).astype(_F32)
    return np.asarray(a, dt) * b + c


def _scale(n: int, o: int, scale: float | None, dt):
    """torch's ``compute_scales_value<dt>``: 1 / scale_factor when one reached the kernel, else n / o."""
    return dt(1.0 / scale) if scale is not None and scale > 0 else dt(n) / dt(o)


def _coordinate(n: int, o: int, scale, align: bool, dt, clamp: bool) -> np.ndarray:
    """The source coordinate of each output position (``area_pixel_compute_source_index``)."""
    i = np.arange(o)
    if align:
        return (dt(n - 1) / dt(o - 1) if o > 1 else dt(0)) * i.astype(dt)
    r = _fma(_scale(n, o, scale, dt), i + 0.5, -0.5, dt)
    return np.maximum(r, dt(0)) if clamp else r


def _floor(r: np.ndarray, n: int) -> np.ndarray:
    """``min(floorf(r), n - 1)``: torch rounds the coordinate to float32 before the floor, float64 too."""
    return np.minimum(np.floor(r.astype(_F32)).astype(np.int64), n - 1)


def _nearest_table(n: int, o: int, scale, exact: bool, dt, torch_idx: bool) -> tuple[np.ndarray, None]:
    """nearest: floor(i s); nearest-exact: floor((i + 0.5) s). ``torch_idx``: torch's ``nearest_idx`` (float32
    scale; nearest's o == n and o == 2 n shortcuts), else its generic kernel (scale in ``dt``)."""
    i = np.arange(o)
    if torch_idx and not exact and o in (n, 2 * n):
        return (i if o == n else i >> 1)[:, None], None
    if torch_idx:
        s = _scale(n, o, scale, _F32)
        v = ((i + 0.5) * _F64(s)).astype(_F32) if exact else i.astype(_F32) * s
    elif exact:
        v = (np.maximum(_fma(_scale(n, o, scale, dt), i + 0.5, -0.5, dt), dt(0)).astype(_F64) + 0.5)
    else:
        v = _scale(n, o, scale, dt) * i.astype(dt)
    return _floor(v, n)[:, None], None


def _linear_table(n: int, o: int, scale, align: bool, dt, w_dtype) -> tuple[np.ndarray, np.ndarray]:
    """``w_dtype``: where torch stores lambda1; lambda0 = 1 - lambda1 is computed from the STORED value (float16:
    1 - half(l), rounded again)."""
    if o == n:  # torch's compute_source_index_and_lambda copies, whatever the scale factor
        i = np.arange(o)
        return np.stack([i, i], 1), np.stack([np.ones(o, dt), np.zeros(o, dt)], 1)
    r = _coordinate(n, o, scale, align, dt, clamp=True)
    i0 = _floor(r, n)
    lam = np.clip(r - i0.astype(dt), dt(0), dt(1)).astype(w_dtype).astype(dt)
    return np.stack([i0, i0 + (i0 < n - 1)], 1), np.stack([dt(1) - lam, lam], 1)


def _cubic_table(n: int, o: int, scale, align: bool, dt) -> tuple[np.ndarray, np.ndarray]:
    """Keys' cubic convolution: weights of the 4 neighbours floor - 1 .. floor + 2 (clamped to the input)."""
    r = _coordinate(n, o, scale, align, dt, clamp=False)
    i = _floor(r, n)  # may be -1: the coordinate is not clamped
    t = np.clip(r - i.astype(dt), dt(0), dt(1))
    a = dt(_A)

    def near(x):  # |x| <= 1: ((A + 2) x - (A + 3)) x x + 1, the first multiply-add fused as torch's build does
        return _fma(a + dt(2), x, -(a + dt(3)), dt) * x * x + dt(1)

    def far(x):  # 1 < |x| < 2: ((A x - 5 A) x + 8 A) x - 4 A, the two inner multiply-adds fused
        return _fma(_fma(a, x, -(dt(5) * a), dt), x, dt(8) * a, dt) * x - dt(4) * a

    u = dt(1) - t
    w = np.stack([far(t + dt(1)), near(t), near(u), far(u + dt(1))], 1)
    return np.clip(i[:, None] + np.arange(-1, 3), 0, n - 1), w


def _along(x: np.ndarray, axis: int, idx: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """``y[..., i, ...] = sum_j w[i, j] x[..., idx[i, j], ...]`` along ``axis`` (w None: a gather). Every term
    is kept, zero weights too: a NaN/inf neighbour with weight 0 gives NaN, as in torch."""
    y = np.take(x, idx[:, 0], axis=axis)
    if w is None:
        return y
    shape = (-1,) + (1,) * (x.ndim - 1 - axis)
    y *= w[:, 0].reshape(shape)
    for j in range(1, idx.shape[1]):
        y += np.take(x, idx[:, j], axis=axis) * w[:, j].reshape(shape)
    return y


def _along_t(dy: np.ndarray, axis: int, idx: np.ndarray, w: np.ndarray | None, n: int) -> np.ndarray:
    """The transpose of :func:`_along`: ``dx[..., m, ...] = sum_{idx[i, j] = m} w[i, j] dy[..., i, ...]``."""
    moved = np.moveaxis(dy, axis, 0)
    dx = np.zeros((n,) + moved.shape[1:], dy.dtype)
    for j in range(idx.shape[1]):
        np.add.at(dx, idx[:, j], moved if w is None else moved * w[:, j].reshape((-1,) + (1,) * (moved.ndim - 1)))
    return np.moveaxis(dx, 0, axis)


# -- F.interpolate's argument handling, in its order ----------------------------------------------------------------
def _is_integer(v) -> bool:
    return isinstance(v, int | np.integer)  # torch's _is_integer (a bool passes here, the kernel's parser refuses it)


def _requested(ndim: int, shape, size, scale_factor, recompute) -> tuple[list | None, list | None]:
    """(output_size, scale_factors): exactly one is a list, as F.interpolate leaves them."""
    dim = ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, list | tuple):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {list(shape[2:])} and output size of {size}. Please "
                                 "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                                 "...,oK) format.")
            if not all(_is_integer(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(v) for v in size]}")
            out, scales = list(size), None
        else:
            out, scales = [size] * max(dim, 0), None
    elif scale_factor is not None:
        if isinstance(scale_factor, list | tuple):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {list(shape[2:])} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            out, scales = None, list(scale_factor)
        else:
            out, scales = None, [scale_factor] * max(dim, 0)
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute:  # the output size in Python (int truncates; NaN ValueError, inf OverflowError), the scales dropped
        out, scales = [int(n * s) for n, s in zip(shape[2:], scales, strict=True)], None
    return out, scales


def _unsupported(ndim: int, mode) -> NotImplementedError:
    for m, rank in _RANKED.items():
        if mode == m and ndim in (3, 4, 5) and ndim != rank and m != "bicubic":
            return NotImplementedError(f"Got {ndim}D input, but {m} mode needs {rank}D input")
    return NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the modes: "
                               "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
                               f"(got {mode})")


def _kernel_sizes(kernel: str, x: np.ndarray, out, scales, align) -> list[int]:
    """What the ATen op checks, in its order: argument types, the output size, sizes > 0, a non-empty input."""
    if out is not None:
        for k, v in enumerate(out):
            if not _is_integer(v) or isinstance(v, bool | np.bool_):
                raise TypeError(f"{kernel}(): argument 'output_size' must be tuple of ints, but found element of "
                                f"type {_typename(v)} at pos {k}")
    if align is not None and not isinstance(align, bool):
        raise TypeError(f"{kernel}(): argument 'align_corners' must be bool, not {_typename(align)}")
    spatial = x.shape[2:]
    if out is None:
        out = []
        for n, s in zip(spatial, scales, strict=True):
            if not math.isfinite(n * s) or abs(n * s) >= 2.0**63:
                raise RuntimeError("value cannot be converted to type int64_t without overflow")
            out.append(int(n * s))  # C++'s static_cast<int64_t>: toward zero
    out = [int(v) for v in out]
    if min(spatial) <= 0 or min(out) <= 0:
        names = "DHW"[3 - len(spatial):]
        got = ", ".join(f"{a}: {v}" for a, v in zip(names, spatial, strict=True))
        want = ", ".join(f"{a}: {v}" for a, v in zip(names, out, strict=True))
        joint = " and output" if len(spatial) == 1 else " output"
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({got}){joint} ({want})")
    if x.shape[1] == 0:
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes {list(x.shape)}")
    return out


def _small_2d(out: tuple) -> bool:
    """torch's 2-d kernel choice for nearest and bilinear: its channels-last kernel when H_out + W_out <= 128."""
    return len(out) == 2 and out[0] + out[1] <= 128


@functools.lru_cache(maxsize=256)
def _tables(mode: str, spatial: tuple, out: tuple, scales: tuple, align: bool, dt, x_dtype) -> tuple[list, list]:
    """(forward tables, backward tables), one per spatial axis; cached (read-only): a training loop or a finite
    difference calls forward again and again with the same sizes."""
    axes = list(zip(spatial, out, scales, strict=True))
    if mode.startswith("nearest"):
        exact = mode == "nearest-exact"
        small = _small_2d(out)
        fwd = [_nearest_table(n, o, s, exact, dt, small) for n, o, s in axes]
        bwd = [_nearest_table(n, o, s, exact, dt, True) for n, o, s in axes]
    else:
        # the weights in x's dtype (float16: summed in float32), but in dt where torch's 2-d bilinear kernel for
        # small outputs keeps them
        w_dtype = dt if mode == "bilinear" and _small_2d(out) else x_dtype
        tables = [_cubic_table(n, o, s, align, dt) if mode == "bicubic" else
                  _linear_table(n, o, s, align, dt, w_dtype) for n, o, s in axes]
        fwd = [(i, w.astype(w_dtype).astype(dt)) for i, w in tables]
        same = mode == "bicubic" and spatial == out  # torch's bicubic backward copies dy then
        bwd = [(np.arange(n)[:, None], None) for n in spatial] if same else fwd  # (torch stores weights in x's dtype)
    for idx, w in fwd + bwd:
        for a in (idx, w):
            if a is not None:
                a.setflags(write=False)
    return fwd, bwd


def _compute_dtype(x: np.ndarray, mode: str):
    """The dtype tables and sums use (torch's opmath), or a NotImplementedError for dtypes torch (or scratch) lacks."""
    kind = "nearest" if mode.startswith("nearest") else "cubic" if mode == "bicubic" else "linear"
    if x.dtype in (_F32, _F64):
        return x.dtype.type
    if x.dtype == np.float16 or (x.dtype == np.uint8 and kind == "nearest"):
        return _F32
    if x.dtype == np.uint8 and mode in ("bilinear", "bicubic"):
        raise NotImplementedError(f"{mode} on uint8: torch runs a separate fixed-point algorithm there (int16 "
                                  "weights, a uint8 result after each pass) that scratch does not implement; convert "
                                  "the input to float32")
    raise NotImplementedError(f'"compute_indices_weights_{kind}" not implemented for '
                              f"'{torch_dtype_name(x.dtype)}'")


class Upsample(CachedModule):
    r"""Resample (N, C, [D, H,] W) input to a given size or by a scale factor: torch's ``F.interpolate``.

    .. math:: y[n, c, i_1, ..] = \sum_{j_1, ..} w_1[i_1, j_1] \cdots w_d[i_d, j_d] \, x[n, c, idx_1[i_1, j_1], ..]

    one 1-d table per spatial axis (module docstring): nearest ``floor(i s)``, nearest-exact
    ``floor((i + 0.5) s)``, linear modes ``(i + 0.5) s - 0.5`` clamped at 0 (align_corners: ``i (n-1)/(o-1)``),
    bicubic the same coordinate unclamped with A = -0.75; ``s = 1 / scale_factor`` when given, else ``n / o``.

    Args:
        size (int or tuple, optional): the output's spatial size. Default: None
        scale_factor (float or tuple, optional): the output size is ``floor(n * scale_factor)``; stored as
            ``float`` (a falsy value means None, as torch). Default: None
        mode (str): 'nearest', 'nearest-exact', 'linear' (3-d input), 'bilinear' / 'bicubic' (4-d),
            'trilinear' (5-d), 'area' (adaptive average pooling). Default: 'nearest'
        align_corners (bool, optional): the interpolating modes only (ValueError otherwise); None = False.
        recompute_scale_factor (bool, optional): True: the kernel gets the size ``floor(n * scale_factor)`` and
            uses ``n / o`` instead of ``1 / scale_factor``. Default: None
    Shape: (N, C, *in) -> (N, C, *out); exactly one of size and scale_factor (ValueError otherwise).
    Gradient: the transposed tables applied to dy, as torch's backward kernels (module docstring for the cases
        where those are not the forward's transpose); none for a uint8 input.
    """

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: np.ndarray) -> np.ndarray:
        x, mode, align = input, self.mode, self.align_corners
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if mode in ("nearest", "area", "nearest-exact"):
            if align is not None:
                raise ValueError("align_corners option can only be set with the interpolating modes: linear | "
                                 "bilinear | bicubic | trilinear")
        elif align is None:
            align = False
        recompute = self.recompute_scale_factor or (mode == "area" and self.size is None)
        out, scales = _requested(x.ndim, x.shape, self.size, self.scale_factor, recompute)
        if mode == "area" and x.ndim in _POOLS:
            pool = _POOLS[x.ndim](tuple(out))
            return self._save(pool(x), pool)
        if mode == "lanczos" and x.ndim == 4:
            raise ValueError("Lanczos mode does not support align_corners=True" if align else
                             "Lanczos mode requires antialias=True")
        kernel = _KERNELS.get((mode, x.ndim))
        if kernel is None:
            raise _unsupported(x.ndim, mode)
        out = _kernel_sizes(kernel, x, out, scales, None if mode.startswith("nearest") else align)
        dt = _compute_dtype(x, mode)
        fwd, bwd = _tables(mode, x.shape[2:], tuple(out), tuple(scales or [None] * len(out)), align, dt, x.dtype)
        y = x.astype(dt, copy=False) if x.dtype.kind == "f" else x
        for axis in reversed(range(len(out))):
            y = _along(y, 2 + axis, *fwd[axis])
        return self._save(y.astype(x.dtype, copy=False), bwd, x.shape[2:], dt, x.dtype.kind == "f")

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        """The transposed tables, axis by axis (None for a uint8 input: no gradient)."""
        dy, *cache = self._saved(dy)
        if len(cache) == 1:  # 'area': the adaptive pool's own backward
            return cache[0].backward(dy)
        tables, spatial, dt, differentiable = cache
        if not differentiable:
            return None
        dx = dy.astype(dt, copy=False)
        for axis, (idx, w) in enumerate(tables):
            dx = _along_t(dx, 2 + axis, idx, w, spatial[axis])
        return dx.astype(dy.dtype, copy=False)

    def extra_repr(self) -> str:
        info = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{info}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` (torch's deprecated 2-d alias; any rank works, as torch)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` (NOTE: align_corners=True, unlike
    Upsample's default)."""

    def __init__(self, size=None, scale_factor=None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
