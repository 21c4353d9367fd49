"""Catalog entries: Embedding and EmbeddingBag, one per option of docs/torch_facts.md (Embedding): padding_idx
(positive, negative, present and absent), repeated indices with padding for scale_grad_by_freq, max_norm with
rows above and below it in norms 2, 1 and 3, 0-d / 1-d / 3-d / empty index arrays, int32 indices, empty tables;
EmbeddingBag in each mode x (2-d input, 1-d input + offsets, include_last_offset, empty bags, all-padding bags,
per_sample_weights, padding_idx), max ties, from_pretrained and sparse.

The inputs are integer indices (no input gradient); per_sample_weights is EmbeddingBag's one float input.
``fd=False`` where torch's gradient is not the derivative at the sampled inputs, by design: the padding row of
an Embedding is read in forward but gets a zero gradient; scale_grad_by_freq divides by counts; a max_norm
forward renormalizes the weight in place, so finite differences of the weight see the renorm (torch's gradient
does not pass through it); max ties are kinks; a frozen (from_pretrained) weight has no gradient at all. The
renormalized weight itself is compared by every check that compares the state_dict, and in tests/test_embedding.py.
"""

from __future__ import annotations

import numpy as np

from tests.cases._embedding_samplers import bag_shapes, bags, index_shapes, indices
from tests.catalog import BadArgs, BadInput, Case


def _args(*arrays):
    return lambda rng, dt: arrays


def _call(make, *args):
    return lambda lib: make(lib)(*[np.asarray(a) for a in args])


def _backward(make, *args):
    """Construct, call and run backward: for errors torch raises only in its backward."""
    def run(lib):
        block = make(lib)
        y = block(*[np.asarray(a) for a in args])
        return block.backward(np.ones_like(y))
    return run


def _pretrained(cls: str, n: int, d: int, **kw):
    """``from_pretrained`` on the same draws on both sides (the Lib's generator and dtype)."""
    return lambda lib: getattr(lib.namespace, cls).from_pretrained(lib.rng.standard_normal((n, d)).astype(lib.dtype),
                                                                   **kw)


I = np.array  # noqa: E741 - index literals below

EMBEDDING_BAD = (
    BadInput("index = num_embeddings (IndexError)", _args(I([[1, 10]]))),
    BadInput("negative index (IndexError)", _args(I([[-1, 2]]))),
    BadInput("float64 indices (RuntimeError)", _args(I([[1.0, 2.0]]))),
    BadInput("float32 indices (RuntimeError)", _args(I([1, 2], np.float32))),
    BadInput("int16 indices (RuntimeError)", _args(I([1, 2], np.int16))),
    BadInput("uint8 indices (RuntimeError)", _args(I([1, 2], np.uint8))),
    BadInput("bool indices (RuntimeError)", _args(I([True, False]))),
    BadInput("a list (TypeError)", lambda rng, dt: ([1, 2],)),
    BadInput("int32 (accepted)", _args(I([[3, 9], [0, 0]], np.int32))),
    BadInput("0-d (accepted)", _args(I(7))),
    BadInput("empty (accepted)", _args(np.zeros((0,), np.int64))),
    BadInput("empty 3-d (accepted)", _args(np.zeros((2, 0, 3), np.int64))),
    BadInput("non-contiguous (accepted)", lambda rng, dt: (rng.integers(0, 10, (3, 8))[:, ::2],)),
)
EMBEDDING_ARGS = (
    BadArgs("padding_idx = num_embeddings (AssertionError)", lambda lib: lib.Embedding(4, 3, padding_idx=4)),
    BadArgs("padding_idx < -num_embeddings (AssertionError)", lambda lib: lib.Embedding(4, 3, padding_idx=-5)),
    BadArgs("negative num_embeddings (RuntimeError)", lambda lib: lib.Embedding(-1, 3)),
    BadArgs("negative embedding_dim (RuntimeError)", lambda lib: lib.Embedding(4, -2)),
    BadArgs("float num_embeddings (TypeError)", lambda lib: lib.Embedding(4.0, 3)),
    BadArgs("float padding_idx (IndexError)", lambda lib: lib.Embedding(4, 3, padding_idx=1.5)),
    BadArgs("padding_idx 0 of an empty table (IndexError)", lambda lib: lib.Embedding(0, 3, padding_idx=0)),
    BadArgs("_weight of another shape (AssertionError)", lambda lib: lib.Embedding(3, 2, _weight=np.zeros((3, 3)))),
    BadArgs("from_pretrained of a 1-d array (AssertionError)",
            lambda lib: lib.namespace.Embedding.from_pretrained(np.zeros(3))),
    BadArgs("from_pretrained with a float padding_idx (TypeError at call)",
            _call(lambda lib: lib.namespace.Embedding.from_pretrained(np.zeros((3, 2)), padding_idx=1.0), [1])),
    BadArgs("max_norm a string (TypeError at call)", _call(lambda lib: lib.Embedding(4, 3, max_norm="a"), [1])),
    BadArgs("norm_type a string (TypeError at call)",
            _call(lambda lib: lib.Embedding(4, 3, max_norm=1.0, norm_type="a"), [1])),
    BadArgs("sparse with scale_grad_by_freq (RuntimeError in backward)",
            _backward(lambda lib: lib.Embedding(4, 3, sparse=True, scale_grad_by_freq=True), [1, 1])),
)

