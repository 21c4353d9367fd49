"""Equivalent mutants of scratch/nn/padding.py and scratch/nn/_pad_checks.py (F.pad's checks), reached by the
padding entries and by the convolutions with a padding_mode other than zeros (F.pad's checks), and of the pad
kernels of scratch/nn/_windows.py for the padding entries (windows.py holds the other families')
(tests/mutate/equivalent/__init__.py says how they are keyed).

The padding entries' hold for the entry's CLASS at every padding and input, not only at the entry's own: its
checks run the class with other paddings (tests/test_padding_edges.py: tuples of 2, 4 and 6 entries around each
dim's limits, on every rank, empty dims, four dtypes, error messages compared with torch's), so "no pad of the
entry is negative" is no reason. Each was run mutated on 800 random paddings and inputs of the entry's class (the
edge test's draws and wider ones: entries -6 .. 6, sizes 0 to 8, ranks k - 1 to k + 3, float64, float32 and bool;
for a ConstantPad, fills the dtype cannot hold) against the unmutated class, without a difference in outcome, error
class and message, output or gradient (bitwise, with -0.0 in the cotangent).

How a padding layer calls the kernels (what most of the reasons below rest on): forward runs win.pad twice at
most, a pad step (every entry >= 0, in the layer's mode) and a crop step (every entry <= 0, one at least < 0, in
constant mode), crop first for circular, pad first otherwise; an empty output returns zeros before either.
Backward runs pad_backward with the pad step's amounts (in the layer's mode) and, for a crop, win.pad in constant
mode with the negated crop (every entry >= 0) on a non-empty array. In constant mode a pad step with every entry
>= 0 takes win.pad's (and pad_backward's) fast path, which the gather path does NOT equal everywhere (it fails on
an empty padded dim, and its scatter-add turns a -0.0 cotangent into 0.0): the fast-path tests are equivalent only
where the mutant leaves the path taken as it was.

The convolutions' hold at the conv's own pads (one pair per spatial dim, fixed by the entry): the checks of
_check_edge_mode and _check_circular compute output sizes and message text that, at those pads, either never reach
a raise or only change the message.
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import merged

_P = "scratch/nn/padding.py::"
_K = "scratch/nn/_pad_checks.py::"  # F.pad's argument and shape checks
_W = "scratch/nn/_windows.py::"  # the pad kernels

# -- the convolutions' -------------------------------------------------------------------------------------------
NO_NEGATIVE = ("no pad of the entry is negative: min(lo, 0) = min(hi, 0) = 0 and n + lo + hi >= n >= 0, so the "
               "narrow (or empty-dimension) check never fires, whatever the mutant adds or drops")
OUT_POSITIVE = ("reflect needs every pad < its size and replicate a non-empty dim (both checked first), so at this "
                "entry's pads every output size, the mutant's too, is >= 1: out only feeds the too-small and "
                "negative-size checks, which never fire either way")
MESSAGE = "only the text of an error message (the shape or the axis it names)"
EQUAL_PADS = "every pad pair of the entry is (p, p): `lo >= n or hi >= n` is `lo >= n and hi >= n`"
NO_CROP_COPY = ("no crop: the interior copy's sizes match (into = src), so the broadcast tests never fire and their "
                "later operands are never evaluated")
K_POSITIVE = "the convolutions pass one pad pair per spatial dim: k >= 1, and 0 <= k is 1 <= k"

# -- the padding entries' ----------------------------------------------------------------------------------------
ONE_D = "a 1-d class: an int padding is repeated 2 * _dims = 2 times"
ZERO_FILL = ("a ZeroPad's fill is 0.0, which every dtype holds: _check_fill never raises for it, so asking it "
             "also when no pad is positive changes nothing")
ZERO_VALUE = "a ZeroPad: its value is 0.0, the fill the mutant leaves in place"
DEAD_DEFAULT = "a constant mode overwrites the default fill 0.0 with its own value before any use"
REFLECT_FILL = ("the fill reaches win.pad only in the pad step (the crop step passes none), where a reflect or "
                "replicate source map is never -1, and a circular one only for a dim cropped to nothing, which "
                "passes the wrap check only with no pad (an empty output, returned first): no fill is written, "
                "the default 1.0 neither")
ORDER = ("constant mode, where a crop and a pad commute (a crop reaching into the padding is refused first by the "
         "narrow check): crop-then-pad and pad-then-crop, and their adjoints in either order, give the same output "
         "and gradient")
CIRCULAR_RANK = ("CircularPad1d refuses every rank but 2 and 3 first; on those a 6-tuple fails F.pad's length check "
                 "(2-d) or its rank test (3-d) whether k < 3 or k <= 3 is asked, and 8 entries or more fail the "
                 "length check")
CIRCULAR_PAIRS = ("pads[-(2 i)] differs from pads[2 i] only for i >= 1 with more than 4 entries (-2 is 2 of 4): "
                  "CircularPad1d refuses every rank but 2 and 3 first, and on those more than 4 entries fail F.pad's "
                  "length check (2-d) or its rank test (3-d, k = 3) before the pairs are used")
CIRCULAR_LEAD = ("CircularPad3d takes 4-d and 5-d inputs, where F.pad's rank test leaves k = 2 (4-d: x.shape[:2] is "
                 "x.shape[:-2]) or k = 3 (x.shape[:3] adds padded dims to x.shape[:-3]); a padded dim of size 0 "
                 "passes the wrap and empty-dimension checks only with pads (0, 0), so its output size is 0 too and "
                 "math.prod(x.shape[:k]) * math.prod(out) is 0 exactly when the original product is")
REPLICATE_K = "a replicate layer: `mode == 'reflect' and k == 2 and ...` is False before k is read"
FAST_PATH_OTHER = ("a reflect, replicate or circular layer runs win.pad in constant mode only for its crop step (an "
                   "entry < 0: the fast-path test fails either way) and the backward's uncrop (every entry >= 0) on "
                   "a non-empty array, where the gather path gives the fast path's values bitwise (np.take copies "
                   "each entry, the fill is 0.0): whichever path the mutant takes, the same result")
FILL_MASK = ("only decides whether the fill is written through the mask `src < 0`, which the mutant leaves: where "
             "its test is True with no negative source, the write selects nothing")
BACKWARD_ALL_GROW = ("a constant layer calls pad_backward only with its pad step's amounts, every entry >= 0: "
                     "`all(lo >= 0 and hi >= 0 ...)` is True, and the mutant's `or` is True too, so the fast path "
                     "is taken as before")
BACKWARD_OTHER_MODE = ("a reflect, replicate or circular layer calls pad_backward in its own mode only: `mode == "
                       "'constant' and ...` is False before the pads are read")
CROP_SOURCE = ("in a constant, reflect or replicate layer pad_source's constant branch runs only for the crop step "
               "(a constant pad step takes the fast path, forward and backward; a reflect or replicate one returns "
               "before): every entry <= 0, so max(lo, 0) = max(hi, 0) = 0 and i covers [0, m), always < m")
CROP_MARKER = ("the fill marker (-1) of pad_source's constant branch is never made: that branch runs only for a "
               "crop step (every entry <= 0: i covers [0, m)), a constant pad step taking the fast path (and a "
               "circular one the circular branch)")
NEGATED_ZERO = "-(p) == 0 exactly where p == 0"
CIRCULAR3_K = ("CircularPad3d refuses every rank but 4 and 5 first, where k = 1 fails F.pad's rank test (ndim in "
               "(2, 3)) with the same error whether 1 <= k or 2 <= k is asked")
CIRCULAR_GROW = ("pad_source's circular branch runs only for a circular layer's pad step (its crop runs first, in "
                 "constant mode): every entry >= 0, so start = max(0, -lo) = 0")
CIRCULAR_EMPTY_MARKER = ("circular's marker for a dim cropped to nothing (m = 0): such a dim passes the wrap check "
                         "only with no pad, so its output size is 0 and the empty-output shortcut returns first "
                         "(forward; backward returns zeros for an empty cotangent)")

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    # -- the convolutions with a padding_mode (F.pad's checks at the conv's own pads) ----------------------------
    (NO_NEGATIVE, (_K + "_check_circular::drop-term::n + lo + hi -> n + lo#1",), ("conv2d_circular_pad_size",)),
    (NO_NEGATIVE, (_K + "_check_circular::drop-term::n + min(lo, 0) + min(hi, 0) -> n + min(lo, 0)#0",),
     ("conv1d_same_k4_d3_circular",)),
    (NO_CROP_COPY, (_K + "_check_circular::index::j -> j + 1#2",), ("conv2d_circular_pad_size",)),
    (MESSAGE, (_K + "_check_edge_mode::drop-term::list(x.shape[:-k]) + out -> out#0",), ("conv2d_same_replicate",)),
    (MESSAGE, (_K + "_check_edge_mode::negate::-k -> k#1",), ("lazy_conv3d_reflect",)),
    (K_POSITIVE, (_K + "check_edge_padding::constant::1 -> 0#0",), ("conv2d_replicate_stride2_pad2",
                                                                   "conv2d_same_replicate")),
    ("every pad pair is (1, 1): pairs[1 - j] holds the pads pairs[-1 - j] does",
     (_K + "_check_edge_mode::negate::-1 -> 1#0",), ("lazy_conv3d_reflect",)),
    (EQUAL_PADS, (_K + "_check_edge_mode::boolop::lo >= n or hi >= n -> lo >= n and hi >= n#0",),
     ("conv3d_groups_reflect", "lazy_conv3d_reflect")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::arith::n + lo -> n - lo#0",), ("conv2d_same_reflect",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::boolop::mode == \"reflect\" and k == 2 and 0 in shape -> mode == "
                         "'reflect' or k == 2 or 0 in shape#0",),
     ("conv2d_reflect_pad_size_minus_1", "conv3d_groups_reflect")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::compare::o < 1 -> o <= 1#0",), ("conv3d_groups_reflect",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::0 -> 1#1",), ("conv2d_same_replicate",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::1 -> 2#0",), ("conv2d_replicate_stride2_pad2",
                                                                    "conv2d_same_replicate")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::drop-term::n + lo + hi -> n + lo#0",),
     ("conv2d_reflect_pad_size_minus_1", "conv3d_groups_reflect")),
    ("a convolution's input with no channels fails its channel check with the same class (RuntimeError) after "
     "F.pad's: whether F.pad's non-empty test reads dim 0 (1) or dim 1 (2) of the channels changes no class",
     (_K + "_check_edge_mode::constant::0 -> 1#3", _K + "_check_edge_mode::constant::1 -> 2#1"),
     ("conv2d_reflect_pad_size_minus_1", "conv2d_reflect_stride2_pad2")),
    # -- the padding entries: their class at every padding and input (tests/test_padding_edges.py) -------------
    (ONE_D, (_P + "_PadNd.__init__::drop-term::2 * self._dims -> 2#0",),
     ("constant_pad1d", "reflection_pad1d_edge_crop")),
    (ZERO_FILL, (_K + "_check_constant::compare::p > 0 -> p >= 0#0",),
     ("zero_pad1d", "zero_pad2d_crop_unbatched", "zero_pad2d_two_entries")),
    (ZERO_VALUE, (_P + "_PadNd.forward::compare::mode == \"constant\" -> mode != 'constant'#0",),
     ("zero_pad2d", "zero_pad2d_crop_unbatched")),
    (DEAD_DEFAULT, (_P + "_PadNd.forward::constant::0.0 -> 1.0#0",),
     ("zero_pad1d", "zero_pad2d_two_entries", "zero_pad3d")),
    (REFLECT_FILL, (_P + "_PadNd.forward::constant::0.0 -> 1.0#0",), ("reflection_pad1d_edge_crop",)),
    (ORDER, (_P + "_PadNd.backward::compare::self._mode == \"circular\" -> self._mode != 'circular'#0",),
     ("constant_pad2d", "zero_pad2d_crop_unbatched", "zero_pad2d_two_entries", "zero_pad3d")),
    (ORDER, (_P + "_PadNd.forward::compare::mode == \"circular\" -> mode != 'circular'#1",),
     ("zero_pad2d_two_entries", "zero_pad3d")),
    (CIRCULAR_RANK, (_K + "check_edge_padding::compare::1 <= k <= 3 -> 1 <= k < 3#0",), ("circular_pad1d",)),
    (CIRCULAR_PAIRS, (_P + "_PadNd.forward::negate::2 * i -> -(2 * i)#0",), ("circular_pad1d",)),
    (CIRCULAR_LEAD, (_K + "_check_circular::negate::-k -> k#2",), ("circular_pad3d",)),
    (REPLICATE_K, (_K + "_check_edge_mode::compare::k == 2 -> k != 2#0",), ("replication_pad2d",)),
    # win.pad: the fast path's test, in a layer of another mode
    (FAST_PATH_OTHER, (_W + "pad::compare::lo >= 0 -> lo > 0#0",), ("circular_pad2d", "reflection_pad1d_edge_crop")),
    (FAST_PATH_OTHER, (_W + "pad::compare::hi >= 0 -> hi > 0#0",), ("reflection_pad3d", "replication_pad2d")),
    (FAST_PATH_OTHER, (_W + "pad::constant::0 -> 1#3",), ("reflection_pad2d", "reflection_pad3d", "replication_pad3d")),
    (FAST_PATH_OTHER, (_W + "pad::constant::0 -> 1#4",), ("reflection_pad1d_edge_crop", "replication_pad3d")),
    # win.pad: the fill's test
    (FILL_MASK, (_W + "pad::constant::0 -> 1#2",),
     ("circular_pad1d_crop", "constant_pad3d", "reflection_pad1d_edge_crop", "reflection_pad3d", "replication_pad1d",
      "zero_pad2d_crop_unbatched")),
    (FILL_MASK, (_W + "pad::compare::src < 0 -> src <= 0#1",),
     ("constant_pad3d", "reflection_pad1d", "reflection_pad2d")),
    # pad_backward's fast-path test
    (BACKWARD_ALL_GROW, (_W + "pad_backward::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in "
                              "pads) -> mode == 'constant' or all((lo >= 0 and hi >= 0 for lo, hi in pads))#0",),
     ("zero_pad1d", "zero_pad2d", "zero_pad2d_two_entries", "zero_pad3d")),
    (BACKWARD_ALL_GROW, (_W + "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("constant_pad1d", "zero_pad2d", "zero_pad2d_crop_unbatched", "zero_pad3d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("circular_pad3d", "replication_pad1d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::compare::lo >= 0 -> lo > 0#0",),
     ("circular_pad1d_crop", "reflection_pad1d", "reflection_pad3d", "replication_pad1d", "replication_pad3d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::compare::hi >= 0 -> hi > 0#0",), ("reflection_pad3d",)),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::constant::0 -> 1#2",),
     ("circular_pad1d", "reflection_pad2d", "reflection_pad3d", "replication_pad3d")),
    # pad_source: the constant branch (crops only) and the circular one (pads only)
    (CROP_SOURCE, (_W + "pad_source::negate::-max(lo, 0) -> max(lo, 0)#0",),
     ("constant_pad1d", "constant_pad3d", "replication_pad1d", "replication_pad3d", "zero_pad2d_crop_unbatched")),
    (CROP_SOURCE, (_W + "pad_source::arith::m + max(hi, 0) -> m - max(hi, 0)#0",),
     ("constant_pad1d", "reflection_pad1d_edge_crop", "reflection_pad2d")),
    (CROP_SOURCE, (_W + "pad_source::drop-term::m + max(hi, 0) -> m#0",),
     ("reflection_pad1d_edge_crop", "replication_pad1d", "zero_pad2d_crop_unbatched")),
    (CROP_SOURCE, (_W + "pad_source::compare::i < m -> i <= m#0",), ("constant_pad3d", "reflection_pad2d",
                                                                   "replication_pad3d")),
    (CROP_MARKER, (_W + "pad_source::constant::1 -> 0#1",), ("constant_pad1d", "reflection_pad1d_edge_crop",
                                                            "reflection_pad2d")),
    (CROP_MARKER, (_W + "pad_source::constant::1 -> 2#1",), ("circular_pad1d_crop", "reflection_pad2d")),
    (CROP_MARKER, (_W + "pad_source::negate::-1 -> 1#0",), ("constant_pad1d", "zero_pad2d_crop_unbatched")),
    (CIRCULAR_GROW, (_W + "pad_source::arith::i % m + start -> i % m - start#0",
                     _W + "pad_source::drop-term::i % m + start -> i % m#0"), ("circular_pad1d",)),
    (CIRCULAR_EMPTY_MARKER, (_W + "pad_source::constant::1 -> 0#3",), ("circular_pad1d_crop",)),
    # -- the same reasons, for the mutants `--seed 1` samples at other entries ----------------------------------
    (ORDER, (_P + "_PadNd.forward::compare::mode == \"circular\" -> mode != 'circular'#1",
             _P + "_PadNd.backward::compare::self._mode == \"circular\" -> self._mode != 'circular'#0"),
     ("zero_pad2d",)),
    (DEAD_DEFAULT, (_P + "_PadNd.forward::constant::0.0 -> 1.0#0",), ("zero_pad2d_crop_unbatched",)),
    (REFLECT_FILL, (_P + "_PadNd.forward::constant::0.0 -> 1.0#0",),
     ("circular_pad1d_crop", "reflection_pad2d", "replication_pad1d")),
    (ONE_D, (_P + "_PadNd.__init__::drop-term::2 * self._dims -> 2#0",), ("reflection_pad1d",)),
    (CIRCULAR_PAIRS, (_P + "_PadNd.forward::negate::2 * i -> -(2 * i)#0",), ("circular_pad1d_crop",)),
    (CIRCULAR3_K, (_K + "check_edge_padding::constant::1 -> 2#0",), ("circular_pad3d",)),
    (NEGATED_ZERO, (_K + "_check_circular::negate::math.prod(x.shape[:-k]) * math.prod(out) -> "
                         "-(math.prod(x.shape[:-k]) * math.prod(out))#0",), ("circular_pad1d", "circular_pad1d_crop")),
    (FAST_PATH_OTHER, (_W + "pad::compare::lo >= 0 -> lo > 0#0",), ("circular_pad3d", "reflection_pad1d")),
    (FAST_PATH_OTHER, (_W + "pad::compare::hi >= 0 -> hi > 0#0",), ("circular_pad2d",)),
    (FAST_PATH_OTHER, (_W + "pad::constant::0 -> 1#3",), ("replication_pad1d",)),
    (FAST_PATH_OTHER, (_W + "pad::constant::0 -> 1#4",), ("circular_pad1d_crop", "replication_pad1d")),
    (FILL_MASK, (_W + "pad::compare::src < 0 -> src <= 0#1",), ("reflection_pad1d_edge_crop",)),
    (BACKWARD_ALL_GROW, (_W + "pad_backward::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in "
                              "pads) -> mode == 'constant' or all((lo >= 0 and hi >= 0 for lo, hi in pads))#0",),
     ("constant_pad1d", "constant_pad3d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::compare::lo >= 0 -> lo > 0#0",),
     ("reflection_pad1d_edge_crop", "replication_pad2d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::compare::hi >= 0 -> hi > 0#0",), ("circular_pad3d",)),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::constant::0 -> 1#1",),
     ("circular_pad2d", "reflection_pad2d", "replication_pad2d")),
    (BACKWARD_OTHER_MODE, (_W + "pad_backward::constant::0 -> 1#2",),
     ("circular_pad3d", "reflection_pad1d_edge_crop", "replication_pad1d")),
    (CROP_SOURCE, (_W + "pad_source::compare::i < m -> i <= m#0",),
     ("reflection_pad1d_edge_crop", "replication_pad1d")),
    (CROP_SOURCE, (_W + "pad_source::drop-term::m + max(hi, 0) -> m#0",), ("replication_pad3d",)),
    (CROP_MARKER, (_W + "pad_source::negate::-1 -> 1#0",), ("circular_pad3d", "replication_pad3d")),
    (CROP_MARKER, (_W + "pad_source::constant::1 -> 2#1",), ("replication_pad3d",)),
    (CIRCULAR_EMPTY_MARKER, (_W + "pad_source::negate::-1 -> 1#1",), ("circular_pad1d_crop",)),
    (CIRCULAR_EMPTY_MARKER, (_W + "pad_source::constant::1 -> 2#3",), ("circular_pad2d",)),
)
