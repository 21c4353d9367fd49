"""Containers of parameters: ParameterList and ParameterDict (holders only, as torch's: calling one raises).

Both follow torch 2.13's container code line by line: an entry is an attribute of the container named '0', '1',
... (the list) or by its key (the dict), so a Parameter is registered (``named_parameters``, ``state_dict``,
optimizers see it), a Module becomes a child (its parameters appear as '2.weight'), and any other object (an int,
None, a string) is a plain attribute that the container lists but that nothing else sees. A numpy array that is not
a Parameter is wrapped into one (sharing its memory), as torch wraps a Tensor; an integer or bool array is refused
with torch's RuntimeError (no gradient for it).

Departures from torch 2.13, where its container is left corrupted after an error: torch's ``append`` counts the
new entry and ``pd[key] = v`` records the key BEFORE the entry is stored, so when storing fails (an integer array;
a key that is not a string, contains '.' or is empty) torch has raised but its container now lists an entry that
does not exist (``repr``, ``items`` and iteration then raise AttributeError). scratch raises the same error class
and message and leaves the container as it was (tests/test_containers_parameters.py shows both).
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping

import numpy as np

from .._dtypes import torch_dtype_name
from ..module import Module, Parameter

__all__ = ["ParameterList", "ParameterDict"]


def _as_entry(value):
    """torch's rule for what a container stores: an array becomes a Parameter (floating or complex only, as
    torch's ``requires_grad``), anything else is stored as it is."""
    if isinstance(value, np.ndarray) and not isinstance(value, Parameter):
        if value.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        return Parameter(value)
    return value


def _entry_repr(key, value, dtype_name) -> str:
    """One line of torch's extra_repr: ``  (0): Parameter containing: [torch.float32 of size 3x4]`` (a 0-d
    parameter has an empty size), or ``  (1): Object of type: int``."""
    if isinstance(value, Parameter):
        size = "x".join(str(n) for n in value.shape)
        return f"  ({key}): Parameter containing: [{dtype_name(value.dtype)} of size {size}]"
    return f"  ({key}): Object of type: {type(value).__name__}"


