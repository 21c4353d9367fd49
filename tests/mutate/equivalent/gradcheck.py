"""Equivalent mutants of scratch/gradcheck.py (tests/mutate/equivalent/__init__.py says how they are keyed)."""

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/gradcheck.py::_compare::constant::1 -> 2#0":
        "np.where(bad, err, -1) only ranks the failing elements for argmax: their errors are >= 0 > -1 > -2, so -2 "
        "picks the same index",
    "scratch/gradcheck.py::projection_check::drop-term::np.linalg.norm(v.reshape(n_directions, -1), axis=1)"
    ".reshape((-1,) + (1,) * x.ndim) + 1e-300 -> np.linalg.norm(v.reshape(n_directions, -1), axis=1)"
    ".reshape((-1,) + (1,) * x.ndim)#0":
        "the guard against a zero direction: a standard-normal draw's norm is never within 1e-290 of 0 (1e-300 is "
        "absorbed: norm + 1e-300 == norm), and for an empty x, v is empty and the division computes nothing",
    "scratch/gradcheck.py::projection_check::constant::1e-300 -> 1e-299#0":
        "the guard against a zero direction: a standard-normal draw's norm is never within 1e-290 of 0, so the "
        "directions are the same to the last bit either way",
    "scratch/gradcheck.py::_inner::boolop::a is not None and _is_float(b) -> a is not None or _is_float(b)#0":
        "the cotangent a is None exactly where the output b is not floating point (_cotangents), so both tests "
        "are true or false together and `or` equals `and`",
}
