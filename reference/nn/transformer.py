"""Twins of scratch.nn's transformer family: the real torch.nn.TransformerEncoderLayer / TransformerEncoder.

Each twin builds torch's own module (its parameters, state_dict, repr and errors) and then switches its four
dropout sites to scratch's masks: ``self_attn`` becomes a SeededMultiheadAttention (reference/nn/attention.py)
and ``dropout``, ``dropout1``, ``dropout2`` SeededDropout modules (reference/nn/dropout.py), all drawing from ONE
generator, the first draw of ``rng`` as on scratch's side, in the order torch's forward runs them. The forward
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

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]

_SITES = ("dropout", "dropout1", "dropout2")


def _seed_sites(layer: torch.nn.TransformerEncoderLayer, masks: np.random.Generator) -> None:
    """Give torch's layer scratch's dropout masks (the module docstring)."""
    layer.self_attn.__class__ = SeededMultiheadAttention
    for name in _SITES:
        getattr(layer, name).__class__ = SeededDropout
    _set_rng(layer, masks)


def _set_rng(layer, masks: np.random.Generator) -> None:
    layer.self_attn.rng = masks
    for name in _SITES:
        getattr(layer, name).rng = masks


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


def _unwrap(value):
    return value.torch_module if isinstance(value, TorchModule) else value


class TransformerEncoderLayer(TorchModule):
    """Twin of scratch.nn.TransformerEncoderLayer (d_model, nhead, dim_feedforward=2048, dropout=0.1,
    activation='relu', layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True, dtype, rng)."""

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))  # scratch's first draw
        args = tuple(_unwrap(a) for a in args)
        kwargs = {k: _unwrap(v) for k, v in kwargs.items()}
        with seeded(rng):
            module = torch.nn.TransformerEncoderLayer(*args, dtype=torch_dtype(dtype), **kwargs)
        _seed_sites(module, masks)
        module.__class__ = SeededTransformerEncoderLayer
        super().__init__(module)

    @property
    def rng(self) -> np.random.Generator:
        return self.torch_module.self_attn.rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        _set_rng(self.torch_module, value)


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
        for layer in self.torch_module.layers:
            _set_rng(layer, value)
