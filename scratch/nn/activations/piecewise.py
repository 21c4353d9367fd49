"""Piecewise-linear activations: ReLU, LeakyReLU, PReLU.

They compute in the input's dtype, as torch does. Gradients at kinks follow torch exactly: relu'(0) = 0,
leaky_relu'(0) = negative_slope, prelu'(0) = a.
"""

from __future__ import annotations

import numpy as np

from ..base import CachedModule
from ..module import Parameter, check_float_dtype, check_input
from ._common import _float_input

__all__ = ["ReLU", "LeakyReLU", "PReLU"]


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
