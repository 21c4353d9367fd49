"""Every conv catalog entry probed at the boundaries of its own hyper-parameters, against torch (tests/cases/
_probes.py): the smallest input its kernel, padding and mode accept and one below it, distinct sizes per dim, the
other batching, an empty batch, ranks and dtypes torch refuses; a transposed conv at its output_size range; and
the entry's class rebuilt with boundary arguments (groups 0, no input or output channels, fan_in 1), whose
initialization and warnings must be torch's. One test per entry (its id is the entry's name, so the mutation
audit of an entry runs it)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tests.cases._probes import compare_frozen, compare_probes, compare_variant, normal
from tests.catalog import CATALOG
from tests.harness import build_pair

CONV = [c for c in CATALOG if c.family == "conv"]


def _transposed(block) -> bool:
    return "Transpose" in type(block).__name__


def _kwargs(block) -> dict:
    kw = dict(kernel_size=block.kernel_size, stride=block.stride, dilation=block.dilation, groups=block.groups,
              bias=block.bias is not None, padding=block.padding)
    if _transposed(block):
        kw["output_padding"] = block.output_padding
    else:
        kw["padding_mode"] = block.padding_mode
    return kw


def _min_sizes(block) -> list[int]:
    """Per spatial dim the smallest input size the block accepts (torch's rules)."""
    if _transposed(block):  # (n - 1) s - 2 p + r (k - 1) + op + 1 >= 1
        return [max(1, 1 + math.ceil((2 * p - r * (k - 1) - op) / s)) for k, s, p, r, op in
                zip(block.kernel_size, block.stride, block.padding, block.dilation, block.output_padding,
                    strict=True)]
    sizes = []
    for (lo, hi), k, r in zip(block._pads(), block.kernel_size, block.dilation, strict=True):
        n = max(1, r * (k - 1) + 1 - lo - hi)
        if block.padding_mode == "reflect":
            n = max(n, lo + 1, hi + 1)
        elif block.padding_mode == "circular":
            n = max(n, lo, hi)
        sizes.append(n)
    return sizes


def _probes(case, block, rng) -> list[tuple[str, tuple]]:
    c, d = block.in_channels, block._dims
    batched = len(case.shape) == d + 2
    lead = (2, c) if batched else (c,)
    other = (c,) if batched else (2, c)
    low = _min_sizes(block)
    step = max(block.stride) + 1
    spread = [n + i * step for i, n in enumerate(low)]  # distinct output sizes: a dim read for another shows
    back = [n + d - 1 - i for i, n in enumerate(low)]
    probes = [("smallest", lead + tuple(low)), ("spread", lead + tuple(spread)), ("spread reversed",
                                                                                   lead + tuple(back)),
              ("other batching", other + tuple(spread)), ("empty batch", (0, c) + tuple(spread)),
              ("rank d", tuple(spread)), ("rank d + 3", (1, 1) + lead + tuple(spread)),
              ("channels + 1", lead[:-1] + (c + 1,) + tuple(spread)),
              ("empty spatial dim", lead + (0,) + tuple(spread[1:])),
              ("empty batch and spatial dim", (0, c, 0) + tuple(spread[1:]))]
    if d > 1:  # the last dim's kernel check with an empty batch (a dim read for another shows)
        probes.append(("empty batch and last dim", (0, c) + tuple(spread[:-1]) + (0,)))
    for i in range(d):  # one below the smallest size in each dim, also in an empty batch (nothing to wrap or read)
        if low[i] > 1:
            below = tuple(n - (j == i) for j, n in enumerate(low))
            probes += [(f"dim {i} below", lead + below), (f"dim {i} below, empty batch", (0, c) + below)]
    if not _transposed(block) and block.padding_mode in ("reflect", "circular"):
        for i, (lo, hi) in enumerate(block._pads()):  # the mode's own limit, the other dims ample
            edge = max(lo, hi) - (block.padding_mode == "circular")
            if edge >= 1:
                probes.append((f"dim {i} at the pad limit", lead + tuple(edge if j == i else n + 2 for j, n in
                                                                         enumerate(spread))))
    arrays = [(label, (normal(rng, shape),)) for label, shape in probes]
    x = normal(rng, lead + tuple(spread))
    arrays += [("float32 input", (x.astype(np.float32),)), ("int64 input", (x.astype(np.int64),)),
               ("a list", (x.tolist(),))]
    if _transposed(block):
        arrays += _output_size_probes(block, x) + _output_size_probes(block, normal(rng, other + tuple(spread)))
        arrays += _empty_output_size_probes(block, c, spread)
    return arrays


def _output_size_probes(block, x) -> list[tuple[str, tuple]]:
    """output_size at both ends of its valid range, one past each, with the leading dims, of a wrong length."""
    d = block._dims
    inner = x.shape[-d:]
    lo = [(n - 1) * s - 2 * p + r * (k - 1) + 1 for n, k, s, p, r in
          zip(inner, block.kernel_size, block.stride, block.padding, block.dilation, strict=True)]
    hi = [v + s - 1 for v, s in zip(lo, block.stride, strict=True)]
    return [("output_size low", (x, list(lo))), ("output_size high", (x, list(hi))),
            ("output_size high + 1", (x, [hi[0] + 1] + hi[1:])), ("output_size low - 1", (x, lo[:-1] + [lo[-1] - 1])),
            ("output_size with lead dims", (x, list(x.shape[:-d]) + hi)),
            ("output_size of d - 1", (x, hi[1:]))]


def _empty_output_size_probes(block, c: int, spread: list[int]) -> list[tuple[str, tuple]]:
    """An empty batch whose last dim is empty too, with every output_size its range allows in that dim: torch
    returns an empty output for a size 0 there (an empty input may give an empty output) and refuses a negative."""
    inner = tuple(spread[:-1]) + (0,)
    lo = [(n - 1) * s - 2 * p + r * (k - 1) + 1 for n, k, s, p, r in
          zip(inner, block.kernel_size, block.stride, block.padding, block.dilation, strict=True)]
    x = np.zeros((0, c) + inner)
    return [(f"empty input, output_size {lo[:-1] + [lo[-1] + op]}", (x, lo[:-1] + [lo[-1] + op]))
            for op in range(block.stride[-1])]


def _variants(block) -> list[tuple[str, dict]]:
    """The entry's arguments with one changed to a boundary value of the constructor's checks and init."""
    kw = _kwargs(block)
    c, o, g = block.in_channels, block.out_channels, block.groups
    ones = tuple(1 for _ in block.kernel_size)
    fan_in_one_out = c if _transposed(block) else c * max(1, o // g)  # fan_in: weight.shape[1] * prod(kernel)
    return [("groups 0", dict(kw, groups=0)), ("as given", kw),
            ("no input channels", dict(kw, groups=1, bias=True) | {"_in": 0}),
            ("no output channels", dict(kw, groups=1) | {"_out": 0}),
            ("fan_in 1", dict(kw, kernel_size=ones, groups=c, padding=0 if isinstance(kw["padding"], str) else
                              tuple(0 for _ in ones), stride=ones, dilation=ones) | {"_out": fan_in_one_out}
             | ({"output_padding": tuple(0 for _ in ones)} if _transposed(block) else {})),
            ("in_channels not divisible", dict(kw, groups=2) | {"_in": 3, "_out": 4}),
            ("out_channels not divisible", dict(kw, groups=2) | {"_in": 4, "_out": 3})]


def _called_variants(block) -> list[tuple[str, dict, int]]:
    """(label, arguments, spatial size of the input it is called on): the limits torch checks at the call."""
    kw, d = _kwargs(block), block._dims
    same = isinstance(kw["padding"], str)
    zero, one = tuple(0 for _ in range(d)), tuple(1 for _ in range(d))
    size = 2 * max(r * (k - 1) + 1 for k, r in zip(block.kernel_size, block.dilation, strict=True)) + 3
    if _transposed(block):
        kw = dict(kw, output_padding=zero)  # its own limit is probed below
    found = [("stride 0", dict(kw, stride=zero, padding=0 if same else kw["padding"]), size),
             ("dilation 0", dict(kw, dilation=zero), size), ("kernel 0", dict(kw, kernel_size=zero), size),
             ("kernel 1", dict(kw, kernel_size=one), size), ("padding 0", dict(kw, padding=zero), size),
             ("padding -1", dict(kw, padding=tuple(-1 for _ in range(d))), size)]  # a transposed conv refuses it too
    if not _transposed(block):
        return found
    two = tuple(2 for _ in range(d))
    for s, r, op in ((2, 1, 2), (1, 2, 2), (2, 1, 1), (1, 2, 1)):  # output_padding at either limit
        found.append((f"stride {s} dilation {r} output_padding {op}",
                      dict(kw, stride=(s,) * d, dilation=(r,) * d, output_padding=(op,) * d), 3))
    return found + [("output size 0", dict(kw, kernel_size=two, padding=one, stride=one, dilation=one), 1),
                    ("output size 1", dict(kw, kernel_size=(3,) * d, padding=one, stride=one, dilation=one), 1),
                    ("padding 1", dict(kw, kernel_size=(3,) * d, padding=one, stride=one, dilation=one), 3)]


def _make(block, name: str, kw: dict, batched: bool = True):
    """The entry's class ``name`` (as built: a Lazy class stays lazy until its first call) with arguments kw; a
    Lazy one initialized on a batched or an unbatched input."""
    kw = dict(kw)
    cin, cout = kw.pop("_in", block.in_channels), kw.pop("_out", block.out_channels)
    if name.startswith("Lazy"):
        def make(lib):
            m = getattr(lib, name)(cout, **kw)
            m.initialize_parameters(np.zeros((1, cin)[1 - batched:] + (4,) * block._dims))
            return m
        return make
    return lambda lib: getattr(lib, name)(cin, cout, **kw)


def _check_init(label: str, pair) -> None:
    """weight and bias ~ U(-b, b), b = 1 / sqrt(fan_in) with torch's fan_in (0 where fan_in is 0): every value
    inside, the largest of them near b."""
    s, r = pair
    w = s.weight.data
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(w.shape))[0]
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    values = np.concatenate([p.data.ravel() for p in s.parameters()])
    assert np.all(np.abs(values) <= bound), f"{label}: init beyond torch's bound {bound}"
    if values.size >= 4 and bound:
        assert np.abs(values).max() > bound / 2, f"{label}: init far inside torch's bound {bound}"


@pytest.mark.parametrize("case", CONV, ids=str)
def test_conv_probes_like_torch(case, rng):
    s, r = build_pair(case, np.float32)  # float32 first, then cast: the im2col workspace must follow the dtype
    # before the first call turns a Lazy class eager
    name, variants, called = type(s).__name__, _variants(s), _called_variants(s)
    x32 = case.sample(rng, np.float32, case.shape, 1.0)
    compare_probes(case, s, r, [("float32", x32)], rng, np.float32)
    s.double(), r.double(), s.zero_grad(), r.zero_grad()
    compare_probes(case, s, r, [("cast to float64", tuple(a.astype(np.float64) if isinstance(a, np.ndarray) else a
                                                          for a in x32))] + _probes(case, s, rng), rng)
    compare_frozen(case, s, r, case.sample(rng, np.float64, case.shape, 1.0), rng)
    for label, kw in variants:
        for batched in (True, False):  # a Lazy conv takes in_channels from either batching
            pair = compare_variant(f"{case.name}/{label}", _make(s, name, kw, batched))
            if pair is not None and not (name.startswith("Lazy") and pair[0].in_channels == 0):
                _check_init(f"{case.name}/{label}", pair)  # (a Lazy conv with no input channels: torch never inits)
            if not name.startswith("Lazy"):
                break
    for label, kw, size in called:
        pair = compare_variant(f"{case.name}/{label}", _make(s, name, kw), check_state=False)
        if pair is not None:
            pair[1].load_state_dict(pair[0].state_dict())
            x = normal(rng, (2, s.in_channels) + (size,) * s._dims)
            compare_probes(case, *pair, [(label, (x,))], rng)
