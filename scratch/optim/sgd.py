"""Stochastic gradient descent with momentum, dampening, Nesterov, L2 weight decay and maximize."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise, work_buffer
from .optimizer import Optimizer, check_tensor_lr, lr_value


class SGD(Optimizer):
    r"""torch.optim.SGD, in numpy.

    .. code-block:: text

        g = -grad if maximize else grad
        g = g + weight_decay * p                        # coupled L2: the gradient of (wd/2)||p||^2
        if momentum != 0:
            buf = g (first step: a copy of g, NOT zeros)  else  momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g                                  # lr outside the buffer

    Starting the buffer at the first gradient (not at zeros) only matters once ``dampening != 0``: from zeros
    the first step would be ``(1 - dampening) g``. The update runs on cache-sized blocks of the parameter
    (``_blocks.blockwise``, as every scratch optimizer): the same operations per element, bit for bit; torch
    instead fuses ``g + wd * p`` into one rounding, an ulp away.

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-3): learning rate, >= 0.
        momentum (float, default 0): momentum factor, >= 0.
        dampening (float, default 0): dampening of the gradient inside the buffer.
        weight_decay (float, default 0): L2 penalty factor, >= 0.
        nesterov (bool, default False): Nesterov momentum (needs momentum > 0 and dampening == 0).
        maximize (bool, default False): ascend instead of descend.
        foreach, differentiable, fused: accepted for torch's signature and recorded in the groups so that
            state_dicts have torch's exact layout; numpy has a single code path, so they change nothing.
    Raises:
        ValueError: lr < 0, momentum < 0, weight_decay < 0 (torch's messages, e.g. "Invalid learning rate: -1"),
            or nesterov without momentum / with dampening.
    State: ``momentum_buffer`` (only when momentum != 0).
    """

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach, differentiable=differentiable,
                        fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        self._work: dict[np.dtype, np.ndarray] = {}  # block-sized scratch (not state: never saved, never read)

    def _check_sparse(self, group: dict[str, Any]) -> None:
        if group["weight_decay"] != 0:  # torch's grad.add(param, alpha=wd) on a sparse grad
            raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")

    def _update_group(self, group: dict[str, Any]) -> None:
        # Python floats (NEP 50 "weak" scalars) keep float32 parameters in float32.
        lr, momentum, dampening = lr_value(group["lr"]), float(group["momentum"]), float(group["dampening"])
        weight_decay, nesterov = float(group["weight_decay"]), group["nesterov"]
        for p, g in self._grads(group):
            if momentum == 0:  # the hot path of plain SGD (+ L2), with a block-sized work buffer
                blockwise(_plain_step(lr, weight_decay), p.data, g, work=work_buffer(self._work, p.data.dtype))
                continue
            state = self.state.setdefault(p, {})
            first = state.get("momentum_buffer") is None
            if first:
                state["momentum_buffer"] = np.empty_like(p.data)  # set to the first (decayed) gradient below
            update = _momentum_step(lr, weight_decay, momentum, dampening, nesterov, first)
            blockwise(update, p.data, g, state["momentum_buffer"])


def _plain_step(lr: float, weight_decay: float):
    """The block update p += -lr * (g + weight_decay * p) (torch's order: decay into the gradient, then the lr)."""
    def update(p: np.ndarray, g: np.ndarray, d: np.ndarray) -> None:
        if weight_decay != 0:
            np.multiply(p, weight_decay, out=d)
            d += g
            d *= -lr
        else:
            np.multiply(g, -lr, out=d)
        p += d
    return update


def _momentum_step(lr: float, weight_decay: float, momentum: float, dampening: float, nesterov: bool, first: bool):
    """The block update with a momentum buffer (the docstring's rule; the first step copies g into it)."""
    def update(p: np.ndarray, g: np.ndarray, buf: np.ndarray) -> None:
        if weight_decay != 0:
            g = g + weight_decay * p
        if first:
            buf[...] = g
        else:
            buf *= momentum
            buf += (1 - dampening) * g
        p += -lr * (g + momentum * buf if nesterov else buf)
    return update
