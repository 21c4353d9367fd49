"""RMSprop: gradients divided by a running root-mean-square, optionally centered and with momentum."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, _lerp, check_tensor_lr, lr_value


class RMSprop(Optimizer):
    r"""torch.optim.RMSprop, in numpy (no bias correction).

    .. code-block:: text

        g = -grad if maximize else grad;  g = g + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        centered: gbar = lerp(gbar, g, 1 - alpha);  denom = sqrt(v - gbar^2) + eps
        else:     denom = sqrt(v) + eps                 # eps OUTSIDE the square root
        momentum > 0: buf = momentum * buf + g / denom (buf starts at 0);  p = p - lr * buf
        else:         p = p - lr * g / denom

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-2), alpha (float, default 0.99), eps (float, default 1e-8),
        weight_decay (float, default 0), momentum (float, default 0): all must be >= 0.
        centered (bool, default False): divide by the estimated variance instead of the raw second moment.
        maximize (bool, default False): ascend instead of descend.
        capturable, foreach, differentiable: recorded for torch's state_dict layout; no effect in numpy.
    Raises:
        ValueError: a negative lr, eps, momentum, weight_decay or alpha (torch's messages).
    State: ``step``, ``square_avg``, ``momentum_buffer`` (momentum > 0), ``grad_avg`` (centered).
    """

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach, maximize=maximize,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = lr_value(group["lr"]), float(group["alpha"]), float(group["eps"])
        weight_decay, momentum, centered = float(group["weight_decay"]), float(group["momentum"]), group["centered"]
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state["step"] = np.array(0.0, STEP_DTYPE)
                state["square_avg"] = np.zeros_like(p.data)
                if momentum > 0:
                    state["momentum_buffer"] = np.zeros_like(p.data)
                if centered:
                    state["grad_avg"] = np.zeros_like(p.data)
            self._step_count(p)
            arrays = [p.data, g, state["square_avg"]]
            arrays += [state["momentum_buffer"]] if momentum > 0 else []
            arrays += [state["grad_avg"]] if centered else []
            blockwise(_rmsprop_step(lr, alpha, eps, weight_decay, momentum, centered), *arrays)


def _rmsprop_step(lr: float, alpha: float, eps: float, weight_decay: float, momentum: float, centered: bool):
    """The block update of the docstring's rule on (p, g, square_avg[, momentum_buffer][, grad_avg]), in place."""
    def update(p: np.ndarray, g: np.ndarray, v: np.ndarray, *more: np.ndarray) -> None:
        buf = more[0] if momentum > 0 else None
        if weight_decay != 0:
            g = g + weight_decay * p
        v *= alpha
        v += ((1 - alpha) * g) * g
        if centered:
            gbar = more[-1]
            gbar[...] = _lerp(gbar, g, 1 - alpha)
            avg = np.sqrt(v - gbar * gbar)
        else:
            avg = np.sqrt(v)
        avg += eps
        if buf is not None:
            buf *= momentum
            buf += g / avg
            p += -lr * buf
        else:
            p += (-lr * g) / avg
    return update
