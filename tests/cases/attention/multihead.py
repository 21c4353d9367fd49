"""Catalog entries: MultiheadAttention (torch.nn.MultiheadAttention, fast path off, dropout masks shared).

A case's shape is ``(N, L, S)`` (``(L, S)`` unbatched); the sampler draws query, key and value in the entry's
layout (time-major by default, batch-first, unbatched; one array passed three times for self-attention, or
key passed as value), uniform in [-2, 2] times the scale, plus the masks the entry names:
- key_padding_mask (N, S): 'bool' (True = ignore; every sample keeps a key), 'bool_full' (the last sample fully padded:
  zeros on the SDPA path, NaN on the weights path), 'float' (added; a differentiated input);
- attn_mask: 'bool' (L, S) (True = NOT allowed; every query keeps a key), 'bool3' (N*h, L, S) (batch-major:
  row n*h + head), 'float' (L, S), 'float3' (N*h, L, S) (differentiated), 'causal' (torch's
  generate_square_subsequent_mask: -inf above the diagonal, for is_causal).
The forward options (need_weights, average_attn_weights, is_causal) are positional arguments of the sample, so
every generic check calls forward as a torch user would. Random cotangents reach attn_output AND attn_weights.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._recurrent_layers import fixed_masks
from tests.catalog import BadArgs, BadInput, Case

from .sdpa import _TOL

E, H = 6, 2  # head_dim 3


def mha(e: int = E, kdim=None, vdim=None, layout: str = "", kpm: str = "", mask: str = "", heads: int = H,
        need_weights: bool = True, average: bool = True, is_causal: bool = False):
    """Sampler of (query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal);
    ``layout`` '' (L, N, E) | 'batch_first' | 'self' (one array thrice) | 'kv' (key is value)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        n, (L, S) = (shape[0] if len(shape) == 3 else None), shape[-2:]

        def seq(t: int, d: int) -> np.ndarray:
            sh = (t, d) if n is None else ((n, t, d) if layout == "batch_first" else (t, n, d))
            return (rng.uniform(-2, 2, sh) * scale).astype(dtype)

        q = seq(L, e)
        k = q if layout == "self" else seq(S, kdim or e)
        v = k if layout in ("self", "kv") else seq(S, vdim or e)
        lead = () if n is None else (n,)
        kp = None
        if kpm.startswith("bool"):
            kp = rng.random(lead + (S,)) < 0.3
            kp[..., 0] = False  # every sample keeps a key ...
            if kpm == "bool_full":
                kp[-1] = True  # ... but the last
        elif kpm == "float":
            kp = rng.standard_normal(lead + (S,)).astype(dtype)
        am = None
        if mask.startswith("bool"):
            am = rng.random(((n or 1) * heads,) * (mask == "bool3") + (L, S)) < 0.3
            am[..., 0] = False  # every query keeps a key
        elif mask.startswith("float"):
            am = rng.standard_normal(((n or 1) * heads,) * (mask == "float3") + (L, S)).astype(dtype)
        elif mask == "causal":
            am = np.triu(np.full((L, S), -np.inf), 1).astype(dtype)
        return q, k, v, kp, need_weights, am, average, is_causal

    return sample


def dims(unbatched: bool = False, square: bool = False) -> st.SearchStrategy:
    """Hypothesis shapes (N, L, S) (or (L, S)): sides 1..4; S = L for self-attention and causal entries."""
    side = st.integers(1, 4)
    if square:
        pair = side.map(lambda t: (t, t))
    else:
        pair = st.tuples(side, side)
    return pair if unbatched else st.tuples(side, pair).map(lambda t: (t[0],) + t[1])


def _u(rng, shape, dt):
    return rng.uniform(-2, 2, shape).astype(dt)


