"""Batch and instance normalization with running statistics.

BatchNorm (statistics per channel over the batch and spatial dims, n values per channel)::

    train:  y = (x - mu) / sqrt(var + eps) * weight + bias          var BIASED (divides by n)
            running_mean = (1 - m) * running_mean + m * mu
            running_var  = (1 - m) * running_var  + m * var * n / (n - 1)     (UNBIASED), num_batches_tracked += 1
    eval:   y = (x - running_mean) / sqrt(running_var + eps) * weight + bias

``m = momentum`` weights the NEW batch; ``momentum=None`` uses the cumulative average ``m = 1/num_batches_tracked``.
``track_running_stats=False``: no buffers, batch statistics in eval too.

Backward in training mode (the statistics depend on x), derived in ``_kernels.py``::

    dx = (w * rstd) * (dy - mean(dy) - x_hat * mean(dy * x_hat))      means per channel over the n values
    dw = sum(dy * x_hat),  db = sum(dy)

In eval mode the running statistics are constants: ``dx = dy * w * rstd_running``.

InstanceNorm: the same per (sample, channel) over the spatial dims; with track_running_stats the buffers move
by the batch-average of the per-instance mean and unbiased variance (num_batches_tracked is never incremented,
and momentum=None means NO update, as torch passes momentum 0.0), and eval then uses them.

Statistics and outputs are computed in float64 and cast back to the input dtype (see ``_kernels.py``).
"""

from __future__ import annotations

import math
import warnings

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

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


def _integer_input(x: np.ndarray) -> None:
    """batch_norm has no integer kernel: NotImplementedError, checked before the dtype match."""
    if x.dtype.kind in "iub":
        raise NotImplementedError(f'"batch_norm" not implemented for integer input (got {x.dtype})')


