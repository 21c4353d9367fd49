"""Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout (masks drawn from the module's own
numpy Generator).

Mask convention (the reference twin draws with the very same call, so identically seeded generators give
identical masks): at each training forward with 0 < p < 1 and a non-empty input, ONE call
``keep = rng.random(mask_shape) >= p`` (P(keep) = 1 - p); the mask shape is the input's (Dropout, AlphaDropout)
or one entry per channel (the feature variants, see each class). Then, exactly as torch's ``_dropout_impl``::

    noise = keep / (1 - p)        # in the input dtype: float32 noise is float32(1) / float32(1 - p), as torch
    y = x * noise                 # dL/dx = dy * noise

and for the alpha variants (SELU's alpha = 1.6732632423543772 * scale 1.0507009873554805 = 1.7580993408473766;
a = 1 / sqrt((alpha^2 p + 1)(1 - p)), both in float64, then each product rounded to the input dtype as torch's
scalar ops do)::

    b = (keep - 1) * (alpha a) + alpha a p;   noise = keep * a;   y = x * noise + b      # dL/dx = dy * noise

so a kept x becomes a x + alpha a p and a dropped one alpha a (p - 1) = a (-alpha) + alpha a p: the dropped value
is SELU's saturation -alpha before the affine map that restores zero mean and unit variance.

(``x * keep * (1/(1-p))`` with a float64 reciprocal would differ from torch in the last float32 bit for e.g.
p = 0.04, 0.45, 0.52.) No draw happens where torch returns early: eval mode, p == 0 or an empty input
(identity), and p == 1 (``y = x * 0``: zeros, NaN where x is inf/NaN, as torch; the alpha variants too). A NaN p
passes the constructor's check (``p < 0 or p > 1``) and is torch's RuntimeError at every call, eval included.
"""

from __future__ import annotations

import warnings

import numpy as np

from .base import CachedModule
from .module import check_input

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]

SELU_ALPHA_SCALE = 1.7580993408473766  # SELU's alpha * scale: -this is SELU's negative saturation value

_RANK_WARNING = ("dropout{n}d: Received a {ndim}-D input to dropout{n}d, which is deprecated and will result in an "
                 "error in a future release. To retain the behavior and silence this warning, please use dropout "
                 "instead. Note that dropout{n}d exists to provide channel-wise dropout on inputs with {n} spatial "
                 "dimensions, a channel dimension, and an optional batch dimension (i.e. {lo}D or {hi}D inputs).")


def _feature_mask_shape(x: np.ndarray) -> tuple[int, ...]:
    """torch's make_feature_noise: one draw per (N, C), broadcast over the rest; fewer than 2 dims raise."""
    if x.ndim < 2:
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (got {x.ndim}-D)")
    return x.shape[:2] + (1,) * (x.ndim - 2)


class _DropoutNd(CachedModule):
    _alpha = False  # AlphaDropout, FeatureAlphaDropout: the affine alpha-dropout noise

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if p < 0 or p > 1:  # the same comparison as torch: a str p raises TypeError, NaN passes
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace
        self.rng = rng if rng is not None else np.random.default_rng()

    def _check_rank(self, x: np.ndarray) -> None:
        """torch's functional's rank rule (errors or warnings), at every call, before anything else."""

    def _mask_shape(self, x: np.ndarray) -> tuple[int, ...]:
        return x.shape

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        self._check_rank(x)
        if self.p != self.p:  # ATen's check (p >= 0 && p <= 1) catches the NaN the constructor let through
            raise RuntimeError("dropout probability has to be between 0 and 1, but got nan")
        if not self.training or self.p == 0 or x.size == 0:
            return self._save(x.copy(), None)
        if self.p == 1:
            with np.errstate(invalid="ignore"):  # inf * 0 = NaN, exactly torch's result
                return self._save(np.asarray(x * np.zeros((), x.dtype)), np.zeros((), x.dtype))
        if x.dtype.kind in "iub":
            raise RuntimeError(f"result type Float can't be cast to the desired output type {x.dtype} "
                               "(dropout needs a floating-point input)")
        x = check_input(x)
        keep = self.rng.random(self._mask_shape(x)) >= self.p
        noise, shift = self._noise(keep, x.dtype)
        with np.errstate(invalid="ignore"):  # a dropped inf gives inf * 0 = NaN, exactly torch's result
            y = x * noise
            return self._save(np.asarray(y if shift is None else y + shift), noise)

    def _noise(self, keep: np.ndarray, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray | None]:
        """(noise, shift): y = x * noise (+ shift), both in the input dtype with torch's roundings."""
        k = keep.astype(dtype)
        if not self._alpha:
            return k / np.asarray(1.0 - self.p, dtype), None
        p, alpha = float(self.p), SELU_ALPHA_SCALE
        a = 1.0 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
        shift = (k - 1) * np.asarray(alpha * a, dtype) + np.asarray(alpha * a * p, dtype)
        return k * np.asarray(a, dtype), shift

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


