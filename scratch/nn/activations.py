"""Elementwise activations and (log-)softmax. Each gradient rule sits beside its forward.

Outputs and gradients are in the input's dtype (float32 or float64). For float32 input the transcendental parts
(tanh, exp, erf, log) and the local derivative are evaluated in float64 and rounded once: numpy's float32 tanh is
~1 ulp off where torch's is ~0.5 ulp, and near saturation ``1 - y^2`` magnifies that ulp a hundredfold. Rounding
once makes scratch at least as accurate as torch, so the two differ by torch's own float32 error at most.
Gradients at kinks follow torch exactly: relu'(0) = 0, leaky_relu'(0) = negative_slope, elu'(0) = alpha.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import _math
from .base import CachedModule
from .module import Parameter, check_float_dtype, check_input

__all__ = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax", "SiLU",
           "PReLU"]

# Python floats, not numpy scalars: under NumPy 2 (NEP 50) a np.float64 scalar would promote float32 arrays.
_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_C = 0.044715


def _float_input(x: np.ndarray, op: str) -> np.ndarray:
    """torch has no integer kernel for these ops and raises NotImplementedError."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        raise NotImplementedError(f'"{op}" not implemented for integer input (got {x.dtype})')
    return check_input(x)


def _hi(x: np.ndarray) -> np.ndarray:
    """float64 working copy (no copy for float64 input)."""
    return x.astype(np.float64, copy=False)


def _promote_int(x: np.ndarray) -> np.ndarray:
    """sigmoid/tanh of an integer tensor is a float32 tensor in torch (its default float dtype)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iub":
        return x.astype(np.float32)
    return check_input(x)


class ReLU(CachedModule):
    """ReLU(x) = max(0, x).   Gradient: 1 where x > 0, else 0 (relu'(0) = 0, as torch).   Shape: any."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not (isinstance(x, np.ndarray) and x.dtype.kind in "iu"):  # relu keeps integer tensors, as torch
            x = check_input(x)
        # torch's backward zeroes the gradient where x <= 0, so a NaN input passes its gradient through
        return self._save(np.maximum(x, 0).astype(x.dtype, copy=False), ~(x <= 0))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, positive = self._saved(dy)
        return dy * positive


class LeakyReLU(CachedModule):
    """LeakyReLU(x) = x if x > 0 else negative_slope * x.

    Args: negative_slope (float, default 0.01).   Gradient: 1 for x > 0, negative_slope for x <= 0.
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, "leaky_relu")
        slope = np.where(x > 0, 1, self.negative_slope).astype(x.dtype)
        return self._save(x * slope, slope)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, slope = self._saved(dy)
        return dy * slope

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


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


class PReLU(CachedModule):
    """PReLU(x) = x if x > 0 else a * x, with a learned slope a: one for every channel, or one per channel.

    Args: num_parameters (int, default 1): 1, or the number of channels C (dim 1 of the input; an input of rank
    < 2 has one channel); init (float, default 0.25): the initial slope; dtype (default np.float32).
    Shape: any; with num_parameters > 1, (N, C, *). weight (num_parameters,).
    Gradient: dx = dy where x > 0, else a dy (prelu'(0) = a; NaN takes the a branch, as torch);
    da = sum of x dy over the elements with x <= 0 (per channel).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype=np.float32) -> None:
        super().__init__()
        if num_parameters < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {num_parameters}: "
                               f"[{num_parameters}]")
        self.num_parameters, self.init = int(num_parameters), init
        self.weight = Parameter(np.full(num_parameters, init, check_float_dtype(dtype)))

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = check_input(input) if input.dtype.kind == "f" else input
        if x.dtype != self.weight.dtype:
            raise RuntimeError(f"prelu: Type promoting not supported. Got {x.dtype} and {self.weight.dtype}")
        channels = x.shape[1] if x.ndim >= 2 else 1
        if self.num_parameters not in (1, channels):
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{self.num_parameters} and channel size = {channels}.")
        shape = (1, -1) + (1,) * (x.ndim - 2) if self.num_parameters > 1 else ()
        a = self.weight.data.reshape(shape)
        positive = x > 0
        return self._save(np.where(positive, x, a * x), positive, np.where(positive, 0, x), a)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, positive, x_neg, a = self._saved(dy)
        axes = tuple(i for i in range(dy.ndim) if not (self.num_parameters > 1 and i == 1))
        self.weight.accumulate(np.sum(dy * x_neg, axis=axes).reshape(self.num_parameters))
        return np.where(positive, dy, a * dy)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


def _softmax_dim(dim: int | None, ndim: int, name: str) -> int:
    """dim=None reproduces torch's deprecated implicit choice (0 for 0-, 1- and 3-d input, else 1)."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                      "dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return _math.normalize_dim(dim, ndim)


class _AlongDim(CachedModule):
    """Shared shape handling of Softmax and LogSoftmax: ``dim`` validation, the 0-d case, the cache."""

    _name: str

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = _float_input(input, self._name)
        axis = _softmax_dim(self.dim, x.ndim, self._name)
        y = self._along(_hi(x), axis) if x.ndim else self._scalar(x)  # float64, rounded once below
        return self._save(y.astype(x.dtype), y, axis, x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, y, axis, dtype = self._saved(dy)
        return self._grad(y, _hi(dy), axis).astype(dtype) if y.ndim else np.zeros_like(dy)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """Softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) along ``dim``.

    Args: dim (int or None; None reproduces torch's deprecated implicit choice, with its warning).
    Shape: any; output like input. Gradient: y * (dy - sum(dy * y, dim)).
    """

    _name = "softmax"
    _along = staticmethod(_math.softmax)
    _scalar = staticmethod(np.ones_like)

    @staticmethod
    def _grad(y: np.ndarray, dy: np.ndarray, axis: int) -> np.ndarray:
        return y * (dy - np.sum(dy * y, axis=axis, keepdims=True))


class LogSoftmax(_AlongDim):
    """LogSoftmax(x) = x - max x - log sum exp(x - max x) along ``dim`` (finite where log(softmax) is -inf).

    Args: dim (int or None). Shape: any; output like input. Gradient: dy - softmax(x) * sum(dy, dim).
    """

    _name = "log_softmax"
    _along = staticmethod(_math.log_softmax)
    _scalar = staticmethod(np.zeros_like)

    @staticmethod
    def _grad(y: np.ndarray, dy: np.ndarray, axis: int) -> np.ndarray:
        return dy - np.exp(y) * np.sum(dy, axis=axis, keepdims=True)
