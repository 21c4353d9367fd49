"""Equivalent mutants of scratch/nn/adaptive.py (tests/mutate/equivalent/__init__.py says how they are keyed).
ADAPTIVE names its entries for the declarations other areas make about the shared code they run
(nn_math.py, containers.py, linear.py)."""

from __future__ import annotations

ADAPTIVE = ("adaptive_log_softmax", "adaptive_log_softmax_head_bias_div2",
            "adaptive_log_softmax_one_row_and_empty_cluster", "adaptive_log_softmax_batch1",
            "adaptive_log_softmax_unbatched")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    **{f"scratch/nn/adaptive.py::AdaptiveLogSoftmaxWithLoss.forward::axis::1 -> -1#{k}":
       "the tail's and the head's outputs z, z_head are 2-d (rows, classes): axis 1 is axis -1" for k in range(4)},
}
