"""SparseAdam: Adam on only the rows a sparse gradient touches (a lazy Adam for Embedding(sparse=True))."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch.nn.module import Parameter
from scratch.sparse import SparseGrad

from .optimizer import Optimizer, check_tensor_lr, lr_value


class SparseAdam(Optimizer):
    r"""torch.optim.SparseAdam, in numpy. Every gradient must be a :class:`scratch.sparse.SparseGrad`.

    Per parameter with a gradient: t = t + 1 (a Python int); g = -grad if maximize else grad, COALESCED (sorted
    rows, repeats summed); then on the touched rows R only (every other row of p, m and v is left as it is):

    .. code-block:: text

        m[R] = m[R] + (1 - beta1) (g - m[R])             # exp_avg
        v[R] = v[R] + (1 - beta2) (g^2 - v[R])           # exp_avg_sq
        p[R] = p[R] - (lr sqrt(1 - beta2^t) / (1 - beta1^t)) * m[R] / (sqrt(v[R]) + eps)

    so a row's moments decay only at the steps that touch it (unlike Adam's, which decay every step). Each line
    is torch's ``F.sparse_adam`` in its order (update values first, then added to the old ones).

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float or 1-element array, default 1e-3): > 0. betas (tuple, default (0.9, 0.999)): each in [0, 1).
        eps (float, default 1e-8): > 0. maximize (bool, default False).
    Raises:
        ValueError: lr <= 0, eps <= 0, a beta outside [0, 1), a 2-element lr (torch's messages).
        RuntimeError: at step, a dense gradient ("SparseAdam does not support dense gradients, please consider
            Adam instead"), before any parameter of that group is updated.
    State: ``step`` (int), ``exp_avg``, ``exp_avg_sq`` (dense, the parameter's shape; created at the first step).
    """

    def __init__(self, params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        check_tensor_lr(lr)
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _check_sparse(self, group: dict[str, Any]) -> None:
        """Sparse gradients are what SparseAdam takes."""

    def _update_group(self, group: dict[str, Any]) -> None:
        beta1, beta2 = (float(b) for b in group["betas"])
        lr, eps, maximize = lr_value(group["lr"]), float(group["eps"]), group.get("maximize", False)
        todo = []
        for p in group["params"]:  # torch collects (and checks) the whole group first
            if p.grad is None:
                continue
            if not isinstance(p.grad, SparseGrad):
                raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")
            state = self.state.setdefault(p, {})
            if not state:
                state.update(step=0, exp_avg=np.zeros_like(p.data), exp_avg_sq=np.zeros_like(p.data))
            state["step"] += 1
            todo.append((p, state))
        for p, state in todo:
            _sparse_adam_step(p, -p.grad if maximize else p.grad, state, lr, beta1, beta2, eps)

    @staticmethod
    def _cast(p: Parameter, name: str, value):
        """'step' is a Python int in torch's SparseAdam state (no tensor step), so it stays one."""
        if name == "step":
            return int(value)
        return Optimizer._cast(p, name, value)


def _sparse_adam_step(p: Parameter, grad: SparseGrad, state: dict[str, Any], lr: float, beta1: float,
                      beta2: float, eps: float) -> None:
    grad = grad.coalesce().astype(p.data.dtype, copy=False)
    rows, g = grad.indices, grad.values
    if g.size == 0:
        return
    exp_avg, exp_avg_sq, step = state["exp_avg"], state["exp_avg_sq"], state["step"]
    old_m = exp_avg[rows]
    m_update = (g - old_m) * (1 - beta1)
    exp_avg[rows] += m_update
    old_v = exp_avg_sq[rows]
    v_update = (g**2 - old_v) * (1 - beta2)
    exp_avg_sq[rows] += v_update
    numer = m_update + old_m
    denom = np.sqrt(v_update + old_v) + eps
    step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
    p.data[rows] += -step_size * (numer / denom)
