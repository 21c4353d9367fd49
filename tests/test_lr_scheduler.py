"""scratch.optim.lr_scheduler vs torch.optim.lr_scheduler: lr sequences bitwise (torch's recursive Python-float
updates), construction as step 0, state_dict, warnings and errors, and a teaching text's exponential decay."""

from __future__ import annotations

import inspect
import math
import warnings

import numpy as np
import pytest
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.harness import assert_same_outcome, outcome
from tests.tolerances import Tol, assert_close

EXACT = Tol(rtol=0.0, atol=1e-300, reason="bitwise: the same Python-float recursion as torch")

def decay_095(epoch: int) -> float:
    return 0.95**epoch


class Warmup:
    """A callable object: its ``__dict__`` is what torch's lambda schedulers save in their state_dict."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def __call__(self, epoch: int) -> float:
        return min(1.0, (epoch + 1) / self.steps)


SCHEDULES = [
    ("StepLR", {"step_size": 3}),
    ("StepLR", {"step_size": 1, "gamma": 0.7}),
    ("MultiStepLR", {"milestones": [5, 2, 5, 9], "gamma": 0.5}),  # unsorted, 5 repeated: gamma**2 at epoch 5
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.01}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.25, "total_iters": 3}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.6, "total_iters": 7}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 4}),  # decays to 0, stays there
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 8, "power": 2.5}),
    ("LambdaLR", {"lr_lambda": decay_095}),
    ("LambdaLR", {"lr_lambda": [Warmup(7), decay_095]}),  # one per group; the object's state is saved
    ("MultiplicativeLR", {"lr_lambda": decay_095}),
    ("MultiplicativeLR", {"lr_lambda": [decay_095, Warmup(3)]}),
]


def _id(value) -> str:
    """Stable test ids (a function's repr holds its address, which differs between xdist workers)."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_id(v) for v in value) + "]"
    if callable(value):
        return getattr(value, "__name__", None) or f"{type(value).__name__}{sorted(vars(value).items())}"
    return repr(value)


IDS = [f"{n}[{', '.join(f'{k}={_id(v)}' for k, v in sorted(kw.items()))}]" for n, kw in SCHEDULES]


def _pair(lrs=(0.5, 0.03)):
    """A scratch and a twin optimizer with one parameter group per lr (schedulers scale every group)."""
    s = scratch.optim.SGD([{"params": [Parameter(np.zeros(2))], "lr": lr} for lr in lrs], lr=1.0)
    t = reference.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs], lr=1.0)
    return s, t


def _sched(ns, opt, name, kwargs, **extra):
    return getattr(ns.lr_scheduler, name)(opt, **kwargs, **extra)


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=IDS)
def test_lr_sequence_and_state_dict_match_torch(name, kwargs):
    so, to = _pair()
    ss, ts = _sched(scratch.optim, so, name, kwargs), _sched(reference.optim, to, name, kwargs)
    assert ss.state_dict() == ts.state_dict(), "state after construction"
    lrs_s, lrs_t = [ss.get_last_lr()], [ts.get_last_lr()]
    for _ in range(200):
        so.step(), to.step()
        ss.step(), ts.step()
        lrs_s.append(ss.get_last_lr())
        lrs_t.append(ts.get_last_lr())
    np.testing.assert_array_equal(lrs_s, lrs_t)
    assert_close(np.array(lrs_s), np.array(lrs_t), block=f"lr_scheduler.{name}", check="lr sequence",
                 dtype=np.float64, tol=EXACT)
    assert ss.state_dict() == ts.state_dict()
    assert [g["lr"] for g in so.param_groups] == [g["lr"] for g in to.param_groups]
    assert [g["initial_lr"] for g in so.param_groups] == [g["initial_lr"] for g in to.param_groups] == [0.5, 0.03]


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=IDS)
def test_construction_is_step_zero(name, kwargs):
    """Construction is step 0: last_epoch 0 and the lrs torch sets then (unchanged, except ConstantLR, LinearLR and
    LambdaLR, which apply their first factor at once), bitwise."""
    so, to = _pair()
    sched, tsched = _sched(scratch.optim, so, name, kwargs), _sched(reference.optim, to, name, kwargs)
    assert sched.last_epoch == 0 and sched.base_lrs == [0.5, 0.03]
    assert sched.get_last_lr() == tsched.get_last_lr() == [g["lr"] for g in so.param_groups]
    if name not in ("ConstantLR", "LinearLR", "LambdaLR"):
        assert sched.get_last_lr() == [0.5, 0.03]


def test_step_lr_decays_exactly_at_multiples_of_step_size():
    so, _ = _pair((1.0,))
    sched = scratch.optim.lr_scheduler.StepLR(so, step_size=3, gamma=0.1)
    lrs = []
    for _ in range(7):
        so.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert lrs == [1.0, 1.0, 0.1, 0.1, 0.1, 0.1 * 0.1, 0.1 * 0.1]  # decays when last_epoch becomes 3 and 6


def test_exponential_decay_of_the_seed_is_exponential_lr():
    """The teaching text's decay eta(i) = eta0 / e^(lambda i) is ExponentialLR(gamma=exp(-lambda)): after i scheduler
    steps lr = eta0 * gamma**i = eta0 * exp(-lambda i), up to the running product's rounding (~i ulp)."""
    eta0, lam = 0.1, 0.05
    so, _ = _pair((eta0,))
    sched = scratch.optim.lr_scheduler.ExponentialLR(so, gamma=math.exp(-lam))
    got = [sched.get_last_lr()[0]]
    for _ in range(100):
        so.step()
        sched.step()
        got.append(sched.get_last_lr()[0])
    expected = eta0 * np.exp(-lam * np.arange(101))
    assert_close(np.array(got), expected, block="lr_scheduler.ExponentialLR", check="eta0*exp(-lambda*i)",
                 dtype=np.float64, tol=Tol(rtol=1e-13, atol=0.0, reason="running product: ~1 ulp per step"))


