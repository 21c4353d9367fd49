"""LBFGS, scratch vs torch.optim.LBFGS, compared closure call by closure call.

Every entry runs a few ``step(closure)`` calls on both sides from the same start; checked: the number of
closure calls (iterations AND line-search trials) exactly, the point of every call, each step's returned loss,
and the whole state after every step (func_evals and n_iter exactly; d, t, H_diag, the (y, s, rho) history, the
two-loop buffer al, prev_flat_grad, prev_loss; Python number vs array kinds and dtypes as torch's). Entries cover
every branch: no line search and strong Wolfe (bracketing, zoom, the insufficient-progress rule, the budget
running out), history eviction, y.s <= 1e-10 (no curvature pair), every stopping rule, max_iter = 1 (no
re-evaluation on the last iteration), a None gradient, and the block catalog's MLP with each side's own backward.

Measured (float64, 'shared' gradients): worst 1.6e-12 absolute over every closure point (rosenbrock, strong
Wolfe, whose line search amplifies ulps of torch's vs numpy's dot products); see the envelope test for float32.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.harness import assert_same_outcome, outcome
from tests.lbfgs_problems import LBFGSCase, run
from tests.optim_catalog import OWN_SLACK_REASON, TRAJ_TOL32, TRAJ_TOL64
from tests.tolerances import Tol, assert_close, float32_slack

SW = {"line_search_fn": "strong_wolfe"}
CASES = [
    LBFGSCase("default/quadratic", "quadratic"),
    LBFGSCase("lr/rosenbrock", "rosenbrock", {"lr": 0.1}),
    LBFGSCase("history_size/rosenbrock", "rosenbrock", {"lr": 0.1, "history_size": 3, "max_iter": 15}),  # eviction
    LBFGSCase("strong_wolfe/rosenbrock", "rosenbrock", SW),
    LBFGSCase("strong_wolfe,history_size/quadratic", "quadratic", {**SW, "history_size": 2, "max_iter": 8}, steps=2),
    LBFGSCase("strong_wolfe,max_eval/rosenbrock", "rosenbrock", {**SW, "max_eval": 6}, steps=4),
    LBFGSCase("strong_wolfe,lr/quadratic", "quadratic", {**SW, "lr": 0.5, "max_iter": 8}),
    LBFGSCase("strong_wolfe/linear", "linear", {**SW, "max_iter": 3}),  # unbounded: the trial budget runs out
    LBFGSCase("linear", "linear", {"max_iter": 5}),  # y.s = 0: no pair stored, H_diag stays 1
    LBFGSCase("strong_wolfe/near", "near", {**SW, "max_iter": 6}, steps=2),  # first t = lr (|g|_1 < 1)
    LBFGSCase("max_iter=1/quadratic", "quadratic", {"max_iter": 1, "lr": 0.5}, steps=8),
    LBFGSCase("tolerance_grad/quadratic", "quadratic", {"tolerance_grad": 1e-2}, steps=3),  # optimal at a start
    LBFGSCase("tolerance_change/rosenbrock", "rosenbrock", {"tolerance_change": 1e-3, "lr": 0.1}),
    LBFGSCase("mlp", "mlp", {"max_iter": 8}, steps=2),
    LBFGSCase("mlp/strong_wolfe", "mlp", {**SW, "max_iter": 8}, steps=2),
]


# The state is compared looser than the points, for a measured reason: y (old_dirs) and s (old_stps) are
# differences of iterates and gradients that near convergence are ~1e-4 apart, known only to the points'
# absolute error (~1e-13), so y, s, and the ratios built from them (ro = 1/y.s, H_diag = y.s/y.y, the two-loop
# coefficients al) carry ~1e-9 relative error whatever the implementation; measured worst 6e-10 (al, default/
# quadratic) and 2e-10 (ro = 5.9e7, strong_wolfe/rosenbrock). Every state array is compared normwise (atol =
# rtol x its largest magnitude; the scalars of a list as one vector) at rtol 1e-8; the closure points, which a
# wrong formula moves, keep the trajectory tolerance (1e-10).
STATE_TOL64 = Tol(rtol=1e-8, atol=1e-12, reason="LBFGS state, normwise: differences of nearby iterates "
                                                "(measured worst 6e-10)")
STATE_REASON = STATE_TOL64.reason
# The MLP with each side's own backward: a last-bit difference in one GELU value (two float64 erf implementations,
# both within 1 ulp of math.erf, measured) moves the strong-Wolfe run's closure points by 4e-12 over its 16
# iterations; the landscapes' closed forms and the shared-gradient style keep TRAJ_TOL64.
MLP_OWN_TOL64 = Tol(rtol=TRAJ_TOL64.rtol, atol=2e-11, reason="LBFGS on the MLP, own gradients: 1 ulp in one GELU "
                                                               "value moves the points by 4e-12 (measured)")


def _block(case: LBFGSCase) -> str:
    return f"optim.LBFGS[{case.name}]"


def _is_array(v) -> bool:
    return isinstance(v, (np.ndarray, np.generic))


def _kinds(values: list, theirs: list, where: str) -> None:
    """Same None positions, Python-number vs array kinds, and dtypes as torch's."""
    assert len(values) == len(theirs), f"{where}: {len(values)} entries, torch has {len(theirs)}"
    for i, (a, e) in enumerate(zip(values, theirs, strict=True)):
        assert (a is None) == (e is None), f"{where}[{i}]: {a!r} vs torch {e!r}"
        assert _is_array(a) == _is_array(e), f"{where}[{i}]: {type(a).__name__} vs torch {type(e).__name__}"
        if _is_array(e):
            assert np.asarray(a).dtype == e.dtype, f"{where}[{i}]: dtype {np.asarray(a).dtype} vs torch {e.dtype}"


