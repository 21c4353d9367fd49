"""Catalog entries: the encoder and decoder layers and stacks, and Transformer (torch's slow path; dropout masks
shared).

A case's shape is ``(N, S)`` (``(S,)`` unbatched); the sampler draws src (S, N, E) (batch-first: (N, S, E)), uniform
in [-2, 2] times the scale, plus the masks the entry names: src_mask 'bool' (S, S) (True = NOT allowed; every query
keeps a key), 'float' (S, S) (added, differentiated), 'float3' (N*nhead, S, S), 'causal'
(generate_square_subsequent_mask), 'causal_bool' (the same as bool); src_key_padding_mask 'bool' (N, S) or 'float'.
Small widths (E = 4, 2 heads, feed-forward 6) keep every check cheap; dropout entries compare in training mode with
masks from a fixed-seed generator on both sides and skip finite differences. Decoder entries have shape (N, T, S):
tgt (T, N, E), memory (S, N, E), and masks named per attention: tgt_mask (T, T), memory_mask (T, S), the padding
masks (N, T) / (N, S); Transformer entries the same with src (S, N, E) for the memory.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._recurrent_layers import fixed_masks
from tests.catalog import BadArgs, BadInput, Case

from .attention.sdpa import _TOL

E, H, FF = 4, 2, 6


def src(layout: str = "", mask: str = "", kpm: str = "", is_causal: bool | None = False, e: int = E, heads: int = H):
    """Sampler of (src, src_mask, src_key_padding_mask, is_causal); ``layout`` '' | 'batch_first'."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        n, s = (shape if len(shape) == 2 else (None, shape[0]))
        sh = (s, e) if n is None else ((n, s, e) if layout == "batch_first" else (s, n, e))
        x = (rng.uniform(-2, 2, sh) * scale).astype(dtype)
        m = None
        if mask == "bool":
            m = rng.random((s, s)) < 0.3
            m[:, 0] = False
        elif mask.startswith("float"):
            m = rng.standard_normal(((n or 1) * heads,) * (mask == "float3") + (s, s)).astype(dtype)
        elif mask == "causal":
            m = np.triu(np.full((s, s), -np.inf), 1).astype(dtype)
        elif mask == "causal_bool":  # the same mask as bool (not differentiated: the detection is not smooth)
            m = np.triu(np.ones((s, s), bool), 1)
        kp = None
        lead = () if n is None else (n,)
        if kpm == "bool":
            kp = rng.random(lead + (s,)) < 0.3
            kp[..., 0] = False
        elif kpm == "float":
            kp = rng.standard_normal(lead + (s,)).astype(dtype)
        return x, m, kp, is_causal

    return sample


def dims(unbatched: bool = False) -> st.SearchStrategy:
    side = st.integers(1, 4)
    return st.tuples(side) if unbatched else st.tuples(side, side)


def _x(rng, shape, dt):
    return rng.uniform(-2, 2, shape).astype(dt)


BAD = (
    BadInput("wrong d_model", lambda rng, dt: (_x(rng, (5, 3, 3), dt),)),
    BadInput("4-d src", lambda rng, dt: (_x(rng, (5, 3, 1, E), dt),)),
    BadInput("src_mask of wrong shape", lambda rng, dt: (_x(rng, (5, 3, E), dt), np.zeros((4, 5), bool))),
    BadInput("padding mask of wrong width", lambda rng, dt: (_x(rng, (5, 3, E), dt), None, np.zeros((3, 4), bool))),
    BadInput("integer src_mask", lambda rng, dt: (_x(rng, (5, 3, E), dt), np.zeros((5, 5), np.int64))),
    BadInput("is_causal without src_mask", lambda rng, dt: (_x(rng, (5, 3, E), dt), None, None, True)),
    BadInput("bool padding mask with a float src_mask (works, warns)",
             lambda rng, dt: (_x(rng, (5, 3, E), dt), _x(rng, (5, 5), dt), np.zeros((3, 5), bool))),
    BadInput("other float dtype", lambda rng, dt: (_x(rng, (5, 3, E), np.float32 if dt == np.float64
                                                      else np.float64),)),
    BadInput("nan in src", lambda rng, dt: (np.where(rng.random((5, 3, E)) < 0.2, np.nan, 1.0).astype(dt),)),
    BadInput("empty batch", lambda rng, dt: (_x(rng, (5, 0, E), dt),)),
)

