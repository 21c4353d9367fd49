"""The module library on top of scratch.autograd (Module, Parameter, Linear, activations, MSE, SGD) against
torch.nn / torch.optim, and a 2-layer MLP trained side by side for 200 steps from identical weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.autograd as ag
from scratch.autograd import Tensor
from scratch.autograd import nn as agnn
from scratch.autograd.optim import SGD
from tests.tolerances import Tol, assert_close

DTYPES = [np.float32, np.float64]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def copy_into_torch(model: agnn.Module, t_model: torch.nn.Module) -> None:
    """Copy parameters by name; the names must be torch's names (Linear: weight (out, in), bias)."""
    t_params = dict(t_model.named_parameters())
    names = [n for n, _ in model.named_parameters()]
    assert names == list(t_params), f"{names} vs torch {list(t_params)}"
    with torch.no_grad():
        for name, p in model.named_parameters():
            assert tuple(t_params[name].shape) == p.shape
            t_params[name].copy_(torch.from_numpy(p.data))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("in_shape", [(5, 4), (2, 3, 4), (4,)])
def test_linear_matches_torch(in_shape, dtype, rng: np.random.Generator) -> None:
    lin = agnn.Linear(4, 3, rng=rng, dtype=dtype)
    t_lin = torch.nn.Linear(4, 3, dtype=TORCH_DTYPE[dtype])
    copy_into_torch(lin, t_lin)
    x_np = rng.standard_normal(in_shape).astype(dtype)
    x, tx = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    y, ty = lin(x), t_lin(tx)
    cot = rng.standard_normal(y.shape).astype(dtype)
    y.backward(cot)
    ty.backward(torch.from_numpy(cot))
    assert_close(y.data, ty.detach().numpy(), block="autograd.Linear", check="forward", dtype=dtype)
    assert_close(x.grad, tx.grad.numpy(), block="autograd.Linear", check="grad", dtype=dtype)
    for (name, p), tp in zip(lin.named_parameters(), t_lin.parameters(), strict=True):
        assert_close(p.grad, tp.grad.numpy(), block="autograd.Linear", check=f"grad_{name}", dtype=dtype)


