"""Twins of scratch.nn's linear family."""

import torch

from ._lazy import lazy_twin
from .base import twin

__all__ = ["Identity", "Linear", "LazyLinear", "Bilinear", "Flatten", "Unflatten"]

Identity = twin(torch.nn.Identity)
Linear = twin(torch.nn.Linear, has_params=True)
LazyLinear = lazy_twin(torch.nn.LazyLinear, Linear)
Bilinear = twin(torch.nn.Bilinear, has_params=True)
Flatten = twin(torch.nn.Flatten)
Unflatten = twin(torch.nn.Unflatten)
