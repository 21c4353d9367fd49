"""Twins of scratch.nn's upsampling layers: the real torch modules (``F.interpolate``) behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]

Upsample = twin(torch.nn.Upsample)
UpsamplingNearest2d = twin(torch.nn.UpsamplingNearest2d)
UpsamplingBilinear2d = twin(torch.nn.UpsamplingBilinear2d)
