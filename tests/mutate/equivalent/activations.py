"""Equivalent mutants of scratch/nn/activations/ (tests/mutate/equivalent/__init__.py says how they are keyed).

Most are limited to entries: the ELU kernel is shared by ELU, CELU and SELU with coefficients (alpha, scale,
input_scale, grad_scale) of which some are exactly 1.0 for a given entry, and ``c * 1.0``, ``c / 1.0`` and ``c``
are the same IEEE value, in float32 and float64 alike. The elu entry's checks also run ELU(alpha) at the dtype's
largest value (tests/test_activations_edges.py, outputs only), which kills the forward's alpha mutations under
it: only its gradient's are declared.
"""

from __future__ import annotations

_ELU = "scratch/nn/activations/pointwise.py::_ELUKernel.forward::"
_PIECEWISE = "scratch/nn/activations/piecewise.py::"

# Entries whose coefficient is exactly 1.0: ELU(alpha) (1, 1, 1, 1 but alpha), CELU(alpha) (alpha, 1, 1 / alpha,
# 1 / float32(alpha)), SELU (1.6733, 1.0507, 1, 1).
_IS_ONE = {
    "alpha": ("celu",),
    "scale": ("elu", "elu_alpha", "celu", "celu_alpha"),
    "input_scale": ("elu", "elu_alpha", "celu", "selu"),
    "grad_scale": ("elu_alpha", "selu"),
    "alpha * scale": (),
    "alpha * scale (gradient)": ("elu", "celu"),
    "grad_scale * alpha * scale": (),
}
# (not for elu and celu in the gradient's grad_scale, nor celu's alpha * scale: the audit's `-k elu` / `-k celu`
# also runs tests/test_activations_edges.py's CELU(1e-320) check, where neither is 1, and it kills those mutants)


def _one(factor: str) -> dict[str, str]:
    name = factor.removesuffix(" (gradient)")
    return {entry: f"{name} is exactly 1.0 for this entry: multiplying by it, dividing by it and leaving it out "
                   "give the same value" for entry in _IS_ONE[factor]}


