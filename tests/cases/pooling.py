"""Catalog entries: MaxPool, AvgPool, LPPool, AdaptiveAvgPool, AdaptiveMaxPool in 1, 2 and 3 spatial dims, one per
trap of docs/torch_facts.md (Pooling): ceil_mode windows that would start in the right padding (H=5 k2 s2 p1 and
H=7 k2 s3 p1 drop them), a kept clipped last window (H=5 k2 s2 p0), dilation 2 + padding 1 + ceil, overlapping
windows (k3 s1, k3 s2), non-square kernels and strides, the count_include_pad x ceil_mode divisors and
divisor_override, LPPool's K / n scaling of clipped windows, adaptive 5->3, 7->3, 3->5 and None entries,
MaxUnpool, and FractionalMaxPool (drawn or fixed samples, the alpha = 1 and output-1 edges, float32 starts).

Max pooling samples distinct values (a margin between the top two of every window: finite differences apply);
its kinks (ties, NaN, all -inf planes) are compared with torch. Indices and the exact divisor tables are checked
in tests/test_pooling.py (FractionalMaxPool's window starts: tests/test_pooling_fractional.py), which the
generic checks cannot express.
"""

from __future__ import annotations

import math

import numpy as np

from tests.cases._common import call_on_zeros
from tests.cases._pool_samplers import (
    distinct,
    fractional_samples,
    pool_shapes,
    positive,
    signed_distinct,
    ties,
    unpool_inputs,
    zero_windows,
)
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats


def _x(shape, dtype=None, fill=None):
    """A bad input: standard normal (or ``fill``) of that shape, in the case dtype unless ``dtype`` is given."""
    def sample(rng, dt):
        x = rng.standard_normal(shape) if fill is None else np.full(shape, fill)
        return (x.astype(dtype or dt),)
    return sample


def _ints(shape, dtype=np.int64):
    return lambda rng, dt: (rng.integers(-4, 5, shape).astype(dtype),)


def _nan(shape):
    return lambda rng, dt: (np.where(rng.random(shape) < 0.3, np.nan, rng.standard_normal(shape)).astype(dt),)


def _bad(label, shape, **kw):
    return BadInput(label, _x(shape, **kw))


def _common_bad(d: int, size: int, c: int = 2) -> tuple[BadInput, ...]:
    """Inputs torch accepts for every windowed pool: NaN, -inf, empty batch, unbatched."""
    sp = (size,) * d
    return (BadInput("nan", _nan((2, c) + sp)), _bad("all -inf", (2, c) + sp, fill=-np.inf),
            _bad("empty batch", (0, c) + sp), _bad("unbatched", (c,) + sp))


def _call(make, shape):
    return lambda lib: call_on_zeros(make(lib), shape)


X = floats(-2.0, 2.0)
D = distinct()
S4 = (2, 3, 6, 6)

MAX2D_BAD = _common_bad(2, 6) + (
    _bad("rank 2 (RuntimeError)", (6, 6)), _bad("rank 5", (1, 2, 3, 6, 6)), _bad("C = 0", (2, 0, 6, 6)),
    _bad("H = 0", (2, 3, 0, 6)), _bad("input smaller than the kernel", (2, 3, 1, 1)),
    BadInput("int64 (pools, no gradient)", _ints((2, 3, 6, 6))), BadInput("uint8", _ints((1, 2, 4, 4), np.uint8)),
    _bad("bool (NotImplementedError)", (2, 3, 4, 4), dtype=np.bool_))