def _call(q=(4, 3, E), k=(5, 3, E), v=None, kpm=None, mask=None, nw=True, causal=False, kdt=None):
    """A bad-input sampler: arrays of the given shapes (a dtype for int / bool masks as (shape, dtype))."""
    def arr(rng, spec, dt):
        if spec is None:
            return None
        shape, kind = spec if isinstance(spec[-1], type) else (spec, None)
        if kind is bool:
            return rng.random(shape) < 0.3
        if kind is not None:
            return rng.integers(0, 2, shape).astype(kind) if kind is np.int64 else _u(rng, shape, kind)
        return _u(rng, shape, dt)

    return lambda rng, dt: (arr(rng, q, dt), arr(rng, k, kdt or dt), arr(rng, v or k, kdt or dt),
                            arr(rng, kpm, dt), nw, arr(rng, mask, dt), True, causal)


BAD = (  # TORCH_SEMANTICS_NEXT 3b's error table, in torch's order of checks (classes differ: several Assertion)
    BadInput("4-d query", _call(q=(4, 3, 1, E))),
    BadInput("unbatched query, batched key", _call(q=(4, E))),
    BadInput("wrong embed dim", _call(q=(4, 3, 4), k=(5, 3, 4))),
    BadInput("key and value lengths differ", _call(v=(6, 3, E))),
    BadInput("key_padding_mask 1-d for a batch", _call(kpm=((5,), bool))),
    BadInput("key_padding_mask wrong width", _call(kpm=((3, 4), bool))),
    BadInput("key_padding_mask wrong batch", _call(kpm=((2, 5), bool))),
    BadInput("integer key_padding_mask", _call(kpm=((3, 5), np.int64))),
    BadInput("integer attn_mask", _call(mask=((4, 5), np.int64))),
    BadInput("3-d attn_mask (N, L, S) instead of (N*h, L, S)", _call(mask=((3, 4, 5), bool))),
    BadInput("2-d attn_mask of wrong shape", _call(mask=((5, 4), bool))),
    BadInput("4-d attn_mask", _call(mask=((1, 1, 4, 5), bool))),
    BadInput("is_causal without attn_mask", _call(causal=True)),
    BadInput("key batch differs from query's", _call(k=(5, 2, E))),
    BadInput("key features differ (packed projection)", _call(k=(5, 3, 4))),
    BadInput("key of the other float dtype", lambda rng, dt: _call(kdt=np.float32 if dt == np.float64
                                                                   else np.float64)(rng, dt)),
    BadInput("int64 inputs", lambda rng, dt: tuple(rng.integers(-2, 2, s) for s in ((4, 3, E), (5, 3, E), (5, 3, E)))
             + (None, True, None, True, False)),
    BadInput("bool key_padding_mask with a float attn_mask (works, warns)", _call(kpm=((3, 5), bool), mask=(4, 5))),
    BadInput("nan in query", lambda rng, dt: (np.where(rng.random((4, 3, E)) < 0.2, np.nan, 1.0).astype(dt),)
             + _call()(rng, dt)[1:]),
    BadInput("empty batch", _call(q=(4, 0, E), k=(5, 0, E))),
    BadInput("no keys (S = 0)", _call(k=(0, 3, E))),
    BadInput("no queries (L = 0)", _call(q=(0, 3, E))),
    BadInput("no keys, SDPA path", _call(k=(0, 3, E), nw=False)),
)


def _forward(**kw):
    return lambda lib: lib.MultiheadAttention(E, H, **kw)(*_call()(np.random.default_rng(0), np.float64))


def _forward_sdpa(**kw):
    return lambda lib: lib.MultiheadAttention(E, H, **kw)(*_call(nw=False)(np.random.default_rng(0), np.float64))


BAD_ARGS = (
    BadArgs("embed_dim not divisible by num_heads (AssertionError)", lambda lib: lib.MultiheadAttention(5, 2)),
    BadArgs("embed_dim 0", lambda lib: lib.MultiheadAttention(0, 1)),
    BadArgs("num_heads 0", lambda lib: lib.MultiheadAttention(4, 0)),
    BadArgs("negative num_heads", lambda lib: lib.MultiheadAttention(4, -2)),
    BadArgs("dropout > 1 (at call, weights path: F.dropout's ValueError)", _forward(dropout=1.5)),
    BadArgs("dropout > 1 (at call, SDPA path: RuntimeError)", _forward_sdpa(dropout=1.5)),
)

MHA = "MultiheadAttention"


