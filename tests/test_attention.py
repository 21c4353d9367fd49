"""ScaledDotProductAttention checks beyond the generic catalog ones: a torch-free float64 oracle, the mask polarity,
fully masked rows, the dropout site and its mask, is_causal as an explicit mask, GQA as explicit repetition, the
float64 agreement with torch, and the torch 2.13 facts the implementation relies on (or departs from).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import reference.nn as R
import scratch.nn as S
from conftest import DTYPES
from scratch.gradcheck import numerical_grad
from tests.catalog import CATALOG  # first: the catalog imports every case family

# isort: split
from tests.cases.attention import MASK_SEED, attn
from tests.harness import build_pair, compare_pair, run
from tests.strategies import cotangent
from tests.structure import cotangents
from tests.tolerances import FD_TOL, Tol, assert_close

dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
MATH = torch.ops.aten._scaled_dot_product_attention_math
ATTENTION = [c for c in CATALOG if c.family == "attention"]


def oracle(q, k, v, mask=None, scale=None, keep=None, p=0.0):
    """The textbook formula in float64, written out: softmax(Q K^T * scale + bias) V, a row that is -inf
    everywhere gives 0; dropout (keep, p) on the weights after the softmax, kept weights scaled by 1/(1-p)."""
    q, k, v = (np.asarray(a, np.float64) for a in (q, k, v))
    scores = np.einsum("...le,...se->...ls", q, k) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        scores = scores + (np.where(mask, 0.0, -np.inf) if mask.dtype == bool else mask.astype(np.float64))
    full = np.all(scores == -np.inf, axis=-1, keepdims=True)
    e = np.exp(scores - np.where(full, 0.0, scores.max(axis=-1, keepdims=True)))
    weights = np.where(full, 0.0, e / np.where(full, 1.0, e.sum(axis=-1, keepdims=True)))
    if keep is not None:
        weights = weights * keep / (1 - p)
    return np.einsum("...ls,...sv->...lv", weights, v)


def _draw(shape, seed=0):
    return attn()(np.random.default_rng(seed), np.float64, shape)


@pytest.mark.parametrize("mask", ["", "bool", "bool_full", "float", "float_inf"])
@pytest.mark.parametrize("scale", [None, 0.37, -1.3])
def test_forward_equals_a_torch_free_float64_oracle(mask, scale):
    rng = np.random.default_rng(1)
    args = attn(mask, lambda b, L, S: b[:1] + (1, L, S))(rng, np.float64, (2, 3, 4, 6, 5, 7))
    got = S.ScaledDotProductAttention(scale=scale)(*args)
    assert_close(got, oracle(*args, scale=scale), block="sdpa", check=f"oracle_{mask}", tol=Tol(1e-13, 1e-13))


@dtypes
def test_bool_mask_true_takes_part(dtype):
    """One True per row: the weights are one-hot on that key, so the output row IS that value row; the inverted
    mask (and MultiheadAttention's polarity) gives something else; an all-True mask is no mask."""
    q, k, v = (a.astype(dtype) for a in _draw((2, 4, 6, 3, 5)))
    pick = np.random.default_rng(2).integers(0, 6, (2, 4))
    mask = np.zeros((2, 4, 6), bool)
    np.put_along_axis(mask, pick[..., None], True, axis=-1)
    m = S.ScaledDotProductAttention()
    np.testing.assert_array_equal(m(q, k, v, mask), np.take_along_axis(v, pick[..., None], axis=1))
    assert not np.allclose(m(q, k, v, ~mask), m(q, k, v, mask))
    np.testing.assert_array_equal(m(q, k, v, np.ones((4, 6), bool)), m(q, k, v))


@dtypes
@pytest.mark.parametrize("kind", ["bool", "float -inf"])
def test_fully_masked_rows_give_zeros_and_zero_gradients_like_torch_math_path(dtype, kind):
    """torch's math path (``_safe_softmax``) returns 0, not NaN, for a row masked everywhere, and zero gradients;
    scratch does the same, and equals torch's math op on every output and gradient."""
    q, k, v = (a.astype(dtype) for a in _draw((2, 4, 6, 3, 5)))
    mask = np.ones((2, 4, 6), bool)
    mask[0, 1] = mask[1, 3] = False
    if kind != "bool":
        mask = np.where(mask, np.random.default_rng(3).standard_normal(mask.shape), -np.inf).astype(dtype)
    s = S.ScaledDotProductAttention()
    y = s(q, k, v, mask)
    dy = cotangent(np.random.default_rng(4), y)
    grads = s.backward(dy)
    assert np.all(y[0, 1] == 0) and np.all(y[1, 3] == 0) and np.isfinite(y).all()
    assert np.all(grads[0][0, 1] == 0) and np.all(grads[0][1, 3] == 0)
    t = [torch.from_numpy(a).requires_grad_(a.dtype != bool) for a in (q, k, v, mask)]
    bias = t[3] if kind != "bool" else torch.zeros(mask.shape, dtype=t[0].dtype).masked_fill_(~t[3], -np.inf)
    out, _ = MATH(t[0], t[1], t[2], bias)
    out.backward(torch.from_numpy(dy))
    want = [out] + [x.grad for x in t if x.requires_grad]
    for i, (g, w) in enumerate(zip((y, *grads), want, strict=True)):
        assert_close(g, w.detach().numpy(), block="sdpa", check=f"fully_masked_{kind}_{i}", dtype=dtype)


@pytest.mark.parametrize("L, S_", [(4, 7), (5, 5), (7, 4)])
def test_is_causal_is_the_top_left_lower_triangular_mask(L, S_):
    args = _draw((2, 3, L, S_, 4, 5))
    dy = cotangent(np.random.default_rng(5), np.zeros((2, 3, L, 5)))
    causal, masked = S.ScaledDotProductAttention(is_causal=True), S.ScaledDotProductAttention()
    y1, y2 = causal(*args), masked(*args, np.tri(L, S_, dtype=bool))
    np.testing.assert_array_equal(y1, y2)
    for g1, g2 in zip(causal.backward(dy), masked.backward(dy), strict=True):
        np.testing.assert_array_equal(g1, g2)
    if L != S_:  # not the bottom-right alignment some libraries use
        assert not np.allclose(y1, masked(*args, np.tri(L, S_, S_ - L, dtype=bool)))


@pytest.mark.parametrize("g_k, g_v", [(3, 3), (2, 3), (6, 1)])
def test_gqa_is_repeat_interleave_of_the_kv_heads(g_k, g_v):
    """enable_gqa equals repeating each key/value head g times in place (repeat_interleave), not tiling; the
    gradients are the explicit ones summed over each group."""
    rng = np.random.default_rng(6)
    q, k, v = rng.standard_normal((2, 6, 4, 5)), rng.standard_normal((2, 6 // g_k, 3, 5)), \
        rng.standard_normal((2, 6 // g_v, 3, 2))
    gqa, plain = S.ScaledDotProductAttention(enable_gqa=True), S.ScaledDotProductAttention()
    y = gqa(q, k, v)
    dy = cotangent(rng, y)
    kr, vr = np.repeat(k, g_k, axis=1), np.repeat(v, g_v, axis=1)
    assert_close(y, plain(q, kr, vr), block="sdpa_gqa", check="repeat", tol=Tol(0, 1e-15))
    (dq, dk, dv), (dq_plain, dkr, dvr) = gqa.backward(dy), plain.backward(dy)
    assert_close(dq, dq_plain, block="sdpa_gqa", check="grad_query", tol=Tol(0, 1e-15))
    for got, (full, x, g) in zip((dk, dv), [(dkr, k, g_k), (dvr, v, g_v)], strict=True):
        assert_close(got, full.reshape(x.shape[:2] + (g,) + x.shape[2:]).sum(2), block="sdpa_gqa", check="grad",
                     tol=Tol(1e-14, 1e-14))
    if g_k > 1 and g_k < 6:
        assert not np.allclose(y, plain(q, np.tile(k, (1, g_k, 1, 1)), vr))


def _dropout_pair(p, seed=MASK_SEED, **kw):
    return (S.ScaledDotProductAttention(p, rng=np.random.default_rng(seed), **kw),
            R.ScaledDotProductAttention(p, rng=np.random.default_rng(seed), **kw))


@dtypes
@pytest.mark.parametrize("p", [0.1, 0.45, 0.8])
def test_dropout_is_on_the_weights_after_softmax_with_the_documented_mask(dtype, p):
    """keep = rng.random(weights.shape) >= p (one draw per training forward), weights kept after the softmax
    scaled by 1/(1-p): the torch-free oracle with that mask; the twin (which hands the same mask to torch's math
    op) agrees; eval mode draws nothing and drops nothing."""
    q, k, v = (a.astype(dtype) for a in _draw((2, 3, 4, 6, 5, 7)))
    mask = np.random.default_rng(7).random((2, 1, 4, 6)) < 0.8
    s, r = _dropout_pair(p)
    keep = np.random.default_rng(MASK_SEED).random((2, 3, 4, 6)) >= p
    ys, yr = s(q, k, v, mask), r(q, k, v, mask)
    tol = Tol(1e-12, 1e-12) if dtype == np.float64 else None
    assert_close(ys, oracle(q, k, v, mask, keep=keep, p=p).astype(dtype), block="sdpa_dropout", check="oracle",
                 tol=tol, dtype=dtype)
    assert_close(ys, yr, block="sdpa_dropout", check="twin", dtype=dtype)
    state = s.rng.bit_generator.state
    s.eval()
    assert_close(s(q, k, v, mask), oracle(q, k, v, mask).astype(dtype), block="sdpa_dropout", check="eval",
                 tol=tol, dtype=dtype)
    assert s.rng.bit_generator.state == state, "eval must not draw"


def test_dropout_gradients_equal_finite_differences_with_a_fixed_mask():
    """Each forward gets a fresh, identically seeded generator, so the loss is a fixed function (one mask)."""
    q, k, v = _draw((2, 3, 4, 5, 3, 2))
    fmask = np.random.default_rng(8).standard_normal((4, 5))
    args = [q, k, v, fmask]
    u = cotangent(np.random.default_rng(9), np.zeros((2, 3, 4, 2)))

    def module():
        return S.ScaledDotProductAttention(0.4, rng=np.random.default_rng(10))

    m = module()
    m(*args)
    grads = m.backward(u)
    for i, x in enumerate(args):
        num = numerical_grad(lambda _: float(np.sum(u * module()(*args))), x)
        assert_close(grads[i], num, block="sdpa_dropout", check=f"fd_fixed_mask_{i}", tol=FD_TOL)


def test_twin_draw_path_equals_torchs_public_function():
    """The twin's injected-mask path (math op + converted bool mask) is torch's own function: with p = 1e-17 the
    drawn mask keeps everything and 1/(1-p) rounds to 1: it must equal F.scaled_dot_product_attention."""
    q, k, v = (torch.from_numpy(a) for a in _draw((2, 3, 4, 6, 5, 7)))
    mask = torch.from_numpy(np.random.default_rng(11).random((4, 6)) < 0.6)
    mask[:, 0] = True
    twin = R.ScaledDotProductAttention(1e-17, rng=np.random.default_rng(0)).torch_module
    for kw in ({}, {"attn_mask": mask}, {"is_causal": True}):
        twin.is_causal = kw.get("is_causal", False)
        got = twin(q, k, v, kw.get("attn_mask"))
        torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k, v, **kw), rtol=0, atol=1e-15)


@pytest.mark.parametrize("case", ATTENTION, ids=str)
def test_float64_agrees_with_torch_to_1e13(case, rng):
    """float64 forward and every gradient at scale 1 within 1e-13 (measured worst 2.2e-15): the twin computes
    the same expression, so the default 1e-7 would hide a wrong constant."""
    s, r = build_pair(case, np.float64)
    args = case.sample(rng, np.float64, case.shape, 1.0)
    cots = []
    want = run(case, r, args, lambda out: cots.append(cotangents(rng, out)) or cots[0], False, check_nesting=False)
    got = run(case, s, args, cots[0], False)
    for key in want:
        assert_close(got[key], want[key], block=case.name, check=f"float64_tight_{key}", tol=Tol(1e-13, 1e-13))


# -- torch 2.13 facts: where torch's kernel choice changes the answer, scratch follows the math path -------------

def test_torch_flash_kernel_accepts_a_value_of_the_wrong_length_scratch_raises():
    """4-d inputs with E == Ev take the CPU flash kernel, which does not check value's S against key's: it
    silently uses the first S_v keys. The math path (3-d input) raises RuntimeError, as scratch does."""
    q, k, v = (torch.from_numpy(a) for a in _draw((1, 1, 4, 6, 5, 5)))
    v5 = v[..., :5, :]
    got = F.scaled_dot_product_attention(q, k, v5)
    torch.testing.assert_close(got, F.scaled_dot_product_attention(q, k[..., :5, :], v5))
    with pytest.raises(RuntimeError):
        F.scaled_dot_product_attention(q[0], k[0], v5[0])
    with pytest.raises(RuntimeError):
        S.ScaledDotProductAttention()(q.numpy(), k.numpy(), v5.numpy())


def test_torch_flash_selection_rejects_a_low_rank_bool_mask_scratch_broadcasts_it():
    """A 1-d bool mask on 4-d inputs: torch's CPU kernel selection indexes mask.size(-2) (IndexError) although the
    math path (and 3-d inputs, and a float mask that requires grad) broadcast it; scratch broadcasts it always."""
    q, k, v = _draw((2, 3, 4, 6, 5, 5))
    mask = np.array([True, False, True, True, False, True])
    tq, tk, tv, tm = (torch.from_numpy(a) for a in (q, k, v, mask))
    with pytest.raises(IndexError):
        F.scaled_dot_product_attention(tq, tk, tv, tm)
    bias = torch.zeros(6, dtype=torch.float64).masked_fill_(~tm, -np.inf)
    assert_close(S.ScaledDotProductAttention()(q, k, v, mask), MATH(tq, tk, tv, bias)[0].numpy(), block="sdpa",
                 check="1d_bool_mask_math", tol=Tol(1e-13, 1e-13))


def test_torch_early_return_shapes_the_output_by_the_query_alone():
    """An empty value (or query) returns zeros of shape (*query[:-1], Ev) before any check: the value's extra
    batch dim and a wrong E are ignored. scratch mirrors it."""
    q, k, v = np.ones((4, 5)), np.ones((0, 4)), np.ones((2, 0, 3))
    want = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)))
    got = S.ScaledDotProductAttention()(q, k, v)
    assert got.shape == tuple(want.shape) == (4, 3) and not got.any()


