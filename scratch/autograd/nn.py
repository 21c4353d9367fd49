"""A small module library on top of the autograd Tensor: Module, Parameter, Linear, activations, MSE loss.

Unlike ``scratch.nn`` (explicit ``backward`` methods), these modules only run forward; gradients come from
:meth:`Tensor.backward`. Names, parameter layouts and defaults follow ``torch.nn``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import ops, reduce
from .tensor import Tensor


class Parameter(Tensor):
    """A leaf Tensor that a Module registers as a parameter; ``requires_grad=True`` by default. The data is
    copied and keeps its dtype (a float64 array gives a float64 parameter)."""

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data.data if isinstance(data, Tensor) else data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class. Parameters and sub-modules are found among the attributes, in assignment order, like torch's
    registration order; ``named_parameters`` gives torch's dotted names (``"0.weight"`` in a Sequential)."""

    training: bool = True

    def forward(self, *args: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def __call__(self, *args: Any) -> Tensor:
        return self.forward(*args)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(name, parameter) pairs, each parameter once even if shared."""
        seen: set[int] = set()
        for name, p in self._walk(prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def _walk(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value._walk(prefix + name + ".")

    def parameters(self) -> list[Parameter]:
        """All parameters, in registration order."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None by default, as torch)."""
        for p in self.parameters():
            p.zero_grad(set_to_none)


class Linear(Module):
    """``y = x @ W.T + b`` with ``W`` of shape (out_features, in_features), as ``torch.nn.Linear``.

    Args:
        in_features (int), out_features (int): sizes of the last input / output axis.
        bias (bool, default True): learn an additive bias of shape (out_features,).
        rng (np.random.Generator, keyword-only, required): source of the initial values.
        dtype (default np.float32): parameter dtype.

    Init (torch's ``kaiming_uniform_(a=sqrt(5))``, i.e. bound ``sqrt(6 / ((1 + 5) fan_in)) = 1/sqrt(fan_in)``):
    weight and bias ~ U(-1/sqrt(in_features), 1/sqrt(in_features)).

    Shape: input (*, in_features) -> output (*, out_features). The input must have the parameters' dtype
    (RuntimeError otherwise, as torch).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, rng: np.random.Generator,
                 dtype: Any = np.float32) -> None:
        if not (isinstance(in_features, int) and isinstance(out_features, int)) or in_features < 1 or \
                out_features < 0:
            raise ValueError(f"Linear needs in_features >= 1 and out_features >= 0, got {in_features}, "
                             f"{out_features}")
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-bound, bound, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-bound, bound, (out_features,)).astype(dtype)) if bias else None

    def forward(self, x: Any) -> Tensor:
        y = reduce.matmul(x, self.weight.T)
        return y + self.bias if self.bias is not None else y


class ReLU(Module):
    """``max(x, 0)``; gradient 0 at 0 (as torch)."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.relu(x)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.sigmoid(x)


class Tanh(Module):
    """``tanh(x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return ops.tanh(x)


class Sequential(Module):
    """Applies its modules in order; they are registered as attributes ``"0"``, ``"1"``, ... as torch."""

    def __init__(self, *modules: Module) -> None:
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def forward(self, x: Any) -> Tensor:
        for m in vars(self).values():
            if isinstance(m, Module):
                x = m(x)
        return x


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """``(input - target)**2`` reduced by ``reduction`` ('mean' default, 'sum' or 'none').

    Gradient (mean): ``2 (input - target) / numel``. Different shapes broadcast with a UserWarning, as torch.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    target_shape = target.shape if isinstance(target, (Tensor, np.ndarray)) else ()
    if target_shape != input.shape:
        warnings.warn(f"Using a target size ({target_shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to broadcasting.",
                      UserWarning, stacklevel=2)
    sq = ops.pow(ops.sub(input, target), 2)
    return reduce.mean(sq) if reduction == "mean" else reduce.sum(sq) if reduction == "sum" else sq


class MSELoss(Module):
    """Module form of :func:`mse_loss`: ``MSELoss(reduction='mean')(input, target)``."""

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return mse_loss(input, target, self.reduction)
