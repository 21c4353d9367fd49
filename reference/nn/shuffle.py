"""Twins of scratch.nn's shuffle layers: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["PixelShuffle", "PixelUnshuffle", "ChannelShuffle"]

PixelShuffle = twin(torch.nn.PixelShuffle)
PixelUnshuffle = twin(torch.nn.PixelUnshuffle)
ChannelShuffle = twin(torch.nn.ChannelShuffle)
