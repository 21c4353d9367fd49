"""Equivalent mutants of scratch/nn/linear.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

_L = "scratch/nn/linear.py::Linear."

EQUIVALENT: dict[str, str | dict[str, str]] = {
    f"{_L}forward::constant::2 -> 1#0":
        "`(W @ x.T).T if x.ndim == 1 else x @ W.T` differs from the original only at ranks 1 and 2, where both "
        "branches are the same product x W^T (for a 1-d x, x.T is x); the test only picks OpenBLAS' faster "
        "orientation for 2-d batches",
    f"{_L}__init__::constant::0 -> 1#1": {
        "mlp_dropout": "this entry's Linear layers have out_features 8 and 3: out_features < 1 and < 0 agree"},
    f"{_L}_reset_parameters::compare::self.in_features > 0 -> self.in_features >= 0#0": {
        "mlp_dropout": "this entry's Linear layers have in_features 5 and 8: > 0 and >= 0 agree"},
}
