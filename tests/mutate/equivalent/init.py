"""Equivalent mutants of scratch/init.py (tests/mutate/equivalent/__init__.py says how they are keyed).

trunc_normal_ samples by exact rejection in either branch (normal draws redrawn outside [a, b], or uniform
proposals accepted with probability exp(-z^2/2 - log_peak)); the law of the result is the truncated normal
whichever branch runs, and whatever log_peak is, as long as it is at least the largest -z^2/2 on [a, b] (a larger
one only lowers the acceptance rate). The initializer checks compare laws (moments, KS against torch over 40
seeds), so a mutant that only picks the other branch or raises log_peak is equivalent; one that lowers log_peak
clips the acceptance and is not (the std-2 case below a in tests/test_init.py kills those).
"""

_BRANCH = ("chooses the other exact sampler (normal redraws vs uniform proposals), whose law is the same truncated "
           "normal: only the number of rounds changes")
_PEAK_UP = "raises log_peak above the true maximum of -z^2/2 on [a, b]: the same law, fewer acceptances per round"

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/init.py::trunc_normal_.<locals>.cdf::arith::1.0 + math.erf(x / math.sqrt(2.0)) -> "
    "1.0 - math.erf(x / math.sqrt(2.0))#0": _BRANCH,
    "scratch/init.py::trunc_normal_::compare::cdf((b - mean) / std) - cdf((a - mean) / std) > 0.3 -> "
    "cdf((b - mean) / std) - cdf((a - mean) / std) >= 0.3#0": _BRANCH,
    "scratch/init.py::trunc_normal_::drop-term::(a - mean) / std -> a - mean#0": _BRANCH,
    "scratch/init.py::trunc_normal_::negate::-0.5 -> 0.5#0": _PEAK_UP,
    "scratch/init.py::trunc_normal_::negate::-0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2 -> "
    "-(-0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2)#0": _PEAK_UP,
    "scratch/init.py::orthogonal_::compare::rows < cols -> rows <= cols#0":
        "a square matrix is then QR-factored transposed: Q is another Haar-distributed orthogonal matrix (the sign "
        "fix by diag(r) makes the factorization unique), so the law is the same",
    "scratch/init.py::orthogonal_::negate::q * gain -> -(q * gain)#0":
        "-Q is orthogonal and Haar-distributed when Q is (the Haar measure is invariant under multiplication by -I)",
}
