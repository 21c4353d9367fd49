"""Pooling checks the generic catalog checks cannot express: returned indices compared exactly on planted ties,
NaN and -inf windows; the ceil_mode output-size rule and the count_include_pad x ceil_mode divisor tables as
closed-form oracles; adaptive window bounds; the max-pool fast path bit for bit against the general path; a
torch-free loop oracle on tiny shapes; hypothesis over valid hyper-parameter combinations (vs torch); the
several-outputs protocol (``backward(d_output)`` = ``backward(d_output, None)``) and torch's empty-output refusal."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

import reference.nn as R
import scratch.nn as S
from scratch.nn.pooling import _args
from scratch.nn.pooling import _kernels as K
from tests.cases._pool_samplers import ties

nan, inf = math.nan, math.inf


def run(block, x, dy=None):
    """(outputs as a tuple, dL/dx) under the cotangent dy (default: small integers, so sums are exact)."""
    out = block(x.copy())
    outs = out if isinstance(out, tuple) else (out,)
    if dy is None:
        dy = np.random.default_rng(7).integers(-3, 4, outs[0].shape).astype(outs[0].dtype)
    return outs, (block.backward(dy) if outs[0].size else None)


def assert_same(a, b):
    for u, v in zip(a[0], b[0], strict=True):
        assert u.shape == v.shape and u.dtype == v.dtype
        np.testing.assert_array_equal(u, v)  # NaN == NaN here
    if a[1] is not None:
        np.testing.assert_array_equal(a[1], b[1])


# -- indices, ties, NaN, -inf: exact ---------------------------------------------------------------------------
MAX_CONFIGS = [
    ("MaxPool1d", dict(kernel_size=3, stride=1, padding=1), (2, 3, 7)),
    ("MaxPool1d", dict(kernel_size=2, stride=3, padding=1, ceil_mode=True), (3, 3, 7)),
    ("MaxPool2d", dict(kernel_size=2), (2, 3, 6, 5)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True), (2, 3, 8, 7)),
    ("MaxPool2d", dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1), ceil_mode=True), (3, 5, 6)),
    ("MaxPool3d", dict(kernel_size=2, stride=1, padding=1), (1, 3, 3, 4, 3)),
    ("AdaptiveMaxPool1d", dict(output_size=4), (2, 3, 7)),
    ("AdaptiveMaxPool2d", dict(output_size=(3, 5)), (2, 3, 5, 3)),
    ("AdaptiveMaxPool3d", dict(output_size=(2, None, 3)), (1, 3, 3, 2, 5)),
]


@pytest.mark.parametrize("name, kw, shape", MAX_CONFIGS, ids=lambda v: str(v))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_indices_values_and_gradients_on_ties_nan_and_neg_inf_equal_torchs(name, kw, shape, dtype, rng):
    """Ties from {-1, 0, 1} (inside windows and across overlapping ones), an all -inf plane, NaN planes: the
    returned int64 indices, the values and the gradients equal torch's exactly."""
    d = int(name[-2])
    x = ties(d)(rng, dtype, shape)[0]
    got = run(getattr(S, name)(**kw, return_indices=True), x)
    want = run(getattr(R, name)(**kw, return_indices=True), x)
    assert got[0][1].dtype == np.int64
    assert_same(got, want)


