"""Twins of scratch.regularization computed by torch: penalties and their gradients by autograd, max-norm by
torch.renorm, clipping by torch.nn.utils. Parameters are TorchParameters (the twin model's), torch tensors
or numpy arrays; values come back as numpy."""

from __future__ import annotations

import numpy as np
import torch

from reference.nn.base import TorchParameter


def _leaves(params) -> list[torch.Tensor]:
    """Fresh float leaves holding the parameters' values (autograd then differentiates the penalty)."""
    if isinstance(params, (TorchParameter, np.ndarray, torch.Tensor)):
        params = [params]
    out = []
    for p in params:
        t = p.tensor if isinstance(p, TorchParameter) else p
        t = torch.from_numpy(np.array(t, copy=True)) if isinstance(t, np.ndarray) else t.detach().clone()
        out.append(t.requires_grad_(True))
    return out


def _value_and_grads(params, penalty) -> tuple[np.ndarray, list[np.ndarray]]:
    leaves = _leaves(params)
    value = penalty(leaves)
    grads = torch.autograd.grad(value, leaves)
    return value.detach().numpy().copy(), [g.numpy().copy() for g in grads]


def l2_penalty(params, weight_decay: float) -> np.ndarray:
    return _value_and_grads(params, lambda ts: weight_decay / 2 * sum(t.pow(2).sum() for t in ts))[0]


def l2_penalty_grad(params, weight_decay: float) -> list[np.ndarray]:
    return _value_and_grads(params, lambda ts: weight_decay / 2 * sum(t.pow(2).sum() for t in ts))[1]


def l1_penalty(params, weight: float) -> np.ndarray:
    return _value_and_grads(params, lambda ts: weight * sum(t.abs().sum() for t in ts))[0]


def l1_penalty_grad(params, weight: float) -> list[np.ndarray]:
    return _value_and_grads(params, lambda ts: weight * sum(t.abs().sum() for t in ts))[1]


def renorm(x: np.ndarray, p: float, dim: int, maxnorm: float) -> np.ndarray:
    return torch.renorm(torch.from_numpy(np.array(x, copy=True)), p, dim, maxnorm).numpy()


def _tensors(parameters):
    """Unwrap TorchParameters; a generator stays a generator (torch warns about an empty one)."""
    if isinstance(parameters, (TorchParameter, torch.Tensor)):
        parameters = [parameters]
    return (p.tensor if isinstance(p, TorchParameter) else p for p in parameters)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> np.ndarray:
    total = torch.nn.utils.clip_grad_norm_(_tensors(parameters), max_norm, norm_type, error_if_nonfinite, foreach)
    return total.numpy().copy()


def clip_grad_value_(parameters, clip_value: float, foreach: bool | None = None) -> None:
    torch.nn.utils.clip_grad_value_(_tensors(parameters), clip_value, foreach)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> np.ndarray:
    ts = [torch.from_numpy(np.array(t, copy=True)) if isinstance(t, np.ndarray) else t for t in _tensors(tensors)]
    return torch.nn.utils.get_total_norm(ts, norm_type, error_if_nonfinite, foreach).numpy().copy()


__all__ = ["l1_penalty", "l1_penalty_grad", "l2_penalty", "l2_penalty_grad", "renorm", "clip_grad_norm_",
           "clip_grad_value_", "get_total_norm"]
