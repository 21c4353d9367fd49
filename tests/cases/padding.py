"""Catalog entries: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad in 1, 2 and 3 dims.

Per mode and dim: symmetric and asymmetric pads, negative (cropping) pads, the legal edges (reflect pad =
size - 1, circular pad = size), padding larger than tiny dims, unbatched inputs, a non-zero constant. Two crops
pin torch's mode-dependent order: reflect pads from the whole input, then crops (``(3, -2)`` mirrors elements
the crop removes), circular crops first and wraps around what is left. Hypothesis draws only shapes valid for
the entry's padding (:func:`valid_shapes`); bad inputs and arguments carry torch 2.13's error classes
(NotImplementedError for an unsupported rank of the non-constant modes, ValueError for CircularPad's own rank
check, RuntimeError for sizes, TypeError for non-int paddings). Padding is linear, so there are no kinks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats

X = floats(-3.0, 3.0)


def _pairs(padding: tuple[int, ...]) -> list[tuple[int, int]]:
    """torch's flat (left, right, top, bottom, ...) as (lo, hi) per padded dim, outermost first."""
    k = len(padding) // 2
    return [(padding[2 * i], padding[2 * i + 1]) for i in reversed(range(k))]


def min_size(mode: str, lo: int, hi: int) -> int:
    """The smallest size of a dim padded by (lo, hi) that torch accepts, with a non-empty output."""
    if mode == "reflect":  # pad < size
        return max(lo + 1, hi + 1, 1 - lo - hi)
    if mode == "circular":  # pad <= size and <= what a crop on the other side leaves
        return max(lo, hi, max(lo, hi) - min(lo, 0) - min(hi, 0), 1)
    return max(1, 1 - lo - hi)


def valid_shapes(mode: str, padding: tuple[int, ...], lead: tuple[int, ...] = (1, 2), extra: int = 2):
    """Shapes (*leading, *padded) with ``len(padding) // 2`` padded dims, each from its minimum size to ``extra``
    above it; the number of leading dims is drawn from ``lead`` (non-constant modes: 1 unbatched, 2 batched)."""
    sizes = [st.integers(m, m + extra) for m in (min_size(mode, lo, hi) for lo, hi in _pairs(padding))]
    return st.sampled_from(lead).flatmap(
        lambda n: st.tuples(*[st.integers(1, 3)] * n, *sizes)).map(tuple)


def _x(label: str, shape: tuple[int, ...], dtype=None) -> BadInput:
    return BadInput(label, lambda rng, dt: (rng.standard_normal(shape).astype(dtype or dt),))


def _ints(shape: tuple[int, ...]) -> BadInput:
    return BadInput("int64", lambda rng, dt: (rng.integers(-5, 5, shape),))


def _bools(shape: tuple[int, ...]) -> BadInput:
    return BadInput("bool", lambda rng, dt: (rng.random(shape) < 0.5,))


def _nan(shape: tuple[int, ...]) -> BadInput:
    return BadInput("nan", lambda rng, dt: (np.where(rng.random(shape) < 0.3, np.nan, 1.0).astype(dt),))


def _call(module, shape, dtype=np.float64):
    return module(np.ones(shape, dtype))


def pad_case(name: str, make, mode: str, padding: tuple[int, ...], shape: tuple[int, ...], lead=(1, 2),
             **kw) -> Case:
    return Case(name, make, X, shape, shapes=valid_shapes(mode, padding, lead), **kw)


