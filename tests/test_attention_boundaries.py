"""Every attention catalog entry's own checks of the family's shared code: one item per entry and check (its id is
the entry's name, so the mutation audit's ``-k <entry>`` runs it for that entry; tests/mutate/select.py), for the
entry's class and options:

- the arguments at their checks' boundaries (dropout 1 and above, embed_dim and num_heads 0, 1 and not dividing,
  non-bool flags): the same outcome as torch, the same warnings;
- MultiheadAttention's init for the entry's configuration (xavier bounds reached, zero biases, bias_k / bias_v
  N(0, 1/E)) and its masks' generator (the first draw of ``rng``);
- the entry's block on the input forms its sampler does not draw (ScaledDotProductAttention: one key, a fully masked
  row, a key broadcast over the batch, a float32 mask for float64; MultiheadAttention: batched <-> unbatched, the
  other path, float and bool masks, per-head weights, one key), against torch forward and backward in float64, and
  on inputs each check rejects (the same class as torch).
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

CASES = [c for c in CATALOG if c.family == "attention"]
SDPA = [c for c in CASES if type(build(c, scratch.nn, np.float64)).__name__ == "ScaledDotProductAttention"]
MHA = [c for c in CASES if c not in SDPA]
OPTS = ("dropout_p", "is_causal", "scale", "enable_gqa")


def loud(fn):
    """harness.outcome without its warnings filter: ('ok', value) or ('raise', exception), warnings left to the
    caller's recorder."""
    try:
        return "ok", fn()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return "raise", e


def _same(label: str, make, call, values: bool = True) -> None:
    """call(make(lib)) raises the same class on both sides or neither does (then alike to 1e-12), warning alike;
    ``values`` False: blocks with parameters, the twin takes the scratch block's before the call."""
    got, built = [], []
    for ns in (scratch.nn, reference.nn):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            block = loud(lambda ns=ns: make(Lib(ns, np.float64, np.random.default_rng(3))))
            if not values and ns is reference.nn and block[0] == built[0][0] == "ok":
                block[1].load_state_dict(built[0][1].state_dict())  # the twin takes scratch's parameters
                values = True
            built.append(block)
            result = block if block[0] == "raise" else loud(lambda block=block: call(block[1]))
        got.append((result, sorted({(w.category.__name__, "mismatched" in str(w.message)) for w in caught})))
    (s, ws), (r, wr) = got
    assert_same_outcome(label, s, r)
    assert ws == wr, f"{label}: scratch warns {ws}, torch {wr}"
    if r[0] == "ok" and not values:  # each side's own parameters: alike in shape and finiteness only
        pairs = zip(s[1], r[1], strict=True) if isinstance(r[1], tuple) else ((s[1], r[1]),)
        for a, b in pairs:
            assert (a is None) == (b is None) and (b is None or (np.shape(a) == np.shape(b) and np.array_equal(
                np.isfinite(a), np.isfinite(b)))), label
    if r[0] == "ok" and values:
        pairs = zip(s[1], r[1], strict=True) if isinstance(r[1], tuple) else ((s[1], r[1]),)
        for a, b in pairs:
            if b is not None:
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12, err_msg=label)


def _u(rng, *shape):
    return rng.uniform(-2, 2, shape)


# -- ScaledDotProductAttention ---------------------------------------------------------------------------------
def _sdpa_train(lib, **kw):
    return lib.ScaledDotProductAttention(**kw).train()


@pytest.mark.parametrize("case", SDPA, ids=str)
def test_sdpa_arguments_at_their_boundaries_like_torch(case):
    block = build(case, scratch.nn, np.float64)
    kw = {k: getattr(block, k) for k in OPTS}
    rng = np.random.default_rng(0)
    qkv = (_u(rng, 2, 4, 5), _u(rng, 2, 4 if kw["is_causal"] else 6, 5), _u(rng, 2, 4 if kw["is_causal"] else 6, 3))
    rows = [{"dropout_p": p} for p in (1.5, 1.0, 0.0, -0.5)] + [{"is_causal": 1}, {"enable_gqa": None},
                                                                   {"scale": "0.5"}, {"scale": 0.0}]
    for change in rows:
        _same(f"{case.name}: {change}", lambda lib, change=change: _sdpa_train(lib, **{**kw, **change}),
              lambda m: m(*qkv))


