"""Transformer: torch 2.13's encoder-decoder model (``nn.Transformer``).

    memory = encoder(src, src_mask, src_key_padding_mask, src_is_causal)      # TransformerEncoder + LayerNorm
    out    = decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                     tgt_is_causal, memory_is_causal)                        # TransformerDecoder + LayerNorm

Init (torch's _reset_parameters, after every sub-module's own): xavier_uniform on EVERY parameter with more
than one dim (attention projections, linears; a custom encoder's or decoder's too), U(+-sqrt(6 / (fan_in +
fan_out))); biases and LayerNorms keep their own init. Backward: the decoder's, then the encoder's with the
memory gradient; returns (d_src, d_tgt) and the float masks' gradients in torch's argument order.
"""

from __future__ import annotations

import math

import numpy as np

from ..base import CachedModule
from ..module import Module, check_float_dtype
from ..normalization import LayerNorm
from .decoder import TransformerDecoder, TransformerDecoderLayer, float_mask_names
from .encoder import TransformerEncoder, TransformerEncoderLayer, _size

__all__ = ["Transformer"]

_ENCODER_MASKS = ("src_mask", "src_key_padding_mask")
_DECODER_MASKS = ("tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask")
_ORDER = ("src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask", "tgt_key_padding_mask",
          "memory_key_padding_mask")


class Transformer(CachedModule):
    """The encoder-decoder transformer (formulas, init and gradients: the module docstring).

    Args:
        d_model (int, default 512), nhead (int, default 8), num_encoder_layers (int, default 6),
        num_decoder_layers (int, default 6), dim_feedforward (int, default 2048), dropout (float, default 0.1),
        activation (default 'relu'), custom_encoder / custom_decoder (Module, optional: used instead of the
        stacks), layer_norm_eps (float, default 1e-5), batch_first (bool, default False), norm_first (bool,
        default False), bias (bool, default True), dtype (default np.float32), rng (initial values and the
        dropout masks' generator; the encoder's and the decoder's are drawn from it).
    forward(src (S, N, E), tgt (T, N, E), src_mask, tgt_mask, memory_mask, src_key_padding_mask,
            tgt_key_padding_mask, memory_key_padding_mask, src_is_causal=None, tgt_is_causal=None,
            memory_is_causal=False) -> (T, N, E).
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6, num_decoder_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation="relu",
                 custom_encoder: Module | None = None, custom_decoder: Module | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False, norm_first: bool = False,
                 bias: bool = True, dtype=np.float32, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))  # the first draw: every dropout site of the model
        layer_kw = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                        layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                        dtype=dt)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, rng=rng, **layer_kw)
            self.encoder = TransformerEncoder(layer, num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dt), rng=rng)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, rng=rng, **layer_kw)
            self.decoder = TransformerDecoder(layer, num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dt), rng=rng)
        for p in self.parameters():  # torch's _reset_parameters
            if p.data.ndim > 1:
                fan_out, fan_in = p.data.shape[0], p.data.shape[1]
                receptive = math.prod(p.data.shape[2:])
                bound = math.sqrt(6.0 / (fan_in * receptive + fan_out * receptive))
                p.data[...] = rng.uniform(-bound, bound, p.data.shape)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        self.rng = masks

    @property
    def rng(self) -> np.random.Generator | None:
        """The dropout masks' generator of the encoder and the decoder (one stream: the encoder draws first)."""
        return getattr(self.encoder, "rng", None)

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        for part in (self.encoder, self.decoder):
            if hasattr(part, "rng"):
                part.rng = value

    @staticmethod
    def generate_square_subsequent_mask(sz: int, dtype=np.float32) -> np.ndarray:
        """(sz, sz) float mask: -inf above the diagonal, 0 on and below it (torch's; float32 by default)."""
        return np.triu(np.full((sz, sz), -np.inf, dtype), 1)

    def forward(self, src: np.ndarray, tgt: np.ndarray, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
                src_is_causal: bool | None = None, tgt_is_causal: bool | None = None,
                memory_is_causal: bool = False) -> np.ndarray:
        for name, x in (("src", src), ("tgt", tgt)):
            if not isinstance(x, np.ndarray):
                raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
        batch = 0 if self.batch_first else 1
        if _size(src, batch) != _size(tgt, batch) and src.ndim == 3:  # torch reads both sizes first: IndexError
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        masks = dict(zip(_ORDER, (src_mask, tgt_mask, memory_mask, src_key_padding_mask, tgt_key_padding_mask,
                                  memory_key_padding_mask), strict=True))
        memory = self.encoder(src, src_mask, src_key_padding_mask, src_is_causal)
        out = self.decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
                           tgt_is_causal, memory_is_causal)
        return self._save(out, masks)

    def backward(self, dy: np.ndarray) -> tuple:
        dy, masks = self._saved(dy)
        d_tgt, d_memory, *dec = self.decoder.backward(dy)
        enc = self.encoder.backward(d_memory)
        d_src, *enc = enc if isinstance(enc, tuple) else (enc,)
        grads = dict(zip(float_mask_names(_DECODER_MASKS, masks), dec, strict=True))
        grads.update(zip(float_mask_names(_ENCODER_MASKS, masks), enc, strict=True))
        return (d_src, d_tgt) + tuple(grads[n] for n in _ORDER if n in grads)
