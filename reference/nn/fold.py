"""Twins of scratch.nn's Fold and Unfold."""

import torch

from .base import twin

__all__ = ["Fold", "Unfold"]

Fold = twin(torch.nn.Fold)
Unfold = twin(torch.nn.Unfold)
