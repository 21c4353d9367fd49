"""One tolerance table by dtype, one comparison helper that records every comparison for the audit report.

Every cross-check in the suite goes through :func:`assert_close`, so the audit report (``pytest --audit-report``)
sees the worst absolute and relative error of each (block, check, dtype) and how close it came to its tolerance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tol:
    """Closeness rule of torch.testing.assert_close: ``|a - e| <= atol + rtol * |e|`` element-wise."""

    rtol: float
    atol: float
    reason: str = ""
    # atol in units of the compared tensor's largest finite |value| (at least 1): rounding in a sum grows with its
    # terms, so a cancelling element of a large tensor carries an error on the tensor's scale (TIGHT64)
    atol_per_magnitude: bool = False

    def for_tensor(self, expected: np.ndarray) -> Tol:
        """This tolerance with the atol it has on ``expected`` (itself unless ``atol_per_magnitude``)."""
        if not self.atol_per_magnitude:
            return self
        finite = np.abs(expected[np.isfinite(expected)]) if np.size(expected) else np.zeros(0)
        scale = max(1.0, float(finite.max())) if finite.size else 1.0
        return Tol(self.rtol, self.atol * scale, self.reason)


# torch.testing.assert_close defaults (docs/torch_facts.md section 1).
DEFAULT_TOL: dict[type, Tol] = {
    np.float32: Tol(rtol=1.3e-6, atol=1e-5),
    np.float64: Tol(rtol=1e-7, atol=1e-7),
}

# Central differences in float64 with h = 1e-6 carry truncation error O(h^2 f''') and rounding error
# O(eps_machine * |f| / h) ~ 1e-10 * |f|: torch.autograd.gradcheck uses atol 1e-5, rtol 1e-3. Our projected
# check compares one scalar per direction, so these are the same rule applied to a directional derivative.
FD_TOL = Tol(rtol=1e-5, atol=1e-6, reason="float64 central differences, h=1e-6 (rounding ~1e-10/h)")


# float64 catalog comparisons with torch (harness.compare_pair), per family. torch.testing's rtol = atol = 1e-7
# lets a formula off by 4e-9 relative pass, while the twins agree to ~1e-13 in float64 (the audit's headroom runs
# into the millions): a family whose twin computes the same expressions gets a tolerance near what its float64
# arithmetic needs. Measured with `pytest tests/test_blocks.py --audit-report` at every shape, scale (up to 1e4)
# and situation of the CI profile: the worst float64 |scratch - torch| of any family but the losses is 3e-11 (the
# hypothesis scale-1e4 rows of linear, conv and the LSTM cells); the worst relative error on elements above 1e-10
# is 6e-11 (conv2d_groups2 forward); smaller elements (cancellation, e.g. gelu_tanh's torch formula, 6.8e-9
# relative at 3e-15 absolute) pass by the atol. 1e-10 keeps >= 3x headroom there, 100x and more elsewhere, and
# fails a constant wrong by 1e-9 relative at any element above 0.2 (a wrong 4e-9 fails above 0.03). Its atol is
# per unit of the compared tensor's largest |value| (at least 1): at scale 1e4 a cancelling element carries an
# error on the tensor's scale, and a thorough hypothesis run draws larger tensors than CI's.
TIGHT64 = Tol(rtol=1e-10, atol=1e-10, reason="float64, the twin computes the same expressions: worst measured "
              "error 3e-11 (tests/tolerances.py TIGHT64); atol per unit of the tensor's largest |value|",
              atol_per_magnitude=True)
FAMILY_TOL64: dict[str, Tol] = {}  # families that need more than TIGHT64, with the reason


def family_tol(family: str, dtype: np.dtype | type) -> Tol:
    """The tolerance of a catalog comparison with torch: TIGHT64 (or the family's entry) in float64, else the
    dtype's default."""
    if np.dtype(dtype) == np.float64:
        return FAMILY_TOL64.get(family, TIGHT64)
    return default_tol(dtype)


def default_tol(dtype: np.dtype | type) -> Tol:
    return DEFAULT_TOL[np.dtype(dtype).type]


class _Recorder:
    """Keeps the worst error per (block, check, dtype) seen in this process.

    A row: ``block``, ``check``, ``dtype``, ``comparisons`` (how many calls), ``worst_abs_error``,
    ``worst_rel_error`` (each the largest over those calls), ``tolerance_used`` (the largest worst-element
    error / allowed error: 0 = exact, 1 = at the limit, > 1 = failed), and the tolerance (``rtol``, ``atol``,
    ``reason``) of the first call. tests/audit.py turns rows into the report (headroom = 1 / tolerance_used).
    """

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], dict] = {}

    def record(self, block: str, check: str, dtype: str, abs_err: float, rel_err: float, used: float,
               tol: Tol) -> None:
        key = (block, check, dtype)
        row = self.rows.get(key)
        if row is None:
            self.rows[key] = dict(block=block, check=check, dtype=dtype, comparisons=1, worst_abs_error=abs_err,
                                  worst_rel_error=rel_err, tolerance_used=used, rtol=tol.rtol, atol=tol.atol,
                                  reason=tol.reason)
            return
        row["worst_abs_error"] = max(row["worst_abs_error"], abs_err)
        row["worst_rel_error"] = max(row["worst_rel_error"], rel_err)
        row["tolerance_used"] = max(row["tolerance_used"], used)
        row["comparisons"] += 1

    def dump(self) -> list[dict]:
        """Plain Python values only: xdist (execnet) cannot send numpy scalars from workers."""
        plain = {"block": str, "check": str, "dtype": str, "reason": str, "comparisons": int}
        return [{k: plain.get(k, float)(v) for k, v in row.items()} for row in self.rows.values()]


