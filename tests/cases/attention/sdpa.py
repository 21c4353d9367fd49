"""Catalog entries: ScaledDotProductAttention (torch's F.scaled_dot_product_attention as a block).

A case's shape is ``(*batch, L, S, E, Ev)``: the sampler draws query (*batch, L, E), key (*kv, S, E) and value
(*kv', S, Ev), where ``kv`` / ``kv'`` are the key / value batch dims made from the query's (the same by default;
fewer heads for GQA, dropped or size-1 dims for broadcasting), plus an optional attn_mask: bool (True = takes
part; every row keeps a key unless the entry plants fully masked rows) or float (added to the scores; a
differentiated input, so its gradient is compared too; -inf entries and whole -inf rows where planted).
Values are uniform in [-2, 2] times the scale; a float mask is not scaled. 4-d entries with E == Ev and no float
mask run torch's CPU flash kernel, the others its math path (the twin calls the public function).

Dropout entries draw their masks from a fresh fixed-seed generator on both sides (tests/cases/dropout.py says
why) and skip finite differences (a new mask per forward); tests/test_attention.py checks them with fixed masks.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case
from tests.tolerances import Tol

MASK_SEED = 20261202
Q = (2, 3, 4, 6, 5, 7)  # (N, H, L, S, E, Ev): L != S, Ev != E


def seeded() -> np.random.Generator:
    return np.random.default_rng(MASK_SEED)


def same(batch):
    return batch


def split(shape):
    return shape[:-4], shape[-4], shape[-3], shape[-2], shape[-1]


def attn(mask: str = "", mask_shape=None, k_batch=same, v_batch=None):
    """Sampler of (query, key, value[, attn_mask]); ``mask`` '' | 'bool' | 'bool_full' | 'float' | 'float_inf';
    ``mask_shape(batch, L, S)`` its shape (default (L, S)); ``k_batch`` / ``v_batch`` the key / value batch dims
    from the query's (v_batch defaults to k_batch)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        batch, L, S, E, Ev = split(shape)
        q = rng.uniform(-2, 2, batch + (L, E)) * scale
        k = rng.uniform(-2, 2, k_batch(batch) + (S, E)) * scale
        v = rng.uniform(-2, 2, (v_batch or k_batch)(batch) + (S, Ev)) * scale
        args = tuple(a.astype(dtype) for a in (q, k, v))
        if not mask:
            return args
        ms = mask_shape(batch, L, S) if mask_shape else (L, S)
        if mask.startswith("bool"):
            m = rng.random(ms) < 0.7
            m[..., 0] |= ~m.any(axis=-1)  # every row attends to something ...
            if mask == "bool_full":
                m[..., ::2, :] = False  # ... except the planted fully masked rows (every other query)
            return args + (m,)
        m = rng.standard_normal(ms)
        if mask == "float_inf":
            m = np.where(rng.random(ms) < 0.3, -np.inf, m)
            m[..., 0] = np.where(np.isinf(m).all(axis=-1), 0.0, m[..., 0])
            m[..., 1 % L, :] = -np.inf  # one fully masked row
        return args + (m.astype(dtype),)

    return sample


def dims(batch: int, max_side: int = 3, square: bool = False, heads_times: int = 1) -> st.SearchStrategy:
    """Hypothesis shapes (*batch, L, S, E, Ev): sides 1..max_side, L, S, E, Ev in 1..5 (S = L if ``square``);
    ``heads_times`` multiplies the last batch dim (query heads = key heads * g for GQA)."""
    side = st.integers(1, max_side)

    def build(t):
        b, (L, S, E, Ev) = list(t[0]), t[1:]
        if heads_times > 1:
            b[-1] *= heads_times
        return tuple(b) + (L, L if square else S, E, Ev)

    return st.tuples(st.lists(side, min_size=batch, max_size=batch), *[st.integers(1, 5)] * 4).map(build)


def _other(dt):
    return np.float32 if dt == np.float64 else np.float64


