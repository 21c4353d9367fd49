"""Equivalent mutants of scratch/nn/embedding/ (tests/mutate/equivalent/__init__.py says how they are keyed), and of
the two lines of scratch/sparse.py that Embedding(sparse=True) runs (configuration rules: _by_config.py).

Some cannot change what the code computes for any input (a reshape size numpy infers, an axis named from the other
end, a bincount length the next slice cuts). The others cannot for an entry's configuration (a 0-row table, 0-wide
rows, a mode, options that are False, a norm_type): those are declared for exactly the entries whose block has it,
read from the catalog's own blocks, each with the reason.
"""

from __future__ import annotations

import numpy as np

from tests.mutate.equivalent._by_config import blocks, merged, rule

T = "scratch/nn/embedding/table.py::Embedding."
B = "scratch/nn/embedding/bag.py::"
M = "scratch/nn/embedding/_common.py::"


def _config(b) -> dict:
    return dict(bag=type(b).__name__ == "EmbeddingBag", n=b.num_embeddings, d=b.embedding_dim,
                mode=getattr(b, "mode", None), sparse=b.sparse, ilo=getattr(b, "include_last_offset", False),
                sgbf=b.scale_grad_by_freq, p=b.norm_type, frozen=not b.weight.requires_grad,
                int_pad=isinstance(b.padding_idx, int) and not isinstance(b.padding_idx, bool))


_BLOCKS, NARROW = blocks("embedding")
CONFIGS = {name: _config(b) for name, b in _BLOCKS.items()}


def _for(keys, reason: str, when):
    return rule(CONFIGS, NARROW, keys, reason, when)


NEG_RESHAPE = "numpy's reshape reads a negative size as the one unknown dimension: -2 is -1"
_ANY_INPUT: dict[str, str] = {
    f"{T}forward::constant::1 -> 2#0": NEG_RESHAPE,
    f"{B}EmbeddingBag._flat::constant::1 -> 2#3": NEG_RESHAPE,
    **{f"{M}_sum_rows::constant::1 -> 2#{i}": NEG_RESHAPE for i in (0, 2)},
    **{f"{M}_norms::axis::1 -> -1#{i}": "the referenced rows are 2-d: axis -1 is axis 1" for i in range(6)},
    f"{M}_norms::constant::1 -> 2#0": "p == 2 was taken by the branch before: the elif is never True either way",
    f"{B}_bag_of_entries::drop-term::length + 1 -> length#0": "the bincount is cut to its first `length` counts "
    "at once: a minlength of length or length + k (k >= 0) gives the same first `length` counts",
    **{f"{B}_bag_of_entries::constant::1 -> {r}#2": "the bincount is cut to its first `length` counts at once: a "
       "minlength of length or length + k (k >= 0) gives the same first `length` counts" for r in (0, 2)},
}

