"""The optimizer trajectories' analytic landscapes, each with a learning rate per optimizer class.

The modified McCormick function ``sin(x+y) + (x-y)^2 - 1.5x + 2.5y + 3`` from (-1, 2.75) (plus three more
starts: each row of the (K, d) parameter is one start, independent for the element-wise optimizers; Adafactor's
factors and Muon's orthogonalization couple the rows, as they would any matrix), the Rosenbrock function, and an
ill-conditioned quadratic (condition number 1e3). Every parameter is 2-d, so Muon takes them all and Adafactor
factors them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Landscape:
    name: str
    x0: np.ndarray  # (K, d) float64: K independent starts
    f_np: Callable[[np.ndarray], np.ndarray]  # (K, d) -> (K,)
    grad_np: Callable[[np.ndarray], np.ndarray]  # the analytic gradient of sum(f)
    f_torch: Callable[[torch.Tensor], torch.Tensor]  # (K, d) -> scalar sum(f), differentiated by autograd
    lrs: Mapping[str, float]  # per optimizer class


def _mccormick_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[:, 0], p[:, 1]
    c, d = np.cos(x + y), 2.0 * (x - y)
    return np.stack([c + d - 1.5, c - d + 2.5], axis=1)


def _rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[:, 0], p[:, 1]
    return np.stack([-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)], axis=1)


_Q = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))[0]
_A = _Q @ np.diag([1.0, 10.0, 100.0, 1000.0]) @ _Q.T
_A = 0.5 * (_A + _A.T)  # exactly symmetric, so autograd's 0.5 (xA + xA^T) equals xA
_B = np.array([1.0, -2.0, 0.5, 3.0])

LANDSCAPES: list[Landscape] = [
    Landscape("mccormick", np.array([[-1.0, 2.75], [0.0, 0.0], [2.0, -1.0], [-1.4, 3.5]]),
              lambda p: np.sin(p[:, 0] + p[:, 1]) + (p[:, 0] - p[:, 1]) ** 2 - 1.5 * p[:, 0] + 2.5 * p[:, 1] + 3,
              _mccormick_grad,
              lambda t: (torch.sin(t[:, 0] + t[:, 1]) + (t[:, 0] - t[:, 1]) ** 2 - 1.5 * t[:, 0]
                         + 2.5 * t[:, 1] + 3).sum(),
              {"SGD": 0.02, "Adagrad": 0.3, "RMSprop": 0.005, "Adam": 0.05, "AdamW": 0.05, "Adamax": 0.05,
               "Adadelta": 1.0, "NAdam": 0.05, "RAdam": 0.05, "ASGD": 0.02,
               "Rprop": 0.01, "Adafactor": 0.05, "Muon": 0.05}),
    Landscape("rosenbrock", np.array([[-1.5, 2.0], [-0.5, 0.5], [0.0, 0.0], [1.2, 1.2]]),
              lambda p: (1.0 - p[:, 0]) ** 2 + 100.0 * (p[:, 1] - p[:, 0] ** 2) ** 2,
              _rosenbrock_grad,
              lambda t: ((1.0 - t[:, 0]) ** 2 + 100.0 * (t[:, 1] - t[:, 0] ** 2) ** 2).sum(),
              {"SGD": 2e-4, "Adagrad": 0.1, "RMSprop": 0.002, "Adam": 0.01, "AdamW": 0.02, "Adamax": 0.01,
               "Adadelta": 1.0, "NAdam": 0.01, "RAdam": 1e-3, "ASGD": 2e-4,
               "Rprop": 0.01, "Adafactor": 0.05, "Muon": 0.01}),  # RAdam: SGD-with-momentum steps first
    Landscape("quadratic", np.array([[1.0, -1.0, 2.0, 0.5], [-0.3, 0.8, -1.2, 2.0], [0.0, 0.0, 0.0, 0.0]]),
              lambda p: 0.5 * np.einsum("ki,ij,kj->k", p, _A, p) - p @ _B,
              lambda p: p @ _A - _B,
              lambda t: 0.5 * ((t @ torch.from_numpy(_A).to(t.dtype)) * t).sum()
              - (t * torch.from_numpy(_B).to(t.dtype)).sum(),
              {"SGD": 1e-3, "Adagrad": 0.3, "RMSprop": 0.005, "Adam": 0.05, "AdamW": 0.05, "Adamax": 0.05,
               "Adadelta": 1.0, "NAdam": 0.05, "RAdam": 1e-3, "ASGD": 1e-3,
               "Rprop": 0.01, "Adafactor": 0.2, "Muon": 0.02}),  # RAdam's first steps are SGD's (eigenvalue 1000)
]
LANDSCAPE_BY_NAME = {ls.name: ls for ls in LANDSCAPES}