MAX2D_ARGS = (
    BadArgs("padding > kernel/2", _call(lambda lib: lib.MaxPool2d(3, padding=2), (1, 1, 6, 6))),
    BadArgs("k3 p2 d2: the rule is on the undilated kernel", _call(lambda lib: lib.MaxPool2d(3, 1, 2, 2),
                                                                    (1, 1, 9, 9))),
    BadArgs("k1 p1 d3: half the dilated kernel", _call(lambda lib: lib.MaxPool2d(1, 1, 1, 3), (1, 1, 5, 5))),
    BadArgs("stride 0", _call(lambda lib: lib.MaxPool2d(2, 0), (1, 1, 4, 4))),
    BadArgs("kernel 0", _call(lambda lib: lib.MaxPool2d(0), (1, 1, 4, 4))),
    BadArgs("kernel -1", _call(lambda lib: lib.MaxPool2d(-1, 1), (1, 1, 4, 4))),
    BadArgs("dilation 0", _call(lambda lib: lib.MaxPool2d(2, dilation=0), (1, 1, 4, 4))),
    BadArgs("negative padding", _call(lambda lib: lib.MaxPool2d(2, padding=-1), (1, 1, 4, 4))),
    BadArgs("output size 0", _call(lambda lib: lib.MaxPool2d(7), (1, 1, 5, 5))),
    BadArgs("kernel of 3 ints", _call(lambda lib: lib.MaxPool2d((2, 2, 2)), (1, 1, 4, 4))),
    BadArgs("stride of 3 ints", _call(lambda lib: lib.MaxPool2d(2, (1, 1, 1)), (1, 1, 4, 4))),
    BadArgs("kernel a float (TypeError)", _call(lambda lib: lib.MaxPool2d(2.0), (1, 1, 4, 4))),
    BadArgs("ceil_mode=1 (TypeError)", _call(lambda lib: lib.MaxPool2d(2, ceil_mode=1), (1, 1, 4, 4))),
    BadArgs("divisor_override= (TypeError)", lambda lib: lib.MaxPool2d(2, divisor_override=2)),
)
MAX1D_BAD = (_bad("rank 1", (6,)), _bad("rank 4", (1, 2, 3, 6)), _bad("L smaller than the kernel", (2, 2, 2)),
             _bad("C = 0", (2, 0, 6)), BadInput("int64 (NotImplementedError without indices)", _ints((2, 2, 6))))
MAX1D_ARGS = (
    BadArgs("padding > kernel/2", _call(lambda lib: lib.MaxPool1d(3, 1, 2), (1, 1, 6))),
    BadArgs("output size 0", _call(lambda lib: lib.MaxPool1d(4, 1, 0, 3), (1, 1, 6))),
    BadArgs("kernel of 2 ints", _call(lambda lib: lib.MaxPool1d((2, 2)), (1, 1, 6))),
    BadArgs("stride 0", _call(lambda lib: lib.MaxPool1d(2, 0), (1, 1, 6))),
    BadArgs("with indices: kernel of 2 ints", _call(lambda lib: lib.MaxPool1d((2, 2), return_indices=True),
                                                    (1, 1, 6))),
)
AVG2D_BAD = _common_bad(2, 6) + (
    _bad("rank 2 (IndexError: size(-3))", (6, 6)), _bad("rank 1 (IndexError)", (6,)), _bad("rank 5", (1, 2, 3, 6, 6)),
    _bad("C = 0", (2, 0, 6, 6)), BadInput("int64 (truncating division)", _ints((2, 3, 6, 6))),
    BadInput("int32 (NotImplementedError)", _ints((2, 3, 6, 6), np.int32)))
AVG2D_ARGS = (
    BadArgs("divisor_override=0", _call(lambda lib: lib.AvgPool2d(2, divisor_override=0), (1, 1, 4, 4))),
    BadArgs("divisor_override=2.0 (TypeError)", _call(lambda lib: lib.AvgPool2d(2, divisor_override=2.0),
                                                      (1, 1, 4, 4))),
    BadArgs("padding > kernel/2", _call(lambda lib: lib.AvgPool2d(3, padding=2), (1, 1, 6, 6))),
    BadArgs("stride 0", _call(lambda lib: lib.AvgPool2d(2, 0), (1, 1, 4, 4))),
    BadArgs("kernel of 3 ints", _call(lambda lib: lib.AvgPool2d((2, 2, 2)), (1, 1, 4, 4))),
    BadArgs("count_include_pad=None (TypeError)", _call(lambda lib: lib.AvgPool2d(2, 1, 1, count_include_pad=None),
                                                        (1, 1, 4, 4))),
    BadArgs("output size 0", _call(lambda lib: lib.AvgPool2d(7), (1, 1, 5, 5))),
    BadArgs("dilation= (TypeError: no dilation)", lambda lib: lib.AvgPool2d(2, dilation=2)),
)
LP_ARGS = (
    BadArgs("norm_type 0 (ZeroDivisionError)", _call(lambda lib: lib.LPPool2d(0, 2), (1, 1, 4, 4))),
    BadArgs("norm_type 'a' (ValueError)", _call(lambda lib: lib.LPPool2d("a", 2), (1, 1, 4, 4))),
    BadArgs("kernel of 3 ints (ValueError: unpacking)", _call(lambda lib: lib.LPPool2d(2, (2, 2, 2)), (1, 1, 4, 4))),
    BadArgs("stride 0", _call(lambda lib: lib.LPPool2d(2, 2, 0), (1, 1, 4, 4))),
    BadArgs("padding= (TypeError)", lambda lib: lib.LPPool2d(2, 2, padding=1)),
    BadArgs("LPPool1d kernel a tuple (TypeError of mul)", _call(lambda lib: lib.LPPool1d(2, (2,)), (1, 1, 4))),
)
ADAPTIVE_AVG_BAD = (
    _bad("rank 2 (ValueError: a tuple size)", (5, 7)), _bad("rank 5", (1, 2, 2, 5, 7)), _bad("H = 0", (2, 2, 0, 7)),
    _bad("C = 0 (accepted)", (2, 0, 5, 7)), BadInput("int64 (NotImplementedError)", _ints((2, 2, 5, 7))),
    BadInput("nan", _nan((2, 2, 5, 7))), _bad("empty batch", (0, 2, 5, 7)), _bad("unbatched", (2, 5, 7)))
