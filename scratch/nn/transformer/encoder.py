"""The transformer family: TransformerEncoderLayer and TransformerEncoder, torch 2.13's (slow path) step by step.

An encoder layer is self-attention and a feed-forward block, each with a residual connection and a LayerNorm::

    sa(x) = dropout1(self_attn(x, x, x, attn_mask=src_mask, key_padding_mask=..., need_weights=False)[0])
    ff(x) = dropout2(linear2(dropout(activation(linear1(x)))))
    post-norm (norm_first=False, the default):  x = norm1(x + sa(x));   x = norm2(x + ff(x))
    pre-norm  (norm_first=True):                x = x + sa(norm1(x));   x = x + ff(norm2(x))

Four dropout sites with the same p: the attention weights (inside self_attn), ``dropout`` (between the two
linears), ``dropout1`` and ``dropout2``. Their masks come from ONE generator, the layer's ``rng`` (the first
draw of the constructor's ``rng``), in the order the forward runs them; the twin draws the same. Masks given as
bool become 0 / -inf in the input dtype before the attention (torch's _canonical_mask), so the attention sees
float masks; a float mask given is a differentiated input, as in MultiheadAttention.

Backward runs the chain in reverse (post-norm: norm2, ff + identity, norm1, sa + identity; pre-norm: ff(norm2)
+ identity, then sa(norm1) + identity); the self-attention's three input gradients are added (x was query, key
and value).
"""

from __future__ import annotations

import copy

import numpy as np

from ..activations import GELU, ReLU
from ..attention import MultiheadAttention
from ..attention._mha_inputs import canonical_mask
from ..base import CachedModule
from ..containers import ModuleList
from ..dropout import Dropout
from ..linear import Linear
from ..module import Module, check_float_dtype
from ..normalization import LayerNorm

__all__ = ["TransformerEncoderLayer", "TransformerEncoder"]


def _activation(activation) -> tuple[Module, bool]:
    """(the block, whether it is a registered sub-module): 'relu' / 'gelu' as torch's functional forms (not
    sub-modules), a scratch Module (with its own backward) as a sub-module, as torch registers a module."""
    if isinstance(activation, str):
        if activation == "relu":
            return ReLU(), False
        if activation == "gelu":
            return GELU(), False
        raise RuntimeError(f"activation should be relu/gelu, not {activation}")
    if isinstance(activation, Module):
        return activation, True
    raise TypeError(f"activation must be 'relu', 'gelu' or a scratch Module (scratch differentiates blocks with an "
                    f"explicit backward, not arbitrary callables), got {type(activation).__name__}")


def _set_activation(layer: Module, activation) -> None:
    act, registered = _activation(activation)
    if registered:
        layer.activation = act
    else:
        object.__setattr__(layer, "activation", act)  # torch keeps F.relu / F.gelu: not a sub-module


def _float_masks(x: np.ndarray, mask, kpm, names: tuple[str, str]) -> tuple:
    """torch's encoder-layer canonicalization: the padding mask first (warning on mixed types), then the mask."""
    kpm = canonical_mask(kpm, names[1], x.dtype, None if mask is None else mask.dtype)
    return canonical_mask(mask, names[0], x.dtype), kpm


