"""Twins of scratch.nn's recurrent family (the cells). Their forward takes torch's nested arguments (``hx`` is
``(h, c)`` for LSTMCell) and backward takes one cotangent per output (TorchModule)."""

import torch

from .base import twin

__all__ = ["RNNCell", "LSTMCell", "GRUCell"]

RNNCell = twin(torch.nn.RNNCell, has_params=True)
LSTMCell = twin(torch.nn.LSTMCell, has_params=True)
GRUCell = twin(torch.nn.GRUCell, has_params=True)
