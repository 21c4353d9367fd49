"""Adafactor and Muon details vs torch 2.13 beyond the shared optimizer tables (tests/optim_catalog.py runs their
trajectories; tests/test_optim_api.py their API; tests/test_optim_tensor_lr.py a Tensor lr's numpy stand-in): Muon's
bfloat16 Newton-Schulz iteration bit for bit, the errors torch raises only at step time, Adafactor's state layout
from 0-d to 4-d and its group-wide eps1."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.optim._muon import _zeropower_via_newtonschulz

import reference.optim
import scratch.optim
from scratch.nn import Parameter
from scratch.optim.muon import zeropower_via_newtonschulz
from tests.harness import assert_same_outcome, outcome
from tests.optim_catalog import TRAJ_TOL32, TRAJ_TOL64
from tests.tolerances import assert_close


def torch_newton_schulz(grad: torch.Tensor, coefficients, steps: int, eps: float) -> torch.Tensor:
    """torch's iteration in its cpublas bfloat16 kernels (oneDNN off: see reference.optim.cpublas_bfloat16)."""
    with reference.optim.cpublas_bfloat16():
        return _zeropower_via_newtonschulz(grad, coefficients, steps, eps)

NS_SHAPES = [(1, 1), (1, 5), (5, 1), (4, 2), (2, 4), (3, 4), (8, 5), (5, 8), (17, 20), (20, 17), (20, 70), (70, 20),
             (66, 130)]  # both Newton-Schulz paths (rows > cols: transposed), inner dims below/over 16 and 64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", NS_SHAPES, ids=str)
def test_newton_schulz_is_torchs_bit_for_bit(shape, dtype):
    """torch computes Muon's iteration in bfloat16 on the CPU too (``grad.bfloat16()``, float64 via float32);
    scratch's float32 emulation of those kernels gives the same bits: normal, scaled and wide-exponent inputs,
    the default and another (coefficients, steps), a zero matrix (eps floors the norm)."""
    rng = np.random.default_rng(sum(shape))
    inputs = [rng.standard_normal(shape), 1e-3 * rng.standard_normal(shape),
              rng.standard_normal(shape) * 2.0 ** rng.integers(-10, 11, shape), np.zeros(shape)]
    for g in inputs:
        g = g.astype(dtype)
        for coefficients, steps in (((3.4445, -4.775, 2.0315), 5), ((1.875, -1.25, 0.375), 7)):
            want = torch_newton_schulz(torch.from_numpy(g), coefficients, steps, 1e-7).float().numpy()
            got = zeropower_via_newtonschulz(g, coefficients, steps, 1e-7)
            np.testing.assert_array_equal(got, want, strict=True)


def test_newton_schulz_through_onednn_is_another_rounding_of_the_same_iteration():
    """Where torch sends bfloat16 matmuls to oneDNN (CPUs with AVX512-BF16 or AMX, matrices above a size), its
    result is another bfloat16 rounding of the same iteration: within 2^-6 of the result's norm (measured 0.43%
    for this shape on an AMD EPYC), and equal to scratch's bits on a CPU that never uses oneDNN here."""
    g = np.random.default_rng(3).standard_normal((129, 65))
    onednn = _zeropower_via_newtonschulz(torch.from_numpy(g), (3.4445, -4.775, 2.0315), 5, 1e-7).float().numpy()
    got = zeropower_via_newtonschulz(g, (3.4445, -4.775, 2.0315), 5, 1e-7)
    assert np.linalg.norm(got - onednn) <= 2.0 ** -6 * np.linalg.norm(onednn)
    assert np.array_equal(got, torch_newton_schulz(torch.from_numpy(g), (3.4445, -4.775, 2.0315), 5, 1e-7).float())