class Dropout1d(_DropoutNd):
    """Channel dropout for (N, C, L): zero whole channels x[n, c] with probability p, scale the rest by 1/(1-p).

    Args as :class:`Dropout`. Shape: (N, C, L) (mask (N, C, 1)) or unbatched (C, L) (mask (C, 1)); any other rank
    is a RuntimeError, in eval too (torch checks the rank before anything else). Gradient: dy * mask / (1 - p).
    """

    def _check_rank(self, x):
        if x.ndim not in (2, 3):
            raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that "
                               "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
                               "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")

    def _mask_shape(self, x):
        return x.shape[:-1] + (1,)


class Dropout2d(_DropoutNd):
    """Channel dropout: zero whole channels x[n, c] with probability p, scale the rest by 1/(1-p).

    Args as :class:`Dropout`. Shape: (N, C, H, W) (mask (N, C, 1, 1)). Like torch, a 3-D input is taken as
    (N, C, L) with a warning, other ranks >= 2 use the mask (N, C, 1, ...) with a deprecation warning, and a
    1-D input raises RuntimeError in training. Gradient: dy * mask / (1 - p).
    """

    def _check_rank(self, x):
        if x.ndim not in (3, 4):
            warnings.warn(_RANK_WARNING.format(n=2, ndim=x.ndim, lo=3, hi=4), stacklevel=4)
        if x.ndim == 3:
            warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                          "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                          "dim. This behavior will change in a future release to interpret the input as one without "
                          "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                          "behavior, please switch to using dropout1d instead.", stacklevel=4)

    _mask_shape = staticmethod(_feature_mask_shape)


class Dropout3d(_DropoutNd):
    """Channel dropout for volumes: zero whole channels x[n, c] with probability p, scale the rest by 1/(1-p).

    Args as :class:`Dropout`. Shape: (N, C, D, H, W) (mask (N, C, 1, 1, 1)) or unbatched (C, D, H, W) (mask
    (C, 1, 1, 1)). TRAP, as torch: every rank but 5 is taken as unbatched (torch adds a batch dim of 1), with a
    deprecation warning for ranks other than 4, so dim 0 is the channel dim: a 3-D (A, B, L) input drops whole
    x[a], a 1-D one single elements, and a 0-D one raises RuntimeError in training. Gradient: dy * mask / (1 - p).
    """

    def _check_rank(self, x):
        if x.ndim not in (4, 5):
            warnings.warn(_RANK_WARNING.format(n=3, ndim=x.ndim, lo=4, hi=5), stacklevel=4)

    def _mask_shape(self, x):
        if x.ndim == 5:
            return _feature_mask_shape(x)
        return _feature_mask_shape(x[None])[1:]


class AlphaDropout(_DropoutNd):
    r"""Alpha dropout (for SELU networks): drop to SELU's saturation value, then an affine map that keeps zero
    mean and unit variance for standard-normal inputs:

    .. math::
        y = a (m x - lpha' (1 - m)) + lpha' a p, \quad m \sim \mathrm{Bernoulli}(1 - p),
        \quad a = ((lpha'^2 p + 1)(1 - p))^{-1/2}, \quad lpha' = 1.7580993408473766

    (torch's ``_dropout_impl`` formula; see the module docstring for its float32 roundings).

    Args as :class:`Dropout` (torch's module ignores ``inplace``). Shape: any. p = 1 gives zeros (``x * 0``, NaN at
    inf), not the saturation value; eval and p = 0 are the identity. Gradient: dy * a * m (the shift is constant).
    """

    _alpha = True


class FeatureAlphaDropout(AlphaDropout):
    """Alpha dropout of whole channels: one mask entry per x[n, c] (mask (N, C, 1, ...)), with AlphaDropout's
    affine map.

    Args as :class:`Dropout`. Shape: (N, C, *) with any number of trailing dims (no rank rule, unlike Dropout1d/
    2d/3d); a 1-D or 0-D input raises RuntimeError in training only. Gradient: dy * a * mask.
    """

    _mask_shape = staticmethod(_feature_mask_shape)