OFF = I([0, 2, 2, 5])  # bags of 2, 0, 3 and the rest of a 7-entry input
BAG_BAD = (
    BadInput("2-d input with offsets (ValueError)", _args(I([[1, 2], [3, 4]]), I([0, 1]))),
    BadInput("1-d input without offsets (ValueError)", _args(I([1, 2, 3]))),
    BadInput("2-d offsets (ValueError)", _args(I([1, 2, 3]), I([[0, 1]]))),
    BadInput("3-d input (ValueError)", _args(I([[[1, 2]]]), I([0]))),
    BadInput("0-d input (ValueError)", _args(I(1), I([0]))),
    BadInput("offsets[0] != 0 (RuntimeError)", _args(I([1, 2, 3]), I([1, 2]))),
    BadInput("offsets[-1] > len (RuntimeError)", _args(I([1, 2, 3]), I([0, 4]))),
    BadInput("negative offset (IndexError)", _args(I([1, 2, 3]), I([0, -1, 2]))),
    BadInput("index = num_embeddings (RuntimeError, not IndexError)", _args(I([1, 10, 3, 4, 5, 6, 7]), OFF)),
    BadInput("negative index (RuntimeError)", _args(I([1, 2, 3, -1, 5, 6, 7]), OFF)),
    BadInput("float indices (RuntimeError)", _args(I([1.0, 2.0]), I([0]))),
    BadInput("float offsets (RuntimeError)", _args(I([1, 2]), I([0.0]))),
    BadInput("int16 input, int64 offsets (accepted: promoted to int64)", _args(I([1, 2], np.int16), I([0]))),
    BadInput("int16 input and offsets (RuntimeError)", _args(I([1, 2], np.int16), I([0], np.int16))),
    BadInput("uint8 input, int16 offsets (RuntimeError: promoted to int16)", _args(I([1, 2], np.uint8),
                                                                                  I([0], np.int16))),
    BadInput("bool input, int64 offsets (accepted)", _args(I([True, False]), I([0]))),
    BadInput("int32 input, int64 offsets (accepted)", _args(I([1, 9, 3, 4, 5, 6, 7], np.int32), OFF)),
    BadInput("int32 input and offsets (accepted)", _args(I([1, 9, 3, 4, 5, 6, 7], np.int32), OFF.astype(np.int32))),
    BadInput("empty input, two empty bags", _args(np.zeros(0, np.int64), I([0, 0]))),
    BadInput("no entries and no offsets: no bags", _args(np.zeros(0, np.int64), np.zeros(0, np.int64))),
    BadInput("offsets[-1] = len: a trailing empty bag", _args(I([1, 2, 3]), I([0, 3]))),
    BadInput("per_sample_weights with mode mean (NotImplementedError)",
             lambda rng, dt: (I([1, 2, 3]), I([0, 1]), np.ones(3, dt))),
)
BAG_2D_BAD = (
    BadInput("(0, N) input: no bags", _args(np.zeros((0, 3), np.int64))),
    BadInput("(B, 0) input (RuntimeError: torch's arange step 0)", _args(np.zeros((2, 0), np.int64))),
    BadInput("int32 (accepted)", _args(I([[1, 2], [9, 0]], np.int32))),
    BadInput("int16 (RuntimeError: its offsets are int16 too)", _args(I([[1, 2], [9, 0]], np.int16))),
    BadInput("bool (NotImplementedError: torch's arange)", _args(I([[True, False]]))),
    BadInput("float (RuntimeError)", _args(I([[1.0, 2.0]]))),
)
PSW_BAD = (
    BadInput("per_sample_weights of another shape (ValueError)",
             lambda rng, dt: (I([[1, 2], [3, 4]]), None, np.ones((2, 3), dt))),
    BadInput("per_sample_weights of the other float dtype (RuntimeError)",
             lambda rng, dt: (I([[1, 2]]), None, np.ones((1, 2), np.float32 if dt == np.float64 else np.float64))),
    BadInput("int64 per_sample_weights (RuntimeError)", _args(I([[1, 2]]), None, I([[1, 1]]))),
    BadInput("nan in per_sample_weights", lambda rng, dt: (I([[1, 2], [3, 4]]), None, I([[np.nan, 1], [1, 2]], dt))),
)
ILO_BAD = (
    BadInput("include_last_offset with no offsets (RuntimeError)", _args(I([1, 2]), np.zeros(0, np.int64))),
    BadInput("include_last_offset, offsets [0]: no bags", _args(np.zeros(0, np.int64), I([0]))),
)
MAX_NORM_BAG_BAD = (
    BadInput("index = num_embeddings with max_norm (IndexError, from torch's renorm)", _args(I([1, 25]), I([0]))),
    BadInput("negative index with max_norm (RuntimeError)", _args(I([1, -1]), I([0]))),
    BadInput("int16 input with max_norm (RuntimeError: the renorm sees it unpromoted)",
             _args(I([1, 2], np.int16), I([0]))),
)
BAG_ARGS = (
    BadArgs("mode 'min' (ValueError at call)", _call(lambda lib: lib.EmbeddingBag(4, 3, mode="min"), [[1, 2]])),
    BadArgs("max with scale_grad_by_freq (ValueError at call)",
            _call(lambda lib: lib.EmbeddingBag(4, 3, mode="max", scale_grad_by_freq=True), [[1, 2]])),
    BadArgs("max with sparse (ValueError at call)",
            _call(lambda lib: lib.EmbeddingBag(4, 3, mode="max", sparse=True), [[1, 2]])),
    BadArgs("padding_idx = num_embeddings (AssertionError)", lambda lib: lib.EmbeddingBag(4, 3, padding_idx=4)),
    BadArgs("padding_idx < -num_embeddings (AssertionError)", lambda lib: lib.EmbeddingBag(4, 3, padding_idx=-5)),
    BadArgs("negative num_embeddings (RuntimeError)", lambda lib: lib.EmbeddingBag(-1, 3)),
    BadArgs("float padding_idx (IndexError)", lambda lib: lib.EmbeddingBag(4, 3, padding_idx=1.5)),
    BadArgs("_weight of another shape (AssertionError)", lambda lib: lib.EmbeddingBag(3, 2, _weight=np.zeros((2, 2)))),
    BadArgs("from_pretrained of a 3-d array (AssertionError)",
            lambda lib: lib.namespace.EmbeddingBag.from_pretrained(np.zeros((2, 2, 2)))),
    BadArgs("sparse with scale_grad_by_freq (RuntimeError in backward)",
            _backward(lambda lib: lib.EmbeddingBag(4, 3, mode="sum", sparse=True, scale_grad_by_freq=True),
                      [[1, 1]])),
)