@pytest.mark.parametrize("block, x, values, indices, grad", [
    # trap 9: a tie routes to ONE element, the first in row-major order
    (S.MaxPool2d(2, return_indices=True), np.ones((1, 1, 2, 2)), [[[[1.0]]]], [[[[0]]]], [[[[1, 0], [0, 0]]]]),
    (S.MaxPool2d(2, return_indices=True), np.array([[[[0, 5], [5, 0.0]]]]), [[[[5.0]]]], [[[[1]]]],
     [[[[0, 1], [0, 0]]]]),
    # trap 10: NaN outputs NaN and routes to the LAST NaN (np.argmax would give the first)
    (S.MaxPool2d((1, 4), return_indices=True), np.array([[[[nan, nan, 1, nan]]]]), [[[[nan]]]], [[[[3]]]],
     [[[[0, 0, 0, 1]]]]),
    (S.MaxPool1d(3, return_indices=True), np.array([[[inf, nan, 3.0]]]), [[[nan]]], [[[1]]], [[[0, 1, 0]]]),
    (S.MaxPool1d(3, return_indices=True), np.array([[[nan, inf, 3.0]]]), [[[nan]]], [[[0]]], [[[1, 0, 0]]]),
    # all -inf windows (padding included) route to their first element inside the input
    (S.MaxPool1d(2, 1, 1, return_indices=True), np.array([[[-inf, -inf]]]), [[[-inf] * 3]], [[[0, 0, 1]]],
     [[[2, 1]]]),
    # trap 12: the padding is -inf, not 0
    (S.MaxPool1d(2, 1, 1, return_indices=True), np.array([[[-5.0, -6.0]]]), [[[-5.0, -5.0, -6.0]]], [[[0, 0, 1]]],
     [[[2, 1]]]),
    # overlapping windows accumulate: [1, 3, 3, 3, 1] k3 s1 -> argmax 1, 1, 2
    (S.MaxPool1d(3, 1, return_indices=True), np.array([[[1, 3, 3, 3, 1.0]]]), [[[3.0] * 3]], [[[1, 1, 2]]],
     [[[0, 2, 1, 0, 0]]]),
    # trap 15: a window entirely in the padding: -inf and torch's index 6 OUTSIDE the 2x2 plane; no gradient
    (S.MaxPool2d(2, 1, 1, 3, return_indices=True), np.ones((1, 1, 2, 2)), [[[[-inf]]]], [[[[6]]]],
     [[[[0, 0], [0, 0]]]]),
    (S.AdaptiveMaxPool1d(1, return_indices=True), np.array([[[1, nan, nan]]]), [[[nan]]], [[[2]]], [[[0, 0, 1]]]),
])
def test_planted_windows_follow_torchs_rules(block, x, values, indices, grad):
    (y, idx), dx = run(block, x, np.ones(np.shape(values)))
    np.testing.assert_array_equal(y, values)
    np.testing.assert_array_equal(idx, indices)
    np.testing.assert_array_equal(dx, grad)
    twin = getattr(R, type(block).__name__)
    args = {k: getattr(block, k) for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode")
            if hasattr(block, k)} if hasattr(block, "kernel_size") else {"output_size": block.output_size}
    twin = twin(**args, return_indices=True)
    if np.max(idx) >= np.prod(x.shape[2:]):  # trap 15: torch's backward would write outside the plane
        assert_same(((y, idx), None), (twin(x), None))  # (undefined behaviour: it crashed a worker once)
    else:
        assert_same(((y, idx), dx), run(twin, x, np.ones(np.shape(values))))


