"""TorchModule: wraps a real torch.nn.Module behind scratch's numpy protocol (forward caches, backward returns
dL/dx and accumulates parameter .grad through torch autograd)."""

from __future__ import annotations

import functools
import inspect
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
        # the CPU generator only: torch.manual_seed also queues lazy CUDA/XPU/MTIA seeding, each call formatting a
        # traceback of the whole stack (~2 ms under pytest) into a queue that is never run on a CPU-only machine
        torch.random.default_generator.manual_seed(int(rng.integers(0, 2**62)))
        yield


@functools.cache
def forward_signature(cls: type) -> inspect.Signature:
    """The signature of ``cls.forward`` without ``self``, computed once per class (inspect.signature costs ~50 us,
    and a twin binds its arguments at every forward)."""
    sig = inspect.signature(cls.forward)
    return sig.replace(parameters=list(sig.parameters.values())[1:])


class SparseRows:
    """torch's sparse COO weight gradient (Embedding(sparse=True)) at the numpy boundary: ``indices`` (nnz,),
    ``values`` (nnz, *row), ``shape``, uncoalesced as torch made it; ``np.asarray`` gives the dense gradient. It has
    scratch.sparse.SparseGrad's attributes (the twins never import scratch)."""

    __slots__ = ("indices", "values", "shape")

    def __init__(self, grad: torch.Tensor) -> None:
        self.indices = grad._indices()[0].numpy().copy()
        self.values = grad._values().detach().numpy().copy()
        self.shape = tuple(grad.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        dense = np.zeros(self.shape, self.values.dtype)
        np.add.at(dense, self.indices, self.values)
        return dense if dtype is None else dense.astype(dtype)


def _is_row_sparse(value) -> bool:
    return all(hasattr(value, a) for a in ("indices", "values", "shape")) and not isinstance(value, np.ndarray)


def to_torch_grad(value) -> torch.Tensor:
    """A gradient for torch: a copy of an array, or torch's (uncoalesced) sparse COO tensor for a row-sparse one
    (a scratch SparseGrad or a SparseRows: anything with ``indices``, ``values`` and ``shape``)."""
    if _is_row_sparse(value):
        return torch.sparse_coo_tensor(torch.from_numpy(np.asarray(value.indices)[None].copy()),
                                       torch.from_numpy(np.array(value.values, copy=True)), tuple(value.shape),
                                       check_invariants=True)
    return torch.from_numpy(np.array(value, copy=True))


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
    def grad(self) -> np.ndarray | SparseRows | None:
        """A numpy view of torch's .grad; a sparse COO .grad (Embedding(sparse=True)) as SparseRows, uncoalesced."""
        g = self.tensor.grad
        if g is None:
            return None
        if g.is_sparse:
            return SparseRows(g)
        return g.numpy()

    @grad.setter
    def grad(self, value) -> None:
        self.tensor.grad = None if value is None else to_torch_grad(value)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.tensor.shape)

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def requires_grad(self) -> bool:
        return self.tensor.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.tensor.requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> TorchParameter:
        self.tensor.requires_grad_(requires_grad)
        return self


def tree_map(fn, tree):
    """Apply ``fn`` to every leaf of nested tuples and lists (the nesting of torch's arguments and results)."""
    if isinstance(tree, tuple | list):
        mapped = [tree_map(fn, t) for t in tree]
        return type(tree)(*mapped) if hasattr(tree, "_fields") else type(tree)(mapped)  # a namedtuple too
    return fn(tree)


def _leaves(tree) -> list:
    if isinstance(tree, tuple | list):
        return [leaf for t in tree for leaf in _leaves(t)]
    return [tree]


def _float_grads(tree):
    """The gradients of the float tensors in ``tree`` (zeros where autograd left none), nested like ``tree``
    without its other leaves; a top-level tuple of one gradient is that gradient (scratch's rule)."""
    def walk(t):
        if isinstance(t, tuple | list):
            kept = tuple(g for g in (walk(c) for c in t) if g is not _DROP)
            return kept if kept else _DROP
        if isinstance(t, torch.Tensor) and t.requires_grad:
            return (torch.zeros_like(t) if t.grad is None else t.grad).numpy().copy()
        return _DROP

    out = walk(tree)
    if out is _DROP:
        return None
    return out[0] if len(out) == 1 else out


