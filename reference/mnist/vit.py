"""A small vision transformer for MNIST, built from either library (the ``vit`` experiment).

    patches (N, 16, 49): the 28x28 image cut into a 4x4 grid of 7x7 patches (row-major), pixels / 255
    tokens = [cls; patches W_e^T + b_e] + pos          # cls_token (1, 1, 64), pos_embed (1, 17, 64)
    h = TransformerEncoder(2 pre-norm layers: d_model 64, 4 heads, feed-forward 128, GELU, dropout 0.1,
                           batch_first) with a final LayerNorm
    logits = head(h[:, 0])                              # Linear(64, 10) on the class token

Both sides share the init (the scratch model's, loaded into torch: cls_token and pos_embed N(0, 0.02^2), the
layers' torch-default init) and the dropout masks (every site of both layers draws from the experiment's mask
generator, in torch's order). state_dict keys: ``cls_token, pos_embed, patch_embed.{weight,bias},
encoder.layers.{0,1}.*, encoder.norm.*, head.{weight,bias}`` on both sides.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import torch

import scratch.nn as snn
from reference.nn.base import TorchModule

PATCH, GRID, D_MODEL, HEADS, FF, LAYERS = 7, 4, 64, 4, 128, 2


def patches_255(X_train, y_train, X_test, y_test, dtype):
    """(N, 784) or (N, 28, 28) uint8 -> (N, 16, 49) patches of x / 255, row-major over the 4x4 grid."""
    def prep(X):
        x = np.asarray(X).reshape(-1, GRID, PATCH, GRID, PATCH).transpose(0, 1, 3, 2, 4)
        return np.ascontiguousarray(x.reshape(-1, GRID * GRID, PATCH * PATCH), dtype=dtype) / dtype.type(255)

    return prep(X_train), y_train, prep(X_test), y_test


class ScratchViT(snn.Module):
    """The scratch side: forward and the closed-form backward through the class token and position embedding."""

    def __init__(self, patch_embed, encoder, head, dtype, rng: np.random.Generator) -> None:
        super().__init__()
        self.cls_token = snn.Parameter((rng.standard_normal((1, 1, D_MODEL)) * 0.02).astype(dtype))
        self.pos_embed = snn.Parameter((rng.standard_normal((1, GRID * GRID + 1, D_MODEL)) * 0.02).astype(dtype))
        self.patch_embed, self.encoder, self.head = patch_embed, encoder, head

    @property
    def input_layer(self):
        """The layer whose input is data (the runner skips its input gradient)."""
        return self.patch_embed

    def forward(self, x: np.ndarray) -> np.ndarray:
        e = self.patch_embed(x)
        cls = np.broadcast_to(self.cls_token.data, (x.shape[0], 1, D_MODEL))
        h = self.encoder(np.concatenate([cls, e], axis=1) + self.pos_embed.data)
        return self.head(h[:, 0])

    def backward(self, dy: np.ndarray) -> None:
        d_cls = self.head.backward(dy)
        dh = np.zeros((dy.shape[0], GRID * GRID + 1, D_MODEL), dy.dtype)
        dh[:, 0] = d_cls
        dt = self.encoder.backward(dh)
        self.pos_embed.accumulate(dt.sum(axis=0, keepdims=True), owned=True)
        self.cls_token.accumulate(dt[:, :1].sum(axis=0, keepdims=True), owned=True)
        return self.patch_embed.backward(dt[:, 1:])


class TorchViT(torch.nn.Module):
    """The torch twin of :class:`ScratchViT` (its sub-modules are the reference twins' torch modules)."""

    def __init__(self, patch_embed, encoder, head, dtype) -> None:
        super().__init__()
        self.cls_token = torch.nn.Parameter(torch.zeros(1, 1, D_MODEL, dtype=dtype))
        self.pos_embed = torch.nn.Parameter(torch.zeros(1, GRID * GRID + 1, D_MODEL, dtype=dtype))
        self.patch_embed, self.encoder, self.head = patch_embed, encoder, head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        e = self.patch_embed(x)
        h = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), e], dim=1) + self.pos_embed
        return self.head(self.encoder(h)[:, 0])


def vit(nn: ModuleType, dtype, rng, mask_rng):
    """The model from ``nn`` (scratch.nn or reference.nn); both sides' dropout masks come from ``mask_rng``."""
    patch_embed = nn.Linear(PATCH * PATCH, D_MODEL, dtype=dtype, rng=rng)
    layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.1, activation="gelu", batch_first=True,
                                       norm_first=True, dtype=dtype, rng=rng)
    encoder = nn.TransformerEncoder(layer, LAYERS, norm=nn.LayerNorm(D_MODEL, dtype=dtype),
                                    enable_nested_tensor=False,
                                    rng=rng)  # pre-norm: torch has no nested-tensor path for it (and would warn)
    encoder.rng = mask_rng
    head = nn.Linear(D_MODEL, 10, dtype=dtype, rng=rng)
    if isinstance(head, TorchModule):
        return TorchModule(TorchViT(patch_embed.torch_module, encoder.torch_module, head.torch_module,
                                    torch.float64 if np.dtype(dtype) == np.float64 else torch.float32))
    return ScratchViT(patch_embed, encoder, head, np.dtype(dtype), rng)
