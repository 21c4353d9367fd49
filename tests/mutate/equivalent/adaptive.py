"""Equivalent mutants of scratch/nn/adaptive.py, and of the shared code it runs that only its entries' arguments
make equivalent (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

_ENTRIES = ("adaptive_log_softmax", "adaptive_log_softmax_head_bias_div2",
            "adaptive_log_softmax_one_row_and_empty_cluster", "adaptive_log_softmax_batch1",
            "adaptive_log_softmax_unbatched")


def _adaptive(reason: str) -> dict[str, str]:
    return dict.fromkeys(_ENTRIES, reason)


_TWO_D = ("AdaptiveLogSoftmaxWithLoss runs its Linear layers on 2-d inputs only (an unbatched input is made "
          "(1, in_features) first): ")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    **{f"scratch/nn/adaptive.py::AdaptiveLogSoftmaxWithLoss.forward::axis::1 -> -1#{k}":
       "the tail's and the head's outputs z, z_head are 2-d (rows, classes): axis 1 is axis -1" for k in range(4)},
    "scratch/nn/_math.py::_safe_max::axis::axis -> -1#0": _adaptive(
        "every softmax this entry takes is along axis 1 of a 2-d array (rows, classes), which is axis -1"),
    "scratch/nn/containers/modules.py::ModuleList._get_abs_string_index::compare::-len(self) <= idx < len(self) -> "
    "-len(self) <= idx <= len(self)#0": _adaptive("the tail ModuleList is indexed with i in range(n_clusters) only"),
    "scratch/nn/linear.py::Linear._reset_parameters::constant::0.0 -> 1.0#0": _adaptive(
        "the bound at in_features = 0 only draws a weight of shape (out, 0), which is empty: the tail layers have no "
        "bias, and the head's in_features is never 0 in this entry's checks"),
    "scratch/nn/linear.py::Linear.forward::constant::0 -> 1#0": _adaptive(
        _TWO_D + "x.ndim == 0 and x.ndim == 1 are both false"),
    "scratch/nn/linear.py::Linear.forward::arith::x @ weight.data.T -> x * weight.data.T#0": _adaptive(
        _TWO_D + "the branch for other ranks never runs"),
}
