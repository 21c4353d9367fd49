"""Module: the protocol every scratch block follows (Parameter is in ``_parameter.py``, state_dict and
load_state_dict in ``_state_dict.py``, containers in ``containers/``).

A module's ``forward`` caches what its ``backward`` needs; ``backward(dy)`` returns dL/dx and ACCUMULATES
dL/dp into ``p.grad`` for every parameter that requires grad (as torch autograd accumulates into ``.grad``).
Parameter and buffer names, layouts and ``state_dict`` keys follow torch exactly, so a torch state_dict loads
unchanged. As in torch, parameters, buffers and sub-modules live only in ``_parameters``, ``_buffers`` and
``_modules`` (attribute access finds them there), so renaming or renumbering a child (``del seq[0]``) cannot
leave a stale attribute behind.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from scratch.sparse import SparseGrad

from ._parameter import (  # noqa: F401  (re-exported: blocks import them from .module)
    FLOAT_DTYPES,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
    _is_bool,
    _typename,
    check_float_dtype,
    check_input,
    check_same_dtype,
    is_uninitialized,
)
from ._state_dict import StateDict


def _addindent(text: str, spaces: int) -> str:
    """torch's module repr indentation: every line after the first, blank lines left empty."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line if line.strip() else "" for line in rest])


class Module(StateDict):
    """Base class. Subclasses set Parameters, buffers (``register_buffer``) and sub-Modules as attributes.

    Traversal (``named_modules``, ``named_parameters``, ...) lists a module or parameter shared by several
    parents once (torch's ``remove_duplicate=True``); ``state_dict`` keeps it under every key, as torch does.
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())

    # -- attributes (torch's rules: a name lives in exactly one store) ---------------------------------------
    def _forget(self, name: str, *stores) -> None:
        for store in stores:
            store.pop(name, None) if isinstance(store, dict) else store.discard(name)

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params, modules, buffers = d.get("_parameters"), d.get("_modules"), d.get("_buffers")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, d, buffers, modules, self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(scratch.nn.Parameter or None expected)")
            params[name] = d[name] = None
        elif isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, d, params, buffers, self._non_persistent_buffers_set)
            modules[name] = value
        elif modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(scratch.nn.Module or None expected)")
            modules[name] = None
        elif buffers is not None and name in buffers:
            if value is not None and not isinstance(value, np.ndarray):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' (numpy.ndarray or None "
                                "expected)")
            buffers[name] = d[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails. Parameters and buffers are also mirrored in the instance
        # __dict__ by the methods that store them (register_*, set_buffer, __setattr__, __delattr__): a failed
        # normal lookup costs ~0.8 us, ten times a plain attribute, and blocks read their weights on every call.
        # Sub-modules are not mirrored: containers renumber _modules, and a mirror would go stale.
        d = self.__dict__
        if "_parameters" in d:
            if name in d["_parameters"]:
                return d["_parameters"][name]
            if name in d["_buffers"]:
                return d["_buffers"][name]
            if name in d["_modules"]:
                return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self.__dict__.pop(name, None)
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def _check_new_name(self, kind: str, name, exists_first: bool = False) -> None:
        """torch's name checks for register_parameter/register_buffer/add_module (add_module checks the name
        for an existing attribute before '.' and '', the others after)."""
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
        store = {"parameter": self._parameters, "buffer": self._buffers, "module": self._modules}[kind]
        taken = hasattr(self, name) and name not in store
        if exists_first and taken:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."' + (f", got: {name}" if kind == "module" else ""))
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if taken:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (None: the name is reserved but not in the state_dict, like a Linear without bias)."""
        self._check_new_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(scratch.nn.Parameter or None required)")
        self._parameters[name] = self.__dict__[name] = param  # mirrored: see __getattr__

    def register_buffer(self, name: str, value: np.ndarray | None, persistent: bool = True) -> None:
        """A non-trainable array that belongs to the state_dict (e.g. BatchNorm running_mean) unless
        ``persistent=False``; cast by ``to()``/``double()`` when floating."""
        self._check_new_name("buffer", name)
        if value is not None and not isinstance(value, np.ndarray):
            raise TypeError(f"cannot assign '{_typename(value)}' object to buffer '{name}' (numpy.ndarray or None "
                            "required)")
        self._buffers[name] = self.__dict__[name] = value  # mirrored: see __getattr__
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def set_buffer(self, name: str, value: np.ndarray | None) -> None:
        """Replace a registered buffer's array (e.g. running statistics after a training step)."""
        self._buffers[name] = self.__dict__[name] = value

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name`` (None reserves the name). TypeError for a non-Module or a
        non-string name; KeyError for an existing attribute, a name containing '.', or ''."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        self._check_new_name("module", name, exists_first=True)
        self._modules[name] = module

    def register_module(self, name: str, module: Module | None) -> None:
        """Alias for :meth:`add_module`."""
        self.add_module(name, module)

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` ('' is self); AttributeError where the path breaks."""
        mod = self
        for item in target.split(".") if target else ():
            if not hasattr(mod, item):
                raise AttributeError(f"{type(mod).__name__} has no attribute `{item}`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
        return mod

    # -- forward / backward ---------------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def backward(self, *cotangents):
        """dL/d(inputs) from the cotangents of forward's outputs; ACCUMULATES dL/dp into every parameter's grad."""
        raise NotImplementedError(
            f"{type(self).__name__} has no backward: scratch has no autograd for nn blocks, so every block needs an "
            "explicit backward(dy) that returns dL/dinput and accumulates its parameters' gradients (README: "
            "'Adding a building block')")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- traversal ------------------------------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, child) for each direct child, a child registered twice listed once, None skipped."""
        memo: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in memo:
                memo.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Self and every descendant, pre-order, with dotted names; a shared module once, under its first name
        (``remove_duplicate=False``: under every name)."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, m in self._modules.items():
            if m is not None:
                yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def _named_members(self, members: Callable, prefix: str, recurse: bool, remove_duplicate: bool):
        memo: set[int] = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_name, m in mods:
            for name, v in members(m):
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (f"{mod_name}.{name}" if mod_name else name), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) in torch's order; a tied parameter once, under its first name."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters(recurse=recurse))

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[np.ndarray]:
        return (b for _, b in self.named_buffers(recurse=recurse))

    def apply(self, fn: Callable[[Module], object]) -> Module:
        """``fn`` on every child (recursively, children first), then on self; returns self (e.g. an init)."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    # -- dtype and gradients --------------------------------------------------------------------------------
    def _cast_floating(self, dtype: np.dtype) -> Module:
        """Every floating parameter (and its grad) and floating buffer to ``dtype``; integer buffers (e.g.
        num_batches_tracked) keep theirs. Parameters stay the same objects, so optimizers keep working."""
        for m in self.modules():
            for p in m._parameters.values():
                if p is not None and p.data.dtype.kind == "f":
                    p.data = p.data.astype(dtype, copy=False)
                    if p.grad is not None:
                        p.grad = p.grad.astype(dtype, copy=False)
            for name, b in m._buffers.items():
                if b is not None and b.dtype.kind == "f":
                    m.set_buffer(name, b.astype(dtype, copy=False))
        return self

    def to(self, *args, device: str | None = None, dtype=None, non_blocking: bool = False) -> Module:
        """Cast floating parameters, gradients and buffers to ``dtype`` (positional or keyword); a device may be
        given too, but scratch runs on the CPU only ('cpu' is a no-op). An array argument stands for its dtype.

        Raises:
            TypeError: a non-floating dtype (torch's message), or float16/complex (scratch computes in float32
                or float64 only); RuntimeError: a device other than the CPU.
        """
        del non_blocking  # accepted for torch's signature: nothing is asynchronous on the CPU
        for a in args:
            if isinstance(a, str) or a is None:
                device = a
            elif isinstance(a, int) and not _is_bool(a):  # a device index (a positional bool is non_blocking)
                raise RuntimeError(f"device {a}: scratch runs on the CPU only (NumPy)")
            elif not _is_bool(a):
                dtype = a.dtype if isinstance(a, np.ndarray) else a
        if device is not None and not re.fullmatch(r"cpu(:\d+)?", str(device)):
            raise RuntimeError(f"Invalid device {device!r}: scratch runs on the CPU only (NumPy)")
        if dtype is None:
            return self
        dt = np.dtype(dtype)
        if dt.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dt}")
        if dt.type not in FLOAT_DTYPES:
            raise TypeError(f"scratch computes in float32 or float64 only, got desired dtype={dt}")
        return self._cast_floating(dt)

    def double(self) -> Module:
        """Floating parameters, gradients and buffers to float64; returns self."""
        return self._cast_floating(np.dtype(np.float64))

    def float(self) -> Module:
        """Floating parameters, gradients and buffers to float32; returns self."""
        return self._cast_floating(np.dtype(np.float32))

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (False freezes them); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    # -- modes ----------------------------------------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: to None (torch's default) or to zeros."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:  # torch zeroes a sparse gradient to an empty sparse one
                p.grad = p.grad.zero_like() if isinstance(p.grad, SparseGrad) else np.zeros_like(p.grad)

    def extra_repr(self) -> str:
        return ""

    def _get_name(self) -> str:
        """The name the repr shows (torch's hook: a block standing in for a torch class of another name)."""
        return type(self).__name__

    def __repr__(self) -> str:
        """torch's layout: ``Name(extra)`` on one line, else the extra lines and ``(name): child`` lines."""
        extra = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + _addindent(repr(m), 2) for name, m in self._modules.items()]
        if len(extra) == 1 and not children:
            return f"{self._get_name()}({extra[0]})"
        lines = extra + children
        return f"{self._get_name()}(" + ("\n  " + "\n  ".join(lines) + "\n" if lines else "") + ")"
