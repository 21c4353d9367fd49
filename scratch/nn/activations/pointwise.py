"""Smooth elementwise activations: ELU, Sigmoid, Tanh, GELU, Softplus, SiLU.

float32 inputs are evaluated in float64 and rounded once (see ``_common``). Gradients at kinks follow torch
exactly: elu'(0) = alpha (0 is on the x <= 0 branch).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _math
from ..base import CachedModule
from ._common import _float_input, _hi, _promote_int

__all__ = ["ELU", "Sigmoid", "Tanh", "GELU", "Softplus", "SiLU"]

# Python floats, not numpy scalars: under NumPy 2 (NEP 50) a np.float64 scalar would promote float32 arrays.
_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_C = 0.044715


class ELU(CachedModule):
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    Args: alpha (float, default 1.0).   Gradient: 1 for x > 0, alpha * exp(x) for x <= 0 (elu'(0) = alpha).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "elu")
        h = _hi(x)
        e = np.exp(np.minimum(h, 0))  # exp of the negative branch only: never overflows
        neg = h <= 0  # the branch test torch uses: NaN takes the linear branch (gradient 1)
        y = np.where(neg, self.alpha * np.expm1(np.minimum(h, 0)), h).astype(x.dtype)
        return self._save(y, np.where(neg, self.alpha * e, 1).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Sigmoid(CachedModule):
    """Sigmoid(x) = 1 / (1 + exp(-x)), computed without overflow.   Gradient: y (1 - y)."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _promote_int(input)
        y = _math.sigmoid(_hi(x))
        return self._save(y.astype(x.dtype), (y * (1 - y)).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class Tanh(CachedModule):
    """Tanh(x).   Gradient: 1 - y^2."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _promote_int(input)
        y = np.tanh(_hi(x))
        return self._save(y.astype(x.dtype), (1 - y * y).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class GELU(CachedModule):
    """GELU(x) = x * Phi(x), Phi the standard normal CDF = 0.5 (1 + erf(x / sqrt 2)).

    Args: approximate (str, default 'none'): 'tanh' uses
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), which differs from the exact form by up to ~4e-4.
    Gradient: exact Phi(x) + x phi(x); tanh 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2).
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "GeluKernelImpl")
        h = _hi(x)
        if self.approximate == "none":
            cdf = 0.5 * _math.erfc(-h / _SQRT2)
            pdf = np.exp(-0.5 * h * h) * _INV_SQRT_2PI
            return self._save((h * cdf).astype(x.dtype), (cdf + h * pdf).astype(x.dtype))
        if self.approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (h + _GELU_TANH_C * h**3))
            grad = 0.5 * (1 + t) + 0.5 * h * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_TANH_C * h * h)
            return self._save((0.5 * h * (1 + t)).astype(x.dtype), grad.astype(x.dtype))
        raise RuntimeError(f"approximate argument must be either none or tanh, got {self.approximate!r}")

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(CachedModule):
    """Softplus(x) = log(1 + exp(beta x)) / beta, and x itself where beta x > threshold.

    Args: beta (float, default 1.0), threshold (float, default 20.0).
    Gradient: sigmoid(beta x), and 1 where beta x > threshold.
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "softplus")
        # torch compares beta * x > threshold in the input's dtype: keep that test in x's dtype
        linear = x * np.asarray(self.beta, x.dtype) > self.threshold
        bx = _hi(x) * self.beta
        with np.errstate(divide="ignore", invalid="ignore"):  # beta = 0 gives inf/nan, as in torch
            y = np.where(linear, x, _math.softplus(bx) / self.beta)
        return self._save(y.astype(x.dtype), np.where(linear, 1, _math.sigmoid(bx)).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class SiLU(CachedModule):
    """SiLU(x) = x * sigmoid(x).   Gradient: s (1 + x (1 - s)), s = sigmoid(x).   Shape: any."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "silu")
        s = _math.sigmoid(_hi(x))
        return self._save((_hi(x) * s).astype(x.dtype), (s * (1 + _hi(x) * (1 - s))).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx
