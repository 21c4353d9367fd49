"""Every embedding catalog entry's own checks of the family's shared code: one item per entry (its id is the entry's
name, so the mutation audit's ``-k <entry>`` runs it for that entry; tests/mutate/select.py), for the entry's class
and options:

- the constructor's checks at their boundaries (sizes 0 and 1, padding_idx at +-num_embeddings and next to them,
  a bool size, a _weight of another shape or dtype): the same outcome as torch;
- the init of the entry's configuration: N(0, 1) rows, the padding row exactly zero and no other;
- the entry's block on the index boundaries (0, num_embeddings - 1, num_embeddings, -1, index dtypes) and, for
  EmbeddingBag, on both input forms (2-d, 1-d with offsets: an empty bag, a trailing one), the offsets' and
  per_sample_weights' checks at their boundaries, against torch forward and backward in float64; the max_norm
  entries' renorm at rows whose norm equals max_norm, exceeds it or stays below it, for their norm_type.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG, Lib

# isort: split
from tests.harness import assert_same_outcome, build, build_pair, outcome
from tests.test_attention_boundaries import rows_like_torch

CASES = [c for c in CATALOG if c.family == "embedding"]
OPTIONS = ("max_norm", "norm_type", "scale_grad_by_freq", "sparse")
I = np.array  # noqa: E741 - index literals


def _config(block) -> tuple[str, dict]:
    """The entry's class name and its options (sizes and padding_idx apart)."""
    name = type(block).__name__
    kw = {k: getattr(block, k) for k in OPTIONS}
    if name == "EmbeddingBag":
        kw.update(mode=block.mode, include_last_offset=block.include_last_offset)
    return name, kw


def _same(label: str, make) -> None:
    assert_same_outcome(label, outcome(lambda: make(Lib(scratch.nn, np.float64))),
                        outcome(lambda: make(Lib(reference.nn, np.float64))))


CONSTRUCTOR_ROWS = [((0, 3), {}), ((4, 0), {}), ((1, 3), {}), ((-1, 3), {}), ((4, -1), {}), ((4.0, 3), {}),
                    ((True, 3), {}), ((4, True), {})]
CONSTRUCTOR_ROWS += [((4, 3), {"padding_idx": p}) for p in (3, 4, -4, -5, 0, -1)]
CONSTRUCTOR_ROWS += [((1, 3), {"padding_idx": 1}), ((1, 3), {"padding_idx": 0}), ((0, 3), {"padding_idx": 0}),
                     ((3, 2), {"_weight": np.zeros((3, 3))}), ((3, 2), {"_weight": np.zeros((3, 2), np.int64)})]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_constructor_checks_at_their_boundaries_like_torch(case):
    name, kw = _config(build(case, scratch.nn, np.float64))
    for sizes, change in CONSTRUCTOR_ROWS:
        args = {**kw, **change}
        _same(f"{case.name}: {name}{sizes} {change}", lambda lib, sizes=sizes, args=args: getattr(lib, name)(
            *sizes, **args))
    # from_pretrained's padding_idx is checked at the call (its weight is not indexed at construction)
    bad = lambda lib: getattr(lib.namespace, name).from_pretrained(np.zeros((3, 2)), padding_idx=1.0)  # noqa: E731
    _same(f"{case.name}: from_pretrained with a float padding_idx, called", lambda lib: bad(lib)(
        I([1]), *((I([0]),) if name == "EmbeddingBag" else ())))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_init_of_the_entrys_configuration(case):
    """N(0, 1) rows (the padding row exactly zero, no other row zero), as torch's."""
    block = build(case, scratch.nn, np.float64)
    name, kw = _config(block)
    pad = block.padding_idx
    for lib in (scratch.nn, reference.nn):
        w = np.concatenate([getattr(lib, name)(50, 4, padding_idx=pad, **kw, dtype=np.float64,
                                               rng=np.random.default_rng(s)).state_dict()["weight"]
                            for s in range(4)])
        zero = ~w.any(axis=1)
        want = np.zeros(len(w), bool)
        if pad is not None:
            want[pad % 50::50] = True
        np.testing.assert_array_equal(zero, want, err_msg=f"{lib.__name__}: zero rows")
        assert abs(w[~zero].mean()) < 0.2 and 0.8 < w[~zero].std() < 1.2, lib.__name__


