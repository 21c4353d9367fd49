"""The torch-free oracle is itself tested: it accepts right gradients and catches wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import scratch.nn as nn
from scratch.gradcheck import (
    GradcheckError,
    check_module,
    directional_derivative,
    gradcheck,
    numerical_grad,
    projection_check,
)
from scratch.nn.base import CachedModule
from scratch.nn.module import Parameter


def f(x: np.ndarray) -> float:
    return float(np.sum(np.sin(x) * x**2))


def grad_f(x: np.ndarray) -> np.ndarray:
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def test_numerical_grad_is_accurate_to_1e_9(rng):
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(numerical_grad(f, x.copy()), grad_f(x), rtol=1e-8, atol=1e-9)


def test_input_is_restored(rng):
    x = rng.standard_normal(5)
    before = x.copy()
    numerical_grad(f, x)
    directional_derivative(f, x, rng.standard_normal(5))
    np.testing.assert_array_equal(x, before)


def test_gradcheck_passes_right_and_catches_wrong(rng):
    x = rng.standard_normal((2, 3))
    res = gradcheck(f, x, grad_f(x))
    assert res.max_abs_err < 1e-8
    wrong = grad_f(x)
    wrong[1, 2] += 1e-3  # a single slightly wrong component
    with pytest.raises(GradcheckError, match="flat index 5"):
        gradcheck(f, x, wrong)


def test_projection_check_catches_a_transposed_gradient(rng):
    a = rng.standard_normal((4, 4))

    def g(x):
        return float(np.sum(a @ x))

    x = rng.standard_normal((4, 4))
    right = np.tile(a.sum(axis=0)[:, None], (1, 4))
    projection_check(g, x, right, rng)
    with pytest.raises(GradcheckError):
        projection_check(g, x, right.T, rng)


def test_float32_is_refused():
    with pytest.raises(TypeError, match="float64"):
        numerical_grad(f, np.ones(3, np.float32))


# -- check_module: a whole block, as a learner would run it on their own code ----------------------------------


class Scale(CachedModule):
    """y = x * w (per feature), with a deliberately wrong weight gradient when ``bug`` is set."""

    def __init__(self, n: int, bug: bool = False) -> None:
        super().__init__()
        self.weight = Parameter(np.linspace(0.5, 1.5, n))
        self.bug = bug

    def forward(self, input: np.ndarray) -> np.ndarray:
        return self._save(input * self.weight.data, input.copy())

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, x = self._saved(dy)
        self.weight.accumulate((dy * x).sum(axis=0) * (1.0001 if self.bug else 1.0))
        return dy * self.weight.data


def test_check_module_passes_correct_blocks_of_every_shape(rng):
    b = nn.Bilinear(3, 4, 2, dtype=np.float64, rng=rng)
    assert check_module(b, rng.standard_normal((5, 3)), rng.standard_normal((5, 4))).ok
    mlp = nn.Sequential(nn.Linear(4, 5, dtype=np.float64, rng=rng), nn.BatchNorm1d(5, dtype=np.float64), nn.Tanh())
    report = check_module(mlp, rng.standard_normal((6, 4)))
    assert report.ok and [r.name for r in report.rows] == ["input", "0.weight", "0.bias", "1.weight", "1.bias"]
    probs = rng.dirichlet(np.ones(4), size=5)
    report = check_module(nn.CrossEntropyLoss(label_smoothing=0.1), rng.standard_normal((5, 4)), probs,
                          target_grad=True)
    assert report.ok and [r.name for r in report.rows] == ["input", "target"]


def test_check_module_finds_a_wrong_parameter_gradient_and_says_where(rng):
    report = check_module(Scale(3, bug=True), rng.standard_normal((4, 3)))
    assert not report.ok
    rows = {r.name: r for r in report.rows}
    assert rows["input"].ok and not rows["weight"].ok and rows["weight"].max_rel_err == pytest.approx(1e-4, rel=1e-3)
    assert "MISMATCH in: weight" in str(report) and str(rows["weight"].worst_index) in str(report)
    assert check_module(Scale(3), rng.standard_normal((4, 3))).ok


def test_check_module_restores_buffers_and_gradients(rng):
    bn = nn.BatchNorm1d(3, dtype=np.float64)
    before = bn.state_dict()
    assert check_module(bn, rng.standard_normal((5, 3)) + 2.0).ok
    for k, v in bn.state_dict().items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)
    assert all(p.grad is None for p in bn.parameters())


def test_check_module_refuses_what_finite_differences_cannot_check(rng):
    with pytest.raises(TypeError, match="double"):
        check_module(nn.Linear(2, 2, rng=rng), rng.standard_normal((3, 2)))
    with pytest.raises(TypeError, match="float64 inputs"):
        check_module(nn.Tanh(), rng.standard_normal((3, 2)).astype(np.float32))
    with pytest.raises(ValueError, match="not deterministic"):
        check_module(nn.Dropout(0.5, rng=rng), rng.standard_normal((3, 3)))
    assert check_module(nn.Dropout(0.5, rng=rng).eval(), rng.standard_normal((3, 3))).ok