class TransformerEncoderLayer(CachedModule):
    """One transformer encoder layer (formulas, dropout sites and gradients: the module docstring).

    Args:
        d_model (int): E, the features of the input and output.
        nhead (int): attention heads (E % nhead == 0).
        dim_feedforward (int, default 2048): the feed-forward block's hidden width.
        dropout (float, default 0.1): p of all four dropout sites (training only).
        activation (default 'relu'): 'relu', 'gelu' (exact) or a scratch Module; other strings: RuntimeError.
        layer_norm_eps (float, default 1e-5), batch_first (bool, default False), norm_first (bool, default False),
        bias (bool, default True): in the linears, the attention and the LayerNorms.
        dtype (default np.float32), rng (np.random.Generator, optional): parameters' dtype; initial values and the
            dropout masks' generator (its first draw).
    Init: torch's per sub-module (MultiheadAttention's xavier, Linear's default, LayerNorm ones / zeros).
    forward(src (S, N, E) | (N, S, E) batch_first | (S, E), src_mask (S, S) | (N*nhead, S, S) = None,
            src_key_padding_mask (N, S) = None, is_causal = False) -> same shape as src.
    backward(d_out) -> d_src[, d_src_mask][, d_src_key_padding_mask] (the float masks' gradients, in torch's
    argument order).
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation="relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        masks = np.random.default_rng(rng.integers(2**63))  # all four dropout sites draw from it, in turn
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first,
                                            dtype=dt, rng=rng)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, dtype=dt, rng=rng)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, dtype=dt, rng=rng)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dt)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dt)
        self.dropout1, self.dropout2 = Dropout(dropout), Dropout(dropout)
        _set_activation(self, activation)
        self.batch_first = batch_first
        self.rng = masks

    _SITES = ("self_attn", "dropout", "dropout1", "dropout2")  # the dropout sites, in forward's order

    @property
    def rng(self) -> np.random.Generator:
        """The dropout masks' generator, shared by every site; assigning it reaches all of them."""
        return self.self_attn.rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        for name in self._SITES:
            getattr(self, name).rng = value

    def forward(self, src: np.ndarray, src_mask: np.ndarray | None = None,
                src_key_padding_mask: np.ndarray | None = None, is_causal: bool = False) -> np.ndarray:
        if not isinstance(src, np.ndarray):
            raise TypeError(f"src must be a numpy.ndarray, got {type(src).__name__}")
        mask, kpm = _float_masks(src, src_mask, src_key_padding_mask, ("src_mask", "src_key_padding_mask"))
        x = src
        if self.norm_first:
            x = x + self._sa(self.norm1(x), mask, kpm, is_causal)
            x = x + self._ff(self.norm2(x))
        else:
            x = self.norm1(x + self._sa(x, mask, kpm, is_causal))
            x = self.norm2(x + self._ff(x))
        return self._save(x, _mask_grads_wanted(src_mask, src_key_padding_mask))

    def _sa(self, x, mask, kpm, is_causal) -> np.ndarray:
        return self.dropout1(self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=kpm, need_weights=False,
                                            is_causal=is_causal)[0])

    def _ff(self, x) -> np.ndarray:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))

    def _sa_backward(self, d: np.ndarray) -> tuple[np.ndarray, tuple]:
        """d x through the self-attention (query + key + value) and the attention's mask gradients."""
        dq, dk, dv, *dmasks = self.self_attn.backward(self.dropout1.backward(d))
        return dq + dk + dv, tuple(dmasks)

    def _ff_backward(self, d: np.ndarray) -> np.ndarray:
        return self.linear1.backward(self.activation.backward(self.dropout.backward(
            self.linear2.backward(self.dropout2.backward(d)))))

    def backward(self, dy: np.ndarray):
        dy, wanted = self._saved(dy)
        if self.norm_first:
            d = dy + self.norm2.backward(self._ff_backward(dy))
            d_sa, dmasks = self._sa_backward(d)
            dx = d + self.norm1.backward(d_sa)
        else:
            d = self.norm2.backward(dy)
            d = self.norm1.backward(d + self._ff_backward(d))
            d_sa, dmasks = self._sa_backward(d)
            dx = d + d_sa
        return _with_mask_grads(dx, dmasks, wanted)


def _mask_grads_wanted(mask, kpm) -> tuple[tuple[bool, bool], tuple[bool, bool]]:
    """((mask given, padding mask given), (mask float, padding mask float)): every mask given reaches the
    attention as a float one and gets a gradient there; only a float argument gets it back."""
    return ((mask is not None, kpm is not None),
            tuple(m is not None and m.dtype != np.bool_ for m in (mask, kpm)))


def _with_mask_grads(dx: np.ndarray, dmasks: tuple, wanted: tuple):
    """dx, then the float masks' gradients in torch's argument order (mask, padding mask). ``dmasks`` holds the
    attention's, in ITS order: padding mask, then mask, for each one given."""
    (has_mask, has_kpm), (mask_float, kpm_float) = wanted
    names = [n for n, given in (("kpm", has_kpm), ("mask", has_mask)) if given]
    by_name = dict(zip(names, dmasks, strict=True))
    extra = tuple(by_name[n] for n, keep in (("mask", mask_float), ("kpm", kpm_float)) if keep)
    return (dx, *extra) if extra else dx


