"""Twins of scratch.nn's containers."""

from __future__ import annotations

import torch

from .base import TorchModule

__all__ = ["Sequential"]


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
