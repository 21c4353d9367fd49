"""Twins of scratch.nn's convolutions: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["Conv1d", "Conv2d", "Conv3d"]

Conv1d = twin(torch.nn.Conv1d, has_params=True)
Conv2d = twin(torch.nn.Conv2d, has_params=True)
Conv3d = twin(torch.nn.Conv3d, has_params=True)
