"""Recurrent layers (RNN, LSTM, GRU): what the generic catalog checks cannot see.

- The twin's per-layer dropout path equals torch's native multi-layer kernel where the mask does not matter.
- Dropout placement: between layers only, never on h_n / c_n (dropout = 1 pins it exactly).
- Torch-free float64 oracles: the reverse direction is flip / run / flip with the ``_reverse`` weights; a stack is
  its layers run one by one; a layer is its cell (scratch's RNNCell / LSTMCell / GRUCell) looped over time, in
  the forward and in every gradient.
- Layouts: h_n / c_n never batch-first; bidirectional h_n entries against output; state_dict shapes of 2a.
- Hypothesis over (mode, T, N, sizes, layers, directions, batch_first, bias, proj_size, hx) against torch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import reference.nn
import scratch.nn as nn
from tests.catalog import Case  # first: the catalog imports every case family

# isort: split
from tests.cases._recurrent_layers import seq
from tests.harness import build_pair, compare_pair
from tests.tolerances import Tol, assert_close

TIGHT = Tol(rtol=1e-12, atol=1e-13)
KINDS = {"RNN": "h", "GRU": "h", "LSTM": "hc"}


def _pair_weights(src, dst, mapping: dict[str, str]) -> None:
    """dst.load_state_dict of src's tensors renamed by ``mapping`` (dst name -> src name)."""
    sd = src.state_dict()
    dst.load_state_dict({k: sd[v] for k, v in mapping.items()})


def _grads(module) -> dict[str, np.ndarray]:
    return {n: p.grad for n, p in module.named_parameters()}


# -- the twin's per-layer path == torch's native kernel ------------------------------------------------------------
@pytest.mark.parametrize("cls, kw", [("LSTM", dict(proj_size=2, bidirectional=True)), ("GRU", dict(batch_first=True)),
                                     ("RNN", dict(nonlinearity="relu", bidirectional=True))])
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_twin_layered_path_equals_native_torch(cls, kw, p, rng):
    """dropout = 0 (no mask) and dropout = 1 (every mask zero) in training: the twin's layer-by-layer path with
    injected masks and torch's own multi-layer kernel give the same outputs and gradients."""
    twin = getattr(reference.nn, cls)(3, 4, 3, dropout=p, dtype=np.float64, rng=np.random.default_rng(0), **kw)
    inner = twin.torch_module
    native = getattr(torch.nn, cls)(3, 4, 3, dropout=p, dtype=torch.float64, **kw)
    native.load_state_dict(inner.state_dict())
    inner.force_layered = True
    x = rng.standard_normal((2, 5, 3) if kw.get("batch_first") else (5, 2, 3))
    results = []
    for module in (inner, native):
        xt = torch.tensor(x, requires_grad=True)
        out, hidden = module(xt)
        flat = [out, *(hidden if isinstance(hidden, tuple) else (hidden,))]
        cots = [torch.tensor(np.random.default_rng(1).standard_normal(tuple(t.shape))) for t in flat]
        torch.autograd.backward(flat, cots)
        results.append([t.detach().numpy() for t in flat] + [xt.grad.numpy()]
                       + [q.grad.numpy() for q in module.parameters()])
    for a, b in zip(*results, strict=True):
        assert_close(a, b, block=cls, check="layered_vs_native", tol=TIGHT)


def test_dropout_one_zeroes_the_upper_layers_input_but_not_the_states(rng):
    """dropout = 1, 2 layers, training: layer 1 sees zeros (its output is the zero-input response), h_n[0] and
    c_n[0] are layer 0's undropped states (equal to the eval run's)."""
    m = nn.LSTM(3, 4, 2, dropout=1.0, dtype=np.float64, rng=np.random.default_rng(0))
    x = rng.standard_normal((5, 2, 3))
    y, (h, c) = m(x)
    m.eval()
    _, (h_eval, c_eval) = m(x)
    np.testing.assert_array_equal(h[0], h_eval[0])
    np.testing.assert_array_equal(c[0], c_eval[0])
    top = nn.LSTM(4, 4, dtype=np.float64)
    _pair_weights(m, top, {k: k.replace("_l0", "_l1") for k in top.state_dict()})
    y_zero, _ = top(np.zeros((5, 2, 4)))
    np.testing.assert_array_equal(y, y_zero)
    assert np.abs(y).max() > 0  # the biases still drive it


def test_dropout_with_one_layer_warns_like_torch():
    for lib in (nn, reference.nn):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
            lib.GRU(3, 4, dropout=0.5)