def _u(rng, shape, dt):
    return rng.uniform(-2, 2, shape).astype(dt)


def _qkv(rng, dt, q=(2, 4, 5), k=(2, 6, 5), v=(2, 6, 3), kdt=None, vdt=None):
    return _u(rng, q, dt), _u(rng, k, kdt or dt), _u(rng, v, vdt or dt)


BAD = (  # 3-d (math path in torch): the error classes of TORCH_SEMANTICS_NEXT 3a, plus inputs torch accepts
    BadInput("E of key differs", lambda rng, dt: _qkv(rng, dt, k=(2, 6, 4))),
    BadInput("S of value differs", lambda rng, dt: _qkv(rng, dt, v=(2, 5, 3))),
    BadInput("batch dims differ", lambda rng, dt: _qkv(rng, dt, k=(3, 6, 5), v=(3, 6, 3))),
    BadInput("key other float dtype", lambda rng, dt: _qkv(rng, dt, kdt=_other(dt))),
    BadInput("value other float dtype", lambda rng, dt: _qkv(rng, dt, vdt=_other(dt))),
    BadInput("int64 inputs", lambda rng, dt: tuple(rng.integers(-3, 3, s) for s in ((2, 4, 5), (2, 6, 5), (2, 6, 3)))),
    BadInput("1-d query", lambda rng, dt: (_u(rng, (5,), dt),) + _qkv(rng, dt)[1:]),
    BadInput("int64 mask", lambda rng, dt: _qkv(rng, dt) + (np.ones((4, 6), np.int64),)),
    BadInput("float16 mask", lambda rng, dt: _qkv(rng, dt) + (np.zeros((4, 6), np.float16),)),
    BadInput("mask of the other float dtype (float32 mask accepted by float64)",
             lambda rng, dt: _qkv(rng, dt) + (_u(rng, (4, 6), _other(dt)),)),
    BadInput("mask of wrong shape", lambda rng, dt: _qkv(rng, dt) + (np.ones((3, 6), bool),)),
    BadInput("mask adds a batch dim", lambda rng, dt: _qkv(rng, dt) + (_u(rng, (1, 2, 4, 6), dt),)),
    BadInput("1-d float mask (accepted)", lambda rng, dt: _qkv(rng, dt) + (_u(rng, (6,), dt),)),
    BadInput("nan in value", lambda rng, dt: _qkv(rng, dt)[:2] + (
        np.where(rng.random((2, 6, 3)) < 0.2, np.nan, 1.0).astype(dt),)),
    BadInput("-inf in key", lambda rng, dt: (_u(rng, (2, 4, 5), dt),
                                             np.where(rng.random((2, 6, 5)) < 0.1, -np.inf, 1.0).astype(dt),
                                             _u(rng, (2, 6, 3), dt))),
    BadInput("empty batch", lambda rng, dt: _qkv(rng, dt, (0, 4, 5), (0, 6, 5), (0, 6, 3))),
    BadInput("L = 0 (torch's early return)", lambda rng, dt: _qkv(rng, dt, q=(2, 0, 5))),
    BadInput("S = 0 (early return: zeros)", lambda rng, dt: _qkv(rng, dt, k=(2, 0, 5), v=(2, 0, 3))),
    BadInput("S = 0 with a wrong E (early return skips the check)", lambda rng, dt: _qkv(rng, dt, k=(2, 0, 4),
                                                                                         v=(2, 0, 3))),
    BadInput("Ev = 0 (early return)", lambda rng, dt: _qkv(rng, dt, v=(2, 6, 0))),
    BadInput("E = 0 (scale inf, scores 0: the mean of value)", lambda rng, dt: _qkv(rng, dt, q=(2, 4, 0),
                                                                                    k=(2, 6, 0))),
)


def _call(**kw):
    return lambda lib: lib.ScaledDotProductAttention(**kw)(*_qkv(np.random.default_rng(0), np.float64))