BAD_ARGS = (
    BadArgs("activation 'tanh' (RuntimeError)", lambda lib: lib.TransformerEncoderLayer(E, H, FF, activation="tanh")),
    BadArgs("d_model not divisible by nhead", lambda lib: lib.TransformerEncoderLayer(5, 2, FF)),
    BadArgs("nhead 0", lambda lib: lib.TransformerEncoderLayer(E, 0, FF)),
)

TEL = "TransformerEncoderLayer"


def layer(name: str, shape: tuple = (3, 5), sample=None, stack: int = 0, final_norm: bool = False, **kw) -> Case:
    """An entry; ``stack`` > 0 wraps the layer in a TransformerEncoder of that many layers (``final_norm``: with
    a LayerNorm after them); other ``kw`` split into the layer's options and Case fields."""
    opts = {k: kw.pop(k) for k in ("dropout", "activation", "norm_first", "batch_first", "bias", "layer_norm_eps")
            if k in kw}
    opts.setdefault("dropout", 0.0)
    kw = {"tol": _TOL, **kw}
    if opts["dropout"]:
        kw.setdefault("fd", False)  # a new mask per forward

    def make(lib):
        activation = opts.get("activation")
        extra = {"activation": activation(lib)} if callable(activation) else {}
        block = getattr(lib, TEL)(E, H, FF, **{**opts, **extra})
        if stack:
            block = lib.TransformerEncoder(block, stack, norm=lib.LayerNorm(E) if final_norm else None)
        return fixed_masks(block) if opts["dropout"] else block

    # hypothesis over shapes for the layers; a stack's layers are those same layers (fixed shape only)
    return Case(name, make, sample or src(opts.get("batch_first") and "batch_first" or ""), shape,
                shapes=None if stack else dims(len(shape) == 1), **kw)


CASES: list[Case] = [
    layer("encoder_layer", bad_inputs=BAD, bad_args=BAD_ARGS),
    layer("encoder_layer_norm_first", norm_first=True),
    layer("encoder_layer_gelu_batch_first", activation="gelu", batch_first=True),
    layer("encoder_layer_module_activation_no_bias", activation=lambda lib: lib.Tanh(), bias=False),
    layer("encoder_layer_unbatched", (5,), layer_norm_eps=1e-3),
    layer("encoder_layer_bool_masks", sample=src(mask="bool", kpm="bool")),
    layer("encoder_layer_float_masks", sample=src(mask="float3", kpm="float"), norm_first=True),
    layer("encoder_layer_causal_hint", sample=src(mask="causal", is_causal=True)),
    layer("encoder_layer_dropout", dropout=0.3, train_steps=3),
    layer("encoder_layer_dropout_norm_first_masks", sample=src(mask="bool", kpm="bool"), dropout=0.2,
          norm_first=True),
    # the stacks: clones, masks reaching every layer, the final norm, causal detection (one layer is enough for
    # it), dropout drawing across layers in turn
    layer("encoder_norm_first_final_norm", stack=2, final_norm=True, norm_first=True,
          sample=src(mask="float", kpm="bool")),
    layer("encoder_causal_detected", stack=1, sample=src(mask="causal_bool", is_causal=None)),
    layer("encoder_dropout", stack=2, dropout=0.25, sample=src(kpm="bool"), train_steps=2),
]


def _mask(rng, kind: str, shape: tuple, dtype):
    """'' | 'bool' (True = NOT allowed; every row keeps its first key) | 'float' | 'causal' (float) | 'causal_bool'."""
    if kind == "bool":
        m = rng.random(shape) < 0.3
        m[..., 0] = False
        return m
    if kind == "float":
        return rng.standard_normal(shape).astype(dtype)
    if kind.startswith("causal"):
        return np.triu(np.ones(shape, bool), 1) if kind == "causal_bool" else np.triu(
            np.full(shape, -np.inf), 1).astype(dtype)
    return None


