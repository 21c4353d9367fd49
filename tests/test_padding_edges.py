"""Every padding entry's class at the edges of F.pad's checks, against torch: a fixed random grid of paddings (an
int, tuples of length 2, 4, 6 and 8, small entries, half of them at a dim's limits: an output size of -1, 0 or 1, a
pad at the size or one off it, a crop past the dim) on inputs of every rank the class may meet, sizes 0 to 4
(empty dims too), float64, float32, int64, uint8 and bool; for a ConstantPad, fills the dtype cannot hold too.
Per draw: the same outcome as torch; where torch raises, the same class AND the same message (scratch copies
torch's text, which names the offending pads, sizes, shapes and dims); where it accepts, the same output
bitwise and, for a float input, the same gradient for a cotangent with signed zeros in it (constant modes copy
each cotangent entry unchanged, -0.0 included, so their gradients are compared bitwise too); for an empty output
a zero gradient (torch 2.13's reflection_pad3d backward returns uninitialized memory there).

Two places where scratch deliberately differs from torch 2.13 (scratch/nn/_pad_checks.py) are checked against
their documented rule instead: a circular pad wider than what the crop on the other side leaves (torch raises a
memory-overlap error or returns memory it never wrote; scratch names the dim and what is left), and
reflection_pad2d with an empty batch and a negative output size (torch makes a tensor of negative size).

One test per entry (its id is the entry's name, so the mutation audit of an entry runs it)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG, Lib
from tests.harness import forward, outcome

PADDING = [c for c in CATALOG if c.family == "padding"]
DRAWS = 400


_PADS, _WEIGHTS = np.arange(-3, 4), np.array([.06, .12, .2, .24, .18, .12, .08])  # small pads most often


def _pair(rng, n: int, one: bool) -> tuple[int, int]:
    """(lo, hi) for a dim of size n, at its edges half the time: an output size of -1, 0 or 1, a pad at the size
    or one off it (reflect needs pad < n, circular pad <= n), a crop past the dim; where ``one``, crops that leave
    one element (legal in every mode)."""
    r = rng.random()
    lo, hi = (int(p) for p in rng.choice(_PADS, 2, p=_WEIGHTS))
    if one:
        lo = -int(rng.integers(0, max(n, 1)))
        hi = 1 - n - lo
    elif r < 0.15:
        hi = int(rng.integers(-1, 2)) - n - lo
    elif r < 0.3:
        hi = n + int(rng.integers(-1, 2))
    elif r < 0.45:
        hi = -n - int(rng.integers(-1, 3))
    return (lo, hi) if rng.random() < 0.5 else (hi, lo)


def _draw(rng, d: int) -> tuple[int | tuple[int, ...], np.ndarray]:
    """A padding (an int now and then, repeated 2 d times; else a tuple of 2, 4, 6 or 8 entries, the class's
    own length most often) and an input: ranks around the padded dims' (k + 1, k + 2 mostly; the class's own; one
    more or less), sizes 1 to 4 with a 0 now and then (leading or padded), a one-element output now and then."""
    k = d if rng.random() < 0.5 else int(rng.choice([1, 2, 3, 4], p=[.3, .3, .3, .1]))  # 4: F.pad refuses
    rank = int(rng.choice([k + 1, k + 2, d + 1, d + 2, k, k + 3], p=[.35, .35, .1, .1, .05, .05]))
    one = rng.random() < 0.08  # every leading dim 1, every padded dim cropped to 1
    shape = [int(s) for s in rng.integers(1, 5, max(rank, 0))]
    for j in range(len(shape)):
        if one and j < rank - k:
            shape[j] = 1
        elif not one and rng.random() < (0.15 if j >= rank - k else 0.1):
            shape[j] = 0
    if rng.random() < 0.06:
        padding = int(rng.integers(-1, 3))
    else:
        sizes = shape[-k:] if rank >= k else [int(s) for s in rng.integers(1, 5, k)]
        padding = tuple(p for n in reversed(sizes) for p in _pair(rng, n, one))  # torch's order: last dim first
    x = rng.standard_normal(shape)
    kind = rng.random()
    if kind < 0.08:
        return padding, x > 0
    if kind < 0.15:
        return padding, np.round(3 * x).astype(np.int64 if kind < 0.12 else np.uint8)
    return padding, x.astype(np.float32) if kind < 0.25 else x


def _pairs(flat: tuple[int, ...]) -> list[tuple[int, int]]:
    k = len(flat) // 2
    return [(flat[2 * i], flat[2 * i + 1]) for i in reversed(range(k))]


def _wraps_twice(x: np.ndarray, flat: tuple[int, ...]) -> str | None:
    """scratch's own circular rule: the message it raises where a pad exceeds what the crop on the other side
    leaves (checked after torch's own checks, on a non-empty output), else None."""
    pairs = _pairs(flat)
    k = len(pairs)
    if not pairs or x.ndim < k or any(lo > n or hi > n or n + lo + hi < 0 for n, (lo, hi) in
                                      zip(x.shape[x.ndim - k:], pairs, strict=True)):
        return None
    if any(n + lo + hi == 0 for n, (lo, hi) in zip(x.shape[x.ndim - k:], pairs, strict=True)) or 0 in x.shape[:-k]:
        return None
    for axis, (n, (lo, hi)) in enumerate(zip(x.shape[x.ndim - k:], pairs, strict=True), start=x.ndim - k):
        left = n + min(lo, 0) + min(hi, 0)
        if max(lo, hi) > left:
            return (f"Padding value causes wrapping around more than once: padding ({lo}, {hi}) of dimension {axis} "
                    f"wraps the {left} elements its negative padding leaves")
    return None


def _cotangent(rng, shape, dtype) -> np.ndarray:
    g = rng.standard_normal(shape).astype(dtype)
    return np.where(rng.random(shape) < 0.3, np.array(-0.0, dtype), g)


def _same_array(label: str, got, want, exact: bool) -> None:
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (label, got.shape, want.shape, got.dtype, want.dtype)
    if exact:
        np.testing.assert_array_equal(got, want, err_msg=label)
        assert (np.signbit(got) == np.signbit(want)).all(), f"{label}: the sign of a zero differs from torch's"
    else:
        tol = 1e-5 if got.dtype == np.float32 else 1e-12  # reflect / replicate / circular sum in torch's order
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=label)


