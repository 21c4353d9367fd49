"""Plain stochastic gradient descent over autograd parameters."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .tensor import Tensor


class SGD:
    """``p <- p - lr * p.grad`` for every parameter that has a gradient (torch's SGD without momentum or weight
    decay; parameters whose ``.grad`` is None are skipped, as torch).

    Args:
        params: iterable of Tensors (e.g. ``model.parameters()``); must not be empty (ValueError, as torch).
        lr (float, default 1e-3, torch's default): learning rate, >= 0 (ValueError otherwise).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3) -> None:
        if lr < 0:
            raise ValueError(f"Invalid learning rate: {lr}")
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list")
        if not all(isinstance(p, Tensor) for p in self.params):
            raise TypeError("SGD params must be Tensors")
        self.lr = lr

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None by default, as torch)."""
        for p in self.params:
            p.zero_grad(set_to_none)

    def step(self) -> None:
        """One update, in place on each parameter's data (as torch's ``param.add_(grad, alpha=-lr)``)."""
        for p in self.params:
            if p.grad is not None:
                np.subtract(p.data, self.lr * p.grad, out=p.data, casting="same_kind")