def test_cosine_uses_the_recursive_form_like_torch():
    """torch's step() is recursive; the closed form differs by rounding, so bitwise agreement pins the form.
    The recursion also follows an external change of the lr (the closed form would ignore it)."""
    so, to = _pair((0.5,))
    ss = scratch.optim.lr_scheduler.CosineAnnealingLR(so, T_max=7, eta_min=0.01)
    ts = reference.optim.lr_scheduler.CosineAnnealingLR(to, T_max=7, eta_min=0.01)
    closed_differs = False
    for t in range(1, 60):
        if t == 40:
            so.param_groups[0]["lr"] = to.param_groups[0]["lr"] = 0.2
        so.step(), to.step()
        ss.step(), ts.step()
        assert ss.get_last_lr() == ts.get_last_lr(), t
        closed = 0.01 + (0.5 - 0.01) * (1 + math.cos(math.pi * t / 7)) / 2
        closed_differs |= ss.get_last_lr()[0] != closed
    assert closed_differs


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES, ids=IDS)
def test_deprecated_step_epoch_uses_the_closed_form(name, kwargs):
    so, to = _pair()
    ss, ts = _sched(scratch.optim, so, name, kwargs), _sched(reference.optim, to, name, kwargs)
    for epoch in (4, 9, 2):
        so.step(), to.step()
        for sched in (ss, ts):
            with pytest.warns(UserWarning, match="epoch parameter"):
                sched.step(epoch)
        assert ss.get_last_lr() == ts.get_last_lr() and ss.last_epoch == ts.last_epoch == epoch


@pytest.mark.parametrize(("name", "kwargs"), SCHEDULES[:5], ids=IDS[:5])
def test_resume_with_last_epoch_like_torch(name, kwargs):
    """last_epoch >= 0 resumes: it needs initial_lr in every group (KeyError otherwise), as torch."""
    so, to = _pair()
    got = outcome(lambda: _sched(scratch.optim, so, name, kwargs, last_epoch=5))
    want = outcome(lambda: _sched(reference.optim, to, name, kwargs, last_epoch=5))
    assert_same_outcome("no initial_lr", got, want)
    for o in (so, to):
        for g in o.param_groups:
            g["initial_lr"] = g["lr"]
    ss, ts = _sched(scratch.optim, so, name, kwargs, last_epoch=5), _sched(reference.optim, to, name, kwargs,
                                                                            last_epoch=5)
    for _ in range(12):
        so.step(), to.step()
        ss.step(), ts.step()
        assert ss.get_last_lr() == ts.get_last_lr()
    assert ss.state_dict() == ts.state_dict()


@pytest.mark.parametrize("side", ["scratch", "torch"])
def test_warnings_like_torch(side):
    """scheduler.step() before any optimizer.step() warns; so does get_lr() outside step(); not otherwise."""
    so, to = _pair()
    ns, opt = (scratch.optim, so) if side == "scratch" else (reference.optim, to)
    sched = ns.lr_scheduler.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


@pytest.mark.parametrize("label", ["not an optimizer", "step_size 0"])
def test_errors_like_torch(label):
    def run(ns, opt):
        if label == "not an optimizer":
            return ns.lr_scheduler.StepLR(None, 3)
        sched = ns.lr_scheduler.StepLR(opt, step_size=0)
        opt.step()
        sched.step()  # torch: ZeroDivisionError (integer modulo by zero) on the first real step

    so, to = _pair()
    assert_same_outcome(label, outcome(lambda: run(scratch.optim, so)), outcome(lambda: run(reference.optim, to)))


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ConstantLR",
                                  "LinearLR", "PolynomialLR", "LambdaLR", "MultiplicativeLR"])
def test_signature_matches_torch(name):
    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    want = sig(getattr(torch.optim.lr_scheduler, name))
    assert sig(getattr(scratch.optim.lr_scheduler, name)) == want == sig(getattr(reference.optim.lr_scheduler, name))


def test_state_dict_round_trip_and_cross_load():
    """A scheduler state_dict (plain Python values) loads on either side and the sequences continue alike."""
    so, to = _pair()
    ss = scratch.optim.lr_scheduler.MultiStepLR(so, [3, 3, 6], gamma=0.5)
    ts = reference.optim.lr_scheduler.MultiStepLR(to, [3, 3, 6], gamma=0.5)
    for _ in range(4):
        so.step(), to.step()
        ss.step(), ts.step()
    so2, to2 = _pair()
    ss2 = scratch.optim.lr_scheduler.MultiStepLR(so2, [1])
    ts2 = reference.optim.lr_scheduler.MultiStepLR(to2, [1])
    so2.load_state_dict(to.state_dict()), to2.load_state_dict(so.state_dict())
    ss2.load_state_dict(ts.state_dict()), ts2.load_state_dict(ss.state_dict())
    for _ in range(5):
        for o in (so, to, so2, to2):
            o.step()
        for s in (ss, ts, ss2, ts2):
            s.step()
        assert ss.get_last_lr() == ts.get_last_lr() == ss2.get_last_lr() == ts2.get_last_lr()
