"""RAdam: Adam whose adaptive step is switched on, and rectified, once the second moment's variance is tractable."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, adam_moments, check_adam_args, check_tensor_lr, lr_value


class RAdam(Optimizer):
    r"""torch.optim.RAdam, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad
        decoupled_weight_decay: p = p * (1 - lr * weight_decay)   else: g = g + weight_decay * p
        m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g^2
        rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
        rho_t > 5: r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
                   p = p - (m / (1 - beta1^t)) * lr * (sqrt(1 - beta2^t) / (sqrt(v) + eps)) * r
        else:      p = p - (m / (1 - beta1^t)) * lr               # SGD with momentum for the first steps

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-3), betas (tuple, default (0.9, 0.999), each in [0, 1)), eps (float, default 1e-8),
        weight_decay (float, default 0): lr, eps, weight_decay >= 0. decoupled_weight_decay (bool, default
        False): AdamW-style decay. maximize (bool, default False). foreach, capturable, differentiable: recorded.
    Raises:
        ValueError: invalid lr, eps, betas or weight_decay (torch's messages).
    State: ``step``, ``exp_avg``, ``exp_avg_sq`` (created at the first step).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False) -> None:
        check_tensor_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = lr_value(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        decoupled = group["decoupled_weight_decay"]
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), exp_avg=np.zeros_like(p.data),
                             exp_avg_sq=np.zeros_like(p.data))
            step = self._step_count(p)
            bias_correction1, bias_correction2 = 1 - beta1**step, 1 - beta2**step
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            rect = None
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            blockwise(_radam_step(lr, eps, weight_decay, beta1, beta2, decoupled, bias_correction1,
                                  bias_correction2, rect), p.data, g, state["exp_avg"], state["exp_avg_sq"])


def _radam_step(lr: float, eps: float, weight_decay: float, beta1: float, beta2: float, decoupled: bool,
                bias_correction1: float, bias_correction2: float, rect: float | None):
    """The block update of the docstring's rule on (p, g, m, v), in place (torch's single-tensor order)."""

    def update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
        g = adam_moments(p, g, m, v, lr, weight_decay, beta1, beta2, decoupled)
        step = m / bias_correction1 * lr
        if rect is not None:
            adaptive = bias_correction2**0.5 / (np.sqrt(v) + eps)
            step = step * adaptive * rect
        p += -1.0 * step  # add_(step, alpha=-1.0)
    return update
