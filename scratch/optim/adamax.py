"""Adamax: Adam with the infinity norm in place of the second moment."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, _lerp, check_adam_args, check_tensor_lr, lr_value


class Adamax(Optimizer):
    r"""torch.optim.Adamax, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad;  g = g + weight_decay * p    (L2 into g)
        m = lerp(m, g, 1 - beta1)
        u = max(beta2 * u, |g| + eps)                    # eps inside the max, not added to the denominator
        p = p - (lr / (1 - beta1^t)) * m / u

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 2e-3), betas (tuple of two floats, default (0.9, 0.999), each in [0, 1)),
        eps (float, default 1e-8), weight_decay (float, default 0): lr, eps, weight_decay >= 0.
        maximize (bool, default False): ascend instead of descend.
        foreach, differentiable, capturable: recorded for torch's state_dict layout; no effect in numpy.
    Raises:
        ValueError: invalid lr, eps, betas or weight_decay (torch's messages).
    State: ``step``, ``exp_avg``, ``exp_inf`` (created at the first step).
    """

    def __init__(self, params, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_tensor_lr(lr)
        check_adam_args(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = lr_value(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), exp_avg=np.zeros_like(p.data),
                             exp_inf=np.zeros_like(p.data))
            clr = lr / (1 - beta1 ** self._step_count(p))
            blockwise(_adamax_step(clr, eps, weight_decay, beta1, beta2), p.data, g, state["exp_avg"],
                      state["exp_inf"])


def _adamax_step(clr: float, eps: float, weight_decay: float, beta1: float, beta2: float):
    """The block update of the docstring's rule on (p, g, m, u), in place (torch's single-tensor order)."""

    def update(p: np.ndarray, g: np.ndarray, m: np.ndarray, u: np.ndarray) -> None:
        if weight_decay != 0:
            g = g + weight_decay * p
        m[...] = _lerp(m, g, 1 - beta1)
        u *= beta2
        np.maximum(u, np.abs(g) + eps, out=u)
        p += (-clr * m) / u  # addcdiv_(m, u, value=-clr)
    return update
