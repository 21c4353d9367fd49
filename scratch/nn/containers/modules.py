"""Containers of modules: Sequential (a block: forward and backward), ModuleList and ModuleDict (holders only).

All three follow torch 2.13's container API, errors and repr. Deleting from a Sequential or ModuleList renumbers
the remaining children '0', '1', ... (as torch does, so a later ``append`` cannot collide), while slicing a
Sequential keeps the original keys (``Sequential(a, b, c)[1:]`` has children '1' and '2', as torch's).
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice

import numpy as np

from ..module import Module

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


def _renumber(modules: OrderedDict) -> None:
    """Keys '0'..'n-1' in the current order, in place (torch's __delitem__ 'to preserve numbering')."""
    values = list(modules.values())
    modules.clear()
    modules.update((str(i), m) for i, m in enumerate(values))


def _container_indent(text: str, spaces: int) -> str:
    """torch's container-module _addindent (unlike Module's, it indents blank lines too)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


class Sequential(Module):
    """Chains modules: ``forward`` runs them in order; ``backward`` runs their backward in reverse order.

    Args:
        *modules (Module): the children, named '0', '1', ...; or one ``OrderedDict`` of name -> module.
    Indexing: ``seq[i]`` (negative too; IndexError out of range), ``seq[a:b]`` a Sequential with the ORIGINAL
    keys, ``seq[i] = m``, ``del seq[i]`` / ``del seq[a:b]`` (renumbers), ``append``, ``insert``, ``extend``,
    ``pop``, ``+`` and ``+=`` (another Sequential), ``*`` (repeat the same modules).
    Gradient: ``backward(dy)`` chains every child's backward from last to first and returns dL/dinput.
    """

    def __init__(self, *args: Module) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def _get_item_by_idx(self, iterator: Iterable, idx: int):
        size = len(self)
        idx = operator.index(idx)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return next(islice(iterator, idx % size, None))

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return self.__class__(OrderedDict(list(self._modules.items())[idx]))
        return self._get_item_by_idx(self._modules.values(), idx)

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._get_item_by_idx(self._modules.keys(), idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._get_item_by_idx(self._modules, idx)]
        for key in keys:
            delattr(self, key)
        _renumber(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __add__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        return Sequential(*self, *other)

    def __iadd__(self, other: Sequential) -> Sequential:
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        offset = len(self)
        for i, module in enumerate(other):
            self.add_module(str(i + offset), module)
        return self

    def _check_factor(self, other) -> None:
        if not isinstance(other, int):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(other)}")
        if other <= 0:
            raise ValueError(f"Non-positive multiplication factor {other} for {type(self)}")

    def __mul__(self, other: int) -> Sequential:
        """The same modules ``other`` times over (shared, not copied, as torch's)."""
        self._check_factor(other)
        return Sequential(*(list(self) * other))

    def __rmul__(self, other: int) -> Sequential:
        return self.__mul__(other)

    def __imul__(self, other: int) -> Sequential:
        self._check_factor(other)
        n = len(self)
        for i in range(n, n * other):
            self.add_module(str(i), self._modules[str(i % n)])
        return self

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end under the key str(len(self)); returns self."""
        self.add_module(str(len(self)), module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index`` (-len <= index <= len); returns self."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        index = index + n if index < 0 else index
        for i in range(n, index, -1):  # torch shifts by numeric key (a KeyError for OrderedDict-named children)
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def extend(self, sequential: Iterable[Module]) -> Sequential:
        """Append every module of ``sequential``; returns self."""
        for module in sequential:
            self.append(module)
        return self

    def pop(self, key: int | slice) -> Module:
        """Remove and return ``self[key]`` (the rest renumbered)."""
        v = self[key]
        del self[key]
        return v

    def forward(self, input: np.ndarray) -> np.ndarray:
        for m in self._modules.values():
            input = m(input)
        return input

    def backward(self, dy: np.ndarray) -> np.ndarray:
        for m in reversed(self._modules.values()):
            dy = m.backward(dy)
        return dy


class ModuleList(Module):
    """Holds sub-modules in a list, registered (their parameters are the list's, in order). No forward: calling
    it raises NotImplementedError, as torch's; index it and call the members.

    Args:
        modules (iterable of Module, optional): the initial members, named '0', '1', ...
    Indexing like a list: ``ml[i]`` (negative too; IndexError out of range), ``ml[a:b]`` a new ModuleList
    (renumbered), ``ml[i] = m``, ``del ml[i]`` / ``del ml[a:b]`` (renumbers), ``append``, ``extend``,
    ``insert``, ``pop``, ``+`` and ``+=`` (any iterable of modules).
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self += modules

    def _get_abs_string_index(self, idx: int) -> str:
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        return str(idx % len(self))

    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        if isinstance(idx, slice):
            return self.__class__(list(self._modules.values())[idx])
        return self._modules[self._get_abs_string_index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._get_abs_string_index(idx), module)

    def __delitem__(self, idx: int | slice) -> None:
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, self._get_abs_string_index(idx))
        _renumber(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        combined = ModuleList()
        for i, module in enumerate(chain(self, other)):
            combined.add_module(str(i), module)
        return combined

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index``, 0 <= index <= len(self).

        Departures from torch 2.13, whose ModuleList.insert does no checking: a negative index raises KeyError
        there too (after shifting entries; here nothing changes), but an index past the end silently stores the
        module under that key and a non-Module is stored as is; both corrupt torch's list, so scratch raises
        IndexError and TypeError instead."""
        n = len(self._modules)
        if index < 0:
            raise KeyError(f"'{index}' (ModuleList.insert takes 0 <= index <= len, as torch's; got {index})")
        if index > n:
            raise IndexError(f"ModuleList.insert index {index} is past the end (len {n})")
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.insert expects a Module, got {type(module).__name__}")
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key: int | slice) -> Module:
        """Remove and return ``self[key]`` (the rest renumbered)."""
        v = self[key]
        del self[key]
        return v

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Append every module of the iterable ``modules``; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList.extend should be called with an iterable, but got {type(modules).__name__}")
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self

    def __repr__(self) -> str:
        """torch's ModuleList repr: runs of identical members compressed to ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(m) for m in self]
        if not reprs:
            return f"{type(self).__name__}()"
        runs: list[list] = []  # [first index, last index, repr]
        for i, r in enumerate(reprs):
            if runs and runs[-1][2] == r:
                runs[-1][1] = i
            else:
                runs.append([i, i, r])
        lines = [_container_indent(f"({a}): {r}" if a == b else f"({a}-{b}): {b - a + 1} x {r}", 2)
                 for a, b, r in runs]
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


class ModuleDict(Module):
    """Holds sub-modules in an ordered dict, registered under their keys. No forward (NotImplementedError).

    Args:
        modules (mapping of str -> Module, or iterable of (str, Module) pairs, optional): the initial members.
    Dict API: ``md[key]``, ``md[key] = m`` (the name rules of ``add_module``), ``del md[key]``, ``len``,
    iteration over the keys, ``in``, ``keys``, ``items``, ``values``, ``update``, ``pop``, ``clear``.
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def clear(self) -> None:
        """Remove every member."""
        self._modules.clear()

    def pop(self, key: str) -> Module:
        """Remove ``key`` and return its module (KeyError if absent)."""
        v = self[key]
        del self[key]
        return v

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules: Mapping[str, Module] | Iterable) -> None:
        """Add or overwrite members from a mapping (in its order) or from an iterable of (key, module) pairs."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleDict.update should be called with an iterable of key/value pairs, but got "
                            + type(modules).__name__)
        if isinstance(modules, Mapping | ModuleDict):
            for key, module in modules.items():
                self[key] = module
            return
        for j, m in enumerate(modules):
            if not isinstance(m, Iterable):
                raise TypeError(f"ModuleDict update sequence element #{j} should be Iterable; is{type(m).__name__}")
            if len(m) != 2:
                raise ValueError(f"ModuleDict update sequence element #{j} has length {len(m)}; 2 is required")
            self[m[0]] = m[1]