ADAPTIVE_ARGS = (
    BadArgs("negative output size", _call(lambda lib: lib.AdaptiveAvgPool2d(-1), (1, 1, 4, 4))),
    BadArgs("output size of 1 int", _call(lambda lib: lib.AdaptiveAvgPool2d((2,)), (1, 1, 4, 4))),
    BadArgs("output size None (TypeError)", _call(lambda lib: lib.AdaptiveAvgPool2d(None), (1, 1, 4, 4))),
    BadArgs("output size 2.0 (TypeError)", _call(lambda lib: lib.AdaptiveAvgPool2d(2.0), (1, 1, 4, 4))),
    BadArgs("tuple on a rank-2 input (ValueError)", _call(lambda lib: lib.AdaptiveAvgPool2d((2, 2)), (4, 4))),
    BadArgs("AdaptiveAvgPool1d (None,) (TypeError)", _call(lambda lib: lib.AdaptiveAvgPool1d((None,)), (1, 1, 4))),
    BadArgs("AdaptiveMaxPool2d negative size", _call(lambda lib: lib.AdaptiveMaxPool2d((2, -1)), (1, 1, 4, 4))),
    BadArgs("AdaptiveMaxPool3d size of 2 ints", _call(lambda lib: lib.AdaptiveMaxPool3d((2, 2)), (1, 1, 4, 4, 4))),
)


def _unpool_bad(d: int, label: str, shape: tuple, change) -> BadInput:
    """A MaxUnpool input pair (2x2 windows) with ``change(values, indices)`` applied."""
    def sample(rng, dt):
        return change(*unpool_inputs(d, 2, 2)(rng, dt, shape))
    return BadInput(label, sample)


def _bad_index(value):
    def change(x, i):
        i = i.copy()
        i.reshape(-1)[-1] = value
        return x, i
    return change


UNPOOL2D_BAD = (
    _unpool_bad(2, "int32 indices (RuntimeError)", (2, 2, 3, 3), lambda x, i: (x, i.astype(np.int32))),
    _unpool_bad(2, "float indices", (2, 2, 3, 3), lambda x, i: (x, i.astype(np.float64))),
    _unpool_bad(2, "indices of another shape", (2, 2, 3, 3), lambda x, i: (x, i[..., :2])),
    _unpool_bad(2, "rank 2", (3, 3), lambda x, i: (x, i)),
    _unpool_bad(2, "index past the plane", (2, 2, 3, 3), _bad_index(36)),
    _unpool_bad(2, "negative index", (2, 2, 3, 3), _bad_index(-1)),
    _unpool_bad(2, "C = 0", (2, 0, 3, 3), lambda x, i: (x, i)),
    _unpool_bad(2, "empty batch", (0, 2, 3, 3), lambda x, i: (x, i)),
    _unpool_bad(2, "int64 values (NotImplementedError)", (2, 2, 3, 3), lambda x, i: (x.astype(np.int64), i)),
    _unpool_bad(2, "nan and inf values", (2, 2, 3, 3), lambda x, i: (np.where(x > 1, np.nan, np.where(
        x < -1, -np.inf, x)).astype(x.dtype), i)),
    _unpool_bad(2, "output_size of 3 numbers (ValueError)", (2, 2, 3, 3), lambda x, i: (x, i, (6, 6, 6))),
    _unpool_bad(2, "output_size at the upper bound (ValueError)", (2, 2, 3, 3), lambda x, i: (x, i, (8, 6))),
    _unpool_bad(2, "output_size at the lower bound (ValueError)", (2, 2, 3, 3), lambda x, i: (x, i, (6, 4))),
    _unpool_bad(2, "output_size below the default: dropped values", (2, 2, 3, 3), lambda x, i: (x, i, (5, 5))),
)
UNPOOL1D_BAD = (
    _unpool_bad(1, "rank 4 (a 5-d 2-d kernel input)", (1, 2, 2, 3), lambda x, i: (x, i)),
    _unpool_bad(1, "L = 0 (RuntimeError)", (2, 2, 0), lambda x, i: (x, i)),
    _unpool_bad(1, "index past the plane", (2, 2, 3), _bad_index(6)),
    _unpool_bad(1, "int32 indices", (2, 2, 3), lambda x, i: (x, i.astype(np.int32))),
)
UNPOOL3D_BAD = (
    _unpool_bad(3, "int32 indices (no dtype in the message)", (1, 2, 2, 2, 2), lambda x, i: (x, i.astype(np.int32))),
    _unpool_bad(3, "rank 3", (2, 2, 2), lambda x, i: (x, i)),
    _unpool_bad(3, "negative index", (1, 2, 2, 2, 2), _bad_index(-1)),
    _unpool_bad(3, "C = 0", (1, 0, 2, 2, 2), lambda x, i: (x, i)),
)


