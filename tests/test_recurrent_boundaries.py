"""Every recurrent catalog entry's own checks of the family's shared code: one item per entry (its id is the entry's
name, so the mutation audit's ``-k <entry>`` runs it for that entry; tests/mutate/select.py), for the entry's class
and configuration:

- the constructor's argument checks at their boundaries (sizes 0 and 1, dropout 0 and 1, proj_size 0 and
  hidden_size - 1, the one-layer dropout warning, ...): the same outcome and warning as torch;
- the documented init and mask stream for the entry's configuration: every tensor within +-1/sqrt(hidden_size) and
  reaching near both ends (test_init_catalog.py compares an entry whose init equals an earlier entry's with that
  entry's scratch init only), the dropout masks' generator seeded by the first draw of ``rng``;
- the entry's block on the input forms its sampler does not draw (batched and unbatched, with and without the
  initial states; a batch of 2 for the empty-batch entries) and at the rank and size checks' boundaries, against
  torch forward and backward in float64; a layer with ``needs_input_grad = False``: no input gradient, the same
  parameter gradients.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG, Lib

# isort: split
from tests.harness import assert_same_outcome, build, build_pair, compare_pair, outcome

CASES = [c for c in CATALOG if c.family == "recurrent"]
CELLS = ("RNNCell", "GRUCell", "LSTMCell")


def _config(block) -> tuple[str, dict]:
    """The entry's class name and the constructor arguments that rebuild its block."""
    name = type(block).__name__
    keys = ("input_size", "hidden_size", "bias") if name in CELLS else (
        "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")
    kw = {k: getattr(block, k) for k in keys}
    if name in ("RNN", "RNNCell"):
        kw["nonlinearity"] = block.nonlinearity
    if name == "LSTM":
        kw["proj_size"] = block.proj_size
    return name, kw