_ARGS = (
    BadArgs("padding of length 3 (at call)", lambda lib: _call(lib.ZeroPad2d((1, 2, 3)), (1, 2, 3, 3))),
    BadArgs("padding of length 1 (at call)", lambda lib: _call(lib.ConstantPad1d((1,), 2.0), (1, 2, 3))),
    BadArgs("float padding (at call)", lambda lib: _call(lib.ZeroPad1d(1.5), (1, 2, 3))),
    BadArgs("float in 2nd place (at call)", lambda lib: _call(lib.ReflectionPad1d((1, 1.0)), (1, 2, 3))),
    BadArgs("bool first (at call)", lambda lib: _call(lib.ReplicationPad1d((True, 1)), (1, 2, 3))),
    BadArgs("None padding (at call)", lambda lib: _call(lib.CircularPad1d(None), (1, 2, 3))),
    BadArgs("0-d array padding", lambda lib: lib.ZeroPad1d(np.array(2))),
    BadArgs("string value (at call)", lambda lib: _call(lib.ConstantPad1d(1, "a"), (1, 2, 3))),
    BadArgs("nan into int64 (at call)", lambda lib: _call(lib.ConstantPad1d(1, float("nan")), (1, 2, 3), np.int64)),
    BadArgs("300 into uint8 (at call)", lambda lib: _call(lib.ConstantPad1d(1, 300), (1, 2, 3), np.uint8)),
    BadArgs("1e39 into float32 (at call)", lambda lib: _call(lib.ConstantPad2d(1, 1e39), (1, 2, 3), np.float32)),
    BadArgs("6 pads on 2-d (at call)", lambda lib: _call(lib.ZeroPad3d(1), (3, 3))),
    BadArgs("constant crop past the dim (at call)", lambda lib: _call(lib.ZeroPad1d((-2, -2)), (1, 2, 3))),
    BadArgs("ReflectionPad2d 2-tuple on 4-d (at call)", lambda lib: _call(lib.ReflectionPad2d((1, 2)), (1, 2, 3, 3))),
    BadArgs("reflect crop to nothing, 1d (at call)", lambda lib: _call(lib.ReflectionPad1d((-2, -1)), (1, 2, 3))),
    BadArgs("replicate crop to nothing, 2d (at call)", lambda lib: _call(lib.ReplicationPad2d((-3, 0, -2, 0)),
                                                                         (1, 2, 2, 3))),
    BadArgs("reflect negative output, 3d (at call)", lambda lib: _call(lib.ReflectionPad3d((0, 0, 0, 0, -2, -1)),
                                                                       (1, 2, 2, 2, 2))),
    BadArgs("circular crop below 0 (at call)", lambda lib: _call(lib.CircularPad1d((-2, -2)), (1, 2, 3))),
    BadArgs("CircularPad1d 4-tuple on 4-d (at call)", lambda lib: _call(lib.CircularPad1d((1, 1, 1, 1)),
                                                                        (1, 2, 3, 3))),
)

