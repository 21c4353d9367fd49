"""MultiheadAttention checks beyond the generic catalog ones: a torch-free float64 oracle (per-head SDPA between
the projections), the two mask polarities, fully masked rows per path, the dropout site and its shared mask,
the is_causal hint, the packed self-attention path, torch's fast path (and the twin keeping it off), the init
bounds, and hypothesis over (N, L, S, E, heads, options) against torch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reference.nn as R
import scratch.nn as S
from tests.catalog import CATALOG  # noqa: F401  (first: the catalog imports every case family)

# isort: split
from tests.strategies import cotangent
from tests.test_attention import oracle
from tests.tolerances import Tol, assert_close

E, H = 6, 2


def pair(*args, dtype=np.float64, seed: int = 0, **kwargs):
    """A scratch MultiheadAttention and its twin holding the same parameters."""
    s = S.MultiheadAttention(*args, dtype=dtype, rng=np.random.default_rng(seed), **kwargs)
    r = R.MultiheadAttention(*args, dtype=dtype, rng=np.random.default_rng(seed), **kwargs)
    r.load_state_dict(s.state_dict())
    return s, r


def draw(rng, *shapes, dtype=np.float64):
    return tuple(rng.uniform(-2, 2, sh).astype(dtype) for sh in shapes)


def mha_oracle(m: S.MultiheadAttention, q, k, v, kpm=None, attn_mask=None):
    """Textbook multi-head attention in float64 from the module's parameters: project, split heads, per-head
    SDPA (tests/test_attention.py's oracle) with the additive mask, merge, out_proj. Time-major (L, N, E)."""
    sd = {name: np.asarray(a, np.float64) for name, a in m.state_dict().items()}
    e, h = m.embed_dim, m.num_heads
    if "in_proj_weight" in sd:
        wq, wk, wv = np.split(sd["in_proj_weight"], 3)
    else:
        wq, wk, wv = sd["q_proj_weight"], sd["k_proj_weight"], sd["v_proj_weight"]
    bq, bk, bv = np.split(sd["in_proj_bias"], 3) if "in_proj_bias" in sd else (0.0, 0.0, 0.0)
    Q, K, V = (np.einsum("tnd,ed->nte", x, w) + b for x, w, b in ((q, wq, bq), (k, wk, bk), (v, wv, bv)))
    n, L, S_ = Q.shape[0], Q.shape[1], K.shape[1]
    bias = np.zeros((n, h, L, S_))
    if attn_mask is not None:
        am = np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask
        bias = bias + (am if am.ndim == 2 else am.reshape(n, h, L, S_))
    if kpm is not None:
        bias = bias + (np.where(kpm, -np.inf, 0.0) if kpm.dtype == bool else kpm)[:, None, None, :]
    if "bias_k" in sd:  # one more key and value per sample, always allowed
        K = np.concatenate([K, np.broadcast_to(sd["bias_k"], (n, 1, e))], axis=1)
        V = np.concatenate([V, np.broadcast_to(sd["bias_v"], (n, 1, e))], axis=1)
        bias = np.concatenate([bias, np.zeros((n, h, L, 1))], axis=-1)
    heads = [x.reshape(n, -1, h, e // h).transpose(0, 2, 1, 3) for x in (Q, K, V)]
    if m.add_zero_attn:
        heads[1:] = [np.concatenate([x, np.zeros((n, h, 1, e // h))], axis=2) for x in heads[1:]]
        bias = np.concatenate([bias, np.zeros((n, h, L, 1))], axis=-1)
    out = oracle(*heads, mask=bias).transpose(0, 2, 1, 3).reshape(n, L, e)
    out = out @ sd["out_proj.weight"].T + sd.get("out_proj.bias", 0.0)
    return out.transpose(1, 0, 2)


ORACLE_CONFIGS = [
    ({}, ""), ({"kdim": 3, "vdim": 5}, ""), ({"add_bias_kv": True, "add_zero_attn": True}, "bool"),
    ({"bias": False}, "float"), ({"add_zero_attn": True}, "float"), ({}, "bool"),
]


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize(("options", "masks"), ORACLE_CONFIGS, ids=lambda v: str(v) if v else "-")
def test_forward_equals_per_head_sdpa_between_projections(options, masks, need_weights):
    rng = np.random.default_rng(3)
    m = S.MultiheadAttention(E, H, dtype=np.float64, rng=np.random.default_rng(1), **options)
    if "bias_k" in m.state_dict():
        m.in_proj_bias.data[...] = rng.standard_normal(3 * E)  # torch inits them 0: make them count
    q, k, v = draw(rng, (4, 3, E), (5, 3, options.get("kdim", E)), (5, 3, options.get("vdim", E)))
    kpm = am = None
    if masks == "bool":
        kpm, am = rng.random((3, 5)) < 0.3, rng.random((3 * H, 4, 5)) < 0.3
        kpm[:, 0] = am[..., 0] = False
    elif masks == "float":
        kpm, am = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    got = m(q, k, v, kpm, need_weights, am)[0]
    assert_close(got, mha_oracle(m, q, k, v, kpm, am), block="mha", check="oracle", tol=Tol(1e-13, 1e-13))


def test_mask_polarities_attn_mask_true_blocks_key_padding_true_ignores():
    """One allowed key per query row (attn_mask False there, True elsewhere): the weights are one-hot on it; the
    SDPA polarity (True = takes part) would give the complement. Padded keys get weight exactly 0."""
    rng = np.random.default_rng(4)
    m = S.MultiheadAttention(E, H, dtype=np.float64, rng=rng)
    q, k = draw(rng, (4, 3, E), (5, 3, E))
    pick = rng.integers(0, 5, 4)
    blocked = np.ones((4, 5), bool)
    blocked[np.arange(4), pick] = False
    w = m(q, k, k, attn_mask=blocked)[1]
    np.testing.assert_array_equal(w, np.broadcast_to(~blocked, (3, 4, 5)).astype(np.float64))
    kpm = np.zeros((3, 5), bool)
    kpm[0, [1, 3]] = kpm[2, 4] = True
    w = m(q, k, k, key_padding_mask=kpm)[1]
    assert (w[0][:, [1, 3]] == 0).all() and (w[2][:, 4] == 0).all() and (w[1] > 0).all()
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fully_padded_sample_nan_on_weights_path_zeros_on_sdpa_path_like_torch(dtype):
    rng = np.random.default_rng(5)
    s, r = pair(E, H, dtype=dtype)
    s.out_proj.bias.data[...] = r.torch_module.out_proj.bias.data.numpy()[...] = rng.standard_normal(E)
    q, k = draw(rng, (4, 3, E), (5, 3, E), dtype=dtype)
    kpm = np.zeros((3, 5), bool)
    kpm[1] = True
    out, w = s(q, k, k, kpm)
    want_out, want_w = r(q, k, k, kpm)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(want_out))
    np.testing.assert_array_equal(np.isnan(w), np.isnan(want_w))
    assert np.isnan(out[:, 1]).all() and not np.isnan(out[:, [0, 2]]).any() and np.isnan(w[1]).all()
    out = s(q, k, k, kpm, need_weights=False)[0]
    np.testing.assert_array_equal(out[:, 1], np.broadcast_to(s.out_proj.bias.data, (4, E)))  # attention 0
    r(q, k, k, kpm, need_weights=False)
    dy = cotangent(rng, out)
    got, want = s.backward(dy), r.backward(dy)
    for g, t in zip(got, want, strict=True):
        assert np.isfinite(g).all()
        assert_close(g, t, block="mha", check="padded sample grads", dtype=dtype)


def test_dropout_acts_on_the_returned_weights_with_the_generators_mask():
    """Training: the weights are P * keep / (1 - p) with keep = rng.random((N, h, L, S)) >= p from the module's
    mask generator, averaged over heads AFTER dropout (rows do not sum to 1); eval: no draw, rows sum to 1."""
    rng = np.random.default_rng(6)
    p = 0.4
    s, r = pair(E, H, dropout=p)
    q, k = draw(rng, (4, 3, E), (5, 3, E))
    s.rng, r.rng = np.random.default_rng(11), np.random.default_rng(11)
    w = s(q, k, k, average_attn_weights=False)[1]
    keep = np.random.default_rng(11).random((3, H, 4, 5)) >= p
    s.eval()
    w_eval = s(q, k, k, average_attn_weights=False)[1]
    np.testing.assert_allclose(w, w_eval * keep / (1 - p), rtol=1e-15, atol=0)
    assert not np.allclose(w.sum(-1), 1.0) and np.allclose(w_eval.sum(-1), 1.0)
    state = s.rng.bit_generator.state
    s(q, k, k)
    assert s.rng.bit_generator.state == state  # eval draws nothing
    assert_close(r(q, k, k, average_attn_weights=False)[1], w, block="mha", check="dropout weights",
                 dtype=np.float64)


def test_is_causal_is_a_hint_torch_trusts_on_the_sdpa_path():
    """is_causal=True with a NON-causal mask: on the SDPA path without key_padding_mask torch drops the mask and
    applies the causal one; with need_weights or a key_padding_mask the mask given is used. Both sides agree."""
    rng = np.random.default_rng(7)
    s, r = pair(E, H)
    x, = draw(rng, (4, 3, E))
    causal = np.triu(np.full((4, 4), -np.inf), 1)
    other = rng.standard_normal((4, 4))
    kpm = np.zeros((3, 4))  # float, like the masks (a bool one would only add torch's mixed-types warning)
    for m in (s, r):
        hint = m(x, x, x, None, False, other, True, True)[0]
        np.testing.assert_allclose(hint, m(x, x, x, None, False, causal)[0], rtol=1e-14)
        assert not np.allclose(hint, m(x, x, x, None, False, other)[0])
        np.testing.assert_allclose(m(x, x, x, None, True, other, True, True)[0], m(x, x, x, None, True, other)[0],
                                   rtol=1e-14)
        np.testing.assert_allclose(m(x, x, x, kpm, False, other, True, True)[0], m(x, x, x, kpm, False, other)[0],
                                   rtol=1e-14)


@pytest.mark.parametrize("need_weights", [True, False])
def test_self_attention_packed_product_equals_three_inputs(need_weights):
    """mha(x, x, x) runs one (N*L, E) x (E, 3E) projection and one dW_in product; separate copies run three."""
    rng = np.random.default_rng(8)
    m = S.MultiheadAttention(E, H, dtype=np.float64, rng=np.random.default_rng(2))
    x, = draw(rng, (4, 3, E))
    out = m(x, x, x, need_weights=need_weights)
    dy = [cotangent(rng, o) if o is not None else None for o in out]
    g_same = m.backward(*dy)
    w_same = m.in_proj_weight.grad.copy()
    m.zero_grad()
    out2 = m(x, x.copy(), x.copy(), need_weights=need_weights)
    g_sep = m.backward(*dy)
    for a, b in zip(out + g_same + (w_same,), out2 + g_sep + (m.in_proj_weight.grad,), strict=True):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


def test_torch_fast_path_differs_from_the_math_by_rounding_and_the_twin_keeps_it_off():
    rng = np.random.default_rng(9)
    s, r = pair(E, H, batch_first=True)
    s.eval(), r.eval()
    x, = draw(rng, (3, 4, E))
    kpm = np.zeros((3, 4), bool)
    kpm[0, 3] = True
    t = torch.from_numpy(x)
    kernels, outs = [], []
    with torch.no_grad():
        plain = torch.nn.MultiheadAttention(E, H, batch_first=True, dtype=torch.float64).eval()
        plain.load_state_dict(r.torch_module.state_dict())  # torch's own module: the fast path is on
        for run in (lambda: plain(t, t, t, key_padding_mask=torch.from_numpy(kpm), need_weights=False),
                    lambda: r(x, x, x, kpm, False)):
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
                outs.append(np.asarray(run()[0]))
            kernels.append({e.name for e in prof.events()})
    fast, slow = outs
    assert "aten::_native_multi_head_attention" in kernels[0]  # torch's fused fast path ran ...
    assert "aten::_native_multi_head_attention" not in kernels[1]  # ... and not in the twin
    assert torch.backends.mha.get_fastpath_enabled()  # restored after the twin's forward
    np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-14)
    assert_close(s(x, x, x, kpm, False)[0], slow, block="mha", check="vs torch's math path", dtype=np.float64)


def test_init_bounds_are_torchs():
    m = S.MultiheadAttention(64, 4, add_bias_kv=True, rng=np.random.default_rng(0))
    w = m.in_proj_weight.data
    bound = math.sqrt(6 / (64 + 3 * 64))  # xavier on the packed (3E, E) matrix
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert np.abs(m.out_proj.weight.data).max() <= 1 / 8 and np.abs(m.out_proj.weight.data).max() > 0.99 / 8
    assert not m.in_proj_bias.data.any() and not m.out_proj.bias.data.any()
    assert abs(np.concatenate([m.bias_k.data.ravel(), m.bias_v.data.ravel()]).std() - 1 / 8) < 0.02
    sep = S.MultiheadAttention(8, 2, kdim=24, rng=np.random.default_rng(0))
    assert np.abs(sep.k_proj_weight.data).max() <= math.sqrt(6 / 32) < np.abs(sep.q_proj_weight.data).max() * 2


OPTIONS = st.fixed_dictionaries({
    "bias": st.booleans(), "add_bias_kv": st.booleans(), "add_zero_attn": st.booleans(),
    "batch_first": st.booleans(), "kdim": st.sampled_from([None, 3]), "vdim": st.sampled_from([None, 5]),
})


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 3), L=st.integers(1, 4), S_=st.integers(1, 4), heads=st.sampled_from([1, 2, 3]),
       head_dim=st.integers(1, 3), options=OPTIONS, need_weights=st.booleans(), average=st.booleans(),
       masks=st.sampled_from(["", "bool", "float"]), seed=st.integers(0, 2**16))
def test_hypothesis_against_torch(n, L, S_, heads, head_dim, options, need_weights, average, masks, seed):
    """Forward, attn_output and attn_weights cotangents, every input and parameter gradient, float64."""
    e = heads * head_dim
    s, r = pair(e, heads, seed=seed, **options)
    rng = np.random.default_rng(seed)
    lay = (lambda t, d: (n, t, d)) if options["batch_first"] else (lambda t, d: (t, n, d))
    q, k, v = draw(rng, lay(L, e), lay(S_, options["kdim"] or e), lay(S_, options["vdim"] or e))
    kpm = am = None
    if masks == "bool":
        kpm, am = rng.random((n, S_)) < 0.3, rng.random((n * heads, L, S_)) < 0.3
        kpm[:, 0] = am[..., 0] = False
    elif masks == "float":
        kpm, am = rng.standard_normal((n, S_)), rng.standard_normal((L, S_))
    args = (q, k, v, kpm, need_weights, am, average)
    got, want = s(*args), r(*args)
    cots = tuple(None if o is None else cotangent(rng, o) for o in want)
    for key, a, b in zip(("out", "weights"), got, want, strict=True):
        assert (a is None) == (b is None)
        if b is not None:
            assert_close(a, b, block="mha", check=f"hypothesis {key}", dtype=np.float64)
    for i, (a, b) in enumerate(zip(s.backward(*cots), r.backward(*cots), strict=True)):
        assert_close(a, b, block="mha", check=f"hypothesis grad {i}", dtype=np.float64)
    for (name, p), (_, t) in zip(s.named_parameters(), r.named_parameters(), strict=True):
        assert_close(p.grad, t.grad, block="mha", check=f"hypothesis grad {name}", dtype=np.float64)