def seq2seq(model: bool = False, layout: str = "", masks: tuple[str, ...] = ("", "", "", ""), causal=(False, False)):
    """Sampler of the decoder's (tgt, memory, tgt_mask, memory_mask, tgt_kpm, memory_kpm, tgt_is_causal,
    memory_is_causal) or, ``model``, Transformer's (src, tgt, src_mask, tgt_mask, memory_mask, src_kpm, tgt_kpm,
    memory_kpm, src_is_causal, tgt_is_causal, memory_is_causal) with src_mask = src_kpm = None and
    src_is_causal = None (the encoder's own masks are the encoder entries' business)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        n, t, s_ = shape

        def seq(length: int) -> np.ndarray:
            sh = (n, length, E) if layout == "batch_first" else (length, n, E)
            return (rng.uniform(-2, 2, sh) * scale).astype(dtype)

        tgt, mem = seq(t), seq(s_)
        tm, mm = _mask(rng, masks[0], (t, t), dtype), _mask(rng, masks[1], (t, s_), dtype)
        tk, mk = _mask(rng, masks[2], (n, t), dtype), _mask(rng, masks[3], (n, s_), dtype)
        if model:
            return mem, tgt, None, tm, mm, None, tk, mk, None, causal[0], causal[1]
        return tgt, mem, tm, mm, tk, mk, causal[0], causal[1]

    return sample


def seq_dims() -> st.SearchStrategy:
    side = st.integers(1, 4)
    return st.tuples(side, side, side)


DEC = "TransformerDecoderLayer"
DEC_BAD = (
    BadInput("memory of wrong d_model", lambda rng, dt: (_x(rng, (5, 3, E), dt), _x(rng, (6, 3, 3), dt))),
    BadInput("memory batch differs", lambda rng, dt: (_x(rng, (5, 3, E), dt), _x(rng, (6, 2, E), dt))),
    BadInput("memory_mask of wrong shape", lambda rng, dt: (_x(rng, (5, 3, E), dt), _x(rng, (6, 3, E), dt), None,
                                                            np.zeros((5, 5), bool))),
)
MODEL_BAD = (
    BadInput("src and tgt batches differ", lambda rng, dt: (_x(rng, (6, 3, E), dt), _x(rng, (5, 2, E), dt))),
    BadInput("tgt of wrong d_model", lambda rng, dt: (_x(rng, (6, 3, E), dt), _x(rng, (5, 3, 3), dt))),
)


def decoder(name: str, sample=None, stack: int = 0, final_norm: bool = False, model: tuple | None = None,
            **kw) -> Case:
    """A decoder-layer entry (``stack``: in a TransformerDecoder); ``model`` (encoder, decoder layers): a whole
    Transformer instead. Other ``kw`` split into layer options and Case fields."""
    opts = {k: kw.pop(k) for k in ("dropout", "activation", "norm_first", "batch_first", "bias") if k in kw}
    opts.setdefault("dropout", 0.0)
    kw = {"tol": _TOL, **kw}
    if opts["dropout"]:
        kw.setdefault("fd", False)

    def make(lib):
        if model:
            block = lib.Transformer(E, H, model[0], model[1], FF, **opts)
        else:
            block = getattr(lib, DEC)(E, H, FF, **opts)
            if stack:
                block = lib.TransformerDecoder(block, stack, norm=lib.LayerNorm(E) if final_norm else None)
        return fixed_masks(block) if opts["dropout"] else block

    layout = "batch_first" if opts.get("batch_first") else ""
    return Case(name, make, sample or seq2seq(model is not None, layout), (3, 4, 5),
                shapes=None if stack or model else seq_dims(), **kw)


CASES += [
    decoder("decoder_layer", bad_inputs=DEC_BAD),
    decoder("decoder_layer_norm_first_masks", seq2seq(masks=("float", "bool", "bool", "float")), norm_first=True),
    decoder("decoder_layer_gelu_batch_first_no_bias", activation="gelu", batch_first=True, bias=False),
    decoder("decoder_layer_causal_hint", seq2seq(masks=("causal", "", "", ""), causal=(True, False))),
    decoder("decoder_layer_dropout", seq2seq(masks=("bool", "", "", "bool")), dropout=0.3, train_steps=2),
    decoder("decoder", stack=2, final_norm=True, sample=seq2seq(masks=("causal_bool", "float", "", ""),
                                                                 causal=(None, False))),
    decoder("decoder_dropout_norm_first", stack=1, dropout=0.2, norm_first=True),
    # the whole model: one layer each way (its parts have their own entries above), masks on every attention
    decoder("transformer_masks_norm_first", model=(1, 1), norm_first=True, bad_inputs=MODEL_BAD,
            sample=seq2seq(True, masks=("causal", "bool", "float", "bool"), causal=(None, False))),
    decoder("transformer_dropout_batch_first", model=(1, 1), dropout=0.25, batch_first=True,
            sample=seq2seq(True, "batch_first", masks=("causal", "", "", "")), train_steps=2),
]
