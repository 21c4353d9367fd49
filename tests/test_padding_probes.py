"""Every padding catalog entry probed against torch where its own sample cannot reach (tests/cases/_probes.py):
each padded dim at the sizes around its limits (0, 1, the smallest valid size and its neighbours, the reflect and
circular pad limits), other leading dims (none, more, an empty one), dtypes; and the entry's class with other
paddings (an int, tuples of every length, negative entries) on inputs of every rank. One test per entry (its id is
the entry's name, so the mutation audit of an entry runs it)."""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.cases._probes import compare_probes, normal
from tests.cases.padding import _pairs, min_size
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair

PADDING = [c for c in CATALOG if c.family == "padding"]


def _flat(block) -> tuple[int, ...]:
    p = block.padding
    return tuple(p) if len(p) != 1 or block._dims == 1 else p * (2 * block._dims)


def _sizes(mode: str, lo: int, hi: int) -> list[int]:
    """The sizes around a padded dim's limits."""
    m = min_size(mode, lo, hi)
    edge = max(lo, hi)
    return sorted({0, 1, max(m - 1, 0), m, m + 1, max(edge - 1, 0), edge, edge + 1} - {-1})


def _wraps_twice(n: int, lo: int, hi: int) -> bool:
    """scratch's own circular rule (scratch/nn/_pad_checks.py _check_circular): a pad larger than what the crop on the
    other side leaves, where torch 2.13 raises a memory-overlap error or returns memory it never wrote."""
    return 0 < n + lo + hi and 0 <= n and max(lo, hi) > n + min(lo, 0) + min(hi, 0) and lo <= n and hi <= n


def _arrays(rng, shapes) -> list[tuple[str, tuple]]:
    return [(f"{label} {shape}", (normal(rng, shape),)) for label, shape in shapes]


def _probes(case, block, rng) -> list[tuple[str, tuple]]:
    mode, flat = block._mode, _flat(block)
    pairs = _pairs(flat)
    k = len(pairs)
    lead = case.shape[:len(case.shape) - k]
    ample = [min_size(mode, lo, hi) + 1 for lo, hi in pairs]
    shapes = [(f"dim {i} size {n}", lead + tuple(n if j == i else a for j, a in enumerate(ample)))
              for i, (lo, hi) in enumerate(pairs) for n in _sizes(mode, lo, hi)
              if not (mode == "circular" and _wraps_twice(n, lo, hi))]
    others = {lead[1:], (2,) + lead, (), (1,) * (len(lead) + 2), (0,) + lead, (0,) * (len(lead) + 1)}
    others |= {lead[:j] + (0,) + lead[j + 1:] for j in range(len(lead))}  # each leading dim empty in turn
    shapes += [("leading dims", other + tuple(ample)) for other in sorted(others)]
    single = [1 - lo - hi for lo, hi in pairs]  # every padded dim's output of size 1 (where a size gives it)
    if min(single) >= 0 and not (mode == "circular" and any(_wraps_twice(n, lo, hi) for n, (lo, hi) in
                                                             zip(single, pairs, strict=True))):
        shapes.append(("one-element output", (1,) * len(lead) + tuple(single)))
    found = _arrays(rng, shapes)
    x = normal(rng, case.shape)
    found += [(f"{dt.__name__} input", (x.astype(dt),)) for dt in (np.float32, np.int64, np.uint8)]
    found += [("bool input", (x > 0,)), ("complex input", (x.astype(np.complex128),))]
    return found


def _variants(block) -> list[tuple[str, object]]:
    """Other paddings of the entry's class: ints, tuples of every length up to 6 with distinct entries (a pair
    read for another shows), negative entries, bools and floats where torch's parser takes or refuses them."""
    flat = _flat(block)
    distinct = (1, 2, 3, 0, 2, 1)
    found = [("int 1", 1), ("int 0", 0), ("int -1", -1), ("int 2", 2), ("length 0", ())]
    found += [(f"length {n}", distinct[:n]) for n in range(1, 7)]
    found += [("negated", tuple(-p for p in flat)), ("swapped", flat[::-1]), ("bool first", (True, 1)),
              ("bool second", (1, True)), ("float second", (1, 1.0)), ("numpy ints", (np.int64(2), np.int64(1)))]
    return found


def _make(name: str, padding, value):
    if value is None:
        return lambda lib: getattr(lib, name)(padding)
    return lambda lib: getattr(lib, name)(padding, value)


@pytest.mark.parametrize("case", PADDING, ids=str)
def test_padding_probes_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    compare_probes(case, s, r, _probes(case, s, rng), rng)
    name, d = type(s).__name__, s._dims
    value = getattr(s, "value", None) if "Constant" in name else None
    for label, padding in _variants(s):
        vs, vr = (_make(name, padding, value)(Lib(ns)) for ns in (scratch.nn, reference.nn))
        n = len(padding) // 2 if isinstance(padding, tuple) else d
        side = 5 if not isinstance(padding, tuple) else max([abs(p) for p in padding] + [1]) + 2
        ranks = sorted({n, n + 1, n + 2, d + 1} - {0})
        shapes = [(f"{label} rank {rank}", (2,) * (rank - n) + (side,) * n) for rank in ranks]
        compare_probes(case, vs, vr, _arrays(rng, shapes), rng)
