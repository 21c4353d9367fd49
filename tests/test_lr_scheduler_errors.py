"""Invalid arguments, misuse and resumption of CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, ReduceLROnPlateau,
SequentialLR and ChainedScheduler: the same outcome as torch (the same exception class AND message, or the same
result), the same warnings, the same signatures and the state_dict quirks."""

from __future__ import annotations

import inspect
import sys
import warnings

import pytest
import torch

import reference.optim
import scratch.optim
from tests.harness import builtin_base, outcome
from tests.test_lr_scheduler import Warmup, decay_095
from tests.test_lr_scheduler_cycles import SCRATCH, TORCH, Lib


def _steps(sched, opt, n: int, *args) -> list:
    out = []
    for _ in range(n):
        opt.step()
        sched.step(*args)
        out.append(list(sched.get_last_lr()))
    return out


def _resume_last_epoch(lib: Lib, make) -> list:
    """Run 30 steps, then construct a second scheduler with last_epoch=30 on the same optimizer: it continues."""
    opt = lib.opt()
    _steps(make(lib.L, opt, -1), opt, 30)
    return _steps(make(lib.L, opt, 30), opt, 10)


def _new_group_then_reduce(lib: Lib, min_lr) -> list:
    opt = lib.opt()
    sched = lib.L.ReduceLROnPlateau(opt, patience=0, min_lr=min_lr)
    opt.add_param_group({"params": [lib.param()], "lr": 0.2})
    return _steps(sched, opt, 3, 1.0)


def _lrs_after_error(lib: Lib) -> list:
    """CyclicLR sets every group's lr to base_lr before its later checks: an invalid mode leaves them set."""
    opt = lib.opt()
    assert outcome(lambda: lib.L.CyclicLR(opt, 0.1, 1.0, mode="x"))[0] == "raise"
    return [g["lr"] for g in opt.param_groups]


def _other_opt(lib: Lib, composite: str):
    opt, other = lib.opt(), lib.opt()
    scheds = [lib.L.StepLR(opt, 2), lib.L.StepLR(other, 2)]
    return lib.L.SequentialLR(opt, scheds, [3]) if composite == "seq" else lib.L.ChainedScheduler(scheds)


class NoOptimizer:
    def step(self) -> None:
        pass