# -- output sizes and divisors: closed-form oracles -------------------------------------------------------------
def closed_form(n, k, s, p, r, ceil):
    """torch's rule, written out: floor, or ceil minus one if the last window would start in the right padding."""
    span = n + 2 * p - r * (k - 1) - 1
    o = (-(-span // s) if ceil else span // s) + 1
    return o - 1 if ceil and (o - 1) * s >= n + p else o


def test_ceil_mode_output_sizes_follow_the_closed_form_rule():
    assert closed_form(5, 2, 2, 1, 1, True) == 3 and closed_form(7, 2, 3, 1, 1, True) == 3  # raw ceil: 4
    assert closed_form(5, 2, 2, 0, 1, True) == 3  # kept: the last window is clipped to one element
    for n, k, s, r, ceil in itertools.product(range(1, 10), range(1, 5), range(1, 5), (1, 2, 3), (False, True)):
        for p in range(k // 2 + 1):
            if n + 2 * p - r * (k - 1) - 1 < 0:
                continue
            want = closed_form(n, k, s, p, r, ceil)
            assert _args.output_size(n, k, p, s, r, ceil) == want
            if want >= 1 and p <= k // 2:
                y = S.MaxPool1d(k, s, p, r, ceil_mode=ceil)(np.zeros((1, 1, n)))
                assert y.shape[-1] == want == F.max_pool1d(torch.zeros(1, 1, n), k, s, p, r, ceil).shape[-1]


# 1-d outputs on ones (then 2-d = outer products): (n, k, s, p) -> {(count_include_pad, ceil_mode): values}
DIVISOR_TABLES = {
    (6, 3, 2, 1): {(True, False): [2 / 3, 1, 1], (True, True): [2 / 3, 1, 1, 1 / 2],
                   (False, False): [1, 1, 1], (False, True): [1, 1, 1, 1]},
    (5, 2, 2, 0): {(c, False): [1, 1] for c in (True, False)} | {(c, True): [1, 1, 1] for c in (True, False)},
    (5, 2, 2, 1): {(True, c): [1 / 2, 1, 1] for c in (True, False)} | {(False, c): [1, 1, 1] for c in (True, False)},
    (6, 3, 2, 0): {(c, False): [1, 1] for c in (True, False)} | {(c, True): [1, 1, 1] for c in (True, False)},
}


@pytest.mark.parametrize("config", DIVISOR_TABLES, ids=str)
def test_avg_divisor_tables_count_include_pad_x_ceil_mode(config):
    """The padding counts with count_include_pad, the ceil overhang never does (trap 7: 6x6 k3 s2 p1 ceil, last
    row [1/3, 1/2, 1/2, 1/4]); gradients equal torch's for every combination."""
    n, k, s, p = config
    for (cip, ceil), row in DIVISOR_TABLES[config].items():
        np.testing.assert_allclose(S.AvgPool1d(k, s, p, ceil, cip)(np.ones((1, 1, n))), [[row]], rtol=1e-15)
        block = S.AvgPool2d(k, s, p, ceil, cip)
        np.testing.assert_allclose(block(np.ones((1, 1, n, n))), [[np.outer(row, row)]], rtol=1e-15)
        x = np.random.default_rng(0).standard_normal((2, 2, n, n))
        got, want = run(S.AvgPool2d(k, s, p, ceil, cip), x), run(R.AvgPool2d(k, s, p, ceil, cip), x)
        np.testing.assert_allclose(got[0][0], want[0][0], rtol=1e-14)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-14)
    assert np.allclose(S.AvgPool2d(3, 2, 1, True)(np.ones((1, 1, 6, 6)))[0, 0, -1], [1 / 3, 1 / 2, 1 / 2, 1 / 4])


def test_divisor_override_wins_and_integer_averages_truncate():
    """Trap 8: divisor_override beats count_include_pad=False; int64 divides toward zero as C++ does."""
    y = S.AvgPool2d(2, 2, 1, count_include_pad=False, divisor_override=1)(np.ones((1, 1, 4, 4)))
    np.testing.assert_array_equal(y, [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]])
    x = np.array([[[1, 2, -3, -4, 7, 0]]])
    assert S.AvgPool1d(2)(x).tolist() == [[[1, -3, 3]]] == F.avg_pool1d(torch.from_numpy(x), 2).tolist()
    y = S.AvgPool2d(2, divisor_override=-1)(np.ones((1, 1, 4, 4)))
    np.testing.assert_array_equal(y, -4 * np.ones((1, 1, 2, 2)))


def test_lppool_scales_clipped_windows_by_k_over_n_and_has_zero_gradient_on_zero_windows():
    block = S.LPPool1d(2, 2, ceil_mode=True)
    (y,), dx = run(block, np.array([[[1.0, 2, 3, 4, 5]]]), np.ones((1, 1, 3)))
    np.testing.assert_allclose(y, [[[math.sqrt(5), 5, math.sqrt(50)]]], rtol=1e-15)  # [5]: sqrt(25 * 2 / 1)
    (y,), dx = run(S.LPPool2d(2, 2), np.array([[[[0.0, 0, 1, 2], [0, 0, 3, 4]]]]), np.ones((1, 1, 1, 2)))
    assert y[0, 0, 0, 0] == 0 and np.all(dx[..., :2] == 0)
    (y,), dx = run(S.LPPool1d(1, 2), np.array([[[1.0, -1, 2, 2]]]), np.ones((1, 1, 2)))
    np.testing.assert_array_equal(dx, [[[0, 0, 1, 1]]])  # p = 1: a window summing to 0 has gradient 0


# -- adaptive windows ----------------------------------------------------------------------------------------
def test_adaptive_window_bounds():
    assert [a.tolist() for a in K.adaptive_bounds(5, 3)] == [[0, 1, 3], [2, 4, 5]]
    assert [a.tolist() for a in K.adaptive_bounds(3, 5)] == [[0, 0, 1, 1, 2], [1, 2, 2, 3, 3]]
    assert [a.tolist() for a in K.adaptive_bounds(7, 3)] == [[0, 2, 4], [3, 5, 7]]
    for n, o in itertools.product(range(1, 10), range(1, 10)):  # torch's windows from its own argmax indices
        start, end = K.adaptive_bounds(n, o)
        t = torch.arange(n, dtype=torch.float64).reshape(1, 1, n)
        assert F.adaptive_max_pool1d(t, o, True)[1].flatten().tolist() == (end - 1).tolist()
        assert F.adaptive_max_pool1d(-t, o, True)[1].flatten().tolist() == start.tolist()
    (_,), dx = run(S.AdaptiveAvgPool1d(3), np.zeros((1, 1, 5)), np.ones((1, 1, 3)))
    np.testing.assert_allclose(dx, [[[1 / 2, 5 / 6, 1 / 3, 5 / 6, 1 / 2]]], rtol=1e-15)  # trap 13: overlaps add


# -- the fast path -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, kernel, shape", [
    ("MaxPool2d", 2, (4, 3, 8, 6)), ("MaxPool2d", 2, (2, 3, 7, 5)), ("MaxPool2d", (3, 2), (2, 2, 9, 7)),
    ("MaxPool1d", 3, (2, 3, 10)), ("MaxPool3d", 2, (1, 2, 4, 5, 4)), ("MaxPool2d", 2, (3, 6, 6)),
    ("MaxPool2d", 2, (0, 3, 4, 4)),
])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("values", ["random", "ties"])
def test_fast_path_is_bit_for_bit_the_general_path(name, kernel, shape, dtype, values, rng, monkeypatch):
    d = int(name[-2])
    x = (rng.standard_normal(shape) if values == "random" else ties(d)(rng, np.float64, shape)[0]).astype(dtype)
    plan = _args.max_plan(d, x, kernel, kernel, 0, 1, False, True)
    assert K.is_fast(plan, x.shape[len(x.shape) - d:])
    dy = np.asarray(rng.standard_normal(getattr(S, name)(kernel)(x).shape), dtype)
    fast = run(getattr(S, name)(kernel, return_indices=True), x, dy)
    monkeypatch.setattr(K, "FAST", False)
    assert not K.is_fast(plan, x.shape[len(x.shape) - d:])
    general = run(getattr(S, name)(kernel, return_indices=True), x, dy)
    assert_same(fast, general)
    assert fast[0][0].tobytes() == general[0][0].tobytes()  # bits, not only values (-0.0, NaN payloads)
    if fast[1] is not None:
        assert fast[1].tobytes() == general[1].tobytes()


