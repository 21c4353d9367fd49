"""The strong-Wolfe line search and its cubic interpolation, scratch.optim._line_search vs torch.optim.lbfgs's
``_strong_wolfe`` and ``_cubic_interpolate``, called directly on many seeded problems.

Inside LBFGS most line searches end at the first trial (t = 1 is usually good), so the zoom phase's rarer
branches (the insufficient-progress rule, the old high end becoming the low end, the bracket-too-small stop, the
trial budget) are reached here instead: random smooth non-convex functions in R^3 (a quadratic, a quartic and a
sine ripple), random starting steps from 1e-4 to 1e3, directions of random length, and random budgets and
tolerances. Both sides get the same numpy objective; compared: the number of evaluations exactly, the
accepted step, its loss and gradient.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim.lbfgs import _cubic_interpolate as torch_cubic
from torch.optim.lbfgs import _strong_wolfe as torch_strong_wolfe

from scratch.optim._line_search import cubic_interpolate, strong_wolfe
from tests.optim_catalog import TRAJ_TOL64
from tests.tolerances import assert_close

BLOCK = "optim.LBFGS[strong_wolfe line search]"


def _problem(seed: int):
    """(f, grad, x, d, t0, options) for one seeded search."""
    rng = np.random.default_rng(seed)
    m = rng.standard_normal((3, 3))
    a = m @ m.T * rng.choice([0.1, 1.0, 10.0]) - rng.choice([0.0, 0.5]) * np.eye(3)  # sometimes indefinite
    c = rng.standard_normal(3)
    # the quartic keeps every function bounded below (an unbounded one extrapolates t to 1e13, where f's
    # cancellation, not the search, decides the last digits)
    quart, ripple, freq = rng.choice([0.01, 0.05, 1.0]), rng.choice([0.0, 0.3, 2.0]), rng.uniform(1.0, 6.0)

    def f(x):
        return float(0.5 * x @ a @ x + c @ x + quart * (x @ x) ** 2 + ripple * np.sin(freq * x).sum())

    def grad(x):
        return a @ x + c + 4 * quart * (x @ x) * x + ripple * freq * np.cos(freq * x)

    x = rng.standard_normal(3)
    d = -grad(x) * 10.0 ** rng.uniform(-2, 1)  # a descent direction of random length
    # LBFGS always uses c1 = 1e-4, c2 = 0.9; other constants (0 < c1 < c2 < 1) make the Armijo and curvature
    # tests bind where a wrong formula for them would be seen
    c1, c2 = [(1e-4, 0.9), (0.1, 0.5), (0.3, 0.4), (1e-4, 0.1)][int(rng.integers(4))]
    opts = dict(max_ls=int(rng.choice([3, 6, 25])), tolerance_change=float(rng.choice([1e-9, 1e-4, 1e-2])),
                c1=c1, c2=c2)
    return f, grad, x, d, 10.0 ** rng.uniform(-4, 3), opts


def _search(side: str, seed: int):
    f, grad, x0, d, t0, opts = _problem(seed)
    calls = []
    if side == "scratch":
        def obj(x, t, direction):
            calls.append(t)
            point = x[0] + t * direction
            return f(point), grad(point)
        g = grad(x0)
        out = strong_wolfe(obj, [x0], t0, d, f(x0), g, g.dot(d), **opts)
        return [float(v) if np.ndim(v) == 0 else np.asarray(v) for v in out[:3]] + [out[3]], calls

    dt = torch.from_numpy(d)

    def tobj(x, t, direction):
        calls.append(float(t))
        point = x0 + float(t) * d
        return f(point), torch.from_numpy(grad(point))
    g = torch.from_numpy(grad(x0))
    out = torch_strong_wolfe(tobj, [torch.from_numpy(x0)], t0, dt, f(x0), g, g.dot(dt), **opts)
    return [float(out[0]), out[1].numpy(), float(out[2]), out[3]], calls


# + 9119: the one seed in 20,000 where the bracketing phase's ``ls_iter > 1`` guard decides (f rises between the
# first two trials while the slope at the second is already gentle: torch then accepts the second, not a bracket)
SEEDS = [*range(600), 9119]


def test_strong_wolfe_matches_torch_on_seeded_problems():
    """601 searches (in one test: each is a few evaluations); every one compared completely."""
    for seed in SEEDS:
        (fs, gs, ts, ns), calls_s = _search("scratch", seed)
        (fr, gr, tr, nr), calls_r = _search("torch", seed)
        assert ns == nr == len(calls_s) == len(calls_r), f"seed {seed}: {ns} evaluations, torch {nr}"
        check = f"seed {seed}"
        assert_close(np.array(calls_s), np.array(calls_r), block=BLOCK, check="trial steps", dtype=np.float64,
                     tol=TRAJ_TOL64)
        assert_close(np.array([ts, fs]), np.array([tr, fr]), block=BLOCK, check="accepted step and loss",
                     dtype=np.float64, tol=TRAJ_TOL64)
        assert_close(gs, gr, block=BLOCK, check="accepted gradient", dtype=np.float64, tol=TRAJ_TOL64), check


def test_strong_wolfe_problems_reach_every_phase():
    """Not vacuous: the seeded searches end in the bracketing phase, in zoom, and by running out of trials."""
    ends = {"first trial": 0, "several trials": 0, "budget": 0}
    for seed in SEEDS:
        max_ls = _problem(seed)[-1]["max_ls"]
        (_, _, _, n), _ = _search("scratch", seed)
        ends["first trial" if n == 1 else "budget" if n >= max_ls else "several trials"] += 1
    assert min(ends.values()) >= 20, ends


CUBIC = [  # (x1, f1, g1, x2, f2, g2, bounds)
    (0.0, 1.0, -2.0, 1.0, 0.5, 1.0, None),  # a minimizer inside
    (1.0, 0.5, 1.0, 0.0, 1.0, -2.0, None),  # the same points in the other order (mirrored formula)
    (0.0, 1.0, -2.0, 1.0, 2.0, -1.0, (1.01, 10.0)),  # extrapolation bounds clip it
    (0.0, 1.0, -1.0, 2.0, -3.0, -1.0, None),  # d2^2 < 0: the bounds' midpoint
    (0.0, 0.0, -1.0, 1.0, -1.0, -1.0, (1.01, 10.0)),  # a straight line: 0/0, inf/nan clipped like torch
    (-0.5, 2.0, 3.0, 0.25, 1.0, -0.5, None),
]


@pytest.mark.parametrize("case", CUBIC, ids=str)
def test_cubic_interpolate_is_torchs_bit_for_bit(case):
    x1, f1, g1, x2, f2, g2, bounds = case
    got = cubic_interpolate(x1, f1, np.float64(g1), x2, f2, np.float64(g2), bounds)
    expected = torch_cubic(x1, f1, torch.tensor(g1, dtype=torch.float64), x2, f2,
                           torch.tensor(g2, dtype=torch.float64), bounds)
    np.testing.assert_array_equal(np.float64(got), np.float64(float(expected)))
