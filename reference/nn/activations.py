"""Twins of scratch.nn's activations: the real torch modules behind the numpy boundary."""

import torch

from .base import twin

__all__ = ["ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax", "LogSoftmax", "SiLU", "PReLU"]

ReLU = twin(torch.nn.ReLU)
LeakyReLU = twin(torch.nn.LeakyReLU)
ELU = twin(torch.nn.ELU)
Sigmoid = twin(torch.nn.Sigmoid)
Tanh = twin(torch.nn.Tanh)
GELU = twin(torch.nn.GELU)
Softplus = twin(torch.nn.Softplus)
Softmax = twin(torch.nn.Softmax)
LogSoftmax = twin(torch.nn.LogSoftmax)
SiLU = twin(torch.nn.SiLU)
PReLU = twin(torch.nn.PReLU, has_params=True)
