"""The objectives and the runner of the LBFGS comparison (tests/test_optim_lbfgs.py).

LBFGS is closure-driven: one ``step`` calls the closure many times (each iteration, and every trial of the
strong-Wolfe line search), so the runner records the point of EVERY closure call. The parameters are three
Parameters (2,), (2,), (3,); the middle one never gets a gradient (LBFGS counts a None gradient as zeros, so it
must stay put while the offsets of the others into the flat vector stay right). The objective sees the other
five numbers as one vector x.

Styles: 'shared' feeds both sides the gradient of the same numpy formula at their own point (only the optimizer's
arithmetic differs); 'own' gives torch its autograd gradient (and, on the network, each side its own backward).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter

X0 = np.array([-1.2, 1.0, -0.5, 0.8, 1.5])
SHAPES = [(2,), (2,), (3,)]  # the middle Parameter never gets a gradient
USED = [0, 2]


@dataclass(frozen=True)
class Objective:
    name: str
    f_np: Callable[[np.ndarray], Any]  # x (5,) -> scalar
    grad_np: Callable[[np.ndarray], np.ndarray]
    f_torch: Callable[[torch.Tensor], torch.Tensor]


def _rosen_grad(x: np.ndarray) -> np.ndarray:
    g = np.zeros_like(x)
    g[:-1] += -2 * (1 - x[:-1]) - 400 * x[:-1] * (x[1:] - x[:-1] ** 2)
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


_Q = np.linalg.qr(np.random.default_rng(5).standard_normal((5, 5)))[0]
_A = _Q @ np.diag([1.0, 3.0, 10.0, 100.0, 1000.0]) @ _Q.T
_A = 0.5 * (_A + _A.T)
_B = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
_B_NEAR = _A @ (X0 + 1e-4 * np.array([1.0, -1.0, 1.0, -1.0, 1.0]))
_C = np.array([0.5, -1.0, 2.0, 0.25, -0.75])


def _t(a: np.ndarray, like: torch.Tensor) -> torch.Tensor:
    return torch.from_numpy(a).to(like.dtype)


OBJECTIVES = {o.name: o for o in [
    Objective("rosenbrock", lambda x: ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum(),
              _rosen_grad,
              lambda x: ((1 - x[:-1]) ** 2).sum() + 100 * ((x[1:] - x[:-1] ** 2) ** 2).sum()),
    Objective("quadratic", lambda x: 0.5 * x @ _A.astype(x.dtype) @ x - _B.astype(x.dtype) @ x,
              lambda x: _A.astype(x.dtype) @ x - _B.astype(x.dtype),
              lambda x: 0.5 * x @ _t(_A, x) @ x - _t(_B, x) @ x),
    # the quadratic's minimizer 1e-4 from X0: |g|_1 < 1 at the start, so the first step is min(1, 1/|g|_1) lr = lr
    Objective("near", lambda x: 0.5 * x @ _A.astype(x.dtype) @ x - _B_NEAR.astype(x.dtype) @ x,
              lambda x: _A.astype(x.dtype) @ x - _B_NEAR.astype(x.dtype),
              lambda x: 0.5 * x @ _t(_A, x) @ x - _t(_B_NEAR, x) @ x),
    # a constant gradient: y = 0, so y.s = 0 <= 1e-10 and no curvature pair is ever stored (H stays 1)
    Objective("linear", lambda x: _C.astype(x.dtype) @ x, lambda x: _C.astype(x.dtype) + 0 * x,
              lambda x: _t(_C, x) @ x),
]}


@dataclass(frozen=True)
class LBFGSCase:
    name: str
    objective: str  # a key of OBJECTIVES, or 'mlp'
    kwargs: dict[str, Any] = field(default_factory=dict)
    steps: int = 3

    def __str__(self) -> str:
        return self.name


def _params(side: str, dtype) -> list:
    parts = np.split(X0.astype(dtype), [2])
    arrays = [parts[0], np.array([0.3, -0.7], dtype), parts[1]]
    if side == "scratch":
        return [Parameter(a.copy()) for a in arrays]
    return [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrays]


def _data(p) -> np.ndarray:
    """A copy of a parameter's values: a torch tensor, a scratch Parameter or a twin's TorchParameter."""
    return p.detach().numpy().copy() if isinstance(p, torch.Tensor) else np.array(p.data, copy=True)


def flat(params) -> np.ndarray:
    return np.concatenate([_data(p) for p in params])


def _closure(objective: Objective, style: str, side: str, params, record: list) -> Callable[[], Any]:
    """The closure for one side: records the point, sets the gradients of the used parameters, returns f."""
    def closure():
        record.append(flat(params))
        x = np.concatenate([_data(params[i]) for i in USED])
        if side == "scratch" or style == "shared":
            g = objective.grad_np(x).astype(x.dtype)
            for i, part in zip(USED, np.split(g, [2]), strict=True):
                params[i].grad = part if side == "scratch" else torch.from_numpy(part)
            return objective.f_np(x)
        for p in params:
            p.grad = None
        with torch.enable_grad():
            loss = objective.f_torch(torch.cat([params[i] for i in USED]))
            loss.backward()
        return loss
    return closure


def _mlp_closure(models, side: str, dtype, record: list) -> Callable[[], Any]:
    """Full-batch NLL of the block catalog's MLP (log-softmax outputs): each side's own backward."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((24, 5)).astype(dtype)
    y = rng.integers(0, 3, 24)
    model = models[0 if side == "scratch" else 1]
    params = [p for _, p in model.named_parameters()]

    def closure():
        record.append(_final(params))
        for p in params:
            p.grad = None
        out = model(x)
        dy = np.zeros((24, 3), dtype)
        dy[np.arange(24), y] = -1.0 / 24
        model.backward(dy)
        return -out[np.arange(24), y].mean()
    return closure


