"""A torch-free gradient oracle: float64 central differences and a random-projection check.

Central difference: df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h). Its truncation error is O(h^2 f''') and its
rounding error O(eps_machine |f| / h); h = 1e-6 in float64 balances the two at ~1e-10 (torch.autograd.gradcheck
uses the same h). Inputs must sit away from kinks (relu at 0, |x| at 0, Huber at +-delta) by more than h.

Random projection: for random directions v, the directional derivative (f(x + h v) - f(x - h v)) / (2h) must
equal <grad, v>. One pair of forward passes checks every component at once, so it scales to large inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ScalarFn = Callable[[np.ndarray], float]


class GradcheckError(AssertionError):
    """Raised when an analytic gradient disagrees with finite differences."""


@dataclass(frozen=True)
class GradcheckResult:
    max_abs_err: float
    max_rel_err: float
    numerical: np.ndarray
    analytic: np.ndarray


def numerical_grad(f: ScalarFn, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (float64; x is restored afterwards).

    This loops over elements by nature (two evaluations of f per element): use small inputs, or
    :func:`projection_check` for large ones.
    """
    if x.dtype != np.float64:
        raise TypeError(f"finite differences need float64 inputs, got {x.dtype}")
    grad = np.zeros_like(x)
    if x.size == 0:
        return grad
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so it can be perturbed in place")
    for i in range(flat.size):
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = float(f(x))
        flat[i] = orig - eps
        f_minus = float(f(x))
        flat[i] = orig
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def directional_derivative(f: ScalarFn, x: np.ndarray, v: np.ndarray, eps: float = 1e-6) -> float:
    """(f(x + eps v) - f(x - eps v)) / (2 eps), leaving x unchanged."""
    orig = x.copy()
    x += eps * v
    f_plus = float(f(x))
    x[...] = orig - eps * v
    f_minus = float(f(x))
    x[...] = orig
    return (f_plus - f_minus) / (2 * eps)


def _compare(numerical: np.ndarray, analytic: np.ndarray, atol: float, rtol: float, what: str) -> GradcheckResult:
    numerical, analytic = np.asarray(numerical, np.float64), np.asarray(analytic, np.float64)
    if numerical.shape != analytic.shape:
        raise GradcheckError(f"{what}: analytic gradient shape {analytic.shape} != input shape {numerical.shape}")
    err = np.abs(numerical - analytic)
    rel = err / np.maximum(np.abs(numerical), 1e-300)
    res = GradcheckResult(float(err.max(initial=0.0)), float(rel.max(initial=0.0)), numerical, analytic)
    bad = err > atol + rtol * np.abs(numerical)
    if bad.any():
        i = int(np.argmax(np.where(bad, err, -1)))
        raise GradcheckError(f"{what}: gradient mismatch at flat index {i}: numerical "
                             f"{numerical.ravel()[i]!r}, analytic {analytic.ravel()[i]!r} "
                             f"(max abs err {res.max_abs_err:.3g}; atol={atol:g}, rtol={rtol:g})")
    return res


def gradcheck(f: ScalarFn, x: np.ndarray, analytic: np.ndarray, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, what: str = "input") -> GradcheckResult:
    """Compare ``analytic`` (dL/dx) with element-wise central differences of ``f``; raise GradcheckError."""
    return _compare(numerical_grad(f, x, eps), analytic, atol, rtol, what)


def projection_check(f: ScalarFn, x: np.ndarray, analytic: np.ndarray, rng: np.random.Generator, *,
                     n_directions: int = 4, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                     what: str = "input") -> GradcheckResult:
    """Check <analytic, v> against the directional derivative along random unit directions v."""
    v = rng.standard_normal((n_directions,) + x.shape)
    v /= np.linalg.norm(v.reshape(n_directions, -1), axis=1).reshape((-1,) + (1,) * x.ndim) + 1e-300
    numerical = np.array([directional_derivative(f, x, vi, eps) for vi in v])
    projected = np.tensordot(v, np.asarray(analytic, np.float64), axes=x.ndim)
    return _compare(numerical, projected, atol, rtol, f"{what} (random projection)")