IDX = (1.0,)  # integer inputs only: the value scale has nothing to scale
# Tables hold >= 100 weights where they can (n x d): the init check (tests/test_init_catalog.py) then needs no seeds
# beyond its 4 probes; small ``high`` values keep indices repeating where counts matter.
NO_FD_PAD = dict(fd=False)  # the padding row is read in forward, its gradient is zero (torch's rule)
FROZEN = dict(fd=False)  # from_pretrained freezes the weight: no gradient at all, nothing to difference
NO_FD = dict(fd=False)  # scale_grad_by_freq (scaled by design), max_norm (in-place renorm) or max ties (kinks)


def emb(name, make, sample, shape, **kw):
    """An Embedding entry: its inputs are indices only (no value scales to draw)."""
    return Case(f"embedding{name}", make, sample, shape, scales=kw.pop("scales", IDX), **kw)


def bag(name, make, sample, shape=(4, 3), **kw):
    """An EmbeddingBag entry; ``shape`` is (bags, entries per bag). Value scales apply to per_sample_weights."""
    if "per_sample_weights" not in name:
        kw.setdefault("scales", IDX)
    return Case(f"embedding_bag_{name}", make, sample, shape, **kw)


def E(*args, **kw):
    return lambda lib: lib.Embedding(*args, **kw)


