"""LayerNorm, GroupNorm and RMSNorm (statistics per sample; the shared kernels and the backward derivation are in
``_kernels.py``; RMSNorm's, which does not centre, in its docstring)."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..module import Parameter, check_float_dtype
from ._kernels import (
    _ACC,
    _AffineNorm,
    float_input,
    nonfinite,
    normalize,
    normalize_backward,
    quiet_if,
    verify_batch_size,
)

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm"]


def _int_list(shape: tuple, fn: str) -> tuple[int, ...]:
    """torch's int-list parser for normalized_shape: an integer anywhere (numpy's too), a bool too except first."""
    for i, d in enumerate(shape):
        if not isinstance(d, numbers.Integral) or (i == 0 and isinstance(d, bool)):
            raise TypeError(f"{fn}(): argument 'normalized_shape' must be tuple of ints, but found element of type "
                            f"{type(d).__name__} at pos {i}")
    return tuple(int(d) for d in shape)


def _parsed_shape(normalized_shape, affine: bool) -> tuple:
    """normalized_shape as torch keeps it: an int is (int,); with weights it is parsed at construction (torch's
    torch.empty), else kept as given and parsed at the call (F.layer_norm / F.rms_norm)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    return _int_list(shape, "empty") if affine else shape


class _TrailingNorm(_AffineNorm):
    """LayerNorm and RMSNorm: statistics over the last len(normalized_shape) dims, weight (and bias) of that
    shape. Subclasses give ``_statistics(x, axes, eps) -> (x_hat, rstd)`` (float64; x non-empty, in its own
    dtype) and ``_input_grad(g, x_hat, rstd, axes)``, dL/dx from g = dL/dx_hat."""

    normalized_shape: tuple[int, ...]
    eps: float | None

    def _normalize(self, x: np.ndarray, eps: float) -> np.ndarray:
        axes = tuple(range(x.ndim - len(self.normalized_shape), x.ndim))
        with quiet_if(eps <= 0 or nonfinite(x)):
            if x.size:
                x_hat, rstd = self._statistics(x, axes, eps)
            else:
                x_hat, rstd = np.zeros(x.shape, _ACC), None
            y = self._affine(x_hat, self.normalized_shape)
        return self._save(y.astype(x.dtype), x_hat, rstd, axes, x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, x_hat, rstd, axes, dtype = self._saved(dy)
        dy64 = np.asarray(dy, _ACC)
        # eps <= 0 needs no clause of its own: it can only make numpy warn through an inf or NaN rstd (or x_hat)
        with quiet_if(nonfinite(dy64, x_hat, rstd)):
            g = self._affine_backward(dy64, x_hat, self.normalized_shape, tuple(range(dy64.ndim - len(axes))))
            dx = self._input_grad(g, x_hat, rstd, axes) if rstd is not None else np.zeros_like(g)
        return dx.astype(dtype)


class LayerNorm(_TrailingNorm):
    """y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the last len(normalized_shape) dims.

    Args:
        normalized_shape (int or tuple of int): the trailing shape normalized over (an int means (int,)).
        eps (float, default 1e-5): added to the (biased) variance.
        elementwise_affine (bool, default True): learn ``weight`` (ones) and ``bias`` (zeros) of
            shape normalized_shape.
        bias (bool, default True): learn the bias (only with elementwise_affine).
        dtype (default np.float32): parameter dtype.
    Shape: input (*, *normalized_shape), output the same. Same computation in training and eval.
    Gradient: see the module docstring, with the statistics over the normalized dims; dweight/dbias sum over
    the leading dims.
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5, elementwise_affine: bool = True,
                 bias: bool = True, dtype=np.float32) -> None:
        super().__init__()
        self.normalized_shape = _parsed_shape(normalized_shape, bool(elementwise_affine))
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        dt = check_float_dtype(dtype)
        self.weight = self.bias = None
        if self.elementwise_affine:
            if any(d < 0 for d in self.normalized_shape):
                raise RuntimeError(f"Trying to create tensor with negative dimension: {list(self.normalized_shape)}")
            self.weight = Parameter(np.ones(self.normalized_shape, dt))
            self.bias = Parameter(np.zeros(self.normalized_shape, dt)) if bias else None

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        shape = self.normalized_shape = _int_list(self.normalized_shape, "layer_norm")
        if not shape:
            raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                               "one element, but got normalized_shape = []")
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        k = len(shape)
        if x.ndim < k or x.shape[x.ndim - k:] != shape:
            raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                               f"[*, {', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
        return self._normalize(float_input(x, "LayerNorm", self._param_dtype), self.eps)

    @staticmethod
    def _statistics(x: np.ndarray, axes: tuple[int, ...], eps: float):
        x_hat, _, _, rstd = normalize(np.asarray(x, _ACC), axes, eps)
        return x_hat, rstd

    _input_grad = staticmethod(normalize_backward)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(_AffineNorm):
    """Group normalization: channels split into num_groups CONTIGUOUS blocks of C/G channels; each sample and
    group is normalized over (C/G, *spatial) with the biased variance; then a PER-CHANNEL affine map.

    Args:
        num_groups (int): G, must divide num_channels.
        num_channels (int): C.
        eps (float, default 1e-5). affine (bool, default True): weight (ones) and bias (zeros) of shape (C,).
        dtype (default np.float32). bias (keyword, default True): learn the bias (only with affine).
    Shape: input (N, C, *), output the same. Same in training and eval.
    Gradient: the module docstring's formula on the (N, G, C/G * prod(spatial)) view; dweight/dbias sum over
    the batch and spatial dims, per channel.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__()
        if num_channels % num_groups != 0:  # num_groups=0 raises ZeroDivisionError here, as torch
            raise ValueError(f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})")
        self.num_groups, self.num_channels, self.eps, self.affine = int(num_groups), int(num_channels), eps, affine
        dt = check_float_dtype(dtype)
        self.weight = self.bias = None
        if affine:
            if num_channels < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {num_channels}: [{num_channels}]")
            self.weight = Parameter(np.ones(num_channels, dt))
            self.bias = Parameter(np.zeros(num_channels, dt)) if bias else None

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if x.ndim < 2:
            raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
        n, c, G = x.shape[0], x.shape[1], self.num_groups
        # torch checks this odd size (N*C/G, G, *spatial), not the group size: mirrored on purpose
        verify_batch_size((n * c // G, G) + x.shape[2:])
        if self.weight is not None and c != self.num_channels:
            raise RuntimeError(f"Expected weight to be a vector of size equal to the number of channels in input, "
                               f"but got weight of shape [{self.num_channels}] and input of shape {list(x.shape)}")
        if c % G:
            raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                               f"of shape {list(x.shape)} and num_groups={G}")
        x = float_input(x, "GroupNorm", self._param_dtype)
        shape = (1, c) + (1,) * (x.ndim - 2)
        grouped = (n, G, x.size // max(n * G, 1))
        with quiet_if(self.eps <= 0 or nonfinite(x)):
            if x.size:
                x_hat, _, _, rstd = normalize(np.asarray(x, _ACC).reshape(grouped), (2,), self.eps)
            else:
                x_hat, rstd = np.zeros(grouped, _ACC), None
            y = self._affine(x_hat.reshape(x.shape), shape)
        return self._save(y.astype(x.dtype), x_hat, rstd, x.shape, x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, x_hat, rstd, in_shape, dtype = self._saved(dy)
        dy64 = np.asarray(dy, _ACC)
        shape = (1, in_shape[1]) + (1,) * (len(in_shape) - 2)
        with quiet_if(nonfinite(dy64, x_hat, rstd)):  # eps <= 0 warns only through an inf or NaN rstd
            g = self._affine_backward(dy64, x_hat.reshape(in_shape), shape, (0,) + tuple(range(2, len(in_shape))))
            g = g.reshape(x_hat.shape)
            dx = normalize_backward(g, x_hat, rstd, (2,)) if rstd is not None else np.zeros_like(g)
        return dx.reshape(in_shape).astype(dtype)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class RMSNorm(_TrailingNorm):
    """y = x / sqrt(mean(x^2) + eps) * weight, the mean over the last len(normalized_shape) dims (no centring,
    no bias).

    Args:
        normalized_shape (int or tuple of int): the trailing shape normalized over (an int means (int,)).
        eps (float or None, default None): added to the mean square; None means the machine epsilon of the
            INPUT's dtype (float32 1.19e-7, float64 2.22e-16), as torch's opmath type.
        elementwise_affine (bool, default True): learn ``weight`` (ones) of shape normalized_shape.
        dtype (default np.float32): parameter dtype.
    Shape: input (*, *normalized_shape), output the same, in the input's dtype (torch accepts either float
    dtype whatever the weight's: a float64 input into float32 weights gives a float64 output).
    Raises: RuntimeError for an empty normalized_shape (at the call), a negative size (at construction, with
    weights) or a wrong trailing shape; ValueError for an input of fewer dims than normalized_shape;
    NotImplementedError for integer input; TypeError for a non-integer size, a bool only as the first (torch's
    parser: with weights at construction, else at the call; LayerNorm's too).
    Gradient: with r = (mean(x^2) + eps)^(-1/2), x_hat = x r and g = weight * dy, d r / d x_j = -r^3 x_j / n
    (n values normalized over), so

        dx = r (g - x_hat mean(g x_hat))    and    dweight = sum(dy x_hat) over the leading dims.

    Precision: float64, cast back. torch computes in the input's dtype (float32 is not upcast); where its sum
    of squares overflows (a float32 row with |x| > 1.8e19) torch gives y = 0, and so does this.
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float | None = None,
                 elementwise_affine: bool = True, dtype=np.float32) -> None:
        super().__init__()
        self.normalized_shape = _parsed_shape(normalized_shape, bool(elementwise_affine))
        self.eps, self.elementwise_affine = eps, bool(elementwise_affine)
        dt = check_float_dtype(dtype)
        self.weight = self.bias = None
        if self.elementwise_affine:
            negative = [d for d in self.normalized_shape if d < 0]
            if negative:
                raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                                   f"{list(self.normalized_shape)}")
            self.weight = Parameter(np.ones(self.normalized_shape, dt))

    def forward(self, x: np.ndarray) -> np.ndarray:  # torch names RMSNorm's argument x
        shape = self.normalized_shape = _int_list(self.normalized_shape, "rms_norm")
        k = len(shape)
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if not k:
            raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least "
                               "one element, but got normalized_shape = []")
        if x.ndim < k:
            raise ValueError(f"Input tensor must have at least {k} dimensions, but got {x.ndim}")
        if x.shape[x.ndim - k:] != shape:
            raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                               f"[*{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
        x = float_input(x, "rms_norm", None)  # any float dtype, whatever the weight's (torch promotes)
        return self._normalize(x, np.finfo(x.dtype).eps if self.eps is None else self.eps)

    @staticmethod
    def _statistics(x: np.ndarray, axes: tuple[int, ...], eps: float):
        x64 = x.astype(_ACC)
        with np.errstate(over="ignore"):
            mean_square = np.mean(x64 * x64, axis=axes, keepdims=True)
        # torch sums the squares in the input's dtype: where that overflows, rstd = 0 and y = 0
        limit = np.finfo(x.dtype).max / math.prod(x.shape[a] for a in axes)
        rstd = 1.0 / np.sqrt(np.where(mean_square > limit, np.inf, mean_square) + eps)
        return x64 * rstd, rstd

    @staticmethod
    def _input_grad(g: np.ndarray, x_hat: np.ndarray, rstd: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        return rstd * (g - x_hat * np.mean(g * x_hat, axis=axes, keepdims=True))

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
