"""Equivalent mutants of scratch/nn/conv/ (tests/mutate/equivalent/__init__.py says how they are keyed).

Most hold only for some entries: an expression that an entry's hyper-parameters make trivial (a dilation of 1, a
padding of 0, a stride of 1), or a check those hyper-parameters can never make fire. Each group names its reason
and the entries it holds for; every one was also run mutated on ~240 random inputs of the entry's block (ranks
around its own, sizes 0 to 9, float64 and float32) against the unmutated block, without a difference.
"""

from __future__ import annotations

_C = "scratch/nn/conv/convolution.py::"
_T = "scratch/nn/conv/transpose.py::"


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

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (RESHAPE, (_C + "_ConvNd.forward::constant::1 -> 2#1", _C + "_ConvNd.backward::constant::1 -> 2#0",
               _C + "_ConvNd.backward::constant::1 -> 2#1", _T + "_ConvTransposeNd._gemm_weight::constant::1 -> 2#0"),
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
    ("padding 1 on a kernel of 3 (or reflect padding 1, n >= 2, on a kernel of 2): the padded size is at least 3 "
     "(4), above the threshold the mutant puts (kernel 3, k + 1 = 3), or the mutant reads a dim (channels: 4) that "
     "is never below the kernel either",
     (_C + "_ConvNd._out::drop-term::k - 1 -> k#0", _C + "_ConvNd._out::arith::2 + i -> 2 - i#0"),
     ("conv3d_groups_reflect", "conv2d_groups2_out_ne_in")),
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
    ("padding 0 (a tuple): the 'valid' branch returns the same zero pads",
     (_C + "_ConvNd._pads::compare::self.padding == \"valid\" -> self.padding != 'valid'#0",),
     ("lazy_conv_transpose3d_unbatched",)),
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
)
