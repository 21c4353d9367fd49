"""Adadelta: steps scaled by the ratio of running RMS of past updates to running RMS of gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, check_tensor_lr, lr_value


class Adadelta(Optimizer):
    r"""torch.optim.Adadelta, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad;  g = g + weight_decay * p    (L2 into g)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(a + eps) / sqrt(v + eps) * g       # eps inside both square roots
        a = rho * a + (1 - rho) * delta * delta
        p = p - lr * delta                              # lr defaults to 1.0

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1.0), rho (float, default 0.9, in [0, 1]), eps (float, default 1e-6),
        weight_decay (float, default 0): lr, eps, weight_decay >= 0.
        maximize (bool, default False): ascend instead of descend.
        foreach, capturable, differentiable: recorded for torch's state_dict layout; no effect in numpy.
    Raises:
        ValueError: invalid lr, rho, eps or weight_decay (torch's messages).
    State: ``step``, ``square_avg``, ``acc_delta`` (created at the first step).
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 foreach: bool | None = None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, rho, eps = lr_value(group["lr"]), float(group["rho"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), square_avg=np.zeros_like(p.data),
                             acc_delta=np.zeros_like(p.data))
            self._step_count(p)
            blockwise(_adadelta_step(lr, rho, eps, weight_decay), p.data, g, state["square_avg"], state["acc_delta"])


def _adadelta_step(lr: float, rho: float, eps: float, weight_decay: float):
    """The block update of the docstring's rule on (p, g, v, a), in place (torch's single-tensor order:
    ``addcmul_(x, y, value=c)`` is ``self + (c * x) * y``, ``add_(d, alpha=-lr)`` is ``self + (-lr) * d``)."""

    def update(p: np.ndarray, g: np.ndarray, v: np.ndarray, a: np.ndarray) -> None:
        if weight_decay != 0:
            g = g + weight_decay * p
        v *= rho
        v += ((1 - rho) * g) * g
        delta = np.sqrt(a + eps)
        delta /= np.sqrt(v + eps)
        delta *= g
        a *= rho
        a += ((1 - rho) * delta) * delta
        p += -lr * delta
    return update
