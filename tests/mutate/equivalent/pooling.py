"""Equivalent mutants of scratch/nn/pooling/ and of the parts of scratch/nn/_windows.py the pooling entries run
(tests/mutate/equivalent/__init__.py says how they are keyed).

Every declaration is limited to pooling entries, and each holds for a property of the entry's CLASS or of every
input (the pooling entries' checks run their class with other arguments too: tests/test_pooling_grid.py,
test_pooling_messages.py, test_pooling_probes.py), never of one entry's arguments alone: AvgPool and LPPool have no
dilation, LPPool no padding, the pad mode is always constant with pads >= 0, d is the class's number of spatial
dims (the 1-d pools run torch's 2-d path on an unsqueezed view). Shared kernel code of _windows.py is declared here
for the pooling entries only (windows.py declares it for the conv and padding entries).
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import merged

_W = "scratch/nn/_windows.py::"
_A = "scratch/nn/pooling/_args.py::"
_K = "scratch/nn/pooling/_kernels.py::"
_D = "scratch/nn/pooling/adaptive.py::"
_F = "scratch/nn/pooling/fractional.py::"
_U = "scratch/nn/pooling/unpool.py::"
_P = "scratch/nn/pooling/windowed.py::"

MAX_1D = ("maxpool1d_ceil_l7_k2s3p1", "maxpool1d_k3s2_indices")
MAX_2D = ("maxpool2d", "maxpool2d_k3s1_overlap", "maxpool2d_k3s2p1_indices", "maxpool2d_ceil_h5_k2s2p1",
          "maxpool2d_ceil_h5_k2s2_clipped", "maxpool2d_dilation2_pad1_ceil", "maxpool2d_kernel3x2_stride2x1")
MAX_3D = ("maxpool3d", "maxpool3d_overlap_pad_ceil_indices")
AVG_1D = ("avgpool1d_l5_k2s2_ceil", "avgpool1d_k3s2p1_exclude_pad")
AVG_2D = ("avgpool2d", "avgpool2d_k3s2p1_ceil", "avgpool2d_k3s2p1_ceil_exclude_pad", "avgpool2d_k3s2_ceil_exclude_pad",
          "avgpool2d_k2s2p1_exclude_pad_divisor", "avgpool2d_kernel3x2_stride1x2")
AVG_3D = ("avgpool3d_ceil_pad",)
LP_1D, LP_2D, LP_3D = ("lppool1d_p1_5_ceil",), ("lppool2d", "lppool2d_inf"), ("lppool3d_p3",)
MAX, AVG, LP = MAX_1D + MAX_2D + MAX_3D, AVG_1D + AVG_2D + AVG_3D, LP_1D + LP_2D + LP_3D
WINDOWED = MAX + AVG + LP
ADAPTIVE_AVG_1D, ADAPTIVE_AVG_3D = ("adaptive_avgpool1d_5to3",), ("adaptive_avgpool3d",)
ADAPTIVE_AVG_2D = ("adaptive_avgpool2d_7to3_none", "adaptive_avgpool2d_3to5", "adaptive_avgpool2d_global")
ADAPTIVE_MAX_1D = ("adaptive_maxpool1d_3to5",)
ADAPTIVE_MAX_23 = ("adaptive_maxpool2d_5to3_indices", "adaptive_maxpool3d_none_indices")
ADAPTIVE_AVG = ADAPTIVE_AVG_1D + ADAPTIVE_AVG_2D + ADAPTIVE_AVG_3D
ADAPTIVE_MAX = ADAPTIVE_MAX_1D + ADAPTIVE_MAX_23
ADAPTIVE = ADAPTIVE_AVG + ADAPTIVE_MAX
UNPOOL_1D, UNPOOL_23 = ("maxunpool1d",), ("maxunpool2d_output_size_nc", "maxunpool2d_k3s2p1_repeats",
                                           "maxunpool3d_unbatched")
FRAC_2D = ("fractional_maxpool2d", "fractional_maxpool2d_ratio_kernel3x2_indices",
           "fractional_maxpool2d_alpha1_k1_output1_float32_starts")
FRAC_3D = ("fractional_maxpool3d_ratio_unbatched_indices", "fractional_maxpool3d")
FRAC = FRAC_2D + FRAC_3D
ONE_D = MAX_1D + AVG_1D + LP_1D + ADAPTIVE_AVG_1D + ADAPTIVE_MAX_1D

# -- why --------------------------------------------------------------------------------------------------------
PAD_GROWS = ("the right padding hi = max(0, (o - 1) s + r (k - 1) + 1 - n - p) is what the last window reaches; the "
             "mutant only makes it larger (s, r, k, n, p >= 0 there). The windows view takes the first o windows "
             "from the padded start, whatever lies past them, and the backward adds into the padded plane at those "
             "windows only and crops [p, p + n): the extra padding is never read")
MORE_WINDOWS = ("the padded size n + p + hi holds exactly o windows (hi is what the last window needs, or 0 when the "
                "floor already fits: then (o - 1) s + span <= n + p); a later slice stop on the sliding view gives "
                "the same o windows")
NO_DILATION = "AvgPool and LPPool have no dilation (1 in every dim, LPPool(inf) too): r x is x"
NO_PADDING = "LPPool has no padding (0 in every dim): lo = p = 0, so n + lo is n and size + p is size"
FAST_PAD = ("pooling pads in constant mode with pads >= 0 (p >= 0 is checked, hi = max(0, ...)): the fast path of "
            "win.pad / pad_backward and the gather / scatter path give the same values for such pads (the scatter "
            "adds each element once into zeros, to a col2im result that holds no -0.0), so which is taken does not "
            "matter")
TRUNC_DIV_B = "_trunc_div's only caller passes b = 2: b > 0, b >= 0 and b > 1 are all True"
TRUNC_DIV_A = "a >= 0 and a > 0 (or a >= 1) differ only at a = 0, where q = 0 = -q"
FLOOR_HALF = ("integers: kk // 2 < pp is pp >= kk // 2 + 1, and kk / 2 < pp is pp > kk / 2, the same integers for "
              "even and odd kk")
CHECK_INPUT_SIZE = ("_shape_check reads check_input_size only in its 3-d branch, and for a 3-d max pool the flag is "
                    "False either way (kind != 'avg'): for a 1-d or 2-d pool (1-d runs as 2-d) it is never read")
NOT_3D = "a d-branch for 3 spatial dims (or d == 4, never) whose test is False for this 1-d / 2-d class either way"
NOT_1D = ("a test d == 1 mutated to d == 0 (or d == 2 for a 3-d class): False for this class either way, the branch "
          "is never taken")
NOT_2D = "a branch for d == 2 whose test is False for this 3-d class either way"
UNDILATED_PAD = ("r = 1 (AvgPool, LPPool): output_size's earlier check already refuses p > trunc(((k - 1) + 1) / 2) = "
                 "k // 2, so this later pad test is never True, with // 2 or // 1")
MAX1D_OWN_CHECKS = ("MaxPool1d without indices runs torch's own max_pool1d checks first (k, r > 0, p <= k // 2), so "
                    "output_size's half-of-the-dilated-kernel test (>= k // 2 for r >= 1) never fires, nor a laxer "
                    "one")
FLOAT_R1 = "r = 1: (k - 1) / 1 + 1 is the same number as (k - 1) * 1 + 1 (a float): trunc_div and p > q give the same"
LP_INT_DILATION = ("LPPool(inf) passes dilation as the int 1: its TypeError (whose position the mutant changes) "
                   "never fires")
LEADING_ONES = ("_along's result is only ever broadcast against arrays of ndim dims (or added to such), so fewer "
                "leading unit dims give the same shapes and values")
LAST_AXIS = ("1-d pool: _along is called with axis 2 of ndim 3, the last axis, so there are no trailing unit dims "
             "to drop (a count of 0 or -1 gives none)")
VALID_SHAPE = ("valid starts as all-True unit dims and is and-ed with each dim's mask reshaped to the full 2 + 2d "
               "dims: fewer starting unit dims give the same broadcast shape and values")
KMAX_LARGER = ("kmax only needs to be at least every window's length: a larger kmax adds slots past every window's "
               "end, which hold the fill (0 for avg, -inf for max: never the max, no NaN) and are masked out of the "
               "backward; the chosen slot maps to its position with the same kmax")
GATHER_1D = "1-d adaptive pool: axis 2 is g's last axis, g.shape[axis + 1:] is ()"
POSITIONS_1D = ("1-d adaptive pool: the loop runs for i = 0 only, where 2 i = i, d - i = d + i, idx is zeros "
                "(idx * n = idx = 0) and the trailing unit-dim counts are 0 (or negative: none either way)")
POSITIONS_TRAILING = ("every dim's reshape gets the same extra trailing unit dims, so the positions keep their "
                      "(o_1, k_1, ..) order; their only use is .reshape(1, -1) in the adaptive avg backward")
DIVISOR_ONES = ("div starts as ones and is multiplied by one array of ndim dims per spatial dim: its start's rank "
                "is moot")
DIVISOR_1D = "1-d pool: one factor, multiplied into ones"
ARG_DTYPE = ("a window of at most 256 offsets counts at most 255 leading differing offsets, which uint8 holds as "
             "int64 does; the dtype is internal (indices are cast to int64)")
ONE_VIEW = ("one offset: y is a copy of views[0], so views[0] != y is True only at NaN, and select_max points every "
            "NaN window at its last NaN, offset 0: arg is 0 everywhere, as the shortcut's zeros")
FAST_NEVER = ("dilation 0 is refused before, so the fast path is never taken; the general path gives the same "
              "values bit for bit (test_fast_path_is_bit_for_bit_the_general_path)")
INDICES_1D = "1-d: kernel[i + 1:] and kernel[i + 2:] are both () for i = 0, prod 1"
LOW_UNUSED = "adaptive and fractional max pools discard select_max's third result (low) and its fill"
MAX_IDEMPOTENT = "max(max(v0, v1), v1) is max(v0, v1): taking views[1] again changes nothing (NaN propagates alike)"
RESHAPE = "numpy's reshape reads any negative size as the one unknown dimension: -2 is inferred as -1 is"
MEAN_SHORTCUT = ("the output size returned with the mean flag is never read: the mean shortcut averages over the "
                 "input's last d dims")
TAIL = "td - d is 0 or 1 (d = 1, td = 2: len(o) = 2), and o[0:] = o[-0:], o[1:] = o[-1:] for two elements"
NEVER_NONE = ("ints never sees None here: a 2-d / 3-d adaptive output_size None fails torch's len() first, a tuple's "
              "None entries are replaced; fractional passes _ntuple tuples and computed sizes")
AXIS_2D = "a 2-d array: axis 1 is axis -1"
SIZE_DIM = "the callers pass dim 0 on a non-empty shape, or negative dims: dim == n never occurs"
RANK0_ONLY = ("_size(shape, 0) raises only for a 0-d input, where x.ndim != d + 1, != d + 2 and != -(d + 1) are all "
              "True; elsewhere it only reads a size")
H_NONZERO = ("_check refused an empty non-batch dim, so xb.shape[2] (H) >= 1: xb.shape[:3] + out has a zero "
             "exactly when xb.shape[:2] + out has")
LP_SIGN = ("at r <= 0, a is +-0, whose sign is +-0: 1 * sign and 0 * sign are both 0; where sign is +-1, / is *; at "
           "a NaN, sign is 0 (torch's) and dudy is NaN: NaN either way")
UNPOOL_1D_BRANCH = ("the (x.shape + (1,), ..) branch and d == 0 / max(d, 1) only differ for d == 1; this class has "
                    "d >= 2")
NTUPLE_1D = "d = 1: (value,) * 1 is (value,)"
ZEROS_BASE = "base starts as zeros of unit dims and is broadcast against the (N, C, o, 1..) starts at once"

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (PAD_GROWS, tuple(_K + "pads::" + m for m in (
        "arith::(o - 1) * s + r * (k - 1) + 1 - n - p -> (o - 1) * s + r * (k - 1) + 1 - n + p#0",
        "arith::(o - 1) * s + r * (k - 1) + 1 - n -> (o - 1) * s + r * (k - 1) + 1 + n#0",
        "drop-term::(o - 1) * s + r * (k - 1) + 1 - n - p -> (o - 1) * s + r * (k - 1) + 1 - n#0",
        "arith::k - 1 -> k + 1#0", "drop-term::k - 1 -> k#0", "arith::o - 1 -> o + 1#0", "drop-term::o - 1 -> o#0",
        "constant::0 -> 1#0", "constant::1 -> 0#1", "constant::1 -> 0#2", "constant::1 -> 2#0")), WINDOWED),
    (NO_DILATION, (_K + "pads::drop-term::r * (k - 1) -> k - 1#0", _W + "windows::drop-term::r * (k - 1) -> k - 1#0",
                   _W + "col2im::drop-term::dilation[i] * j[i] -> j[i]#0",
                   _W + "col2im::drop-term::dilation[i] * j[i] -> j[i]#1"), AVG + LP),
    (MORE_WINDOWS, (_W + "windows::arith::o - 1 -> o + 1#0", _W + "windows::drop-term::o - 1 -> o#0",
                    _W + "windows::constant::1 -> 0#3"), WINDOWED),
    (NO_PADDING, (_W + "pad::drop-term::n + lo -> n#0", _W + "pad_backward::drop-term::lo + n -> n#0",
                  _W + "out_size::drop-term::size + lo -> size#0", _A + "output_size::drop-term::size + p -> size#0"),
     LP),
    (FAST_PAD, tuple(_W + m for m in (
        "pad::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0", "pad::compare::hi >= 0 -> hi > 0#0",
        "pad::compare::lo >= 0 -> lo > 0#0", "pad::compare::mode == \"constant\" -> mode != 'constant'#0",
        "pad::constant::0 -> 1#3", "pad::constant::0 -> 1#4",
        "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",
        "pad_backward::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in pads) -> mode == "
        "'constant' or all((lo >= 0 and hi >= 0 for lo, hi in pads))#0",
        "pad_backward::compare::lo >= 0 -> lo > 0#0", "pad_backward::compare::hi >= 0 -> hi > 0#0",
        "pad_backward::constant::0 -> 1#1", "pad_backward::constant::0 -> 1#2")), WINDOWED),
    (TRUNC_DIV_B, (_A + "_trunc_div::compare::b > 0 -> b >= 0#0", _A + "_trunc_div::constant::0 -> 1#1"), WINDOWED),
    (TRUNC_DIV_A, (_A + "_trunc_div::compare::a >= 0 -> a > 0#0", _A + "_trunc_div::constant::0 -> 1#0"), WINDOWED),
    (FLOOR_HALF, (_A + "_shape_check::arith::kk // 2 -> kk / 2#0",), WINDOWED),
    (CHECK_INPUT_SIZE, (_A + "_finish::boolop::kind == \"avg\" and d == 3 -> kind == 'avg' or d == 3#0",
                        _A + "_finish::compare::kind == \"avg\" -> kind != 'avg'#1"),
     MAX_1D + MAX_2D + AVG_1D + AVG_2D + LP_1D + LP_2D),
    (CHECK_INPUT_SIZE, (_A + "_finish::constant::3 -> 4#0",), MAX + AVG_1D + AVG_2D + LP_1D + LP_2D),
    ("check_input_size is False for a max pool: the input-size test is never evaluated",
     (_A + "_shape_check::compare::h < kk -> h <= kk#0",), MAX),
    (NOT_2D, (_A + "_shape_check::constant::2 -> 1#0",), MAX_3D + AVG_3D + LP_3D),
    (UNDILATED_PAD, (_A + "_shape_check::constant::2 -> 1#2",), AVG + LP),
    (MAX1D_OWN_CHECKS, (_A + "output_size::arith::k - 1 -> k + 1#0", _A + "output_size::drop-term::k - 1 -> k#0"),
     ("maxpool1d_ceil_l7_k2s3p1",)),
    (FLOAT_R1, (_A + "output_size::arith::(k - 1) * r -> (k - 1) / r#0",), AVG + LP),
    (LP_INT_DILATION, (_A + "max_plan::constant::5 -> 6#0",), ("lppool2d_inf",)),
    (NOT_1D, (_A + "max_plan::constant::1 -> 0#0", _A + "max_plan::constant::1 -> 0#1"),
     MAX_2D + MAX_3D + ("lppool2d_inf",)),
    (NOT_1D, (_A + "max_plan::constant::1 -> 2#0", _A + "max_plan::constant::1 -> 2#1"), MAX_3D),
    (NOT_3D, (_A + "avg_plan::constant::3 -> 4#2",), AVG_1D + AVG_2D + LP_1D + LP_2D),
    (NOT_2D, (_A + "avg_plan::compare::x.ndim < 3 -> x.ndim <= 3#0",), AVG_1D + AVG_3D + LP_1D + LP_3D),
    (NOT_1D, (_A + "avg_plan::constant::1 -> 2#0",), AVG_3D + LP_3D),
    (NOT_1D, (_A + "adaptive_backward_check::constant::1 -> 0#0",),
     ADAPTIVE_AVG_2D + ADAPTIVE_AVG_3D + ADAPTIVE_MAX_23),
    (NOT_1D, (_A + "adaptive_sizes::constant::1 -> 0#0",), ADAPTIVE_AVG_2D + ADAPTIVE_AVG_3D + ADAPTIVE_MAX_23),
    ("max(d, 1) is max(d, 2) = d for a 2-d or 3-d class", (_A + "adaptive_sizes::constant::2 -> 1#0",
                                                           _A + "adaptive_sizes::constant::2 -> 1#3"),
     ADAPTIVE_AVG_2D + ADAPTIVE_AVG_3D + ADAPTIVE_MAX_23),
    ("the else branch (range(1, ..), td == 3) of this conditional is not evaluated for a 1-d / 2-d adaptive avg pool",
     (_A + "adaptive_sizes::constant::1 -> 2#6",), ADAPTIVE_AVG_1D + ADAPTIVE_AVG_2D),
    ("the td == 2 branch of this conditional is not evaluated for a 3-d adaptive avg pool",
     (_A + "adaptive_sizes::constant::2 -> 1#8",), ADAPTIVE_AVG_3D),
    (MEAN_SHORTCUT, (_A + "adaptive_sizes::arith::td - d -> td + d#1", _A + "adaptive_sizes::drop-term::td - d -> td#1",
                     _A + "adaptive_sizes::negate::td - d -> -(td - d)#1"), ADAPTIVE_AVG),
    (TAIL, (_A + "adaptive_sizes::negate::td - d -> -(td - d)#0",), ADAPTIVE),
    (NEVER_NONE,
     (_A + "ints::boolop::value is None and default is not None -> value is None or default is not None#0",),
     ADAPTIVE_AVG_2D + ADAPTIVE_AVG_3D + ADAPTIVE_MAX_23 + FRAC),
    (LEADING_ONES, (_K + "_along::drop-term::(1,) * axis + (-1,) -> (-1,)#0", _K + "_along::drop-term::(1,) * axis -> "
                                                                                 "(1,)#0"),
     WINDOWED + ADAPTIVE),
    (LAST_AXIS, (_K + "_along::constant::1 -> 2#0",
                 _K + "_along::drop-term::(1,) * axis + (-1,) + (1,) * (ndim - axis - 1) -> (1,) * axis + (-1,)#0"),
     ONE_D),
    (VALID_SHAPE, tuple(_K + "adaptive_gather::" + m for m in (
        "arith::2 + 2 * len(out) -> 2 - 2 * len(out)#0", "drop-term::2 * len(out) -> 2#0",
        "drop-term::2 * len(out) -> len(out)#0", "drop-term::2 + 2 * len(out) -> 2 * len(out)#0",
        "drop-term::2 + 2 * len(out) -> 2#0")), ADAPTIVE),
    (KMAX_LARGER, (_K + "adaptive_gather::constant::1 -> 2#1", _K + "adaptive_gather::drop-term::end - start -> end#0"),
     ADAPTIVE),
    (GATHER_1D, (_K + "adaptive_gather::drop-term::g.shape[:axis] + (o, kmax) + g.shape[axis + 1:] -> g.shape[:axis] "
                      "+ (o, kmax)#0",), ADAPTIVE_AVG_1D + ADAPTIVE_MAX_1D),
    (POSITIONS_1D, tuple(_K + "adaptive_positions::" + m for m in (
        "arith::d - i -> d + i#0", "constant::1 -> 2#2", "constant::1 -> 2#5", "drop-term::2 * i -> i#0",
        "drop-term::idx * n + _along(start, 2 + i, arg.ndim) -> _along(start, 2 + i, arg.ndim)#0",
        "drop-term::idx * n -> idx#1")), ADAPTIVE_AVG_1D + ADAPTIVE_MAX_1D),
    (POSITIONS_TRAILING, (_K + "adaptive_positions::arith::d - i - 1 -> d - i + 1#0",
                          _K + "adaptive_positions::drop-term::d - i - 1 -> d - i#0"), ADAPTIVE_AVG),
    (DIVISOR_ONES, (_K + "avg_divisor::drop-term::(1,) * ndim -> (1,)#0",), AVG + LP),
    (DIVISOR_1D, (_K + "avg_divisor::drop-term::div * _along(size, 2 + i, ndim) -> _along(size, 2 + i, ndim)#0",),
     AVG_1D + LP_1D),
    (ARG_DTYPE, (_K + "first_max::compare::len(views) <= 255 -> len(views) < 255#0",
                 _K + "first_max::constant::255 -> 256#0"), MAX + LP + ADAPTIVE_MAX + FRAC),
    (ONE_VIEW, (_K + "first_max::constant::1 -> 0#0",), MAX + LP + ADAPTIVE_MAX + FRAC),
    (FAST_NEVER, (_K + "is_fast::constant::1 -> 0#0",), MAX + ("lppool2d_inf",)),
    (INDICES_1D, (_K + "max_indices::constant::1 -> 2#0",), MAX_1D),
    (LOW_UNUSED, (_K + "select_max::compare::y == fill -> y != fill#0",
                  _D + "_AdaptiveMaxPoolNd.forward::negate::-np.inf -> np.inf#1"), ADAPTIVE_MAX + FRAC),
    (MAX_IDEMPOTENT, (_K + "select_max::constant::2 -> 1#0",), MAX + LP + ADAPTIVE_MAX + FRAC),
    (RESHAPE, (_D + "_AdaptiveAvgPoolNd.backward::constant::1 -> 2#1",), ADAPTIVE_AVG),
    (RESHAPE, (_F + "_pool::constant::1 -> 2#1", _F + "_pool::constant::1 -> 2#3"), FRAC),
    (ZEROS_BASE, (_F + "_pool::drop-term::x.shape[:2] + (1,) * d -> (1,) * d#0",), FRAC),
    ("the (0, 1) branch of this conditional is for d == 2: not evaluated by a 3-d fractional pool",
     (_F + "_FractionalMaxPoolNd._check::constant::0 -> 1#2", _F + "_FractionalMaxPoolNd._check::index::i -> i + 1#1"),
     FRAC_3D),
    ("the (0, 2, 1) / spatial[i] - 1 branches of these conditionals are for d == 3: not evaluated by a 2-d pool",
     (_F + "_FractionalMaxPoolNd._check::constant::1 -> 0#2",
      _F + "_FractionalMaxPoolNd._check::negate::spatial[i] - 1 -> -(spatial[i] - 1)#0"), FRAC_2D),
    (RANK0_ONLY, (_F + "_FractionalMaxPoolNd._sizes::constant::1 -> 2#0",
                  _F + "_FractionalMaxPoolNd._sizes::negate::d + 1 -> -(d + 1)#0"), FRAC),
    (SIZE_DIM, (_F + "_size::compare::-n <= dim < n -> -n <= dim <= n#0",), FRAC),
    (H_NONZERO, (_F + "_FractionalMaxPoolNd.forward::index::2 -> 3#1",), FRAC),
    (AXIS_2D, (_U + "_MaxUnpoolNd.backward::axis::1 -> -1#0",), UNPOOL_1D + UNPOOL_23),
    (UNPOOL_1D_BRANCH, tuple(_U + "_check::" + m for m in (
        "arith::x.shape + (1,) -> x.shape - (1,)#0", "constant::1 -> 0#1", "constant::1 -> 0#4", "constant::1 -> 2#3",
        "constant::2 -> 1#0", "drop-term::x.shape + (1,) -> (1,)#0",
        "negate::idx.shape + (1,) -> -(idx.shape + (1,))#0",
        "negate::x.shape + (1,) -> -(x.shape + (1,))#0", "constant::1 -> 2#4")), UNPOOL_23),
    (NTUPLE_1D, (_U + "_ntuple::drop-term::(value,) * d -> (value,)#0",), UNPOOL_1D),
    (LP_SIGN, (_P + "_LPPoolNd.backward::constant::0 -> 1#0",), LP),
)