BAD_ARGS = (
    BadArgs("dropout_p > 1 (at call, training)", _call(dropout_p=1.5)),
    BadArgs("dropout_p a string (at call, training)", _call(dropout_p="0.1")),
    BadArgs("dropout_p None (at call, training)", _call(dropout_p=None)),
    BadArgs("is_causal an int (at call)", _call(is_causal=1)),
    BadArgs("enable_gqa None (at call)", _call(enable_gqa=None)),
    BadArgs("scale a string (at call)", _call(scale="0.5")),
)

CAUSAL_BAD = (BadInput("is_causal with attn_mask", lambda rng, dt: _qkv(rng, dt, k=(2, 4, 5), v=(2, 4, 3)) + (
    np.ones((4, 4), bool),)),)

GQA_BAD = (
    BadInput("heads not divisible", lambda rng, dt: _qkv(rng, dt, (1, 6, 4, 5), (1, 4, 6, 5), (1, 4, 6, 3))),
    BadInput("value heads not divisible", lambda rng, dt: _qkv(rng, dt, (1, 6, 4, 5), (1, 3, 6, 5), (1, 4, 6, 3))),
    BadInput("more kv heads than query heads", lambda rng, dt: _qkv(rng, dt, (1, 2, 4, 5), (1, 4, 6, 5), (1, 4, 6, 3))),
    BadInput("2-d inputs (IndexError)", lambda rng, dt: _qkv(rng, dt, (4, 5), (6, 5), (6, 3))),
)


