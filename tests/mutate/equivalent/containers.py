"""Equivalent mutants of scratch/nn/containers/ (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

from tests.mutate.equivalent.adaptive import ADAPTIVE

_SEQ = "scratch/nn/containers/modules.py::Sequential.__init__::"

# entries that build their Sequential(s) from two or more modules, never from one OrderedDict or nothing
_MANY = ("mlp_dropout", *ADAPTIVE)
_TWO_OR_MORE = dict.fromkeys(_MANY, "this entry's Sequential gets two or more modules: len(args) == 1 (or == 0) is "
                                    "false, and args[0] is a module, not an OrderedDict, so `and`, `or` and "
                                    "args[1] decide nothing")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    f"{_SEQ}boolop::len(args) == 1 and isinstance(args[0], OrderedDict) -> "
    "len(args) == 1 or isinstance(args[0], OrderedDict)#0": _TWO_OR_MORE,
    f"{_SEQ}constant::1 -> 0#0": _TWO_OR_MORE,
    f"{_SEQ}index::0 -> 1#0": _TWO_OR_MORE,
    "scratch/nn/containers/modules.py::ModuleList._get_abs_string_index::compare::-len(self) <= idx < len(self) -> "
    "-len(self) <= idx <= len(self)#0": dict.fromkeys(ADAPTIVE, "the tail ModuleList is indexed with i in "
                                                              "range(n_clusters) only"),
}
