"""The Tensor core: construction, the recorded graph and the reverse-mode engine.

Every differentiable op (in :mod:`scratch.autograd.ops` and :mod:`scratch.autograd.reduce`) computes its output
with NumPy and hands :func:`make_result` a closure ``backward(g) -> tuple of operand gradients``: the rule sits
right beside the forward, micrograd style. The graph is the DAG of ``_parents`` links ("the tape");
:meth:`Tensor.backward` sorts it topologically once and runs every closure exactly once, in reverse order,
summing the contributions of every consumer of a node before that node's own closure runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .dtypes import DEFAULT_FLOAT, infer_array, result_dtype
from .grad_mode import _GRAD_MODE, is_grad_enabled, no_grad

BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]


def as_tensor(x: Any, dtype: np.dtype | None = None) -> Tensor:
    """Wrap a non-Tensor operand (Python scalar, NumPy array) as a constant tensor, optionally casting it."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (np.ndarray, np.generic)) and dtype is None:
        return Tensor(x)
    return Tensor(np.asarray(x, dtype=dtype) if dtype is not None else x)


def float_operand(x: Tensor) -> np.ndarray:
    """Data as a floating array (integer/bool tensors become float32 like torch's exp/log/sigmoid)."""
    return x.data if x.data.dtype.kind == "f" else x.data.astype(DEFAULT_FLOAT)


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back to an operand's ``shape``: over the leading axes broadcasting added and
    over every axis (leading, middle or trailing) where the operand had size 1."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape)


