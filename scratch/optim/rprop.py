"""Rprop: per-coordinate step sizes grown or shrunk by the sign agreement of successive gradients."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import STEP_DTYPE, Optimizer, check_tensor_lr, lr_value


class Rprop(Optimizer):
    r"""torch.optim.Rprop, in numpy (torch's Rprop- variant: no weight backtracking).

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad
        s = sign(g * prev):  s > 0 -> etaplus,  s < 0 -> etaminus,  s == 0 -> 1   (NaN stays NaN)
        step_size = clamp(step_size * s, step_size_min, step_size_max)      # step_size starts at lr
        g = 0 where s == etaminus                   # after a sign change: no step, and no memory of g
        p = p - sign(g) * step_size;  prev = g

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float, default 1e-2): the initial step size, >= 0.
        etas (tuple, default (0.5, 1.2)): (etaminus, etaplus) with 0 < etaminus < 1 < etaplus.
        step_sizes (tuple, default (1e-6, 50)): the clamp of step_size.
        maximize (bool, default False). capturable, foreach, differentiable: recorded only.
    Raises:
        ValueError: a negative lr or etas out of order (torch's messages).
    State: ``step``, ``prev``, ``step_size`` (created at the first step; step_size from the group's lr then).
    """

    def __init__(self, params, lr: float = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False, differentiable: bool = False) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        etaminus, etaplus = (float(e) for e in group["etas"])
        step_min, step_max = (float(s) for s in group["step_sizes"])
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=np.array(0.0, STEP_DTYPE), prev=np.zeros_like(p.data),
                             step_size=np.full_like(g, lr_value(group["lr"])))
            self._step_count(p)
            prev, step_size = state["prev"], state["step_size"]
            s = np.sign(g * prev)
            s = np.where(s > 0, etaplus, np.where(s < 0, etaminus, np.where(s == 0, 1.0, s))).astype(g.dtype)
            step_size *= s
            np.clip(step_size, step_min, step_max, out=step_size)
            g = np.where(s == np.asarray(etaminus, g.dtype), 0, g).astype(g.dtype, copy=False)
            p.data += -1 * (np.sign(g) * step_size)  # addcmul_(sign(g), step_size, value=-1)
            prev[...] = g
