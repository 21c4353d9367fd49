"""NAdam: Adam with Nesterov momentum and torch's momentum-decay schedule."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, adam_moments, check_adam_args, check_tensor_lr, lr_value


class NAdam(Optimizer):
    r"""torch.optim.NAdam, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad
        decoupled_weight_decay: p = p * (1 - lr * weight_decay)   else: g = g + weight_decay * p
        mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay));  mu_{t+1} likewise with t + 1
        mu_product = mu_product * mu_t              # a float32 0-d state, as torch's (rounded every step)
        m = lerp(m, g, 1 - beta1);  v = beta2 v + (1 - beta2) g^2
        denom = sqrt(v / (1 - beta2^t)) + eps
        p = p + (-lr (1 - mu_t) / (1 - mu_product)) g / denom
        p = p + (-lr mu_{t+1} / (1 - mu_product mu_{t+1})) m / denom

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 2e-3), betas (tuple, default (0.9, 0.999), each in [0, 1)), eps (float, default 1e-8),
        weight_decay (float, default 0), momentum_decay (float, default 4e-3): lr, eps, weight_decay,
        momentum_decay >= 0. decoupled_weight_decay (bool, default False): AdamW-style decay.
        maximize (bool, default False). foreach, capturable, differentiable: recorded only.
    Raises:
        ValueError: invalid lr, eps, betas, weight_decay or momentum_decay (torch's messages).
    State: ``step``, ``mu_product`` (float32 0-d), ``exp_avg``, ``exp_avg_sq`` (created at the first step).
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        check_tensor_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = lr_value(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        momentum_decay, decoupled = float(group["momentum_decay"]), group["decoupled_weight_decay"]
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), mu_product=np.array(1.0, STEP_DTYPE),
                             exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
            step = self._step_count(p)
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            state["mu_product"] *= mu  # in place on the float32 0-d array, as torch's tensor
            mu_product = float(state["mu_product"])
            coef_g = -lr * (1.0 - mu) / (1.0 - mu_product)
            coef_m = (-lr * mu_next) / (1.0 - mu_product * mu_next)
            blockwise(_nadam_step(lr, eps, weight_decay, beta1, beta2, decoupled, 1 - beta2**step, coef_g, coef_m),
                      p.data, g, state["exp_avg"], state["exp_avg_sq"])


def _nadam_step(lr: float, eps: float, weight_decay: float, beta1: float, beta2: float, decoupled: bool,
                bias_correction2: float, coef_g: float, coef_m: float):
    """The block update of the docstring's rule on (p, g, m, v), in place (torch's single-tensor order)."""

    def update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray) -> None:
        g = adam_moments(p, g, m, v, lr, weight_decay, beta1, beta2, decoupled)
        denom = np.sqrt(v / bias_correction2)
        denom += eps
        p += (coef_g * g) / denom  # addcdiv_(g, denom, value=coef_g)
        p += (coef_m * m) / denom
    return update
