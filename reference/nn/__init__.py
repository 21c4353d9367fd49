"""reference.nn: the torch twins of scratch.nn."""

import torch

from . import dropout, losses, normalization
from .base import TorchModule, TorchParameter, seeded, to_torch, torch_dtype, twin

Identity = twin(torch.nn.Identity)
Flatten = twin(torch.nn.Flatten)
Linear = twin(torch.nn.Linear, has_params=True)

ReLU = twin(torch.nn.ReLU)
LeakyReLU = twin(torch.nn.LeakyReLU)
ELU = twin(torch.nn.ELU)
Sigmoid = twin(torch.nn.Sigmoid)
Tanh = twin(torch.nn.Tanh)
GELU = twin(torch.nn.GELU)
Softplus = twin(torch.nn.Softplus)
Softmax = twin(torch.nn.Softmax)
LogSoftmax = twin(torch.nn.LogSoftmax)


class Sequential(TorchModule):
    """Runs ONE real torch.nn.Sequential built from the twins' torch modules, so a reference model also trains
    with a plain torch loop (``model.torch_module``)."""

    def __init__(self, *modules: TorchModule) -> None:
        super().__init__(torch.nn.Sequential(*[m.torch_module for m in modules]))
        self._twins = list(modules)

    def __len__(self) -> int:
        return len(self._twins)

    def __getitem__(self, i: int) -> TorchModule:
        return self._twins[i]


from .dropout import *  # noqa: E402,F403
from .losses import *  # noqa: E402,F403
from .normalization import *  # noqa: E402,F403

__all__ = ["TorchModule", "TorchParameter", "seeded", "to_torch", "torch_dtype", "twin", "Sequential", "Identity",
           "Flatten", "Linear", "ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "GELU", "Softplus", "Softmax",
           "LogSoftmax"]
__all__ += losses.__all__ + normalization.__all__ + dropout.__all__