_RULES = [
    *_for([f"{M}_weight_param::boolop::padding_idx is not None and not isinstance(padding_idx, bool | np.bool_) -> "
           "padding_idx is not None or not isinstance(padding_idx, bool | np.bool_)#0"], "padding_idx is an int "
          "here: both tests are True, so `and` and `or` agree", lambda c: c["int_pad"]),
    *_for([f"{M}_norms::constant::2 -> 1#0"], "norm_type is neither 1 nor 2: `p == 2` and `p == 1` are both False, "
          "so the first test reading 1 changes nothing (the p == 1 elif is False too)", lambda c: c["p"] not in (1, 2)),
    *_for([f"{M}_norms::constant::1 -> 0#0"], "norm_type is not 0: the p == 1 rows then reach the generic "
          "branch, sum(|a|^1)^1, the same sums", lambda c: c["p"] != 0),
    *_for([f"{M}_norms::negate::-np.inf -> np.inf#0"], "norm_type is not -inf: inf was taken by the branch "
          "before, so both conditions are False", lambda c: c["p"] != -np.inf),
    # a 0-row table or 0-wide rows: nothing is summed, every accepted input is empty
    *_for([*[f"{M}_sum_rows::{k}#0" for k in (
        "arith::(rows[:, None] if rows.ndim == 1 else rows) * d + np.arange(d) -> (rows[:, None] if rows.ndim == 1 "
        "else rows) * d - np.arange(d)",
        "negate::(rows[:, None] if rows.ndim == 1 else rows) * d + np.arange(d) -> -((rows[:, None] if "
        "rows.ndim == 1 else rows) * d + np.arange(d))",
        "drop-term::(rows[:, None] if rows.ndim == 1 else rows) * d -> rows[:, None] if rows.ndim == 1 else rows",
        "negate::n * d -> -(n * d)")],
           *[f"{M}_sum_rows::constant::1 -> 0#{i}" for i in (1, 3)]],
          "a 0-row table (only empty inputs are accepted) or 0-wide rows: the cells to sum are an empty array "
          "whatever the mutant does to it", lambda c: c["n"] == 0 or c["d"] == 0),
    *_for([f"{M}_sum_rows::drop-term::n * d -> d#0", f"{M}_sum_rows::drop-term::(rows[:, None] if rows.ndim == 1 "
           "else rows) * d + np.arange(d) -> np.arange(d)#0", f"{M}_sum_rows::drop-term::(rows[:, None] if "
           "rows.ndim == 1 else rows) * d -> d#0"], "0-wide rows: n d is 0, as d, and np.arange(0) is empty",
          lambda c: c["d"] == 0),
    *_for([f"{M}_sum_rows::drop-term::(rows[:, None] if rows.ndim == 1 else rows) * d + np.arange(d) -> "
           "(rows[:, None] if rows.ndim == 1 else rows) * d#0"], "a 0-row table: only empty inputs pass, whose "
          "rows are an empty array", lambda c: c["n"] == 0),
    *_for([f"{M}_sum_rows::drop-term::n * d -> n#0", f"{T}forward::constant::1 -> 0#0",
           f"{T}forward::compare::idx.min() < 0 -> idx.min() <= 0#0", f"{T}forward::constant::0 -> 1#0"],
          "a 0-row table: every index is out of range (idx.max() >= 0 already raises), only empty inputs pass",
          lambda c: c["n"] == 0),
    *_for([f"{T}forward::compare::idx.max() >= n -> idx.max() > n#0"], "an index equal to num_embeddings "
          "then reaches numpy's take (or the renorm's row selection), whose IndexError is torch's class; only "
          "the message differs", lambda c: not c["bag"] and c["n"] > 0 and c["d"] > 0),
    *_for([f"{M}_sum_rows::compare::rows.ndim == 1 -> rows.ndim != 1#0", f"{M}_sum_rows::constant::1 -> 0#2",
           f"{M}_sum_rows::constant::1 -> 2#1"],
          "mode 'max': its one sum is over (bags, d) rows of the maxima, 2-d, where rows[:, None] flattens to "
          "the same cells", lambda c: c["mode"] == "max"),
    # options that are False
    *_for([f"{T}backward::boolop::self.sparse and self.scale_grad_by_freq -> self.sparse or "
           "self.scale_grad_by_freq#0", f"{B}EmbeddingBag.backward::boolop::self.sparse and "
           "self.scale_grad_by_freq -> self.sparse or self.scale_grad_by_freq#0"],
          "sparse and scale_grad_by_freq both False: or is False too", lambda c: not c["sparse"] and not c["sgbf"]),
    *_for([f"{B}EmbeddingBag._flat::compare::mode == \"max\" -> mode != 'max'#0"],
          "scale_grad_by_freq False: the conjunction is False whatever the mode test", lambda c: not c["sgbf"]),
    *_for([f"{B}EmbeddingBag._flat::compare::mode == \"max\" -> mode != 'max'#1"],
          "sparse False: the conjunction is False whatever the mode test", lambda c: not c["sparse"]),
    *_for([f"{B}EmbeddingBag._flat::boolop::mode == \"max\" and self.scale_grad_by_freq -> mode == 'max' or "
           "self.scale_grad_by_freq#0"], "neither mode 'max' nor scale_grad_by_freq: or is False too",
          lambda c: c["bag"] and c["mode"] != "max" and not c["sgbf"]),
    *_for([f"{B}EmbeddingBag._flat::boolop::mode == \"max\" and self.sparse -> mode == 'max' or self.sparse#0"],
          "neither mode 'max' nor sparse: or is False too", lambda c: c["bag"] and c["mode"] != "max" and
          not c["sparse"]),
    *_for([f"{B}_bag_of_entries::index::bags -> bags + 1#0"], "without include_last_offset there are exactly "
          "`bags` offsets: off[:bags + 1] is off[:bags]", lambda c: c["bag"] and not c["ilo"]),
    *_for([f"{B}EmbeddingBag._flat::compare::off.size < 1 -> off.size <= 1#0",
           f"{B}EmbeddingBag._flat::constant::1 -> 0#1", f"{B}EmbeddingBag._flat::constant::1 -> 2#1"],
          "include_last_offset False: the conjunction is False whatever the size test", lambda c: c["bag"] and
          not c["ilo"]),
    *_for([f"{B}EmbeddingBag._flat::boolop::not isinstance(psw, np.ndarray) or psw.dtype != self.weight.dtype -> "
           "not isinstance(psw, np.ndarray) and psw.dtype != self.weight.dtype#0",
           f"{B}EmbeddingBag._flat::compare::psw.dtype != self.weight.dtype -> psw.dtype == self.weight.dtype#0"],
          "a mode other than 'sum': per_sample_weights raised NotImplementedError before, so it is None here",
          lambda c: c["bag"] and c["mode"] != "sum"),
    *_for([f"{B}EmbeddingBag.forward::compare::self.mode == \"mean\" -> self.mode != 'mean'#0"],
          "mode 'sum': the scale is then computed without per_sample_weights or frequencies too, as ones, and "
          "the weight's gradient is multiplied by 1", lambda c: c["mode"] == "sum"),
    *_for([f"{B}EmbeddingBag.forward::boolop::psw is not None or self.scale_grad_by_freq or self.mode == \"mean\" "
           "-> psw is not None and self.scale_grad_by_freq and (self.mode == 'mean')#0"],
          "a frozen weight in mode 'sum': the scale only reaches the weight's gradient, which is not computed",
          lambda c: c["frozen"] and c["mode"] == "sum"),
    # Embedding(sparse=True): the indices reaching SparseGrad were checked in forward
    *_for(["scratch/sparse.py::SparseGrad.__init__::boolop::self.indices.min() < 0 or self.indices.max() >= "
           "self.shape[0] -> self.indices.min() < 0 and self.indices.max() >= self.shape[0]#0",
           "scratch/sparse.py::SparseGrad.__init__::compare::self.indices.max() >= self.shape[0] -> "
           "self.indices.max() > self.shape[0]#0"],
          "Embedding's forward checked every index into [0, num_embeddings): both tests are False",
          lambda c: c["sparse"] and not c["bag"]),
    # SparseGrad's reshape(-2): declared for every entry and unit in tests/mutate/equivalent/sparse.py
]

_ILO = {f"{B}EmbeddingBag._flat::compare::off.size < 1 -> off.size <= 1#0": {
    "embedding_bag_mean_2d": "include_last_offset is False here: the test short-circuits before the count is read"}}

EQUIVALENT: dict[str, str | dict[str, str]] = {**_ANY_INPUT, **merged(_RULES), **_ILO}