# -- a torch-free oracle: the definitions as loops, on tiny shapes ----------------------------------------------
def oracle_max(x, k, s, p, r, o):
    """torch's scan per window (update when v > best or v is NaN), the whole cotangent to the chosen index."""
    n = x.shape[-1]
    y, idx = np.full(x.shape[:-1] + (o,), -inf), np.zeros(x.shape[:-1] + (o,), np.int64)
    for lead in itertools.product(*map(range, x.shape[:-1])):
        for i in range(o):
            pos = [i * s - p + r * j for j in range(k)]
            inside = [q for q in pos if 0 <= q < n]
            best, at = -inf, inside[0]
            for q in inside:
                if x[lead + (q,)] > best or math.isnan(x[lead + (q,)]):
                    best, at = x[lead + (q,)], q
            y[lead + (i,)], idx[lead + (i,)] = best, at
    return y, idx


def oracle_avg(x, k, s, p, o, cip):
    n = x.shape[-1]
    y = np.zeros(x.shape[:-1] + (o,))
    div = np.zeros(o)
    for i in range(o):
        lo, hi = i * s - p, min(i * s - p + k, n + p)
        div[i] = (hi - lo) if cip else (min(hi, n) - max(lo, 0))
        y[..., i] = x[..., max(lo, 0):min(hi, n)].sum(-1) / div[i]
    return y, div