def run(case: LBFGSCase, dtype, side: str, style: str = "shared", *, steps: int | None = None,
        load: dict | None = None, start: np.ndarray | None = None) -> dict[str, Any]:
    """``steps`` (default case.steps) LBFGS steps on ``side``. Returns every closure point ('evals', one row per
    call), the per-step returned losses, the state_dict after every step, and the final parameters.

    ``load``: a state_dict to load before stepping, ``start``: the flat starting point (both for resuming)."""
    record: list[np.ndarray] = []
    ns = scratch.optim if side == "scratch" else reference.optim
    if case.objective == "mlp":
        from tests.catalog import BY_NAME as BLOCKS
        from tests.harness import build_pair
        models = build_pair(BLOCKS["mlp"], dtype, 0)
        params = [p for _, p in models[0 if side == "scratch" else 1].named_parameters()]
        closure = _mlp_closure(models, side, dtype, record)
    else:
        params = _params(side, dtype)
        closure = _closure(OBJECTIVES[case.objective], style, side, params, record)
    if start is not None:
        _assign(params, start)
    opt = ns.LBFGS(params, **case.kwargs)
    if load is not None:
        opt.load_state_dict(load)
    losses, states = [], []
    for _ in range(case.steps if steps is None else steps):
        loss = opt.step(closure)
        losses.append(float(loss.detach() if isinstance(loss, torch.Tensor) else loss))
        states.append(opt.state_dict())
    return {"evals": np.array(record), "losses": np.array(losses), "states": states, "final": _final(params)}


def _final(params) -> np.ndarray:
    return np.concatenate([_data(p).ravel() for p in params])


def _assign(params, values: np.ndarray) -> None:
    offset = 0
    for p in params:
        n = int(np.prod(p.shape))
        chunk = values[offset:offset + n].reshape(tuple(p.shape))
        if isinstance(p, torch.Tensor):
            with torch.no_grad():
                p.copy_(torch.from_numpy(chunk.copy()))
        else:
            p.data[...] = chunk
        offset += n
