"""The torch-free oracle is itself tested: it accepts right gradients and catches wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.gradcheck import GradcheckError, directional_derivative, gradcheck, numerical_grad, projection_check


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