class _NormBase(_AffineNorm):
    """Parameters and buffers shared by batch and instance norm (torch's _NormBase): weight (ones), bias
    (zeros), running_mean (zeros), running_var (ones) in the module dtype, num_batches_tracked (int64 scalar)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dt = check_float_dtype(dtype)
        if (affine or track_running_stats) and num_features < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {num_features}: [{num_features}]")
        self.weight = Parameter(np.ones(num_features, dt)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dt)) if affine and bias else None
        track = track_running_stats
        self.register_buffer("running_mean", np.zeros(num_features, dt) if track else None)
        self.register_buffer("running_var", np.ones(num_features, dt) if track else None)
        self.register_buffer("num_batches_tracked", np.array(0, np.int64) if track else None)

    @property
    def _dtype(self) -> np.dtype | None:
        """The dtype an input must have: the affine parameters', else the running statistics'. Derived, never
        stored, so that ``to()``/``double()`` moves it with the tensors."""
        if self._param_dtype is not None:
            return self._param_dtype
        return None if self.running_mean is None else self.running_mean.dtype

    def _update_running(self, factor: float, mean: np.ndarray, unbiased_var: np.ndarray) -> None:
        """running = (1 - factor) * running + factor * new, computed in float64, stored in the buffer dtype."""
        for name, new in (("running_mean", mean), ("running_var", unbiased_var)):
            old = self._buffers[name]
            self.set_buffer(name, ((1.0 - factor) * old.astype(_ACC) + factor * new).astype(old.dtype))

    def _running_stats(self, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        mean = self.running_mean.astype(_ACC).reshape(shape)
        return mean, 1.0 / np.sqrt(self.running_var.astype(_ACC).reshape(shape) + self.eps)

    def _backward(self, dy64: np.ndarray, cache: tuple) -> np.ndarray:
        """Shared by batch and instance norm: batch statistics -> full formula; running ones -> dy * w * rstd."""
        x_hat, rstd, batch_stats, axes, shape = cache
        param_axes = tuple(i for i in range(dy64.ndim) if i != 1)
        with quiet_if(nonfinite(dy64, x_hat)):
            g = self._affine_backward(dy64, x_hat, shape, param_axes)
            if rstd is None:  # empty input
                return np.zeros_like(g)
            if batch_stats:
                return normalize_backward(g, x_hat, rstd, axes)
            return g * rstd

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    _ndims: tuple[int, ...] = ()

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        if x.ndim not in self._ndims:
            raise ValueError(f"expected {' or '.join(f'{d}D' for d in self._ndims)} input (got {x.ndim}D input)")
        if self.training and self.track_running_stats:
            # incremented before any other check, exactly where torch's forward does it
            self.set_buffer("num_batches_tracked", np.array(self.num_batches_tracked + 1, np.int64))
        batch_stats = self.training or self.running_mean is None
        if batch_stats:
            verify_batch_size(x.shape)
            if self.eps <= 0:
                raise ValueError(f"batch_norm eps must be positive during training, but got {self.eps}")
        elif self.eps < 0:
            raise ValueError(f"batch_norm eps must be non-negative, but got {self.eps}")
        _integer_input(x)
        has_tensors = self.weight is not None or self.running_mean is not None
        x = float_input(x, "batch_norm", self._dtype if has_tensors else None)
        c = x.shape[1]
        if has_tensors and c != self.num_features:
            raise RuntimeError(f"running_mean should contain {c} elements not {self.num_features} "
                               f"(input has {c} channels, {type(self).__name__} expects {self.num_features})")
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        x64 = np.asarray(x, _ACC)
        with quiet_if(nonfinite(x)):
            if not batch_stats:
                mean, rstd = self._running_stats(shape)
                x_hat = (x64 - mean) * rstd
            elif x.size:
                x_hat, mean, var, rstd = normalize(x64, axes, self.eps)
                if self.training and self.track_running_stats:
                    n = x.size // c  # >= 2, checked above
                    if self.momentum is None:  # the cumulative average
                        factor = 1.0 / float(self.num_batches_tracked)
                    else:
                        factor = float(self.momentum)
                    self._update_running(factor, mean.reshape(c), var.reshape(c) * (n / (n - 1)))
            else:  # empty batch: torch returns an empty output and leaves the running statistics alone
                x_hat, rstd = np.zeros(x.shape, _ACC), None
            y = self._affine(x_hat, shape)
        return self._save(y.astype(x.dtype), (x_hat, rstd, batch_stats, axes, shape), x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, cache, dtype = self._saved(dy)
        return self._backward(np.asarray(dy, _ACC), cache).astype(dtype)


class BatchNorm1d(_BatchNorm):
    """Batch normalization over a (N, C) or (N, C, L) input (statistics per channel over N and L).

    Args:
        num_features (int): C.
        eps (float, default 1e-5): added to the variance (must be > 0 in training, as torch checks).
        momentum (float or None, default 0.1): weight of the NEW batch in the running statistics; None = cumulative
            average (1/num_batches_tracked).
        affine (bool, default True): learn weight (ones) and bias (zeros), shape (C,).
        track_running_stats (bool, default True): keep running_mean/var and num_batches_tracked buffers and use
            them in eval; if False, batch statistics are used in eval too.
        dtype (default np.float32): parameter and buffer dtype. bias (keyword, default True).
    Shape: (N, C) or (N, C, L), output the same. A training batch with one value per channel raises ValueError.
    Gradient: see the module docstring (full input gradient through the batch statistics in training).
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalization over a (N, C, H, W) input, statistics per channel over (N, H, W).

    Args, buffers and gradient as :class:`BatchNorm1d`.
    """

    _ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalization over a (N, C, D, H, W) input, statistics per channel over (N, D, H, W).

    Args, buffers and gradient as :class:`BatchNorm1d`. Shape: (N, C, D, H, W), output the same; any other rank
    raises ValueError ("expected 5D input"), and a training batch with N * D * H * W = 1 raises ValueError.
    """

    _ndims = (5,)


