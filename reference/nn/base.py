"""TorchModule: wraps a real torch.nn.Module behind scratch's numpy protocol (forward caches, backward returns
dL/dx and accumulates parameter .grad through torch autograd)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


def torch_dtype(dtype) -> torch.dtype:
    dt = np.dtype(dtype)
    if dt not in TORCH_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return TORCH_DTYPES[dt]


def to_torch(x):
    """numpy -> torch (a copy, so later numpy writes never alias autograd state); other values pass through."""
    if isinstance(x, np.ndarray):
        return torch.from_numpy(np.array(x, copy=True))
    return x


@contextmanager
def seeded(rng: np.random.Generator | None):
    """Run torch's default initializers from a seed drawn from ``rng`` without touching the global stream.

    torch's RNG stream cannot be reproduced in NumPy, so twins are initialized by torch's own code and
    compared by distribution; seeding keeps them deterministic."""
    if rng is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(0, 2**62)))
        yield


class TorchParameter:
    """A numpy view of a torch Parameter: ``data`` shares memory, ``grad`` is the accumulated torch .grad."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: torch.nn.Parameter) -> None:
        self.tensor = tensor

    @property
    def data(self) -> np.ndarray:
        return self.tensor.detach().numpy()

    @data.setter
    def data(self, value: np.ndarray) -> None:
        with torch.no_grad():
            self.tensor.copy_(torch.from_numpy(np.asarray(value)))

    @property
    def grad(self) -> np.ndarray | None:
        return None if self.tensor.grad is None else self.tensor.grad.numpy()

    @grad.setter
    def grad(self, value: np.ndarray | None) -> None:
        self.tensor.grad = None if value is None else torch.from_numpy(np.array(value, copy=True))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype


class TorchModule:
    """The numpy-boundary wrapper. ``torch_module`` is the real module (use it for native torch loops)."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.torch_module = module
        self._x: torch.Tensor | None = None
        self._y: torch.Tensor | None = None

    # -- forward / backward ---------------------------------------------------------------------------------
    def _input(self, x) -> torch.Tensor:
        t = to_torch(np.asarray(x)) if isinstance(x, np.ndarray) else x
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            t.requires_grad_(True)
        return t

    def forward(self, x: np.ndarray, *rest) -> np.ndarray:
        self._x = self._input(x)
        self._y = self.torch_module(self._x, *[to_torch(r) for r in rest])
        return self._y.detach().numpy().copy()

    __call__ = forward

    def backward(self, dy: np.ndarray | None = None) -> np.ndarray:
        if self._y is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        grad = None if dy is None else torch.from_numpy(np.array(dy, copy=True))
        self._y.backward(grad)
        dx = self._x.grad
        self._y = None  # the graph is freed by backward, as torch does
        return None if dx is None else dx.numpy().copy()

    # -- parameters and state -------------------------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, TorchParameter]]:
        for name, p in self.torch_module.named_parameters(prefix=prefix):
            yield name, TorchParameter(p)

    def parameters(self) -> Iterator[TorchParameter]:
        return (p for _, p in self.named_parameters())

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        for name, b in self.torch_module.named_buffers():
            yield name, b.numpy()

    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        return OrderedDict((k, v.detach().numpy().copy()) for k, v in self.torch_module.state_dict().items())

    def load_state_dict(self, state_dict, strict: bool = True) -> None:
        self.torch_module.load_state_dict(
            OrderedDict((k, torch.from_numpy(np.array(v, copy=True))) for k, v in state_dict.items()),
            strict=strict)

    @property
    def training(self) -> bool:
        return self.torch_module.training

    def train(self, mode: bool = True) -> TorchModule:
        self.torch_module.train(mode)
        return self

    def eval(self) -> TorchModule:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.torch_module.zero_grad(set_to_none=set_to_none)

    def __repr__(self) -> str:
        return f"reference.{self.torch_module!r}"


def twin(torch_cls: type, *, has_params: bool = False, doc: str = "") -> type:
    """A TorchModule subclass named like ``torch_cls`` whose constructor forwards its arguments.

    Twins with parameters also take scratch's ``dtype`` and ``rng`` keywords."""

    if has_params:
        def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs):
            with seeded(rng):
                module = torch_cls(*[to_torch(a) for a in args], dtype=torch_dtype(dtype),
                                   **{k: to_torch(v) for k, v in kwargs.items()})
            TorchModule.__init__(self, module)
    else:
        def __init__(self, *args, **kwargs):
            TorchModule.__init__(self, torch_cls(*[to_torch(a) for a in args],
                                                 **{k: to_torch(v) for k, v in kwargs.items()}))

    return type(torch_cls.__name__, (TorchModule,), {"__init__": __init__,
                                                      "__doc__": doc or f"Twin of torch.nn.{torch_cls.__name__}."})
