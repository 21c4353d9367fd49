"""Twins of scratch.nn's pooling family. With ``return_indices=True`` the forward returns ``(output, indices)``
and backward takes the output's cotangent (the int64 indices take none), as TorchModule does for every block."""

import torch

from .base import twin

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d",
           "LPPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "AdaptiveMaxPool1d",
           "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]

MaxPool1d = twin(torch.nn.MaxPool1d)
MaxPool2d = twin(torch.nn.MaxPool2d)
MaxPool3d = twin(torch.nn.MaxPool3d)
AvgPool1d = twin(torch.nn.AvgPool1d)
AvgPool2d = twin(torch.nn.AvgPool2d)
AvgPool3d = twin(torch.nn.AvgPool3d)
LPPool1d = twin(torch.nn.LPPool1d)
LPPool2d = twin(torch.nn.LPPool2d)
LPPool3d = twin(torch.nn.LPPool3d)
AdaptiveAvgPool1d = twin(torch.nn.AdaptiveAvgPool1d)
AdaptiveAvgPool2d = twin(torch.nn.AdaptiveAvgPool2d)
AdaptiveAvgPool3d = twin(torch.nn.AdaptiveAvgPool3d)
AdaptiveMaxPool1d = twin(torch.nn.AdaptiveMaxPool1d)
AdaptiveMaxPool2d = twin(torch.nn.AdaptiveMaxPool2d)
AdaptiveMaxPool3d = twin(torch.nn.AdaptiveMaxPool3d)
MaxUnpool1d = twin(torch.nn.MaxUnpool1d)
MaxUnpool2d = twin(torch.nn.MaxUnpool2d)
MaxUnpool3d = twin(torch.nn.MaxUnpool3d)
