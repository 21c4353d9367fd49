"""scratch.optim's API vs torch.optim: signatures, invalid hyper-parameters (same class AND message), parameter
handling, None gradients, zero_grad, closures, state_dict layout, resuming from a checkpoint (own and cross-
loaded from torch), maximize, param groups."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.harness import assert_same_outcome, outcome
from tests.optim_catalog import OPT_CASES, TRAJ_TOL64, OptCase, build, param_shape
from tests.tolerances import assert_close

OPTIMIZERS = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "Adadelta", "NAdam", "RAdam", "ASGD", "Rprop",
              "Adafactor", "Muon"]


def _torch_param(x: np.ndarray) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.from_numpy(x.copy()))


def _pairs(shapes=((4, 3), (5,)), seed=0, dtype=np.float64, optimizer: str = ""):
    """Scratch and torch parameters with the same values; shapes made 2-d for a 2-d-only ``optimizer`` (Muon)."""
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(param_shape(optimizer, s)).astype(dtype) for s in shapes]
    return [Parameter(x.copy()) for x in xs], [_torch_param(x) for x in xs]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_signature_matches_torch(name):
    """Same parameter names, order, kinds and defaults as torch.optim (annotations aside); the twins too."""
    def sig(cls):
        return [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]

    torch_sig = sig(getattr(torch.optim, name))
    assert sig(getattr(scratch.optim, name)) == torch_sig
    assert sig(getattr(reference.optim, name)) == torch_sig


BAD_HYPER = [
    ("SGD", {"lr": -1}), ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1e-3}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("SGD", {"lr": float("nan")}),  # accepted by SGD (lr < 0 is False for NaN) ...
    ("Adam", {"lr": float("nan")}),  # ... rejected by Adam (not 0 <= NaN)
    ("Adagrad", {"lr": -1}), ("Adagrad", {"lr_decay": -1}), ("Adagrad", {"weight_decay": -1}),
    ("Adagrad", {"initial_accumulator_value": -1}), ("Adagrad", {"eps": -1}),
    ("RMSprop", {"lr": -1}), ("RMSprop", {"alpha": -0.1}), ("RMSprop", {"eps": -1}), ("RMSprop", {"momentum": -1}),
    ("RMSprop", {"weight_decay": -1}), ("RMSprop", {"alpha": 1.5}),  # alpha > 1 is accepted by torch
    ("Adam", {"lr": -1}), ("Adam", {"eps": -1}), ("Adam", {"betas": (1.0, 0.999)}), ("Adam", {"betas": (0.9, 1.0)}),
    ("Adam", {"betas": (0.9, np.float32(0.99))}), ("Adam", {"betas": (np.float32(0.9), 0.99)}),  # not both floats
    ("Adam", {"betas": (-0.1, 0.999)}), ("Adam", {"weight_decay": -1}), ("Adam", {"betas": (0, 0.9)}),
    ("AdamW", {"lr": -1}), ("AdamW", {"betas": (0.9, 1.5)}), ("AdamW", {"weight_decay": -0.01}),
    ("Adamax", {"lr": -1}), ("Adamax", {"eps": -1}), ("Adamax", {"betas": (1.0, 0.999)}),
    ("Adamax", {"betas": (0.9, -0.1)}), ("Adamax", {"weight_decay": -1}), ("Adamax", {"lr": float("nan")}),
    ("Adadelta", {"lr": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"rho": -0.1}), ("Adadelta", {"eps": -1}),
    ("Adadelta", {"weight_decay": -1}), ("Adadelta", {"rho": 1.0}),  # rho = 1 is accepted by torch
    ("NAdam", {"lr": -1}), ("NAdam", {"momentum_decay": -1}), ("NAdam", {"betas": (0.9, 1.0)}),
    ("NAdam", {"eps": -1}), ("NAdam", {"weight_decay": -1}),
    ("RAdam", {"lr": -1}), ("RAdam", {"betas": (1.0, 0.9)}), ("RAdam", {"eps": -1}), ("RAdam", {"weight_decay": -1}),
    ("ASGD", {"lr": -1}), ("ASGD", {"weight_decay": -1}), ("ASGD", {"lambd": -1}),  # a negative lambd is accepted
    ("Rprop", {"lr": -1}), ("Rprop", {"etas": (1.0, 1.2)}), ("Rprop", {"etas": (0.5, 1.0)}),
    ("Rprop", {"etas": (0.0, 1.2)}),
    ("Adafactor", {"lr": -1}), ("Adafactor", {"lr": float("nan")}), ("Adafactor", {"beta2_decay": 0.5}),
    ("Adafactor", {"beta2_decay": 0.0}), ("Adafactor", {"eps": (-1e-3, 1e-3)}), ("Adafactor", {"eps": (None, -1)}),
    ("Adafactor", {"eps": (0.0, 0.0)}), ("Adafactor", {"d": 0.5}), ("Adafactor", {"d": 1.0}),  # d = 1 accepted
    ("Adafactor", {"weight_decay": -1}),
    ("Muon", {"lr": -1}), ("Muon", {"momentum": -0.1}), ("Muon", {"weight_decay": -1}),
    ("Muon", {"adjust_lr_fn": "rms"}), ("Muon", {"lr": float("nan")}),
    ("Muon", {}),  # valid hyper-parameters: torch then rejects the 1-d parameter of _pairs() (its message)
]


@pytest.mark.parametrize(("name", "kwargs"), BAD_HYPER, ids=lambda v: str(v))
def test_invalid_hyper_parameters_like_torch(name, kwargs):
    ps, pt = _pairs()
    got = outcome(lambda: getattr(scratch.optim, name)(ps, **kwargs))
    want = outcome(lambda: getattr(torch.optim, name)(pt, **kwargs))
    assert_same_outcome(f"{name}({kwargs})", got, want)
    if want[0] == "raise":
        assert str(got[1]) == str(want[1]), f"message {got[1]!r} vs torch {want[1]!r}"


def _bad_params(kind: str, side: str):
    ps, pt = _pairs()
    p, q = (ps if side == "s" else pt)
    return {"empty": lambda: [], "single": lambda: p, "set": lambda: [{"params": {p}}],
            "not a param": lambda: [np.zeros(3) if side == "s" else 3.0],
            "two groups": lambda: [{"params": [p]}, {"params": [p, q]}],
            "names mixed": lambda: [("a", p), q]}[kind]()


@pytest.mark.parametrize("kind", ["empty", "single", "set", "not a param", "two groups", "names mixed"])
def test_invalid_params_like_torch(kind):
    got = outcome(lambda: scratch.optim.SGD(_bad_params(kind, "s"), lr=0.1))
    want = outcome(lambda: torch.optim.SGD(_bad_params(kind, "t"), lr=0.1))
    assert_same_outcome(kind, got, want)


def test_duplicate_params_warn_like_torch():
    ps, pt = _pairs()
    for opt, p in ((scratch.optim.SGD, ps[0]), (torch.optim.SGD, pt[0])):
        with pytest.warns(UserWarning, match="duplicate parameters"):
            opt([p, p], lr=0.1)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    ps, _ = _pairs()
    opt = scratch.optim.Adam(ps)
    ps[0].grad = np.full_like(ps[0].data, 0.25)  # any value: only its reset is checked
    held = ps[0].grad
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert ps[0].grad is None and ps[1].grad is None
    else:  # zeroed in place (torch's grad.zero_()), a None grad stays None
        assert ps[0].grad is held and not held.any() and ps[1].grad is None


@pytest.mark.parametrize("case", OPT_CASES, ids=str)
def test_none_grad_param_untouched_and_stateless(case):
    """A parameter without grad gets no decay, no state, no step count -- even AdamW's decay -- as torch."""
    ps, pt = _pairs(optimizer=case.optimizer)
    (so, _), (to, _) = build(case, ps, 0.1, "scratch"), build(case, pt, 0.1, "torch")
    g = np.random.default_rng(1).standard_normal((4, 3))
    ps[0].grad, pt[0].grad = g.copy(), torch.from_numpy(g.copy())
    x1 = ps[1].data.copy()
    so.step(), to.step()
    np.testing.assert_array_equal(ps[1].data, x1)
    sd_s, sd_t = so.state_dict(), to.state_dict()
    assert sd_s["state"].keys() == sd_t["state"].keys()
    assert {k: list(v) for k, v in sd_s["state"].items()} == {k: list(v) for k, v in sd_t["state"].items()}