def max_case(name, make, shape, d, low, high, sampler=D, **kw):
    return Case(name, make, sampler, shape, shapes=pool_shapes(d, low, high), kinks=ties(d), **kw)


# -- FractionalMaxPool: samples drawn from a fresh generator of a fixed seed (as the dropout entries: generic checks
# build the twins with different Lib seeds), or fixed ``_random_samples`` (a buffer: the same windows at every
# call, so finite differences apply); docs/torch_facts.md section 16
def _frac_rng() -> np.random.Generator:
    return np.random.default_rng(20241212)


def _backward_of(make, shape):
    """Forward on zeros, then backward: torch accepts a 2-d kernel 0 (-inf, indices past the plane) but its
    backward fails an internal assert (RuntimeError)."""
    def run(lib):
        m = make(lib)
        y = m(np.zeros(shape))
        return m.backward(np.ones_like(y))
    return run


U2 = fractional_samples(2)
FRAC2D_BAD = _common_bad(2, 6) + (
    _bad("rank 2 (IndexError: size(-3) for the draw)", (6, 6)), _bad("rank 0 (IndexError)", ()),
    _bad("rank 5", (1, 2, 2, 6, 6)), _bad("C = 0", (2, 0, 6, 6)), _bad("W = 0", (2, 2, 6, 0)),
    _bad("unbatched C = 0 (accepted)", (0, 6, 6)), _bad("output + kernel - 1 > W", (2, 2, 6, 4)),
    BadInput("int64 (NotImplementedError of torch.rand)", _ints((2, 2, 6, 6))),
    _bad("bool", (2, 2, 6, 6), dtype=np.bool_))
FRAC2D_SAMPLES_BAD = (
    _bad("rank 2 (RuntimeError: samples given)", (7, 6)), _bad("N = 3 > the samples' 2", (3, 2, 7, 6)),
    _bad("N = 1 < the samples' 2 (the first row)", (1, 2, 7, 6)), _bad("C = 3", (2, 3, 7, 6)),
    _bad("float32 input (float64 samples: RuntimeError)", (2, 2, 7, 6), dtype=np.float32),
    BadInput("int64 (RuntimeError: the samples' dtype)", _ints((2, 2, 7, 6))), _bad("empty batch", (0, 2, 7, 6)))


def _frac2d(lib, **kw):
    return lib.FractionalMaxPool2d(**{"kernel_size": 2, "output_size": 3, "rng": _frac_rng(), **kw})


