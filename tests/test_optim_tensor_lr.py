"""A Tensor lr, scratch vs torch.optim: scratch's stand-in for torch's Tensor lr is a numpy array. Checked: torch's
constructor rules (a 2-element lr raises "Tensor lr must be 1-element" first; Adam/AdamW refuse a Tensor lr with
foreach=True unless capturable), and 0-d and (1,) lrs stepping as torch does with the same value (float64, so
torch's tensor arithmetic on the lr is in the parameters' precision too)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.harness import assert_same_outcome, outcome
from tests.optim_catalog import TRAJ_TOL64
from tests.tolerances import assert_close

NAMES = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "Adadelta", "NAdam", "RAdam", "ASGD", "Rprop",
         "SparseAdam", "LBFGS", "Adafactor", "Muon"]
NAMES = [n for n in NAMES if hasattr(scratch.optim, n)]


def _lr(side: str, shape: tuple, value: float = 0.05):
    a = np.full(shape, value)
    return a if side == "scratch" else torch.from_numpy(a)


def _make(name: str, side: str, lr, **kwargs):
    x = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    p = Parameter(x.copy()) if side == "scratch" else torch.nn.Parameter(torch.from_numpy(x.copy()))
    ns = scratch.optim if side == "scratch" else reference.optim
    return p, getattr(ns, name)([p], lr=lr, **kwargs)


@pytest.mark.parametrize("name", NAMES)
def test_two_element_lr_raises_like_torch(name):
    got = outcome(lambda: _make(name, "scratch", _lr("scratch", (2,))))
    expected = outcome(lambda: _make(name, "torch", _lr("torch", (2,))))
    assert_same_outcome(name, got, expected)
    assert str(got[1]) == str(expected[1]) == "Tensor lr must be 1-element"


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("kwargs", [{"foreach": True}, {"foreach": True, "capturable": True},
                                    {"foreach": False}], ids=str)
@pytest.mark.parametrize("shape", [(), (1,), (2,)], ids=str)
def test_adam_tensor_lr_with_foreach_like_torch(name, kwargs, shape):
    got = outcome(lambda: _make(name, "scratch", _lr("scratch", shape), **kwargs))
    expected = outcome(lambda: _make(name, "torch", _lr("torch", shape), **kwargs))
    assert_same_outcome(f"{name}{kwargs}{shape}", got, expected)
    if expected[0] == "raise":
        assert str(got[1]) == str(expected[1])


def _grad(name: str, side: str, x: np.ndarray):
    g = 2.0 * x + 0.5  # the gradient of sum(x^2 + 0.5 x)
    if name == "SparseAdam":  # rows 0 and 2 only
        from reference.nn.base import to_torch_grad
        from scratch.sparse import SparseGrad
        sg = SparseGrad([0, 2], g[[0, 2]], g.shape)
        return sg if side == "scratch" else to_torch_grad(sg)
    return g if side == "scratch" else torch.from_numpy(g)


def _ten_steps(name: str, impl: str, lr) -> np.ndarray:
    """10 steps on sum(x^2 + 0.5 x) from a fixed start; the final parameter."""
    p, opt = _make(name, impl, lr)

    def data() -> np.ndarray:
        return p.data if impl == "scratch" else p.detach().numpy()

    def closure():
        p.grad = _grad(name, impl, data().copy())
        return float((data() ** 2 + 0.5 * data()).sum())

    for _ in range(10):
        if name == "LBFGS":
            opt.step(closure)
        else:
            closure()
            opt.step()
    return data().copy()


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (1,)], ids=str)
def test_one_element_lr_steps_like_torch(name, shape):
    """10 steps with a 0-d or (1,) float64 lr on both sides match (and scratch's equals its float-lr run)."""
    runs = {side: _ten_steps(name, "torch" if side == "torch" else "scratch", lr)
            for side, lr in (("scratch", _lr("scratch", shape)), ("torch", _lr("torch", shape)), ("float", 0.05))}
    np.testing.assert_array_equal(runs["scratch"], runs["float"])
    assert_close(runs["scratch"], runs["torch"], block=f"optim.{name}[tensor lr]", check=f"lr shape {shape}",
                 dtype=np.float64, tol=TRAJ_TOL64)
