"""Equivalent mutants of scratch/nn/fold.py, and of the lines of scratch/nn/_windows.py that Unfold and Fold run, for
the fold entries (tests/mutate/equivalent/__init__.py says how they are keyed; windows.py holds the other families'
declarations of the shared kernels).

Unfold and Fold call the kernels in one way only: a 4-d (N, C, H, W) array (an unbatched input gets its batch dim
first), zero padding with both pads >= 0 in both dims, and as many windows as the padded size holds. The entries'
checks (tests/test_blocks.py and tests/test_fold.py) run each entry's own kernel, dilation, padding and stride at
many sizes, so a declaration below holds for every size; the ones for padding 0 or a square kernel hold only for
the entries with those options.
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import merged

_W = "scratch/nn/_windows.py::"
_F = "scratch/nn/fold.py::"

ALL = ("unfold", "unfold_overlapping_dilated", "unfold_unbatched", "fold", "fold_overlapping",
       "fold_dilated_unbatched")
# An entry's checks are also those of every entry whose name contains its name (pytest's -k is a substring match:
# `-k fold` runs every fold entry's items in tests/test_fold.py, `-k fold_overlapping` unfold_overlapping_dilated's),
# so an entry is named below only when the condition holds for those too.
UNFOLDS = ("unfold", "unfold_overlapping_dilated", "unfold_unbatched")
PADDING_0 = ("unfold_overlapping_dilated", "unfold_unbatched", "fold_overlapping", "fold_dilated_unbatched")
KERNEL_2X2 = ("fold_overlapping", "fold_dilated_unbatched")
DILATION_1 = ("unfold_unbatched",)  # `-k unfold` also runs unfold_overlapping_dilated's checks (dilation 2)
STRIDE_1 = ("unfold_overlapping_dilated", "fold_overlapping", "fold_dilated_unbatched")
FOLDS = ("fold", "fold_overlapping", "fold_dilated_unbatched")

FAST_PATH = ("win.pad and win.pad_backward have a fast path for constant padding with every pad >= 0 and a general "
             "gather (scatter-add) path; fold's pads are zeros and never negative, where both paths give the same "
             "values (the gather copies every element and writes the zero fill; the scatter adds each gradient to "
             "a zero), so a test that only moves the choice of path changes nothing")
FOUR_D = ("Unfold and Fold pad and crop 4-d (N, C, H, W) arrays by two pads: x.shape[d:] is x.shape[-d:] and "
          "x.shape[:d] is x.shape[:-d] for d = 2")
NO_PADDING = ("padding 0: lo = hi = p = 0, so adding, subtracting or dropping them (or 2 p) changes no size; a "
              "slice (0, n) of a dim of size n is all of it (padded and unpadded arrays have one shape); Fold's "
              "padded array made 2 larger is cropped back to (0, size), and no window writes past size - 1")
MORE_WINDOWS = ("out is the largest number of windows the padded size holds (s out > padded - span; Fold's backward "
                "pads its cotangent of output_size by the same p its blocks were counted from): a later slice stop "
                "selects no further window")
SQUARE = "a square kernel (2 x 2, or Unfold's 3 x 3): k[1] is k[0]"
DILATION = "dilation 1 in both dims: r j is j"
STRIDE = "stride 1 in both dims: s (o - 1) is o - 1"
CROP_SHAPE = ("pad_backward's fast path (the one Fold takes, above) reads only the last d = 2 sizes of the shape it "
              "is given: (n, c) + size and size give the same crop")
NO_MORE = ("Unfold passes no argument beyond the four (Fold's output_size): the loop over `more` never runs, "
           "whatever it indexes")
RESHAPE = ("numpy's reshape reads any negative size as the one unknown dimension and infers n L from the explicit "
           "C prod(k); for n L = 0, -0 is 0")

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (FAST_PATH, tuple(_W + k for k in (
        "pad::compare::lo >= 0 -> lo > 0#0", "pad::compare::hi >= 0 -> hi > 0#0", "pad::constant::0 -> 1#3",
        "pad::constant::0 -> 1#4", "pad_backward::compare::lo >= 0 -> lo > 0#0",
        "pad_backward::compare::hi >= 0 -> hi > 0#0", "pad_backward::constant::0 -> 1#1",
        "pad_backward::constant::0 -> 1#2", "pad_backward::compare::mode == \"constant\" -> mode != 'constant'#0",
        "pad_backward::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in pads) -> mode == "
        "'constant' or all((lo >= 0 and hi >= 0 for lo, hi in pads))#0", "pad::compare::mode == \"constant\" -> "
        "mode != 'constant'#0", "pad::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",
        "pad::boolop::mode == \"constant\" and all(lo >= 0 and hi >= 0 for lo, hi in pads) -> mode == 'constant' or "
        "all((lo >= 0 and hi >= 0 for lo, hi in pads))#0",
        "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0")), ALL),
    (FOUR_D, tuple(_W + f"pad::negate::-d -> d#{i}" for i in range(3)) + (_W + "pad_backward::negate::-d -> d#0",),
     ALL),
    (MORE_WINDOWS, (_W + "windows::arith::o - 1 -> o + 1#0", _W + "windows::drop-term::o - 1 -> o#0",
                    _W + "windows::constant::1 -> 2#2", _W + "windows::constant::1 -> 0#3"), ALL),
    (RESHAPE, (_W + "im2col::negate::n * math.prod(out) -> -(n * math.prod(out))#0",
               _F + "Unfold.backward::negate::dy.shape[0] * dy.shape[2] -> -(dy.shape[0] * dy.shape[2])#0"), ALL),
    (DILATION, (_W + "col2im::drop-term::dilation[i] * j[i] -> j[i]#1", _W + "windows::drop-term::r * (k - 1) -> "
                "k - 1#0", _W + "out_size::drop-term::dilation * (kernel - 1) -> kernel - 1#0"), DILATION_1),
    (STRIDE, (_W + "windows::drop-term::s * (o - 1) -> o - 1#0",), STRIDE_1),
    (CROP_SHAPE, (_F + "Fold.forward::drop-term::(n, c) + size -> size#0",), FOLDS),
    (SQUARE, (_F + "Unfold.forward::constant::1 -> 0#2",), ("unfold_overlapping_dilated", "unfold_unbatched")),
    (NO_MORE, (_F + "_args::index::name -> name + 1#1",), UNFOLDS),
    (NO_PADDING, (_W + "out_size::drop-term::size + lo + hi -> size + lo#0",
                  _W + "out_size::arith::size + lo + hi -> size + lo - hi#0", _W + "out_size::arith::size + lo -> "
                  "size - lo#0", _W + "pad::drop-term::n + lo -> n#0",
                  _W + "pad::arith::n + lo + hi -> n + lo - hi#0", _W + "pad_backward::drop-term::lo + n -> n#0",
                  _F + "Fold.forward::constant::2 -> 1#8", _F + "Fold.forward::drop-term::2 * p[i] -> 2#0",
                  _F + "Fold.forward::drop-term::2 * p[i] -> p[i]#0", _W + "out_size::drop-term::size + lo -> size#0",
                  _W + "pad::arith::n + lo -> n - lo#0", _W + "pad::drop-term::n + lo + hi -> n + lo#0",
                  _W + "pad::drop-term::(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[-d:], "
                  "pads, strict=True)) -> (Ellipsis,)#0",
                  _W + "pad_backward::drop-term::(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in "
                  "zip(shape[-d:], pads, strict=True)) -> (Ellipsis,)#0",
                  _F + "Fold.forward::arith::size[i] + 2 * p[i] -> size[i] - 2 * p[i]#0"), PADDING_0),
    (SQUARE, (_F + "Fold.forward::constant::1 -> 0#0", _F + "Fold.forward::index::0 -> 1#0",
              _F + "Fold.backward::index::0 -> 1#1"), KERNEL_2X2),
    (RESHAPE, (_F + "Fold.forward::negate::n * xb.shape[2] -> -(n * xb.shape[2])#0",), FOLDS),
)
