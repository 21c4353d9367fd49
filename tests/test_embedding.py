"""Embedding checks the generic catalog checks cannot express: the weight a max_norm forward renormalizes in place
(exact formula, vs torch in float32 and float64, EmbeddingBag too); the N(0, 1) init with an exactly zero padding
row; from_pretrained (freeze, unzeroed padding row, shared memory); state_dict keys; torch-free float64 oracles
(Embedding = one-hot @ weight, EmbeddingBag = a loop over bags); exactly zero padding gradients; frequencies
counted over the whole batch (and torch 2.13's EmbeddingBag divisor); torch's max tie routing; decreasing
offsets and trailing entries; sparse twins."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from conftest import DTYPES
from tests.test_init import assert_same_distribution
from tests.tolerances import assert_close

dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)


def pair(cls: str, *args, dtype=np.float64, **kw):
    """The scratch block and its twin holding the same weight."""
    s = getattr(S, cls)(*args, dtype=dtype, rng=np.random.default_rng(0), **kw)
    r = getattr(R, cls)(*args, dtype=dtype, **kw)
    r.load_state_dict(s.state_dict())
    return s, r


def torch_weight(r) -> np.ndarray:
    return r.torch_module.weight.detach().numpy()


# -- max_norm: the in-place renorm -----------------------------------------------------------------------------
W = np.array([[3.0, 4.0, 0.0], [0.5, 0.0, 0.0], [-2.0, 2.0, 1.0], [10.0, 10.0, 10.0], [0.0, 0.0, 0.0]])


@dtypes
@pytest.mark.parametrize("cls, args", [("Embedding", (np.array([0, 1, 2, 2, 4]),)),
                                       ("EmbeddingBag", (np.array([0, 1, 2, 2, 4]), np.array([0, 2])))])
def test_max_norm_renormalizes_referenced_rows_in_place_by_the_exact_formula(cls, args, dtype):
    """Rows with exact 2-norms (5 and 3) above max_norm 1 become row * float(1 / (norm + 1e-7)), bit for bit as
    torch; a row below max_norm, a zero row and an unreferenced row (norm 17) stay as they were."""
    s, r = pair(cls, 5, 3, dtype=dtype, max_norm=1.0, _weight=W.astype(dtype))
    s(*args), r(*args)
    want = W.astype(dtype).copy()
    for row, norm in ((0, 5.0), (2, 3.0)):
        want[row] = want[row] * np.asarray(1.0 / (norm + 1e-7), dtype)  # the scale in double, rounded once
    np.testing.assert_array_equal(s.weight.data, want)
    np.testing.assert_array_equal(torch_weight(r), want)


@dtypes
@pytest.mark.parametrize("norm_type, max_norm", [(2.0, 1.5), (1.0, 2.5), (3.0, 1.2), (np.inf, 1.0), (0.5, 9.0)])
@pytest.mark.parametrize("cls", ["Embedding", "EmbeddingBag"])
def test_mutated_weight_after_max_norm_forwards_matches_torch(cls, norm_type, max_norm, dtype, rng):
    """Random rows, about half above max_norm, repeated indices, three forwards: torch's mutated weight."""
    s, r = pair(cls, 12, 4, dtype=dtype, max_norm=max_norm, norm_type=norm_type)
    before = s.weight.data.copy()
    for _ in range(3):
        x = rng.integers(0, 9, 10)  # rows 9..11 never referenced
        args = (x,) if cls == "Embedding" else (x, np.array([0, 4, 4]))
        assert_close(s(*args), r(*args), block=cls, check="max_norm forward", dtype=dtype)
        assert_close(s.weight.data, torch_weight(r), block=cls, check="max_norm weight", dtype=dtype)
    changed = np.any(s.weight.data != before, axis=1)
    assert 0 < changed.sum() < 9 and not changed[9:].any()
    np.testing.assert_array_equal(changed, np.any(torch_weight(r) != before, axis=1))


def test_max_norm_gradient_is_the_plain_lookups(rng):
    """The gradient does not pass through the renorm: it is the lookup's, as if the weight had been renormed
    before the call."""
    s = S.Embedding(6, 3, max_norm=0.5, dtype=np.float64, rng=rng)
    x, dy = np.array([[0, 1], [1, 5]]), rng.standard_normal((2, 2, 3))
    s(x), s.backward(dy)
    plain = S.Embedding(6, 3, _weight=s.weight.data.copy(), dtype=np.float64)
    plain(x), plain.backward(dy)
    np.testing.assert_array_equal(s.weight.grad, plain.weight.grad)