def test_step_closure_returns_its_loss():
    ps, _ = _pairs()
    calls = []

    def closure():
        calls.append(1)
        ps[0].grad = np.full_like(ps[0].data, 0.25)  # any value: the closure's call and return are checked
        return 3.5

    assert scratch.optim.SGD(ps, lr=0.1).step(closure) == 3.5 and calls == [1]


def test_float32_stays_float32_with_numpy_float64_hyper_parameters():
    """NEP 50: a np.float64 lr would promote float32 updates; hyper-parameters are used as Python floats."""
    ps, _ = _pairs(dtype=np.float32)
    for cls in OPTIMIZERS:
        extra = {"momentum": np.float64(0.9)} if cls in ("SGD", "RMSprop") else {}
        decay = {} if cls == "Rprop" else {"weight_decay": np.float64(0.01)}  # Rprop has no weight decay
        opt = getattr(scratch.optim, cls)(ps[:1], lr=np.float64(0.1), **decay, **extra)
        ps[0].grad = np.ones((4, 3), np.float32)
        opt.step()
        assert ps[0].data.dtype == np.float32
        state = opt.state_dict()["state"][0]
        assert state and all(v.dtype == np.float32 for v in state.values()), cls


def test_grad_dtype_or_shape_mismatch_raises():
    ps, _ = _pairs()
    opt = scratch.optim.SGD(ps, lr=0.1)
    ps[0].grad = np.ones((4, 3), np.float32)
    with pytest.raises(RuntimeError, match="does not match"):
        opt.step()


