"""Every windowed pooling entry's class over a small grid of window hyper-parameters, compared with torch: each
kernel 1..3, stride 1..3, padding 0..k/2, dilation 1..2 (MaxPool), floor and ceil mode, on the sizes from the
smallest valid one up (so the ceil_mode rule's equality ``(o - 1) s == n + p``, a window of one element, a kernel of
two offsets and windows overlapping or skipping elements all occur). The entry's other arguments are kept
(return_indices, count_include_pad, divisor_override, norm_type).

One test per entry (its id is the entry's name: the mutation audit of an entry runs it); the grid varies one spatial
dim at a time (the others: kernel 1 on size 2) or all of them, so its cost is about that of a 1-d grid. Max pooling
is compared exactly (values, indices, gradients) on tie-free values; average and power pooling to 1e-13. No window
lies entirely in the padding (torch's backward would write outside the plane there: trap 15, tested on its own).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from tests.cases._pool_samplers import ties
from tests.catalog import CATALOG, Lib
from tests.test_pooling import assert_same, run

WINDOWED = [c for c in CATALOG if c.family == "pooling" and c.name.startswith(("maxpool", "avgpool", "lppool"))]


def _grid(max_pool: bool, lp_pool: bool):
    """(k, s, p, r, ceil, n): valid configurations, every window partly inside the input, n from the smallest."""
    for k, s, r, ceil in itertools.product((1, 2, 3), (1, 2, 3), (1, 2) if max_pool else (1,), (False, True)):
        if r == 2 and k == 1:  # the same window as r = 1
            continue
        for p in (0,) if lp_pool else range(k // 2 + 1):
            low = max(1, r * (k - 1) + 1 - 2 * p, r * -(-p // r) - p + 1, k if not max_pool else 1)
            for n in range(low, low + 1 + s):  # every size residue mod s: ceil's cases and the dropped window
                yield k, s, p, r, ceil, n


def _entry_arguments(block) -> dict:
    names = ("return_indices", "count_include_pad", "divisor_override", "norm_type")
    return {k: getattr(block, k) for k in names if hasattr(block, k)}


def _build(lib, name, d, dim, k, s, p, r, ceil, kw):
    """The class with the grid's window in spatial dim ``dim`` (every dim: ``dim == d``) and kernel 1 elsewhere."""
    def put(v, rest):
        return tuple(v if dim in (i, d) else rest for i in range(d)) if d > 1 else v
    args = {"kernel_size": put(k, 1), "stride": put(s, 1), "ceil_mode": ceil}
    if name.startswith("LPPool"):
        return getattr(lib, name)(kw["norm_type"], args["kernel_size"], args["stride"], ceil)
    args["padding"] = put(p, 0)
    if name.startswith("MaxPool"):
        args["dilation"] = put(r, 1)
    return getattr(lib, name)(**args, **{k: v for k, v in kw.items() if not (d == 1 and k == "divisor_override")})


@pytest.mark.parametrize("case", WINDOWED, ids=str)
def test_window_grid_like_torch(case):
    block = case.make(Lib(S))
    name, d = type(block).__name__, block._d
    kw = _entry_arguments(block)
    max_pool = name.startswith("MaxPool") or (name.startswith("LPPool") and np.isinf(float(kw["norm_type"])))
    rng = np.random.default_rng(11)
    for i, (k, s, p, r, ceil, n) in enumerate(_grid(name.startswith("MaxPool"), name.startswith("LPPool"))):
        dim = i % (d + 1) if d > 1 else 0  # d: every dim (a dilation in all dims, windows of k^d elements)
        shape = (1, 2) + tuple(n if dim in (j, d) else 2 for j in range(d))
        if max_pool:  # distinct values (exact comparison, no ties: the tie rules are tested in test_pooling.py)
            x = rng.permutation(np.prod(shape)).reshape(shape) * rng.choice((-1.0, 1.0), shape) / 8
        else:
            x = rng.uniform(0.5, 2.0, shape)
        label = f"{name} k{k} s{s} p{p} r{r} ceil={ceil} n={n} dim {dim}"
        got = run(_build(S, name, d, dim, k, s, p, r, ceil, kw), x)
        want = run(_build(R, name, d, dim, k, s, p, r, ceil, kw), x)
        if max_pool:
            assert_same(got, want)
            continue
        for u, v in zip(got[0], want[0], strict=True):
            assert u.shape == v.shape, label
            np.testing.assert_allclose(u, v, rtol=1e-13, atol=1e-15, err_msg=label)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-12, atol=1e-14, err_msg=label)


MAX_LIKE = [c for c in WINDOWED if c.name.startswith("maxpool") or c.name.endswith("_inf")]


@pytest.mark.parametrize("case", MAX_LIKE, ids=str)
def test_max_like_pools_on_ties_nan_and_neg_inf_like_torch(case, rng):
    """The entry's own block on its own shape with ties, a -inf plane and NaN planes: values (indices) and
    gradients exactly torch's. LPPool(inf) is a max of |x| times sign(x) in backward, whose sign(NaN) is torch's 0
    (numpy's is NaN: the gradient of a NaN window was NaN before)."""
    block = case.make(Lib(S))
    x = ties(block._d)(rng, np.float64, case.shape)[0]
    assert_same(run(block, x), run(case.make(Lib(R)), x))


LP = [c for c in WINDOWED if c.name.startswith("lppool")]


@pytest.mark.parametrize("case", LP, ids=str)
def test_lp_pool_p1_zero_windows_like_torch(case):
    """p = 1 on windows whose sum is 0 (all zeros, or cancelling): relu's gradient at 0 is 0, so they get none,
    as torch's; ``dy * du * sign`` there multiplies by sign 0 (without a division by zero: warnings are errors)."""
    block = case.make(Lib(S))
    d = block._d
    kernel = (2,) + (1,) * (d - 1) if d > 1 else 2
    x = np.array([0.0, 0.0, 1.5, -1.5, 2.0, 0.5]).reshape((1, 1, 6) + (1,) * (d - 1))
    got, want = (run(getattr(lib, type(block).__name__)(1, kernel), x) for lib in (S, R))
    np.testing.assert_allclose(got[0][0], want[0][0], rtol=1e-15)
    np.testing.assert_array_equal(got[1], want[1])
