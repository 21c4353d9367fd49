"""Equivalent mutants of scratch/nn/containers/ (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

_SEQ = "scratch/nn/containers/modules.py::Sequential.__init__::"

# entries that build their Sequential(s) from two or more modules, never from one OrderedDict or nothing
_MANY = ("mlp_dropout", "adaptive_log_softmax", "adaptive_log_softmax_head_bias_div2",
         "adaptive_log_softmax_one_row_and_empty_cluster", "adaptive_log_softmax_batch1",
         "adaptive_log_softmax_unbatched")
_TWO_OR_MORE = dict.fromkeys(_MANY, "this entry's Sequential gets two or more modules: len(args) == 1 (or == 0) is "
                                    "false, and args[0] is a module, not an OrderedDict, so `and`, `or` and "
                                    "args[1] decide nothing")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    f"{_SEQ}boolop::len(args) == 1 and isinstance(args[0], OrderedDict) -> "
    "len(args) == 1 or isinstance(args[0], OrderedDict)#0": _TWO_OR_MORE,
    f"{_SEQ}constant::1 -> 0#0": _TWO_OR_MORE,
    f"{_SEQ}index::0 -> 1#0": _TWO_OR_MORE,
}
