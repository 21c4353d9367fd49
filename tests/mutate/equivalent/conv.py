"""Equivalent mutants of scratch/nn/conv/ (tests/mutate/equivalent/__init__.py says how they are keyed).

Most hold only for some entries: an expression that an entry's hyper-parameters make trivial (a dilation of 1, a
padding of 0, a stride of 1), or a check those hyper-parameters can never make fire. Each group names its reason
and the entries it holds for; every one was also run mutated on ~240 random inputs of the entry's block (ranks
around its own, sizes 0 to 9, float64 and float32) against the unmutated block, without a difference.

The last groups are mutants of the shared kernels a conv entry runs: F.pad's checks (scratch/nn/_pad_checks.py,
which a padding_mode other than zeros runs first) and the windows (scratch/nn/_windows.py), declared here per conv
entry (padding.py and windows.py declare them for their own entries and for some conv entries, never the same
entry twice). Those were also run on every input of a grid (each spatial size 0 to 11 / 7 / 4 in 1 / 2 / 3-d,
batched with N 0, 1, 2 and unbatched, C the entry's, 0 and one more), without a difference.
"""

from __future__ import annotations

_C = "scratch/nn/conv/convolution.py::"
_T = "scratch/nn/conv/transpose.py::"
_K = "scratch/nn/_pad_checks.py::"  # F.pad's checks, run first by a padding_mode other than zeros
_W = "scratch/nn/_windows.py::"


def merged(*groups: tuple[str, tuple[str, ...], tuple[str, ...] | None]) -> dict:
    """(reason, keys, entries or None for every entry) groups as EQUIVALENT declarations."""
    found: dict = {}
    for reason, keys, entries in groups:
        for key in keys:
            if entries is None:
                found[key] = reason
            else:
                found.setdefault(key, {}).update(dict.fromkeys(entries, reason))
    return found


RESHAPE = ("numpy's reshape reads any negative size as the one unknown dimension, and the other sizes are explicit: "
           "-2 is inferred as -1 is")

# the shared kernels' reasons (F.pad's checks and the windows, seen from the conv entries)
EDGE_OUT = ("no pad is negative and reflect needs n > pad (replicate n >= 1), so every output size n + lo + hi, "
            "and the mutant's, is >= 1 (here >= 3): out and shape only feed the too-small and the negative-size "
            "checks (and their messages), which never fire either way; the operands after `any(o < 0 ...) and` are "
            "never read")
CIRCULAR = ("circular, no pad negative: the interior copy's sizes match (into = src = n), so the broadcast tests "
            "never fire and their later operands are never read; min(lo, 0) = min(hi, 0) = 0; the last loop's test "
            "max(lo, hi) > n + min(lo, 0) + min(hi, 0) is the first loop's `lo > n or hi > n`, which has raised "
            "already (a mutant's larger `left` only raises less), so whether the empty-output return is taken "
            "changes nothing; x.ndim - k only numbers the axis in the message")
PAIRS_PER_DIM = ("a convolution passes one pad pair per spatial dim: k is 2 (1 for a 1-d conv), inside the mutant's "
                 "bounds as well (0 <= k, 1 < k, k < 3, k <= 4)")
NOT_CONSTANT = ("the entry's padding_mode is not zeros: win.pad and pad_backward get mode reflect, replicate or "
                "circular, and `mode == 'constant' and ...` is False before the mutated test is read (the fast path "
                "is never taken)")
