"""Catalog entries: Conv1d/2d/3d, one per trap and per item of the checker list (docs/torch_facts.md, conv):
stride != dilation on odd sizes (an uncovered row), non-square kernel/stride (catches H/W swaps), groups with
out != in, depthwise with a multiplier, 'same' with even and dilated kernels (the asymmetric split) in every
padding mode, the legal pad edges (reflect pad = size - 1, circular pad = size), bias=False, unbatched, N = 0."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats
from tests.tolerances import Tol

# torch's float32 bias gradient of a transposed conv is a plain float32 sum over N x H_out x W_out: measured over
# 20 seeds on conv_transpose2d_stride2_outpad1 (160 terms per channel), torch is up to 8.0e-6 from the float64
# truth and scratch up to 3.2e-6, so the two can differ by ~1.1e-5 > the default atol 1e-5 + rtol |g|.
_TORCH_SUM32 = {"grad:float32": Tol(rtol=1.3e-6, atol=3e-5, reason="torch's float32 bias-gradient sum of a "
                                   "transposed conv is 8e-6 off float64 on 160 terms (scratch 3.2e-6)")}


def spatial(n: tuple[int, int], c: int, low: int, high: int, dims: int) -> st.SearchStrategy:
    """(N, C, *spatial) with every spatial size in [low, high]: valid for the entry's kernel and padding."""
    side = st.integers(low, high)
    return st.tuples(st.integers(*n), st.just(c), *[side] * dims)


def _call(module, shape, dtype=np.float64):
    return module(np.zeros(shape, dtype))


def _bad(label, shape, dtype=None):
    return BadInput(label, lambda rng, dt: (rng.standard_normal(shape).astype(dtype or dt),))


def conv_bad(c: int, size: tuple[int, ...]) -> tuple[BadInput, ...]:
    """Bad inputs of a conv with c input channels whose smallest valid spatial size is ``size``."""
    d = len(size)
    return (
        _bad("wrong channel count", (2, c + 1) + size),
        _bad("rank d + 3", (1, 2, c) + size),
        _bad("rank d", size),
        _bad("other float dtype", (2, c) + size, np.float16),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, (2, c) + size),)),
        _bad("kernel larger than the input", (2, c) + (1,) * d),
        BadInput("nan", lambda rng, dt: (np.where(rng.random((2, c) + size) < 0.2, np.nan, 1.0).astype(dt),)),
        _bad("empty batch", (0, c) + size),
    )


_ARGS = (
    BadArgs("groups=0", lambda lib: lib.Conv2d(4, 4, 3, groups=0)),
    BadArgs("in_channels % groups", lambda lib: lib.Conv2d(3, 4, 3, groups=2)),
    BadArgs("out_channels % groups", lambda lib: lib.Conv2d(4, 3, 3, groups=2)),
    BadArgs("padding='same' with stride 2", lambda lib: lib.Conv2d(3, 4, 3, stride=2, padding="same")),
    BadArgs("padding='full'", lambda lib: lib.Conv2d(3, 4, 3, padding="full")),
    BadArgs("padding_mode='mirror'", lambda lib: lib.Conv2d(3, 4, 3, padding_mode="mirror")),
    BadArgs("negative padding (at call)", lambda lib: _call(lib.Conv2d(3, 4, 3, padding=-1), (1, 3, 5, 5))),
    BadArgs("stride 0 (at call)", lambda lib: _call(lib.Conv2d(3, 4, 3, stride=0), (1, 3, 5, 5))),
    BadArgs("dilation 0 (at call)", lambda lib: _call(lib.Conv2d(3, 4, 3, dilation=0), (1, 3, 5, 5))),
    BadArgs("kernel 0 (at call)", lambda lib: _call(lib.Conv2d(3, 4, 0), (1, 3, 5, 5))),
    BadArgs("reflect pad = size (at call)", lambda lib: _call(lib.Conv2d(3, 4, 3, padding=3, padding_mode="reflect"),
                                                              (1, 3, 3, 3))),
    BadArgs("circular pad > size (at call)", lambda lib: _call(
        lib.Conv2d(3, 4, 3, padding=4, padding_mode="circular"), (1, 3, 3, 3))),
    BadArgs("negative out_channels", lambda lib: lib.Conv2d(3, -4, 3)),
)