def compare_state(s: dict, r: dict, block: str, check: str, dtype, tol: Tol) -> None:
    """One LBFGS state (all on the first parameter, index 0) against torch's: same keys, exact counters, same
    kinds and dtypes, close values. Each key is compared as one array, normwise (STATE_REASON): a history list
    is stacked, the scalars ro and al into a vector."""
    assert s["param_groups"] == r["param_groups"], (s["param_groups"], r["param_groups"])
    assert list(s["state"]) == list(r["state"]) == [0], (list(s["state"]), list(r["state"]))
    ss, rs = s["state"][0], r["state"][0]
    assert sorted(ss) == sorted(rs), f"{block}: state keys {sorted(ss)} vs torch {sorted(rs)}"
    assert (ss["func_evals"], ss["n_iter"]) == (rs["func_evals"], rs["n_iter"]), (ss, rs)
    for key in sorted(set(ss) - {"func_evals", "n_iter"}):
        a, e = (ss[key], rs[key]) if isinstance(rs[key], list) else ([ss[key]], [rs[key]])
        _kinds(a, e, f"{block}: state[{key}]")
        a = [np.asarray(v, np.float64) for v in a if v is not None]
        e = [np.asarray(v, np.float64) for v in e if v is not None]
        if not e:
            continue
        a, e = np.stack(a), np.stack(e)
        scaled = Tol(tol.rtol, max(tol.atol, tol.rtol * float(np.abs(e).max())), STATE_REASON)
        assert_close(a, e, block=block, check=f"{check}/state[{key}]", dtype=dtype, tol=scaled, check_dtype=False)


def compare_runs(s: dict, r: dict, block: str, check: str, dtype, tol: Tol, state_tol: Tol = STATE_TOL64,
                 slack=None) -> None:
    assert len(s["evals"]) == len(r["evals"]), (
        f"{block}: {len(s['evals'])} closure calls, torch makes {len(r['evals'])}")
    assert_close(s["evals"], r["evals"], block=block, check=f"{check}/closure points", dtype=dtype, tol=tol,
                 slack=slack)
    assert_close(s["losses"], r["losses"], block=block, check=f"{check}/step losses", dtype=dtype, tol=tol)
    for t, (ss, rs) in enumerate(zip(s["states"], r["states"], strict=True)):
        compare_state(ss, rs, block, f"{check}/after step {t + 1}", dtype, state_tol)


# the MLP entries are own-backward runs by construction (no 'shared' gradient formula for a network)
# and the linear objective only 'shared': the strong-Wolfe cubic through a straight line is 0/0 (d2 = 0 and
# g2 - g1 = 0), so the last bit of f (numpy's vs torch's dot product) decides the branch
RUNS = [pytest.param(c, st, id=f"{c}-{st}") for c in CASES for st in ("shared", "own")
        if not (c.objective == "mlp" and st == "shared") and not (c.objective == "linear" and st == "own")]


