"""L-BFGS: a limited-memory quasi-Newton method driven by a closure (torch.optim.LBFGS, after minFunc)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._line_search import strong_wolfe
from .optimizer import Optimizer, check_tensor_lr, lr_value


class LBFGS(Optimizer):
    r"""torch.optim.LBFGS, in numpy. One :meth:`step` runs up to ``max_iter`` iterations, each calling the closure.

    All parameters form ONE flat vector x (in parameter order; a None gradient counts as zeros). Per iteration k,
    with g the flat gradient:

    .. code-block:: text

        k = 1 (the first iteration ever):  d = -g;  history empty;  H = 1
        else:  y = g - g_prev;  s = t_prev d_prev
               if y.s > 1e-10:  push (y, s, 1 / y.s) into the history (dropping the oldest beyond history_size)
                                H = y.s / y.y
               two-loop recursion:  q = -g;  for i newest..oldest: a_i = rho_i s_i.q;  q = q - a_i y_i
                                    r = H q;  for i oldest..newest: b_i = rho_i y_i.r;  r = r + (a_i - b_i) s_i
               d = r
        step length:  t = min(1, 1 / |g|_1) lr on the first iteration ever, else t = lr
        stop if g.d > -tolerance_change
        line_search_fn None:          x = x + t d, then re-evaluate the closure (except on the last iteration)
        line_search_fn 'strong_wolfe': t from the strong-Wolfe search along d (scratch.optim._line_search), x = x + t d
        stop after max_iter iterations, max_eval closure calls, |g|_inf <= tolerance_grad, |t d|_inf <=
        tolerance_change, or |loss - loss_prev| < tolerance_change.

    The closure is called once at the start of every step (if then |g|_inf <= tolerance_grad the step returns at
    once). The history, d, t and the previous gradient persist across steps in the state of the FIRST parameter
    (torch's layout: ``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss``, ``al``). Scalars keep torch's types: dot products are numpy scalars of
    the parameters' dtype (torch's 0-d tensors), losses Python floats (see scratch/optim/_line_search.py).

    Args:
        params: Parameters (ONE group only).
        lr (float or 1-element array, default 1): the step length multiplier, >= 0.
        max_iter (int, default 20): iterations per step.
        max_eval (int, default max_iter * 5 // 4): closure calls per step.
        tolerance_grad (float, default 1e-7), tolerance_change (float, default 1e-9): termination tolerances.
        history_size (int, default 100): curvature pairs kept.
        line_search_fn (str or None, default None): None or 'strong_wolfe'.
    Raises:
        ValueError: several parameter groups, a negative lr, an lr array with more than one element.
        RuntimeError: at step, a line_search_fn other than 'strong_wolfe' (torch raises it there too).
    No per-group options, no weight_decay and no maximize (torch has none).
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                        tolerance_change=tolerance_change, history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    # -- the flat vector -------------------------------------------------------------------------------------
    def _gather_flat_grad(self) -> np.ndarray:
        """The gradients as one vector: None as zeros, a SparseGrad by its dense form (torch's to_dense)."""
        return np.concatenate([np.zeros(p.data.size, p.data.dtype) if p.grad is None
                               else np.asarray(p.grad).reshape(-1) for p in self._params])

    def _add_grad(self, step_size, update: np.ndarray) -> None:
        """x = x + step_size * update, parameter by parameter (torch's ``p.add_(view, alpha=step_size)``)."""
        offset = 0
        for p in self._params:
            n = p.data.size
            p.data += step_size * update[offset:offset + n].reshape(p.data.shape)
            offset += n

    def _clone_param(self) -> list[np.ndarray]:
        return [p.data.copy() for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        for p, data in zip(self._params, params_data, strict=True):
            p.data[...] = data

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[np.ndarray], t, d: np.ndarray):
        """(loss, flat gradient) at x + t d; the parameters are restored to x afterwards."""
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # -- the step -----------------------------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any]):  # type: ignore[override]
        """Up to ``max_iter`` iterations; returns the loss of the FIRST closure call (torch's ``orig_loss``)."""
        self._opt_called = True
        group = self.param_groups[0]
        lr = lr_value(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep only pairs of positive curvature
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # the scale of the initial inverse Hessian
                al = state.setdefault("al", [None] * history_size)
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, al)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (to tolerance)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                 max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:  # the last iteration's loss would go unused (torch skips it too)
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if n_iter == max_iter or current_evals >= max_eval:
                break
            if opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change:  # lack of progress in x ...
                break
            if abs(loss - prev_loss) < tolerance_change:  # ... or in the loss
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    @staticmethod
    def _two_loop(flat_grad: np.ndarray, old_dirs: list, old_stps: list, ro: list, H_diag, al: list) -> np.ndarray:
        """-H g by the L-BFGS two-loop recursion over the (y, s, rho) history (``al`` is torch's reused buffer)."""
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        return r