OUTCOMES = {
    "CAWR T_0=0": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 0),
    "CAWR T_0=2.0": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 2.0),
    "CAWR T_0='a'": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), "a"),  # TypeError from '<='
    "CAWR T_mult=0": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 3, 0),
    "CAWR T_mult=1.5": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 3, 1.5),
    "CAWR eta_min='x'": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 3, eta_min="x"),
    "CAWR step(-1)": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 3).step(-1),
    "CAWR resume last_epoch": lambda lib: _resume_last_epoch(
        lib, lambda L, o, e: L.CosineAnnealingWarmRestarts(o, 7, 2, last_epoch=e)),
    "CAWR last_epoch without initial_lr": lambda lib: lib.L.CosineAnnealingWarmRestarts(lib.opt(), 3, last_epoch=4),
    "CyclicLR not an optimizer": lambda lib: lib.L.CyclicLR(None, 0.1, 1.0),
    "CyclicLR base_lr length": lambda lib: lib.L.CyclicLR(lib.opt(), [0.1], 1.0),
    "CyclicLR max_lr length": lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, (1.0, 2.0, 3.0)),
    "CyclicLR mode": lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0, mode="square"),
    "CyclicLR no momentum": lambda lib: lib.L.CyclicLR(lib.opt("adagrad"), 0.1, 1.0),
    "CyclicLR base_momentum length": lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0, base_momentum=[0.8]),
    "CyclicLR step sizes 0": lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0, 0, 0),
    "CyclicLR step_size_up None": lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0, None),
    "CyclicLR error leaves base_lr set": lambda lib: _lrs_after_error(lib),
    "CyclicLR resume last_epoch": lambda lib: _resume_last_epoch(lib, lambda L, o, e: L.CyclicLR(
        o, 0.01, 0.1, 4, mode="triangular2", last_epoch=e)),
    "CyclicLR step(epoch) closed form": lambda lib: _steps(lib.L.CyclicLR(opt := lib.opt(), 0.01, 0.1, 4), opt, 3,
                                                           11),
    "OneCycleLR no total": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, epochs=3),
    "OneCycleLR total_steps=0": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 0),
    "OneCycleLR total_steps=2.5": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 2.5),
    "OneCycleLR epochs=0": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, epochs=0, steps_per_epoch=3),
    "OneCycleLR steps_per_epoch=-1": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, epochs=2, steps_per_epoch=-1),
    "OneCycleLR pct_start=1 (an int)": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 10, pct_start=1),
    "OneCycleLR pct_start=1.5": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 10, pct_start=1.5),
    "OneCycleLR pct_start=1.0 (its bound)": lambda lib: _steps(lib.L.OneCycleLR(opt := lib.opt(), 0.1, 10,
                                                                                pct_start=1.0), opt, 4),
    "LinearLR start_factor=0 (its bound)": lambda lib: lib.L.LinearLR(lib.opt(), start_factor=0.0),
    "LinearLR start_factor=1.0 (its bound)": lambda lib: _steps(lib.L.LinearLR(opt := lib.opt(), 1.0, 0.5), opt, 3),
    "LinearLR start_factor=1.5": lambda lib: lib.L.LinearLR(lib.opt(), start_factor=1.5),
    "LinearLR end_factor=0 and 1.0001": lambda lib: (_steps(lib.L.LinearLR(opt := lib.opt(), 0.5, 0.0), opt, 2),
                                                    lib.L.LinearLR(lib.opt(), 0.5, 1.0001)),
    "OneCycleLR anneal exp": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 10, anneal_strategy="exp"),
    "OneCycleLR max_lr length": lambda lib: lib.L.OneCycleLR(lib.opt(), [0.1], 10),
    "OneCycleLR no momentum": lambda lib: lib.L.OneCycleLR(lib.opt("adagrad"), 0.1, 10),
    "OneCycleLR empty phase": lambda lib: lib.L.OneCycleLR(lib.opt(), 0.1, 10, pct_start=0.1),  # 0.0 / 0.0
    "OneCycleLR past total_steps": lambda lib: _steps(lib.L.OneCycleLR(opt := lib.opt(), 0.1, 10), opt, 11),
    "OneCycleLR last step allowed": lambda lib: _steps(lib.L.OneCycleLR(opt := lib.opt(), 0.1, 10), opt, 10),
    "OneCycleLR resume last_epoch": lambda lib: _resume_last_epoch(lib, lambda L, o, e: L.OneCycleLR(
        o, 0.1, 50, three_phase=True, last_epoch=e)),
    "Plateau factor=1.0": lambda lib: lib.L.ReduceLROnPlateau(lib.opt(), factor=1.0),
    "Plateau factor before optimizer": lambda lib: lib.L.ReduceLROnPlateau(None, factor=2.0),
    "Plateau not an optimizer": lambda lib: lib.L.ReduceLROnPlateau(None),
    "Plateau min_lr length": lambda lib: lib.L.ReduceLROnPlateau(lib.opt(), min_lr=[0.1, 0.2, 0.3]),
    "Plateau mode": lambda lib: lib.L.ReduceLROnPlateau(lib.opt(), mode="avg"),
    "Plateau threshold_mode": lambda lib: lib.L.ReduceLROnPlateau(lib.opt(), threshold_mode="pct"),
    "Plateau metric not a number": lambda lib: lib.L.ReduceLROnPlateau(lib.opt()).step("loss"),
    "Plateau new group, list min_lr": lambda lib: _new_group_then_reduce(lib, [0.0, 0.0]),
    "Plateau new group, scalar min_lr": lambda lib: _new_group_then_reduce(lib, 0.05),
    "Sequential no schedulers": lambda lib: lib.L.SequentialLR(lib.opt(), [], []),
    "Sequential milestones length": lambda lib: lib.L.SequentialLR(opt := lib.opt(), [lib.L.StepLR(opt, 2)], [3]),
    "Sequential plateau": lambda lib: lib.L.SequentialLR(opt := lib.opt(), [lib.L.StepLR(opt, 2),
                                                                           lib.L.ReduceLROnPlateau(opt)], [3]),
    "Sequential no optimizer attribute": lambda lib: lib.L.SequentialLR(lib.opt(), [NoOptimizer()], []),
    "Sequential other optimizer": lambda lib: _other_opt(lib, "seq"),
    "Sequential step(epoch)": lambda lib: lib.L.SequentialLR(opt := lib.opt(), [lib.L.StepLR(opt, 2)], []).step(5),
    "Sequential chain after a milestone": lambda lib: _steps(lib.L.SequentialLR(opt := lib.opt(), [
        lib.L.StepLR(opt, 2), lib.L.ChainedScheduler([lib.L.ExponentialLR(opt, 0.9)])], [2]), opt, 3),
    "Sequential last_epoch": lambda lib: _steps(lib.L.SequentialLR(opt := lib.opt(), [
        lib.L.StepLR(opt, 2), lib.L.ExponentialLR(opt, 0.9)], [4], last_epoch=2), opt, 5),
    "Chained no schedulers": lambda lib: lib.L.ChainedScheduler([]),
    "Chained plateau": lambda lib: lib.L.ChainedScheduler([lib.L.ReduceLROnPlateau(lib.opt())]),
    "Chained no optimizer attribute": lambda lib: lib.L.ChainedScheduler([NoOptimizer()], lib.opt()),
    "Chained other optimizer": lambda lib: _other_opt(lib, "chain"),
    "Chained other optimizer given": lambda lib: lib.L.ChainedScheduler([lib.L.StepLR(lib.opt(), 2)], lib.opt()),
}


