"""Generic checks, each parametrized over the catalog x {float32, float64} (docs/design.md 'The generic checks')."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reference.nn
import scratch.nn
from conftest import DTYPES
from tests.catalog import CATALOG, Lib
from tests.harness import assert_same_outcome, build, build_pair, case_tol, compare_pair, forward, outcome
from tests.strategies import draws
from tests.structure import (
    call_backward,
    copy_arrays,
    cotangents,
    differentiated,
    gradient_items,
    leaves,
    output_items,
    wants_target_grad,
)
from tests.tolerances import assert_close

cases = pytest.mark.parametrize("case", CATALOG, ids=str)
dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
HALF_THE_PROFILES_EXAMPLES = max(1, settings.default.max_examples // 2)  # the profile is loaded by conftest


@cases
@dtypes
def test_forward_backward_vs_torch(case, dtype, rng):
    """Every output, every input gradient and every parameter gradient under random cotangents; then a second
    forward/backward pass without zero_grad: parameter grads are summed, as torch's .grad is (one test, not two:
    the second pass starts where the first ends, and building the pair twice cost as much as the passes)."""
    s, r = build_pair(case, dtype)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng, prefix="accum:")
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
@settings(max_examples=HALF_THE_PROFILES_EXAMPLES)
@given(data=st.data())
def test_hypothesis_shapes_and_extremes_vs_torch(case, dtype, data):
    """Drawn shapes, value scales (0, tiny, huge) and seeds. Each dtype gets half the profile's examples (ci: 3+3,
    thorough: 200+200): each node id draws its own examples, so an entry still sees six different draws."""
    shape, scale, seed = data.draw(draws(case.shapes, case.scales), label="shape, scale, seed")
    rng = np.random.default_rng(seed)
    s, r = build_pair(case, dtype, seed=seed % 7)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, shape, scale), rng, prefix="hypothesis:",
                 slack_seed=seed % 7)


# Central differences cost two forward passes per element. A case with more differentiated elements than this
# (inputs + parameters; the stacks, the whole Transformer, multi-layer LSTMs) checks a seeded sample of each
# tensor's elements (the same share of every tensor) plus one random direction through each whole tensor, so an
# element left out of the sample still counts. FD_EVERY_ELEMENT=1 checks every element of every case.
FD_ELEMENTS = 10**9 if os.environ.get("FD_EVERY_ELEMENT") else 128


@pytest.mark.parametrize("case", [c for c in CATALOG if c.fd], ids=str)
def test_finite_differences_float64(case, rng):
    """Torch-free oracle: every analytic gradient (every differentiated input, the target of a loss where it has
    a gradient, every parameter) vs float64 central differences of L = sum_k <u_k, y_k> over every output."""
    from tests.tolerances import FD_TOL

    block = build(case, scratch.nn, np.float64)
    args = copy_arrays(case.sample(rng, np.float64, case.shape, 1.0))
    target_grad = wants_target_grad(block, args, case.loss)
    out = forward(block, args)
    u = cotangents(rng, out)
    keys = differentiated(block, args, case.loss, target_grad)
    grads = gradient_items(call_backward(block, out, u, case.loss, target_grad), [k for k, _ in keys])

    def loss(_=None) -> float:
        y = forward(block, args)
        return float(sum(np.sum(ui * yi) for (_, ui), (_, yi) in zip(output_items(u), output_items(y),
                                                                          strict=True)))

    checked = [(key.removeprefix("grad_"), f"fd_{key.removeprefix('grad_')}", x, g)
               for (key, x), (_, g) in zip(keys, grads, strict=True)
               if g is not None]  # a target torch does not differentiate (HingeEmbeddingLoss) has no gradient
    # a parameter the forward never reached keeps grad None (torch's too): its true gradient must then be 0
    checked += [(name, f"fd[{name}]", p.data, np.zeros_like(p.data) if p.grad is None else p.grad)
                for name, p in block.named_parameters()]
    share = min(1.0, FD_ELEMENTS / max(1, sum(x.size for _, _, x, _ in checked)))
    for name, check, x, g in checked:
        _check_by_central_differences(loss, x, g, share, rng, block=case.name, check=check, name=name,
                                      tol=case.tol.get("fd") or FD_TOL)


def _check_by_central_differences(loss, x: np.ndarray, g: np.ndarray, share: float, rng, *, block: str, check: str,
                                  name: str, tol) -> None:
    from scratch.gradcheck import directional_derivative, numerical_grad, numerical_grad_at

    if share >= 1.0 or x.size == 0:
        assert_close(g, numerical_grad(loss, x), block=block, check=check, tol=tol, inputs={name: x})
        return
    assert g.shape == x.shape, (check, g.shape, x.shape)
    idx = np.sort(rng.choice(x.size, max(1, math.ceil(share * x.size)), replace=False))
    # compared at full shape, NaN (equal to NaN) where not sampled: a failure names the real index and input value
    sampled, numerical = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    sampled.reshape(-1)[idx] = g.reshape(-1)[idx]
    numerical.reshape(-1)[idx] = numerical_grad_at(loss, x, idx)
    assert_close(sampled, numerical, block=block, check=check, tol=tol, inputs={name: x})
    v = rng.standard_normal(x.shape)
    v /= np.linalg.norm(v)
    assert_close(np.array([np.vdot(g, v)]), np.array([directional_derivative(loss, x, v)]), block=block,
                 check=f"{check}.v", tol=tol)


@cases
@dtypes
def test_train_eval_and_buffers_vs_torch(case, dtype, rng):
    """Several training steps, then the whole state_dict (params AND buffers) and the eval output match."""
    s, r = build_pair(case, dtype)
    assert s.training and r.training
    # entries whose state evolves (running statistics, a dropout stream) ask for their steps; for the rest one
    # training step before the state and eval comparison is enough (forward_backward already runs two passes)
    for _ in range(max(case.train_steps, 1)):
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
    expected = dict(output_items(forward(r, args)))
    for key, got in output_items(forward(s, args)):
        assert_close(got, expected[key], block=case.name, check=f"torch_init_{key}",
                     tol=case_tol(case, "forward", dtype), dtype=dtype)


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
    got_items, want_items = leaves(got[1]), leaves(expected[1])
    assert [k for k, _ in got_items] == [k for k, _ in want_items]
    for (key, g), (_, e) in zip(got_items, want_items, strict=True):
        if e is None or g is None:  # an output torch leaves out (MultiheadAttention's weights, need_weights=False)
            assert g is e is None, (key, g, e)
            continue
        assert g.shape == e.shape and g.dtype == e.dtype, (key, g.shape, g.dtype, e.shape, e.dtype)
        # judged by the tolerance of the dtype torch produced (mixed-dtype inputs may promote or not)
        assert_close(g[keep], e[keep], block=case.name, check=f"bad_input_forward{key}",
                     dtype=e.dtype if e.dtype.kind == "f" else dtype)
    if x.dtype.kind == "f" and all(np.size(e) for _, e in output_items(expected[1])):
        target_grad = wants_target_grad(s, args, case.loss)
        cots = cotangents(rng, expected[1])
        keys = [k for k, _ in differentiated(s, args, case.loss, target_grad)]
        outcomes = [outcome(lambda m=m, y=y: gradient_items(call_backward(m, y, cots, case.loss, target_grad),
                                                            keys)) for m, y in ((s, got[1]), (r, expected[1]))]
        assert_same_outcome(f"{case.name}/{bad.label} backward", *outcomes)
        if outcomes[1][0] == "ok":
            for (key, gs), (_, gr) in zip(outcomes[0][1], outcomes[1][1], strict=True):
                assert (gs is None) == (gr is None), key
                if gr is not None:
                    k = keep if key == "grad_input" else Ellipsis
                    assert_close(gs[k], gr[k], block=case.name, check=f"bad_input_{key}", dtype=gr.dtype)
            for (name, ps), (_, pr) in zip(s.named_parameters(), r.named_parameters(), strict=True):
                assert_close(ps.grad, pr.grad, block=case.name, check=f"bad_input_grad[{name}]", dtype=pr.dtype)


@pytest.mark.parametrize("case, bad", [(c, b) for c in CATALOG for b in c.bad_args],
                         ids=lambda v: getattr(v, "label", str(v)))
def test_invalid_hyper_parameters_like_torch(case, bad):
    expected = outcome(lambda: bad.make(Lib(reference.nn)))
    assert expected[0] == "raise", f"catalog error: torch accepts {bad.label}"
    assert_same_outcome(f"{case.name}/{bad.label}", outcome(lambda: bad.make(Lib(scratch.nn))), expected)