@dtypes
def test_math_op_scales_q_and_k_by_sqrt_scale_and_v_by_the_dropout_factor(dtype):
    """The order torch's math path uses (checked bit for bit against torch's own ops): scores =
    (q * sqrt(s)) @ (k * sqrt(s))^T; with a dropout mask, out = where(keep, P, 0) @ (v * (1/(1-p)))."""
    tdt = torch.float32 if dtype == np.float32 else torch.float64
    q, k, v = (torch.from_numpy(a.astype(dtype)) for a in _draw((3, 10, 12, 5, 7)))
    f = (1 / np.sqrt(5)) ** 0.5
    p = torch.softmax((q * f) @ (k.transpose(-1, -2) * f), -1)
    out, w = MATH(q, k, v)
    assert torch.equal(w, p) and torch.equal(out, p @ v)
    keep = torch.from_numpy(np.random.default_rng(12).random((3, 10, 12)) >= 0.3)
    out, w = MATH(q, k, v, None, 0.3, dropout_mask=keep)
    assert torch.equal(out, p.masked_fill(~keep, 0) @ (v * (1 / (1 - 0.3)))) and w.dtype == tdt


@pytest.mark.parametrize("where", [0, 1, 2], ids=["query", "key", "value"])
@pytest.mark.parametrize("value", [np.inf, -np.inf, np.nan], ids=["inf", "-inf", "nan"])
def test_a_nonfinite_input_gives_torchs_nans_without_a_warning(where, value, rng):
    """One inf or NaN in one input: torch's pattern of NaN / inf, forward and backward, and no RuntimeWarning
    (inf - inf in the scores or the softmax, 0 * inf in the products; scratch's RuntimeWarnings are errors in this
    suite, pyproject)."""
    case = next(c for c in CATALOG if c.name == "sdpa_3d")
    s, r = build_pair(case, np.float64)
    args = [a.copy() for a in case.sample(rng, np.float64, case.shape, 1.0)]
    args[where].flat[3] = value
    compare_pair(case, np.float64, s, r, tuple(args), rng, prefix=f"{value} in input {where}:")
