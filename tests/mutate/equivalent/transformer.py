"""Equivalent mutants of scratch/nn/transformer/ (tests/mutate/equivalent/__init__.py says how they are keyed), and
of the lines of the building blocks a transformer entry runs as its parts (dropout, LayerNorm, ModuleList, the
layers' activations) where the transformer's use decides: a Dropout's shift is None, a LayerNorm normalizes one
trailing dim of size E >= 1, its eps > 0 only silences numpy warnings that finite inputs never raise, the stacks
index their layers from 0. The attention, SDPA, Linear and erfc lines are declared here only for the transformer
entries, where the transformer's use decides (an encoder's attention is self-attention on one array, kdim = vdim
= E, no bias_kv or zero_attn, 4-d heads, dropout 0 entries' scale 1, GELU's erf calls erfc on float64 |u|);
attention.py declares them for its own entries (and some for transformer entries: those are left out here, a
key and entry declared twice being an error). Configuration rules: _by_config.py.
"""

from __future__ import annotations

from tests.mutate.equivalent import attention
from tests.mutate.equivalent._by_config import blocks, merged, rule
from tests.mutate.equivalent.attention import _on_line

DR = "scratch/nn/dropout.py::_DropoutNd."
LN = "scratch/nn/normalization/"
_A = "scratch/nn/attention/"
TF = "scratch/nn/transformer/"


def _config(block) -> dict:
    kind = type(block).__name__
    first = block.encoder.layers[0] if kind == "Transformer" else (
        block.layers[0] if hasattr(block, "layers") else block)
    stacks = ([block.encoder, block.decoder] if kind == "Transformer" else [block] if hasattr(block, "layers")
              else [])
    return dict(kind=kind, encoder=kind.startswith("TransformerEncoder"), p=first.dropout.p,
                norm_first=first.norm_first, bias=first.linear1.bias is not None,
                act=type(first.activation).__name__, one_layer=all(len(s.layers) == 1 for s in stacks))


_BLOCKS, NARROW = blocks("transformer")
CONFIGS = {name: _config(b) for name, b in _BLOCKS.items()}


def _for(keys, reason: str, when, by_class: bool = False):
    return rule(CONFIGS, NARROW, keys, reason, when, by_class)


ALL = lambda c: True  # noqa: E731 - what holds for every transformer entry
_ANY_INPUT: dict[str, str] = {
    f"{TF}encoder.py::_float_masks::constant::1 -> 0#0": "the masks' names only label the AssertionError message",
    f"{TF}encoder.py::_float_masks::index::0 -> 1#0": "the masks' names only label the AssertionError message",
}

