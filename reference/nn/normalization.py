"""Twins of scratch.nn's normalization layers: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d",
           "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm",
           "CrossMapLRN2d"]

BatchNorm1d = twin(torch.nn.BatchNorm1d, has_params=True)
BatchNorm2d = twin(torch.nn.BatchNorm2d, has_params=True)
BatchNorm3d = twin(torch.nn.BatchNorm3d, has_params=True)
InstanceNorm1d = twin(torch.nn.InstanceNorm1d, has_params=True)
InstanceNorm2d = twin(torch.nn.InstanceNorm2d, has_params=True)
InstanceNorm3d = twin(torch.nn.InstanceNorm3d, has_params=True)
LayerNorm = twin(torch.nn.LayerNorm, has_params=True)
GroupNorm = twin(torch.nn.GroupNorm, has_params=True)
RMSNorm = twin(torch.nn.RMSNorm, has_params=True)
LocalResponseNorm = twin(torch.nn.LocalResponseNorm)
CrossMapLRN2d = twin(torch.nn.CrossMapLRN2d)
