"""Every optimizer's numeric hyper-parameters at the bounds its checks test (0, and 1 for the pairs' components:
betas, etas) against torch: accepted by both and then two steps to the same parameters, or refused with the same
class and message. The lists of bad values
in test_optim_api.py are far from the bounds; these are on them (``0 <= eps`` and ``0 < eps`` differ only at 0)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import scratch.optim
from scratch.nn import Parameter
from tests.harness import outcome

OPTIMIZERS = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Adamax", "Adadelta", "NAdam", "RAdam", "ASGD", "Rprop",
              "SparseAdam", "LBFGS", "Adafactor", "Muon"]


def at_bounds(name: str) -> list[dict]:
    """Each number-valued argument of torch's constructor at 0 and 1 (its own type: int stays int), each
    component of a pair of numbers at 0 and 1 with the other at its default."""
    out = []
    for p in inspect.signature(getattr(torch.optim, name)).parameters.values():
        d = p.default
        if isinstance(d, bool):
            continue
        if isinstance(d, int | float):
            out += [{p.name: type(d)(v)} for v in (0, 1)]
        elif isinstance(d, tuple) and d and all(isinstance(x, int | float) for x in d):
            out += [{p.name: d[:i] + (float(v),) + d[i + 1:]} for i in range(len(d)) for v in (0, 1)]
    return out


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_hyper_parameters_at_their_bounds_like_torch(name):
    x = np.random.default_rng(0).standard_normal((4, 3))
    cases = at_bounds(name)
    assert len(cases) >= 2, f"{name}: no numeric hyper-parameter found (the signature changed?)"
    g = np.random.default_rng(1).standard_normal((4, 3))
    for kwargs in cases:
        p, t = Parameter(x.copy()), torch.nn.Parameter(torch.from_numpy(x.copy()))
        got = outcome(lambda kw=kwargs, p=p: getattr(scratch.optim, name)([p], **kw))
        want = outcome(lambda kw=kwargs, t=t: getattr(torch.optim, name)([t], **kw))
        assert got[0] == want[0], f"{name}({kwargs}): scratch {got[0]} {got[1]!r}, torch {want[0]} {want[1]!r}"
        if want[0] == "raise":
            assert (type(got[1]), str(got[1])) == (type(want[1]), str(want[1])), (name, kwargs, got, want)
        elif name not in STEP_NEEDS_MORE:  # accepted: two steps on the same gradients give torch's parameters
            steps = [outcome(lambda o=o, q=q, h=h: _two_steps(o, q, h)) for o, q, h in
                     ((got[1], p, lambda: g.copy()), (want[1], t, lambda: torch.from_numpy(g.copy())))]
            assert steps[0][0] == steps[1][0], (name, kwargs, steps)
            if steps[1][0] == "ok":
                np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-12, atol=1e-12,
                                           err_msg=f"{name}({kwargs})")


STEP_NEEDS_MORE = ("LBFGS", "SparseAdam")  # a closure, sparse gradients: their own tests step them


def _two_steps(optimizer, param, grad) -> None:
    for _ in range(2):
        param.grad = grad()
        optimizer.step()
