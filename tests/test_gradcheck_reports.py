"""What the torch-free oracle reports, exactly: its tolerance rule |analytic - numerical| <= atol + rtol |numerical|
on both sides of the bound, the index and values a failure names, the unit directions of the projection check,
the names check_module gives nested inputs, and which inputs of a loss it differentiates."""

from __future__ import annotations

import re

import numpy as np
import pytest

import scratch.nn as nn
from scratch.gradcheck import GradcheckError, check_module, gradcheck, projection_check
from scratch.nn.base import CachedModule
from scratch.nn.module import Parameter

C = np.array([100.0, -3.0, 0.5, 1.0])  # the gradient of f(x) = <C, x>, exact under central differences


def linear(x: np.ndarray) -> float:
    return float(C @ x)


def test_gradcheck_tolerance_is_relative_to_the_numerical_gradient():
    """Allowed at element 0: 1e-5 + 1e-3 * 100 = 0.10001: an error of 0.09 passes, 0.11 fails."""
    x = np.array([0.3, -1.2, 2.0, 0.7])
    assert gradcheck(linear, x, C + [0.09, 0, 0, 0]).max_abs_err == pytest.approx(0.09, rel=1e-6)
    with pytest.raises(GradcheckError):
        gradcheck(linear, x, C + [0.11, 0, 0, 0])


def test_gradcheck_failure_names_the_worst_index_and_its_values():
    """Two elements out of tolerance: the message names the larger error's flat index, its numerical and analytic
    values and the tolerance."""
    x = np.array([0.3, -1.2, 2.0, 0.7])
    wrong = C + [0.0, 0.5, 0.0, 0.2]
    with pytest.raises(GradcheckError) as e:
        gradcheck(linear, x, wrong, what="weight")
    m = re.fullmatch(r"weight: gradient mismatch at flat index (\d+): numerical (\S+), analytic (\S+) \(max abs err "
                     r"(\S+); atol=1e-05, rtol=0.001\)", str(e.value))
    assert m is not None, str(e.value)
    assert int(m[1]) == 1 and float(m[2]) == pytest.approx(-3.0, abs=1e-8) and float(m[3]) == -2.5
    assert float(m[4]) == pytest.approx(0.5, rel=1e-6)


def test_projection_check_uses_unit_directions_from_the_generator():
    """The numerical values are derivatives along the generator's standard-normal draws scaled to unit norm."""
    x = np.array([0.3, -1.2, 2.0, 0.7])
    res = projection_check(linear, x, C, np.random.default_rng(5), n_directions=3)
    v = np.random.default_rng(5).standard_normal((3, 4))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    np.testing.assert_allclose(res.numerical, v @ C, rtol=1e-8)
    np.testing.assert_allclose(res.analytic, v @ C, rtol=1e-14)


class Scaled(CachedModule):
    """y = x * w, whose weight gradient is off by ``error`` (a vector): a planted, known mistake."""

    def __init__(self, weight, error) -> None:
        super().__init__()
        self.weight, self.error = Parameter(np.asarray(weight, np.float64)), np.asarray(error, np.float64)

    def forward(self, input: np.ndarray) -> np.ndarray:
        return self._save(input * self.weight.data, input.copy())

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, x = self._saved(dy)
        self.weight.accumulate((dy * x).sum(axis=0) + self.error)
        return dy * self.weight.data


def test_check_module_tolerance_and_worst_index_are_relative():
    """check_module allows atol 1e-6 + rtol 1e-5 |numerical|: a weight gradient of ~1e4 may be 1e-3 off, one of
    ~1 may not; the worst index is the element farthest beyond ITS tolerance, not the largest error."""
    x = np.array([[4e4, 1.0, 1.0], [3.5e4, -0.5, 0.25]])
    ok = Scaled([1.0, 2.0, 3.0], [2e-5, 0.0, 0.0])  # gradient[0] ~ 1e4 (u ~ N(0,1) times 4e4): rel error ~2e-9
    assert check_module(ok, x, rng=np.random.default_rng(1)).ok
    bad = Scaled([1.0, 2.0, 3.0], [1e-3, 0.0, 1e-4])
    row = {r.name: r for r in check_module(bad, x, rng=np.random.default_rng(1)).rows}["weight"]
    assert not row.ok and row.worst_index == (2,) and row.max_abs_err == pytest.approx(1e-3, rel=1e-2)


def test_check_module_names_nested_inputs_by_their_path(rng):
    lstm = nn.LSTM(2, 3, dtype=np.float64, rng=rng)
    report = check_module(lstm, rng.standard_normal((2, 1, 2)), (rng.standard_normal((1, 1, 3)),
                                                                 rng.standard_normal((1, 1, 3))))
    assert report.ok and [r.name for r in report.rows][:3] == ["input", "hx[0]", "hx[1]"]


def test_check_module_differentiates_a_losss_input_and_target_only(rng):
    """A loss with a third float input (GaussianNLLLoss' var): input alone, or input and target with
    target_grad=True; never the third."""
    args = rng.standard_normal((4, 2)), rng.standard_normal((4, 2)), rng.uniform(0.5, 2.0, (4, 2))
    loss = nn.GaussianNLLLoss()
    assert [r.name for r in check_module(loss, *args).rows] == ["input"]
    assert [r.name for r in check_module(loss, *args, target_grad=True).rows] == ["input", "target"]
