"""Equivalent mutants of scratch/nn/_windows.py, the windowing kernels of conv, fold, pooling and padding
(tests/mutate/equivalent/__init__.py says how they are keyed); the padding entries' are in padding.py, with the
other padding declarations.

Nearly all hold for some entries only: the kernels take every stride, dilation, padding and mode, an entry only
its own. Each group names its reason and the entries it holds for; every one was also run mutated on ~240 random
inputs of the entry's block (ranks around its own, sizes 0 to 9, float64 and float32) against the unmutated
block, without a difference.
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import merged

_W = "scratch/nn/_windows.py::"

# -- why, in the words of each group ------------------------------------------------------------------------------
OUT_SIZE_UNPADDED = ("the convolutions call out_size on the already padded input with lo = hi = 0: size + lo + hi "
                     "is size whatever the mutant does to lo and hi")
DILATION_1 = "dilation 1 in every dim: r x is x, and the dilated span r (k - 1) + 1 is k"
STRIDE_1 = "stride 1 in every dim: s x is x"
FAST_PATH = ("win.pad (and pad_backward) has a fast path for constant padding with every pad >= 0 and a general "
             "gather (scatter) path for the rest; both give the same values for non-negative pads (the entry's "
             "pads are never negative where its mode is constant), and for another mode the fast path is never "
             "taken either way (`mode == 'constant' and ...`)")
FAST_PATH_CONSTANT = ("constant (zeros) mode with non-negative pads: `mode == 'constant' or ...` takes the fast "
                      "path as the original does, whose values the gather path equals")
TWO_D = "a 2-d convolution pads its 4-d batched array: x.shape[-2:] is x.shape[2:]"
NEVER_NEGATIVE = ("reflect and replicate source maps are never negative: the constant fill (src < 0) is never "
                  "written, whatever the mutant's test; circular's is -1 only for an axis cropped to nothing, "
                  "which the entry's sizes never are (an empty index list either way)")
MORE_WINDOWS = ("out is the largest number of windows the padded size holds (s out > padded - span): asking the "
                "view for more (a later slice stop) gives the same windows")
NO_OUT_ONE = ("reflect padding 2 needs n >= 3, so the output (n + 4 - 2) is never 1 in any dim: the empty-output "
              "shortcut never triggers, for 0 or 1")
STRIDE_DILATION_1 = ("stride 1 and dilation 1: the windows are every position of the sliding view, and its "
                     "elements every element, so dropping either slicing selects the same view")

_CONV_ALL = ("conv2d", "conv2d_stride2_dilation2_pad1", "conv2d_stride2_uncovered", "conv2d_kernel3x2_stride2x1",
             "conv2d_groups2_out_ne_in", "conv2d_depthwise_multiplier", "conv2d_same_k4", "conv2d_same_k4_d3",
             "conv2d_same_reflect", "conv2d_same_replicate", "conv2d_same_circular", "conv2d_reflect_stride2_pad2",
             "conv2d_reflect_pad_size_minus_1", "conv2d_circular_pad_size", "conv2d_replicate_stride2_pad2",
             "conv2d_unbatched", "conv2d_empty_batch", "conv1d", "conv1d_same_k4_d3_circular",
             "conv1d_groups_unbatched", "conv3d", "conv3d_groups_reflect", "lazy_conv1d_unbatched",
             "lazy_conv2d_groups2_same_nobias", "lazy_conv3d_reflect")

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (OUT_SIZE_UNPADDED, (_W + "out_size::arith::size + lo + hi -> size + lo - hi#0",
                         _W + "out_size::arith::size + lo -> size - lo#0",
                         _W + "out_size::drop-term::size + lo + hi -> size + lo#0",
                         _W + "out_size::drop-term::size + lo -> size#0"), _CONV_ALL),
    (DILATION_1, (_W + "col2im::drop-term::dilation[i] * j[i] -> j[i]#0",), ("conv2d_reflect_stride2_pad2",)),
    (DILATION_1, (_W + "col2im::drop-term::dilation[i] * j[i] -> j[i]#1",), ("conv2d_stride2_uncovered",)),
    (DILATION_1, (_W + "windows::drop-term::r * (k - 1) -> k - 1#0",), ("conv3d",)),
    (STRIDE_1, (_W + "col2im::drop-term::stride[i] * (out[i] - 1) -> out[i] - 1#0",),
     ("conv2d_circular_pad_size", "lazy_conv2d_groups2_same_nobias")),
    (STRIDE_1, (_W + "windows::drop-term::s * (o - 1) -> o - 1#0",),
     ("conv2d_unbatched", "conv1d_same_k4_d3_circular")),
    (FAST_PATH, (_W + "pad::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("conv2d_reflect_pad_size_minus_1",)),
    (FAST_PATH, (_W + "pad::compare::hi >= 0 -> hi > 0#0",), ("conv2d_same_k4", "conv1d", "conv3d_groups_reflect")),
    (FAST_PATH, (_W + "pad::constant::0 -> 1#3",), ("conv2d_same_replicate", "conv2d_same_circular")),
    (FAST_PATH, (_W + "pad::constant::0 -> 1#4",),
     ("conv2d_same_k4", "conv1d_same_k4_d3_circular", "lazy_conv2d_groups2_same_nobias")),
    (FAST_PATH, (_W + "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("conv2d_groups2_out_ne_in", "conv2d_replicate_stride2_pad2")),
    (FAST_PATH_CONSTANT, (_W + "pad_backward::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in "
                               "pads) -> mode == 'constant' or all((lo >= 0 and hi >= 0 for lo, hi in pads))#0",),
     ("conv2d_empty_batch", "lazy_conv2d_groups2_same_nobias")),
    (FAST_PATH, (_W + "pad_backward::compare::lo >= 0 -> lo > 0#0",),
     ("conv2d_reflect_stride2_pad2", "conv2d_empty_batch", "conv1d_same_k4_d3_circular")),
    (FAST_PATH, (_W + "pad_backward::constant::0 -> 1#2",),
     ("conv2d_stride2_dilation2_pad1", "conv2d_circular_pad_size")),
    (TWO_D, (_W + "pad::negate::-d -> d#0",), ("conv2d_same_k4",)),
    (TWO_D, (_W + "pad::negate::-d -> d#1",), ("lazy_conv2d_groups2_same_nobias",)),
    (TWO_D, (_W + "pad_backward::negate::-d -> d#0",), ("conv2d_groups2_out_ne_in",)),
    (NEVER_NEGATIVE, (_W + "pad::compare::src < 0 -> src <= 0#1",), ("conv3d_groups_reflect", "lazy_conv3d_reflect")),
    (NEVER_NEGATIVE, (_W + "pad::constant::0 -> 1#2",), ("conv2d_same_circular",)),
    (NEVER_NEGATIVE, (_W + "pad_source::constant::1 -> 2#3",), ("conv2d_circular_pad_size",)),
    (MORE_WINDOWS, (_W + "windows::constant::1 -> 0#3", _W + "windows::drop-term::o - 1 -> o#0"),
     ("conv2d_empty_batch", "conv1d", "lazy_conv1d_unbatched")),
    (MORE_WINDOWS, (_W + "windows::constant::1 -> 2#2",), ("conv2d_stride2_uncovered",)),
    (NO_OUT_ONE, (_W + "windows::constant::0 -> 1#0",), ("conv2d_reflect_pad_size_minus_1",)),
    (STRIDE_DILATION_1, (
        _W + "windows::drop-term::(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out, "
             "strict=True)) + tuple(slice(None, None, r) for r in dilation) -> (slice(None),) * 2 + tuple((slice(0, "
             "s * (o - 1) + 1, s) for s, o in zip(stride, out, strict=True)))#0",
        _W + "windows::drop-term::(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out, "
             "strict=True)) + tuple(slice(None, None, r) for r in dilation) -> tuple((slice(None, None, r) for r in "
             "dilation))#0",
        _W + "windows::drop-term::(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in zip(stride, out, "
             "strict=True)) -> (slice(None),) * 2#0"),
     ("conv2d_reflect_pad_size_minus_1", "lazy_conv2d_groups2_same_nobias", "conv2d_depthwise_multiplier",
      "conv2d_empty_batch")),
)
