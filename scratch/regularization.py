r"""Regularization: L1/L2 penalties with their gradients, max-norm (torch.renorm), gradient clipping
(torch.nn.utils.clip_grad_norm_ / clip_grad_value_) and early stopping.

Penalties take an iterable of :class:`scratch.nn.Parameter` or arrays.

.. code-block:: text

    l2_penalty(params, lam) = lam/2 * sum ||p||^2      gradient: lam * p
    l1_penalty(params, lam) = lam   * sum |p|          gradient: lam * sign(p)   (0 at p = 0, as torch's abs)

The L2 gradient ``d/dp (lam/2 ||p||^2) = lam p`` is EXACTLY what ``SGD(weight_decay=lam)`` adds to the
gradient (``g + weight_decay * p``): an L2 penalty of ``lam/2 ||p||^2`` IS weight_decay ``= lam`` (factor 1;
a penalty written ``lam ||p||^2`` corresponds to weight_decay ``2 lam``). For Adam the coupled L2 and AdamW's
decoupled decay differ (the L2 term is rescaled by 1/sqrt(v)); see :mod:`scratch.optim.adam`.
"""

from __future__ import annotations

import copy
import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from scratch.nn.module import Parameter


def _arrays(params) -> list[np.ndarray]:
    if isinstance(params, (Parameter, np.ndarray)):
        params = [params]
    return [p.data if isinstance(p, Parameter) else np.asarray(p) for p in params]


def _total(terms: list[np.ndarray], weight: float, dtype) -> np.ndarray:
    # 0-d arithmetic yields numpy scalars; return a 0-d array in the parameters' dtype (torch: a 0-d tensor).
    return np.asarray(weight * (sum(terms) if terms else dtype(0)), dtype=dtype)


def _dtype(arrays: list[np.ndarray]) -> type:
    return np.result_type(*arrays).type if arrays else np.float32


def l2_penalty(params, weight_decay: float) -> np.ndarray:
    """``weight_decay / 2 * sum_p ||p||^2`` as a 0-d array in the parameters' dtype."""
    arrays = _arrays(params)
    return _total([np.sum(a * a) for a in arrays], weight_decay / 2, _dtype(arrays))


def l2_penalty_grad(params, weight_decay: float) -> list[np.ndarray]:
    """``weight_decay * p`` for each parameter (= what SGD's ``weight_decay`` adds to the gradient)."""
    return [weight_decay * a for a in _arrays(params)]


def l1_penalty(params, weight: float) -> np.ndarray:
    """``weight * sum_p sum |p|`` as a 0-d array in the parameters' dtype."""
    arrays = _arrays(params)
    return _total([np.sum(np.abs(a)) for a in arrays], weight, _dtype(arrays))


def l1_penalty_grad(params, weight: float) -> list[np.ndarray]:
    """``weight * sign(p)``; 0 where p == 0 (torch's abs backward), NaN stays NaN."""
    return [weight * np.sign(a) for a in _arrays(params)]


def add_penalty_grad_(params: Iterable[Parameter], l1: float = 0.0, l2: float = 0.0) -> None:
    """Accumulate the penalty gradients into each parameter's ``.grad`` (after backward, before step)."""
    for p in params:
        g = l1 * np.sign(p.data) + l2 * p.data
        p.accumulate(g)


# -- max-norm --------------------------------------------------------------------------------------------------
def renorm(x: np.ndarray, p: float, dim: int, maxnorm: float) -> np.ndarray:
    """torch.renorm: every slice ``x.select(dim, i)`` whose p-norm exceeds ``maxnorm`` is scaled by
    ``maxnorm / (norm + 1e-7)``; the others are unchanged.

    Raises (torch's classes and messages): RuntimeError for fewer than 2 dims, p <= 0 or maxnorm < 0;
    IndexError for dim out of range.
    """
    x = np.asarray(x)
    if x.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {x.ndim} dimensions")
    if not -x.ndim <= dim < x.ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim}, {x.ndim - 1}], "
                         f"but got {dim})")
    if not p > 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    axes = tuple(a for a in range(x.ndim) if a != dim % x.ndim)
    norms = _norm(x, p, axes, keepdims=True)
    scale = np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0).astype(x.dtype)
    return x * scale


def max_norm_(param, max_norm: float, dim: int = 0, norm_type: float = 2.0):
    """The max-norm constraint, in place: ``renorm`` of a weight (dim 0: each output unit's incoming weights,
    e.g. each row of a Linear weight, has norm <= max_norm). Call it after ``optimizer.step()``."""
    arr = param.data if isinstance(param, Parameter) else param
    arr[...] = renorm(arr, norm_type, dim, max_norm)
    return param