RECORDER = _Recorder()


def _errors(actual: np.ndarray, expected: np.ndarray, tol: Tol, slack=0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Element-wise |a - e| (NaN == NaN and equal infinities count as 0; NaN on one side as inf), |e|, allowed."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    both_nan = np.isnan(a) & np.isnan(e)
    same_inf = np.isinf(a) & np.isinf(e) & (np.sign(a) == np.sign(e))
    ok_special = both_nan | same_inf
    with np.errstate(invalid="ignore"):
        diff = np.where(ok_special, 0.0, np.abs(a - e))
    diff = np.where(np.isnan(diff), np.inf, diff)  # NaN on one side only is an infinite error
    finite_e = np.where(np.isfinite(e), np.abs(e), 0.0)
    return diff, finite_e, tol.atol + tol.rtol * finite_e + slack


def error_stats(actual: np.ndarray, expected: np.ndarray, tol: Tol, slack=0.0) -> tuple[float, float, float]:
    """Worst absolute error, worst relative error (over |e| > atol), and worst error / allowed error."""
    diff, finite_e, allowed = _errors(actual, expected, tol, slack)
    if diff.size == 0:
        return 0.0, 0.0, 0.0
    significant = finite_e > tol.atol
    rel = float(np.max(diff[significant] / finite_e[significant])) if significant.any() else 0.0
    return float(diff.max()), rel, float(np.max(diff / allowed))


def assert_close(actual, expected, *, block: str, check: str, tol: Tol | None = None,
                 dtype: np.dtype | type | None = None, check_dtype: bool = True, slack=None,
                 inputs: Mapping[str, object] | None = None) -> None:
    """Assert ``actual`` matches ``expected`` (shape, dtype, values; NaN equals NaN) and record the errors.

    ``tol`` defaults to the table entry for ``dtype`` (or the expected array's dtype). ``slack`` (an array
    broadcastable to ``expected``) widens the allowed error element-wise; see :func:`float32_slack`.
    ``inputs``: the arrays the compared values were computed from, by name (the block's inputs, a parameter);
    a failure names the worst element's index, and the value there of every input of the compared shape.
    """
    slack = 0.0 if slack is None else np.asarray(slack, np.float64)
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    dt = np.dtype(dtype if dtype is not None else expected.dtype)
    tol = tol or default_tol(dt)
    where = f"[{block} / {check} / {dt.name}]"
    assert actual.shape == expected.shape, f"{where} shape {actual.shape} != expected {expected.shape}"
    if check_dtype:
        assert actual.dtype == expected.dtype, f"{where} dtype {actual.dtype} != expected {expected.dtype}"
    abs_err, rel_err, used = error_stats(actual, expected, tol, slack)
    RECORDER.record(block, check, dt.name, abs_err, rel_err, used, tol)
    if used > 1.0:
        raise AssertionError(f"{where} not close: worst abs err {abs_err:.3g}, rel err {rel_err:.3g}, "
                             f"{used:.3g}x the tolerance (rtol={tol.rtol:g}, atol={tol.atol:g}); "
                             + worst_element(actual, expected, tol, slack, inputs))


def worst_element(actual: np.ndarray, expected: np.ndarray, tol: Tol, slack=0.0,
                  inputs: Mapping[str, object] | None = None) -> str:
    """Where the error is largest relative to its allowance: the index, got / expected / allowed there, and the
    value at that index of each input whose shape is the compared shape (an elementwise block's input, the input
    of an input gradient, the parameter of a parameter gradient)."""
    diff, _, allowed = _errors(actual, expected, tol, np.broadcast_to(slack, expected.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        flat = int(np.argmax(np.nan_to_num(diff / allowed, nan=np.inf)))
    idx = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
    at = f"index {idx} of shape {expected.shape}" if expected.ndim else "the 0-d value"
    text = (f"worst at {at}: got {actual[idx].item()!r}, expected {expected[idx].item()!r} "
            f"(error {diff[idx]:.3g}, allowed {allowed[idx]:.3g})")
    same_shape = {name: np.asarray(x) for name, x in (inputs or {}).items()
                  if x is not None and np.shape(x) == expected.shape}
    for name, x in same_shape.items():
        text += f"; {name}{list(idx) if idx else ''} = {x[idx].item()!r}"
    return text


# At extreme input scales a float32 sum of products is only as accurate as its terms allow (cancellation:
# error ~ eps32 * sum|w x|, not eps32 * |y|), and torch's float32 result carries that error too. There the
# comparison allows SLACK_FACTOR times torch's own worst float32-vs-float64 error on the same tensor (a float64
# twin holding the same parameters computes the truth), taking the worse of torch's plain run and a run on inputs
# and parameters nudged by one float32 rounding (tests/harness.float32_noise): "scratch is as accurate as
# torch", never a blanket loosening. Per tensor, not per element, and with the nudged run, because one torch
# result can be luckily exact where another summation order of the same computation is not.
SLACK_FACTOR = 4.0
SLACK_REASON = f"float32 + {SLACK_FACTOR:g}x torch's own worst float32-vs-float64 error on the tensor"


def float32_slack(torch32: np.ndarray, torch64: np.ndarray) -> float:
    with np.errstate(invalid="ignore"):
        err = np.abs(np.asarray(torch32, np.float64) - np.asarray(torch64, np.float64))
    err = err[np.isfinite(err)]
    return SLACK_FACTOR * float(err.max()) if err.size else 0.0
