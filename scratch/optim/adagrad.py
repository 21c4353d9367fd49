"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch.nn.module import Parameter

from ._blocks import blockwise
from .optimizer import STEP_DTYPE, Optimizer, check_tensor_lr, lr_value


class Adagrad(Optimizer):
    r"""torch.optim.Adagrad, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g * g                              # starts at initial_accumulator_value
        p = p - clr * g / (sqrt(sum) + eps)            # eps OUTSIDE the square root

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-2), lr_decay (float, default 0), weight_decay (float, default 0),
        initial_accumulator_value (float, default 0), eps (float, default 1e-10): all must be >= 0.
        maximize (bool, default False): ascend instead of descend.
        foreach, differentiable, fused: recorded for torch's state_dict layout; no effect in numpy.
    Raises:
        ValueError: a negative lr, lr_decay, weight_decay, initial_accumulator_value or eps (torch's messages).
    State: ``step`` (0-d float32) and ``sum``, created for EVERY parameter at construction, as torch does.
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:  # torch creates the state here, for the groups given to the constructor
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Parameter) -> None:
        """'step' 0 and 'sum' filled with the CONSTRUCTOR's initial_accumulator_value, as torch 2.13 does: a
        group's own value is stored in the group but never used (both in __init__ and for a group added later,
        whose state torch creates at its first step)."""
        self.state[p] = {"step": np.array(0.0, STEP_DTYPE),
                         "sum": np.full_like(p.data, self.defaults["initial_accumulator_value"])}

    def _check_sparse(self, group: dict[str, Any]) -> None:
        if group["weight_decay"] != 0:
            raise RuntimeError("weight_decay option is not compatible with sparse gradients")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lr_decay, eps = lr_value(group["lr"]), float(group["lr_decay"]), float(group["eps"])
        weight_decay = float(group["weight_decay"])
        for p, g in self._grads(group):
            if p not in self.state:  # a group added later: torch creates its state at the first step
                self._init_state(p)
            step = self._step_count(p)
            clr = lr / (1 + (step - 1) * lr_decay)
            blockwise(_adagrad_step(clr, eps, weight_decay), p.data, g, self.state[p]["sum"])


def _adagrad_step(clr: float, eps: float, weight_decay: float):
    """The block update of the docstring's rule on (p, g, sum), in place (clr: the decayed learning rate)."""
    def update(p: np.ndarray, g: np.ndarray, state_sum: np.ndarray) -> None:
        if weight_decay != 0:
            g = g + weight_decay * p
        state_sum += g * g
        std = np.sqrt(state_sum) + eps
        p += (-clr * g) / std  # torch's addcdiv order: (value * t1) / t2
    return update
