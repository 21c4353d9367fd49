"""Sparse gradients and SparseAdam, scratch vs torch: SparseGrad against torch's sparse COO tensor, SparseAdam
trajectories (shared seeded sparse gradients with repeats and empty steps, param groups, maximize, None
gradients), Embedding(sparse=True) trained end to end with each side's own backward, state_dict resume in both
directions, and every other optimizer's answer to a sparse gradient (torch's error, or torch's numbers)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import reference.nn
import reference.optim
import scratch.nn
import scratch.optim
from reference.nn.base import to_torch_grad
from scratch.nn import Parameter
from scratch.sparse import SparseGrad
from tests.harness import assert_same_outcome, outcome
from tests.optim_catalog import TRAJ_TOL32, TRAJ_TOL64
from tests.tolerances import assert_close

STEPS = 100
SHAPES = [(10, 3), (6, 2), (4, 1)]  # the third: no gradient at every fourth step; one column, so one row is one value


def sparse_grads(dtype, steps: int = STEPS, seed: int = 0) -> list[list[SparseGrad | None]]:
    """Per step, per parameter: a SparseGrad with 0-8 random rows (repeats likely; nnz = 0 sometimes), or None."""
    rng = np.random.default_rng(seed)
    out = []
    for t in range(steps):
        row = []
        for k, shape in enumerate(SHAPES):
            if k == 2 and t % 4 == 3:
                row.append(None)
                continue
            nnz = int(rng.integers(0, 9)) if t % 10 else 0  # every tenth step an empty gradient
            idx = rng.integers(0, shape[0] - 1, nnz)  # the last row is never touched
            row.append(SparseGrad(idx, rng.standard_normal((nnz, *shape[1:])).astype(dtype), shape))
        out.append(row)
    return out


def _groups(params, kwargs):
    return [{"params": [params[0], params[2]]},
            {"params": [params[1]], "lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}]


def run_sparse_adam(side: str, dtype, kwargs: dict, grads, load: dict | None = None, start=None) -> dict:
    rng = np.random.default_rng(1)
    x0 = [rng.standard_normal(s).astype(dtype) for s in SHAPES] if start is None else start
    if side == "scratch":
        params = [Parameter(x.copy()) for x in x0]
        read = [lambda p=p: p.data.copy() for p in params]
    else:
        params = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in x0]
        read = [lambda p=p: p.detach().numpy().copy() for p in params]
    ns = scratch.optim if side == "scratch" else reference.optim
    opt = ns.SparseAdam(_groups(params, kwargs), lr=0.01, **kwargs)
    if load is not None:
        opt.load_state_dict(load)
    traj = [[r() for r in read]]
    for step in grads:
        for p, g in zip(params, step, strict=True):
            p.grad = None if g is None else (g.copy() if side == "scratch" else to_torch_grad(g))
        opt.step()
        traj.append([r() for r in read])
    return {"traj": [np.stack([t[i] for t in traj]) for i in range(len(params))], "state": opt.state_dict()}


def _compare_states(s: dict, r: dict, block: str, dtype, tol) -> None:
    assert s["param_groups"] == r["param_groups"]
    assert s["state"].keys() == r["state"].keys()
    for i, st in s["state"].items():
        assert list(st) == list(r["state"][i]) == ["step", "exp_avg", "exp_avg_sq"], list(st)
        assert type(st["step"]) is int and st["step"] == r["state"][i]["step"], (st["step"], r["state"][i]["step"])
        for k in ("exp_avg", "exp_avg_sq"):
            assert_close(st[k], r["state"][i][k], block=block, check=f"state[{k}]", dtype=dtype, tol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", [{}, {"maximize": True}, {"betas": (0.5, 0.9), "eps": 1e-3}], ids=str)
def test_sparse_adam_trajectory_matches_torch(kwargs, dtype):
    grads = sparse_grads(dtype)
    s = run_sparse_adam("scratch", dtype, kwargs, grads)
    r = run_sparse_adam("torch", dtype, kwargs, grads)
    block = f"optim.SparseAdam[{','.join(kwargs) or 'default'}]"
    tol = TRAJ_TOL64 if dtype == np.float64 else TRAJ_TOL32
    for i, (a, e) in enumerate(zip(s["traj"], r["traj"], strict=True)):
        assert_close(a, e, block=block, check=f"trajectory[{i}]", dtype=dtype, tol=tol)
        assert np.array_equal(a[:, -1], a[:1, -1].repeat(len(a), 0)), "an untouched row moved"
        assert np.abs(a[-1] - a[0]).max() > 1e-2, "the parameter barely moved"
    _compare_states(s["state"], r["state"], block, dtype, tol)


@pytest.mark.parametrize("first,second", [("scratch", "torch"), ("torch", "scratch")])
def test_sparse_adam_resumes_across_implementations(first, second):
    grads = sparse_grads(np.float64, 60)
    whole = run_sparse_adam(first, np.float64, {}, grads)
    half = run_sparse_adam(first, np.float64, {}, grads[:30])
    rest = run_sparse_adam(second, np.float64, {}, grads[30:], load=half["state"],
                           start=[t[-1] for t in half["traj"]])
    for a, e in zip(rest["traj"], whole["traj"], strict=True):
        assert_close(a, e[30:], block="optim.SparseAdam[resume]", check=f"{first}->{second}", dtype=np.float64,
                     tol=TRAJ_TOL64)
    _compare_states(rest["state"], whole["state"], "optim.SparseAdam[resume]", np.float64, TRAJ_TOL64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_embedding_trained_with_sparse_adam_like_torch(dtype):
    """Embedding(20, 4, sparse=True, padding_idx=0): each side's own backward (scratch's SparseGrad, torch's
    sparse autograd) into SparseAdam, 40 steps of a squared error to fixed targets."""
    rng = np.random.default_rng(3)
    s = scratch.nn.Embedding(20, 4, padding_idx=0, sparse=True, dtype=dtype, rng=np.random.default_rng(0))
    r = reference.nn.Embedding(20, 4, padding_idx=0, sparse=True, dtype=dtype)
    r.load_state_dict(s.state_dict())
    opts = [scratch.optim.SparseAdam(s.parameters(), lr=0.05), reference.optim.SparseAdam(r.parameters(), lr=0.05)]
    targets = rng.standard_normal((20, 4)).astype(dtype)
    for _ in range(40):
        x = rng.integers(0, 20, (6, 5))
        for model, opt in zip((s, r), opts, strict=True):
            opt.zero_grad()
            y = model(x)
            model.backward((y - targets[x]).astype(dtype))
            opt.step()
    assert_close(s.weight.data, r.torch_module.weight.detach().numpy(), block="optim.SparseAdam[Embedding]",
                 check="weights after 40 steps", dtype=dtype, tol=TRAJ_TOL64 if dtype == np.float64 else TRAJ_TOL32)
    assert np.array_equal(s.weight.data[0], np.zeros(4, dtype)), "the padding row moved"


def _one(side: str):
    x = np.ones((3, 2))
    return [Parameter(x)] if side == "scratch" else [torch.nn.Parameter(torch.from_numpy(x))]


BAD = {
    "lr 0": dict(lr=0.0), "negative eps": dict(eps=-1e-8), "eps 0": dict(eps=0.0), "beta1 1": dict(betas=(1.0, 0.9)),
    "beta2 -0.1": dict(betas=(0.9, -0.1)), "2-element lr": dict(lr="2-element"),
}


@pytest.mark.parametrize("label", sorted(BAD))
def test_sparse_adam_bad_arguments_like_torch(label):
    def make(ns, side):
        kw = dict(BAD[label])
        if kw.get("lr") == "2-element":
            kw["lr"] = np.array([0.1, 0.2]) if side == "scratch" else torch.tensor([0.1, 0.2])
        return ns.SparseAdam(_one(side), **kw)

    got, expected = outcome(lambda: make(scratch.optim, "scratch")), outcome(lambda: make(reference.optim, "torch"))
    assert_same_outcome(label, got, expected)
    assert str(got[1]) == str(expected[1])


def test_sparse_adam_refuses_a_dense_gradient_before_updating_the_group():
    for side, ns in (("scratch", scratch.optim), ("torch", reference.optim)):
        params = _one(side) + _one(side)
        opt = ns.SparseAdam(params, lr=0.1)
        if side == "scratch":
            params[0].grad, params[1].grad = SparseGrad([1], np.ones((1, 2)), (3, 2)), np.ones((3, 2))
        else:
            params[0].grad = to_torch_grad(SparseGrad([1], np.ones((1, 2)), (3, 2)))
            params[1].grad = torch.ones(3, 2, dtype=torch.float64)
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients, please consider Adam"):
            opt.step()
        data = params[0].data if side == "scratch" else params[0].detach().numpy()
        assert np.array_equal(data, np.ones((3, 2)))


def test_sparse_adam_signature_matches_torch():
    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert sig(scratch.optim.SparseAdam) == sig(torch.optim.SparseAdam) == sig(reference.optim.SparseAdam)


OTHERS = [("SGD", {}), ("SGD", {"momentum": 0.9}), ("SGD", {"maximize": True, "momentum": 0.5, "dampening": 0.2}),
          ("SGD", {"weight_decay": 0.1}), ("Adagrad", {}), ("Adagrad", {"lr_decay": 0.1, "maximize": True}),
          ("Adagrad", {"weight_decay": 0.1}), ("Adam", {}), ("AdamW", {}), ("RMSprop", {}), ("Adamax", {}),
          ("Adadelta", {}), ("NAdam", {}), ("RAdam", {}), ("ASGD", {}), ("Rprop", {}), ("Adafactor", {}),
          ("Muon", {})]


@pytest.mark.parametrize("name,kwargs", OTHERS, ids=str)
def test_other_optimizers_with_a_sparse_gradient_like_torch(name, kwargs):
    """torch's error (class and message), or, where torch takes a sparse gradient (SGD, Adagrad), torch's
    numbers over 5 steps (scratch uses the dense form; SGD's momentum buffer stays dense where torch's is a
    sparse tensor, so only the parameters are compared)."""
    grads = sparse_grads(np.float64, 5)

    def run(ns, side):
        rng = np.random.default_rng(0)
        x = rng.standard_normal((10, 3))
        p = Parameter(x.copy()) if side == "scratch" else torch.nn.Parameter(torch.from_numpy(x.copy()))
        opt = getattr(ns, name)([p], lr=0.1, **kwargs)
        for step in grads:
            p.grad = step[0].copy() if side == "scratch" else to_torch_grad(step[0])
            opt.step()
        return p.data.copy() if side == "scratch" else p.detach().numpy().copy()

    got, expected = outcome(lambda: run(scratch.optim, "scratch")), outcome(lambda: run(reference.optim, "torch"))
    assert_same_outcome(f"{name}{kwargs}", got, expected)
    if expected[0] == "raise":
        assert str(got[1]) == str(expected[1])
    else:
        assert_close(got[1], expected[1], block=f"optim.{name}[sparse grad]", check=str(kwargs), dtype=np.float64,
                     tol=TRAJ_TOL64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_grad_is_torchs_coo(dtype):
    """coalesce (sorted rows, repeats summed), to_dense, concatenating addition, negation. The sums of repeats
    agree to an ulp, not bitwise: scratch adds a row's repeats in input order; torch's does so for a few
    repeats but not always for many (its index sort is not stable)."""
    rng = np.random.default_rng(5)
    idx = rng.integers(0, 7, 30)
    a = SparseGrad(idx, rng.standard_normal((30, 4)).astype(dtype), (7, 4))
    b = SparseGrad(idx[:5], rng.standard_normal((5, 4)).astype(dtype), (7, 4))
    ta, tb = to_torch_grad(a), to_torch_grad(b)
    ca, tca = a.coalesce(), ta.coalesce()
    np.testing.assert_array_equal(ca.indices, tca._indices()[0].numpy())
    ulps = 8 * np.finfo(dtype).eps
    np.testing.assert_allclose(ca.values, tca._values().numpy(), rtol=ulps, atol=ulps)
    np.testing.assert_allclose(np.asarray(a), ta.to_dense().numpy(), rtol=ulps, atol=ulps)
    # accumulation concatenates, as torch's AccumulateGrad does (tests/test_embedding.py checks it against two
    # backward passes; torch's operator + has shortcuts of its own for equal index tensors)
    ab = a + b
    np.testing.assert_array_equal(ab.indices, np.concatenate([a.indices, b.indices]))
    np.testing.assert_allclose(np.asarray(ab), (ta + tb).to_dense().numpy(), rtol=ulps, atol=ulps)
    np.testing.assert_array_equal((-a).values, (-ta)._values().numpy())
    assert isinstance(np.ones((7, 4), dtype) + a, np.ndarray)
    with pytest.raises(ValueError):
        SparseGrad([7], np.ones((1, 4)), (7, 4))
    with pytest.raises(ValueError):
        SparseGrad([1, 2], np.ones((1, 4)), (7, 4))


@pytest.mark.parametrize(("indices", "shape", "ok"), [([2], (3, 5), True), ([3], (3, 5), False), ([-1], (3, 5), False),
                                                      ([4], (5, 3), True), ([], (0, 2), True)])
def test_sparse_grad_checks_its_row_indices_against_the_row_count(indices, shape, ok):
    make = lambda: SparseGrad(indices, np.ones((len(indices), *shape[1:])), shape)  # noqa: E731
    if ok:
        assert make().indices.tolist() == indices
    else:
        with pytest.raises(ValueError, match=rf"sparse gradient index out of range \[0, {shape[0]}\)"):
            make()
