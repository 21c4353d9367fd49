"""Linear, Identity and Flatten."""

from __future__ import annotations

import numpy as np

from ._math import normalize_dim
from .base import CachedModule
from .module import Parameter, check_float_dtype, check_input, check_same_dtype

__all__ = ["Identity", "Linear", "Flatten"]


class Linear(CachedModule):
    """y = x W^T + b.

    Args:
        in_features, out_features (int): sizes of each input and output sample.
        bias (bool, default True): learn an additive bias.
        dtype (default np.float32, like torch): parameter and compute dtype.
        rng (np.random.Generator, optional): source of the initial values; a fresh one if None.
    Init: weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)) (torch's kaiming_uniform_(a=sqrt 5)).
    Shape: input (*, in_features), output (*, out_features). weight (out_features, in_features), bias (out,).
    Gradient: dx = dy W; dW = sum over samples dy^T x; db = sum over samples dy.
    ``needs_input_grad`` (attribute, default True): set it False on a layer whose input is data, and backward
    skips the dx product and returns None, as torch skips it for an input that does not require grad.
    """

    needs_input_grad: bool = True

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if in_features < 0 or out_features < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension: "
                               f"in_features={in_features}, out_features={out_features}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        bound = 1.0 / np.sqrt(in_features) if in_features > 0 else 0.0
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(dt))
        self.bias = Parameter(rng.uniform(-bound, bound, out_features).astype(dt)) if bias else None

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = check_input(input)
        if x.ndim == 0:
            raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
        check_same_dtype(x, self.weight.dtype, "Linear")
        if x.shape[-1] != self.in_features:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied: input has {x.shape[-1]} features "
                               f"(shape {x.shape}), Linear expects in_features={self.in_features}")
        # A batch of rows as (W x^T)^T: the same dot products as x W^T, but OpenBLAS runs this orientation
        # up to 1.7x faster for small float32 batches (16x784 by 784x600: ~250 us instead of ~415 us).
        y = (self.weight.data @ x.T).T if x.ndim == 2 else x @ self.weight.data.T
        if self.bias is not None:
            y = y + self.bias.data
        return self._save(y, x.copy())  # owned: the caller may reuse its input array before backward

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        dy, x = self._saved(dy)
        dy2 = dy.reshape(-1, self.out_features)
        self.weight.accumulate(dy2.T @ x.reshape(-1, self.in_features), owned=True)  # a fresh product
        if self.bias is not None:
            self.bias.accumulate(dy2.sum(axis=0), owned=True)
        return dy @ self.weight.data if self.needs_input_grad else None

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Identity(CachedModule):
    """y = x (any arguments are accepted and ignored, as torch's). Gradient: dy."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: np.ndarray) -> np.ndarray:
        return self._save(input)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        (dy,) = self._saved(dy)
        return dy


class Flatten(CachedModule):
    """Flattens dims start_dim..end_dim into one.

    Args: start_dim (int, default 1), end_dim (int, default -1). Shape: (N, *dims) -> (N, prod(dims)).
    Gradient: dy reshaped back to the input shape.
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = np.asarray(input)
        s, e = normalize_dim(self.start_dim, x.ndim), normalize_dim(self.end_dim, x.ndim)
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        shape = x.shape[:s] + (int(np.prod(x.shape[s:e + 1])),) + x.shape[e + 1:] if x.ndim else (1,)
        return self._save(x.reshape(shape), x.shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, shape = self._saved(dy)
        return dy.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