X = floats(-2.0, 2.0)

CASES: list[Case] = [
    Case("conv2d", lambda lib: lib.Conv2d(3, 4, 3), X, (2, 3, 5, 6), shapes=spatial((1, 3), 3, 3, 6, 2),
         bad_inputs=conv_bad(3, (3, 3)), bad_args=_ARGS),
    # stride 2 + dilation 2 + padding 1 on 9x9: s != d, and the last row/column belongs to no window
    Case("conv2d_stride2_dilation2_pad1", lambda lib: lib.Conv2d(2, 3, 3, stride=2, padding=1, dilation=2), X,
         (2, 2, 9, 9), shapes=spatial((1, 2), 2, 3, 9, 2)),
    Case("conv2d_stride2_uncovered", lambda lib: lib.Conv2d(1, 2, 3, stride=2), X, (2, 1, 6, 6)),
    # non-square kernel and stride on a 7x5 input: an H/W swap anywhere changes the shape or the values
    Case("conv2d_kernel3x2_stride2x1", lambda lib: lib.Conv2d(2, 3, (3, 2), stride=(2, 1), dilation=(1, 2)), X,
         (2, 2, 7, 5), shapes=st.tuples(st.integers(1, 2), st.just(2), st.integers(3, 8), st.integers(3, 7))),
    Case("conv2d_groups2_out_ne_in", lambda lib: lib.Conv2d(4, 6, 3, groups=2, padding=1), X, (2, 4, 4, 5),
         shapes=spatial((1, 2), 4, 1, 5, 2)),
    Case("conv2d_depthwise_multiplier", lambda lib: lib.Conv2d(4, 8, 3, groups=4), X, (2, 4, 5, 5),
         shapes=spatial((1, 2), 4, 3, 6, 2)),
    Case("conv2d_same_k4", lambda lib: lib.Conv2d(2, 3, 4, padding="same"), X, (2, 2, 6, 5),
         shapes=spatial((1, 2), 2, 1, 6, 2)),
    Case("conv2d_same_k4_d3", lambda lib: lib.Conv2d(2, 2, 4, padding="same", dilation=3, bias=False), X,
         (1, 2, 5, 6)),
    Case("conv2d_same_reflect", lambda lib: lib.Conv2d(2, 3, 4, padding="same", padding_mode="reflect"), X,
         (2, 2, 5, 6), shapes=spatial((1, 2), 2, 3, 6, 2)),
    Case("conv2d_same_replicate", lambda lib: lib.Conv2d(2, 3, 4, padding="same", padding_mode="replicate"), X,
         (2, 2, 5, 4)),
    Case("conv2d_same_circular", lambda lib: lib.Conv2d(2, 3, 4, padding="same", padding_mode="circular"), X,
         (2, 2, 4, 5)),
    Case("conv2d_reflect_stride2_pad2", lambda lib: lib.Conv2d(2, 3, 3, stride=2, padding=2,
                                                               padding_mode="reflect"), X, (2, 2, 5, 6)),
    Case("conv2d_reflect_pad_size_minus_1", lambda lib: lib.Conv2d(1, 2, 3, padding=2, padding_mode="reflect"), X,
         (1, 1, 3, 3)),
    Case("conv2d_circular_pad_size", lambda lib: lib.Conv2d(1, 2, 3, padding=3, padding_mode="circular"), X,
         (1, 1, 3, 4)),
    Case("conv2d_replicate_stride2_pad2", lambda lib: lib.Conv2d(2, 2, 3, stride=2, padding=2,
                                                                 padding_mode="replicate"), X, (1, 2, 5, 5)),
    Case("conv2d_unbatched", lambda lib: lib.Conv2d(3, 2, 2, bias=False), X, (3, 4, 5),
         shapes=st.tuples(st.just(3), st.integers(2, 5), st.integers(2, 5))),
    Case("conv2d_empty_batch", lambda lib: lib.Conv2d(2, 3, 3, padding=1), X, (0, 2, 4, 4)),
    Case("conv1d", lambda lib: lib.Conv1d(3, 4, 3, stride=2, dilation=2, padding=1), X, (2, 3, 9),
         shapes=spatial((1, 3), 3, 4, 10, 1), bad_inputs=conv_bad(3, (5,))),
    Case("conv1d_same_k4_d3_circular", lambda lib: lib.Conv1d(2, 2, 4, padding="same", dilation=3,
                                                              padding_mode="circular"), X, (2, 2, 10)),
    Case("conv1d_groups_unbatched", lambda lib: lib.Conv1d(4, 2, 2, groups=2), X, (4, 5)),
    Case("conv3d", lambda lib: lib.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=(1, 0, 1)), X, (1, 2, 3, 5, 3),
         shapes=spatial((1, 2), 2, 3, 4, 3), bad_inputs=conv_bad(2, (2, 3, 2))),
    Case("conv3d_groups_reflect", lambda lib: lib.Conv3d(2, 4, 2, groups=2, padding=1, padding_mode="reflect"), X,
         (1, 2, 3, 2, 3)),
]