class ParameterList(Module):
    """Holds parameters in a list, registered under '0', '1', ... (torch.nn.ParameterList). No forward: calling it
    raises RuntimeError, as torch's.

    Args:
        values (iterable, optional): the initial entries (arrays are wrapped into Parameters; Modules become
            children; other objects are kept as they are).
    List API (only what torch's has): ``pl[i]`` (negative too; IndexError out of range, TypeError for a non-int),
    ``pl[a:b]`` a new ParameterList of the same entries (renumbered), ``pl[i] = v``, ``len``, iteration,
    ``append``, ``extend``, ``+=``. No ``del``, ``insert``, ``pop`` or ``+`` (AttributeError / TypeError, as torch).
    """

    def __init__(self, values: Iterable | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self += values

    def _get_abs_string_index(self, idx) -> str:
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        return str(idx + len(self) if idx < 0 else idx)

    def __getitem__(self, idx: int | slice):
        if isinstance(idx, slice):
            out = self.__class__()
            for i in range(*idx.indices(len(self))):
                out.append(self[i])
            return out
        return getattr(self, self._get_abs_string_index(idx))

    def __setitem__(self, idx: int, param) -> None:
        setattr(self, self._get_abs_string_index(idx), _as_entry(param))

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator:
        return iter(self[i] for i in range(len(self)))

    def __iadd__(self, parameters: Iterable) -> ParameterList:
        return self.extend(parameters)

    def __dir__(self) -> list[str]:
        return [k for k in super().__dir__() if not k.isdigit()]

    def append(self, value) -> ParameterList:
        """Add ``value`` at the end (an array wrapped into a Parameter); returns self."""
        value = _as_entry(value)  # before counting it: a refused array leaves the list as it was (torch's does not)
        self._size += 1
        self[self._size - 1] = value
        return self

    def extend(self, values: Iterable) -> ParameterList:
        """Append every entry of the iterable ``values`` (an array is one value, not an iterable); returns self."""
        if not isinstance(values, Iterable) or isinstance(values, np.ndarray):
            raise TypeError(f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}")
        for value in values:
            self.append(value)
        return self

    def extra_repr(self) -> str:
        return "\n".join(_entry_repr(k, p, lambda dt: f"torch.{np.dtype(dt).name}") for k, p in enumerate(self))

    def __call__(self, *args, **kwargs):
        raise RuntimeError("ParameterList should not be called.")


class ParameterDict(Module):
    """Holds parameters in an ordered dict, registered under their keys (torch.nn.ParameterDict). No forward:
    calling it raises RuntimeError, as torch's.

    Args:
        parameters (mapping or iterable of (key, value) pairs, optional): the initial entries, added by
            :meth:`update` (so a plain dict is added in SORTED key order, an OrderedDict or ParameterDict in its own).
    Dict API (torch's): ``pd[key]`` (a missing key is an AttributeError, torch's attribute lookup; a non-string key
    a TypeError), ``pd[key] = v``, ``del pd[key]`` (KeyError), ``in``, ``len``, iteration and ``reversed`` over the
    keys, ``keys``, ``values``, ``items``, ``get``, ``pop``, ``popitem``, ``setdefault``, ``update``, ``clear``,
    ``copy``, ``fromkeys`` (an instance method, as torch's), ``|``, ``|=``.
    """

    def __init__(self, parameters=None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    def _key_to_attr(self, key) -> str:
        if not isinstance(key, str):
            raise TypeError("Index given to ParameterDict cannot be used as a key as it is not a string (type is "
                            f"'{type(key).__name__}'). Open an issue on github if you need non-string keys.")
        return key

    def __getitem__(self, key: str):
        return getattr(self, self._key_to_attr(key))

    def __setitem__(self, key: str, value) -> None:
        attr = self._key_to_attr(key)
        setattr(self, attr, _as_entry(value))
        self._keys[key] = None  # only once stored (torch records the key first: see the module docstring)

    def __delitem__(self, key: str) -> None:
        del self._keys[key]
        delattr(self, self._key_to_attr(key))

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def copy(self) -> ParameterDict:
        """A new ParameterDict holding the same entries (the same Parameter objects), in this order."""
        return ParameterDict(OrderedDict((k, self[k]) for k in self._keys))

    def setdefault(self, key: str, default=None):
        """``self[key]``, after storing ``default`` there if the key is absent."""
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        """Remove every entry."""
        for k in self._keys.copy():
            del self[k]

    def pop(self, key: str):
        """Remove ``key`` and return its entry (a missing key: AttributeError, as torch's)."""
        v = self[key]
        del self[key]
        return v

    def popitem(self) -> tuple[str, object]:
        """Remove and return the last inserted (key, entry) pair (KeyError when empty)."""
        k, _ = self._keys.popitem()
        self._keys[k] = None
        val = self[k]
        del self[k]
        return k, val

    def get(self, key: str, default=None):
        """``self[key]`` if present, else ``default``."""
        return self[key] if key in self else default

    def fromkeys(self, keys: Iterable[str], default=None) -> ParameterDict:
        """A new ParameterDict with ``keys``, each holding ``default`` (an array: one new Parameter per key, all
        sharing its memory; a Parameter: the same one under every key)."""
        return ParameterDict((k, default) for k in keys)

    def keys(self):
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, object]]:
        return ((k, self[k]) for k in self._keys)

    def values(self) -> Iterator:
        return (self[k] for k in self._keys)

    def update(self, parameters) -> None:
        """Add or overwrite entries: from an OrderedDict or ParameterDict in their order, from any other mapping in
        SORTED key order (torch's rule), or from an iterable of (key, value) pairs in order."""
        if not isinstance(parameters, Iterable):
            raise TypeError("ParametersDict.update should be called with an iterable of key/value pairs, but got "
                            + type(parameters).__name__)  # sic: torch's message says "ParametersDict"
        if isinstance(parameters, OrderedDict | ParameterDict):
            for key, parameter in parameters.items():
                self[key] = parameter
        elif isinstance(parameters, Mapping):
            for key, parameter in sorted(parameters.items()):
                self[key] = parameter
        else:
            for j, p in enumerate(parameters):
                if not isinstance(p, Iterable):
                    raise TypeError(f"ParameterDict update sequence element #{j} should be Iterable; is"
                                    + type(p).__name__)
                if len(p) != 2:
                    raise ValueError(f"ParameterDict update sequence element #{j} has length {len(p)}; 2 is required")
                self[p[0]] = p[1]

    def extra_repr(self) -> str:
        return "\n".join(_entry_repr(k, p, lambda dt: f"torch.{torch_dtype_name(dt)}Tensor") for k, p in self.items())

    def __call__(self, input):
        raise RuntimeError("ParameterDict should not be called.")

    def __or__(self, other: ParameterDict) -> ParameterDict:
        copy = self.copy()
        copy.update(other)
        return copy

    def __ror__(self, other) -> ParameterDict:
        copy = other.copy()
        copy.update(self)
        return copy

    def __ior__(self, other) -> ParameterDict:
        self.update(other)
        return self