FRAC2D_ARGS = (
    BadArgs("neither output_size nor output_ratio", lambda lib: lib.FractionalMaxPool2d(2)),
    BadArgs("both", lambda lib: _frac2d(lib, output_ratio=0.5)),
    BadArgs("output_ratio 1", lambda lib: _frac2d(lib, output_size=None, output_ratio=1)),
    BadArgs("output_ratio (0.5, 0)", lambda lib: _frac2d(lib, output_size=None, output_ratio=(0.5, 0))),
    BadArgs("output_ratio nan", lambda lib: _frac2d(lib, output_size=None, output_ratio=math.nan)),
    BadArgs("output_ratio (0.5,) (IndexError)", lambda lib: _frac2d(lib, output_size=None, output_ratio=(0.5,))),
    BadArgs("output_ratio '0.5' (TypeError)", lambda lib: _frac2d(lib, output_size=None, output_ratio="0.5")),
    BadArgs("output_ratio of 3 numbers (ValueError at call)",
            _call(lambda lib: _frac2d(lib, output_size=None, output_ratio=(0.5,) * 3), (1, 1, 6, 6))),
    BadArgs("output_size 6 + kernel 2 - 1 > 6", _call(lambda lib: _frac2d(lib, output_size=6), (1, 1, 6, 6))),
    BadArgs("output_size -1", _call(lambda lib: _frac2d(lib, output_size=-1), (1, 1, 6, 6))),
    BadArgs("output_size of 3 ints", _call(lambda lib: _frac2d(lib, output_size=(2, 2, 2)), (1, 1, 6, 6))),
    BadArgs("output_size 2.0 (TypeError)", _call(lambda lib: _frac2d(lib, output_size=2.0), (1, 1, 6, 6))),
    BadArgs("kernel of 3 ints", _call(lambda lib: _frac2d(lib, kernel_size=(2, 2, 2)), (1, 1, 6, 6))),
    BadArgs("kernel (2, 2.5) (TypeError)", _call(lambda lib: _frac2d(lib, kernel_size=(2, 2.5)), (1, 1, 6, 6))),
    BadArgs("kernel 0: backward", _backward_of(lambda lib: _frac2d(lib, kernel_size=0), (1, 1, 6, 6))),
    BadArgs("samples a list (TypeError)", lambda lib: _frac2d(lib, _random_samples=[[[0.5, 0.5]]])),
    BadArgs("samples (1, 1, 3)", _call(lambda lib: _frac2d(lib, _random_samples=np.full((1, 1, 3), 0.5)),
                                       (1, 1, 6, 6))),
    BadArgs("samples (1, 2)", _call(lambda lib: _frac2d(lib, _random_samples=np.full((1, 2), 0.5)), (1, 1, 6, 6))),
)
FRAC3D_BAD = (
    _bad("rank 3 (IndexError)", (4, 5, 4)), _bad("rank 6", (1, 1, 2, 4, 5, 4)), _bad("C = 0", (1, 0, 4, 5, 4)),
    _bad("T = output + kernel - 1 (3-d: strict)", (1, 2, 3, 5, 4)), _bad("unbatched", (2, 4, 5, 4)),
    _bad("empty batch", (0, 2, 4, 5, 4)), BadInput("nan", _nan((1, 2, 4, 5, 4))),
    BadInput("int64 (NotImplementedError)", _ints((1, 2, 4, 5, 4))))
FRAC3D_ARGS = (
    BadArgs("kernel 0 (ValueError in 3-d)", lambda lib: lib.FractionalMaxPool3d(0, 2)),
    BadArgs("kernel (2, -1, 2)", lambda lib: lib.FractionalMaxPool3d((2, -1, 2), 2)),
    BadArgs("kernel of 2 ints", _call(lambda lib: lib.FractionalMaxPool3d((2, 2), 2), (1, 1, 4, 4, 4))),
    BadArgs("output_size of 2 ints", _call(lambda lib: lib.FractionalMaxPool3d(2, (2, 2)), (1, 1, 4, 4, 4))),
    BadArgs("output_ratio of 2 numbers (IndexError)", lambda lib: lib.FractionalMaxPool3d(2, None, (0.5, 0.5))),
    BadArgs("output_ratio (0.5, 0.5, 1)", lambda lib: lib.FractionalMaxPool3d(2, None, (0.5, 0.5, 1))),
    BadArgs("output_size 3 with kernel 2 on 4^3 (o + k - 1 < n)",
            _call(lambda lib: lib.FractionalMaxPool3d(2, 3), (1, 1, 4, 4, 4))),
    BadArgs("samples (1, 1, 2)", _call(lambda lib: lib.FractionalMaxPool3d(2, 2, _random_samples=np.full(
        (1, 1, 2), 0.5)), (1, 1, 4, 4, 4))),
)
# H: 6 -> 6 with kernel 1 (alpha = 1); u_H = 1 - 2^-24 in planes (0, 0) and (1, 1): in float32 ``i + u`` rounds to
# i + 1, so the starts are 0, 2, 3, 4, 5, 5 (row 1 skipped, row 5 twice); float64 gives 0..5. W: output 1, the ONE
# window is the last (start n - k = 3, whatever u)
U2_EDGE = fractional_samples(2, {(0, 0, 1): 1 - 2.0**-24, (1, 1, 1): 1 - 2.0**-24})
U3 = fractional_samples(3)
FRACTIONAL_CASES = [
    Case("fractional_maxpool2d", lambda lib: lib.FractionalMaxPool2d(2, (3, 4), rng=_frac_rng()), D, (2, 2, 6, 7),
         shapes=pool_shapes(2, (4, 5), (8, 8)), kinks=ties(2), fd=False, train_steps=2, bad_inputs=FRAC2D_BAD,
         bad_args=FRAC2D_ARGS),  # fd=False: new samples at every call (torch's module, training or not)
    max_case("fractional_maxpool2d_ratio_kernel3x2_indices", lambda lib: lib.FractionalMaxPool2d(
        (3, 2), output_ratio=(0.5, 0.7), return_indices=True, _random_samples=U2(lib.dtype)), (2, 2, 7, 6), 2,
        (4, 2), (9, 8), bad_inputs=FRAC2D_SAMPLES_BAD),
    max_case("fractional_maxpool2d_alpha1_k1_output1_float32_starts", lambda lib: lib.FractionalMaxPool2d(
        (1, 2), (6, 1), _random_samples=U2_EDGE(lib.dtype)), (2, 2, 6, 5), 2, (6, 2), (8, 6)),
    max_case("fractional_maxpool3d_ratio_unbatched_indices", lambda lib: lib.FractionalMaxPool3d(
        (2, 1, 3), output_ratio=(0.5, 0.75, 0.5), return_indices=True, _random_samples=U3(lib.dtype)),
        (2, 4, 5, 6), 3, (4, 2, 5), (6, 6, 7)),  # kernels 2 of T 4 -> 2 and 3 of W 6 -> 3: all the room there is
    Case("fractional_maxpool3d", lambda lib: lib.FractionalMaxPool3d(2, (2, 3, 2), rng=_frac_rng()), D,
         (1, 2, 4, 5, 4), shapes=pool_shapes(3, (4, 5, 4), (5, 6, 5)), fd=False, bad_inputs=FRAC3D_BAD,
         bad_args=FRAC3D_ARGS),
]

