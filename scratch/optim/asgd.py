"""ASGD: SGD with a decaying step and a running (Polyak) average of the iterates."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import STEP_DTYPE, Optimizer, check_tensor_lr, lr_value


class ASGD(Optimizer):
    r"""torch.optim.ASGD, in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
        p = p * (1 - lambd * eta);  p = p - eta * g
        ax = p if mu == 1 else ax + mu * (p - ax)           # the averaged iterate
        eta = lr / (1 + lambd * lr * t)^alpha;  mu = 1 / max(1, t - t0)

    eta and mu are float32 0-d states, as torch's (rounded when stored, read back as floats: eta starts at
    float32(lr)); torch's load_state_dict casts them to the parameter's dtype, and so does scratch's, but the new
    values are still rounded to float32 first (torch stores ``torch.as_tensor(value)``, a float32 tensor).

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-2), lambd (float, default 1e-4): decay term, alpha (float, default 0.75): power
        for the eta update, t0 (float, default 1e6): the step where averaging starts, weight_decay (float,
        default 0): lr, weight_decay >= 0. maximize (bool, default False). foreach, differentiable, capturable:
        recorded only.
    Raises:
        ValueError: a negative lr or weight_decay (torch's messages).
    State: ``step``, ``eta``, ``mu``, ``ax`` (created at the first step).
    """

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, lambd, alpha, t0 = lr_value(group["lr"]), float(group["lambd"]), float(group["alpha"]), float(group["t0"])
        weight_decay = float(group["weight_decay"])
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), eta=np.array(lr, STEP_DTYPE),
                             mu=np.array(1.0, STEP_DTYPE), ax=np.zeros_like(p.data))
            step = self._step_count(p)
            if weight_decay != 0:
                g = g + weight_decay * p.data
            eta = float(state["eta"])
            p.data *= 1 - lambd * eta
            p.data += -eta * g
            ax, mu = state["ax"], state["mu"]
            if float(mu) != 1:
                ax += (p.data - ax) * mu.astype(ax.dtype)  # a 0-d float32 mu does not promote ax's dtype
            else:
                ax[...] = p.data
            # torch: eta.copy_(torch.as_tensor(new_eta)): as_tensor makes a float32 (default dtype) tensor, so the
            # value is rounded to float32 even where the state is float64 (after a load_state_dict)
            state["eta"][...] = np.float32(lr / ((1 + lambd * lr * step) ** alpha))
            state["mu"][...] = np.float32(1 / max(1, step - t0))
