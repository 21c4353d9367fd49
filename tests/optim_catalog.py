"""The optimizer table: one entry per optimizer x hyper-parameter branch, and the runners.

Each :class:`OptCase` is run on both sides (``scratch.optim`` and the ``reference.optim`` twins of torch.optim)
from the same start. Learning rates come from the landscape (a per-optimizer table), so an entry names only its
branch. ``maximize`` entries run on the NEGATED objective, so they still descend f and stay finite.

The landscapes (McCormick, Rosenbrock, an ill-conditioned quadratic) are in tests/optim_landscapes.py. The MLP
of the block catalog is run in tests/test_optim_trajectory.py; Muon (2-d parameters only) takes its weights,
AdamW its biases (MLP_REST)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from tests.optim_landscapes import LANDSCAPE_BY_NAME, LANDSCAPES, Landscape  # noqa: F401 (re-exported)
from tests.tolerances import SLACK_FACTOR, Tol

STEPS = 100

# float64: the same formulas in the same order on both sides; the differences are torch's fused multiply-adds
# and numpy's vs torch's sin/cos/matmul rounding (~1 ulp per step). Measured worst over every entry x landscape
# x style x the MLP: 2.9e-14 absolute, 1e-13 relative (Adagrad on Rosenbrock, own gradients); Adafactor 1.4e-13
# absolute, 3.3e-11 relative (own gradients on Rosenbrock, [beta2_decay] and [d]: RMS-normalized steps amplify
# the gradient formulas' last bits more), Muon 8.9e-16 (its update is a bfloat16 matrix emulated bit for bit).
TRAJ_TOL64 = Tol(rtol=1e-10, atol=1e-12, reason="float64 trajectory, 100 steps (atol: coordinates crossing 0)")
# float32 with each side's OWN gradient on an analytic landscape: numpy's and torch's float32 gradients differ by
# an ulp (different association of the same formula), and the landscape feeds that back each step (momentum and
# RMSprop's normalization amplify it). How far is chaos, not a formula: on one AMD EPYC (AVX2) machine scratch
# and torch differ by 2.2e-5 on Rosenbrock with RMSprop(alpha=0.9, eps=1e-4), where torch itself is 5.7e-6 from
# its float64 run and scratch 1.7e-5. So these runs use the suite's float32 rule: TRAJ_TOL32 plus SLACK_FACTOR x
# torch's own worst float32-vs-float64 deviation on the same trajectory (OWN_SLACK_REASON); measured worst 0.63 of
# that allowance (the case above), 0.21 next (SGD[nesterov] on McCormick), 0.18 for Adafactor ([d] on
# Rosenbrock), 0 for Muon (bitwise: the bfloat16 rounding of its Newton-Schulz input absorbs the ulps).
OWN_SLACK_REASON = f"float32 own gradients: TRAJ_TOL32 + {SLACK_FACTOR:g}x torch's float32-vs-float64 trajectory error"
# float32 with an identical gradient sequence (optimizer arithmetic only), and the MLP (each side's backward,
# where float32 matmul sums differ by an ulp): measured worst 1.1e-6 (shared: Adafactor[weight_decay] on McCormick;
# 4.8e-7 without Adafactor; Muon 0) and 4.5e-7 (MLP: Adafactor[d]) absolute (5.4e-7 for RMSprop[momentum], whose
# float32 MLP run is not in the default selection; Muon's float32 MLP is not run, see MLP_FLOAT32).
TRAJ_TOL32 = Tol(rtol=4e-6, atol=4e-6, reason="float32, 100 steps, shared gradients or MLP "
                                              "(measured worst 1.1e-6 abs)")
# float32 optimizer STATE after 100 steps (moments of gradients, buffers of normalized steps g/sqrt(v)): where
# a gradient element is a float32 sum that nearly cancels, its relative error is large and the normalization
# keeps it. Measured worst 2.3e-6 absolute (RMSprop[centered,momentum] momentum buffer on the MLP); Adafactor's
# factors of squared gradients up to ~1e6 (the quadratic): 4.9e-4 absolute, 5e-10 relative.
STATE_TOL32 = Tol(rtol=2e-5, atol=2e-5, reason="float32 optimizer state after 100 steps (measured worst 2.3e-6 abs)")


@dataclass(frozen=True)
class OptCase:
    name: str  # audit block "optim.<name>", e.g. "optim.Adam[amsgrad]"
    optimizer: str  # class name in scratch.optim and reference.optim
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    scheduler: tuple[str, Mapping[str, Any]] | None = None  # (class name in lr_scheduler, kwargs)

    @property
    def block(self) -> str:
        return f"optim.{self.name}"

    @property
    def sign(self) -> float:
        """Objective sign: maximize entries ascend -f."""
        return -1.0 if self.kwargs.get("maximize", False) else 1.0

    def __str__(self) -> str:
        return self.name


STEP = ("StepLR", {"step_size": 25, "gamma": 0.5})
MULTI = ("MultiStepLR", {"milestones": [20, 50, 50, 80], "gamma": 0.5})  # 50 twice: gamma**2 (Counter)
EXP = ("ExponentialLR", {"gamma": 0.98})
COS = ("CosineAnnealingLR", {"T_max": 30, "eta_min": 1e-4})  # passes the restart branch at t = 31, 91
WARM = ("CosineAnnealingWarmRestarts", {"T_0": 10, "T_mult": 2, "eta_min": 1e-5})

OPT_CASES: list[OptCase] = [
    OptCase("SGD", "SGD"),
    OptCase("SGD[momentum]", "SGD", {"momentum": 0.9}),
    OptCase("SGD[momentum,dampening]", "SGD", {"momentum": 0.9, "dampening": 0.5}),
    OptCase("SGD[nesterov]", "SGD", {"momentum": 0.9, "nesterov": True}),
    OptCase("SGD[weight_decay]", "SGD", {"weight_decay": 0.1}),
    OptCase("SGD[momentum,weight_decay,nesterov]", "SGD", {"momentum": 0.5, "nesterov": True, "weight_decay": 0.05}),
    OptCase("SGD[maximize]", "SGD", {"maximize": True, "momentum": 0.9}),
    OptCase("SGD[StepLR]", "SGD", {"momentum": 0.9}, STEP),
    OptCase("SGD[CosineAnnealingLR]", "SGD", {}, COS),
    OptCase("Adagrad", "Adagrad"),
    OptCase("Adagrad[lr_decay]", "Adagrad", {"lr_decay": 0.05}),
    OptCase("Adagrad[weight_decay]", "Adagrad", {"weight_decay": 0.1}),
    OptCase("Adagrad[initial_accumulator_value,eps]", "Adagrad", {"initial_accumulator_value": 0.5, "eps": 1e-3}),
    OptCase("Adagrad[maximize]", "Adagrad", {"maximize": True}),
    OptCase("Adagrad[ExponentialLR]", "Adagrad", {"lr_decay": 0.01}, EXP),
    OptCase("RMSprop", "RMSprop"),
    OptCase("RMSprop[alpha,eps]", "RMSprop", {"alpha": 0.9, "eps": 1e-4}),
    OptCase("RMSprop[centered]", "RMSprop", {"centered": True}),
    OptCase("RMSprop[momentum]", "RMSprop", {"momentum": 0.9}),
    OptCase("RMSprop[centered,momentum]", "RMSprop", {"centered": True, "momentum": 0.5}),
    OptCase("RMSprop[weight_decay]", "RMSprop", {"weight_decay": 0.1}),
    OptCase("RMSprop[maximize]", "RMSprop", {"maximize": True, "centered": True}),
    OptCase("RMSprop[CosineAnnealingLR]", "RMSprop", {"momentum": 0.5}, COS),
    OptCase("Adam", "Adam"),
    OptCase("Adam[betas,eps]", "Adam", {"betas": (0.8, 0.99), "eps": 1e-4}),
    OptCase("Adam[amsgrad]", "Adam", {"amsgrad": True}),
    OptCase("Adam[weight_decay]", "Adam", {"weight_decay": 0.1}),
    OptCase("Adam[weight_decay,amsgrad]", "Adam", {"weight_decay": 0.1, "amsgrad": True}),
    OptCase("Adam[maximize]", "Adam", {"maximize": True}),
    OptCase("Adam[MultiStepLR]", "Adam", {}, MULTI),
    OptCase("AdamW", "AdamW"),
    OptCase("AdamW[weight_decay]", "AdamW", {"weight_decay": 0.5}),
    OptCase("AdamW[amsgrad]", "AdamW", {"amsgrad": True}),
    OptCase("AdamW[maximize]", "AdamW", {"maximize": True, "weight_decay": 0.1}),
    OptCase("AdamW[StepLR]", "AdamW", {}, STEP),
    OptCase("AdamW[ExponentialLR]", "AdamW", {"amsgrad": True}, EXP),
    OptCase("Adamax", "Adamax"),
    OptCase("Adamax[betas,eps]", "Adamax", {"betas": (0.8, 0.99), "eps": 1e-3}),
    OptCase("Adamax[weight_decay]", "Adamax", {"weight_decay": 0.1}),
    OptCase("Adamax[maximize]", "Adamax", {"maximize": True, "weight_decay": 0.05}),
    OptCase("Adamax[StepLR]", "Adamax", {}, STEP),
    OptCase("Adadelta", "Adadelta"),
    # rho 0.8 / eps 1e-4 (and 0.7 / 1e-5) pass with shared gradients but not with each side's own on Rosenbrock:
    # Adadelta's lr-free step amplifies the last-bit difference of the two gradient formulas to 1e-9 in 100 steps
    OptCase("Adadelta[rho,eps]", "Adadelta", {"rho": 0.5, "eps": 1e-7}),
    OptCase("Adadelta[weight_decay]", "Adadelta", {"weight_decay": 0.1}),
    OptCase("Adadelta[maximize]", "Adadelta", {"maximize": True, "weight_decay": 0.05}),
    OptCase("Adadelta[CosineAnnealingLR]", "Adadelta", {"rho": 0.8}, COS),
    # as for Adadelta: NAdam with decoupled weight_decay 0.1 and RAdam with betas (0.8, 0.9), eps 1e-4 agree with
    # torch to 1e-10 on shared gradients, but own-gradient Rosenbrock runs amplify the formulas' last bits past the
    # trajectory tolerance (1.6x and 1.8x), so the table uses neighbouring values
    OptCase("NAdam", "NAdam"),
    OptCase("NAdam[momentum_decay,betas,eps]", "NAdam", {"momentum_decay": 0.05, "betas": (0.8, 0.99), "eps": 1e-4}),
    OptCase("NAdam[weight_decay]", "NAdam", {"weight_decay": 0.1}),
    OptCase("NAdam[decoupled_weight_decay]", "NAdam", {"weight_decay": 0.05, "decoupled_weight_decay": True}),
    OptCase("NAdam[maximize]", "NAdam", {"maximize": True}),
    OptCase("RAdam", "RAdam"),  # rho_t > 5 from step 6 on (beta2 = 0.999): both branches in 100 steps
    OptCase("RAdam[betas,eps]", "RAdam", {"betas": (0.85, 0.95), "eps": 1e-6}),
    OptCase("RAdam[weight_decay]", "RAdam", {"weight_decay": 0.1}),
    OptCase("RAdam[decoupled_weight_decay]", "RAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    OptCase("RAdam[maximize,ExponentialLR]", "RAdam", {"maximize": True}, EXP),
    OptCase("ASGD", "ASGD"),
    OptCase("ASGD[t0,lambd,alpha]", "ASGD", {"t0": 30, "lambd": 0.01, "alpha": 0.5}),  # averaging from step 31
    OptCase("ASGD[weight_decay,maximize]", "ASGD", {"weight_decay": 0.1, "maximize": True, "t0": 10}),
    OptCase("Rprop", "Rprop"),
    OptCase("Rprop[etas,step_sizes]", "Rprop", {"etas": (0.3, 1.5), "step_sizes": (1e-3, 0.05)}),
    OptCase("Rprop[maximize,StepLR]", "Rprop", {"maximize": True}, STEP),  # lr only seeds step_size
    OptCase("SGD[CosineAnnealingWarmRestarts]", "SGD", {"momentum": 0.9}, WARM),  # restarts at 10, 30, 70
    OptCase("Adam[CosineAnnealingWarmRestarts]", "Adam", {}, ("CosineAnnealingWarmRestarts", {"T_0": 15})),
    # Adafactor: rho = min(lr, 1/sqrt(t)) takes both values in 100 steps where the landscape lr is > 0.1
    OptCase("Adafactor", "Adafactor"),
    OptCase("Adafactor[beta2_decay]", "Adafactor", {"beta2_decay": -0.9}),  # -0.5 to -0.7: chaotic own runs
    # eps1 given: it floors the factors' mean and sqrt(v); d = 3 leaves most MLP updates unclipped, and only there
    # does the mean's floor show (a per-matrix factor of v, which clipping to RMS d divides out again)
    OptCase("Adafactor[eps,d]", "Adafactor", {"eps": (0.05, 0.3), "d": 3.0}),
    OptCase("Adafactor[d]", "Adafactor", {"d": 1.2}),
    OptCase("Adafactor[weight_decay]", "Adafactor", {"weight_decay": 0.5}),
    OptCase("Adafactor[maximize]", "Adafactor", {"maximize": True, "weight_decay": 0.1}),
    OptCase("Adafactor[ExponentialLR]", "Adafactor", {}, EXP),  # with COS, own runs turn chaotic (1e-8)
    # Muon: the (4, 2) landscapes take the transposed Newton-Schulz path (rows > cols), the (3, 4) one the other
    OptCase("Muon", "Muon"),
    OptCase("Muon[nesterov=False]", "Muon", {"nesterov": False}),
    OptCase("Muon[momentum]", "Muon", {"momentum": 0.5}),
    OptCase("Muon[ns_coefficients,ns_steps]", "Muon", {"ns_coefficients": (1.875, -1.25, 0.375), "ns_steps": 7}),
    OptCase("Muon[adjust_lr_fn=original]", "Muon", {"adjust_lr_fn": "original"}),
    OptCase("Muon[adjust_lr_fn=match_rms_adamw]", "Muon", {"adjust_lr_fn": "match_rms_adamw"}),
    OptCase("Muon[weight_decay]", "Muon", {"weight_decay": 0.5, "momentum": 0.9}),
    OptCase("Muon[StepLR]", "Muon", {}, STEP),
]
# Schedulers that set ABSOLUTE lrs (base_lr/max_lr) and cycle momentum or beta1: run on the one-group MLP only (the
# landscapes' groups each have their own lr). They check that the optimizers re-read group['momentum'] and
# group['betas'] at every step, as torch's do.
MLP_ONLY_CASES: list[OptCase] = [
    OptCase("SGD[CyclicLR]", "SGD", {"momentum": 0.9},
            ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.2, "step_size_up": 10, "mode": "triangular2"})),
    OptCase("Adam[CyclicLR]", "Adam", {},
            ("CyclicLR", {"base_lr": 1e-3, "max_lr": 0.02, "step_size_up": 15, "mode": "exp_range", "gamma": 0.99})),
    OptCase("SGD[OneCycleLR]", "SGD", {"momentum": 0.9, "nesterov": True}, ("OneCycleLR", {"max_lr": 0.2,
                                                                                         "total_steps": 100})),
    OptCase("AdamW[OneCycleLR]", "AdamW", {}, ("OneCycleLR", {"max_lr": 0.02, "total_steps": 100,
                                                              "three_phase": True, "anneal_strategy": "linear"})),
]
BY_NAME: dict[str, OptCase] = {c.name: c for c in OPT_CASES + MLP_ONLY_CASES}
assert len(BY_NAME) == len(OPT_CASES) + len(MLP_ONLY_CASES), "duplicate optimizer case names"


def build(case: OptCase, params, lr: float, side: str):
    """(optimizer, scheduler or None) on ``side`` ('scratch' or 'torch')."""
    ns = scratch.optim if side == "scratch" else reference.optim
    opt = getattr(ns, case.optimizer)(params, lr=lr, **case.kwargs)
    sched = None
    if case.scheduler is not None:
        sched = getattr(ns.lr_scheduler, case.scheduler[0])(opt, **case.scheduler[1])
    return opt, sched


# -- the runner -------------------------------------------------------------------------------------------
# Shapes of the extra group-0 parameters of the 'shared' style (gradient None every third step): Adafactor's
# unfactored branch (0-d, 1-d) and a 3-d parameter factored over its last two dims; Muon takes 2-d only.
EXTRA_SHAPES: dict[str, list[tuple[int, ...]]] = {"Adafactor": [(3,), (), (2, 3, 4)], "Muon": [(3, 2)]}
TWO_D_ONLY = frozenset({"Muon"})  # torch raises for any other parameter: tests give these 2-d shapes


def param_shape(optimizer: str, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` for a test parameter of ``optimizer``: unchanged, or made 2-d for TWO_D_ONLY optimizers
    (() -> (1, 1), (n,) -> (n, 1), (a, ..., z) -> (a ... y, z))."""
    if optimizer not in TWO_D_ONLY or len(shape) == 2:
        return tuple(shape)
    if len(shape) < 2:
        return (shape[0] if shape else 1, 1)
    return (int(np.prod(shape[:-1])), shape[-1])


