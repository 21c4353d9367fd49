"""Twins of scratch.nn's convolutions: the real torch modules behind the numpy boundary."""

import torch

from ._lazy import lazy_twin
from .base import twin

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d",
           "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d"]

Conv1d = twin(torch.nn.Conv1d, has_params=True)
Conv2d = twin(torch.nn.Conv2d, has_params=True)
Conv3d = twin(torch.nn.Conv3d, has_params=True)
ConvTranspose1d = twin(torch.nn.ConvTranspose1d, has_params=True)
ConvTranspose2d = twin(torch.nn.ConvTranspose2d, has_params=True)
ConvTranspose3d = twin(torch.nn.ConvTranspose3d, has_params=True)
LazyConv1d = lazy_twin(torch.nn.LazyConv1d, Conv1d)
LazyConv2d = lazy_twin(torch.nn.LazyConv2d, Conv2d)
LazyConv3d = lazy_twin(torch.nn.LazyConv3d, Conv3d)
LazyConvTranspose1d = lazy_twin(torch.nn.LazyConvTranspose1d, ConvTranspose1d)
LazyConvTranspose2d = lazy_twin(torch.nn.LazyConvTranspose2d, ConvTranspose2d)
LazyConvTranspose3d = lazy_twin(torch.nn.LazyConvTranspose3d, ConvTranspose3d)
