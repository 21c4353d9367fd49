"""CosineAnnealingWarmRestarts, CyclicLR, OneCycleLR, ReduceLROnPlateau, SequentialLR and ChainedScheduler vs torch:
one table of cases, one helper that checks a case completely (lr, momentum and betas sequences over 200 steps
bitwise, get_last_lr, every group key the schedulers write, state_dict equality, a cross-library resume from a
state_dict saved at step 70). Errors and warnings: tests/test_lr_scheduler_errors.py."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.test_lr_scheduler import Warmup, decay_095  # a function and a callable object (its state is saved)

STEPS, RESUME_AT = 200, 70
LRS = (0.5, 0.03)


class Lib:
    """One side of the comparison: its optim namespace, optimizers with one group per lr, fresh parameters."""

    def __init__(self, optim) -> None:
        self.optim, self.L = optim, optim.lr_scheduler

    def param(self):
        return Parameter(np.zeros(2)) if self.optim is scratch.optim else torch.nn.Parameter(torch.zeros(2))

    def opt(self, kind: str = "sgd", lrs=LRS):
        groups = [{"params": [self.param()], "lr": lr} for lr in lrs]
        if kind == "sgd":
            return self.optim.SGD(groups, lr=1.0, momentum=0.9)
        if kind == "adam":  # cycle_momentum cycles beta1 of its betas
            return self.optim.Adam(groups, lr=1.0)
        return self.optim.Adagrad(groups, lr=1.0)  # neither momentum nor betas


SCRATCH, TORCH = Lib(scratch.optim), Lib(reference.optim)


def groups(opt) -> list[dict]:
    """Every group key but the params: lr, initial_lr, momentum or betas, max_lr, min_lr, max/base_momentum..."""
    return [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]


@dataclass(frozen=True)
class Case:
    label: str
    build: Callable  # (lr_scheduler namespace, optimizer) -> scheduler
    opt: str = "sgd"
    metrics: tuple[float, ...] | None = None  # ReduceLROnPlateau: step(metrics[t])
    epoch: Callable[[int], float | None] | None = None  # step(epoch(t)) (None: step())


# metrics in blocks of 15: a large improvement, 4 slow ones (5e-4 per step: below the rel threshold 1e-4 * 10 in the
# first block, above abs 4e-4), then a plateau of 10; ACC is its mirror image for mode 'max'
M = tuple(10.0 / (1 + t // 15) - 5e-4 * min(t % 15, 4) for t in range(STEPS))
ACC = tuple(1.0 - m / 20 for m in M)
# each metric 1.5 x the last, exactly (3^t / 2^t is exact while 3^t < 2^53): 'max' + 'rel' with threshold 0.5 meets
# best * (1 + threshold) with equality, which torch does NOT count as better
GROW = tuple(1.5 ** min(t, 30) for t in range(STEPS))
FLAT = tuple(1.0 + 1e-3 * (t % 4 == 0) for t in range(STEPS))  # never improves after the first epoch

CASES = [
    Case("CAWR T_0=10", lambda L, o: L.CosineAnnealingWarmRestarts(o, 10)),
    Case("CAWR T_0=3 T_mult=2 eta_min", lambda L, o: L.CosineAnnealingWarmRestarts(o, 3, T_mult=2, eta_min=0.001)),
    Case("CAWR T_0=1 T_mult=3 step(epoch) integers", lambda L, o: L.CosineAnnealingWarmRestarts(o, 1, 3),
         epoch=lambda t: t + 1),  # epoch 121 = 1 + 3 + ... + 81: log rounds 5 down to 4.999..: lr = eta_min
    Case("CAWR T_0=5 T_mult=2 fractional epochs", lambda L, o: L.CosineAnnealingWarmRestarts(o, 5, 2, eta_min=1e-3),
         epoch=lambda t: (t + 1) * 0.37),
    Case("CAWR T_0=7 fractional then step()", lambda L, o: L.CosineAnnealingWarmRestarts(o, 7, eta_min=0),
         epoch=lambda t: (t + 1) / 3 if t < 100 else None),  # step() then continues with a fractional T_cur
    Case("CyclicLR triangular", lambda L, o: L.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=7)),
    Case("CyclicLR triangular2 down=3 adam", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 5, 3, mode="triangular2"),
         opt="adam"),
    Case("CyclicLR exp_range lists", lambda L, o: L.CyclicLR(o, [0.01, 0.001], [0.1, 0.05], 6, 9, mode="exp_range",
                                                             gamma=0.99, base_momentum=[0.8, 0.85],
                                                             max_momentum=[0.9, 0.95])),
    Case("CyclicLR exp_range adam", lambda L, o: L.CyclicLR(o, 0.001, 0.01, 4, mode="exp_range", gamma=0.995),
         opt="adam"),
    Case("CyclicLR scale_fn function cycle", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, mode="bogus",
                                                                     scale_fn=decay_095)),
    Case("CyclicLR scale_fn object iterations", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 3, 5, scale_fn=Warmup(20),
                                                                        scale_mode="iterations")),
    Case("CyclicLR no cycle_momentum", lambda L, o: L.CyclicLR(o, 0.01, 0.1, 4, cycle_momentum=False),
         opt="adagrad"),
    Case("CyclicLR after StepLR (initial_lr kept)", lambda L, o: (L.StepLR(o, 3), L.CyclicLR(o, 0.01, 0.1, 5))[1]),
    Case("OneCycleLR cos", lambda L, o: L.OneCycleLR(o, [0.1, 0.2], total_steps=STEPS)),
    Case("OneCycleLR linear adam epochs", lambda L, o: L.OneCycleLR(o, 0.1, epochs=20, steps_per_epoch=10,
                                                                    anneal_strategy="linear"), opt="adam"),
    Case("OneCycleLR cos three_phase lists", lambda L, o: L.OneCycleLR(o, [0.1, 0.05], STEPS, three_phase=True,
                                                                       base_momentum=[0.8, 0.85],
                                                                       max_momentum=[0.9, 0.99])),
    Case("OneCycleLR linear three_phase adam", lambda L, o: L.OneCycleLR(
        o, 0.1, STEPS, pct_start=0.25, anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0,
        three_phase=True), opt="adam"),
    Case("OneCycleLR no cycle_momentum", lambda L, o: L.OneCycleLR(o, 0.1, STEPS, pct_start=0.0,
                                                                   cycle_momentum=False), opt="adagrad"),
    Case("Plateau min rel", lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=3), metrics=M),
    Case("Plateau min abs", lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=3, threshold=4e-4,
                                                             threshold_mode="abs"), metrics=M),
    Case("Plateau cooldown", lambda L, o: L.ReduceLROnPlateau(o, factor=0.7, patience=1, cooldown=4), metrics=M),
    Case("Plateau min_lr floors", lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=0, min_lr=[0.05, 1e-3]),
         metrics=FLAT),
    Case("Plateau scalar min_lr", lambda L, o: L.ReduceLROnPlateau(o, factor=0.3, patience=2, min_lr=0.01),
         metrics=FLAT),
    Case("Plateau eps suppresses", lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=0, eps=0.01),
         metrics=FLAT),
    Case("Plateau max rel", lambda L, o: L.ReduceLROnPlateau(o, "max", 0.5, 2, threshold=1e-3), metrics=ACC),
    Case("Plateau max abs cooldown", lambda L, o: L.ReduceLROnPlateau(o, "max", 0.5, 4, threshold=0.012,
                                                                      threshold_mode="abs", cooldown=2),
         metrics=ACC),
    Case("Plateau min abs below the threshold", lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=0,
                                                                               threshold=1e-3, threshold_mode="abs"),
         metrics=M),  # M improves by 5e-4 steps: never by the threshold
    Case("Plateau max rel at the threshold exactly", lambda L, o: L.ReduceLROnPlateau(o, "max", 0.9, 0,
                                                                                      threshold=0.5), metrics=GROW),
    Case("Sequential warmup cosine", lambda L, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=5),
                                                                     L.CosineAnnealingLR(o, T_max=30)], [5])),
    Case("Sequential 3: constant CAWR exponential", lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, 4), L.CosineAnnealingWarmRestarts(o, 7), L.ExponentialLR(o, 0.97)], [5, 40])),
    Case("Sequential 3: exponential step multistep", lambda L, o: L.SequentialLR(
        o, [L.ExponentialLR(o, 0.9), L.StepLR(o, 7, 0.5), L.MultiStepLR(o, [60, 80], 0.3)], [10, 50])),
    Case("Sequential linear onecycle", lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, 0.5, total_iters=10), L.OneCycleLR(o, 0.2, total_steps=STEPS)], [20])),
    Case("Sequential milestone 0", lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ExponentialLR(o, 0.95)],
                                                               [0])),
    Case("Sequential milestone 1", lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ExponentialLR(o, 0.95)],
                                                               [1])),
    Case("Sequential 4: restarts read their own milestone", lambda L, o: L.SequentialLR(
        o, [L.ConstantLR(o, 0.5, 2), L.ExponentialLR(o, 0.9), L.StepLR(o, 2), L.LinearLR(o, 1.0, 0.5, 4)], [3, 6, 9])),
    Case("Sequential nested chain", lambda L, o: L.SequentialLR(
        o, [L.ChainedScheduler([L.LinearLR(o, 0.2, total_iters=8), L.ExponentialLR(o, 0.98)]),
            L.StepLR(o, 5)], [30])),
    Case("Chained linear exponential", lambda L, o: L.ChainedScheduler([L.LinearLR(o, 0.1, total_iters=5),
                                                                        L.ExponentialLR(o, 0.97)])),
    Case("Chained one", lambda L, o: L.ChainedScheduler([L.ExponentialLR(o, 0.9)])),
    Case("Chained 3 with optimizer", lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, 0.25, 6), L.CosineAnnealingLR(o, 12), L.MultiplicativeLR(o, decay_095)], optimizer=o)),
    Case("Chained cyclic exponential adam", lambda L, o: L.ChainedScheduler(
        [L.CyclicLR(o, 0.001, 0.01, 5), L.ExponentialLR(o, 0.99)]), opt="adam"),
    Case("Chained sequential", lambda L, o: L.ChainedScheduler(
        [L.SequentialLR(o, [L.LinearLR(o, 0.3, total_iters=4), L.StepLR(o, 6)], [4]), L.ExponentialLR(o, 0.99)])),
]


def _run(case: Case, sched, opt, start: int, stop: int) -> list[tuple]:
    """Steps start..stop-1: optimizer step then scheduler step; (get_last_lr, groups) after each."""
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step(epoch)'s deprecation: tested in test_lr_scheduler_errors.py
        for t in range(start, stop):
            opt.step()
            if case.metrics is not None:
                sched.step(case.metrics[t])
            elif case.epoch is not None and case.epoch(t) is not None:
                sched.step(case.epoch(t))
            else:
                sched.step()
            assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups], "get_last_lr is the groups' lr"
            out.append((list(sched.get_last_lr()), groups(opt)))
    return out


def _build(case: Case, lib: Lib):
    opt = lib.opt(case.opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a nested ChainedScheduler steps before optimizer.step(): warns alike
        return case.build(lib.L, opt), opt


def _resumed(case: Case, saved_by: Lib, loaded_by: Lib) -> list[tuple]:
    """Run ``saved_by`` to step 70, save optimizer and scheduler, load both into a fresh ``loaded_by`` pair (built
    first, as torch advises), and continue to the end."""
    sched, opt = _build(case, saved_by)
    _run(case, sched, opt, 0, RESUME_AT)
    opt_state, sched_state = copy.deepcopy(opt.state_dict()), copy.deepcopy(sched.state_dict())
    sched2, opt2 = _build(case, loaded_by)
    opt2.load_state_dict(opt_state)
    sched2.load_state_dict(sched_state)
    return _run(case, sched2, opt2, RESUME_AT, STEPS)


def _assert_same(label: str, got: list[tuple], want: list[tuple]) -> None:
    np.testing.assert_array_equal([lr for lr, _ in got], [lr for lr, _ in want], err_msg=f"{label}: lrs")
    for t, ((_, g), (_, w)) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"{label}: groups (lr, momentum, betas, ...) differ at step {t}: {g} != {w}"


def check(case: Case) -> None:
    """The whole comparison of one case with torch (module docstring)."""
    (ss, so), (ts, to) = _build(case, SCRATCH), _build(case, TORCH)
    assert ss.state_dict() == ts.state_dict(), "state_dict after construction"
    assert groups(so) == groups(to), "groups after construction"
    assert ss.get_last_lr() == ts.get_last_lr()
    got, want = _run(case, ss, so, 0, STEPS), _run(case, ts, to, 0, STEPS)
    _assert_same("sequence", got, want)
    assert len({tuple(lr) for lr, _ in got}) > 3, "the schedule must move for the comparison to mean something"
    assert ss.state_dict() == ts.state_dict(), "state_dict after 200 steps"
    for saved_by, loaded_by in ((SCRATCH, SCRATCH), (TORCH, SCRATCH), (SCRATCH, TORCH)):
        _assert_same(f"resumed at {RESUME_AT}", _resumed(case, saved_by, loaded_by), want[RESUME_AT:])


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_schedule_matches_torch(case: Case) -> None:
    check(case)


def test_plateau_cases_reduce_cool_down_and_floor() -> None:
    """The metric sequences exercise what they are meant to (so the bitwise comparison covers those branches)."""
    def lrs(label_or_case):
        case = label_or_case if isinstance(label_or_case, Case) else next(c for c in CASES if c.label == label_or_case)
        sched, opt = _build(case, SCRATCH)
        return [lr for lr, _ in _run(case, sched, opt, 0, STEPS)]

    assert lrs("Plateau min rel") != lrs("Plateau min abs"), "rel and abs thresholds must differ on M"
    case = next(c for c in CASES if c.label == "Plateau max abs cooldown")
    rel = Case("rel", lambda L, o: L.ReduceLROnPlateau(o, "max", 0.5, 4, threshold=0.012, cooldown=2), metrics=ACC)
    assert lrs(case) != lrs(rel), "and on ACC"
    floors = lrs("Plateau min_lr floors")
    assert floors[-1] == [0.05, 1e-3] and floors[3] != floors[-1]
    eps = lrs("Plateau eps suppresses")[-1]
    assert eps[0] > 0.01 and eps[1] == 0.015, "reductions smaller than eps are skipped (0.015 - 0.0075 < 0.01)"
    cooled = lrs("Plateau cooldown")
    changes = [t for t in range(1, STEPS) if cooled[t] != cooled[t - 1]]
    assert min(b - a for a, b in zip(changes, changes[1:], strict=False)) >= 4 + 2, "cooldown + patience + 1"


def test_plateau_max_rel_with_negative_metrics_never_reduces() -> None:
    """torch's rel threshold in mode 'max' is ``a > best * (1 + threshold)``: for a negative best that bound lies BELOW
    best, so a flat (or slightly worse) metric counts as an improvement and the lr is never reduced. As torch."""
    metrics = [-m for m in M]
    for lib in (SCRATCH, TORCH):
        opt = lib.opt()
        sched = lib.L.ReduceLROnPlateau(opt, "max", 0.5, patience=2)
        for m in metrics:
            opt.step()
            sched.step(m)
        state = sched.state_dict()
        assert sched.get_last_lr() == list(LRS) and state["best"] == metrics[-1] and state["num_bad_epochs"] == 0