def test_masks_are_drawn_per_layer_in_time_major_order(rng):
    """The mask of layer k (k < L-1) is the k-th draw of rng.random((T, N, D*H)) from the module's generator:
    reproduced here by hand from the layers run one by one."""
    m = nn.GRU(3, 4, 3, batch_first=True, dropout=0.5, bidirectional=True, dtype=np.float64,
               rng=np.random.default_rng(0))
    m.rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 3))
    y, h = m(x)
    masks = np.random.default_rng(7)
    layer_in = x.transpose(1, 0, 2)
    for k in range(3):
        layer = nn.GRU(3 if k == 0 else 8, 4, bidirectional=True, dtype=np.float64)
        _pair_weights(m, layer, {n: n.replace("_l0", f"_l{k}") for n in layer.state_dict()})
        out, h_k = layer(layer_in)
        assert_close(h[2 * k:2 * k + 2], h_k, block="GRU", check=f"h_n layer {k}", tol=TIGHT)
        layer_in = out * ((masks.random(out.shape) >= 0.5) / 0.5) if k < 2 else out
    assert_close(y, layer_in.transpose(1, 0, 2), block="GRU", check="output", tol=TIGHT)


# -- torch-free oracles --------------------------------------------------------------------------------------------
def _cots(rng, out):
    leaves = [out[0], *(out[1] if isinstance(out[1], tuple) else (out[1],))]
    return [rng.standard_normal(a.shape) for a in leaves]


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_reverse_direction_is_flip_run_flip(cls, rng):
    """Bidirectional = forward layer on x and a forward layer with the _reverse weights on flip(x), flipped back;
    h_n[1] is the reverse run's final state, which sits at output t = 0. Gradients add up the same way."""
    bi = getattr(nn, cls)(3, 4, bidirectional=True, dtype=np.float64, rng=np.random.default_rng(0))
    fw, bw = (getattr(nn, cls)(3, 4, dtype=np.float64) for _ in range(2))
    _pair_weights(bi, fw, {k: k for k in fw.state_dict()})
    _pair_weights(bi, bw, {k: k + "_reverse" for k in bw.state_dict()})
    x = rng.standard_normal((6, 2, 3))
    states = (rng.standard_normal((2, 2, 4)),) * (2 if cls == "LSTM" else 1)
    hx = states if cls == "LSTM" else states[0]
    sub = (lambda k: tuple(s[k:k + 1] for s in states)) if cls == "LSTM" else (lambda k: states[0][k:k + 1])
    out, hidden = bi(x, hx)
    cot = _cots(rng, (out, hidden))
    dx, dhx = bi.backward(cot[0], tuple(cot[1:]) if cls == "LSTM" else cot[1])
    y_f, h_f = fw(x, sub(0))
    y_b, h_b = bw(x[::-1].copy(), sub(1))
    assert_close(out[..., :4], y_f, block=cls, check="forward half", tol=TIGHT)
    assert_close(out[..., 4:], y_b[::-1], block=cls, check="reverse half = flip(run(flip x))", tol=TIGHT)
    if cls == "LSTM":
        runs = ((0, h_f, df := fw.backward(cot[0][..., :4], (cot[1][:1], cot[2][:1]))),
                (1, h_b, db := bw.backward(cot[0][::-1, :, 4:].copy(), (cot[1][1:], cot[2][1:]))))
        for k, state, _ in runs:
            for got, want in zip((hidden[0][k:k + 1], hidden[1][k:k + 1]), state, strict=True):
                assert_close(got, want, block=cls, check=f"states of direction {k}", tol=TIGHT)
        d_states = [np.concatenate((df[1][j], db[1][j])) for j in range(2)]
    else:
        df = fw.backward(cot[0][..., :4], cot[1][:1])
        db = bw.backward(cot[0][::-1, :, 4:].copy(), cot[1][1:])
        assert_close(hidden[:1], h_f, block=cls, check="h_n forward", tol=TIGHT)
        assert_close(hidden[1:], h_b, block=cls, check="h_n reverse", tol=TIGHT)
        d_states = [np.concatenate((df[1], db[1]))]
    assert_close(dx, df[0] + db[0][::-1], block=cls, check="dx", tol=TIGHT)
    for got, want in zip(dhx if cls == "LSTM" else (dhx,), d_states, strict=True):
        assert_close(got, want, block=cls, check="d hx", tol=TIGHT)
    for name, g in _grads(bi).items():
        src = _grads(bw)[name.removesuffix("_reverse")] if name.endswith("_reverse") else _grads(fw)[name]
        assert_close(g, src, block=cls, check=f"grad[{name}]", tol=TIGHT)


