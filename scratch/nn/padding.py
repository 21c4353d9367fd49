"""Padding layers: zero, constant, reflection, replication and circular padding of the last 1, 2 or 3 dims.

All 15 classes are ONE implementation, :class:`_PadNd`, parametrized by the number of padded dims the class
names (``_dims``) and the mode (``_mode``); the public classes are thin subclasses. Forward and backward are the
shared kernels of ``scratch/nn/_windows.py``: :func:`~scratch.nn._windows.pad` (one gather per dim by an index
map) and its adjoint :func:`~scratch.nn._windows.pad_backward` (a scatter-add, so an input element that several
output positions copy collects all their gradients).

``padding`` is an int (the same on every side) or a tuple in torch's order, LAST dim first: (left, right) for
W, then (top, bottom) for H, then (front, back) for D. A negative entry crops. As in torch the tuple is stored
as given and only checked when the layer is called, with torch's error classes and messages, and its LENGTH,
not the class, decides how many dims are padded (``ZeroPad2d((1, 2))`` pads W only; ``ReflectionPad2d`` with
a 6-tuple is a 3-d reflection).

Where a crop meets a pad on the other side of the same dim, torch's modes differ and scratch follows each:
circular crops first and wraps around what is left; reflect pads from the whole input and crops afterwards, so
``ReflectionPad1d((3, -2))`` on ``[0, 1, 2, 3]`` gives ``[3, 2, 1, 0, 1]``, mirroring elements the crop removes;
replicate too pads before it crops (it differs only on a dim cropped to nothing, which still repeats its cropped
edge); constant gives the same either way. Hence forward is ``crop`` then ``pad`` for circular and ``pad`` then
``crop`` otherwise, each step a :func:`_windows.pad` call (a crop is ``pad`` with negative amounts); backward runs
the adjoints in reverse (a crop's adjoint is a zero pad by the cropped amounts).
"""

from __future__ import annotations

import math
import textwrap

import numpy as np

from . import _windows
from ._pad_checks import _as_tuple, _check_constant, _pad_argument, _value_argument, check_edge_padding
from ._parameter import _typename
from .base import CachedModule

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