def _sparse_grads(dtype, steps: int, shape: tuple[int, ...], seed: int) -> list[np.ndarray | None]:
    """A parameter whose gradient is None on every third step (torch then skips it entirely)."""
    rng = np.random.default_rng(seed)
    return [None if t % 3 == 1 else np.asarray(rng.standard_normal(shape)).astype(dtype) for t in range(steps)]


def run_landscapes(case: OptCase, style: str, dtype, side: str, steps: int = STEPS,
                   given: list[list[np.ndarray]] | None = None) -> dict[str, Any]:
    """Run ``steps`` steps of ONE optimizer over all landscapes at once, one parameter group per landscape
    (each with its own lr; a scheduler scales every group). Returns per parameter the trajectory, the
    gradients fed, every group's lr after each step, and the final state_dict.

    style 'own': each side computes its own gradient (numpy formula on scratch, autograd on torch).
    style 'shared': the scratch run computes the numpy gradient along its own path and returns the sequence;
    the torch run is fed that sequence (``given``) verbatim, so both see bitwise identical gradients. An extra
    parameter in group 0 (EXTRA_SHAPES: more, for Adafactor) gets a fixed gradient sequence that is None on every
    third step. ``names`` labels the parameters.
    """
    n = len(LANDSCAPES)
    x0s = [ls.x0.astype(dtype) for ls in LANDSCAPES]
    shapes = EXTRA_SHAPES.get(case.optimizer, [(3,)]) if style == "shared" else []
    x0s += [np.zeros(s, dtype) for s in shapes]
    sparse = [_sparse_grads(dtype, steps, s, 11 + i) for i, s in enumerate(shapes)]
    if side == "scratch":
        params = [Parameter(x.copy()) for x in x0s]
        read = [lambda p=p: p.data.copy() for p in params]
    else:
        params = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in x0s]
        read = [lambda p=p: p.detach().numpy().copy() for p in params]
    groups = [{"params": [p], "lr": ls.lrs[case.optimizer]} for p, ls in zip(params[:n], LANDSCAPES, strict=True)]
    groups[0]["params"] += params[n:]
    opt, sched = build(case, groups, 1.0, side)  # lr=1.0 is the default of groups that set none: unused
    traj, lrs, fed = [[r() for r in read]], [], []
    for t in range(steps):
        opt.zero_grad()
        if given is not None:
            grads = given[t]
        elif side == "scratch":
            grads = [(case.sign * ls.grad_np(p.data)).astype(dtype)
                     for p, ls in zip(params[:n], LANDSCAPES, strict=True)]
        else:
            sum(case.sign * ls.f_torch(p) for p, ls in zip(params[:n], LANDSCAPES, strict=True)).backward()
            grads = [p.grad.numpy().copy() for p in params[:n]]
        fed.append(grads)
        if side == "scratch" or given is not None:
            for p, g in zip(params, grads + [seq[t] for seq in sparse], strict=True):
                if g is None:
                    p.grad = None
                else:
                    p.grad = g.copy() if side == "scratch" else torch.from_numpy(g.copy())
        opt.step()
        if sched is not None:
            sched.step()
        lrs.append([grp["lr"] for grp in opt.param_groups])
        traj.append([r() for r in read])
    names = [ls.name for ls in LANDSCAPES] + [f"mccormick-group/grad-None-param{list(s)}" for s in shapes]
    return {"traj": [np.stack([step[i] for step in traj]) for i in range(len(params))], "grads": fed,
            "lrs": np.array(lrs), "state": opt.state_dict(), "names": names}