@pytest.mark.parametrize("label", list(OUTCOMES))
def test_outcome_and_message_match_torch(label: str) -> None:
    """Both raise the same built-in class with the same message, or both return the same value (lrs of a run)."""
    (ks, vs), (kt, vt) = outcome(lambda: OUTCOMES[label](SCRATCH)), outcome(lambda: OUTCOMES[label](TORCH))
    assert ks == kt, f"{label}: scratch {ks} {vs!r:.300}, torch {kt} {vt!r:.300}"
    if kt == "raise":
        assert isinstance(vs, builtin_base(vt)), f"{label}: torch raises {type(vt).__name__}, scratch {vs!r}"
        assert str(vs) == str(vt), f"{label}: messages differ"
    elif not (hasattr(vt, "torch_scheduler") or hasattr(vt, "optimizer")):
        assert vs == vt, label  # a scheduler itself is not comparable; the lrs of a run are


def _messages(lib: Lib, action) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        action(lib)
    return [f"{w.category.__name__}: {str(w.message)[:60]}" for w in caught]


WARNINGS = {  # label -> (action, how many warnings torch gives)
    "CAWR step before optimizer.step, step(epoch)": (lambda lib: (s := lib.L.CosineAnnealingWarmRestarts(
        lib.opt(), 3)).step() or s.step(2.5), 0),
    "CyclicLR step before optimizer.step": (lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0).step(), 1),
    "CyclicLR get_lr outside step": (lambda lib: lib.L.CyclicLR(lib.opt(), 0.1, 1.0).get_lr(), 1),
    # torch counts only optimizer steps after the first scheduler attached: the order warning too
    "OneCycleLR optimizer.step before it, step(epoch)": (
        lambda lib: (o := lib.opt()).step() or lib.L.OneCycleLR(o, 0.1, 10).step(4), 2),
    "Plateau step before optimizer.step": (lambda lib: lib.L.ReduceLROnPlateau(lib.opt()).step(1.0), 0),
    "Plateau step(metrics, epoch)": (lambda lib: lib.L.ReduceLROnPlateau(lib.opt()).step(1.0, 3), 1),
    "Sequential step before optimizer.step": (lambda lib: lib.L.SequentialLR(
        o := lib.opt(), [lib.L.StepLR(o, 2), lib.L.StepLR(o, 3)], [1]).step(), 0),  # a milestone: _update_lr(0)
    "Sequential step before optimizer.step, no milestone": (lambda lib: lib.L.SequentialLR(
        o := lib.opt(), [lib.L.StepLR(o, 2), lib.L.StepLR(o, 3)], [5]).step(), 1),
    "Chained step before optimizer.step": (lambda lib: lib.L.ChainedScheduler(
        [lib.L.StepLR(o := lib.opt(), 2), lib.L.ExponentialLR(o, 0.9)]).step(), 2),
}


