"""Twins of scratch.nn's convolutions: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

Conv1d = twin(torch.nn.Conv1d, has_params=True)
Conv2d = twin(torch.nn.Conv2d, has_params=True)
Conv3d = twin(torch.nn.Conv3d, has_params=True)
ConvTranspose1d = twin(torch.nn.ConvTranspose1d, has_params=True)
ConvTranspose2d = twin(torch.nn.ConvTranspose2d, has_params=True)
ConvTranspose3d = twin(torch.nn.ConvTranspose3d, has_params=True)
