"""The module protocol itself: parameters, buffers, state_dict, modes, zero_grad, error paths (vs torch)."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from tests.harness import assert_same_outcome, outcome


def _mlp(lib, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return lib.Sequential(lib.Linear(4, 5, dtype=dtype, rng=rng), lib.ReLU(), lib.Linear(5, 2, dtype=dtype, rng=rng))


def test_named_parameters_follow_torch_names_and_order():
    s, r = _mlp(S), _mlp(R)
    assert [n for n, _ in s.named_parameters()] == [n for n, _ in r.named_parameters()]
    assert [p.shape for p in s.parameters()] == [p.shape for p in r.parameters()]
    assert s[0].weight.shape == (5, 4), "Linear weight is (out, in) as torch's"


def test_backward_accumulates_and_zero_grad_resets(rng):
    s = _mlp(S)
    x = rng.standard_normal((3, 4))
    dy = rng.standard_normal((3, 2))
    s(x)
    s.backward(dy)
    first = [p.grad.copy() for p in s.parameters()]
    s(x)
    s.backward(dy)
    for g1, p in zip(first, s.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, 2 * g1, rtol=1e-14)
    s.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in s.parameters())
    s.zero_grad()
    assert all(p.grad is None for p in s.parameters())


def test_train_eval_propagates_to_children():
    s = _mlp(S)
    assert s.eval() is s and not any(m.training for m in s.modules())
    s.train()
    assert all(m.training for m in s.modules())


def test_backward_before_forward_raises_like_torch():
    assert_same_outcome("backward before forward", outcome(lambda: S.ReLU().backward(np.ones(3))),
                        outcome(lambda: R.ReLU().backward(np.ones(3))))


def test_cotangent_of_wrong_shape_raises_like_torch(rng):
    x = rng.standard_normal((3, 4))
    s, r = S.Tanh(), R.Tanh()
    s(x), r(x)
    bad = rng.standard_normal((4, 3))
    assert_same_outcome("wrong cotangent shape", outcome(lambda: s.backward(bad)), outcome(lambda: r.backward(bad)))


def _bn_mlp(lib, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return lib.Sequential(lib.Linear(2, 3, dtype=dtype, rng=rng), lib.BatchNorm1d(3, dtype=dtype), lib.ReLU(),
                          lib.Linear(3, 2, dtype=dtype, rng=rng))


def _mutated(sd, mutate: str):
    sd = OrderedDict(sd)
    if "missing" in mutate:
        sd.pop("0.bias"), sd.pop("1.running_var")
    if "unexpected" in mutate:  # keys unknown at the top level, under a child, and a child's name itself
        sd["4.weight"], sd["0.extra"], sd["x"], sd["1"] = (np.zeros(1),) * 4
    if "shape" in mutate:
        sd["0.weight"], sd["1.num_batches_tracked"] = np.zeros((2, 3)), np.zeros(3, np.int64)
    if "one" in mutate:  # torch's 0.3 compatibility: a (1,)-shaped value loads into a 0-d buffer
        sd["1.num_batches_tracked"] = np.array([7], np.int64)
    return sd


MUTATIONS = ["none", "missing", "unexpected", "shape", "missing+unexpected", "missing+unexpected+shape", "one"]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("mutate", MUTATIONS)
def test_load_state_dict_result_and_error_text_like_torch(mutate, strict):
    s, r = _bn_mlp(S), _bn_mlp(R, seed=1)
    r.load_state_dict(s.state_dict())  # one starting point, so the keys that do not load compare too
    sd = _mutated(_bn_mlp(S, seed=2).state_dict(), mutate)
    got = outcome(lambda: s.load_state_dict(sd, strict=strict))
    want = outcome(lambda: r.torch_module.load_state_dict(
        OrderedDict((k, torch.from_numpy(np.array(v))) for k, v in sd.items()), strict=strict))
    assert_same_outcome(f"{mutate}, strict={strict}", got, want)
    assert str(got[1]) == str(want[1])  # torch's exact text (torch.Size shapes), or '<All keys matched...>'
    if got[0] == "ok":
        assert repr(got[1]) == repr(want[1]) and tuple(got[1]) == tuple(want[1])
        assert got[1].missing_keys == want[1].missing_keys and got[1].unexpected_keys == want[1].unexpected_keys
    # what matched was loaded, even when an error is raised afterwards (torch copies module by module)
    for k, v in r.state_dict().items():
        np.testing.assert_array_equal(s.state_dict()[k], v, err_msg=k)


def test_load_state_dict_rejects_a_non_mapping_like_torch():
    got = outcome(lambda: _mlp(S).load_state_dict([1]))
    want = outcome(lambda: _mlp(R).torch_module.load_state_dict([1]))
    assert_same_outcome("list", got, want)
    assert str(got[1]) == str(want[1])


def test_load_state_dict_non_strict_and_dtype_cast():
    s = _mlp(S, dtype=np.float32)
    sd = {k: v.astype(np.float64) + 1 for k, v in _mlp(S).state_dict().items()}
    sd.pop("2.bias")
    s.load_state_dict(sd, strict=False)
    assert s[0].weight.dtype == np.float32, "loading casts into the parameter's dtype, as torch's copy_"
    np.testing.assert_array_equal(s[0].weight.data, sd["0.weight"].astype(np.float32))


def test_state_dict_is_a_copy():
    s = _mlp(S)
    sd = s.state_dict()
    sd["0.weight"][...] = 0
    assert np.any(s[0].weight.data != 0)


def test_invalid_dtype_rejected():
    with pytest.raises(TypeError):
        S.Linear(2, 2, dtype=np.int64)


def test_sequential_rejects_non_modules_like_torch():
    assert_same_outcome("non-module", outcome(lambda: S.Sequential(S.ReLU(), 3)),
                        outcome(lambda: torch.nn.Sequential(torch.nn.ReLU(), 3)))


def test_softmax_without_dim_warns_and_uses_torch_legacy_dim(rng):
    x = rng.standard_normal((2, 3, 4))
    with pytest.warns(UserWarning, match="Implicit dimension"):
        ys = S.Softmax()(x)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        yr = R.Softmax()(x)
    np.testing.assert_allclose(ys, yr, rtol=1e-12)


def test_repr_names_the_architecture():
    text = repr(_mlp(S))
    assert "Linear(in_features=4, out_features=5, bias=True)" in text and "(1): ReLU()" in text


def test_accumulate_copies_unless_it_owns_the_gradient(rng):
    p = S.Parameter(np.zeros(3))
    g = rng.standard_normal(3)
    p.accumulate(g)
    g[0] = 99.0  # the caller's array stays the caller's
    assert p.grad[0] != 99.0
    fresh = rng.standard_normal(3)
    q = S.Parameter(np.zeros(3))
    q.accumulate(fresh, owned=True)
    assert q.grad is fresh  # kept: no copy on the hot path
    base = rng.standard_normal((2, 3))
    v = S.Parameter(np.zeros(3))
    v.accumulate(base[0], owned=True)  # a view is never kept, even when called "owned"
    base[0, 0] = 99.0
    assert v.grad[0] != 99.0
    v.accumulate(fresh, owned=True)  # later accumulations add, never alias
    assert v.grad is not fresh


def test_a_cotangent_of_another_dtype_is_cast_to_the_output_dtype_like_torch():
    """torch's engine casts grad_output to the output's dtype: a float64 cotangent into a float32 block gives
    float32 gradients, equal to those of the cotangent cast first."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    dy = rng.standard_normal((3, 2))
    grads = []
    for cot in (dy, dy.astype(np.float32)):
        m = S.Linear(4, 2, rng=np.random.default_rng(1))
        m(x)
        grads.append((m.backward(cot), m.weight.grad))
    for got, want in zip(grads[0], grads[1], strict=True):
        assert got.dtype == np.float32 and np.array_equal(got, want)
    t = torch.nn.Linear(4, 2)
    out = t(torch.from_numpy(x))
    out.backward(torch.from_numpy(dy).to(torch.float32))
    assert t.weight.grad.dtype == torch.float32
