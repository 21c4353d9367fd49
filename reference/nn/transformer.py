"""Twins of scratch.nn's transformer family: the real torch.nn.TransformerEncoderLayer, TransformerEncoder,
TransformerDecoderLayer, TransformerDecoder and Transformer.

Each twin builds torch's own module (its parameters, state_dict, repr and errors) and then switches every dropout
site to scratch's masks: each attention becomes a SeededMultiheadAttention (reference/nn/attention.py) and each
nn.Dropout a SeededDropout (reference/nn/dropout.py), all drawing from ONE generator, the first draw of ``rng``
as on scratch's side, in the order torch's forward runs them. The forward
runs with torch's fast paths off (``torch.backends.mha.set_fastpath_enabled(False)``: the fused encoder kernel
and the nested tensors are separate kernels; tests/test_transformer.py documents how they differ).
A scratch activation Module passed as ``activation`` arrives here as its twin and is unwrapped to the torch
module inside.
"""

from __future__ import annotations

import numpy as np
import torch

from .attention import SeededMultiheadAttention
from .base import TorchModule, seeded, torch_dtype
from .dropout import SeededDropout

__all__ = ["TransformerEncoderLayer", "TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder",
           "Transformer"]


def _seed_sites(module: torch.nn.Module, masks: np.random.Generator) -> None:
    """Give every attention and dropout module inside torch's ``module`` scratch's masks (the module docstring)."""
    for m in module.modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            m.__class__ = SeededMultiheadAttention
        elif type(m) is torch.nn.Dropout:
            m.__class__ = SeededDropout
    _set_rng(module, masks)


def _set_rng(module: torch.nn.Module, masks: np.random.Generator) -> None:
    for m in module.modules():
        if isinstance(m, SeededMultiheadAttention | SeededDropout):
            m.rng = masks


class _NoFastPath(torch.nn.Module):
    """Runs the wrapped module's forward with torch's MHA / encoder fast paths off (restored after)."""

    def forward_without_fast_path(self, forward, *args, **kwargs):
        fast = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            return forward(*args, **kwargs)
        finally:
            torch.backends.mha.set_fastpath_enabled(fast)


class SeededTransformerEncoderLayer(torch.nn.TransformerEncoderLayer, _NoFastPath):
    def _get_name(self) -> str:
        return "TransformerEncoderLayer"

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        return self.forward_without_fast_path(super().forward, src, src_mask, src_key_padding_mask, is_causal)


class SeededTransformerEncoder(torch.nn.TransformerEncoder, _NoFastPath):
    def _get_name(self) -> str:
        return "TransformerEncoder"

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        return self.forward_without_fast_path(super().forward, src, mask, src_key_padding_mask, is_causal)


class SeededTransformer(torch.nn.Transformer, _NoFastPath):
    def _get_name(self) -> str:
        return "Transformer"

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        return self.forward_without_fast_path(super().forward, src, tgt, src_mask, tgt_mask, memory_mask,
                                              src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask,
                                              src_is_causal, tgt_is_causal, memory_is_causal)


def _unwrap(value):
    return value.torch_module if isinstance(value, TorchModule) else value


def _build_seeded(torch_cls: type, args: tuple, kwargs: dict, dtype, rng: np.random.Generator | None):
    """torch's module, initialized from ``rng`` after scratch's first draw (the masks' generator), its dropout
    sites seeded with that generator; twins of scratch blocks among the arguments unwrapped."""
    rng = rng if rng is not None else np.random.default_rng()
    masks = np.random.default_rng(rng.integers(2**63))  # scratch's first draw
    with seeded(rng):
        module = torch_cls(*[_unwrap(a) for a in args], dtype=torch_dtype(dtype),
                           **{k: _unwrap(v) for k, v in kwargs.items()})
    _seed_sites(module, masks)
    return module


class TransformerEncoderLayer(TorchModule):
    """Twin of scratch.nn.TransformerEncoderLayer (d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, dtype, rng)."""

    _torch_cls = torch.nn.TransformerEncoderLayer

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        module = _build_seeded(self._torch_cls, args, kwargs, dtype, rng)
        if type(module) is torch.nn.TransformerEncoderLayer:
            module.__class__ = SeededTransformerEncoderLayer
        super().__init__(module)

    @property
    def rng(self) -> np.random.Generator:
        return self.torch_module.self_attn.rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        _set_rng(self.torch_module, value)


class TransformerDecoderLayer(TransformerEncoderLayer):
    """Twin of scratch.nn.TransformerDecoderLayer (the encoder layer's arguments)."""

    _torch_cls = torch.nn.TransformerDecoderLayer


class TransformerEncoder(TorchModule):
    """Twin of scratch.nn.TransformerEncoder (encoder_layer, num_layers, norm=None, enable_nested_tensor=True,
    mask_check=True, rng=None): the layer is a twin (its torch module is cloned, as torch does)."""

    def __init__(self, encoder_layer, num_layers: int, norm=None, enable_nested_tensor: bool = True,
                 mask_check: bool = True, rng: np.random.Generator | None = None) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))
        module = torch.nn.TransformerEncoder(_unwrap(encoder_layer), num_layers, _unwrap(norm),
                                             enable_nested_tensor, mask_check)
        module.__class__ = SeededTransformerEncoder
        super().__init__(module)
        self.rng = masks

    @property
    def rng(self) -> np.random.Generator:
        return self.torch_module.layers[0].self_attn.rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        _set_rng(self.torch_module, value)


class TransformerDecoder(TorchModule):
    """Twin of scratch.nn.TransformerDecoder (decoder_layer, num_layers, norm=None, rng=None)."""

    def __init__(self, decoder_layer, num_layers: int, norm=None, rng: np.random.Generator | None = None) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))
        super().__init__(torch.nn.TransformerDecoder(_unwrap(decoder_layer), num_layers, _unwrap(norm)))
        self.rng = masks

    rng = TransformerEncoder.rng


class Transformer(TorchModule):
    """Twin of scratch.nn.Transformer (d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6,
    dim_feedforward=2048, dropout=0.1, activation='relu', custom_encoder=None, custom_decoder=None,
    layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, dtype, rng)."""

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        module = _build_seeded(torch.nn.Transformer, args, kwargs, dtype, rng)
        module.__class__ = SeededTransformer
        super().__init__(module)

    @property
    def rng(self) -> np.random.Generator:
        return next(m.rng for m in self.torch_module.modules() if isinstance(m, SeededMultiheadAttention))

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        _set_rng(self.torch_module, value)
