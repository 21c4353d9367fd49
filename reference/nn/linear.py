"""Twins of scratch.nn's linear family."""

import torch

from .base import twin

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]

Identity = twin(torch.nn.Identity)
Linear = twin(torch.nn.Linear, has_params=True)
Bilinear = twin(torch.nn.Bilinear, has_params=True)
Flatten = twin(torch.nn.Flatten)
Unflatten = twin(torch.nn.Unflatten)
