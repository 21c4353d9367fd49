"""Every op of scratch.autograd, through the one table in tests/autograd_ops.py, three ways:

1. against torch autograd (float32 and float64): forward values and dtype, and every input gradient for a
   RANDOM cotangent (a ones cotangent would hide a missing upstream factor and make softmax's gradient vacuous);
2. against float64 central differences of the scalar <cotangent, f(x)> (torch-free oracle);
3. an eps-free Taylor-remainder test: r(h) = |phi(x + h v) - phi(x) - h <grad phi(x), v>| must shrink like
   h^2 (r(h) / r(h/2) -> 4) for curved ops and stay at rounding level for (piecewise) affine ones.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import scratch.autograd as ag
from scratch.autograd import ops as ag_ops
from scratch.autograd import reduce as ag_reduce
from tests.autograd_ops import COVERED, OPS, OpCase
from tests.tolerances import FD_TOL, Tol, assert_close

DTYPES = [np.float32, np.float64]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def scratch_run(case: OpCase, arrays: list[np.ndarray], dtype: type, cot: np.ndarray | None):
    xs = [ag.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = case.scratch(*xs)
    if cot is None:
        return out.data, None
    out.backward(cot.astype(dtype))
    return out.data, [x.grad for x in xs]


def torch_run(case: OpCase, arrays: list[np.ndarray], dtype: type, cot: np.ndarray):
    xs = [torch.tensor(a, dtype=TORCH_DTYPE[dtype], requires_grad=True) for a in arrays]
    out = case.torch(*xs)
    out.backward(torch.from_numpy(cot.astype(dtype)))
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


def phi(case: OpCase, arrays: list[np.ndarray], cot: np.ndarray) -> tuple[float, float]:
    """<cot, f(x)> in float64 and the magnitude sum |cot * f(x)| of the terms it adds up."""
    with ag.no_grad():
        out = case.scratch(*[ag.Tensor(a) for a in arrays]).data
    assert out.dtype == np.float64
    return float(np.sum(cot * out)), float(np.sum(np.abs(cot * out)))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("case", OPS, ids=repr)
def test_op_matches_torch(case: OpCase, dtype: type, rng: np.random.Generator) -> None:
    arrays = case.make(rng)
    cot = rng.standard_normal(scratch_run(case, arrays, np.float64, None)[0].shape)
    out, grads = scratch_run(case, arrays, dtype, cot)
    t_out, t_grads = torch_run(case, arrays, dtype, cot)
    assert_close(out, t_out, block=case.block, check="forward", dtype=dtype)
    for i, (g, tg) in enumerate(zip(grads, t_grads, strict=True)):
        assert g is not None, f"input {i} got no gradient"
        assert_close(g, tg, block=case.block, check="grad", dtype=dtype)


def central_differences(case: OpCase, arrays: list[np.ndarray], cot: np.ndarray, h: float = 1e-6):
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in range(a.size):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i].flat[j] += h
            minus[i].flat[j] -= h
            g.flat[j] = (phi(case, plus, cot)[0] - phi(case, minus, cot)[0]) / (2 * h)
        grads.append(g)
    return grads


@pytest.mark.parametrize("case", OPS, ids=repr)
def test_op_matches_finite_differences(case: OpCase, rng: np.random.Generator) -> None:
    arrays = case.make(rng)
    cot = rng.standard_normal(scratch_run(case, arrays, np.float64, None)[0].shape)
    _, grads = scratch_run(case, arrays, np.float64, cot)
    for g, fd in zip(grads, central_differences(case, arrays, cot), strict=True):
        assert_close(g, fd, block=case.block, check="fd", tol=FD_TOL, dtype=np.float64)


TAYLOR_H = [1e-2 / 2**k for k in range(4)]
RATIO_TOL = Tol(rtol=0.25, atol=0.0, reason="second-order Taylor remainder: r(h)/r(h/2) = 4 + O(h) from the "
                                            "third-order term; a wrong gradient gives 2")


@pytest.mark.parametrize("case", OPS, ids=repr)
def test_op_taylor_remainder(case: OpCase, rng: np.random.Generator) -> None:
    arrays = case.make(rng)
    cot = rng.standard_normal(scratch_run(case, arrays, np.float64, None)[0].shape)
    _, grads = scratch_run(case, arrays, np.float64, cot)
    vs = [rng.standard_normal(a.shape) for a in arrays]
    vmax = max(float(np.abs(v).max()) for v in vs)
    vs = [v / vmax for v in vs]  # |h v| <= 1e-2, far below the kink margin of the table's domains
    phi0, mag0 = phi(case, arrays, cot)
    slope = sum(float(np.sum(g * v)) for g, v in zip(grads, vs, strict=True))
    slope_mag = sum(float(np.sum(np.abs(g * v))) for g, v in zip(grads, vs, strict=True))
    rs, noise = [], []
    for h in TAYLOR_H:
        ph, magh = phi(case, [a + h * v for a, v in zip(arrays, vs, strict=True)], cot)
        rs.append(abs(ph - phi0 - h * slope))
        # rounding level of this remainder: a few hundred ulps of the magnitudes that were added up
        noise.append(256 * np.finfo(np.float64).eps * (1 + mag0 + magh + h * slope_mag))
    if case.linear:
        # affine around x: the remainder is pure rounding (a wrong gradient leaves h * |<dg, v>| >> noise)
        for r, n in zip(rs, noise, strict=True):
            assert_close(np.float64(r), np.float64(0.0), block=case.block, check="taylor", dtype=np.float64,
                         tol=Tol(0.0, float(n), reason="locally affine op: remainder is rounding only"))
        return
    assert min(rs) > 1e3 * max(noise), f"{case.name}: remainder {rs} too close to rounding {noise}: not curved?"
    ratios = np.array([rs[k] / rs[k + 1] for k in range(len(rs) - 1)])
    assert_close(ratios, np.full_like(ratios, 4.0), block=case.block, check="taylor", dtype=np.float64,
                 tol=RATIO_TOL)


def test_every_differentiable_op_has_a_table_row() -> None:
    """A new public op in ops.py / reduce.py without a table row (and the name map) fails here."""
    not_differentiable = {"compare"}  # returns a boolean tensor outside the graph
    public = {name for mod in (ag_ops, ag_reduce) for name, fn in vars(mod).items()
              if inspect.isfunction(fn) and fn.__module__ == mod.__name__ and not name.startswith("_")}
    assert public - not_differentiable == set(COVERED), public.symmetric_difference(COVERED)
    names = {c.name for c in OPS}
    assert set(COVERED.values()) <= names
    assert len(names) == len(OPS), "duplicate row names"