def with_output_size(size: list[int]):
    """The input and an ``output_size`` argument (ints: no gradient), for ConvTranspose.forward(x, output_size)."""

    def sample(rng, dtype, shape, scale=1.0):
        return X(rng, dtype, shape, scale) + (list(size),)

    return sample


_T_ARGS = (
    BadArgs("padding_mode='reflect'", lambda lib: lib.ConvTranspose2d(4, 6, 3, padding_mode="reflect")),
    BadArgs("groups=3 with 4 in_channels", lambda lib: lib.ConvTranspose2d(4, 6, 3, groups=3)),
    BadArgs("output_padding >= stride and dilation (at call)", lambda lib: _call(
        lib.ConvTranspose2d(2, 3, 3, output_padding=1), (1, 2, 4, 4))),
    BadArgs("output too small (at call)", lambda lib: _call(lib.ConvTranspose2d(2, 3, 3, padding=3), (1, 2, 2, 2))),
    BadArgs("padding='same' (torch fails at call)", lambda lib: _call(lib.ConvTranspose2d(2, 3, 3, padding="same"),
                                                                      (1, 2, 4, 4))),
    BadArgs("output_size out of range", lambda lib: lib.ConvTranspose2d(2, 3, 3, stride=2)(
        np.zeros((1, 2, 4, 4)), output_size=[12, 12])),
    BadArgs("output_size of 3 entries", lambda lib: lib.ConvTranspose2d(2, 3, 3, stride=2)(
        np.zeros((1, 2, 4, 4)), output_size=[1, 9, 9])),
    BadArgs("stride 0 (at call)", lambda lib: _call(lib.ConvTranspose2d(2, 3, 3, stride=0), (1, 2, 4, 4))),
)

