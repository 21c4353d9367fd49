"""Twins of scratch.nn's containers.

Each twin holds ONE real torch container (``torch_module``) built from the twins' torch modules, so a reference
model also trains with a plain torch loop. Every operation runs on the torch container itself (so torch raises
its own errors and does its own renumbering), and item access maps torch's members back to their twins.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

import torch

from .base import TorchModule

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


class _TwinContainer(TorchModule):
    """Keeps the map from each torch member (by identity) to the twin that wraps it."""

    def _torch(self, m):
        """A twin's torch module (remembering the twin; usable before __init__, to build the container);
        anything else as is, for torch to reject."""
        if isinstance(m, TorchModule):
            self.__dict__.setdefault("_twin_of", {})[id(m.torch_module)] = m
            return m.torch_module
        return m

    def _twin(self, t: torch.nn.Module | None):
        return None if t is None else self.__dict__.setdefault("_twin_of", {})[id(t)]

    def __len__(self) -> int:
        return len(self.torch_module)


class Sequential(_TwinContainer):
    """Runs ONE real torch.nn.Sequential; ``*modules`` (twins) or one OrderedDict of name -> twin."""

    def __init__(self, *modules: TorchModule) -> None:
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            super().__init__(torch.nn.Sequential(OrderedDict((k, self._torch(m)) for k, m in modules[0].items())))
        else:
            super().__init__(torch.nn.Sequential(*[self._torch(m) for m in modules]))

    @property
    def _twins(self) -> list[TorchModule]:
        return list(self)

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):  # a twin over the same torch modules, with torch's (original) keys
            return Sequential(OrderedDict((k, self._twin(t)) for k, t in self.torch_module[idx]._modules.items()))
        return self._twin(self.torch_module[idx])

    def __setitem__(self, idx: int, module: TorchModule) -> None:
        self.torch_module[idx] = self._torch(module)

    def __delitem__(self, idx: int | slice) -> None:
        del self.torch_module[idx]

    def __iter__(self) -> Iterator[TorchModule]:
        return (self._twin(t) for t in self.torch_module)

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            self.torch_module + other  # noqa: B018 - torch raises its ValueError
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            self.torch_module += other  # torch raises its ValueError
        return self.extend(list(other))

    def append(self, module: TorchModule) -> Sequential:
        self.torch_module.append(self._torch(module))
        return self

    def insert(self, index: int, module: TorchModule) -> Sequential:
        self.torch_module.insert(index, self._torch(module))
        return self

    def extend(self, sequential: Iterable[TorchModule]) -> Sequential:
        for m in sequential:
            self.append(m)
        return self

    def pop(self, key: int | slice):
        v = self[key]
        del self[key]
        return v


class ModuleList(_TwinContainer):
    """Twin of torch.nn.ModuleList over the twins' torch modules (it defines no forward, as torch's)."""

    def __init__(self, modules: Iterable[TorchModule] | None = None) -> None:
        super().__init__(torch.nn.ModuleList())
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):
            return ModuleList([self._twin(t) for t in self.torch_module[idx]])
        return self._twin(self.torch_module[idx])

    def __setitem__(self, idx: int, module: TorchModule) -> None:
        self.torch_module[idx] = self._torch(module)

    def __delitem__(self, idx: int | slice) -> None:
        del self.torch_module[idx]

    def __iter__(self) -> Iterator[TorchModule]:
        return (self._twin(t) for t in self.torch_module)

    def __iadd__(self, modules: Iterable[TorchModule]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[TorchModule]) -> ModuleList:
        return ModuleList(list(chain(self, other)))  # chain: torch's TypeError for a non-iterable

    def append(self, module: TorchModule) -> ModuleList:
        self.torch_module.append(self._torch(module))
        return self

    def extend(self, modules: Iterable[TorchModule]) -> ModuleList:
        if not isinstance(modules, Iterable):
            self.torch_module.extend(modules)  # torch raises its TypeError
        self.torch_module.extend([self._torch(m) for m in modules])
        return self

    def insert(self, index: int, module: TorchModule) -> None:
        self.torch_module.insert(index, self._torch(module))

    def pop(self, key: int | slice):
        v = self[key]
        del self[key]
        return v


class ModuleDict(_TwinContainer):
    """Twin of torch.nn.ModuleDict over the twins' torch modules (no forward, as torch's)."""

    def __init__(self, modules: Mapping[str, TorchModule] | Iterable | None = None) -> None:
        super().__init__(torch.nn.ModuleDict())
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str):
        return self._twin(self.torch_module[key])

    def __setitem__(self, key: str, module: TorchModule) -> None:
        self.torch_module[key] = self._torch(module)

    def __delitem__(self, key: str) -> None:
        del self.torch_module[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.torch_module)

    def __contains__(self, key: str) -> bool:
        return key in self.torch_module

    def keys(self):
        return self.torch_module.keys()

    def items(self) -> list[tuple[str, TorchModule]]:
        return [(k, self._twin(t)) for k, t in self.torch_module.items()]

    def values(self) -> list[TorchModule]:
        return [self._twin(t) for t in self.torch_module.values()]

    def clear(self) -> None:
        self.torch_module.clear()

    def pop(self, key: str):
        v = self[key]
        del self[key]
        return v

    def update(self, modules) -> None:
        """torch's update on the twins' torch modules (malformed input reaches torch unchanged, so it raises)."""
        if isinstance(modules, Mapping | ModuleDict):
            pairs = OrderedDict((k, self._torch(m)) for k, m in modules.items())
        elif isinstance(modules, Iterable):
            pairs = [(m[0], self._torch(m[1])) if isinstance(m, tuple | list) and len(m) == 2 else m
                     for m in modules]
        else:
            pairs = modules
        self.torch_module.update(pairs)
