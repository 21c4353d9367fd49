"""torch's argument parsing and checks for the pooling family, in torch's order, with torch's classes and messages.

torch validates at forward, not at construction, and the checks depend on the path a call takes (torch 2.13):

- ``max_pool2d``/``max_pool3d`` and ``avg_pool2d``/``avg_pool3d`` (ATen ``Pool.h``): the tuple lengths; the rank;
  per dim ``pooling_output_shape`` (stride != 0, pad >= 0, pad <= half the DILATED kernel); then the shape check
  (kernel, stride, dilation > 0; no empty non-batch dim; pad <= half the UNDILATED kernel; avg_pool3d only: the
  unpadded input at least the kernel; an output of at least 1). ``avg_pool2d`` reads ``size(-3)`` first, so a
  rank < 3 input is an IndexError (the MaxPool2d twin of the same input is a RuntimeError).
- ``avg_pool1d``, ``max_pool1d`` with indices, ``adaptive_*_pool1d``: a rank check (2 or 3 dims), "should contain
  one int" length checks, then the 2-d path on ``input.unsqueeze(-2)`` with kernel ``(1, k)``, stride ``(1, s)``,
  padding ``(0, p)``.
- ``max_pool1d`` without indices has checks of its own (``max_pool1d() ...``), and no integer kernel.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .. import _windows as W
from .._dtypes import torch_dtype_name

_WORD = {2: "two", 3: "three"}
_LETTERS = {2: "HW", 3: "THW"}


class Plan(NamedTuple):
    """A checked windowed pool over d spatial dims: per dim kernel, stride, padding, dilation, output size."""

    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[int, ...]
    dilation: tuple[int, ...]
    out: tuple[int, ...]
    batched: bool


def is_int(v) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _typename(v) -> str:
    return "NoneType" if v is None else type(v).__name__


def ints(value, fn: str, name: str, pos: int | None, default=None) -> list[int]:
    """torch's parser for an int list argument: an int gives [v], a tuple/list of ints its list; else TypeError."""
    if value is None and default is not None:
        return list(default)
    at = f" (position {pos})" if pos else ""
    if is_int(value):
        return [int(value)]
    if not isinstance(value, tuple | list):
        raise TypeError(f"{fn}(): argument '{name}'{at} must be tuple of ints, not {_typename(value)}")
    for i, v in enumerate(value):
        if not is_int(v):
            raise TypeError(f"{fn}(): argument '{name}'{at} must be tuple of ints, but found element of type "
                            f"{_typename(v)} at pos {i}")
    return [int(v) for v in value]


def boolean(value, fn: str, name: str, pos: int | None) -> bool:
    if type(value) is not bool:
        at = f" (position {pos})" if pos else ""
        raise TypeError(f"{fn}(): argument '{name}'{at} must be bool, not {_typename(value)}")
    return value


