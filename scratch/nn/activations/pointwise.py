"""Smooth elementwise activations: ELU, Sigmoid, Tanh, GELU, Softplus, SiLU.

float32 inputs are evaluated in float64 and rounded once (see ``_common``). Gradients at kinks follow torch
exactly: elu'(0) = alpha (0 is on the x <= 0 branch).
"""

from __future__ import annotations

import math

import numpy as np

from .. import _math
from ..base import CachedModule
from ._common import _float_input, _hi, _promote_int, _scalar

__all__ = ["ELU", "CELU", "SELU", "Sigmoid", "LogSigmoid", "Tanh", "Tanhshrink", "GELU", "Softplus", "SiLU", "Mish",
           "Softsign"]

# Python floats, not numpy scalars: under NumPy 2 (NEP 50) a np.float64 scalar would promote float32 arrays.
_SQRT1_2 = 0.70710678118654752440  # M_SQRT1_2
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_C = 0.044715


class _ELUKernel(CachedModule):
    """torch's elu kernel, which ELU, CELU and SELU call with their own coefficients:

        y = scale * x                                      for x >= 0 (+-0 included)
        y = alpha * scale * expm1(input_scale * x)         for x < 0 (and NaN: NaN)
        dy/dx = scale for x > 0 (and NaN), input_scale' * alpha * scale * exp(input_scale' * x) for x <= 0

    where input_scale' is the input scale torch's backward formula uses (CELU's differs from its forward's)."""

    _op = "elu_cpu"

    def _coefficients(self) -> tuple[float, float, float, float]:
        """(alpha, scale, input_scale, input_scale of the backward)."""
        raise NotImplementedError

    def forward(self, input: np.ndarray) -> np.ndarray:
        alpha, scale, input_scale, grad_scale = self._coefficients()
        x = _float_input(input, self._op)
        for c in (alpha, scale, input_scale):
            _scalar(c, x.dtype)  # torch converts each to the input's dtype: a float32 overflow raises
        h = _hi(x)
        # torch's branch tests: its forward takes x >= 0 (+-0 too) linear, its backward x <= 0 exponential; a NaN
        # is NaN either way in forward, and takes the linear slope in backward
        lin, neg = h >= 0, h <= 0
        hn = np.minimum(h, 0)  # the exponentials see the negative branch only
        negcoef = alpha * scale
        # a negative alpha grows exp: inf, as in torch; a subnormal alpha (CELU(1e-320): input_scale inf) makes
        # 0 * inf = NaN in the branch np.where drops, and the NaN gradients torch gives too (compared)
        with np.errstate(over="ignore", invalid="ignore"):
            y = np.where(lin, h * scale, np.expm1(hn * input_scale) * negcoef)
            dydx = np.where(neg, grad_scale * negcoef * np.exp(hn * grad_scale), scale)
        return self._save(y.astype(x.dtype), dydx.astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class ELU(_ELUKernel):
    """ELU(x) = x if x > 0 else alpha * (exp(x) - 1).

    Args: alpha (float, default 1.0).   Gradient: 1 for x > 0, alpha * exp(x) for x <= 0 (elu'(0) = alpha).
    """

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = float(alpha)

    def _coefficients(self) -> tuple[float, float, float, float]:
        return self.alpha, 1.0, 1.0, 1.0

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class CELU(_ELUKernel):
    """CELU(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

    Args: alpha (float, default 1.0; 0 is a RuntimeError at call, as torch's "ZeroDivisionError"); inplace (bool,
    default False: accepted for torch's signature, the output is always a new array). Shape: any.
    Gradient: 1 for x > 0, exp(x / alpha) for x <= 0 (celu'(0) = 1; NaN passes dy). TRAP: torch's backward uses
    1 / float32(alpha) as the input scale, in float64 too: slope alpha / float32(alpha) * exp(x / float32(alpha))
    (celu'(0) = 1.0000000170298988 for alpha = 0.7), while its forward multiplies by the double 1 / alpha;
    scratch does the same.
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def _coefficients(self) -> tuple[float, float, float, float]:
        if self.alpha == 0:
            raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
        a = float(self.alpha)
        with np.errstate(over="ignore"):
            a32 = float(np.float32(a))  # torch's alpha.toFloat(); 0 or inf where float32 under- or overflows
        return a, 1.0, 1.0 / a, 1.0 / a32 if a32 else math.copysign(math.inf, a)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


# The constants of the SELU paper (Klambauer et al. 2017), as torch writes them.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class SELU(_ELUKernel):
    """SELU(x) = scale * (max(0, x) + min(0, alpha * (exp(x) - 1))), alpha = 1.6732632423543772,
    scale = 1.0507009873554805.

    Args: inplace (bool, default False: accepted for torch's signature). Shape: any.
    Gradient: scale for x > 0, scale * alpha * exp(x) for x <= 0 (selu'(0) = scale * alpha = 1.7580993408473766;
    NaN passes scale * dy).
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def _coefficients(self) -> tuple[float, float, float, float]:
        return _SELU_ALPHA, _SELU_SCALE, 1.0, 1.0

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


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
            cdf = 0.5 * (1.0 + _math.erf(h * _SQRT1_2))  # torch's form and rounding (see _math.erf)
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


class LogSigmoid(CachedModule):
    """LogSigmoid(x) = log(1 / (1 + exp(-x))) = min(x, 0) - log1p(exp(-|x|)): finite for every finite x (-1e4 at
    x = -1e4, where log(sigmoid(x)) is -inf).   Shape: any.
    Gradient: sigmoid(-x) = 1 - sigmoid(x), computed without cancellation (1/2 at 0, 1 at -inf, 0 at +inf).
    """

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "log_sigmoid_cpu")
        h = _hi(x)
        return self._save(_math.log_sigmoid(h).astype(x.dtype), _math.sigmoid(-h).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class Tanhshrink(CachedModule):
    """Tanhshrink(x) = x - tanh(x).   Shape: any; an integer input gives float32, as torch's.
    Gradient: tanh(x)^2 (the closed form of 1 - (1 - tanh^2), which torch's composite computes with cancellation).
    """

    def forward(self, input: np.ndarray) -> np.ndarray:
        if isinstance(input, np.ndarray) and input.dtype.kind == "b":
            raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported.")
        x = _promote_int(input)
        h = _hi(x)
        t = np.tanh(h)
        return self._save((h - t).astype(x.dtype), (t * t).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx


class Mish(CachedModule):
    """Mish(x) = x * tanh(softplus(x)), softplus(x) = log(1 + exp(x)) evaluated without overflow.

    Args: inplace (bool, default False: accepted for torch's signature). Shape: any.
    Gradient: t + x * sigmoid(x) * (1 - t^2), t = tanh(softplus(x)), torch's formula: 1 at +1e4, 0 at -1e4, and
    NaN at +-inf as in torch (inf * 0), where the output is inf at +inf and NaN at -inf.
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "mish_cpu")
        h = _hi(x)
        t = np.tanh(_math.softplus(h))
        with np.errstate(invalid="ignore"):  # +-inf * 0 = NaN, torch's result
            y, dydx = h * t, t + h * _math.sigmoid(h) * (1 - t * t)
        return self._save(y.astype(x.dtype), dydx.astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softsign(CachedModule):
    """Softsign(x) = x / (1 + |x|).   Shape: any; an integer input gives float32, as torch's.
    Gradient: 1 / (1 + |x|)^2 (softsign'(0) = 1). At +-inf torch's output is NaN (inf / inf) and so is its
    gradient (its composite backward divides inf by inf); scratch gives NaN there too.
    """

    def forward(self, input: np.ndarray) -> np.ndarray:
        if isinstance(input, np.ndarray) and input.dtype.kind == "b":
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        x = _promote_int(input)
        h = _hi(x)
        a = 1 + np.abs(h)
        with np.errstate(invalid="ignore"):  # inf / inf = NaN, torch's result
            y = h / a
        return self._save(y.astype(x.dtype), np.where(np.isinf(h), np.nan, 1 / (a * a)).astype(x.dtype))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, dydx = self._saved(dy)
        return dy * dydx