def _sdpa_forms(case, block, rng) -> list[tuple[str, tuple]]:
    """The entry's default inputs with one key, with a fully masked row (bool mask), with the key and value
    broadcast over the leading dim, and with a float32 mask (float64 inputs)."""
    args = case.sample(rng, np.float64, case.shape, 1.0)
    q, k, v = args[:3]
    mask = args[3] if len(args) > 3 else None
    one = tuple(slice(0, 1) for _ in range(q.ndim - 2))
    forms = [("one key", (q, k[..., :1, :], v[..., :1, :]) + ((mask[..., :1],) if mask is not None else ())),
             ("one query", (q[..., :1, :], k, v) + ((mask[..., :1, :],) if mask is not None else ())),
             ("a single value", (q[one], k[one][..., :1, :], v[one][..., :1, :1]))]
    if not block.enable_gqa and q.ndim > 2:
        lead = (0,) * (q.ndim - 2)
        forms.append(("2-d inputs", (q[lead], k[(0,) * (k.ndim - 2)], v[(0,) * (v.ndim - 2)])))
    if not block.is_causal:
        full = np.ones(q.shape[-2:-1] + k.shape[-2:-1], bool)
        full[0] = False
        forms += [("a fully masked row", (q, k, v, full)),
                  ("a float32 mask", (q, k, v, rng.standard_normal(full.shape).astype(np.float32)))]
    if q.ndim >= 3 and not block.enable_gqa:
        forms.append(("key and value broadcast", (q, k[..., :1, :, :], v[..., :1, :, :]) + args[3:]))
    return forms


def _sdpa_bad(case, block, rng) -> list[tuple[str, tuple, bool]]:
    q, k, v = case.sample(rng, np.float64, case.shape, 1.0)[:3]
    rows = [("a 1-d query", (q.reshape(-1), k, v), False), ("int64 inputs", tuple(a.astype(np.int64) for a in
                                                                                   (q, k, v)), False),
            ("key of the other dtype", (q, k.astype(np.float32), v), False),
            ("an int64 mask", (q, k, v, np.ones(q.shape[-2:-1] + k.shape[-2:-1], np.int64)), False),
            ("a float16 mask", (q, k, v, np.zeros(q.shape[-2:-1] + k.shape[-2:-1], np.float16)), False),
            ("no queries", (q[..., :0, :], k, v), True), ("no value features", (q, k, v[..., :0]), True),
            ("no keys, another E", (q, k[..., :0, :-1], v[..., :0, :]), True),
            ("no query features (E = 0)", (q[..., :0], k[..., :0], v), True),
            ("no queries, another E (the early return skips the check)", (q[..., :0, :-1], k, v), True)]
    if q.ndim >= 3 and not block.enable_gqa and q.shape[-3] > 1:  # a batch dim torch cannot broadcast
        def grow(a):  # dim -3 of size h + 1 against the query's h > 1
            return np.repeat(a[..., :1, :, :], q.shape[-3] + 1, axis=-3)

        rows += [("a key batch that does not broadcast", (q, grow(k), v), False),
                 ("a value batch that does not broadcast", (q, k, grow(v)), False)]
    if block.is_causal:  # torch's CPU flash kernel (4-d, E = Ev) applies both instead of raising: a departure
        rows[3:5] = [] if q.ndim == 4 and q.shape[-1] == v.shape[-1] else [  # kept (the math path's error)
            ("is_causal with a mask", (q, k, v, np.ones(q.shape[-2:-1] + k.shape[-2:-1], bool)), False)]
    if block.enable_gqa:
        rows += [("2-d inputs", (q[0, 0], k[0, 0], v[0, 0]), False),
                 ("key heads not dividing", (q, np.repeat(k[:, :1], q.shape[1] - 1, axis=1), v), False)]
    return rows


@pytest.mark.parametrize("case", SDPA, ids=str)
def test_sdpa_input_forms_and_rejected_inputs_match_torch(case, rng):
    s, r = build_pair(case, np.float64)
    for label, args in _sdpa_forms(case, s, rng):
        compare_pair(case, np.float64, s, r, args, rng, prefix=f"{label}:")
    rows_like_torch(case, s, r, _sdpa_bad(case, s, rng), rng)


def rows_like_torch(case, s, r, rows, rng) -> None:
    """(label, args, accepted) rows: accepted ones compared forward and backward, the others raising torch's class
    (shared by the embedding and transformer boundary files)."""
    for label, args, accepted in rows:
        if accepted:
            compare_pair(case, np.float64, s, r, args, rng, prefix=f"{label}:")
            continue
        expected = outcome(lambda args=args: r(*args))
        assert expected[0] == "raise", f"torch accepts {label}"
        assert_same_outcome(f"{case.name}: {label}", outcome(lambda args=args: s(*args)), expected)