def _heads_over(g):
    return lambda batch: batch[:-1] + (batch[-1] // g,)


def _per_sample(batch, L, S):
    return batch[:1] + (1,) * (len(batch) - 1) + (L, S)


SDPA = "ScaledDotProductAttention"
# Near one-hot weights (input scales 1e2 and 1e4: scores up to ~1e9) the softmax backward cancels dP terms of
# ~5e4 down to ~0, so each side's float64 error there is eps64 |dP| |K| S ~ 1e-7 on an input gradient (scratch vs
# torch: worst 2.0e-7, sdpa_bool_mask_flash). A projection's weight gradient (MultiheadAttention, the Transformer
# layers) multiplies that by the projection's input, ~1e4: torch's CPU flash kernel recomputes p = exp(s - lse)
# with lse rounded at |s| ~ 1e9, and in_proj_weight's gradient is off by up to 1.4e-3 where the exact value is 0
# (one key: softmax is constant), 2.4e-8 of the tensor's largest |value| (measured on a Xeon with AVX512; the
# EPYC of the day before rounded luckier). Hence an atol per unit of the tensor's largest |value| (at least 1):
# 1e-6 keeps 5x headroom on the worst measured; at scale 1 every entry agrees to 2e-15 (tests/test_attention.py
# checks scale 1 to 1e-13). float32: torch's own error at such elements varies ~3x between inputs one rounding
# apart, hence 6 nudged runs (as the recurrent layers) for the slack.
_TOL = {"grad:float64": Tol(1e-7, 1e-6, "float64 cancellation in the softmax backward at input scale 1e4 "
                                        "(eps64 |dP| |K| S, times |x| for a projection's weights), per unit "
                                        "of the tensor's largest |value|; scale 1 is checked to 1e-13 apart",
                            atol_per_magnitude=True)}


def sdpa(name: str, shape: tuple, sample=None, strategy=None, **kw):
    """An entry; ``kw`` splits into the block's options and Case fields."""
    opts = {k: kw.pop(k) for k in ("dropout_p", "is_causal", "scale", "enable_gqa") if k in kw}
    kw = {"nudges": 6, "tol": _TOL, **kw}
    if "dropout_p" in opts:
        kw.setdefault("fd", opts["dropout_p"] in (0.0, 1.0))
        return Case(name, lambda lib: getattr(lib, SDPA)(**opts, rng=seeded()), sample or attn(), shape,
                    shapes=strategy, **kw)
    return Case(name, lambda lib: getattr(lib, SDPA)(**opts), sample or attn(), shape, shapes=strategy, **kw)


CASES: list[Case] = [  # ScaledDotProductAttention
    sdpa("sdpa_3d", (3, 4, 6, 5, 7), strategy=dims(1), bad_inputs=BAD, bad_args=BAD_ARGS),
    sdpa("sdpa_4d", (2, 3, 4, 6, 8, 8), strategy=dims(2)),  # E == Ev, 4-d: torch's flash kernel
    sdpa("sdpa_4d_ev", Q, strategy=dims(2)),  # Ev != E: torch's math path
    sdpa("sdpa_unbatched", (4, 6, 5, 3), strategy=dims(0)),
    sdpa("sdpa_5d", (2, 1, 3, 3, 5, 4, 4), strategy=dims(3, 2)),
    # leading dims broadcast: key (H, S, E) without N, value (N, 1, S, Ev)
    sdpa("sdpa_broadcast", Q, attn(k_batch=lambda b: b[1:], v_batch=lambda b: b[:1] + (1,) + b[2:]),
         strategy=dims(2)),
    sdpa("sdpa_bool_mask", Q, attn("bool"), strategy=dims(2)),
    sdpa("sdpa_bool_mask_flash", (2, 3, 4, 6, 8, 8), attn("bool", _per_sample), strategy=dims(2)),
    sdpa("sdpa_bool_mask_full_rows", Q, attn("bool_full", _per_sample), strategy=dims(2)),
    sdpa("sdpa_float_mask_over_heads", Q, attn("float", _per_sample), strategy=dims(2)),
    sdpa("sdpa_float_mask_inf", (3, 4, 6, 5, 7), attn("float_inf", lambda b, L, S: b + (L, S)), strategy=dims(1)),
    sdpa("sdpa_causal_square", (2, 3, 5, 5, 4, 6), is_causal=True, strategy=dims(2, square=True),
         bad_inputs=CAUSAL_BAD),
    sdpa("sdpa_causal_wide", (2, 4, 7, 5, 3), is_causal=True, strategy=dims(1)),  # L < S
    sdpa("sdpa_causal_tall", (2, 2, 7, 4, 8, 8), is_causal=True, strategy=dims(2)),  # L > S (flash kernel)
    sdpa("sdpa_scale", Q, scale=0.37, strategy=dims(2)),
    sdpa("sdpa_scale_negative", (3, 4, 6, 5, 7), scale=-0.8, strategy=dims(1)),
    sdpa("sdpa_gqa", (2, 6, 4, 6, 5, 3), attn(k_batch=_heads_over(3)), enable_gqa=True,
         strategy=dims(2, heads_times=3), bad_inputs=GQA_BAD),
    sdpa("sdpa_gqa_flash", (2, 4, 5, 6, 8, 8), attn(k_batch=_heads_over(2)), enable_gqa=True,
         strategy=dims(2, heads_times=2)),
    sdpa("sdpa_gqa_kv_heads_differ", (2, 6, 4, 5, 3, 4), attn(k_batch=_heads_over(2), v_batch=_heads_over(3)),
         enable_gqa=True, strategy=dims(2, heads_times=6)),
    sdpa("sdpa_gqa_equal_heads", Q, enable_gqa=True, strategy=dims(2)),
    sdpa("sdpa_dropout", Q, dropout_p=0.3, strategy=dims(2), train_steps=3),
    sdpa("sdpa_dropout_causal", (3, 5, 5, 4, 4), dropout_p=0.45, is_causal=True,
         strategy=dims(1, square=True), train_steps=3),
    sdpa("sdpa_dropout_float_mask", Q, attn("float_inf", _per_sample), dropout_p=0.2, strategy=dims(2)),
    sdpa("sdpa_dropout_p1", (3, 4, 6, 5, 7), dropout_p=1.0, strategy=dims(1)),  # zeros, no draw: deterministic
]