# -- gradient clipping -----------------------------------------------------------------------------------------
def _norm(x: np.ndarray, ord: float, axis=None, keepdims: bool = False) -> np.ndarray:
    """torch.linalg.vector_norm: inf -> max|x|, -inf -> min|x|, 0 -> count of non-zeros, else (sum |x|^p)^(1/p).
    Computed in x's dtype (negative orders of zeros give 0 without a warning, as torch)."""
    a = np.abs(x)
    if ord == math.inf:
        return np.max(a, axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return np.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return np.sum(a != 0, axis=axis, keepdims=keepdims).astype(x.dtype)
    with np.errstate(divide="ignore", over="ignore"):
        return np.sum(a**ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _with_grads(parameters) -> list[Parameter]:
    if isinstance(parameters, Parameter):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> np.ndarray:
    """The ``norm_type`` norm of all arrays seen as one vector (torch.nn.utils.get_total_norm): the norm of
    the per-array norms. An empty list gives 0.0 (float32, as torch's ``torch.tensor(0.0)``).

    Raises: RuntimeError if ``error_if_nonfinite`` and the total is NaN or inf (torch's message).
    """
    arrays = [tensors] if isinstance(tensors, np.ndarray) else list(tensors)
    norm_type = float(norm_type)
    if not arrays:
        return np.asarray(0.0, np.float32)
    norms = np.stack([_norm(np.asarray(a), norm_type) for a in arrays])
    total = np.asarray(_norm(norms, norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                           "so it cannot be clipped. To disable this error and scale the gradients by the "
                           "non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: np.ndarray,
                          foreach: bool | None = None) -> None:
    """Scale every gradient by ``min(max_norm / (total_norm + 1e-6), 1)`` in place (always multiplied, as
    torch: a factor of exactly 1.0 when not clipping)."""
    params = _with_grads(parameters)
    max_norm = float(max_norm)
    if not params:
        return
    total = np.asarray(total_norm)
    with np.errstate(divide="ignore", invalid="ignore"):  # a total of inf/NaN scales by 0/NaN, as torch
        coef = np.minimum(max_norm / (total + 1e-6), 1.0)  # Python floats: computed in the total's dtype
    for p in params:
        p.grad *= coef


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> np.ndarray:
    """Clip the gradients' total norm to ``max_norm`` in place; returns the total norm BEFORE clipping.

    Args:
        parameters: Parameters (or one); those whose grad is None are ignored.
        max_norm (float): the norm after clipping (the coefficient is ``max_norm / (total + 1e-6)``, capped at 1).
        norm_type (float or 'inf', default 2.0): p of the p-norm (inf, -inf and 0 as torch.linalg.vector_norm).
        error_if_nonfinite (bool, default False): raise RuntimeError if the total norm is NaN or inf.
        foreach: accepted for torch's signature; no effect.
    """
    if isinstance(parameters, Parameter):
        parameters = [parameters]
    else:
        was_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if was_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient to ``[-clip_value, clip_value]`` in place (clamp_min then clamp_max, as torch: a
    negative clip_value sets everything to clip_value; NaN stays NaN)."""
    clip_value = float(clip_value)
    for p in _with_grads(parameters):
        np.maximum(p.grad, -clip_value, out=p.grad)
        np.minimum(p.grad, clip_value, out=p.grad)


# -- early stopping ---------------------------------------------------------------------------------------------
class EarlyStopping:
    """Stop when a monitored metric has not improved for ``patience`` consecutive checks; keep the best state.

    Args:
        patience (int, default 5): stop at the ``patience``-th consecutive check without improvement
            (0: at the first one).
        min_delta (float, default 0.0): an improvement must beat the best by MORE than this (>= 0).
        mode ('min' or 'max', default 'min'): whether lower (loss) or higher (accuracy) is better.
        restore_best (bool, default True): :meth:`step` keeps a deep copy of ``model.state_dict()`` at the
            best check; :meth:`restore` loads it back.
    A NaN metric never improves. Raises ValueError for an unknown mode or a negative patience/min_delta.

    Usage: ``if stopper.step(val_loss, model): stopper.restore(model); break``.
    """

    def __init__(self, patience: int = 5, min_delta: float = 0.0, mode: str = "min",
                 restore_best: bool = True) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown, expected 'min' or 'max'")
        if patience < 0:
            raise ValueError(f"patience must be >= 0, got {patience}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be >= 0, got {min_delta}")
        self.patience, self.min_delta, self.mode = int(patience), float(min_delta), mode
        self.restore_best = restore_best
        self.best: float = math.inf if mode == "min" else -math.inf
        self.best_epoch = -1
        self.num_bad_epochs = 0
        self.epoch = -1
        self.should_stop = False
        self.best_state: dict[str, Any] | None = None

    def is_improvement(self, metric: float) -> bool:
        if self.mode == "min":
            return metric < self.best - self.min_delta
        return metric > self.best + self.min_delta

    def step(self, metric: float, model=None) -> bool:
        """Record one check (e.g. per epoch); returns True when training should stop."""
        metric = float(metric)
        self.epoch += 1
        if self.is_improvement(metric):
            self.best, self.best_epoch, self.num_bad_epochs = metric, self.epoch, 0
            if model is not None and self.restore_best:
                self.best_state = copy.deepcopy(model.state_dict())
            self.should_stop = False
        else:
            self.num_bad_epochs += 1
            self.should_stop = self.num_bad_epochs >= self.patience
        return self.should_stop

    def restore(self, model) -> None:
        """Load the best state seen into ``model``. Raises RuntimeError if none was recorded."""
        if self.best_state is None:
            raise RuntimeError("EarlyStopping.restore: no best state recorded (pass the model to step())")
        model.load_state_dict(copy.deepcopy(self.best_state))

    def state_dict(self) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in self.__dict__.items()})

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(copy.deepcopy(state_dict))


__all__ = ["l1_penalty", "l1_penalty_grad", "l2_penalty", "l2_penalty_grad", "add_penalty_grad_", "renorm",
           "max_norm_", "get_total_norm", "clip_grads_with_norm_", "clip_grad_norm_", "clip_grad_value_",
           "EarlyStopping"]