def _accumulate(total: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``total + g`` as a new array; inf + -inf = NaN silently, as torch."""
    with np.errstate(invalid="ignore", over="ignore"):
        return total + g


# ----------------------------------------------------------------------------------------------- Tensor
class Tensor:
    """An n-dimensional array that records the ops applied to it for reverse-mode differentiation.

    Args:
        data: array-like. Python floats/lists become float32 (torch's default dtype), Python ints int64;
            NumPy arrays and scalars keep their dtype (float64 stays float64). The data is copied.
        requires_grad (bool, default False): record ops on this tensor so ``backward`` fills ``.grad``.
            Only floating tensors can require gradients (``RuntimeError`` otherwise, as torch).
        dtype (optional): NumPy dtype to cast ``data`` to.

    Only leaves (tensors created by the user, not by an op) receive ``.grad``; it has the leaf's shape and dtype
    and accumulates over ``backward`` calls until reset with :meth:`zero_grad`.
    """

    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators
    _op = "leaf"

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        self.data: np.ndarray = infer_array(data.data if isinstance(data, Tensor) else data, dtype)
        self.grad: np.ndarray | None = None
        self._requires_grad = False
        self._parents: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self._is_leaf = True
        self._freed = False
        self.requires_grad = requires_grad

    # -- attributes
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if flag and self.data.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients, got {self.dtype}")
        if not self._is_leaf and not flag:
            raise RuntimeError("you can only change requires_grad flags of leaf variables; use detach()")
        self._requires_grad = bool(flag)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        self.requires_grad = flag
        return self

    @property
    def is_leaf(self) -> bool:
        return self._is_leaf

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float | int | bool:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, like torch's ``.numpy()``)."""
        return self.data

    def __repr__(self) -> str:
        extra = f", grad_fn=<{self._op}>" if not self._is_leaf else (
            ", requires_grad=True" if self._requires_grad else "")
        return f"Tensor({np.array2string(self.data, separator=', ')}, dtype={self.dtype}{extra})"

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, cut from the graph (``requires_grad=False``)."""
        out = Tensor.__new__(Tensor)
        out.__dict__.update(data=self.data, grad=None, _requires_grad=False, _parents=(), _backward=None,
                            _is_leaf=True, _freed=False)
        return out

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset ``.grad``: to None (default, like ``torch.optim.Optimizer.zero_grad``) or to zeros."""
        self.grad = None if set_to_none or self.grad is None else np.zeros_like(self.grad)

    # -- the engine
    def backward(self, gradient: Any = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf), contracted with ``gradient``, into every leaf's ``.grad``.

        Args:
            gradient: the cotangent, same shape as ``self``; may be omitted only when ``self`` has one
                element (then it is 1). Cast to ``self``'s dtype.
            retain_graph (bool, default False): keep the graph for another backward. Otherwise every node's
                closure and saved arrays are released and a second backward through it raises RuntimeError
                (torch raises too once saved tensors are freed; for graphs of pure additions torch would allow it).

        Raises:
            RuntimeError: ``self`` does not require grad; implicit gradient for a non-scalar; gradient shape
                mismatch; the graph was already freed.
        """
        if not self._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs, got shape {self.shape}")
            g = np.ones(self.shape, dtype=self.dtype)
        else:
            g = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient)
            if g.shape != self.shape:
                raise RuntimeError(f"Mismatch in shape: gradient has a shape of {g.shape} and output has a "
                                   f"shape of {self.shape}")
            g = g.astype(self.dtype, copy=False)
        order = self._topological_order()
        grads: dict[int, np.ndarray] = {id(self): g}
        for node in reversed(order):  # every consumer of a node comes after it in `order`
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:  # a leaf: accumulate into .grad
                node.grad = np.array(g, dtype=node.dtype) if node.grad is None else _accumulate(node.grad, g)
                continue
            for parent, pg in zip(node._parents, node._backward(g), strict=True):
                if pg is None or not parent._requires_grad:
                    continue
                if pg.shape != parent.shape:
                    raise RuntimeError(f"internal: {node._op} produced a gradient of shape {pg.shape} for an "
                                       f"operand of shape {parent.shape}")
                pg = pg.astype(parent.dtype, copy=False)
                prev = grads.get(id(parent))
                grads[id(parent)] = pg if prev is None else _accumulate(prev, pg)
        if not retain_graph:
            for node in order:
                if not node._is_leaf:
                    node._parents, node._backward, node._freed = (), None, True

    def _topological_order(self) -> list[Tensor]:
        """Nodes reachable from self through tensors that require grad, each once, parents before children."""
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            if node._freed:
                raise RuntimeError(f"Trying to backward through the graph a second time (node {node._op}): its "
                                   "saved arrays were freed; specify retain_graph=True on the first backward")
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p._requires_grad and id(p) not in visited)
        return order

    # -- operators (rules live in ops.py / reduce.py)
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.pow(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __matmul__(self, other: Any) -> Tensor:
        return reduce.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return reduce.matmul(other, self)

    def __getitem__(self, index: Any) -> Tensor:
        return reduce.getitem(self, index)

    def __gt__(self, other: Any) -> Tensor:
        return ops.compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.compare(np.greater_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return ops.compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.compare(np.less_equal, self, other)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def sqrt(self) -> Tensor:
        return ops.sqrt(self)

    def abs(self) -> Tensor:
        return ops.abs(self)

    def relu(self) -> Tensor:
        return ops.relu(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)

    def maximum(self, other: Any) -> Tensor:
        return ops.maximum(self, other)

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reduce.sum(self, axis, keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reduce.mean(self, axis, keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return reduce.max(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        return reduce.reshape(self, *shape)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return reduce.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        return reduce.permute(self, *dims)

    @property
    def T(self) -> Tensor:
        """All axes reversed (NumPy's ``.T``; torch's ``.T`` for 2-D)."""
        return reduce.permute(self, *reversed(range(self.ndim)))

    def softmax(self, axis: int = -1) -> Tensor:
        return reduce.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return reduce.log_softmax(self, axis)


def make_result(data: np.ndarray, parents: tuple[Tensor, ...], backward: BackwardFn, op: str) -> Tensor:
    """Wrap an op's output; record ``parents`` and the ``backward`` closure when grad mode is on and an operand
    requires grad. ``backward(g)`` returns one gradient (or None) per parent, shaped like that parent."""
    out = Tensor.__new__(Tensor)
    out.__dict__.update(data=np.asarray(data), grad=None, _requires_grad=False, _parents=(), _backward=None,
                        _is_leaf=True, _freed=False)
    if _GRAD_MODE.enabled and any(p._requires_grad for p in parents):
        out.__dict__.update(_requires_grad=True, _parents=parents, _backward=backward, _is_leaf=False, _op=op)
    return out


__all__ = ["Tensor", "make_result", "as_tensor", "float_operand", "unbroadcast", "DEFAULT_FLOAT", "result_dtype",
           "no_grad", "is_grad_enabled"]

from . import ops, reduce  # noqa: E402  (ops/reduce import Tensor from this module)