@pytest.mark.parametrize("cls, kw", [("GRU", {}), ("LSTM", dict(proj_size=2)), ("RNN", dict(nonlinearity="relu"))])
def test_a_stack_is_its_layers_run_one_by_one(cls, kw, rng):
    stack = getattr(nn, cls)(3, 4, 3, bidirectional=True, dtype=np.float64, rng=np.random.default_rng(0), **kw)
    h_out = kw.get("proj_size") or 4
    layers = [getattr(nn, cls)(3 if k == 0 else 2 * h_out, 4, bidirectional=True, dtype=np.float64, **kw)
              for k in range(3)]
    for k, layer in enumerate(layers):
        _pair_weights(stack, layer, {n: n.replace("_l0", f"_l{k}") for n in layer.state_dict()})
    x = rng.standard_normal((5, 2, 3))
    out, hidden = stack(x)
    cot = _cots(rng, (out, hidden))
    dx = stack.backward(cot[0], tuple(cot[1:]) if cls == "LSTM" else cot[1])
    y, states = x, []
    for layer in layers:
        y, h = layer(y)
        states.append(h)
    assert_close(out, y, block=cls, check="output", tol=TIGHT)
    d_y = cot[0]
    for k in reversed(range(3)):
        split = [c[2 * k:2 * k + 2] for c in cot[1:]]
        d_y = layers[k].backward(d_y, tuple(split) if cls == "LSTM" else split[0])
        for name, g in _grads(layers[k]).items():
            assert_close(_grads(stack)[name.replace("_l0", f"_l{k}")], g, block=cls, check=f"layer {k} {name}",
                         tol=TIGHT)
    assert_close(dx, d_y, block=cls, check="dx", tol=TIGHT)


@pytest.mark.parametrize("cls", ["RNN", "GRU", "LSTM"])
def test_a_layer_is_its_cell_looped_over_time(cls, rng):
    """Forward and every gradient of a one-layer batch-first module == scratch's cell unrolled over T steps."""
    layer = getattr(nn, cls)(3, 4, batch_first=True, dtype=np.float64, rng=np.random.default_rng(0))
    cell = getattr(nn, cls + "Cell")(3, 4, dtype=np.float64)
    _pair_weights(layer, cell, {k: k + "_l0" for k in cell.state_dict()})
    T, N = 6, 3
    x = rng.standard_normal((N, T, 3))
    h0, c0 = rng.standard_normal((1, N, 4)), rng.standard_normal((1, N, 4))
    lstm = cls == "LSTM"
    out, hidden = layer(x, (h0, c0) if lstm else h0)
    cot = _cots(rng, (out, hidden))
    dx, dhx = layer.backward(cot[0], tuple(cot[1:]) if lstm else cot[1])
    # unrolled: a fresh cell call per step (each keeps its own cache), then backward from the last step
    cells, state, ys = [], ((h0[0], c0[0]) if lstm else h0[0]), []
    for t in range(T):
        c = getattr(nn, cls + "Cell")(3, 4, dtype=np.float64)
        c.load_state_dict(cell.state_dict())
        state = c(x[:, t], state)
        ys.append(state[0] if lstm else state)
        cells.append(c)
    assert_close(out, np.stack(ys, axis=1), block=cls, check="output", tol=TIGHT)
    d_state = (cot[1][0], cot[2][0]) if lstm else cot[1][0]
    dxs = [None] * T
    for t in reversed(range(T)):
        d_h = cot[0][:, t] + (d_state[0] if lstm else d_state)
        dxs[t], d_state = cells[t].backward(d_h, d_state[1]) if lstm else cells[t].backward(d_h)
    assert_close(dx, np.stack(dxs, axis=1), block=cls, check="dx", tol=TIGHT)
    for got, want in zip(dhx if lstm else (dhx,), d_state if lstm else (d_state,), strict=True):
        assert_close(got[0], want, block=cls, check="d hx", tol=TIGHT)
    for name, g in _grads(layer).items():
        want = sum(dict(c_.named_parameters())[name.removesuffix("_l0")].grad for c_ in cells)
        assert_close(g, want, block=cls, check=f"grad[{name}]", tol=TIGHT)