def array(x, fn: str) -> np.ndarray:
    """The input: a numpy array of float32, float64 or an integer dtype."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {_typename(x)}")
    if x.dtype == np.bool_:
        no_integer_kernel(x, fn)
    if x.dtype.kind not in "iu" and x.dtype.type not in (np.float32, np.float64):
        raise RuntimeError(f"{fn}: scratch pools float32, float64 and integer arrays, got {x.dtype}")
    return x


def no_integer_kernel(x: np.ndarray, kernel: str) -> None:
    if x.dtype.kind in "iub":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_dtype_name(x.dtype)}'")


def _dims(shape) -> str:
    return str(list(shape))


def _rank_1d(x: np.ndarray, fn: str) -> None:
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           f"(while checking arguments for {fn})")


def _check1d(fn: str, name: str, values: list[int]) -> None:
    if len(values) != 1:
        raise RuntimeError(f"{fn}() argument '{name}' should contain one int (got {len(values)})")


def _trunc_div(a: int, b: int) -> int:
    """C++ integer division (toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def output_size(size: int, k: int, p: int, s: int, r: int, ceil: bool) -> int:
    """ATen's pooling_output_shape: the checks it makes, then floor (or ceil, dropping a last window that would
    start in the right padding: ``(o - 1) s >= size + p``) of ``(size + 2p - r (k - 1) - 1) / s`` plus one."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _trunc_div((k - 1) * r + 1, 2):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k} "
                           f"and dilation={r}")
    if not ceil:
        return W.out_size(size, k, s, p, p, r)
    o = W.out_size(size + s - 1, k, s, p, p, r)
    if (o - 1) * s >= size + p:  # the last window would start in the right padding: dropped
        o -= 1
    return o


def _shape_check(fn3: str, shape, k, s, p, r, out, check_input_size: bool) -> None:
    """ATen's pool2d_shape_check / pool3d_shape_check (d = 2 or 3) on the torch-view shape."""
    d = len(k)
    letters = _LETTERS[d]
    for what, name, vals in (("kernel size", "k", k), ("stride", "d", s), ("dilation", "dilation", r)):
        if min(vals) <= 0:
            got = " ".join(f"{name}{c}: {v}" for c, v in zip(letters, vals, strict=True))
            raise RuntimeError(f"{what} should be greater than zero, but got {got}")
    n = len(shape)
    if d == 2:
        if not ((n == 3 and min(shape) > 0) or (n == 4 and min(shape[1:]) > 0)):
            raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                               f"got:{_dims(shape)}")
    else:
        for i in range(n):
            if shape[i] == 0 and not (n == 5 and i == 0):
                raise RuntimeError(f"{fn3}: Expected input's non-batch dimensions to have positive length, but "
                                   f"input has a shape of {_dims(shape)} and non-batch dimension {shape[i]} has "
                                   "length zero!")
        if check_input_size and any(h < kk for h, kk in zip(shape[-3:], k, strict=True)):
            raise RuntimeError("input image (T: {} H: {} W: {}) smaller than kernel size (kT: {} kH: {} kW: {})"
                               .format(*shape[-3:], *k))
    if any(kk // 2 < pp for kk, pp in zip(k, p, strict=True)):
        if d == 2:
            raise RuntimeError("pad should be smaller than or equal to half of kernel size, but got padW = "
                               f"{p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got kT: {k[0]} "
                           f"kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
    if min(out) < 1:
        planes = shape[-d - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes, *shape[-d:])))}). Calculated output size: "
                           f"({'x'.join(map(str, (planes, *out)))}). Output size is too small")


def _nd(kind: str, d: int, k, s, p, r):
    """The tuple-length checks of the 2-d / 3-d ATen path of max_pool or avg_pool (kind); the lists broadcast."""
    fn = f"{kind}_pool{d}d"
    either, omitted = ("", "be omitted") if fn == "avg_pool3d" else ("either ", "either be omitted")
    for name, vals, ok, form in (("kernel_size", k, (1, d), f"must {either}be a single int"),
                                 ("stride", s, (0, 1, d), f"must {omitted}, a single int"),
                                 ("padding", p, (1, d), f"must {either}be a single int"),
                                 ("dilation", r, (1, d), "must be either a single int")):
        if len(vals) not in ok:
            raise RuntimeError(f"{fn}: {name} {form}, or a tuple of {_WORD[d]} ints")
    k = k * d if len(k) == 1 else k
    s = k if not s else (s * d if len(s) == 1 else s)
    p, r = (p * d if len(p) == 1 else p), (r * d if len(r) == 1 else r)
    return k, s, p, r


def _finish(kind: str, shape, k, s, p, r, ceil: bool) -> tuple[int, ...]:
    d = len(k)
    out = tuple(output_size(shape[-d + i], k[i], p[i], s[i], r[i], ceil) for i in range(d))
    fn3 = "avg_pool3d()" if kind == "avg" else "max_pool3d_with_indices_out_cpu_template()"
    _shape_check(fn3, shape, k, s, p, r, out, kind == "avg" and d == 3)
    return out


def _plan(k, s, p, r, out, ndim: int, d: int, strip: int) -> Plan:
    """The plan on the real spatial dims (``strip`` leading torch-view dims dropped: the 1-d unsqueeze)."""
    return Plan(tuple(k[strip:]), tuple(s[strip:]), tuple(p[strip:]), tuple(r[strip:]), tuple(out[strip:]),
                ndim == d + 2)