# -- init, from_pretrained, state_dict -------------------------------------------------------------------------
@pytest.mark.parametrize("padding_idx, row", [(None, None), (3, 3), (-2, 8)])
def test_init_is_standard_normal_with_an_exactly_zero_padding_row(padding_idx, row):
    ws = [S.Embedding(10, 8, padding_idx=padding_idx, rng=np.random.default_rng(k)).weight.data for k in range(12)]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        wt = [torch.nn.Embedding(10, 8, padding_idx=padding_idx).weight.detach().numpy() for _ in range(12)]
    keep = np.ones(10, bool)
    if row is not None:
        keep[row] = False
        assert all(not w[row].any() for w in ws) and all(not w[row].any() for w in wt)
    assert all(w.dtype == np.float32 and w[keep].all() for w in ws)
    assert_same_distribution(np.stack(ws)[:, keep], np.stack(wt)[:, keep], block="embedding init", dtype=np.float32)
    assert np.array_equal(ws[0], S.Embedding(10, 8, padding_idx=padding_idx, rng=np.random.default_rng(0)).weight.data)


@pytest.mark.parametrize("cls", ["Embedding", "EmbeddingBag"])
def test_from_pretrained_freezes_shares_and_keeps_the_padding_row(cls, rng):
    w = rng.standard_normal((5, 3))
    frozen = getattr(S, cls).from_pretrained(w)
    assert frozen.weight.data is w and not frozen.weight.requires_grad
    assert not getattr(R, cls).from_pretrained(w).torch_module.weight.requires_grad
    x = np.array([[1, 2]])
    frozen.backward(np.ones_like(frozen(x)))
    assert frozen.weight.grad is None
    s, r = (getattr(m, cls).from_pretrained(w.copy(), freeze=False, padding_idx=1) for m in (S, R))
    assert s.weight.requires_grad and s.padding_idx == 1 and s.weight.data[1].all()  # not zeroed
    y = s(x)
    np.testing.assert_array_equal(y, r(x))
    np.testing.assert_array_equal(y[0, 0] if cls == "Embedding" else y[0], w[1] if cls == "Embedding" else w[2])
    dy = rng.standard_normal(y.shape)
    s.backward(dy), r.backward(dy)
    np.testing.assert_array_equal(s.weight.grad, r.torch_module.weight.grad.numpy())
    assert not s.weight.grad[1].any()
    # torch's Parameter shares the tensor it is given, so a max_norm forward renormalizes the caller's array
    t = torch.from_numpy(w.copy() * 10)
    torch.nn.Embedding.from_pretrained(t, max_norm=1.0)(torch.tensor([0]))
    mine = w.copy() * 10
    S.Embedding.from_pretrained(mine, max_norm=1.0)(np.array([0]))
    assert_close(mine, t.numpy(), block=cls, check="shared weight", dtype=np.float64)


@pytest.mark.parametrize("cls, kw", [("Embedding", dict(padding_idx=0, sparse=True)),
                                     ("EmbeddingBag", dict(mode="max", padding_idx=-1))])
def test_state_dict_is_torchs(cls, kw):
    s = getattr(S, cls)(4, 3, **kw)
    t = getattr(torch.nn, cls)(4, 3, **kw)
    assert list(s.state_dict()) == list(t.state_dict()) == ["weight"]
    assert s.state_dict()["weight"].shape == (4, 3) and s.state_dict()["weight"].dtype == np.float32
    s.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    np.testing.assert_array_equal(s.weight.data, t.weight.detach().numpy())


# -- torch-free oracles (float64, tiny) ------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=2), dict(scale_grad_by_freq=True, padding_idx=-1)])
def test_embedding_is_one_hot_times_weight(kw, rng):
    s = S.Embedding(5, 3, dtype=np.float64, rng=rng, **kw)
    x = np.array([[0, 2, 2], [4, 1, 2]])
    dy = rng.standard_normal((2, 3, 3))
    onehot = np.eye(5)[x.reshape(-1)]  # (6, 5)
    np.testing.assert_allclose(s(x), (onehot @ s.weight.data).reshape(2, 3, 3), rtol=0, atol=1e-15)
    assert s.backward(dy) is None
    g = onehot.T @ dy.reshape(6, 3)  # one-hot^T dy, every row's count over the whole batch
    if kw.get("scale_grad_by_freq"):
        g /= np.maximum(onehot.sum(0), 1)[:, None]
    if s.padding_idx is not None:
        g[s.padding_idx] = 0
    np.testing.assert_allclose(s.weight.grad, g, rtol=0, atol=1e-15)


