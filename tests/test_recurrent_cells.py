"""Cell-specific checks the generic ones do not cover (the catalog entries are in tests/cases/recurrent.py):

- None / omitted cotangents of LSTMCell equal zero cotangents, bit for bit;
- backward's gradients are nested like forward's float inputs for every call form (and as the twin's);
- a torch-free oracle: the RNN/LSTM/GRU formulas recomputed in plain numpy from the state_dict;
- hx omitted equals a zero hx, bit for bit (W_hh gets a zero gradient, not None, as in torch);
- bias gradients: equal for RNN/LSTM (both biases sit in one sum), different in GRU's n rows only;
- backpropagation through time: a 5-step unrolled sequence (one scratch cell per step sharing one state_dict)
  against torch autograd on the same loop, with random cotangents on every h_t and on the final c;
- the documented departure: a 1-d input with a 2-d (H, H) hidden state raises here (torch broadcasts or crashes).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn
import scratch.nn as nn
from tests.structure import float_nesting, leaves
from tests.tolerances import Tol, assert_close

I, H, N = 3, 4, 5
TIGHT = Tol(rtol=1e-12, atol=1e-13, reason="float64, same formulas in another algebraic form")


def _cell(cls: str, dtype=np.float64, seed: int = 0, **kw):
    return getattr(nn, cls)(I, H, dtype=dtype, rng=np.random.default_rng(seed), **kw)


def _inputs(rng, batch=(N,), dtype=np.float64):
    x = rng.standard_normal(batch + (I,)).astype(dtype)
    h = rng.uniform(-1, 1, batch + (H,)).astype(dtype)
    c = rng.uniform(-2, 2, batch + (H,)).astype(dtype)
    return x, h, c


def _param_grads(cell) -> dict[str, np.ndarray]:
    return {n: p.grad.copy() for n, p in cell.named_parameters()}


def _equal_trees(a, b) -> None:
    la, lb = leaves(a), leaves(b)
    assert [p for p, _ in la] == [p for p, _ in lb]
    for (p, x), (_, y) in zip(la, lb, strict=True):
        np.testing.assert_array_equal(x, y, err_msg=p)
        assert x.dtype == y.dtype, p


# -- (a) None / omitted cotangents ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch", [(N,), ()], ids=["batched", "unbatched"])
def test_lstm_none_or_omitted_cotangents_are_zeros_bitwise(dtype, batch, rng):
    x, h, c = _inputs(rng, batch, dtype)
    dh, dc = (rng.standard_normal(batch + (H,)).astype(dtype) for _ in range(2))
    zero = np.zeros(batch + (H,), dtype)
    forms = [((dh,), (dh, zero)), ((dh, None), (dh, zero)), ((None, dc), (zero, dc)), ((), (zero, zero)),
             ((None, None), (zero, zero)), ((None,), (zero, zero))]
    for given, explicit in forms:
        results = []
        for cots in (given, explicit):
            cell = _cell("LSTMCell", dtype)
            cell(x, (h, c))
            results.append((cell.backward(*cots), _param_grads(cell)))
        (g1, p1), (g2, p2) = results
        _equal_trees(g1, g2)
        _equal_trees(tuple(p1.values()), tuple(p2.values()))
    cell = _cell("LSTMCell", dtype)
    cell(x, (h, c))
    with pytest.raises(RuntimeError, match="cotangent|shape"):
        cell.backward(np.zeros(batch + (H + 1,), dtype))


# -- (b) the returned gradients' nesting ---------------------------------------------------------------------
def _call_forms(rng):
    x, h, c = _inputs(rng)
    xu, hu, cu = x[0], h[0], c[0]
    one = {  # RNNCell / GRUCell: (args, kwargs, expected nesting of shapes)
        "cell(x)": ((x,), {}, (N, I)),
        "cell(x, None)": ((x, None), {}, (N, I)),
        "cell(x, h)": ((x, h), {}, ((N, I), (N, H))),
        "cell(input=x, hx=h)": ((), {"input": x, "hx": h}, ((N, I), (N, H))),
        "cell(x_unbatched)": ((xu,), {}, (I,)),
        "cell(x_unbatched, h_unbatched)": ((xu, hu), {}, ((I,), (H,))),
    }
    lstm = {
        "lstm(x)": ((x,), {}, (N, I)),
        "lstm(x, None)": ((x, None), {}, (N, I)),
        "lstm(x, (h, c))": ((x, (h, c)), {}, ((N, I), ((N, H), (N, H)))),
        "lstm(x, [h, c])": ((x, [h, c]), {}, ((N, I), ((N, H), (N, H)))),
        "lstm(input=x, hx=(h, c))": ((), {"input": x, "hx": (h, c)}, ((N, I), ((N, H), (N, H)))),
        "lstm(x, (h, c_int))": ((x, (h, np.ones((N, H), np.int64))), {}, ((N, I), ((N, H),))),
        "lstm(x_unbatched, (h, c))": ((xu, (hu, cu)), {}, ((I,), ((H,), (H,)))),
        "lstm(x_unbatched, hc_rows)": ((xu, np.stack([hu, cu])), {}, ((I,), (2, H))),
    }
    return one, lstm


def _shapes(tree):
    if isinstance(tree, tuple):
        return tuple(_shapes(t) for t in tree)
    return tree.shape


@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_backward_returns_gradients_nested_like_the_float_inputs(cls, rng):
    one, lstm = _call_forms(rng)
    for label, (args, kwargs, want) in (lstm if cls == "LSTMCell" else one).items():
        results = []
        for ns in (nn, reference.nn):
            cell = getattr(ns, cls)(I, H, dtype=np.float64, rng=np.random.default_rng(0))
            out = cell(*args, **kwargs)
            cots = tuple(np.ones_like(o) for o in out) if isinstance(out, tuple) else (np.ones_like(out),)
            results.append(cell.backward(*cots))
        got, twin = results
        assert _shapes(got) == want, f"{cls} {label}: {_shapes(got)} != {want}"
        assert _shapes(twin) == want, f"torch twin {cls} {label}: {_shapes(twin)}"
        full = args + tuple(kwargs.values())
        assert [p for p, _ in leaves(got)] == [p for p, _ in leaves(float_nesting(full))], label


# -- (c) torch-free oracle -----------------------------------------------------------------------------------
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _oracle(cls: str, sd: dict, x, h, c=None, nonlinearity="tanh"):
    """The textbook formulas, written independently of scratch/nn/recurrent.py (row by row, (1-z) n + z h)."""
    w_ih, w_hh = sd["weight_ih"], sd["weight_hh"]
    b_ih = sd.get("bias_ih", np.zeros(w_ih.shape[0]))
    b_hh = sd.get("bias_hh", np.zeros(w_hh.shape[0]))
    rows_out = []
    for n in range(x.shape[0]):
        xi, hi = x[n], h[n]
        ai, ah = w_ih @ xi + b_ih, w_hh @ hi + b_hh
        if cls == "RNNCell":
            a = ai + ah
            rows_out.append((np.tanh(a) if nonlinearity == "tanh" else np.where(a > 0, a, 0.0),))
        elif cls == "LSTMCell":
            gi, gf, gg, go = np.split(ai + ah, 4)
            c_new = _sigmoid(gf) * c[n] + _sigmoid(gi) * np.tanh(gg)
            rows_out.append((_sigmoid(go) * np.tanh(c_new), c_new))
        else:
            ir, iz, in_ = np.split(ai, 3)
            hr, hz, hn = np.split(ah, 3)
            r, z = _sigmoid(ir + hr), _sigmoid(iz + hz)
            cand = np.tanh(in_ + r * hn)
            rows_out.append(((1 - z) * cand + z * hi,))
    return tuple(np.stack([row[k] for row in rows_out]) for k in range(len(rows_out[0])))


@pytest.mark.parametrize("cls, kw", [("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}),
                                     ("RNNCell", {"nonlinearity": "relu"}), ("GRUCell", {"bias": False}),
                                     ("LSTMCell", {"bias": False})], ids=str)
def test_forward_matches_a_numpy_oracle_from_the_state_dict(cls, kw, rng):
    cell = _cell(cls, **kw)
    sd = cell.state_dict()
    assert list(sd) == ["weight_ih", "weight_hh"] + ["bias_ih", "bias_hh"] * kw.get("bias", True)
    x, h, c = _inputs(rng)
    x *= 2.0  # some gates near saturation, others not
    got = cell(x, (h, c)) if cls == "LSTMCell" else (cell(x, h),)
    want = _oracle(cls, sd, x, h, c, kw.get("nonlinearity", "tanh"))
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert_close(g, w, block=f"{cls}{kw}", check=f"oracle_forward[{k}]", tol=TIGHT)
    # the oracle also pins the gate order: swapping two row blocks of weight_ih changes the result
    if cls != "RNNCell":
        swapped = dict(sd)
        w = sd["weight_ih"].copy()
        w[:H], w[H:2 * H] = sd["weight_ih"][H:2 * H], sd["weight_ih"][:H]
        swapped["weight_ih"] = w
        cell.load_state_dict(swapped)
        moved = cell(x, (h, c)) if cls == "LSTMCell" else (cell(x, h),)
        assert np.max(np.abs(moved[0] - want[0])) > 1e-3


# -- hx omitted == zero hx -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_omitted_hx_is_a_zero_state_bitwise(cls, rng):
    x, _, _ = _inputs(rng)
    zero = np.zeros((N, H))
    results = []
    for hx in (None, (zero, zero) if cls == "LSTMCell" else zero):
        cell = _cell(cls)
        out = cell(x) if hx is None else cell(x, hx)
        cots = tuple(np.random.default_rng(1).standard_normal(o.shape) for o in (out if isinstance(out, tuple)
                                                                                  else (out,)))
        dx = cell.backward(*cots)
        results.append((out, dx if hx is None else dx[0], _param_grads(cell)))
    (o1, d1, p1), (o2, d2, p2) = results
    _equal_trees(o1, o2)
    _equal_trees(d1, d2)
    _equal_trees(tuple(p1.values()), tuple(p2.values()))
    assert not p1["weight_hh"].any()  # zeros, not None: torch's W_hh is in the graph of linear(0, W_hh)


# -- bias gradients ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_bias_gradients_equal_except_grus_n_rows(cls, rng):
    x, h, c = _inputs(rng)
    cell = _cell(cls)
    out = cell(x, (h, c)) if cls == "LSTMCell" else cell(x, h)
    cots = tuple(rng.standard_normal(o.shape) for o in (out if isinstance(out, tuple) else (out,)))
    cell.backward(*cots)
    bi, bh = cell.bias_ih.grad, cell.bias_hh.grad
    if cls == "GRUCell":
        np.testing.assert_array_equal(bi[:2 * H], bh[:2 * H])
        assert np.all(np.abs(bi[2 * H:] - bh[2 * H:]) > 0)  # d b_hn = d b_in * r
    else:
        np.testing.assert_array_equal(bi, bh)


# -- backpropagation through time ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell", "RNNCell"])
def test_unrolled_sequence_matches_torch_autograd(cls, dtype, rng):
    """T = 5 steps from a random initial state; one scratch cell per step (a cell caches one forward), all
    loaded from one state_dict, gradients chained backwards by hand; the parameter gradients are summed over the
    steps. torch runs one cell in a loop under autograd."""
    T, lstm = 5, cls == "LSTMCell"
    steps = [_cell(cls, dtype, seed=0) for _ in range(T)]
    sd = steps[0].state_dict()
    x = rng.standard_normal((T, N, I)).astype(dtype)
    h0, c0 = (rng.uniform(-1, 1, (N, H)).astype(dtype) for _ in range(2))
    dhs = rng.standard_normal((T, N, H)).astype(dtype)  # a cotangent on every h_t
    dc_last = rng.standard_normal((N, H)).astype(dtype)

    state = (h0, c0) if lstm else h0
    for t, cell in enumerate(steps):
        cell.load_state_dict(sd)
        state = cell(x[t], state)
    dx = [None] * T
    d_state = (dhs[-1], dc_last) if lstm else dhs[-1]
    for t in reversed(range(T)):
        dx[t], d_prev = steps[t].backward(*d_state) if lstm else steps[t].backward(d_state)
        if t:
            d_state = (d_prev[0] + dhs[t - 1], d_prev[1]) if lstm else d_prev + dhs[t - 1]
    grads = {n: sum(dict(c.named_parameters())[n].grad for c in steps) for n in sd}

    tcell = getattr(torch.nn, cls)(I, H, dtype=torch.float64 if dtype == np.float64 else torch.float32)
    tcell.load_state_dict({k: torch.from_numpy(v) for k, v in sd.items()})
    tx = torch.from_numpy(x).requires_grad_()
    th0, tc0 = (torch.from_numpy(a).requires_grad_() for a in (h0, c0))
    tstate, hs = ((th0, tc0) if lstm else th0), []
    for t in range(T):
        tstate = tcell(tx[t], tstate)
        hs.append(tstate[0] if lstm else tstate)
    loss = sum((hs[t] * torch.from_numpy(dhs[t])).sum() for t in range(T))
    if lstm:
        loss = loss + (tstate[1] * torch.from_numpy(dc_last)).sum()
    loss.backward()

    got_h0 = d_prev[0] if lstm else d_prev
    assert_close(np.stack(dx), tx.grad.numpy(), block=f"{cls}_bptt", check="grad_input", dtype=dtype)
    assert_close(got_h0, th0.grad.numpy(), block=f"{cls}_bptt", check="grad_h0", dtype=dtype)
    if lstm:
        assert_close(d_prev[1], tc0.grad.numpy(), block=f"{cls}_bptt", check="grad_c0", dtype=dtype)
    for name, p in tcell.named_parameters():
        assert_close(grads[name], p.grad.numpy(), block=f"{cls}_bptt", check=f"grad[{name}]", dtype=dtype)


# -- the documented departure ------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ["RNNCell", "GRUCell", "LSTMCell"])
def test_unbatched_input_with_a_square_2d_state_raises(cls, rng):
    """torch 2.13 lets a (H, k) state through its checks with a 1-d input, then broadcasts silently
    (``nn.RNNCell(3, 4)(x3, h44).shape == (4, 4)``) or crashes (``nn.GRUCell(3, 1)(torch.randn(3),
    torch.randn(1, 1))``: segmentation fault). scratch raises the RuntimeError torch gives every other 2-d state."""
    x = rng.standard_normal(I)
    sq = rng.standard_normal((H, H))
    hx = (np.zeros(H), sq) if cls == "LSTMCell" else sq
    with pytest.raises(RuntimeError, match="1-D hidden"):
        _cell(cls)(x, hx)
    if cls == "RNNCell":  # torch's side of it, where it does not crash
        out = torch.nn.RNNCell(I, H, dtype=torch.float64)(torch.from_numpy(x), torch.from_numpy(sq))
        assert tuple(out.shape) == (H, H)


# -- LSTMCell's c in another dtype -----------------------------------------------------------------------------
@pytest.mark.parametrize("c_dtype", [np.float64, np.int64, np.float32])
def test_lstm_float32_cell_with_c_of_another_dtype_like_torch(c_dtype, rng):
    """c meets no weight: torch promotes a float c (a float64 c makes both outputs float64, computed from float32
    gates, so judged at float32 tolerance), gives an integer c the gates' dtype, and returns dc in c's dtype."""
    x, h, _ = _inputs(rng, dtype=np.float32)
    c = rng.uniform(-2, 2, (N, H)).astype(c_dtype) if c_dtype != np.int64 else rng.integers(-2, 3, (N, H))
    s = _cell("LSTMCell", np.float32)
    r = reference.nn.LSTMCell(I, H, dtype=np.float32)
    r.load_state_dict(s.state_dict())
    outs = [m(x, (h, c)) for m in (s, r)]
    cots = tuple(rng.standard_normal(o.shape).astype(o.dtype) for o in outs[1])
    grads = [m.backward(*cots) for m in (s, r)]
    for (key, got), (_, want) in zip(leaves((outs[0], grads[0])), leaves((outs[1], grads[1])), strict=True):
        assert got.dtype == want.dtype, (key, got.dtype, want.dtype)
        assert_close(got, want, block="lstm_cell_c_dtype", check=f"{np.dtype(c_dtype).name}{key}", dtype=np.float32,
                     check_dtype=False)
    for (name, p), q in zip(s.named_parameters(), r.parameters(), strict=True):
        assert_close(p.grad, q.grad, block="lstm_cell_c_dtype", check=f"grad[{name}]", dtype=np.float32)