class _InstanceNorm(_NormBase):
    _no_batch_dim = 0

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, dtype=np.float32, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias)

    def forward(self, input: np.ndarray) -> np.ndarray:
        x = input
        if not isinstance(x, np.ndarray):
            raise TypeError(f"input must be a numpy.ndarray, got {type(x).__name__}")
        nb = self._no_batch_dim
        if x.ndim not in (nb, nb + 1):
            raise ValueError(f"expected {nb}D or {nb + 1}D input (got {x.ndim}D input)")
        fdim = x.ndim - nb
        if x.shape[fdim] != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={fdim} to match num_features "
                                 f"({self.num_features}), but got: {x.shape[fdim]}.")
            warnings.warn(f"input's size at dim={fdim} does not match num_features. You can silence this warning "
                          "by not passing in num_features, which is not used because affine=False", stacklevel=2)
        unbatched = x.ndim == nb
        xb = x[None] if unbatched else x
        use_input_stats = self.training or not self.track_running_stats
        if use_input_stats and math.prod(xb.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {list(xb.shape)}")
        _integer_input(x)
        # only the affine weight must match the input dtype: running buffers are cast (as torch's repeat/copy_)
        x = float_input(x, "batch_norm", self._dtype if self.weight is not None else None)
        n, c = xb.shape[:2]
        if self.track_running_stats and c != self.num_features:
            raise RuntimeError(f"running_mean should contain {n * c} elements not {n * self.num_features}")
        if n == 0 and self.weight is not None:  # torch selects instance 0 of the (empty) repeated weight
            raise IndexError("select(): index 0 out of range for tensor of size [0] at dimension 0 "
                             "(InstanceNorm with affine=True got an empty batch)")
        if n == 0 and self.training and self.track_running_stats:  # torch: mean over zero instances
            self._update_running(1.0, np.full(c, np.nan), np.full(c, np.nan))
        axes = tuple(range(2, xb.ndim))
        shape = (1, c) + (1,) * len(axes)
        x64 = np.asarray(xb, _ACC)
        with quiet_if(self.eps <= 0 or nonfinite(x)):  # eps 0 and a zero variance: 1 / 0, as torch
            if not use_input_stats:
                mean, rstd = self._running_stats(shape)
                x_hat = (x64 - mean) * rstd
            elif xb.size:
                x_hat, mean, var, rstd = normalize(x64, axes, self.eps)
                if self.eps == 0:  # torch's InvStd: 1 / sqrt(var + eps) is 0 where var and eps are both 0
                    zero = var == 0
                    rstd, x_hat = np.where(zero, 0.0, rstd), np.where(zero, 0.0, x_hat)
                if self.training and self.track_running_stats:
                    m = xb.size // (n * c)  # spatial count, >= 2
                    factor = 0.0  # momentum None: torch passes 0.0, the buffers never move
                    if self.momentum is not None:
                        factor = float(self.momentum)
                    self._update_running(factor, mean.reshape(n, c).mean(0),
                                         (var.reshape(n, c) * (m / (m - 1))).mean(0))
            else:
                x_hat, rstd = np.zeros(xb.shape, _ACC), None
            y = self._affine(x_hat, shape)
        y = y[0] if unbatched else y
        return self._save(y.astype(x.dtype), (x_hat, rstd, use_input_stats, axes, shape), unbatched, x.dtype)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, cache, unbatched, dtype = self._saved(dy)
        dy64 = np.asarray(dy, _ACC)
        dx = self._backward(dy64[None] if unbatched else dy64, cache)
        return (dx[0] if unbatched else dx).astype(dtype)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalization: each (sample, channel) of a (N, C, L) or unbatched (C, L) input normalized over L.

    Args:
        num_features (int): C. eps (float, default 1e-5).
        momentum (float or None, default 0.1): running-statistics weight of the new batch (None: no update).
        affine (bool, default False): learn per-channel weight and bias.
        track_running_stats (bool, default False): keep running statistics and use them in eval.
        dtype (default np.float32). bias (keyword, default True).
    Shape: (N, C, L) or (C, L), output the same. One spatial element in training raises ValueError.
    Gradient: the batch-norm formula with statistics per (n, c) over L.
    """

    _no_batch_dim = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalization of a (N, C, H, W) or unbatched (C, H, W) input over (H, W). Args as
    :class:`InstanceNorm1d`."""

    _no_batch_dim = 3


class InstanceNorm3d(_InstanceNorm):
    """Instance normalization of a (N, C, D, H, W) or unbatched (C, D, H, W) input over (D, H, W). Args as
    :class:`InstanceNorm1d`; any other rank raises ValueError ("expected 4D or 5D input"), and D * H * W = 1 in
    training raises ValueError."""

    _no_batch_dim = 4
