"""Equivalent mutants of scratch/sparse.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/sparse.py::SparseGrad.__init__::constant::1 -> 2#0":
        "reshape(-2) is reshape(-1) for numpy (any negative size is the one unknown dimension)",
}
