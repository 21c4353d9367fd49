"""Dropout and Dropout2d (inverted dropout, masks drawn from the module's own numpy Generator).

Mask convention (the reference twin draws with the very same call, so identically seeded generators give
identical masks): at each training forward with 0 < p < 1 and a non-empty input, ONE call
``keep = rng.random(mask_shape) >= p`` (P(keep) = 1 - p). Then, exactly as torch's ``_dropout_impl``::

    noise = keep / (1 - p)        # in the input dtype: float32 noise is float32(1) / float32(1 - p), as torch
    y = x * noise                 # dL/dx = dy * noise

(``x * keep * (1/(1-p))`` with a float64 reciprocal would differ from torch in the last float32 bit for e.g.
p = 0.04, 0.45, 0.52.) No draw happens where torch returns early: eval mode, p == 0 or an empty input
(identity), and p == 1 (``y = x * 0``: zeros, NaN where x is inf/NaN, as torch).
"""

from __future__ import annotations

import warnings

import numpy as np

from .base import CachedModule
from .module import check_input

__all__ = ["Dropout", "Dropout2d"]


class _DropoutNd(CachedModule):
    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if p < 0 or p > 1:  # the same comparison as torch: a str p raises TypeError, NaN passes
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace
        self.rng = rng if rng is not None else np.random.default_rng()

    def _mask_shape(self, x: np.ndarray) -> tuple[int, ...]:
        raise NotImplementedError

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if not self.training or self.p == 0 or x.size == 0:
            return self._save(x.copy(), None)
        if self.p == 1:
            with np.errstate(invalid="ignore"):  # inf * 0 = NaN, exactly torch's result
                return self._save(np.asarray(x * np.zeros((), x.dtype)), np.zeros((), x.dtype))
        if x.dtype.kind in "iub":
            raise RuntimeError(f"result type Double can't be cast to the desired output type {x.dtype} "
                               "(dropout needs a floating-point input)")
        x = check_input(x)
        keep = self.rng.random(self._mask_shape(x)) >= self.p
        noise = keep.astype(x.dtype) / np.asarray(1.0 - self.p, x.dtype)
        with np.errstate(invalid="ignore"):  # a dropped inf gives inf * 0 = NaN, exactly torch's result
            return self._save(np.asarray(x * noise), noise)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, noise = self._saved(dy)
        if noise is None:
            return dy.copy()
        with np.errstate(invalid="ignore"):  # inf * 0 = NaN, as torch's dy * noise
            return np.asarray(dy * noise)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """During training, zero each element with probability p and scale the rest by 1/(1-p); identity in eval.

    Args:
        p (float, default 0.5): DROP probability, in [0, 1] (ValueError otherwise, as torch).
        inplace (bool, default False): accepted for signature compatibility; the output is always a new array
            (the numpy input is never modified, like the reference twin behind its numpy boundary).
        rng (np.random.Generator, optional): source of the masks; a fresh unseeded one if None.
    Shape: any. Gradient: dy * keep / (1 - p) with the forward's mask (dy in eval).
    """

    def _mask_shape(self, x: np.ndarray) -> tuple[int, ...]:
        return x.shape


class Dropout2d(_DropoutNd):
    """Channel dropout: zero whole channels x[n, c] with probability p, scale the rest by 1/(1-p).

    Args as :class:`Dropout`. Shape: (N, C, H, W) (mask (N, C, 1, 1)). Like torch, a 3-D input is taken as
    (N, C, L) with a warning, other ranks >= 2 use the mask (N, C, 1, ...) with a deprecation warning, and a
    1-D input raises RuntimeError in training. Gradient: dy * mask / (1 - p).
    """

    def forward(self, input: np.ndarray) -> np.ndarray:
        ndim = np.ndim(input)
        if ndim not in (3, 4):
            warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
                          "result in an error in a future release. To retain the behavior and silence this "
                          "warning, please use dropout instead. Note that dropout2d exists to provide channel-wise "
                          "dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch "
                          "dimension (i.e. 3D or 4D inputs).", stacklevel=3)
        if ndim == 3:
            warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                          "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                          "dim. This behavior will change in a future release to interpret the input as one without "
                          "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                          "behavior, please switch to using dropout1d instead.", stacklevel=3)
        return super().forward(input)

    def _mask_shape(self, x: np.ndarray) -> tuple[int, ...]:
        if x.ndim < 2:
            raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (got {x.ndim}-D)")
        return x.shape[:2] + (1,) * (x.ndim - 2)
