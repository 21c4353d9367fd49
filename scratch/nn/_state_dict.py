"""state_dict and load_state_dict of :class:`~scratch.nn.module.Module` (a mixin of it): torch's keys, order,
copies, lazy-parameter loading, the 0-d compatibility rule, casting into the model's dtypes, and its errors and
_IncompatibleKeys, module by module as torch's _load_from_state_dict.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ._parameter import UninitializedParameter, is_uninitialized

__all__ = ["StateDict"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What :meth:`Module.load_state_dict` returns: torch's NamedTuple of the missing and unexpected keys."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _quoted(keys: list[str]) -> str:
    return ", ".join(f'"{k}"' for k in keys)


class StateDict:
    """The state methods of Module, on its ``_parameters``, ``_buffers``, ``_modules`` and ``set_buffer``."""

    def _local_state(self) -> dict[str, np.ndarray]:
        """This module's own state_dict entries (arrays, not copies): parameters, then persistent buffers."""
        state = {n: p if isinstance(p, UninitializedParameter) else p.data for n, p in self._parameters.items()
                 if p is not None}
        state.update((n, b) for n, b in self._buffers.items()
                     if b is not None and n not in self._non_persistent_buffers_set)
        return state

    def _save_to(self, out: OrderedDict, prefix: str) -> None:
        for name, value in self._local_state().items():
            out[prefix + name] = value if is_uninitialized(value) else np.array(value, copy=True)
        for name, m in self._modules.items():  # every name of a shared module, as torch's recursion
            if m is not None:
                m._save_to(out, f"{prefix}{name}.")

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of parameters and buffers, keyed and ordered like torch's (per module: params, then buffers,
        then each child); a tied parameter or shared module appears under every key, as in torch."""
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        self._save_to(out, "")
        return out

    def _load_from(self, state: Mapping, prefix: str, missing: list, unexpected: list, errors: list) -> None:
        """torch's _load_from_state_dict: copy what matches, record missing/unexpected keys and size errors."""
        local = self._local_state()
        for name, current in local.items():
            key = prefix + name
            if key not in state:
                missing.append(key)
                continue
            if is_uninitialized(current):  # torch's lazy load hook
                if is_uninitialized(state[key]):
                    continue  # both not materialized yet: a match, and the parameter or buffer stays lazy
                if isinstance(current, UninitializedParameter):  # then loaded below as any parameter or buffer
                    current.materialize(np.shape(state[key]))
                    current = current.data
                else:
                    current = current.materialized(np.shape(state[key]))
                    self.set_buffer(name, current)
            value = np.asarray(state[key])  # an UninitializedParameter into a materialized one: RuntimeError
            if value.dtype.kind not in "biuf":
                errors.append(f'While copying the parameter named "{key}", expected numpy.ndarray or array-like '
                              f"object from checkpoint but received {type(state[key])}")
                continue
            if current.ndim == 0 and value.shape == (1,):  # torch's 0.3 -> 0.4 compatibility rule
                value = value[0]
            if value.shape != current.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape torch.Size({list(value.shape)}) "
                              f"from checkpoint, the shape in current model is torch.Size({list(current.shape)}).")
                continue
            value = value.astype(current.dtype, copy=True)  # cast into the model's dtype, as torch's copy_
            if name in self._parameters:
                self._parameters[name].data = value
            else:
                self.set_buffer(name, value)
        for key in state:  # a key is unexpected where the module that should hold it has no such entry
            if key.startswith(prefix):
                head = key[len(prefix):].split(".", 1)
                if (head[0] not in self._modules) if len(head) > 1 else (head[0] not in local):
                    unexpected.append(key)

    def load_state_dict(self, state_dict: Mapping[str, np.ndarray], strict: bool = True) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` (shapes must match; values cast to each array's dtype,
        as torch's copy_), module by module as torch does: everything that matches is loaded, then errors raise.

        Returns:
            ``_IncompatibleKeys(missing_keys, unexpected_keys)``, torch's NamedTuple.
        Raises:
            RuntimeError with torch's text, after loading what matched: on missing or unexpected keys when
            ``strict`` (default True), and on any size mismatch even when not strict.
            TypeError: ``state_dict`` is not a mapping.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []

        def load(module: StateDict, local: Mapping, prefix: str) -> None:
            module._load_from(local, prefix, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    p = f"{prefix}{name}."
                    load(child, {k: v for k, v in local.items() if k.startswith(p)}, p)

        load(self, OrderedDict(state_dict), "")
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}. ")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}. ")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors))
        return _IncompatibleKeys(missing, unexpected)
