"""Activations along one dim: Softmax, LogSoftmax.

Computed in float64 and rounded once for float32 input (see ``_common``).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _math
from ..base import CachedModule
from ._common import _float_input, _hi

__all__ = ["Softmax", "LogSoftmax"]


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
