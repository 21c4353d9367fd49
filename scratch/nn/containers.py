"""The containers family: Sequential (a block: forward and backward), ModuleList and ModuleDict."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .module import Module

__all__ = ["Sequential"]


class Sequential(Module):
    """Chains modules: ``forward`` runs them in order; ``backward`` runs their backward in reverse order."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"{type(m).__name__} is not a Module subclass")
            setattr(self, str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def forward(self, input: np.ndarray) -> np.ndarray:
        for m in self._modules.values():
            input = m(input)
        return input

    def backward(self, dy: np.ndarray) -> np.ndarray:
        for m in reversed(self._modules.values()):
            dy = m.backward(dy)
        return dy