def max_plan(d: int, x: np.ndarray, kernel_size, stride, padding, dilation, ceil_mode, with_indices: bool) -> Plan:
    """Checks of F.max_pool{d}d (1-d: two paths, with and without indices; with indices torch's parser names
    ``max_pool{d}d_with_indices``)."""
    fn = f"max_pool{d}d" + ("_with_indices" if with_indices else "")
    k = ints(kernel_size, fn, "kernel_size", 2)
    s = ints(stride, fn, "stride", 3, default=())
    p, r = ints(padding, fn, "padding", 4), ints(dilation, fn, "dilation", 5)
    ceil = boolean(ceil_mode, fn, "ceil_mode", 6)
    if d == 1 and not with_indices:
        return _max1d(x, k, s, p, r, ceil)
    if d == 1:
        _rank_1d(x, "max_pool1d")
        for name, vals in (("kernel_size", k), ("stride", s or k), ("padding", p), ("dilation", r)):
            _check1d("max_pool1d", name, vals)
        shape = x.shape[:-1] + (1,) + x.shape[-1:]
        k, s, p, r = [1] + k, [1] + (s or k), [0] + p, [1] + r
        out = _finish("max", shape, k, s, p, r, ceil)
        return _plan(k, s, p, r, out, x.ndim, 1, 1)
    k, s, p, r = _nd("max", d, k, s, p, r)
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"non-empty {d + 1}D or {d + 2}D (batch mode) tensor expected for input")
    return _plan(k, s, p, r, _finish("max", x.shape, k, s, p, r, ceil), x.ndim, d, 0)


def _max1d(x: np.ndarray, k, s, p, r, ceil: bool) -> Plan:
    """torch.max_pool1d's own checks (the path F.max_pool1d takes without return_indices)."""
    n = x.ndim
    if not ((n == 2 and min(x.shape) > 0) or (n == 3 and min(x.shape[1:]) > 0)):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_dims(x.shape)}")
    for name, vals, ok, form in (("kernel_size", k, (1,), "an int, list of ints or tuple of ints"),
                                 ("stride", s, (0, 1), "None, an int, list of ints, or tuple of ints"),
                                 ("padding", p, (1,), "an int, list of ints, or tuple of ints"),
                                 ("dilation", r, (1,), "an int, list of ints or tuple of ints")):
        if len(vals) not in ok:
            raise RuntimeError(f"max_pool1d() {name} must be {form} of size 1 but got size {len(vals)}")
    (k,), (p,), (r,) = k, p, r
    s = s[0] if s else k
    for bad, msg in ((k <= 0, f"kernel_size must be greater than zero, but got {k}"),
                     (s <= 0, f"stride must be greater than zero, but got {s}"),
                     (p < 0, f"padding must be non-negative, but got {p}"),
                     (p > k // 2, f"padding should be at most half of kernel size, but got padding={p} and "
                                  f"kernel_size={k}"),
                     (r <= 0, f"dilation must be greater than zero, but got {r}")):
        if bad:
            raise RuntimeError(f"max_pool1d() {msg}")
    o = output_size(x.shape[-1], k, p, s, r, ceil)
    if o <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    no_integer_kernel(x, "max_pool1d_impl")
    return Plan((k,), (s,), (p,), (r,), (o,), n == 3)


def avg_plan(d: int, x: np.ndarray, kernel_size, stride, padding, ceil_mode, count_include_pad,
             divisor_override, keywords: bool = False) -> Plan:
    """Checks of F.avg_pool{d}d (AvgPool1d has no divisor_override: pass None; ``keywords``: ceil_mode was
    passed by name, so torch's message names no position), ending with its integer kernel: int64 only."""
    fn = f"avg_pool{d}d"
    k = ints(kernel_size, fn, "kernel_size", 2)
    s = ints(stride, fn, "stride", 3, default=())
    p = ints(padding, fn, "padding", 4)
    boolean(ceil_mode, fn, "ceil_mode", None if keywords else 5)
    boolean(count_include_pad, fn, "count_include_pad", 6)
    if divisor_override is not None and not is_int(divisor_override):
        raise TypeError(f"{fn}(): argument 'divisor_override' (position 7) must be int, not "
                        f"{_typename(divisor_override)}")
    if d == 1:
        _rank_1d(x, "avg_pool1d")
        for name, vals in (("kernel_size", k), ("stride", s or k), ("padding", p)):
            _check1d("avg_pool1d", name, vals)
        shape = x.shape[:-1] + (1,) + x.shape[-1:]
        k, s, p, r = [1] + k, [1] + (s or k), [0] + p, [1, 1]
        out = _finish("avg", shape, k, s, p, r, ceil_mode)
        if x.dtype.kind in "iu" and x.dtype != np.int64:
            no_integer_kernel(x, "avg_pool2d")
        return _plan(k, s, p, r, out, x.ndim, 1, 1)
    k, s, p, r = _nd("avg", d, k, s, p, [1])
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if d == 2 and x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], but got -3)"
                         if x.ndim else "Dimension specified as -3 but tensor has no dimensions")
    if d == 3 and x.ndim not in (4, 5):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
    out = _finish("avg", x.shape, k, s, p, r, ceil_mode)
    if x.dtype.kind in "iu" and x.dtype != np.int64:
        no_integer_kernel(x, "avg_pool2d" if d == 2 else "avg_pool3d_out_frame")
    return _plan(k, s, p, r, out, x.ndim, d, 0)


