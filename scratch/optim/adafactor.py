"""Adafactor: factored second moments (a row and a column factor per matrix) and a relative step size."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import STEP_DTYPE, Optimizer, _lerp, check_tensor_lr, lr_value


def check_lr(lr) -> None:
    """The lr checks of torch's Adafactor and Muon, in order: a Tensor lr (here a numpy array) must have one
    element, and lr must be >= 0 (NaN fails), in these optimizers' words."""
    check_tensor_lr(lr)
    if not 0.0 <= lr:
        raise ValueError(f"Learning rate should be >= 0 but is: {lr}")


def _norm(x: np.ndarray) -> float:
    """``x.norm(2).item()``: the 2-norm in x's dtype, as a Python float."""
    return float(np.sqrt(np.sum(x * x)))


class Adafactor(Optimizer):
    r"""torch.optim.Adafactor (torch 2.13's single-tensor path, its default), in numpy.

    .. code-block:: text

        t = t + 1;  g = -grad if maximize else grad
        eps1 = finfo(p.dtype).eps if eps[0] is None (set by the group's FIRST parameter with a grad, then kept
               for the rest of the group, as torch's loop);  eps2 = eps[1]
        w = t^beta2_decay                               # 1 - beta2_t: 1 at t = 1, so the factors start at g^2
        rho = min(lr, 1 / sqrt(t));  alpha = max(eps2, RMS(p)) * rho     # RMS of p BEFORE the decay
        p = p * (1 - lr * weight_decay)                 # decoupled decay, scaled by lr (not by rho)
        p.ndim >= 2 (factored over the LAST TWO dims; leading dims are a batch of matrices):
            row = lerp(row, ||g||_{dim -1}^2 / g.shape[-1], w)    # shape (..., R, 1): norm, squared, divided
            col = lerp(col, ||g||_{dim -2}^2 / g.shape[-2], w)    # shape (..., 1, C)
            v = (row * col) / max(mean(row, dim -2), eps1)        # (..., R, C); the max applies per matrix
        else (0-d, 1-d):  var = lerp(var, g * g, w);  v = var
        u = g / sqrt(max(v, eps1^2))                   # eps1 squared: it bounds sqrt(v) by eps1
        p = p + (-alpha / max(1, RMS(u) / d)) * u      # update clipping at RMS d

    Not element-wise (row/column means, RMS of p and u are whole-array reductions), so the rule runs on whole
    arrays rather than ``_blocks.blockwise`` blocks.

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`).
        lr (float or 1-element numpy array, default 1e-2): the ceiling of the relative step rho and the decay's
            scale, >= 0. torch also takes a Tensor lr; its numpy stand-in, an array, is used as its value:
            the same as torch for a float64 tensor (a float32 tensor makes torch do the scalar arithmetic in
            float32, ~1e-9 apart).
        beta2_decay (float, default -0.8): exponent of the second-moment schedule, <= 0.
        eps (tuple (eps1 or None, eps2), default (None, 1e-3)): eps1 >= 0 bounds the factors' mean and sqrt(v)
            from below (None: the parameter dtype's machine epsilon); eps2 >= 0 is the floor of RMS(p).
        d (float, default 1.0): clipping threshold of RMS(u), >= 1.
        weight_decay (float, default 0.0): decoupled decay coefficient, >= 0.
        foreach (bool or None, default None): recorded for torch's state_dict layout; scratch runs the
            single-tensor rule. torch's foreach=True agrees to rounding for one dtype (2e-16 after 30 steps) but
            groups parameters by dtype, so with eps1=None in a mixed-dtype group its eps1 can differ.
        maximize (bool, default False): ascend instead of descend.
    Raises:
        ValueError: an array lr with more than one element, lr < 0, beta2_decay > 0, eps1 < 0, eps2 < 0, d < 1,
            weight_decay < 0 (torch's messages and order).
    State: ``step`` (0-d float32) and ``row_var`` (shape with the last dim 1) + ``col_var`` (the second-to-last
    dim 1) for parameters of 2 or more dims, else ``variance`` (the parameter's shape); created at the first step.
    """

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        check_lr(lr)
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, beta2_decay, d = lr_value(group["lr"]), float(group["beta2_decay"]), float(group["d"])
        weight_decay = float(group["weight_decay"])
        eps1, eps2 = group["eps"]
        eps2 = float(eps2)
        for p, g in self._grads(group):
            state = self.state.setdefault(p, {})
            if not state:
                state["step"] = np.array(0.0, STEP_DTYPE)
                if g.ndim > 1:
                    state["row_var"] = np.zeros(g.shape[:-1] + (1,), g.dtype)
                    state["col_var"] = np.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype)
                else:
                    state["variance"] = np.zeros_like(g)
            if eps1 is None:
                eps1 = float(np.finfo(p.data.dtype).eps)
            step = self._step_count(p)
            w = step ** beta2_decay
            rho = min(lr, 1 / (step ** 0.5))
            alpha = max(eps2, _norm(p.data) / (p.data.size ** 0.5)) * rho
            if weight_decay != 0:
                p.data *= 1 - lr * weight_decay
            if g.ndim > 1:
                row, col = state["row_var"], state["col_var"]
                row[...] = _lerp(row, _square_norm(g, -1) / g.shape[-1], w)
                col[...] = _lerp(col, _square_norm(g, -2) / g.shape[-2], w)
                v = (row * col) / np.maximum(np.mean(row, axis=-2, keepdims=True), float(eps1))
            else:
                var = state["variance"]
                var[...] = _lerp(var, g * g, w)
                v = var.copy()
            u = 1 / np.sqrt(np.maximum(v, float(eps1) * float(eps1)))  # clamp_(min=eps1 * eps1).rsqrt_()
            u *= g
            p.data += (-alpha / max(1.0, _norm(u) / ((u.size ** 0.5) * d))) * u


def _square_norm(g: np.ndarray, axis: int) -> np.ndarray:
    """``torch.norm(g, dim=axis, keepdim=True).square_()``: the norm first, then its square (not sum(g^2))."""
    n = np.sqrt(np.sum(g * g, axis=axis, keepdims=True))
    return n * n