EQUIVALENT: dict[str, str | dict[str, str]] = {
    f"{_ELU}compare::h >= 0 -> h > 0#0": {e: "alpha > 0 and a finite input scale here: at x = +-0 the exponential "
        "branch gives expm1(+-0 s) alpha scale, the same signed zero as the linear +-0 scale"
        for e in ("elu_alpha", "celu_alpha", "selu")},
    "scratch/nn/activations/pointwise.py::CELU._coefficients::drop-term::1.0 / a -> 1.0#0": {
        "celu": "alpha is 1.0 here: 1 / 1.0 is 1.0"},
    f"{_ELU}arith::alpha * scale -> alpha / scale#0": _one("scale"),
    f"{_ELU}drop-term::alpha * scale -> alpha#0": _one("scale"),
    f"{_ELU}drop-term::alpha * scale -> scale#0": _one("alpha"),
    f"{_ELU}arith::h * scale -> h / scale#0": _one("scale"),
    f"{_ELU}drop-term::h * scale -> h#0": _one("scale"),
    f"{_ELU}arith::hn * input_scale -> hn / input_scale#0": _one("input_scale"),
    f"{_ELU}drop-term::hn * input_scale -> hn#0": _one("input_scale"),
    f"{_ELU}arith::hn * grad_scale -> hn / grad_scale#0": _one("grad_scale"),
    f"{_ELU}drop-term::hn * grad_scale -> hn#0": _one("grad_scale"),
    f"{_ELU}drop-term::grad_scale * negcoef -> negcoef#0": _one("grad_scale"),
    f"{_ELU}arith::np.expm1(hn * input_scale) * negcoef -> np.expm1(hn * input_scale) / negcoef#0":
        _one("alpha * scale"),
    f"{_ELU}drop-term::np.expm1(hn * input_scale) * negcoef -> np.expm1(hn * input_scale)#0": _one("alpha * scale"),
    f"{_ELU}arith::grad_scale * negcoef -> grad_scale / negcoef#0": _one("alpha * scale (gradient)"),
    f"{_ELU}drop-term::grad_scale * negcoef -> grad_scale#0": _one("alpha * scale (gradient)"),
    f"{_ELU}drop-term::grad_scale * negcoef * np.exp(hn * grad_scale) -> np.exp(hn * grad_scale)#0":
        _one("grad_scale * alpha * scale"),
    "scratch/nn/activations/pointwise.py::CELU._coefficients::arith::1.0 / a -> 1.0 * a#0": {
        "celu": "alpha is 1.0 here: 1 / 1.0 and 1 * 1.0 are both 1.0"},
    "scratch/nn/activations/pointwise.py::CELU._coefficients::arith::1.0 / a32 -> 1.0 * a32#0": {
        "celu": "alpha is 1.0 here, exact in float32: 1 / 1.0 and 1 * 1.0 are both 1.0"},
    f"{_ELU}constant::0 -> 1#0":
        "hn = min(h, 0) feeds only the x <= 0 branch of np.where, where min(h, 1) is the same h; elsewhere it is "
        "at most 1 (no overflow the original avoids: exp of at most input_scale, overflow ignored as before) and "
        "discarded; NaN stays NaN either way",
    # Softplus: beta = 1.0 for the default entry (softplus_beta runs beta = 2)
    **{f"scratch/nn/activations/pointwise.py::Softplus.forward::{m}#0": {
        "softplus": "beta is 1.0 for this entry: multiplying by it, dividing by it and leaving it out give the "
                    "same value"}
       for m in ("arith::x * np.asarray(self.beta, x.dtype) -> x / np.asarray(self.beta, x.dtype)",
                 "arith::_hi(x) * self.beta -> _hi(x) / self.beta",
                 "arith::_math.softplus(bx) / self.beta -> _math.softplus(bx) * self.beta",
                 "drop-term::_math.softplus(bx) / self.beta -> _math.softplus(bx)")},
    # ReLU6 is Hardtanh(0.0, 6.0): its limits are fixed, far from the checks' boundaries
    "scratch/nn/activations/_common.py::_scalar::compare::abs(v) <= float(np.finfo(dt).max) -> "
    "abs(v) < float(np.finfo(dt).max)#0": {
        "relu6": "ReLU6 converts only 0.0 and 6.0, never the dtype's largest value (the entries with a scalar "
                 "argument check that boundary: tests/test_activations_edges.py)"},
    f"{_PIECEWISE}Hardtanh.__init__::compare::self.max_val <= self.min_val -> self.max_val < self.min_val#0": {
        "relu6": "ReLU6 passes min_val 0.0 and max_val 6.0, which are never equal"},
    f"{_PIECEWISE}Softshrink.forward::compare::x > lambd -> x >= lambd#0":
        "at x == lambd (>= 0) the x > lambd branch gives x - lambd = +0 and the other x * 0 = +0 (at lambd = 0 and "
        "x = -0 both give -0); NaN fails both tests (checked on +-lambd, +-0, NaN, +-inf, lambd 0, 1e-45, 3e38, "
        "float32 and float64); the gradient mask is computed apart",
    f"{_PIECEWISE}PReLU.forward::constant::1 -> 2#4":
        "(1, -2, ...) as a reshape size: numpy reads any negative size as the one unknown dimension, as -1",
}
EQUIVALENT.update({
    # mlp_dropout: ReLU's input is always Linear(5, 8)'s float output, an ndarray that check_input passes
    f"{_PIECEWISE}ReLU.forward::boolop::isinstance(x, np.ndarray) and x.dtype.kind in \"iu\" -> "
    "isinstance(x, np.ndarray) or x.dtype.kind in 'iu'#0": {
        "mlp_dropout": "ReLU's input is Linear's float32/float64 output: check_input, which the mutant skips for "
                       "every ndarray, passes such an array unchanged"},
})