# -- MultiheadAttention ----------------------------------------------------------------------------------------
def _mha_config(block) -> dict:
    return dict(embed_dim=block.embed_dim, num_heads=block.num_heads, dropout=block.dropout,
                bias=block.in_proj_bias is not None, add_bias_kv=block.bias_k is not None,
                add_zero_attn=block.add_zero_attn, kdim=block.kdim, vdim=block.vdim, batch_first=block.batch_first)


@pytest.mark.parametrize("case", MHA, ids=str)
def test_mha_arguments_at_their_boundaries_like_torch(case):
    kw = _mha_config(build(case, scratch.nn, np.float64))
    e, h = kw["embed_dim"], kw["num_heads"]
    rng = np.random.default_rng(0)
    x = _u(rng, 3, 2, e)
    rows = [{"embed_dim": 0}, {"num_heads": 0}, {"num_heads": -h}, {"embed_dim": e + 1, "num_heads": 2},
            {"num_heads": 1}, {"num_heads": e}, {"dropout": 1.5}, {"dropout": 1.0}, {"kdim": e, "vdim": e},
            {"kdim": e + 1}, {"vdim": e + 1}, {"embed_dim": 1, "num_heads": 1}]
    for change in rows:
        args = {**kw, **change}
        if "embed_dim" in change:
            args.update(kdim=None, vdim=None)
        kv = (_u(rng, 3, 2, args["kdim"] or e), _u(rng, 3, 2, args["vdim"] or e))
        for nw in (True, False) if "dropout" in change else (True,):  # dropout: the SDPA path's own checks too
            _same(f"{case.name}: {change}, need_weights={nw}", lambda lib, args=args: lib.MultiheadAttention(
                **args).train(), lambda m, kv=kv, nw=nw: m(x, *kv, need_weights=nw), values=False)


@pytest.mark.parametrize("case", MHA, ids=str)
def test_mha_init_and_mask_stream_of_the_entrys_configuration(case):
    kw = _mha_config(build(case, scratch.nn, np.float64))
    e = kw["embed_dim"]
    for lib in (scratch.nn, reference.nn):
        params = [dict(lib.MultiheadAttention(**kw, dtype=np.float64, rng=np.random.default_rng(s))
                       .state_dict()) for s in range(8)]
        for name in params[0]:
            v = np.stack([p[name] for p in params])
            where = f"{lib.__name__}: {case.name}.{name}"
            if name.endswith("bias") and name not in ("bias_k", "bias_v"):
                assert not v.any(), where
                continue
            if name in ("bias_k", "bias_v"):
                assert 0.6 < v.std() * np.sqrt(e) < 1.4 and abs(v.mean()) < 3 / np.sqrt(e * 8), where
                continue
            fan_out, fan_in = v.shape[1:]
            bound = np.sqrt(1.0 / fan_in) if name == "out_proj.weight" else np.sqrt(6.0 / (fan_in + fan_out))
            assert np.abs(v).max() <= bound and v.max() > 0.9 * bound and v.min() < -0.9 * bound, where
    want = np.random.default_rng(np.random.default_rng(5).integers(2**63)).random(3)
    np.testing.assert_array_equal(scratch.nn.MultiheadAttention(**kw, rng=np.random.default_rng(5)).rng.random(3),
                                  want)
    one = np.stack([scratch.nn.MultiheadAttention(**{**kw, "embed_dim": 1, "num_heads": 1, "kdim": None,
                                                     "vdim": None}, rng=np.random.default_rng(s)).out_proj.weight.data
                    for s in range(40)])  # embed_dim 1: out_proj's bound is 1
    assert np.abs(one).max() <= 1 and one.max() > 0.8 and one.min() < -0.8


def _mha_args(block, rng, n, L, S, kpm="", mask="", need_weights=True, average=True, same=False):
    """(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal) in the
    block's layout; n None: unbatched; masks '' | 'bool' | 'float' (attn_mask also 'float3': (N*h, L, S))."""
    e, h = block.embed_dim, block.num_heads

    def seq(t, d):
        shape = (t, d) if n is None else ((n, t, d) if block.batch_first else (t, n, d))
        return _u(rng, *shape)

    q = seq(L, e)
    k, v = (q, q) if same else (seq(S, block.kdim), seq(S, block.vdim))
    lead = () if n is None else (n,)
    kp = {"": None, "bool": rng.random(lead + (S,)) < 0.3, "float": rng.standard_normal(lead + (S,))}[kpm]
    if kpm == "bool":
        kp[..., 0] = False
    am = {"": None, "bool": rng.random((L, S)) < 0.3, "float": rng.standard_normal((L, S)),
          "float3": rng.standard_normal(((n or 1) * h, L, S))}[mask]
    if mask == "bool":
        am[:, 0] = False
    return q, k, v, kp, need_weights, am, average, False