def _cancelling_rows() -> np.ndarray:
    """A (2, 16) matrix whose Gram entry (0, 1) torch's kernels sum to different bfloat16 values: the products
    (after the exact division by the norm 1024) are 2^-4, -2^-4 at columns 0 and 4, 2^-20, 2^-28 at 5 and 6 and
    2^-32 at 8. The 8-lane dot (contiguous X) adds 2^-32 to 2^-4 first and loses it, leaving the bfloat16 tie
    2^-20 (1 + 2^-8), rounded down to even; the running sum (transposed view) and the 4 partial sums cancel the
    2^-4 first, keep 2^-32 and round up. Columns 9 to 11 (one row each) make the norm a power of 2."""
    u, v = np.zeros(16), np.zeros(16)
    u[0] = v[0] = u[4] = 2.0 ** 8
    v[4] = -(2.0 ** 8)
    u[5] = v[5] = 1.0
    u[6] = v[6] = 2.0 ** -4
    u[8] = v[8] = 2.0 ** -6
    u[9] = v[10] = u[11] = 2.0 ** 9
    return np.stack([u, v])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("orientation", ["(2, 16): X contiguous", "(16, 2): X a transposed view"])
@pytest.mark.parametrize("ns_steps", [1, 3])  # by 5 steps both sums converge to the same bits
def test_newton_schulz_sums_in_torchs_order(orientation, ns_steps, dtype):
    g = _cancelling_rows()
    g = (g if orientation.startswith("(2") else np.ascontiguousarray(g.T)).astype(dtype)
    want = torch_newton_schulz(torch.from_numpy(g), (3.4445, -4.775, 2.0315), ns_steps, 1e-7).float().numpy()
    np.testing.assert_array_equal(zeropower_via_newtonschulz(g, (3.4445, -4.775, 2.0315), ns_steps, 1e-7), want,
                                  strict=True)


def _muon_pair(shapes, **kwargs):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s) for s in shapes]
    ps, ts = [Parameter(x.copy()) for x in xs], [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in xs]
    return (ps, scratch.optim.Muon(ps, **kwargs)), (ts, torch.optim.Muon(ts, **kwargs))


@pytest.mark.parametrize("kind", ["ns_steps=100", "two coefficients", "1-d param added later"])
def test_muon_step_time_errors_like_torch(kind):
    """torch checks these only when it steps (the constructor accepts them): same class, same message."""
    kwargs = {"ns_steps=100": {"ns_steps": 100}, "two coefficients": {"ns_coefficients": (3.0, -2.0)}}.get(kind, {})
    results = []
    for params, opt in _muon_pair([(4, 3)], **kwargs):
        if kind == "1-d param added later":
            extra = np.ones(5)
            params.append(Parameter(extra.copy()) if isinstance(opt, scratch.optim.Muon)
                          else torch.nn.Parameter(torch.from_numpy(extra.copy())))
            opt.add_param_group({"params": [params[-1]]})
        for p in params:
            g = np.full(tuple(p.shape) if isinstance(p, torch.Tensor) else p.data.shape, 0.5)
            p.grad = torch.from_numpy(g) if isinstance(p, torch.Tensor) else g
        results.append(outcome(opt.step))
    assert_same_outcome(kind, *results)
    assert results[1][0] == "raise" and str(results[0][1]) == str(results[1][1])


