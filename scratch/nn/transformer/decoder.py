"""TransformerDecoderLayer and TransformerDecoder, torch 2.13's step by step.

A decoder layer adds cross-attention over the encoder's output (``memory``) between self-attention and the
feed-forward block::

    sa(x)      = dropout1(self_attn(x, x, x, tgt_mask, tgt_key_padding_mask, tgt_is_causal)[0])
    ca(x, mem) = dropout2(multihead_attn(x, mem, mem, memory_mask, memory_key_padding_mask, memory_is_causal)[0])
    ff(x)      = dropout3(linear2(dropout(activation(linear1(x)))))
    post-norm: x = norm1(x + sa(x));  x = norm2(x + ca(x, mem));  x = norm3(x + ff(x))
    pre-norm:  x = x + sa(norm1(x));  x = x + ca(norm2(x), mem);  x = x + ff(norm3(x))

(need_weights=False in both attentions.) Six dropout sites, one generator, torch's order: the self-attention's
weights, dropout1, the cross-attention's weights, dropout2, dropout, dropout3. Unlike the encoder layer, the
masks reach the attentions as given (each attention converts a bool mask itself). Backward: the reverse chain;
``memory`` collects the cross-attention's key and value gradients (from every layer of a TransformerDecoder).
"""

from __future__ import annotations

import numpy as np

from ..attention import MultiheadAttention
from ..base import CachedModule
from ..dropout import Dropout
from ..linear import Linear
from ..module import Module, check_float_dtype
from ..normalization import LayerNorm
from .encoder import (
    TransformerEncoder,
    TransformerEncoderLayer,
    _clones,
    _detect_is_causal_mask,
    _seq_len,
    _set_activation,
)

__all__ = ["TransformerDecoderLayer", "TransformerDecoder"]

_MASKS = ("tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask")  # torch's argument order


def float_mask_names(names: tuple[str, ...], masks: dict) -> list[str]:
    """The names (in ``names``' order) of the masks given as float arrays: they get gradients."""
    return [k for k in names if masks.get(k) is not None and masks[k].dtype != np.bool_]


def _attention_mask_grads(extra: tuple, kpm, mask) -> dict:
    """MultiheadAttention returns the float masks' gradients padding mask first: name them."""
    names = [n for n, m in (("kpm", kpm), ("mask", mask)) if m is not None and m.dtype != np.bool_]
    return dict(zip(names, extra, strict=True))


