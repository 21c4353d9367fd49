"""Generic checks, each parametrized over the catalog x {float32, float64} (DESIGN.md 'Generic checks')."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reference.nn
import scratch.nn
from conftest import DTYPES
from tests.catalog import CATALOG, Lib
from tests.harness import assert_same_outcome, build, build_pair, compare_pair, forward, outcome
from tests.strategies import cotangent, draws
from tests.tolerances import assert_close

cases = pytest.mark.parametrize("case", CATALOG, ids=str)
dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)


@cases
@dtypes
def test_forward_backward_vs_torch(case, dtype, rng):
    s, r = build_pair(case, dtype)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng)


@cases
@dtypes
def test_gradients_accumulate_like_torch(case, dtype, rng):
    """Two forward/backward passes without zero_grad: parameter grads are summed, as torch's .grad is."""
    s, r = build_pair(case, dtype)
    for step in range(2):
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix=f"accum{step}:")
    s.zero_grad()
    assert all(p.grad is None for p in s.parameters())


@pytest.mark.parametrize("case", [c for c in CATALOG if c.kinks is not None], ids=str)
@dtypes
def test_gradient_at_kinks_vs_torch(case, dtype, rng):
    """Inputs planted exactly on kinks (relu'(0) = 0, leaky_relu'(0) = slope, ...) match torch's convention."""
    s, r = build_pair(case, dtype)
    compare_pair(case, dtype, s, r, case.kinks(rng, dtype, case.shape, 1.0), rng, prefix="kink:")


@pytest.mark.parametrize("case", [c for c in CATALOG if c.shapes is not None], ids=str)
@dtypes
@given(data=st.data())
def test_hypothesis_shapes_and_extremes_vs_torch(case, dtype, data):
    shape, scale, seed = data.draw(draws(case.shapes, case.scales), label="shape, scale, seed")
    rng = np.random.default_rng(seed)
    s, r = build_pair(case, dtype, seed=seed % 7)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, shape, scale), rng, prefix="hypothesis:",
                 slack_seed=seed % 7)


@pytest.mark.parametrize("case", [c for c in CATALOG if c.fd], ids=str)
def test_finite_differences_float64(case, rng):
    """Torch-free oracle: every analytic gradient vs float64 central differences of L = <u, f(x)>."""
    from scratch.gradcheck import numerical_grad

    block = build(case, scratch.nn, np.float64)
    args = case.sample(rng, np.float64, case.shape, 1.0)
    x, rest = args[0].copy(), args[1:]
    y = forward(block, (x, *rest))
    u = cotangent(rng, y)
    dx = block.backward(u)

    def loss(_=None) -> float:
        return float(np.sum(u * forward(block, (x, *rest))))

    tol = case.tol.get("fd")
    from tests.tolerances import FD_TOL

    assert_close(dx, numerical_grad(loss, x), block=case.name, check="fd_input", tol=tol or FD_TOL)
    for name, p in block.named_parameters():
        assert_close(p.grad, numerical_grad(loss, p.data), block=case.name, check=f"fd[{name}]",
                     tol=tol or FD_TOL)


@cases
@dtypes
def test_train_eval_and_buffers_vs_torch(case, dtype, rng):
    """Several training steps, then the whole state_dict (params AND buffers) and the eval output match."""
    s, r = build_pair(case, dtype)
    assert s.training and r.training
    for _ in range(max(case.train_steps, 2)):
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix="train:")
    ss, sr = s.state_dict(), r.state_dict()
    assert list(ss) == list(sr)
    for k in ss:
        assert_close(ss[k], sr[k], block=case.name, check=f"state[{k}]", dtype=dtype)
    s.eval(), r.eval()
    assert not s.training and not r.training
    assert all(not m.training for m in s.modules())
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix="eval:")


@cases
@dtypes
def test_torch_state_dict_loads_into_scratch(case, dtype, rng):
    """A state_dict made by torch's own initialization loads into scratch (same keys, shapes, dtypes)."""
    s = build(case, scratch.nn, dtype)
    r = build(case, reference.nn, dtype, seed=1)
    ss, sr = s.state_dict(), r.state_dict()
    assert list(ss) == list(sr), "state_dict keys/order differ from torch's"
    for k in ss:
        assert ss[k].shape == sr[k].shape and ss[k].dtype == sr[k].dtype, k
    s.load_state_dict(sr)
    args = case.sample(rng, dtype, case.shape, 1.0)
    assert_close(forward(s, args), forward(r, args), block=case.name, check="torch_init_forward",
                 tol=case.tol.get("forward"), dtype=dtype)


@pytest.mark.parametrize("case, bad", [(c, b) for c in CATALOG for b in c.bad_inputs],
                         ids=lambda v: getattr(v, "label", str(v)))
@dtypes
def test_bad_input_like_torch(case, bad, dtype, rng):
    """Wrong shape/dtype, NaN, inf, empty batch: the same exception class as torch, or the same result."""
    args = bad.sample(rng, dtype)
    s, r = build_pair(case, dtype)
    got, expected = outcome(lambda: s(*args)), outcome(lambda: r(*args))
    assert_same_outcome(f"{case.name}/{bad.label}", got, expected)
    if expected[0] != "ok":
        return
    x = np.asarray(args[0])
    # elementwise blocks whose torch result at NaN/inf is SIMD-path dependent: compare at finite inputs only
    keep = np.isfinite(x) if bad.finite_positions_only else Ellipsis
    assert got[1].shape == expected[1].shape and got[1].dtype == expected[1].dtype
    # judged by the tolerance of the dtype torch produced (mixed-dtype inputs may promote or not)
    out_dt = expected[1].dtype if expected[1].dtype.kind == "f" else dtype
    assert_close(got[1][keep], expected[1][keep], block=case.name, check="bad_input_forward", dtype=out_dt)
    if x.dtype.kind == "f" and np.size(expected[1]):
        dy = cotangent(rng, expected[1])
        gs, gr = s.backward(dy), r.backward(dy)
        assert_close(gs[keep], gr[keep], block=case.name, check="bad_input_grad", dtype=gr.dtype)


@pytest.mark.parametrize("case, bad", [(c, b) for c in CATALOG for b in c.bad_args],
                         ids=lambda v: getattr(v, "label", str(v)))
def test_invalid_hyper_parameters_like_torch(case, bad):
    expected = outcome(lambda: bad.make(Lib(reference.nn)))
    assert expected[0] == "raise", f"catalog error: torch accepts {bad.label}"
    assert_same_outcome(f"{case.name}/{bad.label}", outcome(lambda: bad.make(Lib(scratch.nn))), expected)
