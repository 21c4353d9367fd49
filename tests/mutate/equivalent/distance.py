"""Equivalent mutants of scratch/nn/distance.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/nn/distance.py::CosineSimilarity.backward::constant::0.0 -> 1.0#0":
        "the norm's gradient at a zero vector is only ever multiplied by y, which is 0 there (u = 0 / max(0, eps) "
        "= 0, so sum(u1 u2) = 0) or NaN (eps = 0: 0 / 0), so 0 or 1 there gives the same gradient",
}
