"""Twins of scratch.nn's containers.

Each twin holds ONE real torch container (``torch_module``) built from the twins' torch modules, so a reference
model also trains with a plain torch loop. Every operation runs on the torch container itself (so torch raises
its own errors and does its own renumbering), and item access maps torch's members back to their twins. The
parameter containers take numpy arrays (as tensors, which torch wraps into Parameters), TorchParameters (their
torch Parameter), twins (their torch module) and any other object as it is; they hand torch's Parameters back as
TorchParameters.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

import numpy as np
import torch

from .base import TorchModule, TorchParameter

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]


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


class _TwinParameterContainer(_TwinContainer):
    """The value maps of ParameterList and ParameterDict: numpy -> torch on the way in, torch -> twin on the way out."""

    def _in(self, value):
        if isinstance(value, np.ndarray):
            return torch.from_numpy(np.array(value, copy=True))  # torch wraps it into a Parameter (or refuses it)
        if isinstance(value, TorchParameter):
            return value.tensor
        return self._torch(value)

    def _out(self, value):
        if isinstance(value, torch.nn.Parameter):
            return TorchParameter(value)
        if isinstance(value, torch.nn.Module):
            return self._twin(value)
        if isinstance(value, torch.Tensor):  # a default that get/setdefault hand back as given
            return value.detach().numpy()
        return value

    def __call__(self, *args, **kwargs):
        return self.torch_module(*args, **kwargs)  # torch raises its RuntimeError (or TypeError)


class ParameterList(_TwinParameterContainer):
    """Twin of torch.nn.ParameterList (no forward, as torch's)."""

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__(torch.nn.ParameterList())
        if values is not None:
            self.extend(values)

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):
            return ParameterList([self._out(v) for v in self.torch_module[idx]])
        return self._out(self.torch_module[idx])

    def __setitem__(self, idx: int, value) -> None:
        self.torch_module[idx] = self._in(value)

    def __iter__(self) -> Iterator:
        return (self._out(v) for v in self.torch_module)

    def __iadd__(self, values: Iterable) -> ParameterList:
        return self.extend(values)

    def append(self, value) -> ParameterList:
        self.torch_module.append(self._in(value))
        return self

    def extend(self, values: Iterable) -> ParameterList:
        if not isinstance(values, Iterable) or isinstance(values, np.ndarray):
            self.torch_module.extend(self._in(values))  # torch raises its TypeError (an array as a Tensor)
        self.torch_module.extend([self._in(v) for v in values])
        return self


class ParameterDict(_TwinParameterContainer):
    """Twin of torch.nn.ParameterDict (no forward, as torch's)."""

    def __init__(self, parameters=None) -> None:
        super().__init__(torch.nn.ParameterDict())
        if parameters is not None:
            self.update(parameters)

    def _in_all(self, parameters):
        """update's argument for torch with every value mapped in: the same kind of mapping (torch keeps an
        OrderedDict's order and sorts a plain dict's), pairs as pairs, anything malformed as it is."""
        if isinstance(parameters, ParameterDict):
            return parameters.torch_module
        if isinstance(parameters, Mapping):
            kind = OrderedDict if isinstance(parameters, OrderedDict) else dict
            return kind((k, self._in(v)) for k, v in parameters.items())
        if isinstance(parameters, Iterable) and not isinstance(parameters, str | np.ndarray):
            return [(p[0], self._in(p[1])) if isinstance(p, tuple | list) and len(p) == 2 else p for p in parameters]
        return parameters

    def __getitem__(self, key: str):
        return self._out(self.torch_module[key])

    def __setitem__(self, key: str, value) -> None:
        self.torch_module[key] = self._in(value)

    def __delitem__(self, key: str) -> None:
        del self.torch_module[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.torch_module)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self.torch_module)

    def __contains__(self, key) -> bool:
        return key in self.torch_module

    def _wrap(self, module: torch.nn.ParameterDict) -> ParameterDict:
        """A twin over a torch ParameterDict that torch built (copy, fromkeys, |), knowing this one's twins."""
        out = ParameterDict()
        out.torch_module = module
        out.__dict__["_twin_of"] = dict(self.__dict__.get("_twin_of", {}))
        return out

    def copy(self) -> ParameterDict:
        return self._wrap(self.torch_module.copy())

    def fromkeys(self, keys: Iterable[str], default=None) -> ParameterDict:
        return self._wrap(self.torch_module.fromkeys(keys, self._in(default)))

    def setdefault(self, key: str, default=None):
        return self._out(self.torch_module.setdefault(key, self._in(default)))

    def get(self, key: str, default=None):
        return self._out(self.torch_module.get(key, self._in(default)))

    def pop(self, key: str):
        return self._out(self.torch_module.pop(key))

    def popitem(self) -> tuple[str, object]:
        k, v = self.torch_module.popitem()
        return k, self._out(v)

    def clear(self) -> None:
        self.torch_module.clear()

    def keys(self):
        return self.torch_module.keys()

    def items(self):
        return ((k, self._out(v)) for k, v in self.torch_module.items())

    def values(self):
        return (self._out(v) for v in self.torch_module.values())

    def update(self, parameters) -> None:
        self.torch_module.update(self._in_all(parameters))

    def __or__(self, other) -> ParameterDict:
        return self._wrap(self.torch_module | self._in_all(other))

    def __ror__(self, other):
        """``dict | pd``: torch's code (a copy of the dict updated from the container), run on the twin."""
        copy = other.copy()
        copy.update(self)
        return copy

    def __ior__(self, other) -> ParameterDict:
        self.torch_module |= self._in_all(other)
        return self