def test_adagrad_state_created_at_construction_like_torch():
    ps, pt = _pairs()
    sd_s = scratch.optim.Adagrad(ps, initial_accumulator_value=0.25).state_dict()
    sd_t = reference.optim.Adagrad(pt, initial_accumulator_value=0.25).state_dict()
    assert sd_s["param_groups"] == sd_t["param_groups"]
    for i in (0, 1):
        assert list(sd_s["state"][i]) == list(sd_t["state"][i]) == ["step", "sum"]
        np.testing.assert_array_equal(sd_s["state"][i]["sum"], sd_t["state"][i]["sum"])
        step = sd_s["state"][i]["step"]
        assert step == sd_t["state"][i]["step"] == 0 and step.dtype == np.float32


def test_adamw_defaults_and_decoupled_flag_survives_load():
    ps, pt = _pairs()
    s, t = scratch.optim.AdamW(ps), reference.optim.AdamW(pt)
    assert s.param_groups[0]["weight_decay"] == t.param_groups[0]["weight_decay"] == 1e-2
    adam_sd = scratch.optim.Adam(_pairs()[0]).state_dict()
    s.load_state_dict(adam_sd), t.load_state_dict(adam_sd)
    assert s.param_groups[0]["decoupled_weight_decay"] is t.param_groups[0]["decoupled_weight_decay"] is True


def test_named_parameters_and_repr_like_torch():
    ps, pt = _pairs()
    s = scratch.optim.Adam([("w", ps[0]), ("b", ps[1])], lr=0.01)
    t = torch.optim.Adam([("w", pt[0]), ("b", pt[1])], lr=0.01)
    assert s.state_dict()["param_groups"] == t.state_dict()["param_groups"]
    assert repr(s) == repr(t)


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS  # Muon has no maximize (torch's neither)
                                  if "maximize" in inspect.signature(getattr(torch.optim, n)).parameters])
