"""Equivalent mutants of scratch/nn/transformer/ (tests/mutate/equivalent/__init__.py says how they are keyed), and
of the lines of the building blocks a transformer entry runs as its parts (dropout, LayerNorm, ModuleList, the
layers' activations) where the transformer's use decides: a Dropout's shift is None, a LayerNorm normalizes one
trailing dim of size E >= 1, its eps > 0 only silences numpy warnings that finite inputs never raise, the stacks
index their layers from 0. The attention and Linear lines are declared in attention.py (one module per key).
Configuration rules: _by_config.py.
"""

from __future__ import annotations

from tests.mutate.equivalent._by_config import blocks, merged, rule

DR = "scratch/nn/dropout.py::_DropoutNd."
LN = "scratch/nn/normalization/"
TF = "scratch/nn/transformer/"


def _config(block) -> dict:
    kind = type(block).__name__
    first = block.encoder.layers[0] if kind == "Transformer" else (
        block.layers[0] if hasattr(block, "layers") else block)
    stacks = ([block.encoder, block.decoder] if kind == "Transformer" else [block] if hasattr(block, "layers")
              else [])
    return dict(kind=kind, p=first.dropout.p, norm_first=first.norm_first, bias=first.linear1.bias is not None,
                act=type(first.activation).__name__, one_layer=all(len(s.layers) == 1 for s in stacks),
                decoder_layers=len(block.decoder.layers) if kind == "Transformer" else (
                    len(block.layers) if kind == "TransformerDecoder" else 0))


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
           "and x.shape[x.ndim - k:] != shape#0"], "post-norm: the attention checks the input's shape before any "
          "LayerNorm sees it", lambda c: not c["norm_first"]),
    *_for(["scratch/nn/containers/modules.py::ModuleList._get_abs_string_index::compare::-len(self) <= idx < "
           "len(self) -> -len(self) < idx < len(self)#0"], "the stacks index their layers from 0 up", ALL,
          by_class=True),
    *_for(["scratch/nn/containers/modules.py::ModuleList.extend::drop-term::offset + i -> offset#0"],
          "stacks of one layer: i is 0", lambda c: c["one_layer"], by_class=True),
    *_for(["scratch/nn/linear.py::Linear._reset_parameters::constant::0 -> 1#0"], "every Linear of the entry's "
          "block has in_features >= 2 (d_model, dim_feedforward): in_features > 1 as > 0", ALL, by_class=True),
    *_for(["scratch/nn/linear.py::Linear.backward::boolop::bias is not None and bias.requires_grad -> bias is not "
           "None or bias.requires_grad#0"], "bias=True: every bias exists (and requires grad)", lambda c: c["bias"],
          by_class=True),
    *_for(["scratch/nn/activations/piecewise.py::ReLU.forward::boolop::isinstance(x, np.ndarray) and x.dtype.kind "
           "in \"iu\" -> isinstance(x, np.ndarray) or x.dtype.kind in 'iu'#0"], "the ReLU's input is linear1's "
          "float output: check_input returns it as it is", lambda c: c["act"] == "ReLU", by_class=True),
    *_for([f"{TF}decoder.py::TransformerDecoder.backward::arith::t + g -> t - g#0"], "one decoder layer: the "
          "totals are that layer's, no sum is taken", lambda c: c["decoder_layers"] == 1, by_class=True),
    *_for([f"{TF}model.py::Transformer.__init__::drop-term::fan_in * receptive -> fan_in#0"], "every matrix of "
          "the model is 2-d: the receptive field is 1", lambda c: c["kind"] == "Transformer", by_class=True),
]

EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **merged(_RULES)}
