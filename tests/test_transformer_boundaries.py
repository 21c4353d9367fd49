"""Every transformer catalog entry's own checks of the code it runs (its layers, attention, linears, norms, dropout):
one item per entry and check (its id is the entry's name, so the mutation audit's ``-k <entry>`` runs it for that
entry; tests/mutate/select.py):

- the layer's arguments at their checks' boundaries (nhead 0, not dividing, dropout 1 and above, activations,
  dim_feedforward 0, layer_norm_eps 0; a stack of 0 and 1 layers): the same outcome as torch;
- the init of the entry's configuration: every parameter's support (pooled over seeds) as torch's, zero biases and
  unit norms where torch has them; the masks' generator (the first draw of ``rng``);
- the entry's block on the input forms its sampler does not draw (batched and unbatched, bool and float masks of
  every kind, inputs at scale 100), against torch forward and backward in float64, and on inputs each check
  rejects (the same class as torch).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG, Lib

# isort: split
from tests.cases._recurrent_layers import fixed_masks
from tests.harness import assert_same_outcome, build, build_pair, compare_pair, outcome
from tests.test_attention_boundaries import loud, rows_like_torch

CASES = [c for c in CATALOG if c.family == "transformer"]


def _kind(block) -> str:
    return type(block).__name__


def _first_layer(block):
    """The entry's (first) layer: the block itself, a stack's first clone, or the model's first encoder layer."""
    if _kind(block) == "Transformer":
        return block.encoder.layers[0]
    return block.layers[0] if hasattr(block, "layers") else block


def _layer_kwargs(layer) -> dict:
    act = layer.activation
    return dict(d_model=layer.self_attn.embed_dim, nhead=layer.self_attn.num_heads,
                dim_feedforward=layer.linear1.out_features, dropout=layer.dropout.p,
                activation={"ReLU": "relu", "GELU": "gelu"}.get(type(act).__name__, "relu"),
                layer_norm_eps=layer.norm1.eps, batch_first=layer.batch_first, norm_first=layer.norm_first,
                bias=layer.linear1.bias is not None)


def _same(label: str, make, call=None) -> None:
    """make(lib) (then call on it) raises the same class on both sides or neither does; built, the twin takes the
    scratch block's parameters and the calls' outputs agree."""
    built = [outcome(lambda ns=ns: make(Lib(ns, np.float64, np.random.default_rng(1))))
             for ns in (scratch.nn, reference.nn)]
    assert_same_outcome(label, *built)
    if call is None or built[1][0] != "ok":
        return
    zeros = [sorted(n for n, v in m[1].state_dict().items() if not np.asarray(v).any()) for m in built]
    assert zeros[0] == zeros[1], f"{label}: all-zero parameters {zeros[0]}, torch's {zeros[1]}"  # torch's init
    built[1][1].load_state_dict(built[0][1].state_dict())
    got = [outcome(lambda m=m: call(fixed_masks(m[1]))) for m in built]  # the same dropout masks on both sides
    assert_same_outcome(label, *got)
    if got[1][0] == "ok":
        np.testing.assert_allclose(got[0][1], got[1][1], rtol=1e-10, atol=1e-10, err_msg=label)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_arguments_at_their_boundaries_like_torch(case):
    block = build(case, scratch.nn, np.float64)
    kind, layer = _kind(block), _first_layer(block)
    kw = _layer_kwargs(layer)
    cls = "TransformerDecoderLayer" if kind.startswith("TransformerDecoder") else "TransformerEncoderLayer"
    x = np.random.default_rng(0).uniform(-2, 2, (3, 2, kw["d_model"]))
    rows = [{"nhead": 0}, {"nhead": kw["nhead"] + 1}, {"dropout": 1.5}, {"dropout": 1.0}, {"activation": "tanh"},
            {"activation": "gelu"}, {"dim_feedforward": 0}, {"layer_norm_eps": 0.0}, {"d_model": 1, "nhead": 1},
            {"d_model": 0}, {"nhead": 1}, {"nhead": kw["d_model"]}]  # one head of width E, E heads of width 1
    x1 = np.random.default_rng(0).uniform(-2, 2, (3, 2, 1))
    for change in rows:
        y = x1 if change.get("d_model") == 1 else x
        call = (lambda m, y=y: m(y, y)) if cls == "TransformerDecoderLayer" else (lambda m, y=y: m(y))
        _same(f"{case.name}: {cls} {change}", lambda lib, change=change: getattr(lib, cls)(**{**kw, **change}), call)
    call = (lambda m: m(x, x)) if cls == "TransformerDecoderLayer" else (lambda m: m(x))
    if kind in ("TransformerEncoder", "TransformerDecoder"):
        for n in (0, 1):
            _same(f"{case.name}: {kind} of {n} layers", lambda lib, n=n: getattr(lib, kind)(getattr(lib, cls)(**kw),
                                                                                              n), call)