_RULES = [
    *_for([f"{DR}forward::constant::0 -> 1#1"], "the layers' activations have more than one element in every input "
          "here (and an empty one returns before)", ALL, by_class=True),
    *_for([f"{DR}forward::drop-term::y + shift -> y#0"], "nn.Dropout's shift is None: that branch never runs",
          ALL, by_class=True),
    *_for([f"{LN}_kernels.py::normalize::axis::axes -> -1#{i}" for i in range(2)]
          + [f"{LN}_kernels.py::normalize_backward::axis::axes -> -1#{i}" for i in range(2)],
          "every LayerNorm here normalizes one trailing dim (E): the axes are (-1,)", ALL, by_class=True),
    *_for([f"{LN}layer.py::LayerNorm.__init__::compare::d < 0 -> d <= 0#0",
           f"{LN}layer.py::LayerNorm.__init__::constant::0 -> 1#0"],
          "every LayerNorm here has normalized_shape (E,) with E >= 1", ALL, by_class=True),
    *_for([f"{LN}layer.py::_TrailingNorm._normalize::compare::eps <= 0 -> eps < 0#0",
           f"{LN}layer.py::_TrailingNorm._normalize::constant::0 -> 1#0"],
          "the condition only silences numpy's warnings, and a LayerNorm of the finite, non-constant rows every "
          "input here has raises none", ALL, by_class=True),
    *_for([f"{LN}layer.py::LayerNorm.forward::boolop::x.ndim < k or x.shape[x.ndim - k:] != shape -> x.ndim < k "
           "and x.shape[x.ndim - k:] != shape#0", f"{LN}layer.py::LayerNorm.forward::compare::x.ndim < k -> x.ndim "
           "<= k#0"], "post-norm: the attention checks the input's shape (2-d or 3-d, width E) before any "
          "LayerNorm sees it", lambda c: not c["norm_first"]),
    *_for([f"{LN}layer.py::_TrailingNorm._normalize::boolop::eps <= 0 or nonfinite(x) -> eps <= 0 and "
           "nonfinite(x)#0"], "the condition only silences numpy's warnings: eps > 0 but in the eps-0 boundary row, "
          "whose rows are finite and non-constant (no warning); a NaN makes none in a LayerNorm, and an inf "
          "reaches a post-norm layer's LayerNorms only after the attention's product, which warns first",
          lambda c: not c["norm_first"]),
    *_for(["scratch/nn/containers/modules.py::ModuleList._get_abs_string_index::compare::-len(self) <= idx < "
           "len(self) -> -len(self) < idx < len(self)#0"], "the stacks index their layers from 0 up", ALL,
          by_class=True),
    *_for(["scratch/nn/containers/modules.py::ModuleList.extend::drop-term::offset + i -> offset#0"],
          "stacks of one layer: i is 0", lambda c: c["one_layer"], by_class=True),
    *_for(["scratch/nn/linear.py::Linear._reset_parameters::constant::0 -> 1#0"], "every Linear of the entry's "
          "block has in_features >= 2 (d_model, dim_feedforward): in_features > 1 as > 0", ALL, by_class=True),
    # the shared code a transformer runs as its parts, where the transformer's use decides
    *_for([f"{_A}multihead.py::MultiheadAttention.__init__::arith::2**63 -> 2 * 63#0",
           f"{_A}multihead.py::MultiheadAttention.__init__::drop-term::2**63 -> 2#0"], "rng.integers(126) or (2) "
          "takes one 64-bit word of the stream as rng.integers(2**63) does (numpy keeps the unused 32-bit half for "
          "a later 32-bit draw, and an encoder, with one attention per layer, makes none): every later parameter "
          "comes from the same place of the stream, and the generator seeded here is replaced by the layer's "
          "before any use (a decoder layer's second attention would take the kept half: not declared there)",
          lambda c: c["encoder"], by_class=True),
    *_for([f"{TF}encoder.py::TransformerEncoderLayer.__init__::arith::2**63 -> 2 * 63#0",
           f"{TF}encoder.py::TransformerEncoderLayer.__init__::drop-term::2**63 -> 2#0"], "a stack's (or the "
          "model's) own generator replaces the layer's masks generator seeded here before any draw, and "
          "rng.integers(126) or (2) takes one 64-bit word of the stream as rng.integers(2**63) does: the "
          "parameters after it are the same values", lambda c: c["kind"] in ("TransformerEncoder", "Transformer"),
          by_class=True),
    *_for([f"{_A}multihead.py::MultiheadAttention._mask_grads::drop-term::dm.shape[-1] - cache.extra -> "
           "dm.shape[-1]#0"], "a transformer's attention has no bias_kv and no zero_attn: cache.extra is 0",
          ALL, by_class=True),
    *_for([f"{_A}sdpa.py::sdpa_forward::negate::-1 -> 1#0"], "an encoder's attention is self-attention: SDPA "
          "returns early only on an empty output (L = S = 0, or no batch), and ev, its last dim, then sizes an "
          "empty array that the merge of the heads and out_proj's reshape take whatever it is",
          lambda c: c["encoder"], by_class=True),
    *_for([f"{_A}sdpa.py::sdpa_forward::compare::c != 1.0 -> c == 1.0#0",
           f"{_A}sdpa.py::sdpa_backward::compare::cache.c != 1.0 -> cache.c == 1.0#0",
           "scratch/nn/dropout.py::_DropoutNd.forward::boolop::not self.training or self.p == 0 or x.size == 0 -> "
           "not self.training and self.p == 0 and (x.size == 0)#0"], "dropout 0 (and 1 in the boundary row, "
          "which zeroes without a scale, in training): c is 1, and the value (its gradient) times 1 is itself; a "
          "Dropout of p 0 that does not return early keeps every element, times 1 / (1 - 0) = 1, and no other site "
          "draws",
          lambda c: c["p"] == 0),
    *_for([f"{_A}multihead.py::MultiheadAttention.forward::compare::k.shape[:2] != v.shape[:2] -> k.shape[:2] == "
           "v.shape[:2]#0"], "kdim = vdim = embed_dim in a transformer's attention: `not self._qkv_same_embed_dim` "
          "is False and the test short-circuits", ALL, by_class=True),
    *_for([f"{_A}multihead.py::MultiheadAttention._project::negate::n * t -> -(n * t)#0"], "numpy's reshape "
          "reads a negative size as the unknown dim: -(n t) gives (n t, e) again for n t > 0 (e = E >= 1), and is "
          "0 for n t = 0", ALL, by_class=True),
    *_for([f"{_A}sdpa.py::_bias::negate::-2 -> 2#{i}" for i in range(2)]
          + [f"{_A}sdpa.py::_validate::compare::min(q.ndim, k.ndim, v.ndim) < 2 -> min(q.ndim, k.ndim, v.ndim) <= "
             "2#0"], "SDPA runs on MultiheadAttention's heads only, 4-d (N, h, L, d): dim 2 is dim -2 and the "
          "least rank is 4", ALL, by_class=True),
    *_for([f"{_A}sdpa.py::sdpa_forward::constant::2 -> 1#2"], "head_dim >= 1, so q.shape[-1] == 0 never holds; "
          "what it drops is the early return at L = 0 (an empty tgt) with keys, where the general path gives the "
          "same empty output and zero gradients (S = 0 or an empty batch still return early on v.size)",
          ALL, by_class=True),
    *_for([f"{_A}sdpa.py::sdpa_forward::index::1 -> 2#3", f"{_A}sdpa.py::softmax_::index::1 -> 2#1"],
          "an encoder's attention is self-attention on one array: the scores are square (L = S), so the key count "
          "read from either of their last two dims is the same", lambda c: c["encoder"], by_class=True),
    *_for([k for k in _on_line(f"{_A}multihead.py", "MultiheadAttention._weights", "return ws, (b[:e]")
           if "::arith::" not in k],  # 2 / e would raise TypeError
          "an encoder's attention is self-attention on one array: the packed product adds in_proj_bias whole, "
          "its thirds are never read (nor in backward)", lambda c: c["encoder"], by_class=True),
    *_for(["scratch/nn/linear.py::Linear.forward::constant::0 -> 1#0"], "every Linear of a transformer gets a 2-d "
          "or 3-d input: the attention checks the rank (2 or 3) before the feed-forward runs, and out_proj's "
          "input is (N L, E); x.ndim is never 0 or 1", ALL, by_class=True),
    *_for([f"{LN}layer.py::_int_list::boolop::not isinstance(d, numbers.Integral) or (i == 0 and isinstance(d, "
           "bool)) -> not isinstance(d, numbers.Integral) and (i == 0 and isinstance(d, bool))#0",
           f"{LN}layer.py::_int_list::compare::i == 0 -> i != 0#0", f"{LN}layer.py::_int_list::constant::0 -> 1#0"],
          "every LayerNorm here is built with normalized_shape (d_model,): one int that is not a bool, so neither "
          "clause holds", ALL, by_class=True),
    *_for(["scratch/nn/_math.py::erfc::negate::np.trunc(a * 16.0) / 16.0 -> -(np.trunc(a * 16.0) / 16.0)#0"],
          "t enters only as exp(-t t) and (a - t)(a + t): with -t the same floating-point products with their "
          "factors swapped (IEEE multiplication commutes), for every input", ALL, by_class=True),
    *_for(["scratch/nn/_math.py::erfc::negate::2.0 - tail -> -(2.0 - tail)#0",
           "scratch/nn/_math.py::erfc::compare::u.dtype.kind == \"f\" -> u.dtype.kind != 'f'#0"], "erfc runs "
          "here only inside GELU's erf, which passes float64 |u|: x < 0 never holds (NaN is not < 0) and dt is "
          "float64 either way", ALL, by_class=True),
    *_for(["scratch/nn/linear.py::Linear.backward::boolop::bias is not None and bias.requires_grad -> bias is not "
           "None or bias.requires_grad#0"], "bias=True: every bias exists (and requires grad)", lambda c: c["bias"],
          by_class=True),
    *_for(["scratch/nn/activations/piecewise.py::ReLU.forward::boolop::isinstance(x, np.ndarray) and x.dtype.kind "
           "in \"iu\" -> isinstance(x, np.ndarray) or x.dtype.kind in 'iu'#0"], "the ReLU's input is linear1's "
          "float output: check_input returns it as it is", lambda c: c["act"] == "ReLU", by_class=True),
    *_for([f"{TF}model.py::Transformer.__init__::drop-term::fan_in * receptive -> fan_in#0"], "every matrix of "
          "the model is 2-d: the receptive field is 1", lambda c: c["kind"] == "Transformer", by_class=True),
]



def _besides(declared: dict) -> dict:
    """Without the entries attention.py already declares for a key (the same entry twice is an error)."""
    out = {}
    for key, entries in declared.items():
        theirs = attention.EQUIVALENT.get(key, {})
        if isinstance(theirs, str):
            continue
        mine = {name: reason for name, reason in entries.items() if name not in theirs}
        if mine:
            out[key] = mine
    return out


EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **_besides(merged(_RULES))}