class TransformerEncoder(CachedModule):
    """A stack of ``num_layers`` deep copies of ``encoder_layer``, then ``norm`` (optional).

    Args:
        encoder_layer (TransformerEncoderLayer): the layer cloned (copy.deepcopy, as torch's _get_clones).
        num_layers (int): the number of clones.
        norm (Module, optional): applied to the last layer's output (e.g. LayerNorm for pre-norm stacks).
        enable_nested_tensor (bool, default True), mask_check (bool, default True): torch's flags for its
            nested-tensor fast path (eval, no grad); scratch always computes the math of the slow path.
        rng (np.random.Generator, optional): the dropout masks' generator, shared by every layer (its first draw),
            so each layer draws new masks in turn.
    forward(src, mask=None, src_key_padding_mask=None, is_causal=None) -> the last output (src's shape).
    backward(d_out) -> d_src[, d_mask][, d_src_key_padding_mask].
    """

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm
        self.enable_nested_tensor, self.mask_check = enable_nested_tensor, mask_check
        rng = rng if rng is not None else np.random.default_rng()
        self.rng = np.random.default_rng(rng.integers(2**63))

    @property
    def rng(self) -> np.random.Generator:
        return self.layers[0].rng if len(self.layers) else self._masks

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        object.__setattr__(self, "_masks", value)
        for layer in self.layers:
            layer.rng = value

    def forward(self, src: np.ndarray, mask: np.ndarray | None = None,
                src_key_padding_mask: np.ndarray | None = None, is_causal: bool | None = None) -> np.ndarray:
        if not isinstance(src, np.ndarray):
            raise TypeError(f"src must be a numpy.ndarray, got {type(src).__name__}")
        fmask, kpm = _float_masks(src, mask, src_key_padding_mask, ("mask", "src_key_padding_mask"))
        causal = _detect_is_causal_mask(fmask, is_causal, _seq_len(src, self.layers[0].batch_first))
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=fmask, is_causal=causal, src_key_padding_mask=kpm)
        if self.norm is not None:
            x = self.norm(x)
        return self._save(x, _mask_grads_wanted(mask, src_key_padding_mask))

    def backward(self, dy: np.ndarray):
        dy, wanted = self._saved(dy)
        d = self.norm.backward(dy) if self.norm is not None else dy
        totals: list[np.ndarray] = []  # every layer got the masks as float ones: (mask, padding mask) given
        for layer in reversed(self.layers):
            out = layer.backward(d)
            d, extra = (out[0], out[1:]) if isinstance(out, tuple) else (out, ())
            totals = [t + g for t, g in zip(totals, extra, strict=True)] if totals else list(extra)
        (has_mask, has_kpm), (mask_float, kpm_float) = wanted
        by_name = dict(zip([n for n, given in (("mask", has_mask), ("kpm", has_kpm)) if given], totals,
                           strict=False))
        extra = tuple(by_name[n] for n, keep in (("mask", mask_float), ("kpm", kpm_float)) if keep)
        return (d, *extra) if extra else d


def _clones(layer: Module, n: int) -> ModuleList:
    """torch's _get_clones: ``n`` independent deep copies."""
    return ModuleList([copy.deepcopy(layer) for _ in range(n)])


def _size(x: np.ndarray, dim: int) -> int:
    """torch's Tensor.size(dim) for dim >= 0: IndexError past the last dim."""
    try:
        return x.shape[dim]
    except IndexError:
        raise IndexError(f"Dimension out of range: dim {dim} of a {x.ndim}-d tensor") from None


def _seq_len(x: np.ndarray, batch_first: bool) -> int:
    """torch's _get_seq_len: dim 0 of an unbatched (S, E) input, else dim 1 (batch_first) or dim 0, as torch reads
    it whatever the rank (so a 1-d batch_first input is its IndexError, as torch's)."""
    return _size(x, 1 if batch_first and x.ndim != 2 else 0)


def _detect_is_causal_mask(mask, is_causal: bool | None, size: int) -> bool:
    """torch's _detect_is_causal_mask: is_causal as given, else (None) whether the mask IS the causal float mask
    generate_square_subsequent_mask(size) gives (False without a mask)."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        if mask.dtype.kind in "iu":  # torch fills -inf into the mask's dtype
            raise RuntimeError(f"value cannot be converted to type {mask.dtype} without overflow (an integer mask "
                               "compared with the causal mask)")
        causal = np.triu(np.full((size, size), -np.inf, mask.dtype), 1)
        make_causal = mask.shape == causal.shape and bool(np.array_equal(mask, causal))
    return make_causal