def _support(block) -> dict[str, tuple]:
    """Per parameter: (all zero, all one, max |value|)."""
    return {n: (not v.any(), bool(np.all(v == 1)), float(np.abs(v).max()) if v.size else 0.0)
            for n, v in ((n, np.asarray(v)) for n, v in block.state_dict().items())}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_init_and_mask_stream_of_the_entrys_configuration(case):
    """Pooled over 8 seeds: the same zero and one parameters as torch, and every random one reaching within 15% of
    torch's largest |value| (its support's bound); the masks' generator seeded by ``rng.integers(2**63)``."""
    pooled = []
    for ns in (scratch.nn, reference.nn):
        blocks = [build(case, ns, np.float64, seed) for seed in range(8)]
        stats = [_support(b) for b in blocks]
        pooled.append({n: (all(s[n][0] for s in stats), all(s[n][1] for s in stats), max(s[n][2] for s in stats))
                       for n in stats[0]})
    ours, theirs = pooled
    assert list(ours) == list(theirs)
    for name, (zero, one, top) in theirs.items():
        assert ours[name][:2] == (zero, one), f"{case.name}.{name}: zero/one {ours[name][:2]} vs torch {zero, one}"
        if not (zero or one):
            assert abs(ours[name][2] - top) <= 0.15 * top, f"{case.name}.{name}: max |value| {ours[name][2]} vs {top}"
    block = build(case, scratch.nn, np.float64)
    kind, kw = _kind(block), _layer_kwargs(_first_layer(block))
    rng = np.random.default_rng(5)
    if kind == "Transformer":
        fresh = scratch.nn.Transformer(num_encoder_layers=len(block.encoder.layers),
                                       num_decoder_layers=len(block.decoder.layers), **kw, rng=rng)
    elif kind in ("TransformerEncoder", "TransformerDecoder"):
        layer = getattr(scratch.nn, kind + "Layer")(**kw)
        fresh = getattr(scratch.nn, kind)(layer, len(block.layers), rng=rng)
    else:
        fresh = getattr(scratch.nn, kind)(**kw, rng=rng)
    want = np.random.default_rng(np.random.default_rng(5).integers(2**63)).random(3)
    np.testing.assert_array_equal(fresh.rng.random(3), want)  # a fresh block: the entry's masks may be fixed


def _masks(rng, kind: str, n, t: int, s: int, heads: int):
    """(attn mask (t, s), padding mask (n, s) or (s,)) of ``kind`` '' | 'bool' | 'float' | 'float3' | 'padded'."""
    lead = () if n is None else (n,)
    if kind == "bool":
        m, k = rng.random((t, s)) < 0.3, rng.random(lead + (s,)) < 0.3
        m[:, 0] = k[..., 0] = False
        return m, k
    if kind == "float3":
        return rng.standard_normal(((n or 1) * heads, t, s)), rng.standard_normal(lead + (s,))
    if kind == "float":
        return rng.standard_normal((t, s)), rng.standard_normal(lead + (s,))
    if kind == "padded":  # every key of the first sequence padded: its attention rows are fully masked
        k = np.zeros(lead + (s,), bool)
        k[..., 0, :] = True
        return None, k
    if kind == "causal":  # generate_square_subsequent_mask's: what is_causal=None detects
        return np.triu(np.full((t, s), -np.inf), 1), None
    return None, None


def _forms(block, rng) -> list[tuple[str, tuple]]:
    layer = _first_layer(block)
    e, h, bf, kind = layer.self_attn.embed_dim, layer.self_attn.num_heads, layer.batch_first, _kind(block)

    def seq(n, t, scale=1.0):
        shape = (t, e) if n is None else ((n, t, e) if bf else (t, n, e))
        return rng.uniform(-2, 2, shape) * scale

    forms = []
    for label, n, masks, scale, t, s in (
            ("batched", 2, "", 1.0, 3, 4), ("unbatched, float masks", None, "float", 1.0, 3, 4),
            ("batched, bool masks", 2, "bool", 1.0, 3, 4), ("batched, 3-d float mask", 2, "float3", 1.0, 3, 4),
            ("unbatched, 3-d float mask", None, "float3", 1.0, 3, 4), ("scale 100", 2, "", 100.0, 3, 4),
            ("one step", 2, "float", 1.0, 1, 1), ("an empty batch", 0, "", 1.0, 3, 4),
            ("causal masks", 2, "causal", 1.0, 3, 3), ("a fully padded sequence", 2, "padded", 1.0, 3, 4)):
        if kind in ("TransformerEncoderLayer", "TransformerEncoder"):
            m, k = _masks(rng, masks, n, t, t, h)
            causal = False if kind == "TransformerEncoderLayer" else None
            forms.append((label, (seq(n, t, scale), m, k, causal)))
            continue
        tm, tk = _masks(rng, masks, n, t, t, h)
        mm, mk = _masks(rng, "float" if masks == "float3" else masks, n, t, s, h)
        tgt, mem = seq(n, t, scale), seq(n, s, scale)
        if kind == "Transformer":  # the encoder's masks too (their gradients come back through the model)
            sm, sk = _masks(rng, masks, n, s, s, h)
            forms.append((label, (mem, tgt, sm, tm, mm, sk, tk, mk, None, None, False)))
        else:
            forms.append((label, (tgt, mem, tm, mm, tk, mk, False if kind.endswith("Layer") else None, False)))
    return forms