def entry(name: str, shape: tuple = (3, 4, 5), sample=None, strategy=None, e: int = E, heads: int = H, **kw):
    """An entry: ``kw`` splits into constructor options and Case fields."""
    opts = {k: kw.pop(k) for k in ("dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim", "vdim",
                                   "batch_first") if k in kw}
    kw = {"tol": _TOL, **kw}
    if opts.get("dropout"):
        kw.setdefault("fd", False)  # a new mask per forward: finite differences do not apply
    def make(lib):  # dropout: the masks from a fixed-seed generator on both sides, whatever the init's seed
        block = getattr(lib, MHA)(e, heads, **opts)
        return fixed_masks(block) if opts.get("dropout") else block

    return Case(name, make, sample or mha(), shape,
                shapes=strategy if strategy is not None else dims(len(shape) == 2), **kw)


# Every option and both paths at least once (batch_first on the SDPA path: mha_self_batch_first_sdpa; unbatched:
# mha_unbatched_masks; 2-d bool masks: mha_per_head_weights; the projections do not depend on the path).
CASES: list[Case] = [  # MultiheadAttention
    entry("mha", bad_inputs=BAD, bad_args=BAD_ARGS),
    entry("mha_sdpa_path", sample=mha(need_weights=False)),
    entry("mha_batch_first", sample=mha(layout="batch_first"), batch_first=True),
    entry("mha_self", (3, 4, 4), mha(layout="self"), dims(square=True)),
    entry("mha_self_batch_first_sdpa", (3, 4, 4), mha(layout="self", need_weights=False), dims(square=True),
          batch_first=True),
    entry("mha_key_is_value", sample=mha(layout="kv")),
    entry("mha_kdim_vdim", sample=mha(kdim=3, vdim=5), kdim=3, vdim=5),
    entry("mha_no_bias", bias=False),
    entry("mha_bias_kv", add_bias_kv=True),
    entry("mha_zero_attn", add_zero_attn=True),
    entry("mha_bias_kv_zero_attn_masks", sample=mha(kpm="bool", mask="bool3"), add_bias_kv=True,
          add_zero_attn=True),
    entry("mha_bias_kv_zero_attn_sdpa", sample=mha(kpm="float", mask="float", need_weights=False),
          add_bias_kv=True, add_zero_attn=True),
    entry("mha_per_head_weights", sample=mha(average=False, mask="bool")),
    entry("mha_bool_masks_sdpa", sample=mha(kpm="bool", mask="bool3", need_weights=False)),
    entry("mha_float_masks", sample=mha(kpm="float", mask="float3")),
    entry("mha_float_masks_sdpa", sample=mha(kpm="float", mask="float", need_weights=False)),
    entry("mha_padded_sample_sdpa", sample=mha(kpm="bool_full", need_weights=False)),  # zeros, not NaN
    entry("mha_causal_hint_sdpa", (3, 4, 4), mha(mask="causal", is_causal=True, need_weights=False),
          dims(square=True)),  # the mask is dropped: SDPA's own causal mask
    entry("mha_causal_hint_weights", (3, 4, 4), mha(mask="causal", is_causal=True), dims(square=True)),
    entry("mha_causal_hint_with_padding_sdpa", (3, 4, 4), mha(kpm="bool", mask="causal", is_causal=True,
                                                              need_weights=False), dims(square=True)),
    entry("mha_unbatched_masks", (4, 5), mha(kpm="float", mask="float3")),
    entry("mha_one_head", e=4, heads=1, sample=mha(e=4, heads=1, mask="bool3")),
    entry("mha_head_dim_1", e=3, heads=3, sample=mha(e=3, heads=3, kpm="bool", mask="bool3")),
    entry("mha_dropout", sample=mha(mask="bool"), dropout=0.3, train_steps=3),
    entry("mha_dropout_per_head", sample=mha(average=False), dropout=0.5),
    entry("mha_dropout_sdpa", sample=mha(kpm="bool", need_weights=False), dropout=0.25, train_steps=3),
    entry("mha_dropout_1", sample=mha(), dropout=1.0, fd=True),  # the weights are zeroed: deterministic
]
