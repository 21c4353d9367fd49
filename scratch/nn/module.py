"""Module and Parameter: the protocol every scratch block follows (containers are in ``containers.py``).

A module's ``forward`` caches what its ``backward`` needs; ``backward(dy)`` returns dL/dx and ACCUMULATES
dL/dp into ``p.grad`` for every parameter (as torch autograd accumulates into ``.grad``). Parameter and
buffer names, layouts and ``state_dict`` keys follow torch exactly, so a torch state_dict loads unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def check_float_dtype(dtype) -> np.dtype:
    """Validate a module's compute dtype (float32 default, like torch) and return it as np.dtype."""
    dt = np.dtype(dtype)
    if dt.type not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_input(x, name: str = "input") -> np.ndarray:
    """Inputs must be float numpy arrays: torch refuses integer inputs to float layers."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if x.dtype.type not in FLOAT_DTYPES:
        raise RuntimeError(f"{name} must be float32 or float64, got {x.dtype}")
    return x


def check_same_dtype(x: np.ndarray, dtype: np.dtype, what: str) -> None:
    """torch raises RuntimeError when a float64 input meets float32 weights (and vice versa)."""
    if x.dtype != dtype:
        raise RuntimeError(f"{what}: expected input of dtype {dtype} (the parameters' dtype), got {x.dtype}")


class Parameter:
    """A trainable array: ``data`` (np.ndarray) and ``grad`` (np.ndarray or None, accumulated by backward)."""

    __slots__ = ("data", "grad")

    def __init__(self, data: np.ndarray) -> None:
        self.data = np.asarray(data)
        self.grad: np.ndarray | None = None

    def accumulate(self, g: np.ndarray, owned: bool = False) -> None:
        """grad += g (grad starts as None, like torch's .grad).

        ``owned=True`` promises ``g`` is a fresh array nobody else holds: the first accumulation then keeps it
        instead of copying (a 600x784 copy per step matters on the training hot path)."""
        g = g.astype(self.data.dtype, copy=False)
        if self.grad is None:
            self.grad = g if owned and g.base is None else g.copy()
        else:
            self.grad = self.grad + g

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class. Subclasses set Parameters, buffers (``register_buffer``) and sub-Modules as attributes."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            self.__dict__.get(store, {}).pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __getattr__(self, name: str):
        buffers = self.__dict__.get("_buffers", {})
        if name in buffers:
            return buffers[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def register_buffer(self, name: str, value: np.ndarray | None) -> None:
        """A non-trainable array that belongs to the state_dict (e.g. BatchNorm running_mean)."""
        self.__dict__.pop(name, None)
        self._buffers[name] = value

    def set_buffer(self, name: str, value: np.ndarray) -> None:
        self._buffers[name] = value

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
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        return (m for _, m in self.named_modules())

    def children(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for mod_name, m in self.named_modules(prefix):
            for name, p in m._parameters.items():
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def parameters(self) -> Iterator[Parameter]:
        return (p for _, p in self.named_parameters())

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        for mod_name, m in self.named_modules(prefix):
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mod_name}.{name}" if mod_name else name), b

    # -- state ----------------------------------------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of parameters and buffers, keyed and ordered like torch's (per module: params, then buffers)."""
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for mod_name, m in self.named_modules():
            pre = f"{mod_name}." if mod_name else ""
            for name, p in m._parameters.items():
                out[pre + name] = p.data.copy()
            for name, b in m._buffers.items():
                if b is not None:
                    out[pre + name] = np.array(b, copy=True)
        return out

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        """Copy arrays in place (shapes must match; values cast to each tensor's dtype, as torch's copy_)."""
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                               f"missing keys {missing}, unexpected keys {unexpected}")
        for mod_name, m in self.named_modules():
            pre = f"{mod_name}." if mod_name else ""
            for name, p in m._parameters.items():
                if pre + name in state_dict:
                    p.data = _copy_checked(pre + name, state_dict[pre + name], p.data)
            for name, b in list(m._buffers.items()):
                if b is not None and pre + name in state_dict:
                    m._buffers[name] = _copy_checked(pre + name, state_dict[pre + name], np.asarray(b))

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
            p.grad = None if set_to_none or p.grad is None else np.zeros_like(p.grad)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({n}): " + repr(m).replace("\n", "\n  ") for n, m in self._modules.items()]
        body = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({body})"
        return f"{type(self).__name__}({body}\n" + "\n".join(lines) + "\n)"


def _copy_checked(key: str, value, current: np.ndarray) -> np.ndarray:
    value = np.asarray(value)
    if value.shape != current.shape:
        raise RuntimeError(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                           f"checkpoint, the shape in current model is {current.shape}")
    return value.astype(current.dtype, copy=True)