@pytest.mark.parametrize("n, k, s, p, r, ceil", [(7, 3, 2, 1, 1, True), (5, 2, 2, 1, 1, True), (8, 3, 1, 1, 2, False),
                                                 (6, 2, 3, 1, 2, True), (5, 4, 1, 2, 1, False)])
def test_torch_free_loop_oracle_on_tiny_inputs(n, k, s, p, r, ceil, rng):
    x = ties(1, neg_inf=False)(rng, np.float64, (2, 3, n))[0]
    o = closed_form(n, k, s, p, r, ceil)
    dy = rng.standard_normal((2, 3, o))
    want_y, want_idx = oracle_max(x, k, s, p, r, o)
    (y, idx), dx = run(S.MaxPool1d(k, s, p, r, return_indices=True, ceil_mode=ceil), x, dy)
    np.testing.assert_array_equal(y, want_y)
    np.testing.assert_array_equal(idx, want_idx)
    want_dx = np.zeros_like(x)
    for lead in itertools.product(range(2), range(3)):
        for i in range(o):
            want_dx[lead + (want_idx[lead + (i,)],)] += dy[lead + (i,)]
    np.testing.assert_allclose(dx, want_dx, rtol=1e-15, atol=1e-15)
    if r == 1:
        for cip in (True, False):
            want_y, div = oracle_avg(np.nan_to_num(x), k, s, p, o, cip)
            (y,), dx = run(S.AvgPool1d(k, s, p, ceil, cip), np.nan_to_num(x), dy)
            np.testing.assert_allclose(y, want_y, rtol=1e-14)
            want_dx = np.zeros_like(x)
            for i in range(o):
                lo, hi = max(i * s - p, 0), min(i * s - p + k, n)
                want_dx[..., lo:hi] += dy[..., i:i + 1] / div[i]
            np.testing.assert_allclose(dx, want_dx, rtol=1e-14)


