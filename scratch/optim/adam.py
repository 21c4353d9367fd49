"""Adam (coupled L2 or decoupled weight decay, AMSGrad) and AdamW."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, adam_moments, check_adam_args, check_tensor_lr, lr_value


class Adam(Optimizer):
    r"""torch.optim.Adam, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad
        decoupled_weight_decay: p = p * (1 - lr * weight_decay)   else: g = g + weight_decay * p   (L2 into g)
        m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v) if amsgrad (the max of the RAW v) ;  vv = vmax if amsgrad else v
        p = p - (lr / (1 - beta1^t)) * m / (sqrt(vv) / sqrt(1 - beta2^t) + eps)   # eps added to sqrt(v_hat)

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-3), betas (tuple of two floats, default (0.9, 0.999), each in [0, 1)),
        eps (float, default 1e-8), weight_decay (float, default 0): lr, eps, weight_decay >= 0.
        amsgrad (bool, default False): normalize by the running maximum of v.
        maximize (bool, default False): ascend instead of descend.
        decoupled_weight_decay (bool, default False): AdamW's decay (what :class:`AdamW` sets).
        foreach, capturable, differentiable, fused: recorded for torch's state_dict layout; no effect here.
    Raises:
        ValueError: invalid lr, eps, betas or weight_decay (torch's messages), or betas that are not both
            floats (torch rejects e.g. ``(0, 0.9)``).
    State: ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq`` (amsgrad).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        check_tensor_lr(lr, foreach=foreach, capturable=capturable, adam=True)
        check_adam_args(lr, eps, betas, weight_decay)
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable, differentiable=differentiable,
                        fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_sparse(self, group: dict[str, Any]) -> None:
        raise RuntimeError("Adam does not support sparse gradients, please consider SparseAdam instead")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, weight_decay = lr_value(group["lr"]), float(group["eps"]), float(group["weight_decay"])
        beta1, beta2 = (float(b) for b in group["betas"])
        amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state["step"] = np.array(0.0, STEP_DTYPE)
                state["exp_avg"] = np.zeros_like(p.data)
                state["exp_avg_sq"] = np.zeros_like(p.data)
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(p.data)
            step = self._step_count(p)
            arrays = [p.data, g, state["exp_avg"], state["exp_avg_sq"]] + ([state["max_exp_avg_sq"]] if amsgrad else [])
            blockwise(_adam_step(lr, eps, weight_decay, beta1, beta2, decoupled, step), *arrays)


def _adam_step(lr: float, eps: float, weight_decay: float, beta1: float, beta2: float, decoupled: bool,
               step: float):
    """The block update of the docstring's rule on (p, g, m, v[, vmax]), in place."""
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5

    def update(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, *vmax: np.ndarray) -> None:
        g = adam_moments(p, g, m, v, lr, weight_decay, beta1, beta2, decoupled)
        if vmax:  # amsgrad
            np.maximum(vmax[0], v, out=vmax[0])
            v = vmax[0]
        denom = np.sqrt(v) / bias_correction2_sqrt + eps
        p += (-step_size * m) / denom
    return update

class AdamW(Adam):
    r"""torch.optim.AdamW: Adam with decoupled weight decay, default ``weight_decay=1e-2``.

    ``p = p * (1 - lr * weight_decay)`` with the current p (the decay IS scaled by lr, as torch), then the
    Adam update with no decay in g. Same arguments as :class:`Adam` except ``decoupled_weight_decay``, which
    is always True (also after ``load_state_dict``, as torch's ``__setstate__``).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def _after_load(self) -> None:
        super()._after_load()
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