def test_maximize_is_minimize_of_the_negation(name):
    """maximize negates the gradient before anything else: bitwise the same run as minimizing -f."""
    case = OptCase(name, name, {} if name == "Rprop" else {"weight_decay": 0.05})  # Rprop has no weight decay
    runs = []
    for maximize, sign in ((False, 1.0), (True, -1.0)):
        (ps, _), rng = _pairs(), np.random.default_rng(3)
        opt = getattr(scratch.optim, name)(ps, lr=0.05, maximize=maximize, **case.kwargs)
        for _ in range(20):
            for p in ps:
                p.grad = sign * rng.standard_normal(p.data.shape)
            opt.step()
        runs.append([p.data for p in ps])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


# -- checkpoints ---------------------------------------------------------------------------------------------
def _run(case: OptCase, side: str, steps: range, start=None):
    """Noise-gradient run on two params (the second gets a grad every other step); optionally resumed from
    ``start = (params, optimizer state_dict, scheduler state_dict)``. Returns params, checkpoint at step 30."""
    rng = np.random.default_rng(7)
    shapes = [param_shape(case.optimizer, s) for s in ((4, 3), (5,))]
    grads = [tuple(rng.standard_normal(s) for s in shapes) for _ in range(60)]
    ps, pt = _pairs(optimizer=case.optimizer)
    params = ps if side == "scratch" else pt
    if start is not None:
        for p, x in zip(params, start[0], strict=True):
            p.data = torch.from_numpy(x.copy()) if side == "torch" else x.copy()
    opt, sched = build(case, params, 0.05, side)
    if start is not None:
        opt.load_state_dict(start[1])
        if sched is not None:
            sched.load_state_dict(start[2])
    checkpoint = None
    for t in steps:
        for p, g in zip(params, grads[t], strict=True):
            use = g if (t % 2 == 0 or g.shape == shapes[0]) else None
            if side == "scratch":
                p.grad = None if use is None else use.copy()
            else:
                p.grad = None if use is None else torch.from_numpy(use.copy())
        opt.step()
        if sched is not None:
            sched.step()
        if t == 29:
            checkpoint = ([np.array(p.data, copy=True) if side == "scratch" else p.detach().numpy().copy()
                           for p in params], opt.state_dict(), sched.state_dict() if sched else None)
    return [np.array(p.data if side == "scratch" else p.detach().numpy(), copy=True) for p in params], checkpoint


# torch's load_state_dict casts every floating state tensor but 'step' to its parameter's dtype: NAdam's float32
# 0-d mu_product comes back float64, so a resumed run (torch's own too) continues it in float64 and differs from
# the uninterrupted run in the last bits. scratch loads the same way: for these, every resumed run is compared with
# torch's own resumed run. (ASGD's float32 eta and mu are cast too, but torch rounds every new value to float32.)
RESUME_NOT_BITWISE = {"NAdam"}


@pytest.mark.parametrize("case", OPT_CASES, ids=str)
def test_resume_from_checkpoint_reproduces_the_run(case):
    """A run resumed from a step-30 checkpoint (optimizer + scheduler state_dict) reproduces the uninterrupted
    60-step run bitwise; checkpoints are copies (unchanged by later steps); a torch checkpoint (as numpy)
    resumes the torch run in scratch and a scratch checkpoint resumes the scratch run in torch."""
    full_s, ck_s = _run(case, "scratch", range(60))
    frozen = {i: {k: np.array(v, copy=True) for k, v in st.items()} for i, st in ck_s[1]["state"].items()}
    full_t, ck_t = _run(case, "torch", range(60))
    resumed_s, _ = _run(case, "scratch", range(30, 60), start=ck_s)
    if case.optimizer in RESUME_NOT_BITWISE:  # the reference is torch's own resumed run, not its uninterrupted one
        full_t = full_s = _run(case, "torch", range(30, 60), start=ck_t)[0]
    for a, b in zip(resumed_s, full_s, strict=True):
        if case.optimizer in RESUME_NOT_BITWISE:
            assert_close(a, b, block=case.block, check="resume", dtype=np.float64, tol=TRAJ_TOL64)
        else:
            np.testing.assert_array_equal(a, b)
    for i, st in frozen.items():
        for k, v in st.items():
            np.testing.assert_array_equal(ck_s[1]["state"][i][k], v, err_msg="checkpoint changed after save")
    for start, side, expected in ((ck_t, "scratch", full_t), (ck_s, "torch", full_s)):
        got, _ = _run(case, side, range(30, 60), start=start)
        for i, (a, e) in enumerate(zip(got, expected, strict=True)):
            assert_close(a, e, block=case.block, check=f"resume from the {'torch' if side == 'scratch' else 'scratch'}"
                         f" checkpoint[{i}]", dtype=np.float64, tol=TRAJ_TOL64)


