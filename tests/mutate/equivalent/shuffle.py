"""Equivalent mutants of scratch/nn/shuffle.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/nn/shuffle.py::PixelUnshuffle._plan::negate::c * r * r -> -(c * r * r)#0":
        "numpy's reshape reads any negative size as the one unknown dimension; the other sizes are known and an "
        "empty input returned earlier, so -(c r r) is inferred as c r r",
}
