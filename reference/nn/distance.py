"""Twins of scratch.nn's distance functions: the real torch modules behind the numpy boundary (PairwiseDistance's
twin is with the losses, as scratch's block)."""

import torch

from .base import twin

__all__ = ["CosineSimilarity"]

CosineSimilarity = twin(torch.nn.CosineSimilarity)