# -- the one implementation --------------------------------------------------------------------------------------
class _PadNd(CachedModule):
    """Pads (or, where negative, crops) the last ``len(padding) // 2`` dims; subclasses set ``_dims`` (the dims
    the class names: an int padding is repeated ``2 * _dims`` times; circular checks the input rank against it)
    and ``_mode`` ('constant', 'reflect', 'replicate' or 'circular')."""

    _dims: int = 1
    _mode: str = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _as_tuple(padding, 2 * self._dims)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"pad(): argument 'input' (position 1) must be numpy.ndarray, not {_typename(x)}")
        if x.dtype.kind not in "biufc":
            raise TypeError(f"pad(): input must be a numeric array, got dtype {x.dtype}")
        mode, d = self._mode, self._dims
        if mode == "circular":  # the module's own rank check, before F.pad's
            if x.ndim not in (d + 1, d + 2):
                raise ValueError(f"expected {d + 1}D or {d + 2}D input (got {x.ndim}D input)")
        pads = _pad_argument(self.padding)
        value = 0.0  # the fill of the constant mode only
        if mode == "constant":
            value = _value_argument(self.value)
        if len(pads) % 2:
            raise RuntimeError("Padding length must be divisible by 2")
        if len(pads) > 2 * x.ndim:
            raise RuntimeError("Padding length should be less than or equal to two times the input dimension but "
                               f"got padding length {len(pads)} and input of dimension {x.ndim}")
        k = len(pads) // 2
        pairs = [(pads[2 * i], pads[2 * i + 1]) for i in reversed(range(k))]  # (lo, hi) of dims -k .. -1
        if mode == "constant":
            _check_constant(x, pairs, value)
        else:
            check_edge_padding(x, pairs, mode)

        out_shape = x.shape[:x.ndim - k] + tuple(
            n + lo + hi for n, (lo, hi) in zip(x.shape[x.ndim - k:], pairs, strict=True))
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
        crop = [(min(lo, 0), min(hi, 0)) for lo, hi in pairs]
        if math.prod(out_shape) == 0:
            y = np.zeros(out_shape, x.dtype)
        elif mode == "circular":  # crop first, then wrap around what is left
            y = self._grow(self._crop(x, crop), grow, value)
        else:  # pad from the whole input, then crop
            y = self._crop(self._grow(x, grow, value), crop)
        if y is x:
            y = x.copy()  # no padding at all: a new array all the same, as torch's
        return self._save(y, x.shape, grow, crop)

    def _grow(self, x: np.ndarray, grow: list[tuple[int, int]], value: float) -> np.ndarray:
        return _windows.pad(x, grow, self._mode, value) if any(map(any, grow)) else x

    @staticmethod
    def _crop(x: np.ndarray, crop: list[tuple[int, int]]) -> np.ndarray:
        return _windows.pad(x, crop, "constant") if any(map(any, crop)) else x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dx[j] = the sum of dy over every output position that copies x[j]; 0 where nothing copies x[j]
        (cropped elements); constant fills receive nothing."""
        dy, shape, grow, crop = self._saved(dy)
        if dy.size == 0:
            return np.zeros(shape, dy.dtype)

        def uncrop(g):  # the adjoint of a crop puts zeros where it cut: a zero pad by the cropped amounts
            return _windows.pad(g, [(-lo, -hi) for lo, hi in crop], "constant") if any(map(any, crop)) else g

        def ungrow(g, before):  # the adjoint of the pad: the fold of _windows.pad_backward
            return _windows.pad_backward(g, before, grow, self._mode) if any(map(any, grow)) else g

        if self._mode == "circular":
            lead, sizes = shape[:len(shape) - len(crop)], shape[len(shape) - len(crop):]
            g = uncrop(ungrow(dy, lead + tuple(n + lo + hi for n, (lo, hi) in zip(sizes, crop, strict=True))))
        else:
            g = ungrow(uncrop(dy), shape)
        return g.copy() if np.may_share_memory(g, dy) else g  # never a view of the caller's cotangent

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    _mode = "constant"

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPad:
    """ZeroPadNd is ConstantPadNd with value 0.0 (a subclass, as in torch) and a repr without the value."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


_SHAPES = {1: ("W", "(N, C, W)", "(C, W)"), 2: ("H, W", "(N, C, H, W)", "(C, H, W)"),
           3: ("D, H, W", "(N, C, D, H, W)", "(C, D, H, W)")}
_ORDER = {1: "(left, right)", 2: "(left, right, top, bottom)", 3: "(left, right, top, bottom, front, back)"}
_WHAT = {  # behaviour, [0, 1, 2, 3] padded by (2, 2), what a negative padding does, where the gradient folds
    "zero": ("Pads the input boundaries with zeros.", "[0, 0, 0, 1, 2, 3, 0, 0]",
             "A negative padding crops that side.", "the zeros receive nothing"),
    "constant": ("Pads the input boundaries with a constant ``value``.", "[v, v, 0, 1, 2, 3, v, v]",
                 "A negative padding crops that side.", "the constant receives nothing"),
    "reflect": ("Pads with the reflection of the input about its boundary, the boundary element not repeated.",
                "[2, 1, 0, 1, 2, 3, 2, 1]", "Each padding must be smaller than its dim (RuntimeError otherwise). A "
                "negative padding crops that side AFTER the other side is padded from the whole input, as torch "
                "does: (3, -2) gives [3, 2, 1, 0, 1].",
                "an element mirrored into the padding also collects its mirror images' gradients"),
    "replicate": ("Pads by repeating the input's boundary element.", "[0, 0, 0, 1, 2, 3, 3, 3]",
                  "A negative padding crops that side after the other side is padded, as torch does (a dim "
                  "cropped to nothing still repeats its cropped boundary element).",
                  "each boundary element collects the gradient of all its copies"),
    "circular": ("Pads by wrapping around: the end of the input pads the beginning and the beginning the end.",
                 "[2, 3, 0, 1, 2, 3, 0, 1]", "Each padding may not exceed its dim (RuntimeError). A negative padding "
                 "crops that side FIRST and the other side wraps around what is left, as torch does: (1, -2) gives "
                 "[1, 0, 1]; a padding larger than what is left is a RuntimeError.",
                 "a wrapped element also collects the gradient of its copy"),
}