STRIDE_DILATION_1 = ("stride 1 and dilation 1: the windows are every position of the sliding view and their "
                     "elements every element, so dropping either slicing (or slicing the batch and channel dims by "
                     "1) selects the same view")

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (RESHAPE, (_C + "_ConvNd.forward::constant::1 -> 2#1", _C + "_ConvNd.backward::constant::1 -> 2#0",
               _C + "_ConvNd.backward::constant::1 -> 2#1", _T + "_ConvTransposeNd._gemm_weight::constant::1 -> 2#0",
               _C + "_ConvNd._gemm_weight::constant::1 -> 2#0", _C + "_ConvNd.forward::constant::1 -> 2#2"),
     None),
    ("the zero-spatial check reads x.shape[1:] only after `n and c`: c is non-zero there, so dim 1 adds no zero",
     (_C + "_ConvNd.forward::constant::2 -> 1#0",), None),
    ("a 'same' padding (or replicate's F.pad check) rejects an empty H first: the padded H of an empty input, "
     "r (k - 1), is below the dilated kernel; the zero-spatial check's H is never the one that fires",
     (_C + "_ConvNd.forward::index::2 -> 3#0",), ("conv2d_same_k4", "conv2d_same_replicate")),
    ("'same' padding: the padded size n + r (k - 1) is at least the dilated kernel r (k - 1) + 1 for every n >= 1, "
     "so the kernel check never fires and a lower threshold changes nothing",
     (_C + "_ConvNd._out::arith::r * (k - 1) + 1 -> r * (k - 1) - 1#0",
      _C + "_ConvNd._out::drop-term::r * (k - 1) + 1 -> r * (k - 1)#0",
      _C + "_ConvNd._out::drop-term::r * (k - 1) -> r#0"),
     ("conv1d_same_k4_d3_circular", "conv2d_same_replicate")),
    ("reflect padding 1 needs n >= 2: every padded size n + 2 is >= 4, above the threshold the mutant puts (kernel "
     "2, r k + 1 = 3)", (_C + "_ConvNd._out::drop-term::k - 1 -> k#0",), ("conv3d_groups_reflect",)),
    ("1-d: i is 0, 2 + i is 2",
     (_C + "_ConvNd._out::drop-term::2 + i -> 2#0", _C + "_ConvNd._out::drop-term::2 + i -> 2#1"),
     ("conv1d_groups_unbatched",)),
    ("dilation 1: r (k - 1) is k - 1",
     (_C + "_ConvNd._out::drop-term::r * (k - 1) -> k - 1#0", _C + "_ConvNd._pads::drop-term::r * (k - 1) -> k - 1#2"),
     ("conv2d_same_reflect", "conv2d_empty_batch")),
    ("every pad pair is (p, p) or both non-zero (('same' k = 4: (1, 2)): `lo and hi` is `lo or hi`",
     (_C + "_ConvNd._padded::boolop::lo or hi -> lo and hi#0",),
     ("conv2d_groups2_out_ne_in", "conv2d_same_replicate", "conv2d_unbatched")),
    ("padding 0: the padded-mode lookup is never evaluated (no pad, no pad_backward)",
     (_C + "_ConvNd._padded::index::self.padding_mode -> self.padding_mode + 1#0",
      _C + "_ConvNd.backward::index::self.padding_mode -> self.padding_mode + 1#0"),
     ("conv1d_groups_unbatched", "conv2d_depthwise_multiplier")),
    ("bound = 0.0 only where fan_in = 0: a transposed conv's fan_in is out_channels / groups * prod(k), 0 only with "
     "no output channels, hence no bias to draw; a Lazy conv draws nothing at in_channels 0 (fan_in 0)",
     (_C + "_ConvNd._reset_parameters::constant::0.0 -> 1.0#0",), ("conv_transpose1d", "lazy_conv1d_unbatched")),
    ("the weight is (2, 3, 3): shape[1] = shape[2], in every variant the probes build of it too",
     (_C + "_ConvNd._reset_parameters::index::1 -> 2#0",), ("lazy_conv_transpose1d",)),
    ("padding 0: 2 p is p, and -2 p is +2 p", (
        _T + "_ConvTransposeNd._output_padding::arith::(x.shape[i - d] - 1) * self.stride[i] - 2 * self.padding[i] -> "
             "(x.shape[i - d] - 1) * self.stride[i] + 2 * self.padding[i]#0",
        _T + "_ConvTransposeNd._output_padding::constant::2 -> 1#2"), ("conv_transpose2d_unbatched_output_size_full",)),
    ("padding 0, kernel 2, dilation 2, stride 2: the output size (n - 1) 2 + 3 is at least 1 for every n >= 0, so "
     "an empty input never gives an empty output", (_T + "_ConvTransposeNd.forward::constant::0 -> 1#1",),
     ("lazy_conv_transpose3d_unbatched",)),
    # -- the convs' own code, more entries -------------------------------------------------------------------------
    ("dilation 1: r (k - 1) is k - 1", (_C + "_ConvNd._out::drop-term::r * (k - 1) -> k - 1#0",),
     ("conv3d_groups_reflect", "lazy_conv3d_reflect")),
    ("F.pad's checks reject a zero spatial size first (reflect and replicate: only the batch dim may be 0; circular "
     "padding 3: a pad above the size wraps more than once), so the zero-spatial check never fires, for H and W or "
     "for W alone", (_C + "_ConvNd.forward::index::2 -> 3#0",),
     ("conv2d_reflect_stride2_pad2", "conv2d_circular_pad_size")),
    ("circular 'same' (1, 2) needs n >= hi = 2, so every padded size n + 3 is >= 5 above the kernel 4 of every dim: "
     "testing H's padded size in place of each dim's never fires either",
     (_C + "_ConvNd._out::drop-term::2 + i -> 2#0",), ("conv2d_same_circular",)),
    ("replicate needs n >= 1, so every padded size n + 4 is >= 5: neither the kernel 3 nor the mutant's 5 "
     "(r (k + 1) + 1), nor H's padded size for W's, ever exceeds it",
     (_C + "_ConvNd._out::drop-term::2 + i -> 2#0", _C + "_ConvNd._out::arith::k - 1 -> k + 1#0"),
     ("conv2d_replicate_stride2_pad2",)),
    ("reflect padding 2 needs n >= 3, so every padded size n + 4 is >= 7, above the kernel 3 by more than the one "
     "the mutant's <= adds", (_C + "_ConvNd._out::compare::xp.shape[2 + i] < dilated[i] -> xp.shape[2 + i] <= "
                              "dilated[i]#0",), ("conv2d_reflect_stride2_pad2",)),
    ("reflect padding 1 needs n >= 2, so every padded size n + 2 is >= 4: neither the kernel 2 nor the mutant's 0 "
     "ever exceeds it", (_C + "_ConvNd._out::arith::r * (k - 1) + 1 -> r * (k - 1) - 1#0",),
     ("lazy_conv3d_reflect",)),
    ("bias=True: `bias is not None` is True, and the mutant's one extra case, a bias whose requires_grad is False, "
     "accumulates nothing (Parameter.accumulate returns at once when requires_grad is False)",
     (_C + "_ConvNd.backward::boolop::self.bias is not None and self.bias.requires_grad -> self.bias is not None or "
           "self.bias.requires_grad#0",), ("conv1d_same_k4_d3_circular",)),
    ("bias=True: `bias is not None` is True, and the mutant's one extra case, a bias whose requires_grad is False, "
     "accumulates nothing (Parameter.accumulate returns at once when requires_grad is False)",
     (_T + "_ConvTransposeNd.backward::boolop::self.bias is not None and self.bias.requires_grad -> self.bias is not "
           "None or self.bias.requires_grad#0",), ("conv_transpose2d_groups2", "lazy_conv_transpose3d_unbatched")),
    ("numpy's reshape infers a negative size from the other sizes, never 0 here (G and C_in / G for x_g; C_out "
     "prod(k) for the columns): -(N P) is inferred as N P, and -(0) is 0 for an empty input",
     (_T + "_ConvTransposeNd.forward::negate::n * math.prod(inner) -> -(n * math.prod(inner))#1",),
     ("conv_transpose2d_groups2",)),
    ("numpy's reshape infers a negative size from the other sizes, never 0 here (G and C_in / G for x_g; C_out "
     "prod(k) for the columns): -(N P) is inferred as N P, and -(0) is 0 for an empty input",
     (_T + "_ConvTransposeNd.forward::negate::n * math.prod(inner) -> -(n * math.prod(inner))#0",),
     ("conv_transpose3d",)),
    ("groups 1: out_channels / 1 is out_channels as a float, and materialize reads every size with int()",
     (_T + "_ConvTransposeNd._weight_shape::arith::self.out_channels // self.groups -> self.out_channels / "
           "self.groups#0",), ("lazy_conv_transpose1d",)),
    ("padding 0, kernel 3, dilation 1, stride 2: the output size (n - 1) 2 + 3 + output_padding is at least 1 for "
     "every n >= 0 (output_size only picks output_padding in [0, 1]), so min(size) < 1 is min(size) < 0",
     (_T + "_ConvTransposeNd.forward::constant::0 -> 1#1",), ("lazy_conv_transpose2d_groups_output_size",)),
    # -- F.pad's checks (scratch/nn/_pad_checks.py), seen from the conv entries ------------------------------------
    ("a convolution's pads have hi >= lo in every dim (explicit padding is (p, p), 'same' puts the odd element "
     "high): lo >= n implies hi >= n, whose test raises the same RuntimeError",
     (_K + "_check_edge_mode::compare::lo >= n -> lo > n#0",), ("conv2d_same_reflect",)),
    ("every pad pair is (p, p): hi >= n is lo >= n, which is tested first",
     (_K + "_check_edge_mode::compare::hi >= n -> hi > n#0",), ("conv2d_reflect_pad_size_minus_1",)),
    ("two padded dims, pads (2, 2) in both: for j = 0, 1 pairs[1 - j] is pairs[-1 - j]",
     (_K + "_check_edge_mode::negate::-1 -> 1#0",), ("conv2d_reflect_pad_size_minus_1",)),
    ("every pad pair is (1, 1): pairs[-1 + j] holds the pads pairs[-1 - j] does",
     (_K + "_check_edge_mode::arith::-1 - j -> -1 + j#0",), ("lazy_conv3d_reflect",)),
    ("every pad pair is (1, 1): sizes[-j] (D, W, H) visits the three dims sizes[-1 - j] (W, H, D) does, each "
     "against the same pad, so the same inputs raise the same RuntimeError; only the message's numbers differ",
     (_K + "_check_edge_mode::constant::1 -> 0#4",), ("conv3d_groups_reflect",)),
    (EDGE_OUT, (_K + "_check_edge_mode::drop-term::list(x.shape[:-k]) + out -> out#0",
                _K + "_check_edge_mode::negate::-k -> k#1"), ("conv2d_same_reflect",)),
    (EDGE_OUT, (_K + "_check_edge_mode::drop-term::n + lo -> n#0", _K + "_check_edge_mode::compare::o < 1 -> o <= 1#0",
                _K + "_check_edge_mode::constant::1 -> 0#0", _K + "_check_edge_mode::negate::-k -> k#1",
                _K + "_check_edge_mode::compare::k == 2 -> k != 2#0"), ("conv2d_reflect_pad_size_minus_1",)),
    (EDGE_OUT, (_K + "_check_edge_mode::drop-term::n + lo + hi -> n + lo#0",
                _K + "_check_edge_mode::constant::0 -> 1#0"), ("conv2d_replicate_stride2_pad2",)),
    (EDGE_OUT, (_K + "_check_edge_mode::compare::mode == \"reflect\" -> mode != 'reflect'#2",
                _K + "_check_edge_mode::constant::2 -> 1#1", _K + "_check_edge_mode::constant::0 -> 1#0"),
     ("lazy_conv3d_reflect",)),
    ("an unbatched input with no channels passes F.pad's non-empty test without its dim 0 but then fails the conv's "
     "channel check (0 != 2) with the same class, RuntimeError", (_K + "_check_edge_mode::constant::0 -> 1#3",),
     ("conv2d_replicate_stride2_pad2",)),
    (CIRCULAR, (_K + "_check_circular::index::j -> j + 1#3", _K + "_check_circular::negate::-k -> k#2",
                _K + "_check_circular::arith::n + min(lo, 0) + min(hi, 0) -> n + min(lo, 0) - min(hi, 0)#0"),
     ("conv2d_same_circular",)),
    (CIRCULAR, (_K + "_check_circular::arith::x.ndim - k -> x.ndim + k#0", _K + "_check_circular::constant::0 -> 1#2"),
     ("conv1d_same_k4_d3_circular",)),
    (CIRCULAR + " (the division's divisor prod(out) is at least 9 x 9, never 0)",
     (_K + "_check_circular::arith::math.prod(x.shape[:-k]) * math.prod(out) -> math.prod(x.shape[:-k]) / "
           "math.prod(out)#0",
      _K + "_check_circular::negate::math.prod(x.shape[:-k]) * math.prod(out) -> -(math.prod(x.shape[:-k]) * "
           "math.prod(out))#0"), ("conv2d_circular_pad_size",)),
    (PAIRS_PER_DIM, (_K + "check_edge_padding::constant::3 -> 4#0",), ("conv2d_same_replicate",)),
    (PAIRS_PER_DIM, (_K + "check_edge_padding::compare::1 <= k <= 3 -> 1 < k <= 3#0",
                     _K + "check_edge_padding::compare::1 <= k <= 3 -> 1 <= k < 3#0"),
     ("conv2d_reflect_pad_size_minus_1",)),
    (PAIRS_PER_DIM, (_K + "check_edge_padding::compare::1 <= k <= 3 -> 1 <= k < 3#0",), ("conv2d_circular_pad_size",)),
    (PAIRS_PER_DIM, (_K + "check_edge_padding::constant::1 -> 0#0",), ("conv1d_same_k4_d3_circular",)),
    # -- the windows (scratch/nn/_windows.py), seen from the conv entries ------------------------------------------
    (NOT_CONSTANT, (_W + "pad::compare::hi >= 0 -> hi > 0#0",), ("conv2d_same_reflect", "conv2d_circular_pad_size")),
    (NOT_CONSTANT, (_W + "pad::constant::0 -> 1#4",), ("conv2d_same_replicate",)),
    (NOT_CONSTANT, (_W + "pad::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("conv2d_same_circular", "lazy_conv3d_reflect")),
    (NOT_CONSTANT, (_W + "pad_backward::boolop::lo >= 0 and hi >= 0 -> lo >= 0 or hi >= 0#0",),
     ("conv2d_circular_pad_size",)),
    (STRIDE_DILATION_1, (_W + "windows::drop-term::(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in "
                              "zip(stride, out, strict=True)) + tuple(slice(None, None, r) for r in dilation) -> "
                              "tuple((slice(None, None, r) for r in dilation))#0",), ("conv2d_same_reflect",)),
    (STRIDE_DILATION_1, (_W + "windows::drop-term::(slice(None),) * 2 + tuple(slice(0, s * (o - 1) + 1, s) for s, o in "
                              "zip(stride, out, strict=True)) -> (slice(None),) * 2#0",), ("conv2d_same_circular",)),
    ("stride 1 in every dim: s x is x", (_W + "windows::drop-term::s * (o - 1) -> o - 1#0",),
     ("conv3d_groups_reflect",)),
    ("a conv's out is the number of windows the padded size holds, (P - span) // s + 1, so s out > P - span: the "
     "mutant's stop s o + 1 adds the index s o, past the sliding view's P - span + 1 positions",
     (_W + "windows::constant::1 -> 0#3",), ("conv2d_same_circular", "conv1d_same_k4_d3_circular")),
    ("reflect 'same' (1, 2) needs every size n > 2, and the output size is n: out never holds 1 (nor 0), so the "
     "no-window shortcut is never taken, for either", (_W + "col2im::constant::0 -> 1#1",), ("conv2d_same_reflect",)),
    ("stride 2 in both dims: the stop s (o - 1) + 2 in place of s (o - 1) + 1 adds no index (the next is s o)",
     (_W + "col2im::constant::1 -> 2#1",), ("conv2d_replicate_stride2_pad2",)),
)