_DROP = object()


def _to_numpy(value):
    return value.detach().numpy().copy() if isinstance(value, torch.Tensor) else value


class TorchModule:
    """The numpy-boundary wrapper. ``torch_module`` is the real module (use it for native torch loops).

    ``forward(*args, **kwargs)`` takes torch's arguments as numpy arrays (nested tuples too); every float array
    becomes a leaf tensor that requires grad. ``backward(*cotangents)`` takes one cotangent per output, nested
    like the outputs (None: no cotangent), runs torch autograd, and returns the gradients of the float inputs in
    forward's order and nesting (one array when there was one), as scratch's protocol states."""

    def __init__(self, module: torch.nn.Module) -> None:
        self.torch_module = module
        self._inputs = None
        self._outputs = None

    # -- forward / backward ---------------------------------------------------------------------------------
    @staticmethod
    def _input(x):
        if isinstance(x, torch.Tensor):  # converted already (a loss target torch refuses to differentiate)
            return x
        t = to_torch(x)
        if isinstance(t, torch.Tensor) and t.is_floating_point():
            t.requires_grad_(True)
        return t

    def forward(self, *args, **kwargs):
        targs, tkwargs = tree_map(self._input, args), {k: tree_map(self._input, v) for k, v in kwargs.items()}
        try:  # the inputs in the order of torch's forward signature, however they were passed
            self._inputs = tuple(forward_signature(type(self.torch_module)).bind(*targs, **tkwargs).arguments
                                 .values())
        except TypeError:  # torch raises its own error below
            self._inputs = (*targs, *tkwargs.values())
        self._outputs = self.torch_module(*targs, **tkwargs)
        return tree_map(_to_numpy, self._outputs)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def _take_outputs(self):
        if self._outputs is None:
            raise RuntimeError(f"{type(self).__name__}.backward called without a forward since the last backward")
        outputs, self._outputs = self._outputs, None  # the graph is freed by backward, as torch does
        return outputs

    def backward(self, *cotangents):
        outputs = self._take_outputs()
        nested = isinstance(outputs, tuple | list)
        cots = tuple(cotangents) if nested else cotangents[:1]
        pairs = _pair(outputs if nested else (outputs,), cots)
        if pairs:
            torch.autograd.backward([o for o, _ in pairs], [torch.from_numpy(np.array(c, copy=True)) for _, c in pairs])
        return _float_grads(self._inputs)

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
        """Copies as numpy arrays; a Lazy module's parameter not materialized yet stays torch's
        UninitializedParameter."""
        return OrderedDict((k, v if _uninitialized(v) else v.detach().numpy().copy())
                           for k, v in self.torch_module.state_dict().items())

    def load_state_dict(self, state_dict, strict: bool = True):
        """torch's load_state_dict on numpy arrays (an UninitializedParameter or UninitializedBuffer, torch's or
        scratch's, loads as torch's); returns torch's (missing_keys, unexpected_keys) result."""
        return self.torch_module.load_state_dict(
            OrderedDict((k, _uninitialized_like(v) if _uninitialized(v) else torch.from_numpy(np.array(v, copy=True)))
                        for k, v in state_dict.items()),
            strict=strict)

    def requires_grad_(self, requires_grad: bool = True) -> TorchModule:
        self.torch_module.requires_grad_(requires_grad)
        return self

    def to(self, *args, **kwargs) -> TorchModule:
        """torch's Module.to, with numpy dtypes accepted too."""
        args = tuple(TORCH_DTYPES.get(np.dtype(a), a) if isinstance(a, type) and issubclass(a, np.generic) else a
                     for a in args)
        if "dtype" in kwargs and kwargs["dtype"] is not None and not isinstance(kwargs["dtype"], torch.dtype):
            kwargs["dtype"] = torch_dtype(kwargs["dtype"])
        self.torch_module.to(*args, **kwargs)
        return self

    def double(self) -> TorchModule:
        self.torch_module.double()
        return self

    def float(self) -> TorchModule:
        self.torch_module.float()
        return self

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


