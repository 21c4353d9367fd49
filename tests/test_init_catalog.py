"""Every scratch layer's DEFAULT initialization has the distribution of its torch counterpart's.

Generic over ``tests.catalog.CATALOG``: every entry with parameters, whatever its family. The scratch block is
built with many seeds, the torch twin too (torch's own init, seeded through ``reference.nn.seeded``), and
each named parameter's pooled values are compared by distribution (mean, variance, range, two-sample KS; see
tests/test_init.py). A parameter that torch initializes deterministically (the same array for every seed, e.g.
ones/zeros/eye) must be EXACTLY equal on the scratch side, seed by seed. Both dtypes are probed (names, shapes,
dtypes, deterministic parameters, seed dependence); the pooled distribution test runs in float32 (torch's
default; the float64 init is the same draw in another dtype), to keep the runtime per catalog entry small.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import reference.nn
import scratch.nn
from conftest import DTYPES
from tests.catalog import CATALOG, Case
from tests.harness import build
from tests.test_init import assert_same_distribution

MIN_SAMPLES = 400  # per random parameter and side: seeds are added until the smallest one has this many
MAX_SEEDS = 250  # (a 1-element parameter gets 250 samples; KS and moment bounds scale with the sample size)
PROBE_SEEDS = 4  # first builds: which parameters does torch initialize deterministically?


def _init_fingerprint(case: Case, namespace=scratch.nn) -> tuple | None:
    """The block's class and its seed-0 parameters (names, shapes, values); None for a parameter-free block."""
    try:
        block = build(case, namespace, np.float32)
    except Exception:  # noqa: BLE001 - a block that fails to build is still tested (and fails loudly there)
        return (case.name,)
    params = tuple((name, p.data.shape, np.asarray(p.data).tobytes()) for name, p in block.named_parameters())
    return (type(block).__name__, params) if params else None


_FINGERPRINTS = {c.name: _init_fingerprint(c) for c in CATALOG}
CASES = [c for c in CATALOG if _FINGERPRINTS[c.name] is not None]
# Entries whose init is the same as an earlier entry's (same class, parameter names and shapes, and the same
# seed-0 values on BOTH sides: the options differ only where init does not look, e.g. masks, dropout,
# norm_first, padding mode; from_pretrained draws the same scratch values as a default init, but torch's differ):
# the pooled distribution test of the first covers them, and each checks that it really initializes identically
# (scratch and torch, seed by seed). 59 of 195 entries when this was written.
SAME_INIT_AS: dict[str, Case] = {}
_firsts: dict[tuple, Case] = {}
for _c in CASES:
    if _FINGERPRINTS[_c.name] in _firsts:  # a candidate: compare torch's init too (built only for candidates)
        _first = _firsts[_FINGERPRINTS[_c.name]]
        if _init_fingerprint(_c, reference.nn) == _init_fingerprint(_first, reference.nn):
            SAME_INIT_AS[_c.name] = _first
    else:
        _firsts[_FINGERPRINTS[_c.name]] = _c


def _pool(case: Case, namespace, dtype, seeds: range) -> dict[str, list[np.ndarray]]:
    pooled: dict[str, list[np.ndarray]] = {}
    for seed in seeds:
        for name, p in build(case, namespace, dtype, seed).named_parameters():
            pooled.setdefault(name, []).append(np.array(p.data, copy=True))
    return pooled


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_default_init_distribution_matches_torch(case, dtype):
    xs, ys = _pool(case, scratch.nn, dtype, range(PROBE_SEEDS)), _pool(case, reference.nn, dtype, range(PROBE_SEEDS))
    assert list(xs) == list(ys), f"parameter names {list(xs)} vs torch {list(ys)}"
    random = []
    for name in xs:
        x, y = np.stack(xs[name]), np.stack(ys[name])
        assert x.shape == y.shape and x.dtype == y.dtype == dtype, (name, x.shape, y.shape, x.dtype, y.dtype)
        if x[0].size == 0:
            continue
        if all(np.array_equal(y[0], yi) for yi in y[1:]):  # deterministic in torch: compare exactly
            np.testing.assert_array_equal(x, y, err_msg=f"{case}.{name}: torch's init is deterministic")
        else:
            assert not all(np.array_equal(x[0], xi) for xi in x[1:]), f"{case}.{name}: scratch ignores the seed"
            random.append(name)
    if not random or dtype == np.float64:  # float64: the same draws cast differently; the probe checked dtypes
        return
    if case.name in SAME_INIT_AS:
        first = SAME_INIT_AS[case.name]
        for pooled, ns in ((xs, scratch.nn), (ys, reference.nn)):
            for name, arrays in _pool(first, ns, dtype, range(PROBE_SEEDS)).items():
                np.testing.assert_array_equal(np.stack(pooled[name]), np.stack(arrays),
                                              err_msg=f"{case}.{name}: init differs from {first}'s")
        return
    seeds = min(MAX_SEEDS, max(PROBE_SEEDS, math.ceil(MIN_SAMPLES / min(xs[n][0].size for n in random))))
    more = range(PROBE_SEEDS, seeds)
    for pooled, ns in ((xs, scratch.nn), (ys, reference.nn)):
        for name, arrays in _pool(case, ns, dtype, more).items():
            pooled[name] += arrays
    for name in random:
        assert_same_distribution(np.stack(xs[name]), np.stack(ys[name]), block=f"init.{case}.{name}", dtype=dtype)
