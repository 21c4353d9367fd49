"""Twins of scratch.nn's attention family.

MultiheadAttention is the real ``torch.nn.MultiheadAttention`` (its parameters, state_dict and errors), run with
torch's fast path switched off (``torch.backends.mha.set_fastpath_enabled(False)``: the math of the slow path is
what is compared; the fast path is a separate, fused kernel) and with its two dropout sites fed scratch's masks:
during its forward ``F.dropout`` (the need_weights path) and ``F.scaled_dot_product_attention`` (the
need_weights=False path) are replaced by seeded versions that draw ``keep = rng.random(weights.shape) >= p``
from the twin's mask generator (the first draw of ``rng``, as scratch's) and apply it with torch's own formula:
ATen's ``_dropout_impl`` (weights * keep / (1 - p)), and the SDPA math op with ``dropout_mask`` (below).

ScaledDotProductAttention is a torch module around ``torch.nn.functional.scaled_dot_product_attention``
(torch has no module of that name; this one takes the functional's keywords as constructor options, passes
``dropout_p`` only in training, as torch's MultiheadAttention does). Every call is torch's public function,
which picks its own kernel (the CPU flash kernel for 4-d inputs with E == Ev and no mask requiring grad, else
the math path), except where dropout draws a mask: torch's RNG stream cannot be replayed in NumPy, so there
the twin makes scratch's draw from its own identically seeded generator (``keep = rng.random(weights.shape)
>= p``) and hands it to ``torch.ops.aten._scaled_dot_product_attention_math(..., dropout_mask=keep)``, the
math path F.scaled_dot_product_attention runs for dropout_p > 0, with the bool mask converted as the public
function converts it (0 where True, -inf where False). torch itself draws nothing. Before that it runs the
public function once under no_grad (and a forked RNG) with the same arguments, so every error is torch's own;
where torch would not draw (p outside (0, 1), its early return for an empty query or value, empty weights) the
public function's result is the answer.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
import torch.nn.functional as F

from .base import TorchModule, seeded, torch_dtype
from .dropout import _masked

__all__ = ["ScaledDotProductAttention", "MultiheadAttention"]

_MATH = torch.ops.aten._scaled_dot_product_attention_math
_SDPA = F.scaled_dot_product_attention  # torch's own, also while MultiheadAttention's forward replaces it
_DROPOUT = F.dropout


class SeededSDPA(torch.nn.Module):
    """F.scaled_dot_product_attention as a module whose dropout mask comes from a numpy Generator."""

    def _get_name(self) -> str:
        return "ScaledDotProductAttention"

    def __init__(self, dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                 enable_gqa: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.dropout_p, self.is_causal, self.scale, self.enable_gqa = dropout_p, is_causal, scale, enable_gqa
        self.rng = rng if rng is not None else np.random.default_rng()

    def extra_repr(self) -> str:
        return (f"dropout_p={self.dropout_p}, is_causal={self.is_causal}, scale={self.scale}, "
                f"enable_gqa={self.enable_gqa}")

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                attn_mask: torch.Tensor | None = None) -> torch.Tensor:
        p = self.dropout_p if self.training else 0.0
        kw = dict(is_causal=self.is_causal, scale=self.scale, enable_gqa=self.enable_gqa)
        shape = self._draw_shape(query, key, value, attn_mask, p, kw)
        if shape is None:
            return _SDPA(query, key, value, attn_mask, p, **kw)
        keep = torch.from_numpy(np.asarray(self.rng.random(shape) >= p))
        return _MATH(query, key, value, self._additive(attn_mask, query), p, self.is_causal, dropout_mask=keep,
                     scale=self.scale, enable_gqa=self.enable_gqa)[0]

    @staticmethod
    def _additive(mask: torch.Tensor | None, query: torch.Tensor) -> torch.Tensor | None:
        """The public function's conversion of a bool mask (the math op itself would ADD a bool mask as 0/1)."""
        if mask is None or mask.dtype != torch.bool:
            return mask
        return torch.zeros(mask.shape, dtype=query.dtype).masked_fill_(mask.logical_not(), -float("inf"))

    def _draw_shape(self, query, key, value, attn_mask, p, kw) -> tuple[int, ...] | None:
        """The weights' shape where torch's math path would draw a dropout mask, else None."""
        try:
            if not 0 < p < 1:
                return None
        except TypeError:  # a p torch rejects: its own TypeError comes from the public call
            return None
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            _SDPA(query, key, value, attn_mask, p, **kw)  # torch's checks and errors
            if query.size(-2) == 0 or value.numel() == 0:  # torch's early return: no dropout
                return None
            _, weights = _MATH(query, key, value, self._additive(attn_mask, query), 0.0, self.is_causal,
                               scale=self.scale, enable_gqa=self.enable_gqa)
        return tuple(weights.shape) if weights.numel() else None


class ScaledDotProductAttention(TorchModule):
    """Twin of scratch.nn.ScaledDotProductAttention (dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False,
    rng=None)."""

    def __init__(self, dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                 enable_gqa: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__(SeededSDPA(dropout_p, is_causal, scale, enable_gqa, rng))


@contextmanager
def _seeded_functional(rng: np.random.Generator):
    """F.dropout and F.scaled_dot_product_attention drawing their masks from ``rng`` (the module docstring)."""

    def dropout(input, p=0.5, training=True, inplace=False):
        if not training or not 0 < p < 1 or input.numel() == 0:  # no draw, or torch's own error
            return _DROPOUT(input, p, training, inplace)
        return _masked(input, rng, p, tuple(input.shape))

    def sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
        return SeededSDPA(dropout_p, is_causal, scale, enable_gqa, rng)(query, key, value, attn_mask)

    fast = torch.backends.mha.get_fastpath_enabled()
    F.dropout, F.scaled_dot_product_attention = dropout, sdpa
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        F.dropout, F.scaled_dot_product_attention = _DROPOUT, _SDPA
        torch.backends.mha.set_fastpath_enabled(fast)


class SeededMultiheadAttention(torch.nn.MultiheadAttention):
    """torch.nn.MultiheadAttention with scratch's dropout masks and without the fast path."""

    def _get_name(self) -> str:
        return "MultiheadAttention"

    def __init__(self, *args, rng: np.random.Generator | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True, is_causal=False):
        with _seeded_functional(self.rng):
            return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask,
                                   average_attn_weights, is_causal)


class MultiheadAttention(TorchModule):
    """Twin of scratch.nn.MultiheadAttention (embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False,
    add_zero_attn=False, kdim=None, vdim=None, batch_first=False, dtype=np.float32, rng=None)."""

    def __init__(self, *args, dtype=np.float32, rng: np.random.Generator | None = None, **kwargs) -> None:
        rng = rng if rng is not None else np.random.default_rng()
        mask_rng = np.random.default_rng(rng.integers(2**63))  # scratch's first draw: the same mask stream
        with seeded(rng):
            module = SeededMultiheadAttention(*args, rng=mask_rng, dtype=torch_dtype(dtype), **kwargs)
        super().__init__(module)

    @property
    def rng(self) -> np.random.Generator:
        """The dropout masks' generator (scratch's ``rng`` attribute); assignable, as on scratch's side."""
        return self.torch_module.rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self.torch_module.rng = value
