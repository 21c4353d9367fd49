"""Twins of scratch.nn's padding layers: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]

ZeroPad1d = twin(torch.nn.ZeroPad1d)
ZeroPad2d = twin(torch.nn.ZeroPad2d)
ZeroPad3d = twin(torch.nn.ZeroPad3d)
ConstantPad1d = twin(torch.nn.ConstantPad1d)
ConstantPad2d = twin(torch.nn.ConstantPad2d)
ConstantPad3d = twin(torch.nn.ConstantPad3d)
ReflectionPad1d = twin(torch.nn.ReflectionPad1d)
ReflectionPad2d = twin(torch.nn.ReflectionPad2d)
ReflectionPad3d = twin(torch.nn.ReflectionPad3d)
ReplicationPad1d = twin(torch.nn.ReplicationPad1d)
ReplicationPad2d = twin(torch.nn.ReplicationPad2d)
ReplicationPad3d = twin(torch.nn.ReplicationPad3d)
CircularPad1d = twin(torch.nn.CircularPad1d)
CircularPad2d = twin(torch.nn.CircularPad2d)
CircularPad3d = twin(torch.nn.CircularPad3d)
