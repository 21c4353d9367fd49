"""Activations along one dim: Softmax, LogSoftmax, Softmin, Softmax2d, GLU.

Computed in float64 and rounded once for float32 input (see ``_common``).
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _math
from ..base import CachedModule
from ._common import _float_input, _hi

__all__ = ["Softmax", "LogSoftmax", "Softmin", "Softmax2d", "GLU"]


def _softmax_dim(dim: int | None, ndim: int, name: str) -> int:
    """dim=None reproduces torch's deprecated implicit choice (0 for 0-, 1- and 3-d input, else 1)."""
    if dim is None:
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
                      "dim=X as an argument.", UserWarning, stacklevel=3)
        dim = 0 if ndim in (0, 1, 3) else 1
    return _math.normalize_dim(dim, ndim)


class _AlongDim(CachedModule):
    """Shared shape handling of Softmax, LogSoftmax and Softmin: ``dim`` validation, the 0-d case, the cache."""

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



class Softmin(_AlongDim):
    """Softmin(x) = Softmax(-x) along ``dim`` (torch computes ``(-x).softmax(dim)``).

    Args: dim (int or None; None reproduces torch's deprecated implicit choice, with its warning).
    Shape: any; output like input. Gradient: -y * (dy - sum(dy * y, dim)).
    """

    _name = "softmin"
    _scalar = staticmethod(np.ones_like)

    def forward(self, input: np.ndarray) -> np.ndarray:
        if isinstance(input, np.ndarray) and input.dtype.kind == "b":  # torch negates first
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported.")
        return super().forward(input)

    @staticmethod
    def _along(x: np.ndarray, axis: int) -> np.ndarray:
        return _math.softmax(-x, axis)

    @staticmethod
    def _grad(y: np.ndarray, dy: np.ndarray, axis: int) -> np.ndarray:
        return -Softmax._grad(y, dy, axis)


class Softmax2d(Softmax):
    """Softmax over the channels at every spatial location: Softmax(dim=-3).

    Shape: (C, H, W) or (N, C, H, W), output like input; any other rank is a ValueError, as torch.
    Gradient: as Softmax's, along dim -3.
    """

    def __init__(self) -> None:
        super().__init__(dim=-3)

    def forward(self, input: np.ndarray) -> np.ndarray:
        if np.ndim(input) not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {np.ndim(input)}D instead")
        return super().forward(input)

    def extra_repr(self) -> str:
        return ""


class GLU(CachedModule):
    """GLU(x) = a * sigmoid(b), where a and b are the first and second halves of x along ``dim``.

    Args: dim (int, default -1). Shape: (*, 2n, *) -> (*, n, *); an odd size along dim and a 0-d input are
    RuntimeErrors, a dim out of range IndexError, as torch.
    Gradient: da = sigmoid(b) dy, db = a sigmoid(b) sigmoid(-b) dy (sigmoid(-b) for torch's 1 - sigmoid(b), without
    its cancellation).
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: np.ndarray) -> np.ndarray:
        if np.ndim(input) == 0:
            raise RuntimeError("glu does not support scalars because halving size must be even")
        axis = _math.normalize_dim(self.dim, np.ndim(input))
        if np.shape(input)[axis] % 2:
            raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                               f"{np.shape(input)[axis]}")
        x = _float_input(input, "glu_cpu")
        a, b = (half.astype(np.float64) for half in np.split(x, 2, axis=axis))  # copies: backward owns them
        s = _math.sigmoid(b)
        return self._save((a * s).astype(x.dtype), a, s, _math.sigmoid(-b), axis)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, a, s, s_neg, axis = self._saved(dy)
        d = _hi(dy)
        return np.concatenate([s * d, a * s * s_neg * d], axis=axis).astype(dy.dtype)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"