CASES += [
    Case("conv_transpose2d_stride2_outpad1", lambda lib: lib.ConvTranspose2d(3, 4, 3, stride=2, padding=1,
                                                                             output_padding=1), X, (2, 3, 4, 5),
         shapes=spatial((1, 2), 3, 1, 5, 2), bad_inputs=conv_bad(3, (1, 1))[:6], bad_args=_T_ARGS, tol=_TORCH_SUM32),
    Case("conv_transpose2d_stride1_dilation2_outpad1", lambda lib: lib.ConvTranspose2d(2, 3, 3, dilation=2,
                                                                                       output_padding=1), X,
         (2, 2, 3, 4)),
    Case("conv_transpose2d_groups2", lambda lib: lib.ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), groups=2), X,
         (2, 4, 3, 4), shapes=spatial((1, 2), 4, 1, 4, 2)),
    Case("conv_transpose2d_output_size", lambda lib: lib.ConvTranspose2d(2, 3, 3, stride=2, bias=False),
         with_output_size([10, 9]), (1, 2, 4, 4)),
    Case("conv_transpose2d_unbatched_output_size_full", lambda lib: lib.ConvTranspose2d(2, 2, 2, stride=3),
         with_output_size([2, 7, 4]), (2, 2, 1)),
    Case("conv_transpose1d", lambda lib: lib.ConvTranspose1d(2, 3, 3, stride=2, padding=1, output_padding=1,
                                                             dilation=2), X, (2, 2, 5),
         shapes=spatial((1, 3), 2, 1, 6, 1)),
    Case("conv_transpose3d", lambda lib: lib.ConvTranspose3d(2, 2, 2, stride=(2, 1, 2), padding=(0, 1, 0)), X,
         (1, 2, 2, 3, 2), shapes=spatial((1, 2), 2, 2, 3, 3)),
    Case("conv_transpose2d_empty_batch", lambda lib: lib.ConvTranspose2d(2, 3, 3), X, (0, 2, 3, 3)),
]


# -- Lazy convolutions: in_channels from the first input (the harness materializes them on the default shape;
# tests/test_lazy.py checks the materializing forward itself, torch's state_dict and class change)
_LAZY_ARGS = (
    BadArgs("lazy: rank d at the first call", lambda lib: _call(lib.LazyConv2d(4, 3), (5, 5))),
    BadArgs("lazy: groups do not divide the inferred in_channels", lambda lib: _call(lib.LazyConv2d(4, 3, groups=2),
                                                                                     (1, 3, 5, 5))),
    BadArgs("lazy: out_channels % groups (at the first call)", lambda lib: _call(lib.LazyConv1d(3, 3, groups=2),
                                                                                 (1, 4, 5))),
    BadArgs("lazy transposed: out_channels % groups, bias", lambda lib: _call(
        lib.LazyConvTranspose2d(3, 3, groups=2), (1, 4, 3, 3))),
    BadArgs("lazy: float64 input, float32 module", lambda lib: _call(lib.LazyConv2d(4, 3, dtype=np.float32),
                                                                     (1, 2, 5, 5))),
    BadArgs("lazy: groups=0", lambda lib: lib.LazyConv2d(4, 3, groups=0)),
    BadArgs("lazy: padding='full'", lambda lib: lib.LazyConv1d(4, 3, padding="full")),
    BadArgs("lazy transposed: padding_mode='reflect'", lambda lib: lib.LazyConvTranspose2d(4, 3,
                                                                                          padding_mode="reflect")),
)

CASES += [
    Case("lazy_conv1d_unbatched", lambda lib: lib.LazyConv1d(3, 3, stride=2, padding=1), X, (4, 7),
         shapes=st.tuples(st.just(4), st.integers(2, 8)), bad_args=_LAZY_ARGS),
    Case("lazy_conv2d_groups2_same_nobias", lambda lib: lib.LazyConv2d(6, 3, groups=2, bias=False, padding="same"),
         X, (2, 4, 4, 5), shapes=spatial((1, 2), 4, 1, 5, 2), bad_inputs=conv_bad(4, (3, 3))[:3]),
    Case("lazy_conv3d_reflect", lambda lib: lib.LazyConv3d(2, 2, padding=1, padding_mode="reflect"), X,
         (1, 3, 2, 3, 2)),
    Case("lazy_conv_transpose1d", lambda lib: lib.LazyConvTranspose1d(3, 3, stride=2, output_padding=1), X,
         (2, 2, 4), shapes=spatial((1, 2), 2, 1, 5, 1)),
    Case("lazy_conv_transpose2d_groups_output_size", lambda lib: lib.LazyConvTranspose2d(4, 3, stride=2, groups=2),
         with_output_size([8, 7]), (1, 4, 3, 3), tol=_TORCH_SUM32),
    Case("lazy_conv_transpose3d_unbatched", lambda lib: lib.LazyConvTranspose3d(2, 2, stride=2, dilation=2), X,
         (3, 2, 2, 2)),
]