def _doc(kind: str, d: int) -> str:
    """The docstring of a public padding class, PyTorch style: behaviour, Args, Shape, gradient."""
    what, example, negative, fold = _WHAT[kind]
    names, batched, unbatched = _SHAPES[d]
    sides = (("front", "back"), ("top", "bottom"), ("left", "right"))[3 - d:]
    out = ", ".join(f"{n}_out = {n}_in + {a} + {b}" for n, (a, b) in zip(names.split(", "), sides, strict=True))
    shape = (f"(*, {names}), any number of leading dims" if kind in ("zero", "constant")
             else f"{batched} or {unbatched}")

    def para(text: str, indent: str = "    ", hang: str = "") -> str:
        return textwrap.fill(text, 116, initial_indent=indent, subsequent_indent=indent + hang)

    args = [para(f"padding (int or tuple): the same padding on every side, or {_ORDER[d]}, last dim first. The "
                 "tuple is stored as given and checked when the layer is called; its length decides how many "
                 "trailing dims are padded.", " " * 8, "    ")]
    if kind == "constant":
        args.append(para("value (float): the fill value.", " " * 8, "    "))
    return "\n".join([
        what, "",
        para(f"Along one dim, [0, 1, 2, 3] padded by 2 on each side gives {example}. {negative}"), "",
        "    Args:", *args, "",
        "    Shape:", para(f"Input: {shape}. Output: the same with {out}.", " " * 8), "",
        para(f"Gradient: dx[j] is the sum of dy over every output position that copies x[j]: {fold}; cropped "
             "elements get 0."), ""])


class ConstantPad1d(_ConstantPadNd):
    __doc__ = _doc("constant", 1)
    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    __doc__ = _doc("constant", 2)
    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    __doc__ = _doc("constant", 3)
    _dims = 3


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    __doc__ = _doc("zero", 1)


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    __doc__ = _doc("zero", 2)


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    __doc__ = _doc("zero", 3)


class ReflectionPad1d(_PadNd):
    __doc__ = _doc("reflect", 1)
    _dims, _mode = 1, "reflect"


class ReflectionPad2d(_PadNd):
    __doc__ = _doc("reflect", 2)
    _dims, _mode = 2, "reflect"


class ReflectionPad3d(_PadNd):
    __doc__ = _doc("reflect", 3)
    _dims, _mode = 3, "reflect"


class ReplicationPad1d(_PadNd):
    __doc__ = _doc("replicate", 1)
    _dims, _mode = 1, "replicate"


class ReplicationPad2d(_PadNd):
    __doc__ = _doc("replicate", 2)
    _dims, _mode = 2, "replicate"


class ReplicationPad3d(_PadNd):
    __doc__ = _doc("replicate", 3)
    _dims, _mode = 3, "replicate"


class CircularPad1d(_PadNd):
    __doc__ = _doc("circular", 1)
    _dims, _mode = 1, "circular"


class CircularPad2d(_PadNd):
    __doc__ = _doc("circular", 2)
    _dims, _mode = 2, "circular"


class CircularPad3d(_PadNd):
    __doc__ = _doc("circular", 3)
    _dims, _mode = 3, "circular"