def _bag_inputs(block, kw: dict) -> list[tuple[str, tuple, bool]]:
    """(label, EmbeddingBag arguments, torch accepts them): both forms, then the checks' boundaries."""
    n, mode, ilo = block.num_embeddings, kw["mode"], kw["include_last_offset"]
    top = min(n - 1, 3)
    x1 = I([top, 0, top, 0, 1, 1] if n > 1 else [0] * 6)  # equal counts (torch's frequency divisor)
    off = I([0, 2, 2, 4] + ([6] if ilo else []))  # an empty bag; the last runs to the end
    psw = mode == "sum"
    w1, w2 = np.linspace(-1.5, 2.0, 6), np.linspace(0.5, -2.0, 4).reshape(2, 2)
    rows = [("1-d with offsets", (x1, off) + ((w1,) if psw else ()), True),
            ("2-d", (x1[:4].reshape(2, 2), None) + ((w2,) if psw else ()), True),
            ("offsets[-1] = len", (x1[:4], I([0, 4] + ([4] if ilo else []))), True),
            ("no entries, two empty bags", (np.zeros(0, np.int64), I([0, 0] + ([0] if ilo else []))), True),
            ("a single entry", (x1[:1], I([0] + ([1] if ilo else []))), True),
            ("index = num_embeddings", (I([0, n]), I([0] + ([2] if ilo else []))), False),
            ("index -1", (I([0, -1]), I([0] + ([2] if ilo else []))), False),
            ("index -num_embeddings", (I([0, -n]), I([0] + ([2] if ilo else []))), False),
            ("entries after the last offset", (x1, I([0, 2] + ([3] if ilo else []))), True),
            ("no bags", (np.zeros(0, np.int64), I([0] if ilo else [], np.int64)), True),
            ("offsets[0] = 1", (x1[:3], I([1, 2] + ([3] if ilo else []))), False),
            ("offsets[-1] > len", (x1[:3], I([0, 4])), False),
            ("a negative offset", (x1[:3], I([0, -1, 2])), False),
            ("2-d with offsets", (x1[:4].reshape(2, 2), I([0, 1])), False),
            ("1-d without offsets", (x1[:3],), False),
            ("float indices", (x1[:3].astype(np.float64), I([0])), False),
            ("(B, 0) input", (np.zeros((2, 0), np.int64),), False)]
    if ilo:
        rows.append(("include_last_offset without offsets", (x1[:2], np.zeros(0, np.int64)), False))
    if psw:
        rows += [("per_sample_weights of another shape", (x1[:4].reshape(2, 2), None, np.ones((2, 3))), False),
                 ("float32 per_sample_weights", (x1[:4].reshape(2, 2), None, np.ones((2, 2), np.float32)), False)]
    else:
        rows.append(("per_sample_weights", (x1[:4].reshape(2, 2), None, np.ones((2, 2))), False))
    return rows


def _embedding_inputs(block) -> list[tuple[str, tuple, bool]]:
    n = block.num_embeddings
    rows = [("index = num_embeddings", (I([0, n]),), False), ("index -1", (I([-1]),), False),
            ("index -num_embeddings", (I([-n]),), False),
            ("float32 indices", (I([0], np.float32),), False), ("int16 indices", (I([0], np.int16),), False),
            ("bool indices", (I([True]),), False)]
    if n:
        rows += [("indices 0 and num_embeddings - 1", (I([[0, n - 1], [n - 1, n - 1]]),), True),
                 ("int32 indices", (I([n - 1, 0], np.int32),), True)]
    if not block.sparse:  # torch 2.13's sparse backward fails on an empty input ("Trying to resize storage that
        rows.append(("empty", (np.zeros((0, 2), np.int64),), True))  # is not resizable") and a 0-d one
        rows += [("0-d index 0", (I(0),), True)] if n else []
    return rows


@pytest.mark.parametrize("case", CASES, ids=str)
def test_index_and_offset_boundaries_match_torch(case, rng):
    s, r = build_pair(case, np.float64)
    name, kw = _config(s)
    rows = _bag_inputs(s, kw) if name == "EmbeddingBag" else _embedding_inputs(s)
    rows_like_torch(case, s, r, rows, rng)
    if name == "EmbeddingBag":  # torch's result is undefined there (tests/test_embedding.py): scratch raises
        with pytest.raises(RuntimeError):
            s(I([0, 0, 0]), I([0, 2, 1]))


@pytest.mark.parametrize("case", [c for c in CASES if build(c, scratch.nn, np.float64).max_norm is not None],
                         ids=str)
def test_max_norm_renorm_at_the_boundary_like_torch(case):
    """max_norm 0.5 and the entry's norm_type: rows whose norm equals 0.5 (kept), exceeds it (scaled) or stays
    below it, the inf-norm ones below 1 too; the renormalized weight bit for bit as torch's."""
    name, kw = _config(build(case, scratch.nn, np.float64))
    w = np.array([[0.5, 0.0, 0.0], [0.3, -0.5, 0.2], [0.1, 0.2, -0.1], [0.0, 0.0, 0.0], [2.0, 1.0, -3.0]])
    x = (I([0, 1, 2, 3, 4, 1]), I([0, 3] + ([6] if kw.get("include_last_offset") else []))) \
        if name == "EmbeddingBag" else (I([0, 1, 2, 3, 4, 1]),)
    got = []
    for lib in (scratch.nn, reference.nn):
        block = getattr(lib, name)(5, 3, **{**kw, "max_norm": 0.5}, _weight=w.copy(), dtype=np.float64)
        block(*x)
        got.append(block.state_dict()["weight"])
    np.testing.assert_array_equal(got[0], got[1])


@pytest.mark.parametrize("name", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("pad", [True, False])
def test_a_bool_padding_idx_zeroes_no_row_and_fails_at_the_call_like_torch(name, pad):
    """torch keeps a bool padding_idx as given, and its ``weight[padding_idx].fill_(0)`` fills a copy (a bool index
    is advanced indexing), so no row is zeroed (numpy's ``w[True] = 0`` would zero the whole table); the call
    then refuses it."""
    for lib in (scratch.nn, reference.nn):
        block = getattr(lib, name)(5, 3, padding_idx=pad, dtype=np.float64, rng=np.random.default_rng(0))
        assert getattr(block, "torch_module", block).padding_idx is pad, lib.__name__
        assert block.state_dict()["weight"].all(axis=1).all(), f"{lib.__name__}: a zeroed row"
    _same(f"{name}(padding_idx={pad}) called", lambda lib: getattr(lib, name)(5, 3, padding_idx=pad)(
        I([[1, 2]]) if name == "EmbeddingBag" else I([1, 2])))