# -- adaptive pools -----------------------------------------------------------------------------------------------
def adaptive_sizes(kind: str, d: int, x: np.ndarray, output_size) -> tuple[tuple[int, ...], bool]:
    """(output size, is the mean shortcut) after torch's checks of F.adaptive_{avg,max}_pool{d}d.

    ``adaptive_avg_pool2d/3d`` with an all-ones output size is ``input.mean(spatial dims, keepdim=True)``: no rank
    check there (a 2-d input to AdaptiveAvgPool2d(1) gives (1, 1); a 1-d one is an IndexError of mean)."""
    fn = f"adaptive_{kind}_pool{d}d"
    if d == 1:
        o = ints(output_size, fn, "output_size", 2)
        _rank_1d(x, fn)
        if kind == "max":
            _nonzero(x.shape, "adaptive_max_pool1d", range(1, x.ndim))
        _check1d(fn, "output_size", o)
        shape, o = x.shape[:-1] + (1,) + x.shape[-1:], [1] + o
    else:
        if not is_int(output_size):  # torch's _list_with_default: None entries keep the input's size
            if x.ndim <= len(output_size):
                raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
            output_size = [x.shape[-len(output_size) + i] if v is None else v for i, v in enumerate(output_size)]
        o = ints(output_size, fn, "output_size", 2)
        o = o * d if is_int(output_size) else o
        shape = x.shape
    td = max(d, 2)  # torch-view dims: 2 for the 1-d pools (unsqueezed), else d
    if kind == "avg":
        fn2 = f"adaptive_avg_pool{max(d, 2)}d"
        if len(o) != td:
            raise RuntimeError(f"{fn2}: output_size must be {td}")
        if min(o) < 0:
            got = ", ".join(map(str, o)) if td == 2 else f"{o[0]}, {o[1]},{o[2]}"
            raise RuntimeError(f"{fn2}: elements of output_size must be greater than or equal to 0 but received "
                               f"{{{got}}}")
        if all(v == 1 for v in o):
            if len(shape) < td:  # mean over dims (-1, -2[, -3]); a 0-d tensor counts as 1-d there
                r = max(len(shape), 1)
                raise IndexError(f"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got "
                                 f"{-r - 1})")
            if x.dtype.kind in "iu":
                raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating "
                                   f"point or complex dtype. Got: {torch_dtype_name(x.dtype)}")
            return tuple(o[td - d:]), True
        _rank(shape, td, fn2, "")
        _nonzero(shape, fn2, range(len(shape) - 2, len(shape)) if td == 2 else range(1, len(shape)))
        no_integer_kernel(x, fn2 if td == 2 else "adaptive_avg_pool3d_cpu")
    else:
        fn2 = f"adaptive_max_pool{td}d"
        _rank(shape, td, fn2, ":")
        _nonzero(shape, fn2, range(1, len(shape)))
        if len(o) != td:
            raise RuntimeError(f"{fn2}(): internal error: output_size.size() must be {td}")
        if min(o) < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(o)}: "
                               f"{_dims(shape[:-td] + tuple(o))}")
        no_integer_kernel(x, fn2 if td == 2 else "adaptive_max_pool3d_cpu")
    return tuple(o[td - d:]), False


def _rank(shape, td: int, fn: str, colon: str) -> None:
    if len(shape) not in (td + 1, td + 2):
        raise RuntimeError(f"{fn}(): Expected {td + 1}D or {td + 2}D tensor, but got{colon} {_dims(shape)}")


def _nonzero(shape, fn: str, dims) -> None:
    for i in dims:
        if shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {_dims(shape)} with dimension {i} being empty")


def adaptive_backward_check(kind: str, d: int, dy_shape) -> None:
    """torch's adaptive backward refuses a cotangent with an empty non-batch dim (the 1-d pools as 2-d)."""
    shape = dy_shape
    if d == 1:
        shape = dy_shape[:-1] + (1,) + dy_shape[-1:]
    if math.prod(shape[1:]) == 0:
        i = next(i for i in range(1, len(shape)) if shape[i] == 0)
        raise RuntimeError(f"adaptive_{kind}_pool{max(d, 2)}d_backward(): Expected grad_output to have non-zero size "
                           f"for non-batch dimensions, but grad_output has sizes {_dims(shape)} with dimension {i} "
                           "being empty")
