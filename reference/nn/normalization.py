"""Twins of scratch.nn's normalization layers: the real torch modules behind the numpy boundary."""

import torch

from ._lazy import lazy_twin
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

LAZY = ["LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
        "LazyInstanceNorm3d"]
LazyBatchNorm1d = lazy_twin(torch.nn.LazyBatchNorm1d, BatchNorm1d)
LazyBatchNorm2d = lazy_twin(torch.nn.LazyBatchNorm2d, BatchNorm2d)
LazyBatchNorm3d = lazy_twin(torch.nn.LazyBatchNorm3d, BatchNorm3d)
LazyInstanceNorm1d = lazy_twin(torch.nn.LazyInstanceNorm1d, InstanceNorm1d)
LazyInstanceNorm2d = lazy_twin(torch.nn.LazyInstanceNorm2d, InstanceNorm2d)
LazyInstanceNorm3d = lazy_twin(torch.nn.LazyInstanceNorm3d, InstanceNorm3d)
__all__ += LAZY