CASES: list[Case] = [
    # -- zero -------------------------------------------------------------------------------------------------
    pad_case("zero_pad1d", lambda lib: lib.ZeroPad1d(2), "constant", (2, 2), (2, 3, 4), lead=(0, 1, 2, 3),
             bad_inputs=(_x("0-d", ()), _ints((2, 3)), _bools((2, 3)), _nan((2, 3, 4)),
                         _x("empty batch", (0, 3, 4)), _x("size-0 padded dim", (2, 3, 0))),
             bad_args=_ARGS),
    pad_case("zero_pad2d", lambda lib: lib.ZeroPad2d((1, 1, 2, 0)), "constant", (1, 1, 2, 0), (2, 2, 3, 3),
             lead=(0, 1, 2, 3), bad_inputs=(_x("1-d", (4,)), _x("empty batch", (0, 2, 3, 3)))),
    pad_case("zero_pad2d_crop_unbatched", lambda lib: lib.ZeroPad2d((-1, 2, 0, -2)), "constant", (-1, 2, 0, -2),
             (3, 4), lead=(0, 1), bad_inputs=(_x("crop past H", (1, 1, 3)),)),
    # a 2-tuple pads W only: the tuple's length, not the class, says how many dims are padded
    pad_case("zero_pad2d_two_entries", lambda lib: lib.ZeroPad2d((1, 2)), "constant", (1, 2), (2, 2, 3, 3)),
    pad_case("zero_pad3d", lambda lib: lib.ZeroPad3d((1, 0, 0, 2, 1, 1)), "constant", (1, 0, 0, 2, 1, 1),
             (1, 2, 2, 3, 2), lead=(0, 1, 2), bad_inputs=(_x("2-d", (3, 3)),)),
    # -- constant (value != 0) --------------------------------------------------------------------------------
    pad_case("constant_pad1d", lambda lib: lib.ConstantPad1d((2, -1), 3.5), "constant", (2, -1), (2, 2, 3),
             lead=(0, 1, 2), bad_inputs=(_ints((2, 3)), _bools((2, 3)), _x("empty batch", (0, 2, 3)),
                                         _x("crop to nothing", (2, 1)))),
    pad_case("constant_pad2d", lambda lib: lib.ConstantPad2d(1, -1.25), "constant", (1, 1, 1, 1), (2, 3, 3),
             lead=(0, 1, 2), bad_inputs=(_x("float32 into float64 twin", (2, 2, 2), np.float32),)),
    pad_case("constant_pad3d", lambda lib: lib.ConstantPad3d((0, 1, -1, 1, 2, 0), 2), "constant",
             (0, 1, -1, 1, 2, 0), (1, 2, 2, 3, 2), lead=(0, 1, 2), bad_inputs=(_ints((2, 2, 2)),)),
    # -- reflect ----------------------------------------------------------------------------------------------
    pad_case("reflection_pad1d", lambda lib: lib.ReflectionPad1d((2, 1)), "reflect", (2, 1), (2, 3, 4),
             bad_inputs=(_x("1-d", (4,)), _x("4-d", (1, 2, 3, 4)), _x("pad = size", (2, 3, 2)), _ints((2, 3, 4)),
                         _bools((2, 3)), _nan((2, 3, 4)), _x("empty batch", (0, 3, 4)),
                         _x("0 channels", (2, 0, 4)))),
    # pad = size - 1 with a crop on the other side: torch mirrors the WHOLE input, then crops ([3, 2, 1, 0, 1])
    pad_case("reflection_pad1d_edge_crop", lambda lib: lib.ReflectionPad1d((3, -2)), "reflect", (3, -2), (2, 4),
             bad_inputs=(_x("pad = size", (2, 3)),)),
    pad_case("reflection_pad2d", lambda lib: lib.ReflectionPad2d((1, 2, 2, -1)), "reflect", (1, 2, 2, -1),
             (2, 2, 3, 4), bad_inputs=(_x("2-d", (3, 4)), _x("5-d", (1, 1, 2, 3, 4)), _x("pad = size in H", (2, 2, 4)),
                                       _x("empty batch", (0, 2, 3, 4)))),
    pad_case("reflection_pad3d", lambda lib: lib.ReflectionPad3d((1, 1, 0, 2, 1, 0)), "reflect",
             (1, 1, 0, 2, 1, 0), (2, 2, 3, 3), bad_inputs=(_x("3-d", (2, 3, 3)), _x("pad = size in W", (1, 2, 3, 1)),
                                                           _bools((1, 2, 3, 3)))),
    # -- replicate --------------------------------------------------------------------------------------------
    # padding larger than the dim; at W = 1 the crop leaves nothing and torch replicates the cropped element
    pad_case("replication_pad1d", lambda lib: lib.ReplicationPad1d((3, -1)), "replicate", (3, -1), (2, 2, 2),
             bad_inputs=(_x("1-d", (3,)), _ints((2, 3)), _bools((2, 3)), _x("0 channels", (0, 3)))),
    pad_case("replication_pad2d", lambda lib: lib.ReplicationPad2d((2, 0, 1, 3)), "replicate", (2, 0, 1, 3),
             (2, 2, 1, 2), bad_inputs=(_x("2-d", (3, 3)), _x("empty batch", (0, 2, 1, 2)))),
    pad_case("replication_pad3d", lambda lib: lib.ReplicationPad3d((1, 2, 0, 1, 2, -1)), "replicate",
             (1, 2, 0, 1, 2, -1), (1, 2, 2, 2, 3), bad_inputs=(_x("6-d", (1, 1, 1, 2, 2, 3)),)),
    # -- circular ---------------------------------------------------------------------------------------------
    pad_case("circular_pad1d", lambda lib: lib.CircularPad1d(3), "circular", (3, 3), (2, 3),
             bad_inputs=(_x("1-d", (3,)), _x("4-d", (1, 1, 2, 3)), _x("pad > size", (2, 2)), _ints((2, 3)),
                         _bools((2, 3)), _x("empty batch", (0, 2, 3)), _x("0 channels", (1, 0, 3)))),
    # crop first, then wrap around what is left: [0, 1, 2, 3] with (1, -2) is [1, 0, 1]
    pad_case("circular_pad1d_crop", lambda lib: lib.CircularPad1d((1, -2)), "circular", (1, -2), (2, 2, 4)),
    pad_case("circular_pad2d", lambda lib: lib.CircularPad2d((2, 2, 1, 0)), "circular", (2, 2, 1, 0), (1, 2, 3, 2),
             bad_inputs=(_x("2-d", (3, 3)), _x("pad > size in W", (1, 2, 3, 1)))),
    pad_case("circular_pad3d", lambda lib: lib.CircularPad3d((1, -1, 0, 2, 1, 1)), "circular",
             (1, -1, 0, 2, 1, 1), (2, 2, 3, 2), bad_inputs=(_x("pad > size in H", (1, 1, 2, 1, 2)),)),
]
