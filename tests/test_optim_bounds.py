"""Every optimizer's numeric hyper-parameters at the bounds its checks test (0, and 1 for the pairs' components:
betas, etas) against torch: accepted by both, or refused with the same class and message. The lists of bad values
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
    for kwargs in cases:
        got = outcome(lambda kw=kwargs: getattr(scratch.optim, name)([Parameter(x.copy())], **kw))
        want = outcome(lambda kw=kwargs: getattr(torch.optim, name)([torch.nn.Parameter(torch.from_numpy(x))], **kw))
        assert got[0] == want[0], f"{name}({kwargs}): scratch {got[0]} {got[1]!r}, torch {want[0]} {want[1]!r}"
        if want[0] == "raise":
            assert (type(got[1]), str(got[1])) == (type(want[1]), str(want[1])), (name, kwargs, got, want)