def test_linear_rejects_input_of_another_dtype_like_torch(rng: np.random.Generator) -> None:
    with pytest.raises(RuntimeError):
        torch.nn.Linear(3, 2)(torch.ones(4, 3, dtype=torch.float64))
    with pytest.raises(RuntimeError):
        agnn.Linear(3, 2, rng=rng)(Tensor(np.ones((4, 3))))


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov statistic sup |F_a - F_b|."""
    grid = np.sort(np.concatenate([a, b]))
    fa = np.searchsorted(np.sort(a), grid, side="right") / a.size
    fb = np.searchsorted(np.sort(b), grid, side="right") / b.size
    return float(np.max(np.abs(fa - fb)))


def test_linear_init_is_torch_kaiming_uniform(rng: np.random.Generator) -> None:
    """weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)): bounds, moments, and a two-sample KS test against
    torch's own initialisation (distributions only: torch's RNG stream cannot be reproduced)."""
    fan_in, fan_out = 50, 400
    bound = 1 / np.sqrt(fan_in)
    lin = agnn.Linear(fan_in, fan_out, rng=rng)
    assert lin.weight.dtype == np.float32 and lin.weight.shape == (fan_out, fan_in) and lin.bias.shape == (fan_out,)
    with torch.random.fork_rng():  # leave the global torch RNG as it was
        torch.manual_seed(0)
        t_lin = torch.nn.Linear(fan_in, fan_out)
    for name, ours, theirs in (("weight", lin.weight.data, t_lin.weight), ("bias", lin.bias.data, t_lin.bias)):
        ours, theirs = ours.ravel().astype(np.float64), theirs.detach().numpy().ravel().astype(np.float64)
        for sample in (ours, theirs):  # torch's samples obey the same bound: the formula is torch's
            assert np.abs(sample).max() <= bound * (1 + 1e-6)
            assert np.abs(sample).max() >= bound * (1 - 20 / sample.size)  # the bound is attained, not smaller
        n = ours.size
        # moments of U(-b, b): mean 0 (sd b/sqrt(3n)), variance b^2/3 (sd of the estimate ~ b^2 * 0.3/sqrt(n))
        assert_close(ours.mean(), 0.0, block="autograd.Linear", check=f"init_{name}_mean", dtype=np.float64,
                     tol=Tol(0, float(5 * bound / np.sqrt(3 * n)), reason="5 sigma of the sample mean of U(-b,b)"))
        assert_close(ours.var(), bound**2 / 3, block="autograd.Linear", check=f"init_{name}_var", dtype=np.float64,
                     tol=Tol(0, float(5 * bound**2 * 0.3 / np.sqrt(n)), reason="5 sigma of the sample variance"))
        # KS at alpha = 1e-3: c = 1.95; both samples of size n
        ks = _ks_statistic(ours, theirs)
        assert ks < 1.95 * np.sqrt(2 / n), f"{name}: KS {ks:.3f} vs critical {1.95 * np.sqrt(2 / n):.3f}"
    assert agnn.Linear(3, 2, rng=rng, dtype=np.float64).weight.dtype == np.float64
    assert agnn.Linear(3, 2, bias=False, rng=rng).bias is None


def test_module_parameters_names_and_zero_grad(rng: np.random.Generator) -> None:
    model = agnn.Sequential(agnn.Linear(3, 4, rng=rng), agnn.ReLU(), agnn.Linear(4, 2, rng=rng))
    t_model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    copy_into_torch(model, t_model)  # asserts torch's names, order and shapes
    assert [p.shape for p in model.parameters()] == [(4, 3), (4,), (2, 4), (2,)]
    assert all(isinstance(p, agnn.Parameter) and p.requires_grad and p.is_leaf for p in model.parameters())
    model(Tensor(np.ones((1, 3), np.float32))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())

    class Shared(agnn.Module):
        def __init__(self) -> None:
            self.a = agnn.Linear(2, 2, rng=rng)
            self.b = self.a  # the same parameters twice: listed once, as torch
    assert len(Shared().parameters()) == 2


@pytest.mark.parametrize("name", ["ReLU", "Sigmoid", "Tanh"])
def test_activation_modules_match_torch(name: str, rng: np.random.Generator) -> None:
    x_np = rng.standard_normal((4, 5))
    x, tx = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    y, ty = getattr(agnn, name)()(x), getattr(torch.nn, name)()(tx)
    cot = rng.standard_normal((4, 5))
    y.backward(cot)
    ty.backward(torch.from_numpy(cot))
    assert_close(y.data, ty.detach().numpy(), block=f"autograd.{name}", check="forward")
    assert_close(x.grad, tx.grad.numpy(), block=f"autograd.{name}", check="grad")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_matches_torch(reduction: str, rng: np.random.Generator) -> None:
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    loss, t_loss = agnn.MSELoss(reduction)(x, y), torch.nn.MSELoss(reduction=reduction)(tx, ty)
    cot = rng.standard_normal(loss.shape)
    loss.backward(cot)
    t_loss.backward(torch.from_numpy(cot))
    assert_close(loss.data, t_loss.detach().numpy(), block="autograd.MSELoss", check="forward")
    assert_close(x.grad, tx.grad.numpy(), block="autograd.MSELoss", check="grad")
    assert_close(y.grad, ty.grad.numpy(), block="autograd.MSELoss", check="grad_target")


def test_mse_broadcasting_warns_like_torch() -> None:
    with pytest.warns(UserWarning, match="target size"):
        torch.nn.functional.mse_loss(torch.ones(3, 1), torch.ones(3))
    with pytest.warns(UserWarning, match="target size"):
        loss = agnn.mse_loss(Tensor(np.ones((3, 1))), np.zeros(3))
    assert_close(loss.data, np.array(1.0), block="autograd.MSELoss", check="broadcast")
    with pytest.raises(ValueError):
        agnn.MSELoss("average")


def test_sgd_step_matches_torch_and_skips_params_without_grad(rng: np.random.Generator) -> None:
    w_np, u_np = rng.standard_normal((3, 2)), rng.standard_normal(2)
    w, u = agnn.Parameter(w_np), agnn.Parameter(u_np)
    tw, tu = torch.nn.Parameter(torch.tensor(w_np)), torch.nn.Parameter(torch.tensor(u_np))
    opt, t_opt = SGD([w, u], lr=0.3), torch.optim.SGD([tw, tu], lr=0.3)
    x = rng.standard_normal((5, 3))
    for _ in range(3):
        opt.zero_grad()
        t_opt.zero_grad()
        (Tensor(x) @ w).tanh().sum().backward()  # u gets no gradient: SGD must leave it untouched
        (torch.tensor(x) @ tw).tanh().sum().backward()
        opt.step()
        t_opt.step()
    assert u.grad is None and tu.grad is None
    assert_close(w.data, tw.detach().numpy(), block="autograd.SGD", check="step")
    assert_close(u.data, u_np, block="autograd.SGD", check="untouched")
    for bad in (lambda m: m.SGD([], lr=0.1), lambda m: m.SGD([w if m is not torch.optim else tw], lr=-1.0)):
        with pytest.raises(ValueError):
            bad(torch.optim)
        with pytest.raises(ValueError):
            bad(ag.optim)


# Step-by-step agreement of float64 training, measured (torch 2.13, numpy 2.4, 1 torch thread): worst relative
# loss difference over 200 steps 4e-16, worst absolute parameter difference 2.5e-16 (relative up to 4e-14 on
# entries near 0). The two sides differ only in BLAS summation order, and training does not amplify it here.
TRAIN_TOL = Tol(rtol=1e-10, atol=1e-12, reason="float64 MLP, 200 SGD steps; measured worst abs err 2.5e-16")


@pytest.mark.parametrize("act", ["ReLU", "Tanh"])
def test_mlp_training_curve_matches_torch(act: str, rng: np.random.Generator) -> None:
    n, d_in, hidden, d_out = 32, 5, 16, 3
    model = agnn.Sequential(agnn.Linear(d_in, hidden, rng=rng, dtype=np.float64), getattr(agnn, act)(),
                            agnn.Linear(hidden, d_out, rng=rng, dtype=np.float64))
    t_model = torch.nn.Sequential(torch.nn.Linear(d_in, hidden), getattr(torch.nn, act)(),
                                  torch.nn.Linear(hidden, d_out)).double()
    copy_into_torch(model, t_model)
    x = rng.standard_normal((n, d_in))
    y = np.sin(x @ rng.standard_normal((d_in, d_out)))  # a smooth target the MLP can fit
    opt, t_opt = SGD(model.parameters(), lr=0.1), torch.optim.SGD(t_model.parameters(), lr=0.1)
    loss_fn, t_loss_fn = agnn.MSELoss(), torch.nn.MSELoss()
    losses, t_losses = [], []
    for _ in range(200):
        opt.zero_grad()
        loss = loss_fn(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        t_opt.zero_grad()
        t_loss = t_loss_fn(t_model(torch.from_numpy(x)), torch.from_numpy(y))
        t_loss.backward()
        t_opt.step()
        losses.append(loss.item())
        t_losses.append(t_loss.item())
    assert_close(np.array(losses), np.array(t_losses), block="autograd.mlp", check="loss_curve", tol=TRAIN_TOL)
    assert losses[-1] < 0.5 * losses[0], "the MLP did not train: the comparison would be vacuous"
    for (name, p), tp in zip(model.named_parameters(), t_model.parameters(), strict=True):
        assert_close(p.data, tp.detach().numpy(), block="autograd.mlp", check=f"final_{name}", tol=TRAIN_TOL)