@pytest.mark.parametrize("label", list(WARNINGS))
def test_warnings_match_torch(label: str) -> None:
    action, count = WARNINGS[label]
    got, want = _messages(SCRATCH, action), _messages(TORCH, action)
    assert got == want and len(want) == count, f"{label}: {got} != {want}"


NAMES = ["CosineAnnealingWarmRestarts", "CyclicLR", "OneCycleLR", "ReduceLROnPlateau", "SequentialLR",
         "ChainedScheduler"]


@pytest.mark.parametrize("name", NAMES)
def test_signature_matches_torch(name: str) -> None:
    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    want = sig(getattr(torch.optim.lr_scheduler, name))
    assert sig(getattr(scratch.optim.lr_scheduler, name)) == want == sig(getattr(reference.optim.lr_scheduler, name))
    assert getattr(scratch.optim.lr_scheduler, name).__doc__.count("Args:") == 1


@pytest.mark.parametrize("scale_fn", [decay_095, Warmup(7)], ids=["function", "object"])
def test_cyclic_state_dict_saves_scale_fn_like_torch(scale_fn) -> None:
    """torch drops the built-in scale function and saves a custom one as None (a function) or its ``__dict__`` (an
    object, loaded back into the new scheduler's object); load_state_dict POPS that key from the given dict."""
    states = []
    for lib in (SCRATCH, TORCH):
        opt = lib.opt()
        sched = lib.L.CyclicLR(opt, 0.01, 0.1, 3, scale_fn=scale_fn)
        state = sched.state_dict()
        assert "_scale_fn_ref" not in state
        assert state["_scale_fn_custom"] == (None if scale_fn is decay_095 else {"steps": 7})
        if scale_fn is not decay_095:
            target = Warmup(3)
            fresh = lib.L.CyclicLR(lib.opt(), 0.01, 0.1, 3, scale_fn=target)
            fresh.load_state_dict(state)
            assert target.steps == 7 and "_scale_fn_custom" not in state  # popped, as torch
            assert outcome(lambda f=fresh, s=state: f.load_state_dict(s))[0] == "raise"  # KeyError the second time
        states.append(sched.state_dict())
    assert states[0] == states[1]


def test_composite_state_dict_nests_the_schedulers_like_torch() -> None:
    """SequentialLR and ChainedScheduler save their wrapped schedulers' state_dicts (a list under '_schedulers') and
    leave the dict they load from as it was."""
    for lib in (SCRATCH, TORCH):
        opt = lib.opt()
        chained = lib.L.ChainedScheduler([lib.L.StepLR(opt, 2), lib.L.CyclicLR(opt, 0.01, 0.1, 3)])
        state = chained.state_dict()
        assert sorted(state) == ["_last_lr", "_schedulers"] and len(state["_schedulers"]) == 2
        assert state["_schedulers"][0]["step_size"] == 2 and "_scale_fn_custom" in state["_schedulers"][1]
        sequential = lib.L.SequentialLR(opt, [lib.L.StepLR(opt, 2), lib.L.ExponentialLR(opt, 0.5)], [3])
        state = sequential.state_dict()
        assert sorted(state) == ["_last_lr", "_milestones", "_schedulers", "last_epoch"]
        sequential.load_state_dict(state)
        assert "_schedulers" in state



def test_warnings_point_at_the_callers_line() -> None:
    """Deliberate difference: scratch's warnings name the line that called the scheduler (their stacklevel), where
    torch's name a line of torch/optim/lr_scheduler.py: get_lr outside step, step before optimizer.step, step(epoch)."""
    sched = SCRATCH.L.CyclicLR(SCRATCH.opt(), 0.1, 1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lines = [sys._getframe().f_lineno + 1]
        sched.get_lr()
        lines.append(sys._getframe().f_lineno + 1)
        sched.step()
        lines.append(sys._getframe().f_lineno + 1)
        sched.step(3)
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, n) for n in lines]