@pytest.mark.parametrize("shape", [(), (5,), (2, 3, 4)], ids=str)
def test_muon_rejects_non_2d_parameters_like_torch(shape):
    got = outcome(lambda: scratch.optim.Muon([Parameter(np.zeros(shape))]))
    want = outcome(lambda: torch.optim.Muon([torch.nn.Parameter(torch.zeros(shape, dtype=torch.float64))]))
    assert_same_outcome(str(shape), got, want)
    assert str(got[1]) == str(want[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adafactor_state_layout_like_torch(dtype):
    """'step' (0-d float32), then row_var (last dim 1) and col_var (second-to-last dim 1) for >= 2-d parameters
    -- factored over the last two dims, a 4-d one per (3, 5) matrix -- or variance for 0-d and 1-d ones."""
    shapes = [(), (5,), (4, 3), (2, 3, 4), (2, 1, 3, 5)]
    rng = np.random.default_rng(2)
    xs = [np.asarray(rng.standard_normal(s)).astype(dtype) for s in shapes]
    ps, ts = [Parameter(x.copy()) for x in xs], [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in xs]
    opts = scratch.optim.Adafactor(ps, lr=0.05), reference.optim.Adafactor(ts, lr=0.05)
    for _ in range(3):
        for p, t in zip(ps, ts, strict=True):
            g = np.asarray(rng.standard_normal(p.data.shape)).astype(dtype)
            p.grad, t.grad = g.copy(), torch.from_numpy(g.copy())
        for o in opts:
            o.step()
    mine, theirs = (o.state_dict()["state"] for o in opts)
    tol = TRAJ_TOL64 if dtype == np.float64 else TRAJ_TOL32
    for i, shape in enumerate(shapes):
        assert list(mine[i]) == list(theirs[i]) == (["step", "row_var", "col_var"] if len(shape) > 1
                                                    else ["step", "variance"])
        for k, v in mine[i].items():
            assert v.shape == theirs[i][k].shape and v.dtype == theirs[i][k].dtype, (shape, k)
            assert_close(v, theirs[i][k], block="optim.Adafactor", check=f"state {shape} {k}", tol=tol)
        assert_close(ps[i].data, ts[i].detach().numpy(), block="optim.Adafactor", check=f"param {shape}", tol=tol)


@pytest.mark.parametrize("order", ["float32 first", "float64 first"])
def test_adafactor_eps1_comes_from_the_groups_first_parameter_like_torch(order):
    """eps=(None, ...) takes finfo(dtype).eps of the FIRST parameter with a grad and keeps it for the rest of the
    group (torch's loop sets its eps1 once). Gradients of 1e-9 make it visible: sqrt(v) is floored at eps1."""
    dtypes = [np.float32, np.float64] if order == "float32 first" else [np.float64, np.float32]
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((4, 3)).astype(dt) for dt in dtypes]
    grads = [[(1e-9 * rng.standard_normal((4, 3))).astype(dt) for dt in dtypes] for _ in range(5)]
    runs = []
    for lib in (scratch.optim, torch.optim):
        ps = [Parameter(x.copy()) if lib is scratch.optim else torch.nn.Parameter(torch.from_numpy(x.copy()))
              for x in xs]
        opt = lib.Adafactor(ps, lr=0.05)
        for gs in grads:
            for p, g in zip(ps, gs, strict=True):
                p.grad = g.copy() if lib is scratch.optim else torch.from_numpy(g.copy())
            opt.step()
        runs.append([np.array(p.data if lib is scratch.optim else p.detach().numpy()) for p in ps])
    for a, e, x in zip(*runs, xs, strict=True):
        tol = TRAJ_TOL64 if x.dtype == np.float64 else TRAJ_TOL32
        assert_close(a, e, block="optim.Adafactor", check=f"eps1 group order {order}", tol=tol)
        assert np.abs(a - x).max() > 1e-6, "the parameters moved: eps1 is what the comparison is about"


@pytest.mark.parametrize("weight", [0.05, 0.3, 0.5, 0.7, 0.95])
def test_muon_momentum_lerp_is_torchs_bit_for_bit(weight):
    """torch's vectorized float32 lerp switches formulas at |w| = 0.5 (fma(w, e - s, s) below, fma(w - 1, e - s,
    e) from 0.5 on); Muon's momentum buffer (lerp by 1 - momentum) takes the same bits on both sides of it."""
    from scratch.optim.muon import _lerp_fused

    rng = np.random.default_rng(7)
    s, e = ((rng.standard_normal(4096) * 2.0 ** rng.integers(-8, 9, 4096)).astype(np.float32) for _ in range(2))
    want = torch.lerp(torch.from_numpy(s), torch.from_numpy(e), weight).numpy()
    np.testing.assert_array_equal(_lerp_fused(s, e, weight), want, strict=True)