# -- a real network: the block catalog's MLP, each side's gradients from its own backward pass -----------------
MLP_LRS = {"SGD": 0.1, "Adagrad": 0.05, "RMSprop": 0.002, "Adam": 0.01, "AdamW": 0.01, "Adamax": 0.01,
           "Adadelta": 1.0, "NAdam": 0.01, "RAdam": 0.01, "ASGD": 0.1, "Rprop": 0.001, "Adafactor": 0.05,
           "Muon": 0.02}
# Muon takes the 2-d weights only (torch raises for the 1-d biases); the biases get AdamW, as torch's Muon docs
# advise, on each side. The entry's trajectory covers both; its lrs and state are Muon's.
MLP_REST = ("AdamW", 0.01)


def run_mlp(case: OptCase, dtype, steps: int = STEPS, seed: int = 0) -> tuple[dict, dict]:
    """Train ``tests.catalog.BY_NAME['mlp']`` (built by ``tests.harness.build_pair``: torch holds the scratch
    init) with the NLL loss of its log-softmax output on a fresh seeded batch per step. Scratch's backward
    feeds the scratch optimizer; torch autograd feeds torch.optim. Returns per side: named parameter
    trajectories, lrs and the final optimizer state."""
    from tests.catalog import BY_NAME as BLOCKS
    from tests.harness import build_pair

    models = build_pair(BLOCKS["mlp"], dtype, seed)
    sides = ("scratch", "torch")
    rests = [[] for _ in models]  # per side: the optimizer of the parameters a TWO_D_ONLY optimizer cannot take
    opts = []
    for m, side, rest in zip(models, sides, rests, strict=True):
        params = m.parameters()  # a generator, as model.parameters()
        if case.optimizer in TWO_D_ONLY:
            params = [p for p in m.parameters() if p.data.ndim == 2]
            ns = scratch.optim if side == "scratch" else reference.optim
            rest.append(getattr(ns, MLP_REST[0])([p for p in m.parameters() if p.data.ndim != 2], lr=MLP_REST[1]))
        opts.append(build(case, params, MLP_LRS[case.optimizer], side))
    out = [{"traj": {n: [p.data.copy()] for n, p in m.named_parameters()}, "lrs": []} for m in models]
    rng = np.random.default_rng(seed + 1)
    n = 16
    for _ in range(steps):
        x = rng.standard_normal((n, 5)).astype(dtype)
        y = rng.integers(0, 3, n)
        # d(mean NLL)/d(log-probs) = -onehot / n; maximize entries ascend the negated loss.
        dy = np.zeros((n, 3), dtype)
        dy[np.arange(n), y] = -case.sign / n
        for model, (opt, sched), rest, rec in zip(models, opts, rests, out, strict=True):
            for o in [opt, *rest]:
                o.zero_grad()
            model(x)
            model.backward(dy)
            for o in [opt, *rest]:
                o.step()
            if sched is not None:
                sched.step()
            rec["lrs"].append([g["lr"] for g in opt.param_groups])
            for name, p in model.named_parameters():
                rec["traj"][name].append(p.data.copy())
    for rec, (opt, _) in zip(out, opts, strict=True):
        rec["traj"] = {k: np.stack(v) for k, v in rec["traj"].items()}
        rec["lrs"] = np.array(rec["lrs"])
        rec["state"] = opt.state_dict()
    return out[0], out[1]