def _compare(label: str, make, flat, x: np.ndarray, mode: str, rng) -> None:
    s, r = make(scratch.nn), make(reference.nn)
    got, want = outcome(lambda: forward(s, (x,))), outcome(lambda: forward(r, (x,)))
    rule = _wraps_twice(x, flat) if mode == "circular" else None
    if rule is not None and (want[0] == "ok" or "refer to a single memory location" in str(want[1])):
        # torch passed its own checks, then raised a memory-overlap error or returned values it did not define
        assert got[0] == "raise" and type(got[1]) is RuntimeError and str(got[1]) == rule, (label, got, rule)
        return
    if want[0] == "raise" and type(want[1]) is ValueError and "negative dimensions" in str(want[1]):
        # reflection_pad2d with N = 0: torch 2.13 returns a tensor of negative size (the twin cannot convert it)
        assert mode == "reflect" and 0 in x.shape, (label, want)
        assert got[0] == "raise" and type(got[1]) is RuntimeError, (label, got)
        assert str(got[1]).endswith("(torch 2.13 returns a tensor of negative size here)"), (label, got)
        return
    if want[0] == "raise":
        assert got[0] == "raise", f"{label}: torch raises {want[1]!r}, scratch returns"
        assert type(got[1]) is type(want[1]) and str(got[1]) == str(want[1]), (
            f"{label}: scratch raises {got[1]!r}, torch {want[1]!r}")
        return
    assert got[0] == "ok", f"{label}: torch accepts, scratch raises {got[1]!r}"
    _same_array(f"{label} output", got[1], want[1], exact=True)
    if x.dtype.kind != "f":
        return
    dy = _cotangent(rng, np.shape(want[1]), x.dtype)
    if dy.size == 0:  # torch 2.13's reflection_pad3d backward returns uninitialized memory here: no cotangent, 0
        _same_array(f"{label} gradient", s.backward(dy), np.zeros_like(x), exact=True)
        return
    _same_array(f"{label} gradient", s.backward(dy.copy()), r.backward(dy.copy()), exact=mode == "constant")


# too rare to draw at random: an empty batch with a negative output size (reflection_pad2d's bug), one padded
# output of size 0 beside non-empty ones (legal), an empty batch with a circular pad that would wrap twice (an
# empty output: nothing wraps), in 1, 2 and 3 padded dims
_FIXED = [(pads[:2 * k], (n, 2) + (2, 3, 4)[3 - k:]) for k in (1, 2, 3) for n, pads in
          ((0, (-2, -3, 0, 0, 0, 0)), (1, (-2, -3, 0, 0, 0, 0)), (0, (0, 0, 1, -4, 0, 0)), (1, (0, 0, 0, 0, -1, -1)),
           (0, (3, -2, 0, 0, 0, 0)))]


_FILLS = (300.0, -1.5, np.inf, 1e39)  # a ConstantPad's other fills: some no integer or float32 dtype holds


@pytest.mark.parametrize("case", PADDING, ids=str)
def test_padding_edges_like_torch(case):
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    block = case.make(Lib(scratch.nn))
    name, d, mode = type(block).__name__, block._dims, block._mode
    value = getattr(block, "value", None) if "Constant" in name else None
    draws = [_draw(rng, d) for _ in range(DRAWS)]
    draws = [(p, x, value if value is None or rng.random() < 0.7 else float(rng.choice(_FILLS))) for p, x in draws]
    draws += [(p, rng.standard_normal(shape), value) for p, shape in _FIXED]
    if value is not None:  # a fill the input's dtype cannot hold, with pads of 1 (the fill is written) and 0 or less
        draws += [((p,) * (2 * d), np.zeros((2,) * (d + 1), dt), v) for p in (1, 0, -1) for v, dt in
                  ((300.0, np.uint8), (-1.5, np.uint8), (np.inf, np.int64), (np.nan, np.int32), (1e39, np.float32))]
    for t, (padding, x, fill) in enumerate(draws):

        def make(ns, p=padding, v=fill):
            return getattr(ns, name)(p) if v is None else getattr(ns, name)(p, v)

        flat = padding if isinstance(padding, tuple) else (padding,) * (2 * d)
        _compare(f"{case.name} #{t}: {name}{(padding, fill)} on {x.dtype}{list(x.shape)}", make, flat, x, mode, rng)