def _same(label: str, make) -> None:
    """make(lib) raises the same class on both sides, or neither raises, and warns alike."""
    results = []
    for ns in (scratch.nn, reference.nn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results.append(("ok", make(Lib(ns, np.float64))))
            except Exception as e:  # noqa: BLE001 - the class is what is compared
                results.append(("raise", e))
        results[-1] += (sorted({w.category.__name__ for w in caught}),)
    (ks, vs, ws), (kr, vr, wr) = results
    assert_same_outcome(label, (ks, vs), (kr, vr))
    assert ws == wr, f"{label}: scratch warns {ws}, torch {wr}"


def _constructor_rows(name: str, kw: dict) -> list[tuple[str, dict]]:
    """(label, keyword changes to the entry's arguments) at each check's boundary, both sides of it."""
    if name in CELLS:
        return [(f"{k} {v}", {k: v}) for k in ("input_size", "hidden_size") for v in (0, 1, -1, 2.0)]
    h = kw["hidden_size"]
    rows = [(f"{k} {v}", {k: v}) for k in ("input_size", "hidden_size", "num_layers") for v in (0, 1, 2.0)]
    rows += [(f"dropout {v}", {"dropout": v, "num_layers": 2}) for v in (0, 1, 1.5, -0.1, True, "0.5")]
    rows += [(f"dropout {v}, {n} layers", {"dropout": v, "num_layers": n}) for v in (0, 0.5) for n in (1, 2)]
    rows += [(f"{k} not a bool", {k: 1}) for k in ("bias", "batch_first")]
    if name == "LSTM":
        rows += [(f"proj_size {v}", {"proj_size": v}) for v in (0, 1, h - 1, h, -1, 1.0)]
    else:
        rows += [("proj_size 0", {"proj_size": 0})]
    if name == "RNN":
        rows += [(f"nonlinearity {v}", {"nonlinearity": v}) for v in ("tanh", "relu", "gelu")]
    return rows


@pytest.mark.parametrize("case", CASES, ids=str)
def test_constructor_checks_at_their_boundaries_like_torch(case):
    name, kw = _config(build(case, scratch.nn, np.float64))
    for label, change in _constructor_rows(name, kw):
        args = {**kw, **change}
        _same(f"{case.name}: {name} {label}", lambda lib, args=args: getattr(lib, name)(**args))


def _bound_and_support(block, name: str) -> None:
    bound = 1.0 / np.sqrt(block.hidden_size)
    for pname, p in block.named_parameters():
        v = np.asarray(p.data)
        assert np.abs(v).max() <= bound, f"{name}.{pname}: |value| {np.abs(v).max()} > 1/sqrt(H) = {bound}"
        assert v.max() > 0.5 * bound and v.min() < -0.5 * bound, f"{name}.{pname} does not span +-1/sqrt(H)"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_init_bound_and_mask_stream_of_the_entrys_configuration(case):
    """Pooled over 16 seeds (hidden_size 1 included: the bound is then 1), like torch's own init; layers seed their
    masks' generator with ``rng.integers(2**63)`` before drawing any parameter (docs/design.md, Randomness)."""
    name, kw = _config(build(case, scratch.nn, np.float64))
    for config in (kw, {**kw, "hidden_size": 1, **({"proj_size": 0} if "proj_size" in kw else {})}):
        blocks = [getattr(scratch.nn, name)(**config, dtype=np.float64, rng=np.random.default_rng(s))
                  for s in range(16)]
        pooled = blocks[0]
        for pname, p in pooled.named_parameters():
            p.data = np.stack([dict(b.named_parameters())[pname].data for b in blocks])
        _bound_and_support(pooled, name)
    torch_block = getattr(reference.nn, name)(**kw, dtype=np.float64)
    for pname, p in torch_block.state_dict().items():
        assert np.abs(p).max() <= 1.0 / np.sqrt(kw["hidden_size"]), f"torch's {name}.{pname} bound"
    if name not in CELLS:
        want = np.random.default_rng(np.random.default_rng(5).integers(2**63)).random(4)
        np.testing.assert_array_equal(getattr(scratch.nn, name)(**kw, rng=np.random.default_rng(5)).rng.random(4),
                                      want)


def _forms(block, name: str, rng: np.random.Generator) -> list[tuple[str, tuple]]:
    """Every (batched or not) x (initial states or not) input of the block, T = 4 steps, batch 2, float64; then
    the batched one with states at scale 1e3 (every gate saturated), LSTM's c0 in float32 (torch casts it to the
    float64 weights' dtype) and LSTMCell's unbatched states as the rows of one array."""
    i, h = block.input_size, block.hidden_size
    forms = []
    for batch in ((2,), ()):
        if name in CELLS:
            x = rng.uniform(-2, 2, batch + (i,))
            states = rng.uniform(-1, 1, (2,) + batch + (h,))
            hx = (states[0], states[1]) if name == "LSTMCell" else states[0]
        else:
            x = rng.uniform(-2, 2, ((batch + (4,)) if block.batch_first else ((4,) + batch)) + (i,))
            layers = block.num_layers * (2 if block.bidirectional else 1)
            h0 = rng.uniform(-1, 1, (layers,) + batch + (block.proj_size if name == "LSTM" and block.proj_size
                                                           else h,))
            hx = (h0, rng.uniform(-2, 2, (layers,) + batch + (h,))) if name == "LSTM" else h0
        label = "batched" if batch else "unbatched"
        forms += [(f"{label}, no initial state", (x,)), (f"{label}, initial state", (x, hx))]
    x, hx = forms[1][1]
    big = lambda a: tuple(big(v) for v in a) if isinstance(a, tuple) else a * 1e3  # noqa: E731
    forms.append(("batched, initial state, scale 1e3", (big(x), big(hx))))
    if name == "LSTM":
        forms.append(("batched, c0 float32", (x, (hx[0], hx[1].astype(np.float32)))))
    if name == "LSTMCell":
        x, hx = forms[3][1]
        forms.append(("unbatched, states the rows of one array", (x, np.stack(hx))))
    return forms


def _bad_rows(block, name: str) -> list[tuple[str, tuple]]:
    """Inputs at the rank and size checks' boundaries (both libraries raise, the same class)."""
    i, h = block.input_size, block.hidden_size
    if name in CELLS:
        state = (lambda shape: (np.ones(shape), np.ones(shape))) if name == "LSTMCell" else np.ones
        return [("0-d input", (np.asarray(1.0),)), ("3-d input", (np.ones((2, 2, i)),)),
                ("1-d hidden of batch length", (np.ones((h, i)), state((h,))))]
    return [("1-d input", (np.ones(i),)), ("4-d input", (np.ones((2, 2, 1, i)),)),
            ("no time steps", (np.ones((2, 0, i) if block.batch_first else (0, 2, i)),))]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_input_form_matches_torch(case, rng):
    s, r = build_pair(case, np.float64)
    name = type(s).__name__
    for label, args in _forms(s, name, rng):
        compare_pair(case, np.float64, s, r, args, rng, prefix=f"form {label}:")
    for label, args in _bad_rows(s, name):
        assert outcome(lambda args=args: r(*args))[0] == "raise", f"torch accepts {label}"
        assert_same_outcome(f"{case.name}: {label}", outcome(lambda args=args: s(*args)),
                            outcome(lambda args=args: r(*args)))


@pytest.mark.parametrize("case", [c for c in CASES if type(build(c, scratch.nn, np.float64)).__name__ not in CELLS],
                         ids=str)
def test_needs_input_grad_false_leaves_the_parameter_gradients(case, rng):
    s = build(case, scratch.nn, np.float64)
    args = _forms(s, type(s).__name__, rng)[1][1]
    grads = []
    for needs in (True, False):
        s.needs_input_grad = needs
        s.zero_grad()
        if s.dropout:
            s.rng = np.random.default_rng(0)  # the same masks both times
        out = s(*args)
        dx = s.backward(*(np.ones_like(o) if not isinstance(o, tuple) else tuple(map(np.ones_like, o))
                          for o in out))[0]
        assert (dx is None) == (not needs), needs
        grads.append({n: p.grad for n, p in s.named_parameters()})
    for name in grads[0]:
        np.testing.assert_array_equal(grads[1][name], grads[0][name], err_msg=name)