def bag_oracle(w, x, offsets, mode, pad, psw, dy):
    """A loop over bags (the documented semantics): output, weight gradient, per_sample_weights gradient."""
    ends = list(offsets[1:]) + [len(x)]
    out, gw, gp = np.zeros((len(offsets), w.shape[1])), np.zeros_like(w), np.zeros(len(x))
    for b, (lo, hi) in enumerate(zip(offsets, ends, strict=True)):
        entries = [i for i in range(lo, hi) if x[i] != pad]
        if not entries:
            continue
        if mode == "max":
            for j in range(w.shape[1]):
                first = max(entries, key=lambda i, j=j: (w[x[i], j], -i))  # the first entry holding the max
                out[b, j] = w[x[first], j]
                gw[x[first], j] += dy[b, j]
            continue
        div = len(entries) if mode == "mean" else 1
        for i in entries:
            c = psw[i] if psw is not None else 1.0
            out[b] += c * w[x[i]] / div
            gw[x[i]] += c * dy[b] / div
            gp[i] = dy[b] @ w[x[i]]
    return out, gw, gp


@pytest.mark.parametrize("mode, pad, with_psw", [("sum", None, True), ("sum", 3, True), ("mean", None, False),
                                                 ("mean", 3, False), ("max", None, False), ("max", 3, False)])
def test_embedding_bag_matches_a_loop_over_bags(mode, pad, with_psw, rng):
    w = rng.integers(-2, 3, (6, 3)).astype(np.float64)  # small integers: ties in max, exact sums
    x = np.array([3, 1, 3, 0, 5, 5, 2, 3, 3, 1])
    offsets = np.array([0, 0, 3, 4, 7])  # an empty bag, a bag of padding when pad = 3 ([3] and [3, 3, 1])
    psw = rng.standard_normal(10) if with_psw else None
    s = S.EmbeddingBag(6, 3, mode=mode, padding_idx=pad, _weight=w.copy(), dtype=np.float64)
    y = s(x, offsets, psw)
    dy = rng.standard_normal(y.shape)
    out, gw, gp = bag_oracle(w, x, offsets, mode, pad, psw, dy)
    np.testing.assert_allclose(y, out, rtol=1e-14, atol=1e-14)
    g = s.backward(dy)
    np.testing.assert_allclose(s.weight.grad, gw, rtol=1e-14, atol=1e-14)
    if with_psw:
        np.testing.assert_allclose(g, gp, rtol=1e-14, atol=1e-14)
    else:
        assert g is None


# -- padding and frequencies -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kw, args", [
    ("Embedding", dict(padding_idx=2, scale_grad_by_freq=True), (np.array([[2, 2, 1], [2, 0, 2]]),)),
    ("EmbeddingBag", dict(mode="sum", padding_idx=2, scale_grad_by_freq=True), (np.array([[2, 2, 1], [2, 0, 2]]),)),
    ("EmbeddingBag", dict(mode="mean", padding_idx=-3), (np.array([2, 2, 1, 0]), np.array([0, 2]))),
])
def test_padding_row_gradient_is_exactly_zero(cls, kw, args, rng):
    for lib in (S, R):
        m = getattr(lib, cls)(5, 3, rng=np.random.default_rng(0), **kw)
        y = m(*args)
        m.backward(rng.standard_normal(y.shape).astype(y.dtype))
        grad = dict(m.named_parameters())["weight"].grad
        assert not grad[2].any() and grad[[0, 1]].all(), lib.__name__


def test_scale_grad_by_freq_counts_over_the_whole_batch(rng):
    """Index 3 occurs once in each of two rows: each occurrence's gradient is halved (not per-row counts)."""
    s, r = pair("Embedding", 5, 2, scale_grad_by_freq=True)
    x, dy = np.array([[3, 1], [3, 3], [0, 1]]), rng.standard_normal((3, 2, 2))
    s(x), r(x), s.backward(dy), r.backward(dy)
    np.testing.assert_allclose(s.weight.grad[3], (dy[0, 0] + dy[1, 0] + dy[1, 1]) / 3, rtol=1e-15)
    np.testing.assert_allclose(s.weight.grad[1], (dy[0, 1] + dy[2, 1]) / 2, rtol=1e-15)
    np.testing.assert_allclose(s.weight.grad, r.torch_module.weight.grad.numpy(), rtol=1e-15)


