"""Twins of scratch.nn's dropout blocks: real torch modules that apply the SAME mask as scratch.

torch's own RNG stream cannot be reproduced in NumPy, so each twin owns a numpy Generator (injected like
scratch's ``rng=``) and, wherever torch would draw a Bernoulli mask, makes the very same draw as scratch
(``keep = rng.random(mask_shape) >= p``), then applies it with torch's formula from ATen's ``_dropout_impl``:
``noise = keep.to(dtype).div_(1 - p); y = x * noise``, or for the alpha variants
``b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p); noise.mul_(a); y = x * noise + b`` (autograd gives
dx = dy * noise). Every other path (eval, p == 0, p == 1, a NaN p, empty or integer input, a rank torch rejects,
the rank warnings) is torch's own functional, which draws nothing there.

The inner modules subclass the torch modules (so torch validates ``p``), hence they compose into
``reference.nn.Sequential``'s real torch.nn.Sequential and train in a plain torch loop.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .base import TorchModule

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]

SELU_ALPHA_SCALE = 1.7580993408473766  # ATen's alpha_dropout constant (SELU's alpha * scale)


def _keep(x: torch.Tensor, rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.from_numpy(np.asarray(rng.random(shape) >= p)).to(x.dtype)


def _masked(x: torch.Tensor, rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> torch.Tensor:
    return x * _keep(x, rng, p, shape).div_(1 - p)


def _alpha_masked(x: torch.Tensor, rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> torch.Tensor:
    noise = _keep(x, rng, p, shape)
    a = 1.0 / math.sqrt((SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
    b = noise.add(-1).mul_(SELU_ALPHA_SCALE * a).add_(SELU_ALPHA_SCALE * a * p)
    return x * noise.mul_(a) + b


def _torch_path(x: torch.Tensor, p: float, training: bool) -> bool:
    """True where torch's dropout returns without drawing a mask, or raises (the twin defers to torch)."""
    return not training or p == 0 or p == 1 or p != p or x.numel() == 0 or not x.is_floating_point()


def _feature(x: torch.Tensor) -> tuple[int, ...] | None:
    """torch's make_feature_noise shape (N, C, 1, ...); None below 2 dims (torch raises its own error)."""
    return tuple(x.shape[:2]) + (1,) * (x.dim() - 2) if x.dim() >= 2 else None


def _unbatched_feature(x: torch.Tensor) -> tuple[int, ...] | None:
    """F.dropout3d on a rank other than 5: a batch dim of 1 added, the feature mask, the batch dim removed."""
    shape = _feature(x[None])
    return None if shape is None else shape[1:]


def _seeded(torch_cls: type, functional, mask_shape, apply=_masked) -> type:
    """A ``torch_cls`` subclass whose mask comes from a numpy Generator (see the module docstring)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        torch_cls.__init__(self, p, inplace)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        x = input
        shape = None if _torch_path(x, self.p, self.training) else mask_shape(x)
        if shape is None:
            return functional(x, self.p, self.training)
        functional(x.detach(), self.p, False)  # torch's own rank warnings and errors (eval mode: no draw)
        return apply(x, self.rng, self.p, shape)

    return type(f"Seeded{torch_cls.__name__}", (torch_cls,), {
        "__init__": __init__, "forward": forward, "_get_name": lambda self: torch_cls.__name__,  # torch's repr
        "__doc__": f"torch.nn.{torch_cls.__name__} whose mask comes from a numpy Generator."})


SeededDropout = _seeded(torch.nn.Dropout, F.dropout, lambda x: tuple(x.shape))
SeededDropout1d = _seeded(torch.nn.Dropout1d, F.dropout1d, lambda x: tuple(x.shape[:-1]) + (1,)
                          if x.dim() in (2, 3) else None)
SeededDropout2d = _seeded(torch.nn.Dropout2d, F.dropout2d, _feature)
SeededDropout3d = _seeded(torch.nn.Dropout3d, F.dropout3d, lambda x: _feature(x) if x.dim() == 5
                          else _unbatched_feature(x))
SeededAlphaDropout = _seeded(torch.nn.AlphaDropout, F.alpha_dropout, lambda x: tuple(x.shape), _alpha_masked)
SeededFeatureAlphaDropout = _seeded(torch.nn.FeatureAlphaDropout, F.feature_alpha_dropout, _feature, _alpha_masked)


def _twin(seeded: type) -> type:
    name = seeded.__name__.removeprefix("Seeded")

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        TorchModule.__init__(self, seeded(p, inplace, rng))

    return type(name, (TorchModule,), {"__init__": __init__, "__module__": __name__,
                                       "__doc__": f"Twin of scratch.nn.{name} (p=0.5, inplace=False, rng=None)."})


Dropout = _twin(SeededDropout)
Dropout1d = _twin(SeededDropout1d)
Dropout2d = _twin(SeededDropout2d)
Dropout3d = _twin(SeededDropout3d)
AlphaDropout = _twin(SeededAlphaDropout)
FeatureAlphaDropout = _twin(SeededFeatureAlphaDropout)