def _rejected(block, rng) -> list[tuple[str, tuple]]:
    layer = _first_layer(block)
    e, h, bf, kind = layer.self_attn.embed_dim, layer.self_attn.num_heads, layer.batch_first, _kind(block)
    x = rng.uniform(-2, 2, (2, 3, e) if bf else (3, 2, e))
    one = x[0] if bf else x[:, 0]  # an unbatched (3, e)
    rows = [("wrong d_model", (x[..., :-1],)), ("a 4-d input", (x[..., None, :],)), ("a 1-d input", (x[0, 0],)),
            ("unbatched, a 3-d mask of the wrong shape", (one, np.zeros((2 * h, 3, 3), bool))),
            ("other float dtype", (x.astype(np.float32),)), ("an integer mask", (x, np.zeros((3, 3), np.int64))),
            ("a mask of the wrong shape", (x, np.zeros((2, 3), bool))),
            ("a padding mask of the wrong width", (x, None, np.zeros((2, 2), bool)))]
    if kind == "TransformerEncoderLayer":
        rows.append(("is_causal without a mask", (x, None, None, True)))
    if kind.startswith("TransformerDecoder"):
        rows = [(label, (args[0], x) + args[1:]) for label, args in rows]
        rows += [("memory of the wrong d_model", (x, x[..., :-1])),
                 ("a memory mask of the wrong shape", (x, x, None, np.zeros((2, 2), bool)))]
    if kind == "Transformer":
        rows = [("wrong d_model", (x, x[..., :-1])), ("src and tgt batches differ", (x, x[:1] if bf else x[:, :1])),
                ("a 1-d src", (x[0, 0], x)), ("a 1-d tgt", (x, x[0, 0])),
                ("unbatched, a 3-d src_mask of the wrong shape", (one, one, np.zeros((2 * h, 3, 3), bool)))]
    return rows


def _randomized(s, r, rng) -> None:
    """Every LayerNorm weight and bias, and every other bias, moved off torch's 1 / 0 init (both sides)."""
    for name, p in s.named_parameters():
        if "norm" in name or name.endswith("bias"):
            p.data[...] = rng.uniform(-1, 1, p.data.shape) + (1.0 if "norm" in name and name.endswith("weight")
                                                              else 0.0)
    r.load_state_dict(s.state_dict())


@pytest.mark.parametrize("case", CASES, ids=str)
def test_input_forms_and_rejected_inputs_match_torch(case, rng):
    s, r = build_pair(case, np.float64)
    _randomized(s, r, rng)
    for label, args in _forms(s, rng):
        compare_pair(case, np.float64, s, r, args, rng, prefix=f"{label}:")
    rows_like_torch(case, s, r, [(label, args, False) for label, args in _rejected(s, rng)], rng)


MASKS = {"TransformerEncoderLayer": ((1,), (2,)), "TransformerEncoder": ((1,), (2,)),
         "TransformerDecoderLayer": ((2, 3), (4, 5)), "TransformerDecoder": ((2, 3), (4, 5)),
         "Transformer": ((3, 4), (6, 7))}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_mask_type_warnings_like_torch(case, rng):
    """bool masks with float ones of the other kind (attn / padding) warn as torch's; one kind alone does not."""
    s, r = build_pair(case, np.float64)
    attn, pad = MASKS[_kind(s)]
    bools = dict(_forms(s, rng))["batched, bool masks"]
    for floated in (attn, pad, attn + pad):
        args = tuple(np.where(a, -np.inf, 0.0) if k in floated and isinstance(a, np.ndarray) else a
                     for k, a in enumerate(bools))
        got = []
        for m in (s, r):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                loud(lambda m=m, args=args: m(*args))
            got.append(sorted({(w.category.__name__, "mismatched" in str(w.message)) for w in caught}))
        assert got[0] == got[1], f"{case.name}, float masks at {floated}: scratch warns {got[0]}, torch {got[1]}"
