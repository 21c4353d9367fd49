"""Twins of scratch.nn.Dropout / Dropout2d: real torch modules that apply the SAME mask as scratch.

torch's own RNG stream cannot be reproduced in NumPy, so each twin owns a numpy Generator (injected like
scratch's ``rng=``) and, wherever torch would draw a Bernoulli mask, makes the very same draw as scratch
(``keep = rng.random(mask_shape) >= p``), then applies it with torch's formula from ATen's ``_dropout_impl``:
``noise = keep.to(dtype).div_(1 - p); y = x * noise`` (autograd gives dx = dy * noise). Every other path
(eval, p == 0, p == 1, empty input, invalid input, Dropout2d's warnings) is torch's own ``F.dropout`` /
``F.dropout2d``, which draws nothing there.

The inner modules subclass torch.nn.Dropout / Dropout2d (so torch validates ``p``), hence they compose into
``reference.nn.Sequential``'s real torch.nn.Sequential and train in a plain torch loop.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .base import TorchModule

__all__ = ["Dropout", "Dropout2d"]


def _masked(x: torch.Tensor, rng: np.random.Generator, p: float, shape: tuple[int, ...]) -> torch.Tensor:
    keep = rng.random(shape) >= p
    noise = torch.from_numpy(np.asarray(keep)).to(x.dtype).div_(1 - p)
    return x * noise


def _torch_path(x: torch.Tensor, p: float, training: bool) -> bool:
    """True where torch's dropout returns without drawing a mask, or raises (the twin defers to torch)."""
    return not training or p == 0 or p == 1 or x.numel() == 0 or not x.is_floating_point()


class SeededDropout(torch.nn.Dropout):
    """torch.nn.Dropout whose Bernoulli mask comes from a numpy Generator (see the module docstring)."""

    def _get_name(self) -> str:
        return "Dropout"  # the repr of the module it stands for

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__(p, inplace)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        x = input
        if _torch_path(x, self.p, self.training):
            return F.dropout(x, self.p, self.training)
        return _masked(x, self.rng, self.p, tuple(x.shape))


class SeededDropout2d(torch.nn.Dropout2d):
    """torch.nn.Dropout2d whose channel mask (N, C, 1, ...) comes from a numpy Generator."""

    def _get_name(self) -> str:
        return "Dropout2d"

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__(p, inplace)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        x = input
        if _torch_path(x, self.p, self.training) or x.dim() < 2:  # < 2-D: torch raises its own error
            return F.dropout2d(x, self.p, self.training)
        F.dropout2d(x.detach(), self.p, False)  # torch's own rank warnings (eval mode: no draw, identity)
        return _masked(x, self.rng, self.p, tuple(x.shape[:2]) + (1,) * (x.dim() - 2))


class Dropout(TorchModule):
    """Twin of scratch.nn.Dropout (p=0.5, inplace=False, rng=None)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__(SeededDropout(p, inplace, rng))


class Dropout2d(TorchModule):
    """Twin of scratch.nn.Dropout2d (p=0.5, inplace=False, rng=None)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__(SeededDropout2d(p, inplace, rng))
