"""Equivalent mutants of scratch/nn/dropout.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

_F = "scratch/nn/dropout.py::_DropoutNd.forward::"

# the entries whose block is not an alpha variant: their shift is None, so `y if shift is None else y + shift`
# never evaluates y + shift ("dropout" is not among them: `-k dropout` selects every test of tests/test_dropout.py,
# the alpha variants' too)
_NOT_ALPHA = ("dropout_default", "dropout_p0", "dropout_p1", "dropout2d", "dropout2d_3d", "dropout1d",
              "dropout3d", "mlp_dropout")
_NO_SHIFT = dict.fromkeys(_NOT_ALPHA, "the block is not an alpha variant: shift is None, and the conditional "
                                      "expression never evaluates y + shift")
# mlp_dropout: Dropout(0.25) on the (N, 8) output of Linear(5, 8)
_MLP = "mlp_dropout runs Dropout(0.25) only"

EQUIVALENT: dict[str, str | dict[str, str]] = {
    **{f"{_F}{m}#0": _NO_SHIFT for m in ("arith::y + shift -> y - shift", "drop-term::y + shift -> shift",
                                          "drop-term::y + shift -> y", "negate::y + shift -> -(y + shift)")},
    "scratch/nn/dropout.py::_DropoutNd.__init__::compare::p > 1 -> p >= 1#0": {
        "mlp_dropout": f"{_MLP}: p = 0.25 is below 1 either way (the dropout entries check p = 1 itself)"},
    f"{_F}constant::0 -> 1#0": {
        "mlp_dropout": f"{_MLP}: p == 0 and p == 1 are both false at p = 0.25"},
    f"{_F}constant::1 -> 2#0": {"mlp_dropout": f"{_MLP}: p == 1 and p == 2 are both false at p = 0.25"},
}