CASES: list[Case] = [
    # -- MaxPool: 2x2 (the fast path), overlapping, ceil_mode edge rules, dilation, non-square, 1-d, 3-d
    max_case("maxpool2d", lambda lib: lib.MaxPool2d(2), S4, 2, 2, 7, bad_inputs=MAX2D_BAD, bad_args=MAX2D_ARGS),
    max_case("maxpool2d_k3s1_overlap", lambda lib: lib.MaxPool2d(3, 1), (2, 2, 5, 6), 2, 3, 6),
    max_case("maxpool2d_k3s2p1_indices", lambda lib: lib.MaxPool2d(3, 2, 1, return_indices=True), (2, 2, 7, 6), 2,
             2, 7),
    # H=5 k2 s2 p1 ceil: the raw ceil gives 4 windows; the 4th would start in the right padding and is dropped
    max_case("maxpool2d_ceil_h5_k2s2p1", lambda lib: lib.MaxPool2d(2, 2, 1, ceil_mode=True), (2, 2, 5, 5), 2, 2, 7),
    # H=5 k2 s2 p0 ceil: the last window is kept, clipped to one row/column
    max_case("maxpool2d_ceil_h5_k2s2_clipped", lambda lib: lib.MaxPool2d(2, 2, ceil_mode=True), (2, 2, 5, 5), 2, 2, 7),
    max_case("maxpool2d_dilation2_pad1_ceil", lambda lib: lib.MaxPool2d(3, 2, 1, 2, ceil_mode=True), (2, 2, 8, 7), 2,
             3, 9),
    max_case("maxpool2d_kernel3x2_stride2x1", lambda lib: lib.MaxPool2d((3, 2), (2, 1), (1, 0), (1, 2)),
             (2, 2, 7, 5), 2, (2, 3), (8, 7)),
    # L=7 k2 s3 p1 ceil: raw 4 -> 3
    max_case("maxpool1d_ceil_l7_k2s3p1", lambda lib: lib.MaxPool1d(2, 3, 1, ceil_mode=True), (2, 3, 7), 1, 2, 9,
             bad_inputs=MAX1D_BAD, bad_args=MAX1D_ARGS),
    max_case("maxpool1d_k3s2_indices", lambda lib: lib.MaxPool1d(3, 2, return_indices=True), (3, 8), 1, 3, 9,
             bad_inputs=(BadInput("int64 (pools: the indices path)", _ints((2, 2, 6))), _bad("rank 1", (6,)))),
    max_case("maxpool3d", lambda lib: lib.MaxPool3d(2), (1, 2, 4, 4, 6), 3, 2, 5,
             bad_inputs=(_bad("rank 3", (4, 4, 4)), _bad("rank 6", (1, 1, 2, 4, 4, 4)), _bad("D = 0", (1, 2, 0, 4, 4))),
             bad_args=(BadArgs("kernel of 2 ints", _call(lambda lib: lib.MaxPool3d((2, 2)), (1, 1, 4, 4, 4))),
                       BadArgs("k3 p2 d2", _call(lambda lib: lib.MaxPool3d(3, 1, 2, 2), (1, 1, 7, 7, 7))))),
    max_case("maxpool3d_overlap_pad_ceil_indices",
             lambda lib: lib.MaxPool3d((2, 3, 2), (1, 2, 2), (1, 1, 0), return_indices=True, ceil_mode=True),
             (1, 2, 3, 5, 5), 3, (1, 2, 2), (4, 6, 5)),
    # -- AvgPool: the count_include_pad x ceil_mode x padding grid on 6x6 k3 s2 (and 5x5 k2 s2), divisor_override
    Case("avgpool2d", lambda lib: lib.AvgPool2d(2), X, S4, shapes=pool_shapes(2, 2, 7), bad_inputs=AVG2D_BAD,
         bad_args=AVG2D_ARGS),
    Case("avgpool2d_k3s2p1_ceil", lambda lib: lib.AvgPool2d(3, 2, 1, ceil_mode=True), X, S4,
         shapes=pool_shapes(2, 2, 8)),
    Case("avgpool2d_k3s2p1_ceil_exclude_pad", lambda lib: lib.AvgPool2d(3, 2, 1, True, False), X, S4,
         shapes=pool_shapes(2, 2, 8)),
    Case("avgpool2d_k3s2_ceil_exclude_pad", lambda lib: lib.AvgPool2d(3, 2, 0, True, False), X, S4,
         shapes=pool_shapes(2, 3, 8)),
    Case("avgpool2d_k2s2p1_exclude_pad_divisor", lambda lib: lib.AvgPool2d(2, 2, 1, False, False, 3), X, (2, 2, 5, 5),
         shapes=pool_shapes(2, 1, 7)),
    Case("avgpool2d_kernel3x2_stride1x2", lambda lib: lib.AvgPool2d((3, 2), (1, 2), (1, 0), ceil_mode=True), X,
         (2, 2, 5, 7), shapes=pool_shapes(2, (1, 2), (6, 8))),
    Case("avgpool1d_l5_k2s2_ceil", lambda lib: lib.AvgPool1d(2, 2, 0, True), X, (2, 3, 5), shapes=pool_shapes(1, 2, 9),
         bad_inputs=(_bad("rank 1", (6,)), _bad("rank 4", (1, 2, 2, 6))),
         bad_args=(BadArgs("divisor_override= (TypeError)", lambda lib: lib.AvgPool1d(2, divisor_override=2)),
                   BadArgs("kernel of 2 ints", _call(lambda lib: lib.AvgPool1d((2, 2)), (1, 1, 6))))),
    Case("avgpool1d_k3s2p1_exclude_pad", lambda lib: lib.AvgPool1d(3, 2, 1, count_include_pad=False), X, (3, 6),
         shapes=pool_shapes(1, 1, 9)),
    Case("avgpool3d_ceil_pad", lambda lib: lib.AvgPool3d((2, 3, 2), (2, 2, 1), (1, 1, 0), ceil_mode=True), X,
         (1, 2, 3, 5, 4), shapes=pool_shapes(3, (2, 3, 2), (5, 6, 5)),
         bad_inputs=(_bad("smaller than the kernel (padding does not count)", (1, 2, 1, 5, 4)),
                     _bad("rank 3", (3, 5, 4))),
         bad_args=(BadArgs("k7 p3 on 6^3 (input smaller than the kernel)", _call(lambda lib: lib.AvgPool3d(7, 1, 3),
                                                                                 (1, 1, 6, 6, 6))),
                   BadArgs("divisor_override=0", _call(lambda lib: lib.AvgPool3d(2, divisor_override=0),
                                                       (1, 1, 4, 4, 4))))),
    # -- LPPool: p = 2 (any sign), fractional p with ceil (clipped windows scaled by K / n), p = 3, p = inf
    Case("lppool2d", lambda lib: lib.LPPool2d(2, 2), X, S4, shapes=pool_shapes(2, 2, 7), kinks=zero_windows(2),
         bad_inputs=(_bad("rank 2 (IndexError)", (6, 6)), BadInput("int64 (float32 output)", _ints((2, 3, 6, 6))),
                     BadInput("nan", _nan(S4)), _bad("empty batch", (0, 3, 6, 6)), _bad("unbatched", (3, 6, 6))),
         bad_args=LP_ARGS),
    Case("lppool1d_p1_5_ceil", lambda lib: lib.LPPool1d(1.5, 3, 2, ceil_mode=True), positive(), (2, 3, 8),
         shapes=pool_shapes(1, 3, 9)),
    Case("lppool3d_p3", lambda lib: lib.LPPool3d(3, (2, 2, 1)), positive(), (1, 2, 4, 4, 3),
         shapes=pool_shapes(3, 2, 5)),
    Case("lppool2d_inf", lambda lib: lib.LPPool2d(math.inf, (2, 3), (1, 2)), signed_distinct(), (2, 2, 4, 7),
         shapes=pool_shapes(2, (2, 3), (5, 8)), kinks=zero_windows(2)),
    # -- adaptive pools: 5 -> 3 and 7 -> 3 overlap, 3 -> 5 repeats, None keeps a size, 1 is torch's mean shortcut
    Case("adaptive_avgpool1d_5to3", lambda lib: lib.AdaptiveAvgPool1d(3), X, (2, 3, 5), shapes=pool_shapes(1, 1, 9),
         bad_inputs=(_bad("rank 1", (5,)), _bad("L = 0", (2, 3, 0)), _bad("unbatched", (3, 5)))),
    Case("adaptive_avgpool2d_7to3_none", lambda lib: lib.AdaptiveAvgPool2d((3, None)), X, (2, 2, 7, 5),
         shapes=pool_shapes(2, 1, 8), bad_inputs=ADAPTIVE_AVG_BAD, bad_args=ADAPTIVE_ARGS),
    Case("adaptive_avgpool2d_3to5", lambda lib: lib.AdaptiveAvgPool2d((5, 2)), X, (2, 2, 3, 7),
         shapes=pool_shapes(2, 1, 8)),
    Case("adaptive_avgpool2d_global", lambda lib: lib.AdaptiveAvgPool2d(1), X, (2, 3, 4, 5),
         shapes=pool_shapes(2, 1, 6),
         bad_inputs=(_bad("rank 2 (torch's mean: accepted)", (4, 5)), _bad("rank 5 (accepted)", (2, 2, 3, 4, 5)),
                     _bad("rank 1 (IndexError of mean)", (5,)), _bad("H = 0 (NaN)", (2, 3, 0, 5)),
                     BadInput("int64 (RuntimeError of mean)", _ints((2, 3, 4, 5))))),
    Case("adaptive_avgpool3d", lambda lib: lib.AdaptiveAvgPool3d((2, 3, None)), X, (1, 2, 5, 4, 3),
         shapes=pool_shapes(3, 1, 6), bad_inputs=(_bad("C = 0 (RuntimeError in 3-d)", (1, 0, 5, 4, 3)),)),
    max_case("adaptive_maxpool2d_5to3_indices", lambda lib: lib.AdaptiveMaxPool2d((3, 2), return_indices=True),
             (2, 2, 5, 7), 2, 1, 8,
             bad_inputs=(_bad("rank 2", (5, 7)), _bad("C = 0 (RuntimeError)", (2, 0, 5, 7)),
                         _bad("unbatched C = 0 (accepted)", (0, 5, 7)), BadInput("int64 (NotImplementedError)",
                                                                                 _ints((2, 2, 5, 7))),
                         BadInput("nan", _nan((2, 2, 5, 7))), _bad("empty batch", (0, 2, 5, 7)))),
    max_case("adaptive_maxpool1d_3to5", lambda lib: lib.AdaptiveMaxPool1d(5), (2, 3, 3), 1, 1, 9),
    max_case("adaptive_maxpool3d_none_indices", lambda lib: lib.AdaptiveMaxPool3d((2, None, 3), True),
             (1, 2, 5, 3, 7), 3, 1, 6),
    # -- MaxUnpool: indices as MaxPool gives them (one per window), the default size and output_size (d and d + 2
    # numbers), overlapping windows whose repeated indices keep the last value (the gradient gathers: torch's rule,
    # not the derivative there, so no finite differences), 3-d unbatched
    Case("maxunpool1d", lambda lib: lib.MaxUnpool1d(2), unpool_inputs(1, 2, 2), (2, 3, 4),
         shapes=pool_shapes(1, 1, 6), bad_inputs=UNPOOL1D_BAD),
    Case("maxunpool2d_output_size_nc", lambda lib: lib.MaxUnpool2d(2), unpool_inputs(2, 2, 2, extra=1, prefix=True),
         (2, 2, 3, 3), shapes=pool_shapes(2, 1, 4).filter(lambda s: len(s) == 4), bad_inputs=UNPOOL2D_BAD),
    Case("maxunpool2d_k3s2p1_repeats", lambda lib: lib.MaxUnpool2d(3, 2, 1), unpool_inputs(2, 3, 2, 1, repeats=True),
         (2, 2, 3, 4), shapes=pool_shapes(2, 1, 4), fd=False),
    Case("maxunpool3d_unbatched", lambda lib: lib.MaxUnpool3d((1, 2, 2)), unpool_inputs(3, (1, 2, 2), (1, 2, 2)),
         (2, 2, 3, 2), shapes=pool_shapes(3, 1, 3), bad_inputs=UNPOOL3D_BAD),
    *FRACTIONAL_CASES,
]