def B(*args, **kw):
    return lambda lib: lib.EmbeddingBag(*args, **kw)


CASES: list[Case] = [
    # -- Embedding: plain lookups of any rank, int32, empty, 0-d; empty tables
    emb("", E(10, 10), indices(10), (4, 5), shapes=index_shapes(), bad_inputs=EMBEDDING_BAD,
        bad_args=EMBEDDING_ARGS),
    emb("_0d", E(25, 4), indices(25), ()),
    emb("_3d_int32", E(50, 2), indices(50, index_dtype=np.int32), (2, 3, 4)),
    emb("_empty_batch", E(34, 3), indices(34), (0, 4)),
    emb("_empty_table", E(0, 3), indices(1), (2, 0),
        bad_inputs=(BadInput("an index into an empty table (RuntimeError)", _args(I([0]))),)),
    emb("_dim_0", E(4, 0), indices(4), (3, 2)),
    # -- padding_idx: present (positive, negative), absent (finite differences apply)
    emb("_padding", E(34, 3, padding_idx=2), indices(34, pad=2), (3, 5), **NO_FD_PAD),
    emb("_padding_negative", E(25, 4, padding_idx=-1), indices(25, pad=24), (2, 6), **NO_FD_PAD),
    emb("_padding_absent", E(34, 3, padding_idx=0), indices(34, low=1), (7,)),
    # -- scale_grad_by_freq: repeated indices (counts 1..5 over the whole batch), the padding row among them
    emb("_scale_grad_by_freq", E(34, 3, padding_idx=1, scale_grad_by_freq=True), indices(34, pad=1, high=4), (3, 4),
        **NO_FD),
    emb("_scale_grad_by_freq_unique", E(50, 2, scale_grad_by_freq=True),
        lambda rng, dtype, shape, scale=1.0: (rng.permutation(50)[:6].reshape(2, 3),), (2, 3)),
    # -- max_norm: N(0, 1) rows of 4 have 2-norms about 1.9 +- 0.7, so max_norm 2 clips some rows and keeps others
    emb("_max_norm", E(25, 4, max_norm=2.0), indices(25), (3, 4), shapes=index_shapes(), **NO_FD,
        bad_inputs=(BadInput("index out of range with max_norm (IndexError)", _args(I([1, 25]))),
                    BadInput("negative index with max_norm (IndexError)", _args(I([1, -1]))))),
    emb("_max_norm_p1_padding", E(25, 4, padding_idx=3, max_norm=3.0, norm_type=1.0), indices(25, pad=3), (2, 5),
        **NO_FD),
    emb("_max_norm_p3_scale_grad", E(20, 5, max_norm=1.5, norm_type=3, scale_grad_by_freq=True), indices(20, high=4),
        (4, 3), **NO_FD),
    emb("_max_norm_inf", E(34, 3, max_norm=1.2, norm_type=np.inf), indices(34), (5,), **NO_FD),
    # -- from_pretrained (frozen: no gradient; trainable with an unzeroed padding row), sparse
    emb("_from_pretrained_frozen", _pretrained("Embedding", 34, 3), indices(34), (2, 3), **FROZEN),
    emb("_from_pretrained_padding", _pretrained("Embedding", 50, 2, freeze=False, padding_idx=4), indices(50, pad=4),
        (3, 3), **NO_FD_PAD),
    emb("_sparse", E(34, 3, sparse=True, padding_idx=0), indices(34, pad=0), (3, 4), **NO_FD_PAD),
    # -- EmbeddingBag, 2-d input (B bags of N): each mode; sum with per_sample_weights (a float input with a grad)
    bag("mean_2d", B(10, 10), bags(10), bad_inputs=BAG_2D_BAD, bad_args=BAG_ARGS),
    bag("sum_2d_per_sample_weights", B(25, 4, mode="sum"), bags(25, psw=True), bad_inputs=PSW_BAD),
    bag("max_2d", B(34, 3, mode="max"), bags(34)),
    # -- 1-d input + offsets: empty bags, padding (left out of the bag and of the mean's count; all-padding bags)
    bag("mean_offsets", B(10, 10), bags(10, offsets=True), (5, 3), bad_inputs=BAG_BAD),
    bag("mean_offsets_padding", B(34, 3, padding_idx=2), bags(34, pad=2, offsets=True), (5, 2)),
    bag("sum_offsets_padding_per_sample_weights", B(50, 2, mode="sum", padding_idx=-1),
        bags(50, pad=49, offsets=True, psw=True), (5, 3), shapes=bag_shapes()),
    bag("max_offsets_padding", B(34, 3, mode="max", padding_idx=0), bags(34, pad=0, offsets=True), (5, 3)),
    # -- include_last_offset (offsets[-1] = len(input)), each mode
    bag("sum_include_last_offset", B(34, 3, mode="sum", include_last_offset=True), bags(34, offsets=True, ilo=True),
        bad_inputs=ILO_BAD),
    bag("mean_include_last_offset_padding", B(50, 2, include_last_offset=True, padding_idx=0),
        bags(50, pad=0, offsets=True, ilo=True), (4, 2)),
    bag("max_include_last_offset_int32", B(25, 4, mode="max", include_last_offset=True),
        bags(25, offsets=True, ilo=True, index_dtype=np.int32, offsets_dtype=np.int32), (3, 3)),
    # -- scale_grad_by_freq: counts 2 or 3, equal for every index: torch 2.13's CPU EmbeddingBag divides by the
    #    wrong count when counts differ (pytorch#190063; tests/test_embedding.py shows it with a strict xfail)
    bag("mean_scale_grad_by_freq", B(34, 3, scale_grad_by_freq=True), bags(34, offsets=True, equal_counts=True),
        shapes=bag_shapes(), **NO_FD),
    bag("sum_scale_grad_by_freq_padding_per_sample_weights", B(50, 2, mode="sum", scale_grad_by_freq=True,
                                                               padding_idx=1),
        bags(50, pad=1, high=8, psw=True, equal_counts=True), (3, 4), **NO_FD),
    # -- max_norm (renormalized in place), ties in max
    bag("sum_max_norm_p1", B(25, 4, mode="sum", max_norm=3.0, norm_type=1), bags(25, offsets=True), **NO_FD,
        bad_inputs=MAX_NORM_BAG_BAD),
    bag("max_max_norm", B(25, 4, mode="max", max_norm=2.0), bags(25), **NO_FD),
    # weights from {-1, 0, 1}: ties in every bag; torch routes each to the bag's FIRST entry holding the max
    bag("max_ties", lambda lib: lib.EmbeddingBag(34, 3, mode="max", _weight=lib.rng.integers(-1, 2, (34, 3))
                                                 .astype(lib.dtype)),
        bags(34, offsets=True), (5, 3), shapes=bag_shapes(), **NO_FD),
    # -- from_pretrained, sparse (a dense gradient here; torch's sparse COO one made dense by the twin)
    bag("from_pretrained_frozen", _pretrained("EmbeddingBag", 34, 3, mode="sum"), bags(34, offsets=True), (3, 2),
        **FROZEN),
    bag("from_pretrained_padding", _pretrained("EmbeddingBag", 34, 3, freeze=False, padding_idx=2), bags(34, pad=2),
        (3, 3)),
    bag("sum_sparse", B(34, 3, mode="sum", sparse=True), bags(34, offsets=True), (4, 2)),
]
