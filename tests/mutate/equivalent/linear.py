"""Equivalent mutants of scratch/nn/linear.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

from __future__ import annotations

from tests.mutate.equivalent.adaptive import ADAPTIVE

_L = "scratch/nn/linear.py::"
_TWO_D = ("AdaptiveLogSoftmaxWithLoss runs its Linear layers on 2-d inputs only (an unbatched input is made "
          "(1, in_features) first): ")
_LAZY = ("lazy_linear", "lazy_linear_nobias_1d")


def _for(entries, reason: str) -> dict[str, str]:
    return dict.fromkeys(entries, reason)


EQUIVALENT: dict[str, str | dict[str, str]] = {
    f"{_L}Linear.forward::constant::2 -> 1#0":
        "`(W @ x.T).T if x.ndim == 1 else x @ W.T` differs from the original only at ranks 1 and 2, where both "
        "branches are the same product x W^T (for a 1-d x, x.T is x); the test only picks OpenBLAS' faster "
        "orientation for 2-d batches",
    f"{_L}Linear.forward::constant::0 -> 1#0": _for(ADAPTIVE, _TWO_D + "x.ndim == 0 and x.ndim == 1 are both false"),
    f"{_L}Linear.forward::arith::x @ weight.data.T -> x * weight.data.T#0": _for(
        ADAPTIVE, _TWO_D + "the branch for other ranks never runs"),
    f"{_L}Linear.__init__::constant::0 -> 1#1": _for(
        ("mlp_dropout",), "this entry's Linear layers have out_features 8 and 3: out_features < 1 and < 0 agree"),
    f"{_L}Linear.__init__::boolop::in_features < 0 or out_features < 0 -> in_features < 0 and out_features < 0#0":
        _for(_LAZY, "LazyLinear calls Linear.__init__ with in_features = out_features = 0 (its out_features is "
                    "checked when the weight materializes): neither test is true"),
    f"{_L}Linear._reset_parameters::compare::self.in_features > 0 -> self.in_features >= 0#0": _for(
        ("mlp_dropout",), "this entry's Linear layers have in_features 5 and 8: > 0 and >= 0 agree"),
    f"{_L}Linear._reset_parameters::constant::0.0 -> 1.0#0": {
        **_for(("linear_nobias", "lazy_linear_nobias_1d"), "no bias here: the bound at in_features = 0 only draws "
                                                           "a weight of shape (out, 0), which is empty"),
        **_for(ADAPTIVE, "the bound at in_features = 0 only draws a weight of shape (out, 0), which is empty: the "
                         "tail layers have no bias, and the head's in_features is never 0 in this entry's checks")},
    f"{_L}Linear.backward::boolop::bias is not None and bias.requires_grad -> "
    "bias is not None or bias.requires_grad#0": _for(
        ("linear_1_to_1",), "this entry's layer has a bias, and Parameter.accumulate does nothing for a frozen "
                            "one: the requires_grad test only skips computing the sum"),
    f"{_L}LazyLinear.__init__::constant::0 -> 1#1":
        "Linear.__init__(self, 0, 1, ...) builds a throwaway (1, 0) weight from a fresh generator of its own; "
        "LazyLinear replaces out_features, weight and bias right after",
    f"{_L}Bilinear.__init__::negate::-bound -> bound#1": _for(
        ("bilinear_nobias",), "no bias here: the bias' draw is in the branch of a conditional expression that "
                              "never runs"),
}