@pytest.mark.parametrize(("case", "style"), RUNS)
def test_lbfgs_matches_torch_call_by_call(case, style):
    s = run(case, np.float64, "scratch", style)
    r = run(case, np.float64, "torch", style)
    tol = MLP_OWN_TOL64 if case.objective == "mlp" and style == "own" else TRAJ_TOL64
    compare_runs(s, r, _block(case), style, np.float64, tol)
    assert len(s["evals"]) >= 2 * case.steps or case.kwargs.get("max_iter") == 1, f"{case}: a short run"
    assert s["losses"][-1] < s["losses"][0], f"{case}: the loss did not decrease: {s['losses']}"


# Objectives left out of the float32 comparison, each for a measured reason (a test below proves it):
# 'linear' (the cubic's 0/0, above) and 'near', whose whole decrease (2e-6) is 1/30 of float32's resolution of f
# (ulp(597) = 6.1e-5): every line-search comparison after the first move is decided by rounding, so torch's
# float32 run itself leaves its float64 trajectory (8 closure calls to float64's 7 on a Xeon with AVX512).
FLOAT32_UNDECIDABLE = ("linear", "near")


def test_the_near_objective_cannot_be_resolved_in_float32():
    from tests.lbfgs_problems import _A, _B_NEAR, OBJECTIVES, X0

    f = OBJECTIVES["near"].f_np
    decrease = f(X0) - f(np.linalg.solve(_A, _B_NEAR))
    assert 0 < decrease < np.spacing(np.float32(abs(f(X0)))), decrease


@pytest.mark.parametrize("case", [c for c in CASES if c.objective not in FLOAT32_UNDECIDABLE], ids=str)
def test_lbfgs_float32_first_step_within_torchs_own_error(case):
    """float32, the first step (up to max_iter iterations): same closure calls, same state kinds and dtypes, points
    within TRAJ_TOL32 + 4x torch's own float32-vs-float64 deviation. Why only one step: torch's float32 dot
    product is neither numpy's nor a rounded float64 one (it differs from both in ~1/3 of random 5-vectors), and
    L-BFGS feeds that last bit back through y.s and the line search; over one step the counts still agree and
    scratch stays within 0.2-2.1x torch's own float32 error (measured; 4.4x once at max_iter 20 on Rosenbrock
    with strong Wolfe, inside the rule's atol)."""
    s = run(case, np.float32, "scratch", "own", steps=1)
    r = run(case, np.float32, "torch", "own", steps=1)
    truth = run(case, np.float64, "torch", "own", steps=1)
    assert len(s["evals"]) == len(r["evals"]) == len(truth["evals"]), (len(s["evals"]), len(r["evals"]))
    slack = float32_slack(r["evals"], truth["evals"])
    assert_close(s["evals"], r["evals"], block=_block(case), check="own/closure points", dtype=np.float32,
                 tol=Tol(TRAJ_TOL32.rtol, TRAJ_TOL32.atol, OWN_SLACK_REASON), slack=slack)
    ss, rs = s["states"][0]["state"][0], r["states"][0]["state"][0]
    assert (ss["func_evals"], ss["n_iter"]) == (rs["func_evals"], rs["n_iter"])
    for key in rs:
        theirs = rs[key] if isinstance(rs[key], list) else [rs[key]]
        _kinds(ss[key] if isinstance(rs[key], list) else [ss[key]], theirs, f"{case}: state[{key}]")


def _resume_case() -> LBFGSCase:
    return LBFGSCase("resume/strong_wolfe,history_size", "rosenbrock", {**SW, "history_size": 4, "max_iter": 6},
                     steps=4)


@pytest.mark.parametrize("first,second", [("scratch", "scratch"), ("scratch", "torch"), ("torch", "scratch")])
def test_lbfgs_resumes_from_a_state_dict(first, second):
    """Two steps on ``first``, its state_dict loaded into a fresh optimizer on ``second`` at the same point, two
    more steps: the closure points are those of the uninterrupted run (history, d, t and prev_flat_grad carry
    over; torch's lists of tensors load as lists of arrays and back)."""
    case = _resume_case()
    whole = run(case, np.float64, first, "shared")
    half = run(case, np.float64, first, "shared", steps=2)
    rest = run(case, np.float64, second, "shared", steps=2, load=half["states"][-1], start=half["final"])
    n_first = len(half["evals"])
    assert_close(rest["evals"], whole["evals"][n_first:], block="optim.LBFGS[resume]", check=f"{first}->{second}",
                 dtype=np.float64, tol=TRAJ_TOL64)
    ss, ws = rest["states"][-1]["state"][0], whole["states"][-1]["state"][0]
    assert (ss["func_evals"], ss["n_iter"]) == (ws["func_evals"], ws["n_iter"])