# -- hypothesis over valid hyper-parameter combinations -------------------------------------------------------
@st.composite
def window_configs(draw, avg: bool):
    """(d, shape, kernel, stride, padding, dilation, ceil_mode): valid (pad <= k/2, output >= 1; for avg the input
    at least the kernel: AvgPool3d's rule, and LPPool has no padding) and free of windows entirely in the
    padding; tiny sizes."""
    d = draw(st.integers(1, 3))
    ks, ss, ps, rs, ns = [], [], [], [], []
    for _ in range(d):
        k, s, r = draw(st.integers(1, 3)), draw(st.integers(1, 3)), 1 if avg else draw(st.integers(1, 2))
        p = draw(st.integers(0, k // 2))
        low = max(1, r * (k - 1) + 1 - 2 * p, r * -(-p // r) - p + 1, k if avg else 1)  # LPPool: no padding
        ks, ss, ps, rs, ns = ks + [k], ss + [s], ps + [p], rs + [r], ns + [draw(st.integers(low, low + 3))]
    batch = draw(st.sampled_from([(), (0,), (1,), (2,)]))
    return d, batch + (2,) + tuple(ns), tuple(ks), tuple(ss), tuple(ps), tuple(rs), draw(st.booleans())


@given(cfg=window_configs(avg=False), seed=st.integers(0, 2**16))
def test_hypothesis_max_pool_configs_equal_torch_exactly(cfg, seed):
    d, shape, k, s, p, r, ceil = cfg
    x = ties(d, neg_inf=False)(np.random.default_rng(seed), np.float64, shape)[0]
    name = f"MaxPool{d}d"
    assert_same(run(getattr(S, name)(k, s, p, r, True, ceil), x), run(getattr(R, name)(k, s, p, r, True, ceil), x))


@given(cfg=window_configs(avg=True), cip=st.booleans(), div=st.sampled_from([None, 2, -3]),
       seed=st.integers(0, 2**16))
def test_hypothesis_avg_and_lp_pool_configs_equal_torch(cfg, cip, div, seed):
    d, shape, k, s, p, _, ceil = cfg
    x = np.random.default_rng(seed).uniform(0.5, 2.0, shape)
    extra = {} if d == 1 else {"divisor_override": div}
    for blocks in ((getattr(S, f"AvgPool{d}d")(k, s, p, ceil, cip, **extra),
                    getattr(R, f"AvgPool{d}d")(k, s, p, ceil, cip, **extra)),
                   (getattr(S, f"LPPool{d}d")(1.5, k[0] if d == 1 else k, s[0] if d == 1 else s, ceil),
                    getattr(R, f"LPPool{d}d")(1.5, k[0] if d == 1 else k, s[0] if d == 1 else s, ceil))):
        got, want = run(blocks[0], x), run(blocks[1], x)
        np.testing.assert_allclose(got[0][0], want[0][0], rtol=1e-13)
        if got[1] is not None:
            np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-14)


@given(d=st.integers(1, 3), data=st.data(), seed=st.integers(0, 2**16))
def test_hypothesis_adaptive_sizes_equal_torch(d, data, seed):
    ns = data.draw(st.tuples(*[st.integers(1, 7)] * d))
    os_ = data.draw(st.tuples(*[st.one_of(st.integers(1, 8), st.none()) if d > 1 else st.integers(1, 8)] * d))
    x = ties(d, neg_inf=False)(np.random.default_rng(seed), np.float64, (2, 2) + ns)[0]
    name = f"AdaptiveMaxPool{d}d"
    assert_same(run(getattr(S, name)(os_, True), x), run(getattr(R, name)(os_, True), x))
    got, want = run(getattr(S, f"AdaptiveAvgPool{d}d")(os_), x), run(getattr(R, f"AdaptiveAvgPool{d}d")(os_), x)
    np.testing.assert_allclose(got[0][0], want[0][0], rtol=1e-14)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-14)


# -- the several-outputs protocol and torch's refusals ----------------------------------------------------------
@pytest.mark.parametrize("make", [lambda lib: lib.MaxPool2d(3, 2, 1, return_indices=True),
                                  lambda lib: lib.AdaptiveMaxPool2d((2, 3), return_indices=True)])
def test_indices_take_no_cotangent(make, rng):
    x = rng.standard_normal((2, 3, 5, 6))
    dy = rng.standard_normal(make(S)(x)[0].shape)
    blocks = [make(S) for _ in range(3)]
    for b in blocks:
        b(x)
    np.testing.assert_array_equal(blocks[0].backward(dy), blocks[1].backward(dy, None))
    with pytest.raises(RuntimeError, match="takes no cotangent"):
        blocks[2].backward(dy, np.zeros_like(dy))
    with pytest.raises(RuntimeError):
        blocks[0].backward(dy)  # backward consumed the cache


@pytest.mark.parametrize("name, size", [("AdaptiveAvgPool2d", 0), ("AdaptiveMaxPool1d", 0), ("AdaptiveAvgPool3d",
                                                                                                (0, 2, 2))])
def test_adaptive_empty_output_forwards_but_its_backward_raises_like_torch(name, size):
    for lib in (S, R):
        block = getattr(lib, name)(size)
        d = int(name[-2])
        y = block(np.ones((2, 3) + (4,) * d))
        y = y[0] if isinstance(y, tuple) else y
        assert y.size == 0
        with pytest.raises(RuntimeError, match="non-zero size"):
            block.backward(np.zeros(y.shape))