def _uninitialized(value) -> bool:
    """torch's UninitializedParameter or UninitializedBuffer, or scratch's (by name: the twins never import
    scratch)."""
    return isinstance(value, torch.nn.parameter.UninitializedTensorMixin) or \
        type(value).__name__ in ("UninitializedParameter", "UninitializedBuffer")


def _uninitialized_like(value) -> torch.Tensor:
    return torch.nn.UninitializedBuffer() if type(value).__name__ == "UninitializedBuffer" else \
        torch.nn.UninitializedParameter()


def _pair(outputs: tuple, cots: tuple) -> list:
    """(output tensor, cotangent) for every output that has a cotangent and a graph."""
    pairs = []
    for o, c in zip(outputs, cots + (None,) * (len(outputs) - len(cots)), strict=False):
        if c is None:
            continue
        if isinstance(o, tuple | list):
            pairs += _pair(tuple(o), tuple(c))
        elif isinstance(o, torch.Tensor) and o.requires_grad:
            pairs.append((o, c))
    return pairs


class TorchLoss(TorchModule):
    """A loss twin: ``forward(input, target)`` (or torch's several inputs: ``input1, input2, target``, ...);
    ``backward(dy=None, target_grad=False)`` as scratch's losses: the gradients of the float inputs but the target,
    in forward's order (one array when there is one), and the target's too, at its place, with ``target_grad``.

    A float target requires grad too, so torch itself decides whether it has a gradient (None where its graph
    does not reach the target), except for the losses whose ATen op refuses a target that requires grad
    (``differentiable_target=False``: SoftMarginLoss); there the target gradient is None."""

    differentiable_target = True

    def _names(self) -> list[str]:
        return list(forward_signature(type(self.torch_module)).parameters)

    def forward(self, *args, **kwargs):
        if not self.differentiable_target:  # hand torch the target as a tensor that does not require grad
            names = self._names()
            at = names.index("target")
            if at < len(args):
                args = args[:at] + (to_torch(args[at]),) + args[at + 1:]
            elif "target" in kwargs:
                kwargs = {**kwargs, "target": to_torch(kwargs["target"])}
        return super().forward(*args, **kwargs)

    def backward(self, dy=None, *, target_grad: bool = False):
        outputs = self._take_outputs()
        named = list(zip(self._names(), self._inputs, strict=False))
        t = dict(named).get("target")
        if target_grad and not (isinstance(t, torch.Tensor) and t.is_floating_point()):
            raise RuntimeError("only floating-point tensors can require gradients (the target here is "
                               f"{getattr(t, 'dtype', type(t).__name__)})")
        outputs.backward(None if dy is None else torch.from_numpy(np.array(dy, copy=True)))
        grads = [None if a.grad is None else a.grad.numpy().copy() for name, a in named
                 if (target_grad if name == "target" else isinstance(a, torch.Tensor) and a.is_floating_point())]
        if not grads:
            return None
        return grads[0] if len(grads) == 1 else tuple(grads)


def twin(torch_cls: type, *, has_params: bool = False, doc: str = "", differentiable_target: bool = True) -> type:
    """A TorchModule subclass named like ``torch_cls`` whose constructor forwards its arguments.

    Twins with parameters also take scratch's ``dtype`` and ``rng`` keywords. ``differentiable_target=False``: a
    loss whose target torch refuses to differentiate (see TorchLoss)."""

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

    base = TorchLoss if issubclass(torch_cls, torch.nn.modules.loss._Loss) else TorchModule
    attrs = {"__init__": __init__, "__doc__": doc or f"Twin of torch.nn.{torch_cls.__name__}."}
    if not differentiable_target:
        attrs["differentiable_target"] = False
    return type(torch_cls.__name__, (base,), attrs)