def test_lbfgs_state_dict_is_a_copy():
    case = _resume_case()
    p = [Parameter(np.array([-1.2, 1.0]))]
    opt = scratch.optim.LBFGS(p, **case.kwargs)

    def closure():
        x = p[0].data
        p[0].grad = np.array([-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] ** 2), 200 * (x[1] - x[0] ** 2)])
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    opt.step(closure)
    saved = opt.state_dict()
    kept = [np.array(v, copy=True) for v in saved["state"][0]["old_dirs"]]
    opt.step(closure)
    assert all(np.array_equal(a, b) for a, b in zip(saved["state"][0]["old_dirs"], kept, strict=True))
    assert saved["state"][0]["d"] is not opt.state[p[0]]["d"]


def test_lbfgs_finds_the_quadratics_minimizer():
    """Torch-free: on the quadratic 0.5 x'Ax - b'x (eigenvalues 1 to 1e3) strong-Wolfe L-BFGS reaches A^-1 b as
    closely as float64 can see: f(x* + e) - f(x*) = 0.5 e'Ae drops below f's rounding (2.2e-16 |f|, |f| = 3.47)
    once |e| < sqrt(2 * 2.2e-16 * 3.47 / 1) = 3.9e-8 along the flattest axis; there the line search can only return
    t = 0 (torch stalls at the same point: 1.1e-8 away)."""
    from tests.lbfgs_problems import _A, _B, OBJECTIVES

    obj = OBJECTIVES["quadratic"]
    p = Parameter(np.zeros(5))
    opt = scratch.optim.LBFGS([p], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-14)

    def closure():
        p.grad = obj.grad_np(p.data)
        return obj.f_np(p.data)

    for _ in range(3):
        opt.step(closure)
    assert np.abs(p.data - np.linalg.solve(_A, _B)).max() < 4e-8


def _one(side: str):
    return [Parameter(np.ones(2))] if side == "scratch" else [torch.nn.Parameter(torch.ones(2))]


BAD = {
    "negative lr": lambda ns, side: ns.LBFGS(_one(side), lr=-0.1),
    "2-element lr": lambda ns, side: ns.LBFGS(_one(side), lr=np.array([0.1, 0.2]) if side == "scratch"
                                              else torch.tensor([0.1, 0.2])),
    "two groups": lambda ns, side: ns.LBFGS([{"params": _one(side)}, {"params": _one(side), "lr": 0.1}]),
    "unknown line search": lambda ns, side: ns.LBFGS(_one(side), line_search_fn="armijo").step(
        _closure_for(side)),
    "no closure": lambda ns, side: ns.LBFGS(_one(side)).step(),
    "empty": lambda ns, side: ns.LBFGS([]),
}


def _closure_for(side: str):
    def closure():
        return 1.0
    return closure


@pytest.mark.parametrize("label", sorted(BAD))
def test_lbfgs_bad_arguments_like_torch(label):
    got = outcome(lambda: BAD[label](scratch.optim, "scratch"))
    expected = outcome(lambda: BAD[label](reference.optim, "torch"))
    assert_same_outcome(label, got, expected)
    if expected[0] == "raise" and label != "no closure":
        assert str(got[1]) == str(expected[1]), (str(got[1]), str(expected[1]))


def test_lbfgs_signature_and_defaults_match_torch():
    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    assert sig(scratch.optim.LBFGS) == sig(torch.optim.LBFGS) == sig(reference.optim.LBFGS)
    s = scratch.optim.LBFGS([Parameter(np.ones(2))], max_iter=8)
    t = torch.optim.LBFGS([torch.nn.Parameter(torch.ones(2))], max_iter=8)
    assert s.defaults == t.defaults  # max_eval = max_iter * 5 // 4 = 10