def test_needs_input_grad_false_skips_only_the_input_gradient(rng):
    full, skip = (nn.LSTM(3, 4, 2, dtype=np.float64, rng=np.random.default_rng(0)) for _ in range(2))
    skip.needs_input_grad = False
    x, h = rng.standard_normal((5, 2, 3)), (np.zeros((2, 2, 4)),) * 2
    cots = [rng.standard_normal(s) for s in ((5, 2, 4), (2, 2, 4), (2, 2, 4))]
    grads = []
    for m in (full, skip):
        m(x, h)
        grads.append(m.backward(cots[0], tuple(cots[1:])))
    assert grads[1][0] is None and grads[0][0].shape == x.shape
    for a, b in zip(grads[0][1], grads[1][1], strict=True):
        np.testing.assert_array_equal(a, b)
    for (name, a), b in zip(_grads(full).items(), _grads(skip).values(), strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)


# -- layouts -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ["GRU", "LSTM"])
def test_h_n_is_never_batch_first_and_its_entries_sit_where_torch_puts_them(cls, rng):
    m = getattr(nn, cls)(3, 4, 2, batch_first=True, bidirectional=True, dtype=np.float64,
                         rng=np.random.default_rng(0))
    y, hidden = m(rng.standard_normal((2, 5, 3)))
    h = hidden[0] if cls == "LSTM" else hidden
    assert y.shape == (2, 5, 8) and h.shape == (4, 2, 4)
    np.testing.assert_array_equal(h[2], y[:, -1, :4])  # last layer, forward: its last step
    np.testing.assert_array_equal(h[3], y[:, 0, 4:])  # last layer, reverse: t = 0, not the last step


def test_lstm_proj_bidirectional_two_layer_state_dict_is_torchs():
    """TORCH_SEMANTICS_NEXT 2a/2b-5: 20 tensors, in torch's order, with torch's shapes."""
    ours = nn.LSTM(3, 5, 2, proj_size=2, bidirectional=True).state_dict()
    theirs = torch.nn.LSTM(3, 5, 2, proj_size=2, bidirectional=True).state_dict()
    assert len(ours) == 20
    assert [(k, v.shape) for k, v in ours.items()] == [(k, tuple(v.shape)) for k, v in theirs.items()]
    assert ours["weight_hh_l1"].shape == (20, 2) and ours["weight_ih_l1"].shape == (20, 4)
    y, (h, c) = nn.LSTM(3, 5, 2, proj_size=2, bidirectional=True)(np.zeros((7, 2, 3), np.float32))
    assert (y.shape, h.shape, c.shape) == ((7, 2, 4), (4, 2, 2), (4, 2, 5))


def test_init_bound_is_one_over_sqrt_hidden_size_for_every_tensor_including_weight_hr():
    m = nn.LSTM(3, 400, proj_size=7, bias=True, dtype=np.float64, rng=np.random.default_rng(0))
    for name, p in m.named_parameters():
        bound = 1 / np.sqrt(400)
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound, name


# -- hypothesis over configurations, against torch ---------------------------------------------------------------
@st.composite
def configs(draw):
    cls = draw(st.sampled_from(["RNN", "GRU", "LSTM"]))
    hidden = draw(st.integers(1, 4))
    kw = dict(num_layers=draw(st.integers(1, 3)), bias=draw(st.booleans()), batch_first=draw(st.booleans()),
              bidirectional=draw(st.booleans()))
    if cls == "LSTM":
        kw["proj_size"] = draw(st.integers(0, hidden - 1))
    if cls == "RNN":
        kw["nonlinearity"] = draw(st.sampled_from(["tanh", "relu"]))
    i, T = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    batched = draw(st.booleans())
    n = draw(st.integers(0, 3)) if batched else None
    hx = draw(st.booleans())
    return cls, hidden, kw, i, T, n, hx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@settings(max_examples=30, deadline=None)
@given(config=configs(), seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1.0, 1e-3, 1e2]))
def test_hypothesis_configurations_vs_torch(dtype, config, seed, scale):
    cls, hidden, kw, i, T, n, hx = config
    states = kw["num_layers"] * (2 if kw["bidirectional"] else 1)
    h_out = kw.get("proj_size") or hidden
    shape = (T, i) if n is None else ((n, T, i) if kw["batch_first"] else (T, n, i))
    case = Case(f"{cls}{kw}", lambda lib: getattr(lib, cls)(i, hidden, **kw),
                seq(states, h_out, hidden, KINDS[cls] if hx else "", kw["batch_first"]), shape)
    rng = np.random.default_rng(seed)
    s, r = build_pair(case, dtype, seed=seed % 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, shape, scale), rng, prefix="hypothesis:",
                     slack_seed=seed % 7)
