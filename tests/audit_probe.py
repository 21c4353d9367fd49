"""A few real catalog comparisons for tests/test_audit_report.py's subprocess (not collected by default: the file
name does not start with test_). Passing it explicitly runs the full harness on two entries in both dtypes without
collecting test_blocks.py's ~7,000 items in three processes."""

from __future__ import annotations

import pytest

from conftest import DTYPES
from tests.catalog import BY_NAME
from tests.harness import build_pair, compare_pair


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["relu", "linear"])
def test_forward_backward_vs_torch(name, dtype, rng):
    case = BY_NAME[name]
    s, r = build_pair(case, dtype)
    compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng)