@pytest.mark.parametrize("case", MHA, ids=str)
def test_mha_input_forms_match_torch(case, rng):
    s, r = build_pair(case, np.float64)
    nw = case.sample(rng, np.float64, case.shape, 1.0)[4]
    forms = [("batched, float masks, the other path, per-head", dict(n=2, L=3, S=4, kpm="float", mask="float3",
                                                                      need_weights=not nw, average=False)),
             ("unbatched, bool masks", dict(n=None, L=3, S=4, kpm="bool", mask="bool", need_weights=nw)),
             ("unbatched, a 3-d float mask", dict(n=None, L=2, S=5, mask="float3", need_weights=nw)),
             ("one query", dict(n=2, L=1, S=4, kpm="float", need_weights=nw)),
             ("one key, a 2-d float mask", dict(n=2, L=3, S=1, mask="float", need_weights=nw)),
             ("no queries, the SDPA path", dict(n=2, L=0, S=4, need_weights=False)),
             ("no keys", dict(n=2, L=3, S=0, need_weights=nw))]  # add_zero_attn: the zero key alone
    if s.kdim == s.vdim == s.embed_dim:
        forms.append(("self-attention", dict(n=2, L=3, S=3, same=True, need_weights=nw)))
    for label, form in forms:
        compare_pair(case, np.float64, s, r, _mha_args(s, rng, **form), rng, prefix=f"{label}:")


@pytest.mark.parametrize("case", MHA, ids=str)
def test_mha_rejected_inputs_and_mask_warnings_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    good = _mha_args(s, rng, 2, 3, 4)
    q, k, v = good[:3]
    bf = s.batch_first
    time = (lambda a, t: a[:, :t]) if bf else (lambda a, t: a[:t])
    rows = [("a 4-d query", (q[..., None, :], k, v)), ("unbatched query, batched key", (q[0], k, v)),
            ("key and value lengths differ", (q, k, time(v, 3))), ("a 2-d value", (q, k, v[0] if bf else v[:, 0])),
            ("unbatched, a 3-d attn_mask of the wrong shape", (q[0] if bf else q[:, 0], k[0] if bf else k[:, 0],
                                                              v[0] if bf else v[:, 0], None, True,
                                                              np.zeros((s.num_heads, 4, 3), bool))),
            ("key_padding_mask of the wrong width", (q, k, v, np.zeros((2, 3), bool))),
            ("key_padding_mask of the wrong batch", (q, k, v, np.zeros((3, 4), bool))),
            ("a 1-d key_padding_mask", (q, k, v, np.zeros(4, bool))),
            ("an integer key_padding_mask", (q, k, v, np.zeros((2, 4), np.int64))),
            ("an integer attn_mask", (q, k, v, None, True, np.zeros((3, 4), np.int64))),
            ("a 3-d attn_mask of (N h + 1, L, S)", (q, k, v, None, True, np.zeros((2 * s.num_heads + 1, 3, 4), bool))),
            ("a 2-d attn_mask of the wrong shape", (q, k, v, None, True, np.zeros((4, 3), bool))),
            ("a 4-d attn_mask", (q, k, v, None, True, np.zeros((1, 1, 3, 4), bool))),
            ("is_causal without attn_mask", good[:7] + (True,)),
            ("key of the other dtype", (q, k.astype(np.float32), v)), ("int64 inputs", (q.astype(np.int64),
                                                                                          k, v))]
    rows_like_torch(case, s, r, [(label, args, False) for label, args in rows], rng)
    for kpm, mask in (("bool", "float"), ("float", "float"), ("bool", "bool"), ("bool", ""), ("", "float")):
        args = _mha_args(s, rng, 2, 3, 4, kpm=kpm, mask=mask)
        _same(f"{case.name}: key_padding_mask {kpm}, attn_mask {mask}", lambda lib: build_pair(case, np.float64)[
            0 if lib.namespace is scratch.nn else 1], lambda m, args=args: m(*args)[0])
