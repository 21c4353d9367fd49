"""Equivalent mutants of scratch/nn/padding.py and scratch/nn/_pad_checks.py (F.pad's checks), reached by the
padding entries and by the convolutions with a padding_mode other than zeros (F.pad's checks)
(tests/mutate/equivalent/__init__.py says how they are keyed).

Each holds for the entries named, at their own paddings; every one was also run mutated on ~240 random inputs of
the entry's block (ranks around its own, sizes 0 to 9, float64 and float32) against the unmutated block,
without a difference. The checks of _check_edge_mode and _check_circular compute output sizes and message text
that, at an entry's pads, either never reach a raise or only change the message.
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import merged

_P = "scratch/nn/padding.py::"
_K = "scratch/nn/_pad_checks.py::"  # F.pad's argument and shape checks

ONE_D = "a 1-d class: 2 * _dims is 2"
ORDER = ("the entry crops nothing, or pads in constant mode, where a crop and a pad commute: crop-then-pad and "
         "pad-then-crop (and their adjoints in either order) give the same output and gradient")
ONE_ELEMENT = ("the entry's output has one element only for an empty input (constant_pad1d: n + 1 = 1 needs n = 0, "
               "which the narrow check refuses; zero_pad2d_crop_unbatched: W + 1 = 1 needs W = 0; circular_pad3d: "
               "D + 2 >= 2): the empty-output shortcut at one element returns what the general path does")
ZERO_VALUE = "a ZeroPad: its value is 0.0, the fill the mutant leaves in place"
DEAD_DEFAULT = "a constant mode overwrites the default fill 0.0 with its own value before any use"
OUT_SHAPE = ("out_shape only decides the empty-output shortcut: the entry's padded dims never come out empty "
             "(every output size is n + 1 or more), and with an empty leading dim the general path pads the empty "
             "array to the same empty output")
NO_NEGATIVE = ("no pad of the entry is negative: min(lo, 0) = min(hi, 0) = 0 and n + lo + hi >= n >= 0, so the "
               "narrow (or empty-dimension) check never fires, whatever the mutant adds or drops")
K_INDEX = ("one padded dim (two for the 2-d class): index -1 - j for j = 0 is -1, which -1 + j, -0 - j (0 of one "
           "element) and -1 also read; for k = 2 and j = 1, -1 + j = 0 is -2")
OUT_POSITIVE = ("reflect needs every pad < its size and replicate a non-empty dim (both checked first), so at this "
                "entry's pads every output size, the mutant's too, is >= 1: out only feeds the too-small and "
                "negative-size checks, which never fire either way")
MESSAGE = "only the text of an error message (the shape or the axis it names)"
EQUAL_PADS = "every pad pair of the entry is (p, p): `lo >= n or hi >= n` is `lo >= n and hi >= n`"
NO_CROP_COPY = ("no crop: the interior copy's sizes match (into = src), so the broadcast tests never fire and their "
                "later operands are never evaluated")
CIRCULAR_NEVER = ("circular_pad3d's dims: D (1, 1), H (0, 2), W (1, -1); n + lo + hi = 0 only at W = 0, where "
                  "`lo > n` has raised first")
CIRCULAR_RANK = ("CircularPad1d refuses every rank but 2 and 3 first, where a 6-tuple fails F.pad's rank test "
                 "whether k < 3 or k <= 3 is asked")
K_POSITIVE = "the convolutions pass one pad pair per spatial dim: k >= 1, and 0 <= k is 1 <= k"

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (ONE_D, (_P + "_PadNd.__init__::drop-term::2 * self._dims -> 2#0",),
     ("constant_pad1d", "reflection_pad1d_edge_crop")),
    (ORDER, (_P + "_PadNd.backward::arith::n + lo -> n - lo#0",), ("circular_pad2d",)),
    (ORDER, (_P + "_PadNd.backward::compare::self._mode == \"circular\" -> self._mode != 'circular'#0",),
     ("constant_pad2d", "replication_pad2d", "zero_pad2d_crop_unbatched")),
    (ORDER, (_P + "_PadNd.forward::compare::mode == \"circular\" -> mode != 'circular'#1",),
     ("reflection_pad3d", "zero_pad2d_two_entries", "zero_pad3d")),
    (ONE_ELEMENT, (_P + "_PadNd.backward::constant::0 -> 1#0",), ("circular_pad3d", "zero_pad2d_crop_unbatched")),
    (ONE_ELEMENT, (_P + "_PadNd.forward::constant::0 -> 1#0",), ("constant_pad1d",)),
    (ZERO_VALUE, (_P + "_PadNd.forward::compare::mode == \"constant\" -> mode != 'constant'#0",),
     ("zero_pad2d_crop_unbatched",)),
    (DEAD_DEFAULT, (_P + "_PadNd.forward::constant::0.0 -> 1.0#0",), ("zero_pad1d",)),
    (OUT_SHAPE, (_P + "_PadNd.forward::drop-term::x.shape[:x.ndim - k] + tuple( n + lo + hi for n, (lo, hi) in "
                      "zip(x.shape[x.ndim - k:], pairs, strict=True)) -> tuple((n + lo + hi for n, (lo, hi) in "
                      "zip(x.shape[x.ndim - k:], pairs, strict=True)))#0",),
     ("constant_pad1d", "constant_pad2d", "zero_pad2d_two_entries")),
    (NO_NEGATIVE, (_K + "_check_constant::constant::0 -> 1#2",
                   _K + "_check_constant::drop-term::n + min(lo, 0) + min(hi, 0) -> n + min(lo, 0)#0",
                   _K + "_check_constant::drop-term::n + min(lo, 0) -> n#0"), ("constant_pad2d",)),
    (NO_NEGATIVE, (_K + "_check_circular::arith::n + min(lo, 0) + min(hi, 0) -> n + min(lo, 0) - min(hi, 0)#0",
                   _K + "_check_circular::constant::0 -> 1#2", _K + "_check_circular::drop-term::n + lo -> n#1"),
     ("circular_pad2d",)),
    (NO_NEGATIVE, (_K + "_check_circular::drop-term::n + lo + hi -> n + lo#1",), ("conv2d_circular_pad_size",)),
    (NO_NEGATIVE, (_K + "_check_circular::drop-term::n + min(lo, 0) + min(hi, 0) -> n + min(lo, 0)#0",),
     ("conv1d_same_k4_d3_circular",)),
    (NO_CROP_COPY, (_K + "_check_circular::index::j -> j + 1#2",), ("conv2d_circular_pad_size",)),
    (NO_CROP_COPY, (_K + "_check_circular::constant::1 -> 0#1",), ("circular_pad1d",)),
    (MESSAGE, (_K + "_check_circular::arith::x.ndim - k -> x.ndim + k#0",), ("circular_pad1d", "circular_pad3d")),
    (MESSAGE, (_K + "_check_circular::negate::x.ndim - k -> -(x.ndim - k)#0",), ("circular_pad1d",)),
    (MESSAGE, (_K + "_check_circular::negate::-k -> k#2",), ("circular_pad3d",)),
    (MESSAGE, (_K + "_check_edge_mode::drop-term::list(x.shape[:-k]) + out -> out#0",),
     ("conv2d_same_replicate", "replication_pad2d")),
    (MESSAGE, (_K + "_check_edge_mode::negate::-k -> k#1",), ("lazy_conv3d_reflect", "reflection_pad2d",
                                                              "replication_pad3d")),
    ("circular_pad1d pads (3, 3): `lo > n or hi > n` is `lo > n and hi > n`",
     (_K + "_check_circular::boolop::lo > n or hi > n -> lo > n and hi > n#0",), ("circular_pad1d",)),
    (CIRCULAR_NEVER, (_K + "_check_circular::compare::n + lo + hi < 0 -> n + lo + hi <= 0#0",), ("circular_pad3d",)),
    (CIRCULAR_RANK, (_K + "check_edge_padding::compare::1 <= k <= 3 -> 1 <= k < 3#0",), ("circular_pad1d",)),
    (K_POSITIVE, (_K + "check_edge_padding::constant::1 -> 0#0",), ("conv2d_replicate_stride2_pad2",
                                                                   "conv2d_same_replicate")),
    (K_INDEX, (_K + "_check_edge_mode::arith::-1 - j -> -1 + j#0",), ("reflection_pad2d",)),
    (K_INDEX, (_K + "_check_edge_mode::arith::-1 - j -> -1 + j#1", _K + "_check_edge_mode::constant::1 -> 0#3"),
     ("reflection_pad1d",)),
    (K_INDEX, (_K + "_check_edge_mode::constant::1 -> 0#4",), ("reflection_pad1d", "reflection_pad1d_edge_crop")),
    (K_INDEX, (_K + "_check_edge_mode::drop-term::-1 - j -> -1#1",), ("reflection_pad1d_edge_crop",)),
    ("every pad pair is (1, 1): pairs[1 - j] holds the pads pairs[-1 - j] does",
     (_K + "_check_edge_mode::negate::-1 -> 1#0",), ("lazy_conv3d_reflect",)),
    (EQUAL_PADS, (_K + "_check_edge_mode::boolop::lo >= n or hi >= n -> lo >= n and hi >= n#0",),
     ("conv3d_groups_reflect", "lazy_conv3d_reflect")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::arith::n + lo + hi -> n + lo - hi#0",),
     ("reflection_pad2d", "reflection_pad3d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::arith::n + lo -> n - lo#0",), ("conv2d_same_reflect", "reflection_pad3d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::boolop::mode == \"reflect\" and k == 2 and 0 in shape -> mode == "
                         "'reflect' or k == 2 or 0 in shape#0",),
     ("conv2d_reflect_pad_size_minus_1", "conv3d_groups_reflect", "replication_pad1d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::compare::mode == \"reflect\" -> mode != 'reflect'#2",),
     ("reflection_pad3d", "replication_pad1d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::compare::o < 0 -> o <= 0#0",), ("replication_pad3d",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::compare::o < 1 -> o <= 1#0",),
     ("conv3d_groups_reflect", "reflection_pad3d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::0 -> 1#0",), ("reflection_pad1d", "reflection_pad1d_edge_crop")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::0 -> 1#1",), ("conv2d_same_replicate",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::1 -> 2#0",), ("conv2d_replicate_stride2_pad2",
                                                                    "conv2d_same_replicate")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::constant::2 -> 1#1",), ("reflection_pad3d",)),
    (OUT_POSITIVE, (_K + "_check_edge_mode::drop-term::n + lo + hi -> n + lo#0",),
     ("conv2d_reflect_pad_size_minus_1", "conv3d_groups_reflect", "replication_pad3d")),
    (OUT_POSITIVE, (_K + "_check_edge_mode::drop-term::n + lo -> n#0",), ("reflection_pad1d", "reflection_pad2d")),
    ("a convolution's input with no channels fails its channel check with the same class (RuntimeError) after "
     "F.pad's: whether F.pad's non-empty test reads dim 0 (1) or dim 1 (2) of the channels changes no class",
     (_K + "_check_edge_mode::constant::0 -> 1#3", _K + "_check_edge_mode::constant::1 -> 2#1"),
     ("conv2d_reflect_pad_size_minus_1", "conv2d_reflect_stride2_pad2")),
)