MIXED_COUNTS = [([1, 1, 3], [0, 1, 0, 1, 0, 0]), ([0, 0, 0, 1, 3, 3, 4], [1, 1, 0, 1, 1, 0])]


@pytest.mark.parametrize("idx, want", MIXED_COUNTS + [([2, 2, 5, 5], [0, 0, 1, 0, 0, 1])])
def test_embedding_bag_frequency_divisor_is_the_true_count(idx, want):
    """Each index's summed gradient, divided by its own frequency (the documented rule): 1 for every index
    present, whatever the other indices' counts (torch-free oracle)."""
    m = S.EmbeddingBag.from_pretrained(np.ones((6, 1)), freeze=False, mode="sum", scale_grad_by_freq=True)
    m.backward(np.ones_like(m(np.array(idx), np.array([0]))))
    np.testing.assert_allclose(m.weight.grad[:, 0], want, rtol=1e-15)


@pytest.mark.xfail(strict=True, reason="torch 2.13's CPU EmbeddingBag divides the g-th distinct index by "
                   "counts[sorted(input)[g]] instead of its own count (pytorch#190063, fixed by PR #190264 after "
                   "2.13): [1, 1, 3] gives row 3 a gradient of 0.5. The catalog's EmbeddingBag scale_grad_by_freq "
                   "entries draw equal counts, where torch is right.")
@pytest.mark.parametrize("idx, want", MIXED_COUNTS)
def test_torch_embedding_bag_frequency_divisor_with_mixed_counts(idx, want):
    m = R.EmbeddingBag.from_pretrained(np.ones((6, 1)), freeze=False, mode="sum", scale_grad_by_freq=True)
    m.backward(np.ones_like(m(np.array(idx), np.array([0]))))
    np.testing.assert_allclose(dict(m.named_parameters())["weight"].grad[:, 0], want, rtol=1e-15)


# -- EmbeddingBag: ties, offsets ------------------------------------------------------------------------------
def test_max_ties_route_to_the_first_entry_of_the_bag_like_torch():
    w = np.array([[1.0, 2.0], [1.0, 0.0], [0.0, 2.0]])
    x, dy = np.array([[0, 1, 2], [2, 1, 0], [1, 1, 2]]), np.array([[1.0, 10.0], [100.0, 1e3], [1e4, 1e5]])
    for lib in (S, R):
        m = lib.EmbeddingBag.from_pretrained(w, freeze=False, mode="max")
        np.testing.assert_array_equal(m(x), [[1.0, 2.0]] * 3)
        m.backward(dy)
        np.testing.assert_array_equal(dict(m.named_parameters())["weight"].grad,
                                      [[1.0, 10.0], [10100.0, 0.0], [0.0, 101000.0]])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@dtypes
def test_decreasing_offsets_raise_runtime_error(mode, dtype):
    """scratch raises in every mode and dtype. torch has no defined result to compare with: its float32 sum/mean
    path (fbgemm, no padding) raises RuntimeError with several threads but returns uninitialized memory with
    one (the suite's setting), and its other paths return bags of negative size (docs/torch_facts.md)."""
    with pytest.raises(RuntimeError, match="non-decreasing"):
        S.EmbeddingBag(5, 3, mode=mode, dtype=dtype)(np.array([1, 2, 3]), np.array([0, 2, 1]))


