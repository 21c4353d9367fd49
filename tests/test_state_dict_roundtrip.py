"""A real torch model's state_dict (as numpy) loads into the scratch model of the same architecture, and the two
agree on outputs and gradients; scratch's state_dict loads back into torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S
from conftest import DTYPES
from tests.strategies import cotangent
from tests.tolerances import assert_close

TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def _pair(dtype):
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 16), torch.nn.ELU(), torch.nn.Linear(16, 16),
                            torch.nn.LeakyReLU(0.1), torch.nn.Linear(16, 5), torch.nn.LogSoftmax(dim=1))
    t = t.to(TORCH_DTYPE[dtype])
    s = S.Sequential(S.Flatten(), S.Linear(12, 16, dtype=dtype), S.ELU(), S.Linear(16, 16, dtype=dtype),
                     S.LeakyReLU(0.1), S.Linear(16, 5, dtype=dtype), S.LogSoftmax(dim=1))
    return t, s


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_torch_state_dict_loads_into_scratch_sequential(dtype, rng):
    t, s = _pair(dtype)
    assert list(s.state_dict()) == list(t.state_dict())
    s.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    x = rng.standard_normal((6, 3, 4)).astype(dtype)
    xt = torch.from_numpy(x.copy()).requires_grad_(True)
    yt = t(xt)
    ys = s(x)
    assert_close(ys, yt.detach().numpy(), block="torch_sequential", check="forward", dtype=dtype)
    dy = cotangent(rng, ys)
    yt.backward(torch.from_numpy(dy))
    assert_close(s.backward(dy), xt.grad.numpy(), block="torch_sequential", check="grad_input", dtype=dtype)
    for (name, p), (tname, tp) in zip(s.named_parameters(), t.named_parameters(), strict=True):
        assert name == tname
        assert_close(p.grad, tp.grad.numpy(), block="torch_sequential", check=f"grad[{name}]", dtype=dtype)


def test_scratch_state_dict_loads_into_torch(rng):
    t, s = _pair(np.float64)
    t.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    x = rng.standard_normal((4, 12))
    assert_close(s(x), t(torch.from_numpy(x)).detach().numpy(), block="torch_sequential", check="reverse_load")
