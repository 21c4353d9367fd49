"""Equivalent mutants of scratch/nn/_math.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

from tests.mutate.equivalent.adaptive import ADAPTIVE

_M = "scratch/nn/_math.py::"

# normalize_dim's first line: lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
_ZERO_D_RANGE = ("constant::1 -> 0#1", "constant::1 -> 2#1", "negate::-1 -> 1#0", "constant::0 -> 1#1")
_UPPER_BOUND = ("constant::1 -> 0#2", "constant::1 -> 2#2", "arith::ndim - 1 -> ndim + 1#0",
                "drop-term::ndim - 1 -> ndim#0", "negate::ndim - 1 -> -(ndim - 1)#0",
                "compare::lo <= dim <= hi -> lo <= dim < hi#0")
_SOFTMAX2D = ("softmax2d", "softmax2d_3d")
_GLU = ("glu", "glu_dim0")


def _for(entries: tuple[str, ...], reason: str) -> dict[str, str]:
    return dict.fromkeys(entries, reason)


_NO_0D_SOFTMAX2D = ("Softmax2d refuses every rank but 3 and 4 before normalize_dim, so the 0-d range (-1, 0) is "
                    "never read")
_NO_0D_GLU = "GLU refuses a 0-d input before normalize_dim, so the 0-d range (-1, 0) is never read"
_NEGATIVE_DIM = ("Softmax2d's dim is always -3 at rank 3 or 4: the upper bound (ndim - 1, or any of these "
                 "mutations of it: ndim, ndim + 1, ndim - 2, -(ndim - 1) >= -3, strict or not) never refuses it")

EQUIVALENT: dict[str, str | dict[str, str]] = {
    **{f"{_M}normalize_dim::{m}": {**_for(_SOFTMAX2D, _NO_0D_SOFTMAX2D), **_for(_GLU, _NO_0D_GLU)}
       for m in _ZERO_D_RANGE},
    **{f"{_M}normalize_dim::{m}": _for(_SOFTMAX2D, _NEGATIVE_DIM) for m in _UPPER_BOUND},
    f"{_M}normalize_dim::constant::1 -> 0#0": _for(_SOFTMAX2D, "dim % max(ndim, 0) is dim % ndim at rank 3 or 4, "
                                                               "the only ranks Softmax2d lets through"),
    f"{_M}_safe_max::axis::axis -> -1#0": _for(ADAPTIVE, "every softmax this entry takes is along axis 1 of a 2-d "
                                                         "array (rows, classes), which is axis -1"),
    f"{_M}sigmoid::compare::x >= 0 -> x > 0#0":
        "at x = +-0 both branches give 1 / (1 + 1) = e / (1 + e) = 0.5 (e = exp(-0) = 1); NaN takes the second "
        "branch either way (checked bitwise in float32 and float64)",
    # erfc / erf: the branch switch at |u| = 0.46875 and the sign tests at u = 0
    f"{_M}erfc::compare::a <= _THRESH -> a < _THRESH#0":
        "at |u| = 0.46875 both branches give the same double (1 - u P4/Q4 and the tail formula, measured at "
        "+-0.46875: 0.507386526782062 and 1.492613473217938 both ways)",
    f"{_M}erf::compare::a <= _THRESH -> a < _THRESH#0":
        "at |u| = 0.46875 both branches give the same double (measured: +-0.49261347321793797 both ways, "
        "math.erf's value)",
    f"{_M}erfc::compare::x < 0 -> x <= 0#1":
        "at u = +-0, small = 0: +-0 times the rational is +-0, and 1 - (+-0) = 1 either way",
    f"{_M}erfc::compare::x < 0 -> x <= 0#0":
        "the reflection 2 - tail is only read where |u| > 0.46875 (the small branch is taken at u = 0)",
    f"{_M}erf::compare::x < 0 -> x <= 0#1":
        "the sign of the outer branch is only read where |u| > 0.46875 (the inner one is taken at u = 0)",
    # erfc's small-|u| branch is dead under erf (which reads erfc(|u|) only where |u| > 0.46875): an entry
    # reaching erfc only through GELU's erf cannot see it (gelu's own checks call erfc directly and kill these)
    **{f"{_M}erfc::{m}#0": {"mlp": "this entry reaches erfc only through erf, which reads erfc(|u|) only where "
                                   "|u| > 0.46875, where erfc's small-|u| branch is discarded"}
       for m in ("arith::small * small -> small / small", "arith::1.0 - erf_small -> 1.0 + erf_small")},
}