@pytest.mark.parametrize("mode, pad", [("sum", 0), ("mean", None), ("max", None)])
def test_entries_after_the_last_offset_join_the_last_bag_like_torch(mode, pad, rng):
    """include_last_offset with offsets[-1] < len(input): torch's offset2bag path (float64, or with padding) puts
    the trailing entries in the last bag; scratch does the same (torch's float32 fast path reads them
    inconsistently: forward ignores them, backward reads uninitialized memory)."""
    s, r = pair("EmbeddingBag", 5, 3, mode=mode, padding_idx=pad, include_last_offset=True)
    args, dy = (np.array([1, 2, 3, 4, 1]), np.array([0, 1, 2])), rng.standard_normal((2, 3))
    assert_close(s(*args), r(*args), block="bag", check="trailing forward", dtype=np.float64)
    s.backward(dy), r.backward(dy)
    assert_close(s.weight.grad, r.torch_module.weight.grad.numpy(), block="bag", check="trailing grad",
                 dtype=np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_sparse_gradient_is_torchs_uncoalesced_coo(padding_idx, dtype, rng):
    """Embedding(sparse=True): the weight gradient is a SparseGrad with torch's indices exactly (input order,
    repeats kept, padding rows dropped) and its values; a second backward concatenates (torch's sparse add);
    the dense forms agree; zero_grad(set_to_none=False) leaves an empty sparse gradient, as torch's zero_()."""
    from scratch.sparse import SparseGrad

    s, r = pair("Embedding", 6, 3, sparse=True, padding_idx=padding_idx, dtype=dtype)
    for x in (np.array([[1, 2, 1], [4, 1, 0]]), np.array([5, 2, 1])):
        dy = rng.standard_normal((*x.shape, 3)).astype(dtype)
        s(x), r(x), s.backward(dy), r.backward(dy)
    sg, tg = s.weight.grad, r.torch_module.weight.grad
    assert isinstance(sg, SparseGrad) and tg.is_sparse and not tg.is_coalesced()
    np.testing.assert_array_equal(sg.indices, tg._indices()[0].numpy())
    np.testing.assert_array_equal(sg.values, tg._values().numpy())
    assert sg.values.dtype == dtype
    np.testing.assert_array_equal(np.asarray(sg), tg.to_dense().numpy())
    np.testing.assert_array_equal(np.asarray(sg.coalesce()), np.asarray(sg))
    np.testing.assert_array_equal(sg.coalesce().indices, tg.coalesce()._indices()[0].numpy())
    s.zero_grad(set_to_none=False)
    assert isinstance(s.weight.grad, SparseGrad) and s.weight.grad.indices.size == 0


def test_embedding_bag_sparse_gradients_are_dense_on_both_sides(rng):
    """EmbeddingBag(sparse=True): scratch keeps the bag gradient dense (the twin densifies torch's)."""
    cls, args, kw = "EmbeddingBag", (np.array([1, 1, 2]), np.array([0, 1])), dict(mode="sum")
    s, r = pair(cls, 4, 3, sparse=True, **kw)
    for _ in range(2):  # accumulation: a dense .grad plus torch's next sparse gradient stays dense
        y = s(*args)
        dy = rng.standard_normal(y.shape)
        r(*args), s.backward(dy), r.backward(dy)
    assert isinstance(s.weight.grad, np.ndarray) and r.torch_module.weight.grad.layout == torch.strided
    np.testing.assert_allclose(s.weight.grad, r.torch_module.weight.grad.numpy(), rtol=1e-15)


@pytest.mark.parametrize("cls, args", [("Embedding", (np.array([1, 1, 2]),)),
                                       ("EmbeddingBag", (np.array([1, 1, 2]), np.array([0, 1])))])
def test_sparse_with_scale_grad_by_freq_is_fine_when_frozen(cls, args):
    """sparse with scale_grad_by_freq raises in backward, but only where the weight requires grad."""
    kw = dict(mode="sum") if cls == "EmbeddingBag" else {}
    for lib in (S, R):
        m = getattr(lib, cls).from_pretrained(np.ones((4, 3)), sparse=True, scale_grad_by_freq=True, **kw)
        m.backward(np.ones_like(m(*args)))


def test_sparse_gradient_does_not_alias_the_cotangent():
    """Departure, on purpose: torch's sparse embedding gradient ALIASES the cotangent (``dy.mul_(7)`` after backward
    changes ``weight.grad._values()``); scratch's SparseGrad owns its rows, so later edits of dy change nothing."""
    r = R.Embedding(5, 2, sparse=True)
    y = r.torch_module(torch.tensor([1, 3]))
    dy = torch.ones(2, 2)
    y.backward(dy)
    dy.mul_(7)
    assert float(r.torch_module.weight.grad._values()[0, 0]) == 7.0  # torch's alias, as observed in 2.13
    s = S.Embedding(5, 2, sparse=True, rng=np.random.default_rng(0))
    s(np.array([1, 3]))
    d = np.ones((2, 2), np.float32)
    s.backward(d)
    d *= 7
    np.testing.assert_array_equal(s.weight.grad.values, np.ones((2, 2), np.float32))
