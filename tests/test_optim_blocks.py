"""The cache-blocked SGD update (scratch.optim._blocks): bit-for-bit the whole-array formula, on every layout.

The blocking is a speed device only, so the oracle here is exact equality with the unblocked NumPy form of
torch's update order ``p += -lr * (g + wd * p)``; agreement with torch itself (which fuses the multiply-add and
so differs by an ulp on ~3% of elements) is covered by the optimizer trajectories and the MNIST equivalence run,
whose 784x600 float64 weight spans many blocks.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.optim as optim
from scratch.nn import Parameter
from scratch.optim._blocks import BLOCK_BYTES, blockwise

SHAPES = [(600, 784), (3, 5), (BLOCK_BYTES // 4,), (BLOCK_BYTES // 4 + 1,), (0, 7)]


def _whole_array_sgd(p: np.ndarray, g: np.ndarray, lr: float, wd: float, maximize: bool) -> np.ndarray:
    g = -g if maximize else g
    d = g + wd * p if wd else g
    return p + -lr * d


def _sgd_once(p0: np.ndarray, g0: np.ndarray, **kw) -> Parameter:
    p = Parameter(p0.copy())
    p.grad = g0
    optim.SGD([p], **kw).step()
    return p


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("wd,maximize", [(0.0, False), (4e-4, False), (1e-2, True)])
def test_blocked_sgd_is_bitwise_the_whole_array_update(dtype, shape, wd, maximize):
    rng = np.random.default_rng(7)
    p0, g0 = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    p = _sgd_once(p0, g0.copy(), lr=0.02, weight_decay=wd, maximize=maximize)
    np.testing.assert_array_equal(p.data, _whole_array_sgd(p0, g0, 0.02, wd, maximize), strict=True)


@pytest.mark.parametrize("layout", ["transposed_param", "transposed_grad", "strided_param"])
def test_non_contiguous_arrays_take_the_whole_array_path_in_place(layout):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((784, 600)).astype(np.float32)
    g0 = rng.standard_normal((600, 784)).astype(np.float32)
    if layout == "transposed_param":
        p_data = base.T  # F-contiguous (600, 784)
    elif layout == "strided_param":
        p_data = rng.standard_normal((600, 1568)).astype(np.float32)[:, ::2]
    else:
        p_data = np.ascontiguousarray(base.T)
        g0 = np.asfortranarray(g0)
    p0 = p_data.copy()
    p = Parameter(p_data)
    p.grad = g0
    optim.SGD([p], lr=0.1, weight_decay=1e-3).step()
    assert p.data is p_data  # updated in place: views of the parameter see the step
    np.testing.assert_array_equal(p.data, _whole_array_sgd(p0, g0, 0.1, 1e-3, False), strict=True)


def test_blockwise_covers_every_element_once_with_ragged_tail():
    n, work = 10 * 1000 + 7, np.empty(1000)
    out, a = np.zeros(n), np.arange(n, dtype=np.float64)
    calls = []

    def update(o, x, w):
        calls.append(o.size)
        o += x + 1.0

    blockwise(update, out, a, work=work)
    assert calls == [1000] * 10 + [7]
    np.testing.assert_array_equal(out, a + 1.0)


def test_blocked_sgd_matches_torch_on_a_multi_block_parameter():
    """Torch's kernel fuses wd*p + g (one rounding), so agreement is to an ulp, not bitwise: checked as such."""
    torch.set_num_threads(1)
    rng = np.random.default_rng(11)
    p0, g0 = rng.standard_normal((600, 784)), rng.standard_normal((600, 784))
    p = _sgd_once(p0, g0, lr=0.02, weight_decay=4e-4)
    t = torch.tensor(p0, requires_grad=True)
    t.grad = torch.tensor(g0)
    torch.optim.SGD([t], lr=0.02, weight_decay=4e-4).step()
    np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=0, atol=np.spacing(np.abs(p0).max()))  # 1 ulp