def test_load_state_dict_errors_like_torch():
    ps, pt = _pairs()
    sd = scratch.optim.SGD([ps[0]], lr=0.1).state_dict()
    for got, want in (
        (outcome(lambda: scratch.optim.SGD(ps, lr=0.1).load_state_dict(sd)),
         outcome(lambda: reference.optim.SGD(pt, lr=0.1).load_state_dict(sd))),
        (outcome(lambda: scratch.optim.SGD([{"params": [ps[0]]}, {"params": [ps[1]]}], lr=0.1).load_state_dict(sd)),
         outcome(lambda: reference.optim.SGD([{"params": [pt[0]]}, {"params": [pt[1]]}], lr=0.1).load_state_dict(sd))),
    ):
        assert_same_outcome("load_state_dict", got, want)
        assert str(got[1]) == str(want[1])


def test_add_param_group_like_torch():
    ps, pt = _pairs()
    s, t = scratch.optim.SGD([ps[0]], lr=0.1, momentum=0.9), torch.optim.SGD([pt[0]], lr=0.1, momentum=0.9)
    s.add_param_group({"params": ps[1], "lr": 0.5})
    t.add_param_group({"params": pt[1], "lr": 0.5})
    assert s.state_dict()["param_groups"] == t.state_dict()["param_groups"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_outcome("re-add", outcome(lambda: s.add_param_group({"params": [ps[0]]})),
                            outcome(lambda: t.add_param_group({"params": [pt[0]]})))


# A group's own hyper-parameters at state creation (issue: Adagrad's group initial_accumulator_value). For every
# optimizer, every hyper-parameter it takes is set differently in a second group and in a group added later with
# add_param_group, and state_dicts are compared before the first step, after it and after two more.
GROUP_HYPERS = {
    "SGD": ({"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": False, "weight_decay": 0.01},
            {"lr": 0.05, "momentum": 0.5, "dampening": 0.0, "nesterov": True, "weight_decay": 0.0}),
    "Adagrad": ({"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.7, "eps": 1e-8},
                {"lr": 0.2, "lr_decay": 0.0, "initial_accumulator_value": 0.3, "eps": 1e-6, "weight_decay": 0.1}),
    "RMSprop": ({"lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5},
                {"lr": 0.02, "alpha": 0.8, "centered": False, "momentum": 0.0, "weight_decay": 0.1}),
    "Adam": ({"lr": 0.01, "betas": (0.8, 0.9), "amsgrad": True}, {"lr": 0.02, "betas": (0.7, 0.95), "eps": 1e-6}),
    "AdamW": ({"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True},
              {"lr": 0.02, "weight_decay": 0.0}),
    "Adamax": ({"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-4}, {"lr": 0.02, "weight_decay": 0.1}),
    "Adadelta": ({"lr": 0.5, "rho": 0.8, "eps": 1e-4}, {"lr": 2.0, "rho": 0.95, "weight_decay": 0.1}),
    "NAdam": ({"lr": 0.01, "momentum_decay": 0.01, "betas": (0.8, 0.9)},
              {"lr": 0.02, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    "RAdam": ({"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-4}, {"lr": 0.02, "weight_decay": 0.1,
                                                                  "decoupled_weight_decay": True}),
    "ASGD": ({"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 1}, {"lr": 0.02, "weight_decay": 0.1, "t0": 2}),
    "Rprop": ({"lr": 0.05, "etas": (0.3, 1.5)}, {"lr": 0.02, "step_sizes": (1e-3, 0.04)}),
    "Adafactor": ({"lr": 0.02, "beta2_decay": -0.5, "eps": (1e-3, 1e-2), "d": 1.5},
                  {"lr": 0.05, "weight_decay": 0.1, "maximize": True, "eps": (None, 0.1)}),
    "Muon": ({"lr": 0.01, "momentum": 0.8, "nesterov": False, "ns_steps": 3, "adjust_lr_fn": "original"},
             {"lr": 0.02, "weight_decay": 0.0, "ns_coefficients": (1.875, -1.25, 0.375), "eps": 1e-5,
              "adjust_lr_fn": "match_rms_adamw"}),
}


def _numpy_state(sd: dict) -> dict:
    return {k: {n: np.asarray(v.detach().numpy() if isinstance(v, torch.Tensor) else v) for n, v in st.items()}
            for k, st in sd["state"].items()}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_group_hyper_parameters_at_state_creation_like_torch(name):
    """torch 2.13's Adagrad fills every 'sum' with the CONSTRUCTOR's initial_accumulator_value, ignoring the
    group's (Adagrad([{'params': [a]}, {'params': [b], 'initial_accumulator_value': 0.7}], lr=0.1) gives b a zero
    sum); a group added later gets its state at its first step, from the same constructor value."""
    first, second = GROUP_HYPERS[name]
    (a, b, c), (ta, tb, tc) = _pairs(shapes=((3, 2), (4,), (2, 2)), optimizer=name)
    opts = [getattr(lib, name)([{"params": [x]}, {"params": [y], **first}], lr=0.1)
            for lib, x, y in ((scratch.optim, a, b), (reference.optim, ta, tb))]
    for opt, z in zip(opts, (c, tc), strict=True):
        opt.add_param_group({"params": [z], **second})
    rng = np.random.default_rng(3)
    for step in range(4):
        sds = [o.state_dict() for o in opts]
        assert sds[0]["param_groups"] == sds[1]["param_groups"]
        states = [_numpy_state(sd) for sd in sds]
        assert list(states[0]) == list(states[1]), f"step {step}: state keys {list(states[0])} vs {list(states[1])}"
        for k in states[0]:
            for n in states[1][k]:
                assert_close(states[0][k][n], states[1][k][n], block=name, check=f"group state {n}", tol=TRAJ_TOL64)
        for x, tx in ((a, ta), (b, tb), (c, tc)):
            assert_close(x.data, tx.detach().numpy(), block=name, check="group params", tol=TRAJ_TOL64)
            g = rng.standard_normal(x.shape)
            x.grad, tx.grad = g.copy(), torch.from_numpy(g.copy())
        for o in opts:
            o.step()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_asgd_average_is_the_parameter_itself_while_mu_is_1(dtype):
    """Before t0 steps mu is 1 and torch COPIES the parameter into ax (``ax.copy_(param)``): ax is the parameter
    bit for bit, where ``ax + (p - ax) * 1`` would be an ulp off in some elements. Then, after t0 (mu < 1), the
    average moves on its own."""
    ps, pt = _pairs(dtype=dtype)
    s, t = scratch.optim.ASGD(ps, lr=0.1, t0=3), torch.optim.ASGD(pt, lr=0.1, t0=3)
    rng = np.random.default_rng(1)
    seen = []
    for _ in range(7):
        for p, q in zip(ps, pt, strict=True):
            p.grad = rng.standard_normal(p.data.shape).astype(dtype)
            q.grad = torch.from_numpy(p.grad.copy())
        s.step()
        t.step()
        for p, q in zip(ps, pt, strict=True):
            same = np.array_equal(s.state[p]["ax"], p.data), torch.equal(t.state[q]["ax"], q.detach())
            assert same[0] == same[1], (len(seen), same)
            seen.append(same[0])
    assert seen[0] and not seen[-1], seen
