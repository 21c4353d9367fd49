"""Equivalent mutants of scratch/autograd/ (tests/mutate/equivalent/__init__.py says how they are keyed)."""

_ZERO_D = ("the fallback axis is used only for a 0-d tensor (_axes returns () there), whose transpose returns the "
           "data and gradient unchanged without reading the axis")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/autograd/reduce.py::transpose::constant::0 -> 1#0": _ZERO_D,
    "scratch/autograd/reduce.py::transpose::constant::0 -> 1#1": _ZERO_D,
    "scratch/autograd/reduce.py::permute::constant::1 -> 0#0":
        "max(ndim, 1) vs max(ndim, 0) differ only for a 0-d tensor, whose dims must be empty (checked first), so "
        "the modulo never runs there",
}
