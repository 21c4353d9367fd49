"""Optimizer trajectories, scratch.optim vs torch.optim: 100 steps from the same start, every entry of
tests/optim_catalog.py (optimizer x hyper-parameter branch, with and without a scheduler).

Analytic landscapes (McCormick, Rosenbrock, an ill-conditioned quadratic) in two styles:
- 'own' (each optimizer's base entry): each side computes its own gradient (numpy formula vs torch autograd), so
  the landscape feeds any difference back;
- 'shared': both sides get the bitwise identical gradient sequence (the numpy gradient along scratch's path),
  plus a second parameter whose gradient is None every third step (torch then skips it: no decay, no state,
  no step count); Adafactor gets a 0-d, a 1-d and a 3-d one (EXTRA_SHAPES), Muon a 2-d one.
And the block catalog's MLP, where scratch's backward feeds the scratch optimizer and torch autograd feeds
torch.optim. Compared every step: all parameters, the lr of every group (bitwise), the final optimizer state.

Measured (torch 2.13 CPU, 1 thread): float64 worst 2.9e-14 absolute (1e-13 relative; Adafactor 1.4e-13 and
3.3e-11, Muon 8.9e-16); float32 worst 9.5e-6 (own gradients, on one machine; 2.2e-5 on another, hence
OWN_SLACK_REASON), 1.1e-6 (shared, Adafactor; Muon bitwise), 4.5e-7 (MLP) -- see the tolerances in
tests/optim_catalog.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import DTYPES
from tests.optim_catalog import (
    EXTRA_SHAPES,
    LANDSCAPES,
    MLP_ONLY_CASES,
    OPT_CASES,
    OWN_SLACK_REASON,
    STATE_TOL32,
    TRAJ_TOL32,
    TRAJ_TOL64,
    run_landscapes,
    run_mlp,
)
from tests.tolerances import Tol, assert_close, float32_slack


def assert_exact(actual, expected, *, block: str, check: str) -> None:
    """Bitwise equality, recorded in the audit (atol 1e-300: any difference fails, equality shows 'exact')."""
    np.testing.assert_array_equal(actual, expected, err_msg=f"[{block} / {check}]")
    assert_close(actual, expected, block=block, check=check, dtype=np.float64,
                 tol=Tol(rtol=0.0, atol=1e-300, reason="bitwise: the same Python-float recursion as torch"))

# float32 MLP runs: one entry per optimizer class and scheduler (float64 runs every entry); keeps the suite lean.
# No Muon entry: its Newton-Schulz input is rounded to bfloat16 (8 bits), and where each side's float32 backward
# differs in a last bit across a bfloat16 rounding boundary the update moves by 2^-8 of itself; measured on the
# MLP: up to 2.8e-2 apart in 100 steps (Muon, Muon[weight_decay]), 1.5e-7 where no boundary is crossed. With the
# same gradients the float32 runs are bitwise equal (the 'shared' landscapes: 0 difference); float64 runs all.
MLP_FLOAT32 = {"SGD[StepLR]", "Adagrad[ExponentialLR]", "RMSprop[centered,momentum]", "Adam[weight_decay,amsgrad]",
               "Adam[MultiStepLR]", "AdamW[maximize]", "RMSprop[CosineAnnealingLR]", "Adafactor[d]"}


def _state_tol(dtype) -> Tol:
    return TRAJ_TOL64 if dtype == np.float64 else STATE_TOL32


def compare_states(s: dict, r: dict, block: str, check: str, dtype, tol: Tol) -> None:
    """Optimizer state_dicts: identical groups (hyper-parameters, lr, initial_lr), same state keys per
    parameter index, 'step' exactly equal (0-d float32), every state array close."""
    assert s["param_groups"] == r["param_groups"], f"{block}: param_groups differ:\n{s['param_groups']}\n" \
                                                   f"torch: {r['param_groups']}"
    assert s["state"].keys() == r["state"].keys(), f"{block}: state indices {list(s['state'])} vs torch " \
                                                   f"{list(r['state'])}"
    for i, st in s["state"].items():
        assert list(st) == list(r["state"][i]), f"{block}: state[{i}] keys {list(st)} vs torch {list(r['state'][i])}"
        for k, v in st.items():
            if k == "step":
                assert v.dtype == r["state"][i][k].dtype == np.float32 and v == r["state"][i][k], (k, v)
            else:
                assert_close(v, r["state"][i][k], block=block, check=f"{check}/state[{k}]", dtype=dtype, tol=tol)


# 'shared' runs every entry: with bitwise identical gradients it is the check of every hyper-parameter branch
# (a wrong branch changes the update, whatever the gradient). 'own' runs each optimizer's base entry: what it
# adds is the landscapes' gradient formulas (numpy vs autograd) and their rounding fed back through the
# optimizer, which does not depend on the branch; on all 79 entries it took ~45% of this file's time.
OWN_CASES = [c for c in OPT_CASES if "[" not in str(c)]
RUNS = [pytest.param(c, style, dt, id=f"{c}-{style}-{np.dtype(dt).name}") for dt in DTYPES
        for style, cases in (("own", OWN_CASES), ("shared", OPT_CASES)) for c in cases]


@pytest.mark.parametrize(("case", "style", "dtype"), RUNS)
def test_landscape_trajectory(case, style, dtype):
    """All landscapes in one optimizer (a parameter group each, with its own lr), 100 steps."""
    s = run_landscapes(case, style, dtype, "scratch")
    r = run_landscapes(case, style, dtype, "torch", given=s["grads"] if style == "shared" else None)
    tol = TRAJ_TOL64 if dtype == np.float64 else TRAJ_TOL32
    names = s["names"]
    slacks = [None] * len(names)
    if dtype == np.float32 and style == "own":  # chaos amplifies ulps: allow torch's own float32 error (4x)
        truth = run_landscapes(case, style, np.float64, "torch")["traj"]
        slacks = [float32_slack(e, t) for e, t in zip(r["traj"], truth, strict=True)]
        tol = Tol(tol.rtol, tol.atol, OWN_SLACK_REASON)
    for name, a, e, slack in zip(names, s["traj"], r["traj"], slacks, strict=True):
        assert np.isfinite(a).all(), f"{case} diverged on {name}: the comparison would be vacuous"
        assert_close(a, e, block=case.block, check=f"trajectory/{name}/{style}", dtype=dtype, tol=tol, slack=slack)
    assert_exact(s["lrs"], r["lrs"], block=case.block, check="lr schedule")
    # float32 'own': the states hold GRADIENT sums, and an ulp in a position becomes Hessian (~1e3 on
    # Rosenbrock) times larger in the gradient; the trajectories above already bound that run.
    if dtype == np.float64 or style == "shared":
        compare_states(s["state"], r["state"], case.block, style, dtype, _state_tol(dtype))
    # Not vacuous: every landscape is descended (maximize entries ascend -f).
    for ls, traj in zip(LANDSCAPES, s["traj"][:len(LANDSCAPES)], strict=True):
        assert ls.f_np(traj[-1].astype(np.float64)).sum() < ls.f_np(ls.x0).sum(), f"{case} did not descend {ls.name}"


# The MLP (each side's own backward, as 'own' above): every optimizer's base entry, every Adafactor and Muon branch
# (they act on a matrix's shape: factored second moments, the Newton-Schulz orthogonalization) and the schedules
# that only run here; the other branches are checked with shared gradients on the landscapes.
MLP_CASES = [c for c in OPT_CASES if "[" not in str(c) or c.optimizer in ("Adafactor", "Muon")] + MLP_ONLY_CASES
MLP_RUNS = [pytest.param(c, np.float64, id=f"{c}-float64") for c in MLP_CASES] + [
    pytest.param(c, np.float32, id=f"{c}-float32") for c in OPT_CASES if c.name in MLP_FLOAT32]


@pytest.mark.parametrize(("case", "dtype"), MLP_RUNS)
def test_mlp_trajectory(case, dtype):
    s, r = run_mlp(case, dtype)
    tol = TRAJ_TOL64 if dtype == np.float64 else TRAJ_TOL32
    assert s["traj"].keys() == r["traj"].keys()
    for name in s["traj"]:
        assert_close(s["traj"][name], r["traj"][name], block=case.block, check=f"trajectory/mlp[{name}]",
                     dtype=dtype, tol=tol)
    assert_exact(s["lrs"], r["lrs"], block=case.block, check="lr schedule")
    compare_states(s["state"], r["state"], case.block, "mlp", dtype, _state_tol(dtype))
    moved = max(np.abs(v[-1] - v[0]).max() for v in s["traj"].values())
    assert moved > 1e-2, f"{case}: the MLP barely moved ({moved:.2g}); the comparison would be weak"


def test_catalog_covers_every_branch():
    """Every optimizer x every branch of the issue appears, each scheduler at least once, maximize for all."""
    import scratch.optim

    branches = {"SGD": {"momentum", "dampening", "nesterov", "weight_decay", "maximize"},
                "Adagrad": {"lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize"},
                "RMSprop": {"alpha", "eps", "weight_decay", "momentum", "centered", "maximize"},
                "Adam": {"betas", "eps", "weight_decay", "amsgrad", "maximize"},
                "AdamW": {"weight_decay", "amsgrad", "maximize"},
                "Adafactor": {"beta2_decay", "eps", "d", "weight_decay", "maximize"},
                "Muon": {"nesterov", "momentum", "ns_coefficients", "ns_steps", "adjust_lr_fn", "weight_decay"}}
    for opt, wanted in branches.items():
        cases = [c for c in OPT_CASES if c.optimizer == opt]
        covered = set().union(*(c.kwargs for c in cases))
        assert wanted <= covered, f"{opt}: branches {wanted - covered} missing from the catalog"
        assert any(c.scheduler for c in cases) and any(not c.scheduler for c in cases), opt
        assert hasattr(scratch.optim, opt)
    assert {repr(c.kwargs["adjust_lr_fn"]) for c in OPT_CASES if "adjust_lr_fn" in c.kwargs} == {
        "'original'", "'match_rms_adamw'"}, "Muon: both adjust_lr_fn values (None is the default entry's)"
    assert any(c.kwargs.get("eps", (None,))[0] is not None for c in OPT_CASES if c.optimizer == "Adafactor"), \
        "Adafactor: an entry with eps1 given (the default entries take finfo(dtype).eps)"
    assert {len(s) for s in EXTRA_SHAPES["Adafactor"]} | {2} == {0, 1, 2, 3}, "Adafactor: 0-d to 3-d parameters"
    scheds = {c.scheduler[0] for c in OPT_CASES + MLP_ONLY_CASES if c.scheduler}
    assert scheds == {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
                      "CyclicLR", "OneCycleLR"}
