"""scratch.regularization vs torch: L1/L2 penalties and gradients (torch autograd), the L2 penalty =
weight_decay identity, max-norm (torch.renorm), clip_grad_norm_/clip_grad_value_/get_total_norm
(torch.nn.utils), and EarlyStopping (unit tests: no torch counterpart)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import reference.regularization as rreg
import scratch.optim
import scratch.regularization as sreg
from conftest import DTYPES
from scratch.nn import Linear, Parameter
from tests.catalog import BY_NAME as BLOCKS
from tests.harness import assert_same_outcome, build_pair, outcome
from tests.tolerances import Tol, assert_close


def _arrays(dtype, seed=0, zeros=True):
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal((4, 3)).astype(dtype), rng.standard_normal(5).astype(dtype)]
    if zeros:
        xs[0][1, 1] = xs[1][2] = 0  # L1's kink: torch's abs has gradient 0 at 0
    return xs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("weight", [0.0, 0.1, 3.0])
def test_penalty_and_gradient_match_torch_autograd(kind, weight, dtype):
    xs = _arrays(dtype)
    block = f"regularization.{kind}_penalty"
    for params in (xs, [Parameter(x) for x in xs]):
        value = getattr(sreg, f"{kind}_penalty")(params, weight)
        grads = getattr(sreg, f"{kind}_penalty_grad")(params, weight)
        assert_close(value, getattr(rreg, f"{kind}_penalty")(xs, weight), block=block, check="value", dtype=dtype)
        for i, (g, e) in enumerate(zip(grads, getattr(rreg, f"{kind}_penalty_grad")(xs, weight), strict=True)):
            assert_close(g, e, block=block, check=f"grad[{i}]", dtype=dtype)


def test_add_penalty_grad_accumulates():
    ps = [Parameter(x) for x in _arrays(np.float64)]
    ps[0].grad = np.ones((4, 3))
    sreg.add_penalty_grad_(ps, l1=0.5, l2=0.2)
    np.testing.assert_array_equal(ps[0].grad, 1 + (0.5 * np.sign(ps[0].data) + 0.2 * ps[0].data))
    np.testing.assert_array_equal(ps[1].grad, 0.5 * np.sign(ps[1].data) + 0.2 * ps[1].data)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_l2_penalty_gradient_is_sgd_weight_decay(momentum):
    """d/dp (lam/2 ||p||^2) = lam p = weight_decay p, factor exactly 1: SGD(weight_decay=lam) on g equals
    SGD() on g + l2_penalty_grad(lam) -- bitwise in scratch; in torch weight_decay=lam equals autograd of
    loss + lam/2 ||p||^2, while a penalty written lam ||p||^2 equals weight_decay = 2 lam instead."""
    lam, rng = 0.3, np.random.default_rng(0)
    grads = [rng.standard_normal(5) for _ in range(30)]
    x0 = rng.standard_normal(5)
    a, b = Parameter(x0.copy()), Parameter(x0.copy())
    oa = scratch.optim.SGD([a], lr=0.05, momentum=momentum, weight_decay=lam)
    ob = scratch.optim.SGD([b], lr=0.05, momentum=momentum)
    t = {k: torch.nn.Parameter(torch.from_numpy(x0.copy())) for k in ("wd", "half", "full", "wd2")}
    ot = {k: torch.optim.SGD([p], lr=0.05, momentum=momentum, weight_decay={"wd": lam, "wd2": 2 * lam}.get(k, 0))
          for k, p in t.items()}
    for g in grads:
        a.grad = g.copy()
        b.grad = g + sreg.l2_penalty_grad([b], lam)[0]
        oa.step(), ob.step()
        for k, p in t.items():
            p.grad = None
            factor = {"half": lam / 2, "full": lam}.get(k, 0.0)  # penalty factor * ||p||^2
            ((p * torch.from_numpy(g)).sum() + factor * p.pow(2).sum()).backward()
            ot[k].step()
    np.testing.assert_array_equal(a.data, b.data)
    res = {k: p.detach().numpy() for k, p in t.items()}
    block = "regularization.l2_penalty=weight_decay"
    assert_close(res["half"], res["wd"], block=block, check="torch: lam/2 ||p||^2 vs weight_decay=lam",
                 dtype=np.float64)
    assert_close(res["full"], res["wd2"], block=block, check="torch: lam ||p||^2 vs weight_decay=2 lam",
                 dtype=np.float64)
    assert_close(a.data, res["wd"], block=block, check="scratch vs torch weight_decay", dtype=np.float64)
    assert np.abs(res["full"] - res["wd"]).max() > 1e-3  # the factor is not cosmetic


def test_adam_weight_decay_is_coupled_l2_but_adamw_is_not():
    rng = np.random.default_rng(1)
    x0, grads = rng.standard_normal(4), [rng.standard_normal(4) for _ in range(20)]
    ps = [Parameter(x0.copy()) for _ in range(3)]
    opts = [scratch.optim.Adam([ps[0]], lr=0.01, weight_decay=0.1), scratch.optim.Adam([ps[1]], lr=0.01),
            scratch.optim.AdamW([ps[2]], lr=0.01, weight_decay=0.1)]
    for g in grads:
        ps[0].grad, ps[2].grad = g.copy(), g.copy()
        ps[1].grad = g + sreg.l2_penalty_grad([ps[1]], 0.1)[0]
        for o in opts:
            o.step()
    np.testing.assert_array_equal(ps[0].data, ps[1].data)
    assert np.abs(ps[2].data - ps[0].data).max() > 1e-4


RENORMS = [((4, 3), 2.0, 0, 1.0), ((4, 3), 1.0, 1, 0.5), ((4, 3), math.inf, -1, 0.8), ((2, 3, 4), 3.5, 1, 1.2),
           ((5, 2), 2.0, 0, 0.0), ((5, 2), 2.0, 0, 1e9)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "p", "dim", "maxnorm"), RENORMS, ids=[str(r) for r in RENORMS])
def test_renorm_matches_torch(shape, p, dim, maxnorm, dtype):
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    x[0] *= 0.01  # a slice under the limit stays unchanged
    assert_close(sreg.renorm(x, p, dim, maxnorm), rreg.renorm(x, p, dim, maxnorm), block="regularization.renorm",
                 check=f"p={p},dim={dim}", dtype=dtype)


@pytest.mark.parametrize(("shape", "p", "dim", "maxnorm"), [((3,), 2, 0, 1.0), ((3, 2), 0, 0, 1.0),
                                                           ((3, 2), -1, 0, 1.0), ((3, 2), 2, 0, -1.0),
                                                           ((3, 2), 2, 2, 1.0), ((3, 2), 2, -3, 1.0)])
def test_renorm_errors_like_torch(shape, p, dim, maxnorm):
    x = np.ones(shape)
    got, want = outcome(lambda: sreg.renorm(x, p, dim, maxnorm)), outcome(lambda: rreg.renorm(x, p, dim, maxnorm))
    assert_same_outcome("renorm", got, want)
    assert str(got[1]) == str(want[1])


def test_max_norm_constraint_in_place():
    layer = Linear(6, 4, dtype=np.float64, rng=np.random.default_rng(0))
    layer.weight.data *= 10
    held, before = layer.weight.data, layer.weight.data.copy()
    assert sreg.max_norm_(layer.weight, 1.5) is layer.weight and layer.weight.data is held
    assert np.linalg.norm(held, axis=1).max() <= 1.5
    assert_close(held, torch.renorm(torch.from_numpy(before), 2, 0, 1.5).numpy(), block="regularization.max_norm_",
                 check="vs torch.renorm", dtype=np.float64)


def _grad_pairs(dtype, values=None):
    gs = _arrays(dtype, seed=4, zeros=False) if values is None else values
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal(g.shape).astype(dtype) for g in gs] + [np.zeros(2, dtype)]
    ps = [Parameter(x.copy()) for x in xs]
    ts = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in xs]
    for p, t, g in zip(ps[:2], ts[:2], gs, strict=True):  # the third parameter has no grad: ignored by both
        p.grad, t.grad = g.copy(), torch.from_numpy(g.copy())
    return ps, ts


NORMS = [2.0, 1.0, 3.5, math.inf, "inf", -math.inf, 0.0, -1.0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("max_norm", [0.5, 1e3, -1.0])
@pytest.mark.parametrize("norm_type", NORMS, ids=str)
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    ps, ts = _grad_pairs(dtype)
    block = f"regularization.clip_grad_norm_[{norm_type}]"
    total_s = sreg.clip_grad_norm_(ps, max_norm, norm_type)
    total_t = rreg.clip_grad_norm_(ts, max_norm, norm_type)
    assert_close(np.asarray(total_s), total_t, block=block, check="total norm", dtype=dtype)
    for i, (p, t) in enumerate(zip(ps[:2], ts[:2], strict=True)):
        assert_close(p.grad, t.grad.numpy(), block=block, check=f"clipped grad[{i}]", dtype=dtype)
    assert ps[2].grad is None


@pytest.mark.parametrize("dtype", DTYPES)
def test_clip_grad_norm_eps_is_torchs_1e_minus_6(dtype):
    """Tiny gradients make the eps visible: the coefficient is max_norm / (total + 1e-6), not max_norm / total."""
    grads = [np.full((4, 3), 2e-7, dtype), np.full(5, -1e-7, dtype)]
    ps, ts = _grad_pairs(dtype, grads)
    total = sreg.clip_grad_norm_(ps[:2], 1e-7)
    assert_close(total, rreg.clip_grad_norm_(ts[:2], 1e-7), block="regularization.clip_grad_norm_[2.0]",
                 check="tiny total norm", dtype=dtype)
    for i, (p, t) in enumerate(zip(ps[:2], ts[:2], strict=True)):
        assert_close(p.grad, t.grad.numpy(), block="regularization.clip_grad_norm_[2.0]",
                     check=f"eps: tiny grad[{i}]", dtype=dtype, tol=Tol(1e-6, 0.0, reason="relative: grads ~1e-7"))
    assert abs(float(ps[0].grad[0, 0]) - 2e-7 * 1e-7 / (float(total) + 1e-6)) < 1e-3 * 2e-7 * 1e-7 / 1e-6


@pytest.mark.parametrize("bad", [np.inf, np.nan])
@pytest.mark.parametrize("error_if_nonfinite", [True, False])
def test_clip_grad_norm_nonfinite_like_torch(bad, error_if_nonfinite):
    grads = [np.array([[3.0, bad, 0.0]]), np.array([4.0])]
    ps, ts = _grad_pairs(np.float64, grads)
    got = outcome(lambda: sreg.clip_grad_norm_(ps[:2], 1.0, error_if_nonfinite=error_if_nonfinite))
    want = outcome(lambda: rreg.clip_grad_norm_(ts[:2], 1.0, error_if_nonfinite=error_if_nonfinite))
    assert_same_outcome("non-finite total norm", got, want)
    if want[0] == "raise":
        assert str(got[1]) == str(want[1])
    else:
        for p, t in zip(ps[:2], ts[:2], strict=True):
            np.testing.assert_array_equal(p.grad, t.grad.numpy())


def test_clip_grad_norm_edge_cases_like_torch():
    ps, ts = _grad_pairs(np.float64)
    empty = sreg.clip_grad_norm_([ps[2]], 1.0)  # only a None grad: total 0.0 (float32), nothing clipped
    assert empty.dtype == rreg.clip_grad_norm_([ts[2]], 1.0).dtype == np.float32 and empty == 0
    for fn in (lambda: sreg.clip_grad_norm_((p for p in []), 1.0), lambda: rreg.clip_grad_norm_((p for p in []), 1.0)):
        with pytest.warns(UserWarning, match="empty generator"):
            fn()
    total = sreg.clip_grad_norm_(ps[0], 0.1)  # a single Parameter is accepted, as a single tensor in torch
    assert_close(total, rreg.clip_grad_norm_(ts[0], 0.1), block="regularization.clip_grad_norm_[2.0]",
                 check="single parameter", dtype=np.float64)
    assert_close(sreg.get_total_norm([p.grad for p in ps[:2]], 3.0),
                 rreg.get_total_norm([t.grad for t in ts[:2]], 3.0), block="regularization.get_total_norm",
                 check="p=3", dtype=np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("clip_value", [0.5, 2.0, -0.5, 0.0])
def test_clip_grad_value_matches_torch(clip_value, dtype):
    grads = [np.array([[3.0, -0.2, np.nan], [np.inf, -np.inf, 0.4]], dtype), np.array([-3.0, 0.1], dtype)]
    ps, ts = _grad_pairs(dtype, grads)
    assert sreg.clip_grad_value_(ps, clip_value) is None
    rreg.clip_grad_value_(ts, clip_value)
    for i, (p, t) in enumerate(zip(ps[:2], ts[:2], strict=True)):
        assert_close(p.grad, t.grad.numpy(), block="regularization.clip_grad_value_", check=f"grad[{i}]", dtype=dtype,
                     tol=Tol(0.0, 1e-300, reason="clamping is exact"))


@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_clipping_the_twin_models_parameters(norm_type):
    """The reference twins take the twin model's TorchParameters: clip after each side's own backward."""
    s, r = build_pair(BLOCKS["mlp"], np.float64)
    x = np.random.default_rng(5).standard_normal((6, 5))
    dy = np.random.default_rng(6).standard_normal((6, 3))
    for m in (s, r):
        m(x)
        m.backward(dy)
    total_s = sreg.clip_grad_norm_(s.parameters(), 0.1, norm_type)
    total_r = rreg.clip_grad_norm_(r.parameters(), 0.1, norm_type)
    assert_close(total_s, total_r, block=f"regularization.clip_grad_norm_[{norm_type}]", check="mlp total norm",
                 dtype=np.float64)
    for (name, p), (_, q) in zip(s.named_parameters(), r.named_parameters(), strict=True):
        assert_close(p.grad, q.grad, block=f"regularization.clip_grad_norm_[{norm_type}]", check=f"mlp {name}",
                     dtype=np.float64)


# -- EarlyStopping -------------------------------------------------------------------------------------------
def test_early_stopping_min_mode_patience():
    es = sreg.EarlyStopping(patience=2)
    stops = [es.step(v) for v in [1.0, 0.8, 0.85, 0.79, 0.9, 0.95, 0.5]]
    assert stops == [False, False, False, False, False, True, False]
    assert es.best == 0.5 and es.best_epoch == 6 and es.num_bad_epochs == 0


def test_early_stopping_max_mode_min_delta_and_nan():
    es = sreg.EarlyStopping(patience=3, min_delta=0.01, mode="max")
    out = [es.step(v) for v in [0.5, 0.505, float("nan"), 0.52, 0.525, 0.529, 0.53]]
    # 0.505 and 0.525/0.529 do not beat the best by more than 0.01; NaN never improves
    assert out == [False, False, False, False, False, False, True] and es.best == 0.52 and es.best_epoch == 3


def test_early_stopping_patience_zero_stops_at_first_non_improvement():
    es = sreg.EarlyStopping(patience=0)
    assert [es.step(v) for v in [3.0, 2.0, 2.0]] == [False, False, True]


def test_early_stopping_restores_the_best_state():
    model = Linear(3, 2, dtype=np.float64, rng=np.random.default_rng(0))
    es = sreg.EarlyStopping(patience=2)
    best = None
    for loss in [1.0, 0.4, 0.6, 0.7]:
        model.weight.data += 1.0  # "training" changes the weights in place each epoch
        if loss == 0.4:
            best = model.state_dict()
        if es.step(loss, model):
            break
    assert es.epoch == 3 and es.should_stop
    es.restore(model)
    for k, v in best.items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    with pytest.raises(RuntimeError, match="no best state"):
        sreg.EarlyStopping().restore(model)


def test_early_stopping_state_dict_and_errors():
    es = sreg.EarlyStopping(patience=2)
    es.step(1.0), es.step(2.0)
    es2 = sreg.EarlyStopping(patience=2)
    es2.load_state_dict(es.state_dict())
    assert es2.step(3.0) is True and es.step(3.0) is True
    for kwargs in ({"mode": "avg"}, {"patience": -1}, {"min_delta": -0.1}, {"min_delta": float("nan")}):
        with pytest.raises(ValueError):
            sreg.EarlyStopping(**kwargs)


def test_early_stopping_min_mode_min_delta_and_its_initial_state():
    es = sreg.EarlyStopping(patience=2, min_delta=0.1, mode="min")
    assert (es.best, es.best_epoch, es.epoch, es.num_bad_epochs) == (math.inf, -1, -1, 0)
    out = [es.step(v) for v in [1.0, 0.95, 0.85, 0.8]]
    # 0.95 is not 0.1 below 1.0 (a bad epoch), 0.85 is (best, bad epochs reset), 0.8 is not (a bad epoch)
    assert out == [False, False, False, False] and (es.best, es.best_epoch, es.num_bad_epochs) == (0.85, 2, 1)
