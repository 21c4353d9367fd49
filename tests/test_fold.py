"""Every fold catalog entry's own checks of Unfold / Fold and the windowing kernels they share (one item per entry:
its id is the entry's name, so the mutation audit's ``-k <entry>`` runs it for that entry; tests/mutate/select.py).

The catalog draws one input size per entry (Fold's output_size fixes it), at which many sizes agree by chance: one
block per dim or three, square block grids, a batch no larger than the image. Here the entry's own options
(kernel, dilation, padding, stride) run at the sizes around its boundaries, against torch forward and backward
in float64 with a random cotangent:

- one block in a dim (the smallest size a block fits in), three blocks, different block counts per dim;
- a batch larger than the image's height (a slice of the wrong dims would still fit otherwise);
- batched and unbatched, and an empty batch (torch accepts it);
- the sizes each check rejects (no block fits, a zero-sized channel or block dim): the same error class as torch.
"""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG

# isort: split
from tests.harness import assert_same_outcome, build, compare_pair, outcome

CASES = [c for c in CATALOG if c.family == "fold"]
OPTIONS = ("kernel_size", "dilation", "padding", "stride")


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _config(case) -> tuple[str, dict, tuple[int, int]]:
    """The entry's class, its options as pairs, and per dim the smallest size one block fits in."""
    block = build(case, scratch.nn, np.float64)
    opts = {k: _pair(getattr(block, k)) for k in OPTIONS}
    return type(block).__name__, opts, _smallest(opts)


def _blocks(size: int, i: int, opts: dict) -> int:
    k, r, p, s = (opts[o][i] for o in OPTIONS)
    return (size + 2 * p - r * (k - 1) - 1) // s + 1


def _sizes(opts: dict, smallest) -> list[tuple[int, int]]:
    """(H, W) with one block in a dim, three in the other, and the other way round (block counts per dim that
    differ, a stride's last block at the image's edge and one past it)."""
    s = opts["stride"]
    return [(smallest[0], smallest[1] + 2 * s[1]), (smallest[0] + 2 * s[0] + 1, smallest[1]),
            (smallest[0] + s[0], smallest[1] + 2 * s[1] + 1)]


def _inputs(name: str, opts: dict, smallest) -> list[tuple[dict, tuple[int, ...]]]:
    """(extra constructor arguments, input shape) at the entry's options: batched (a batch of 5, more than the
    image's height), unbatched and an empty batch at each size."""
    rows = []
    for size in _sizes(opts, smallest):
        if name == "Unfold":
            extra, shape = {}, (2,) + size
        else:
            kk = opts["kernel_size"][0] * opts["kernel_size"][1]
            extra, shape = {"output_size": size}, (2 * kk, _blocks(size[0], 0, opts) * _blocks(size[1], 1, opts))
        rows += [(extra, (5,) + shape), (extra, shape), (extra, (0,) + shape)]
    return rows


def _make(lib, name: str, opts: dict, extra: dict):
    return getattr(lib, name)(**extra, **opts)


def _smallest(opts: dict) -> tuple[int, int]:
    k, r, p = opts["kernel_size"], opts["dilation"], opts["padding"]
    return tuple(max(1, r[i] * (k[i] - 1) + 1 - 2 * p[i]) for i in range(2))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_entry_options_at_other_sizes_like_torch(case):
    """At the entry's options, then with a 1 x 1 kernel (the smallest: no dilated span) at one size."""
    name, opts, smallest = _config(case)
    one = {**opts, "kernel_size": (1, 1)}
    rng = np.random.default_rng(11)
    rows = [(opts, row) for row in _inputs(name, opts, smallest)] + [
        (one, row) for row in _inputs(name, one, _smallest(one))[:2]]
    for o, (extra, shape) in rows:
        s, r = _make(scratch.nn, name, o, extra), _make(reference.nn, name, o, extra)
        x = rng.standard_normal(shape)
        compare_pair(case, np.float64, s, r, (x,), rng, prefix=f"{name}({extra}, {o}) on {shape}: ")


def _rejected(name: str, opts: dict, smallest) -> list[tuple[dict, tuple[int, ...]]]:
    """Inputs the entry's block must refuse as torch does: a size no block fits in (when there is one), a zero
    channel dim, a zero block dim (Fold), batched and unbatched."""
    if name == "Unfold":
        rows = [({}, (1, 0) + smallest), ({}, (0,) + smallest)]
        for i in range(2):
            if smallest[i] > 1:
                small = tuple(v - (j == i) for j, v in enumerate(smallest))
                rows += [({}, (1, 2) + small), ({}, (2,) + small)]
        return rows
    kk = opts["kernel_size"][0] * opts["kernel_size"][1]
    extra = {"output_size": smallest}
    return [(extra, (2, 0, 1)), (extra, (0, 1)), (extra, (kk, 0)), (extra, (2, kk, 0)), (extra, (2, kk, 2)),
            (extra, (kk + 1, 1))]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_entry_options_reject_like_torch(case):
    name, opts, smallest = _config(case)
    for extra, shape in _rejected(name, opts, smallest):
        got, expected = (outcome(lambda lib=lib, extra=extra, shape=shape: _make(lib, name, opts, extra)(
            np.zeros(shape))) for lib in (scratch.nn, reference.nn))
        assert_same_outcome(f"{name}({extra}, {opts}) on {shape}", got, expected)
        if expected[0] == "ok":
            np.testing.assert_array_equal(got[1], expected[1], err_msg=f"{name} on {shape}")


def _argument_rows(name: str, opts: dict, size) -> list[dict]:
    """Each argument (the entry's value elsewhere) at 0 or -1 in one dim, at its smallest valid value, of another
    length, and of another type (a float, a bool, a float element)."""
    names = list(OPTIONS) + (["output_size"] if name == "Fold" else [])
    rows = []
    for arg in names:
        v = size if arg == "output_size" else opts[arg]
        low = 0 if arg == "padding" else 1
        rows += [{arg: (bad, v[1])} for bad in (low - 1, -1)] + [{arg: (v[0], low - 1)}, {arg: low}]
        rows += [{arg: v + (v[0],)}, {arg: v[:1]}, {arg: float(v[0])}, {arg: True}, {arg: (v[0], float(v[1]))}]
    return rows


@pytest.mark.parametrize("case", CASES, ids=str)
def test_entry_arguments_at_their_boundaries_like_torch(case):
    """Every argument's check, on an input that passes every other check, on an int64 one and on one of a
    rank torch refuses: torch checks the arguments first, then the input's shape, its dtype last."""
    name, opts, smallest = _config(case)
    size = _sizes(opts, smallest)[2]
    extra, shape = _inputs(name, opts, smallest)[7]  # the unbatched input at that size
    x = np.random.default_rng(3).standard_normal(shape)
    inputs = {"good": x, "int64": x.astype(np.int64), "one rank less": x[0], "two ranks more": x[None, None]}
    for change in _argument_rows(name, opts, size):
        kw = {**opts, **extra, **change}
        for label, arr in inputs.items():
            got, expected = (outcome(lambda lib=lib, arr=arr, kw=kw: getattr(lib, name)(**kw)(arr))
                             for lib in (scratch.nn, reference.nn))
            assert_same_outcome(f"{name}({kw}) on the {label} input {arr.shape}", got, expected)
            if expected[0] == "ok":
                np.testing.assert_allclose(got[1], expected[1], rtol=1e-12, atol=1e-12, err_msg=f"{name}({kw})")