class TransformerDecoderLayer(CachedModule):
    """One transformer decoder layer (formulas, dropout sites and gradients: the module docstring).

    Args: as :class:`TransformerEncoderLayer` (d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, dtype, rng), with a
    second attention ``multihead_attn`` and a third LayerNorm ``norm3``.
    forward(tgt (T, N, E), memory (S, N, E), tgt_mask (T, T) = None, memory_mask (T, S) = None,
            tgt_key_padding_mask (N, T) = None, memory_key_padding_mask (N, S) = None, tgt_is_causal = False,
            memory_is_causal = False) -> (T, N, E) (batch_first: (N, T, E); unbatched: (T, E)).
    backward(d_out) -> (d_tgt, d_memory[, the float masks' gradients in the order above]).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))  # all six dropout sites draw from it, in turn
        kw = dict(dropout=dropout, bias=bias, batch_first=batch_first, dtype=dt, rng=rng)
        self.self_attn = MultiheadAttention(d_model, nhead, **kw)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dt, rng=rng)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dt, rng=rng)
        self.norm_first = norm_first
        self.norm1, self.norm2, self.norm3 = (LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dt)
                                              for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = Dropout(dropout), Dropout(dropout), Dropout(dropout)
        _set_activation(self, activation)
        self.batch_first = batch_first
        self.rng = masks

    _SITES = ("self_attn", "multihead_attn", "dropout", "dropout1", "dropout2", "dropout3")
    rng = TransformerEncoderLayer.rng  # the masks' generator, shared by the six sites

    def forward(self, tgt: np.ndarray, memory: np.ndarray, tgt_mask: np.ndarray | None = None,
                memory_mask: np.ndarray | None = None, tgt_key_padding_mask: np.ndarray | None = None,
                memory_key_padding_mask: np.ndarray | None = None, tgt_is_causal: bool = False,
                memory_is_causal: bool = False) -> np.ndarray:
        given = dict(zip(_MASKS, (tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask),
                         strict=True))
        self_masks = (tgt_mask, tgt_key_padding_mask, tgt_is_causal)
        cross_masks = (memory_mask, memory_key_padding_mask, memory_is_causal)
        x = tgt
        if self.norm_first:
            x = x + self._sa(self.norm1(x), *self_masks)
            x = x + self._ca(self.norm2(x), memory, *cross_masks)
            x = x + self._ff(self.norm3(x))
        else:
            x = self.norm1(x + self._sa(x, *self_masks))
            x = self.norm2(x + self._ca(x, memory, *cross_masks))
            x = self.norm3(x + self._ff(x))
        return self._save(x, given)

    def _sa(self, x, mask, kpm, is_causal) -> np.ndarray:
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                                            is_causal=is_causal)[0])

    def _ca(self, x, mem, mask, kpm, is_causal) -> np.ndarray:
        return self.dropout2(self.multihead_attn(x, mem, mem, attn_mask=mask, key_padding_mask=kpm,
                                                 need_weights=False, is_causal=is_causal)[0])

    def _ff(self, x) -> np.ndarray:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _ff_backward(self, d: np.ndarray) -> np.ndarray:
        return self.linear1.backward(self.activation.backward(self.dropout.backward(
            self.linear2.backward(self.dropout3.backward(d)))))

    def backward(self, dy: np.ndarray) -> tuple:
        dy, given = self._saved(dy)
        grads: dict[str, np.ndarray] = {}

        def sa_back(d):
            dq, dk, dv, *extra = self.self_attn.backward(self.dropout1.backward(d))
            g = _attention_mask_grads(tuple(extra), given["tgt_key_padding_mask"], given["tgt_mask"])
            grads.update({"tgt_" + ("key_padding_mask" if k == "kpm" else "mask"): v for k, v in g.items()})
            return dq + dk + dv

        def ca_back(d):
            dq, dk, dv, *extra = self.multihead_attn.backward(self.dropout2.backward(d))
            g = _attention_mask_grads(tuple(extra), given["memory_key_padding_mask"], given["memory_mask"])
            grads.update({"memory_" + ("key_padding_mask" if k == "kpm" else "mask"): v for k, v in g.items()})
            return dq, dk + dv

        if self.norm_first:
            d = dy + self.norm3.backward(self._ff_backward(dy))
            dq, dmem = ca_back(d)
            d = d + self.norm2.backward(dq)
            dx = d + self.norm1.backward(sa_back(d))
        else:
            d = self.norm3.backward(dy)
            d = self.norm2.backward(d + self._ff_backward(d))
            dq, dmem = ca_back(d)
            d = self.norm1.backward(d + dq)
            dx = d + sa_back(d)
        return (dx, dmem) + tuple(grads[k] for k in float_mask_names(_MASKS, given))


class TransformerDecoder(CachedModule):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm`` (optional).

    Args: decoder_layer (TransformerDecoderLayer), num_layers (int), norm (Module, optional), rng (the dropout
    masks' generator shared by every layer, its first draw). ``tgt_is_causal=None`` detects torch's causal mask
    (generate_square_subsequent_mask, in the mask's own dtype: a bool causal mask is detected too).
    forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal=None,
            memory_is_causal=False) -> the last output.
    backward(d_out) -> (d_tgt, d_memory[, the float masks' gradients]): memory's summed over the layers.
    """

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int, norm: Module | None = None,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm
        rng = rng if rng is not None else np.random.default_rng()
        self.rng = np.random.default_rng(rng.integers(2**63))

    rng = TransformerEncoder.rng  # one generator for every layer's sites

    def forward(self, tgt: np.ndarray, memory: np.ndarray, tgt_mask: np.ndarray | None = None,
                memory_mask: np.ndarray | None = None, tgt_key_padding_mask: np.ndarray | None = None,
                memory_key_padding_mask: np.ndarray | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> np.ndarray:
        if not isinstance(tgt, np.ndarray):
            raise TypeError(f"tgt must be a numpy.ndarray, got {type(tgt).__name__}")
        causal = _detect_is_causal_mask(tgt_mask, tgt_is_causal, _seq_len(tgt, self.layers[0].batch_first))
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, causal,
                      memory_is_causal)
        if self.norm is not None:
            x = self.norm(x)
        return self._save(x)

    def backward(self, dy: np.ndarray) -> tuple:
        (dy,) = self._saved(dy)
        d = self.norm.backward(dy) if self.norm is not None else dy
        totals: list = []
        for layer in reversed(self.layers):
            d, *rest = layer.backward(d)
            totals = [t + g for t, g in zip(totals, rest, strict=True)] if totals else rest
        return (d, *totals)
