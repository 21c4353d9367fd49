"""Equivalent mutants of scratch/nn/attention/ (tests/mutate/equivalent/__init__.py says how they are keyed), and of
the lines of scratch/nn/linear.py that MultiheadAttention's out_proj runs (always a 2-d input, in = out = E >= 1,
its bias zeroed after the init).

Some cannot change what the code computes for any input: guards that only skip work (np.repeat by 1 is a copy, a
reshape-sum over groups of one head is the identity, a scale by c = 1), reshape sizes numpy infers, axes named from
the other end of arrays whose rank is fixed (MultiheadAttention's heads are 4-d), a check of another dim of an array
that is then empty. The others cannot for an entry's configuration (no dropout, head_dim 1, the packed projection,
an SDPA entry without a mask or grouped heads): declared for the entries with it (_by_config.py says which).
"""

from __future__ import annotations

import numpy as np

from tests.mutate.equivalent._by_config import blocks, merged, rule

S = "scratch/nn/attention/sdpa.py::"
MH = "scratch/nn/attention/multihead.py::"
MI = "scratch/nn/attention/_mha_inputs.py::"  # its input checks and masks
MA = f"{MH}MultiheadAttention."
LI = "scratch/nn/linear.py::Linear."


def _config(name: str, block) -> dict:
    from tests.catalog import BY_NAME

    if type(block).__name__ == "ScaledDotProductAttention":
        q, k, v = BY_NAME[name].sample(np.random.default_rng(0), np.float64, BY_NAME[name].shape, 1.0)[:3]
        gqa = block.enable_gqa and q.ndim >= 3
        rk, rv = (q.shape[-3] // k.shape[-3], q.shape[-3] // v.shape[-3]) if gqa else (1, 1)
        p = block.dropout_p
        return dict(sdpa=True, rk=rk, rv=rv, c=1 / (1 - p) if 0 < p < 1 else 1.0, p=p, causal=block.is_causal,
                    gqa=block.enable_gqa, four_d=q.ndim == 4, rank=q.ndim)
    return dict(sdpa=False, tf=False, p=block.dropout, d=block.head_dim, h=block.num_heads,
                zero_attn=block.add_zero_attn, packed=block.in_proj_weight is not None,
                bias=block.in_proj_bias is not None,
                extra=int(block.bias_k is not None) + int(block.add_zero_attn), self_only=False)


def _transformer_config(block) -> dict:
    """A transformer entry runs MultiheadAttention as a part: packed self-attention (and, in a decoder, packed
    cross-attention), always the SDPA path, no bias_kv or zero_attn."""
    first = block.encoder.layers[0] if hasattr(block, "encoder") else (
        block.layers[0] if hasattr(block, "layers") else block)
    attn = first.self_attn
    return dict(sdpa=False, tf=True, p=attn.dropout, d=attn.head_dim, h=attn.num_heads, zero_attn=False,
                packed=True, bias=attn.in_proj_bias is not None, extra=0,
                self_only=type(block).__name__.startswith("TransformerEncoder"))


_BLOCKS, NARROW = blocks("attention")
CONFIGS = {name: _config(name, b) for name, b in _BLOCKS.items()}
_TF_BLOCKS, _TF_NARROW = blocks("transformer")
CONFIGS.update({name: _transformer_config(b) for name, b in _TF_BLOCKS.items()})
NARROW = {**NARROW, **_TF_NARROW}


def _for(keys, reason: str, when, by_class: bool = False):
    return rule(CONFIGS, NARROW, keys, reason, when, by_class)


COPY = "np.repeat(x, 1) is a copy of x: the guard only skips that copy"
ONE_GROUP = "a reshape-sum over groups of one head is the identity: the r == 1 return only skips it"
ACCUMULATE = ("Parameter.accumulate does nothing for a frozen parameter, so `and p.requires_grad` only skips "
              "work; `or` differs only for a missing parameter, which this entry's block has (backward runs only on "
              "the entry's own block)")
NEG = "numpy's reshape reads a negative size as the one unknown dimension"
_ANY_INPUT: dict[str, str] = {
    f"{S}sdpa_forward::constant::1.0 -> 0.0#1": "c >= 1: the scale by c then always runs, by 1 a copy",
    f"{S}sdpa_backward::constant::1.0 -> 0.0#0": "c >= 1: the scale by c then always runs, by 1 a copy",
    f"{S}sdpa_forward::compare::scale < 0 -> scale <= 0#0": "at scale 0 both give qf = +0.0 (0.0 - 0.0 is +0.0)",
    f"{S}sdpa_forward::compare::dropout_p > 0 -> dropout_p >= 0#0": "p = 0 in the dropout branch keeps every "
    "weight (random >= 0) and scales by 1 / (1 - 0) = 1",
    f"{MA}_weights_forward::compare::p > 0 -> p >= 0#0": "p = 0 in the dropout branch keeps every weight "
    "(random >= 0) and scales by 1 / (1 - 0) = 1",
    f"{S}_sum_to::constant::1 -> 0#1": "summing an axis of size 1 changes nothing (the result is reshaped)",
    f"{MA}_project::negate::n * t -> -(n * t)#0": NEG + " (n t > 0), and -0 is 0",
    f"{MA}forward::drop-term::(1, 1) + mask.shape -> mask.shape#0": "a 2-d attn_mask broadcasts against the "
    "(N, h, L, S) scores as (1, 1, L, S) does: every use (pad_columns along the last dim, the sum with the key "
    "padding mask, the scores' bias on either path, _sum_to of its gradient, then reshaped to the mask's own shape) "
    "gives the same values",
    **{f"{MA}_project_backward::constant::1 -> 2#{i}": NEG + ": -2 is -1" for i in range(2)},
    f"{MA}_project_backward::axis::1 -> -1#0": "the gradients concatenated are 2-d: axis -1 is axis 1",
    f"{MA}_project_backward::index::0 -> 1#0": "the packed product runs only when query is key is value: the "
    "three inputs are the same array",
    f"{MA}forward::negate::n * L -> -(n * L)#0": NEG, f"{MA}backward::negate::n * L -> -(n * L)#0": NEG,
    f"{MA}_weights_forward::negate::-2 -> 2#0": "the heads are 4-d (N, h, T, d): axis 2 is axis -2",
    **{f"{MA}_weights_backward::negate::-2 -> 2#{i}": "the heads are 4-d (N, h, T, d): axis 2 is axis -2"
       for i in range(3)},
}

SOFTMAX_DIMS = [f"{S}softmax_::negate::-1 -> 1#0", f"{S}softmax_::constant::1 -> 0#1", f"{S}softmax_::index::1 -> 2#0"]
SWAP_4D = [f"{S}sdpa_forward::negate::-2 -> 2#0", *[f"{S}sdpa_backward::negate::-2 -> 2#{i}" for i in range(3)],
           f"{S}_ungroup::negate::-2 -> 2#0"]
def _keys(file: str, qualname: str, operator: str, original: str, replacement: str) -> list[str]:
    """The keys of a file's mutants matching a node text and replacement (texts too long to write out)."""
    from tests.mutate.mutator import mutants_of_file

    return [m.key for m in mutants_of_file(file) if m.qualname == qualname and m.operator == operator and
            m.original.startswith(original) and m.replacement.startswith(replacement)]


def _on_line(file: str, qualname: str, text: str) -> list[str]:
    """The keys of every mutant of ``qualname`` on the line of the file that starts with ``text``."""
    from tests.mutate.mutator import ROOT, mutants_of_file

    line = next(i for i, t in enumerate((ROOT / file).read_text().splitlines(), 1) if t.strip().startswith(text))
    return [m.key for m in mutants_of_file(file) if m.qualname == qualname and m.line == line]


MHA_SDPA = "MultiheadAttention's heads (4-d, one head count, never broadcast)"
_SDPA_FILE = "scratch/nn/attention/sdpa.py"
_RULES = [
    # ScaledDotProductAttention's configurations
    # rk, rv >= 1 always (1, or hq // hk with hk dividing hq): `> 0` and `>= 1` add a repeat by 1 (and _ungroup's
    # `r == 0` a sum over groups of one), which needs heads: an input of rank 3 or more (a 2-d SDPA input fails)
    *_for([f"{S}sdpa_forward::compare::rk > 1 -> rk >= 1#0", f"{S}sdpa_forward::constant::1 -> 0#0",
           f"{S}sdpa_forward::compare::rv > 1 -> rv >= 1#0", f"{S}sdpa_forward::constant::1 -> 0#1"],
          COPY + " (rk, rv >= 1: the mutant adds a repeat by 1 along the heads, which every input here has: "
          "enable_gqa raises on a 2-d one first, MultiheadAttention's heads are 4-d)",
          lambda c: not c["sdpa"] or c["gqa"], by_class=True),
    *_for([f"{S}_ungroup::constant::1 -> 0#0"], ONE_GROUP + " (r >= 1: `r == 0` never holds, and r = 1 then sums "
          "groups of one head, which every input here has: enable_gqa raises on a 2-d one first, "
          "MultiheadAttention's heads are 4-d)", lambda c: not c["sdpa"] or c["gqa"], by_class=True),
    *_for([f"{S}_ungroup::compare::r == 1 -> r != 1#0"],
          ONE_GROUP + " (r is 1 here, on inputs of rank 3 and more)", lambda c: not c["sdpa"], by_class=True),
    *_for([f"{S}_ungroup::constant::1 -> 2#0"], ONE_GROUP + ", and no group here has 2 heads",
          lambda c: not c["sdpa"], by_class=True),
    *_for([f"{S}sdpa_forward::constant::1 -> 2#0", f"{S}sdpa_forward::constant::1 -> 2#1"],
          COPY + " (" + MHA_SDPA + ")", lambda c: not c["sdpa"], by_class=True),
    *_for([f"{S}sdpa_forward::constant::1 -> 2#0", f"{S}sdpa_forward::constant::1 -> 2#1"], COPY + ": without "
          "enable_gqa rk = rv = 1 (`> 2` skips as `> 1` does)", lambda c: c["sdpa"] and not c["gqa"], by_class=True),
    *_for([f"{S}sdpa_forward::constant::1 -> 2#0"], COPY + ": rk is 1 here (`rk > 2` skips as `rk > 1` does)",
          lambda c: c["sdpa"] and c["rk"] == 1),
    *_for([f"{S}sdpa_forward::constant::1 -> 2#1"], COPY + ": rv is 1 here (`rv > 2` skips as `rv > 1` does)",
          lambda c: c["sdpa"] and c["rv"] == 1),
    *_for([f"{S}sdpa_forward::compare::c != 1.0 -> c == 1.0#0", f"{S}sdpa_backward::compare::cache.c != 1.0 -> "
           "cache.c == 1.0#0"], "c = 1 (no dropout, or p = 1): the scale is by 1", lambda c: c["sdpa"] and
          c["c"] == 1.0),
    *_for([f"{S}sdpa_forward::constant::1.0 -> 2.0#1", f"{S}sdpa_backward::constant::1.0 -> 2.0#0"],
          "c != 2 (p is not 0.5): c != 2.0 is True, as c != 1.0 (or both scale by 1)",
          lambda c: c.get("c", 1 / (1 - c["p"]) if c["p"] < 1 else 1.0) != 2.0, by_class=True),
    *_for([f"{S}sdpa_forward::boolop::vr is v and copy_value -> vr is v or copy_value#0"],
          "the value is not repeated (vr is v): the owned copy or the array itself, the same values",
          lambda c: not c["sdpa"] or c["rv"] == 1, by_class=True),
    *_for([f"{S}softmax_::boolop::safe and full.any() -> safe or full.any()#0"], "SDPA's softmax is the safe one: "
          "True either way", lambda c: c["sdpa"] or c["tf"], by_class=True),
    *_for([f"{S}softmax_::boolop::safe and full.any() -> safe or full.any()#0"], "no fully masked row in this "
          "entry's inputs (and the SDPA path's softmax is the safe one)", lambda c: not c["sdpa"]),
    *_for(SOFTMAX_DIMS, "SDPA returned early for S = 0: another dim of the scores is 0 only when they are empty, "
          "and an empty array returned as it is, is the same", lambda c: c["sdpa"] or c["tf"], by_class=True),
    *_for([*SWAP_4D[:4], f"{S}sdpa_forward::negate::-2 -> 2#1", f"{S}sdpa_forward::negate::-2 -> 2#2",
           f"{S}sdpa_forward::negate::-2 -> 2#3", f"{S}sdpa_forward::negate::-2 -> 2#4",
           f"{S}sdpa_forward::negate::-2 -> 2#5",
           f"{S}_validate::constant::2 -> 1#0",
           f"{S}sdpa_forward::index::2 -> 3#4", f"{S}sdpa_forward::constant::1 -> 0#11",
           f"{S}sdpa_forward::index::1 -> 2#4", f"{S}sdpa_forward::negate::-1 -> 1#5"],
          MHA_SDPA + ": axis 2 is axis -2, dim 1 (the heads) is the same in query and key, their rank is never "
          "below 2, and dims other than E are >= 1 where the scale's condition is read", lambda c: not c["sdpa"],
          by_class=True),
    *_for([f"{S}sdpa_forward::boolop::q.shape[-2] == 0 or v.size == 0 -> q.shape[-2] == 0 and v.size == 0#0",
           f"{S}sdpa_forward::index::1 -> 2#0", f"{S}sdpa_forward::constant::1 -> 0#2"],
          MHA_SDPA + ": E always matches, so the early return only skips work on empty inputs, and its zeros are "
          "empty whatever their last dim (a transformer's: MultiheadAttention's own entries get no keys, S = 0)",
          lambda c: c.get("tf", False), by_class=True),
    *_for([f"{S}sdpa_forward::constant::0 -> 1#3"], "the value holds h d >= 2 numbers per key in every input "
          "here: its size is never 1", lambda c: not c["sdpa"] and c["h"] * c["d"] >= 2),
    # (no rule for sdpa_forward's -1 -> 1 #1, #2, #8, E read as the head count: the arguments test's num_heads 1
    # and E rows, which run for every MultiheadAttention entry, kill them where h = d)
    *_for([f"{S}sdpa_forward::compare::(rng if rng is not None else np.random.default_rng()).random(p.shape) >= "
           "dropout_p -> (rng if rng is not None else np.random.default_rng()).random(p.shape) > dropout_p#0"],
          "differs only where a uniform draw equals p exactly (probability 2^-53 per element; the transformer "
          "entries' stacks test plants such draws)", lambda c: not c.get("tf", False), by_class=True),
    *_for([f"{S}softmax_::constant::0 -> 1#0"], "dropout_p 1: the "
          "weights are zeroed, so one key's unnormalized score gives zeros too",
          lambda c: c["sdpa"] and c["p"] == 1),
    *_for([*_keys(_SDPA_FILE, "_sum_to", "drop-term", "tuple(range(lead)) + ", "tuple((lead"),
           f"{S}_sum_to::drop-term::lead + i -> i#0", f"{S}_sum_to::drop-term::lead + i -> i#1"],
          MHA_SDPA + ": every gradient _sum_to sums is 4-d, to a 4-d shape (lead 0: no leading axes)",
          lambda c: not c["sdpa"], by_class=True),
    *_for([f"{S}_validate::compare::mask.dtype != np.bool_ -> mask.dtype == np.bool_#0",
           f"{S}_validate::compare::mask.dtype != np.float32 -> mask.dtype == np.float32#0"],
          "the mask reaching SDPA from MultiheadAttention is the merged float one, of the query's dtype",
          lambda c: not c["sdpa"], by_class=True),
    *_for([f"{S}_validate::compare::mask.dtype != np.bool_ -> mask.dtype == np.bool_#0",
           f"{S}_validate::compare::mask.dtype != np.float32 -> mask.dtype == np.float32#0",
           f"{S}_validate::compare::mask.dtype != q.dtype -> mask.dtype == q.dtype#0",
           f"{S}sdpa_forward::compare::mask.dtype == np.bool_ -> mask.dtype != np.bool_#0",
           f"{S}sdpa_forward::boolop::mask is None or mask.dtype == np.bool_ -> mask is None and mask.dtype == "
           "np.bool_#0"], "is_causal: no explicit mask reaches here (mask is None short-circuits)",
          lambda c: c["sdpa"] and c["causal"]),
    *_for(SWAP_4D[1:], "grouped heads here are 4-d (N, h, T, d) in every input that reaches backward (the 2-d "
          "form raises first): axis 2 is axis -2", lambda c: c["sdpa"] and c["gqa"] and c["four_d"]),
    *_for([f"{S}sdpa_forward::index::2 -> 3#3"], "2-d query and key: the batch is (), which every value batch "
          "broadcasts with, so the check cannot fire (and a 2-d value's [:-3] is its [:-2], ())",
          lambda c: c["sdpa"] and c["rank"] == 2),
    *_for([f"{S}_gqa_repeats::compare::hq == hk == hv -> hq == hk != hv#0"], "hq == hk != hv never holds here, "
          "and for hq == hk == hv the general path gives (1, 1) too", lambda c: c["sdpa"] and c["gqa"]),
    # MultiheadAttention's configurations (its own entries and the transformer entries' attention)
    # (no dropout-0 rule for _weights_forward: test_mha_arguments_at_their_boundaries_like_torch runs every MHA
    # entry's configuration with dropout 1.0 and 1.5, forward)
    *_for([f"{MA}_weights_backward::drop-term::1.0 / q.shape[-1] -> 1.0#0"], "head_dim 1: 1 / d is 1 (backward "
          "runs only on the entry's own block; the arguments test, which changes num_heads, runs forward)",
          lambda c: not c["sdpa"] and c["d"] == 1),
    *_for([f"{MA}_weights_backward::drop-term::q * f -> q#0"], "head_dim 1: the scale f = sqrt(1 / d) is 1",
          lambda c: not c["sdpa"] and not c["tf"] and c["d"] == 1),
    *_for([f"{MA}_mask_grads::drop-term::dm.shape[-1] - cache.extra -> dm.shape[-1]#0"],
          "no bias_kv and no zero_attn: cache.extra is 0", lambda c: not c["sdpa"] and not c["tf"] and
          c["extra"] == 0),
    *_for([f"{S}sdpa_forward::constant::2 -> 1#2"], MHA_SDPA + ": E = head_dim >= 1, so `q.shape[-1] == 0` never "
          "holds; for L = 0 (the early return's case) the general path gives the same empty output, and zero "
          "gradients for key, value and the masks (sums over no query)", lambda c: not c["sdpa"] and not c["tf"],
          by_class=True),
    # (embed_dim // num_heads -> / is not equivalent: 7 / 2 * 2 == 7 passes the divisibility test the int fails)
    *_for([f"{MA}_project_backward::boolop::self.in_proj_weight is not None and self.in_proj_weight.requires_grad "
           "-> self.in_proj_weight is not None or self.in_proj_weight.requires_grad#0"], ACCUMULATE + " (the packed "
          "in_proj_weight)", lambda c: not c["sdpa"] and c["packed"]),
    *_for([f"{MA}_project_backward::boolop::self.in_proj_bias is not None and self.in_proj_bias.requires_grad -> "
           "self.in_proj_bias is not None or self.in_proj_bias.requires_grad#0"], ACCUMULATE + " (in_proj_bias)",
          lambda c: not c["sdpa"] and c["bias"]),
    *_for([f"{MA}_project_backward::boolop::p is not None and p.requires_grad -> p is not None or "
           "p.requires_grad#0"], ACCUMULATE + " (q_proj_weight, k_proj_weight, v_proj_weight: kdim or vdim differs "
          "from embed_dim)", lambda c: not c["sdpa"] and not c["packed"]),
    *_for([f"{MA}__init__::boolop::self.kdim == embed_dim and self.vdim == embed_dim -> self.kdim == embed_dim or "
           "self.vdim == embed_dim#0", f"{MA}_project::constant::1 -> 0#0",
           f"{MA}forward::boolop::not self._qkv_same_embed_dim and k.shape[:2] != v.shape[:2] -> not "
           "self._qkv_same_embed_dim or k.shape[:2] != v.shape[:2]#0", f"{MA}forward::constant::2 -> 1#1",
           f"{MA}forward::constant::2 -> 1#2", f"{MA}forward::index::2 -> 3#0", f"{MA}forward::index::2 -> 3#1"],
          "kdim = vdim = embed_dim (a transformer's attention): the packed in_proj_weight exists, every projection is "
          "square, and the key / value shape test short-circuits (not for MultiheadAttention's own entries: their "
          "arguments test builds kdim, vdim != embed_dim)", lambda c: c.get("tf", False)),
    *_for([f"{MA}_mask_grads::arith::dm.shape[-1] - cache.extra -> dm.shape[-1] + cache.extra#0"],
          "no bias_kv and no zero_attn: cache.extra is 0", lambda c: not c["sdpa"] and c["extra"] == 0),
    *_for([f"{MI}shape_check::boolop::k.ndim != q.ndim or v.ndim != q.ndim -> k.ndim != q.ndim and v.ndim != "
           "q.ndim#0"], "a value of another rank than the key then fails the key / value shape test, an "
          "AssertionError too (torch's class)", lambda c: not c["sdpa"], by_class=True),
    *_for([k for k in _on_line("scratch/nn/attention/multihead.py", "MultiheadAttention._weights",
                               "return ws, (b[:e]") if "::arith::" not in k],  # 2 / e would raise TypeError
          "self-attention on one array only: the packed product adds in_proj_bias whole, its thirds are never used",
          lambda c: not c["sdpa"] and c["self_only"]),
    # the out_proj Linear of MultiheadAttention (in transformer entries the layers' linears run this code too)
    *_for([f"{LI}__init__::compare::in_features < 0 -> in_features <= 0#0",
           f"{LI}__init__::compare::out_features < 0 -> out_features <= 0#0",
           f"{LI}__init__::boolop::in_features < 0 or out_features < 0 -> in_features < 0 and out_features < 0#0",
           f"{LI}_reset_parameters::compare::self.in_features > 0 -> self.in_features >= 0#0",
           f"{LI}__init__::constant::0 -> 1#0", f"{LI}__init__::constant::0 -> 1#1"],
          "out_proj is (E, E) with E >= 1 (checked before): a size 0 never reaches it",
          lambda c: not c["sdpa"] and not c["tf"], by_class=True),
    *_for([f"{LI}_reset_parameters::constant::0.0 -> 1.0#0"], "no Linear here has in_features 0 (the bound of "
          "an empty weight)", lambda c: not c["sdpa"] and not c["tf"], by_class=True),
    *_for([f"{LI}_reset_parameters::negate::-bound -> bound#1"], "MultiheadAttention zeroes out_proj.bias after "
          "the init", lambda c: not c["sdpa"] and not c["tf"], by_class=True),
    *_for([f"{LI}forward::constant::0 -> 1#0", f"{LI}forward::negate::-1 -> 1#0", f"{LI}backward::negate::-1 -> 1#0",
           f"{LI}forward::arith::x @ weight.data.T -> x * weight.data.T#0"],
          "out_proj's input is always 2-d (N L, E): it is not 1-d, its last dim is dim 1, and the >2-d branch never "
          "runs", lambda c: not c["sdpa"] and not c["tf"], by_class=True),
    *_for([f"{LI}forward::compare::x.ndim == 2 -> x.ndim != 2#0"],  # 2 -> 1: for every entry in equivalent/linear.py
          "out_proj's input is 2-d: x W^T instead of (W x^T)^T, the same dot products in another orientation "
          "(a float64 ulp apart, a speed choice)", lambda c: not c["sdpa"] and not c["tf"], by_class=True),
]

EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **merged(_RULES)}
