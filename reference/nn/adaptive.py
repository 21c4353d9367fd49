"""Twin of scratch.nn.AdaptiveLogSoftmaxWithLoss."""

import torch

from .base import twin

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

AdaptiveLogSoftmaxWithLoss = twin(torch.nn.AdaptiveLogSoftmaxWithLoss, has_params=True)
