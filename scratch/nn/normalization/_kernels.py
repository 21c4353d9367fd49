"""The kernels every normalization layer shares: statistics, x_hat, its backward, the affine tail.

Every normalization here is ``x_hat = (x - mean) * rstd`` with ``rstd = 1 / sqrt(var + eps)``, the mean and the
BIASED variance taken over some axes ``A`` (n values), followed by an optional affine map ``y = w * x_hat + b``.

Backward (closed form). With ``g = dL/dx_hat = w * dy`` and, over the axes ``A``,
``d x_hat_j / d x_i = rstd * (delta_ij - 1/n - x_hat_i * x_hat_j / n)`` (the ``-1/n`` comes from the mean, the
last term from the variance: ``d var / d x_i = 2 (x_i - mean) / n``), so summing over j::

    dx = rstd * (g - mean_A(g) - x_hat * mean_A(g * x_hat))
    dw = sum(dy * x_hat)   and   db = sum(dy)   over every axis the weight is broadcast along.

Precision: statistics and outputs are computed in float64 (torch's CPU kernels also accumulate in a wider type);
a float32 block casts its outputs and gradients back to float32. This keeps ``1e4 + small noise`` inputs
accurate, where a float32 mean loses the noise to cancellation.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from ..base import CachedModule
from ..module import FLOAT_DTYPES, Parameter

_ACC = np.float64  # accumulation / compute dtype of every normalization


# -- shared kernels ---------------------------------------------------------------------------------------------
def quiet_if(nonfinite: bool):
    """numpy warns on inf - inf or 0 * inf (and the suite turns scratch RuntimeWarnings into errors) where torch
    silently yields NaN. Silence it only when torch itself yields inf/NaN: non-finite data or eps <= 0."""
    return np.errstate(invalid="ignore", over="ignore", divide="ignore") if nonfinite else contextlib.nullcontext()


def nonfinite(*arrays: np.ndarray) -> bool:
    return not all(bool(np.isfinite(a).all()) for a in arrays if a is not None)


def normalize(x: np.ndarray, axes: tuple[int, ...], eps: float):
    """(x_hat, mean, biased var, rstd) with the statistics over ``axes`` (keepdims). x must be non-empty."""
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    with np.errstate(over="ignore"):  # squares past the float max: var = inf, rstd = 0, x_hat = 0, as torch (quiet)
        var = np.mean(xc * xc, axis=axes, keepdims=True)  # two-pass: no E[x^2] - E[x]^2 cancellation
    rstd = 1.0 / np.sqrt(var + eps)
    return xc * rstd, mean, var, rstd


def normalize_backward(g: np.ndarray, x_hat: np.ndarray, rstd: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """dL/dx for x_hat = (x - mean) * rstd with batch statistics over ``axes``; g = dL/dx_hat (see module doc)."""
    return rstd * (g - g.mean(axis=axes, keepdims=True) - x_hat * np.mean(g * x_hat, axis=axes, keepdims=True))


def float_input(x, op: str, param_dtype: np.dtype | None) -> np.ndarray:
    """Validate the input's type like torch: with parameters, any dtype other than theirs (integers included) is a
    'mixed dtype' RuntimeError; without, integers are NotImplementedError (no integer kernel)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
    if param_dtype is not None and x.dtype != param_dtype:
        raise RuntimeError(f"mixed dtype (CPU): all inputs must share same datatype: {op} parameters are "
                           f"{param_dtype}, input is {x.dtype}")
    if x.dtype.kind in "iub":
        raise NotImplementedError(f'"{op}" not implemented for integer input (got {x.dtype})')
    if x.dtype.type not in FLOAT_DTYPES:
        raise RuntimeError(f"{op}: input must be float32 or float64, got {x.dtype}")
    return x


def verify_batch_size(size: tuple[int, ...]) -> None:
    """torch's _verify_batch_size: one value per channel cannot be normalized in training."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(size)}")


class _AffineNorm(CachedModule):
    """Shared affine tail ``y = w * x_hat + b`` and its backward; subclasses give the broadcast shape."""

    weight: Parameter | None
    bias: Parameter | None

    def _affine(self, x_hat: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        y = x_hat
        if self.weight is not None:
            y = y * self.weight.data.astype(_ACC).reshape(shape)
        if self.bias is not None:
            y = y + self.bias.data.astype(_ACC).reshape(shape)
        return y

    def _affine_backward(self, dy: np.ndarray, x_hat: np.ndarray, shape: tuple[int, ...],
                         param_axes: tuple[int, ...]) -> np.ndarray:
        """Accumulate dw, db; return g = dL/dx_hat (float64)."""
        if self.weight is not None:
            self.weight.accumulate(np.sum(dy * x_hat, axis=param_axes).reshape(self.weight.shape))
        if self.bias is not None:
            self.bias.accumulate(np.sum(dy, axis=param_axes).reshape(self.bias.shape))
        if self.weight is None:
            return dy
        return dy * self.weight.data.astype(_ACC).reshape(shape)

    @property
    def _param_dtype(self) -> np.dtype | None:
        p = self.weight if self.weight is not None else self.bias
        return None if p is None else p.dtype
