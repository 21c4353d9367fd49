"""Every pooling catalog entry probed against torch where its own sample cannot reach (tests/cases/_probes.py):
each dim of its input at 0, 1 and a larger size (an empty batch or channel dim, a spatial dim smaller than the
kernel, windows that no longer fit), one rank fewer and more, and dtypes. One test per entry (its id is the
entry's name, so the mutation audit of an entry runs it). MaxUnpool's inputs are an (output, indices) pair of its
own: only its dtypes are probed."""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.cases._probes import compare_probes, normal
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair

POOLING = [c for c in CATALOG if c.family == "pooling"]


def _shapes(shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    found = {(f"dim {i} at {n}", shape[:i] + (n,) + shape[i + 1:]) for i in range(len(shape)) for n in (0, 1, 9)}
    found |= {("one rank fewer", shape[1:]), ("one rank more", (2,) + shape), ("all ones", (1,) * len(shape))}
    found |= {(f"one rank fewer, dim {i} at {n}", shape[1:i + 1] + (n,) + shape[i + 2:]) for i in range(len(shape) - 1)
              for n in (0, 1)}
    return sorted(found - {("", shape)}, key=lambda item: item[0])


@pytest.mark.parametrize("case", POOLING, ids=str)
def test_pooling_probes_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    args = case.sample(rng, np.float64, case.shape, 1.0)
    rest = args[1:]
    probes = [(f"{dt.__name__} input", (args[0].astype(dt),) + rest) for dt in (np.float32, np.int64, np.uint8)]
    if not rest:  # one input: its shape may vary
        probes += [(label, (normal(rng, shape),)) for label, shape in _shapes(case.shape)]
    compare_probes(case, s, r, probes, rng)


def _window_variants(block) -> list[tuple[str, dict]]:
    """The entry's windowed pool with one argument at another value, its checks' limits included."""
    name, d = type(block).__name__, block._d
    kw = {k: getattr(block, k) for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices",
                                         "count_include_pad", "divisor_override", "norm_type") if hasattr(block, k)}
    if name.startswith("LP"):
        kw.pop("padding", None)
    k = kw["kernel_size"]
    k0 = k if isinstance(k, int) else k[0]
    found = [("kernel 1", dict(kw, kernel_size=1, stride=1)), ("kernel 3, stride None", dict(kw, kernel_size=3,
                                                                                              stride=None)),
             ("ceil flipped", dict(kw, ceil_mode=not kw["ceil_mode"])), ("stride 3", dict(kw, stride=3)),
             ("kernel as a tuple", dict(kw, kernel_size=(k0,) * d)),
             ("kernel 0", dict(kw, kernel_size=0, stride=1) | ({"padding": 0} if "padding" in kw else {})),
             ("stride 0", dict(kw, stride=0)), ("kernel larger than the input", dict(kw, kernel_size=9, stride=1))]
    if "padding" in kw:
        found += [("padding 0", dict(kw, padding=0)), ("padding half the kernel", dict(kw, kernel_size=3, padding=1)),
                  ("padding past half", dict(kw, kernel_size=3, padding=2))]
    if "dilation" in kw:
        found += [("dilation 2", dict(kw, kernel_size=3, padding=1, dilation=2)), ("dilation 0", dict(kw, dilation=0))]
    if "count_include_pad" in kw:
        found += [("count_include_pad flipped", dict(kw, count_include_pad=not kw["count_include_pad"], padding=1,
                                                     kernel_size=3))]
    if "divisor_override" in kw:
        found += [(f"divisor {v}", dict(kw, divisor_override=v)) for v in (None, 1, -2)]
    if "norm_type" in kw:
        found += [(f"norm_type {v}", dict(kw, norm_type=v)) for v in (1, 2.5, float("inf"), -float("inf"))]
    return found


def _adaptive_variants(block) -> list[tuple[str, dict]]:
    d = block._d
    kw = {"output_size": block.output_size}
    if hasattr(block, "return_indices"):
        kw["return_indices"] = block.return_indices
    sizes = [1, 2, 9, (1,) * d, (3,) * d, (None,) + (2,) * (d - 1), (2,) * (d - 1) + (None,), 0, (7,) * d]
    return [(f"output_size {v}", dict(kw, output_size=v)) for v in sizes]


@pytest.mark.parametrize("case", [c for c in POOLING if c.name.startswith(("maxpool", "avgpool", "lppool",
                                                                           "adaptive"))], ids=str)
def test_pooling_variants_like_torch(case, rng):
    """The entry's class with other arguments, called on inputs of two sizes (batched and unbatched)."""
    s = case.make(Lib(scratch.nn))
    name, d = type(s).__name__, s._d
    variants = _adaptive_variants(s) if name.startswith("Adaptive") else _window_variants(s)
    for label, kw in variants:
        vs, vr = (getattr(Lib(ns, np.float64), name)(**kw) for ns in (scratch.nn, reference.nn))
        shapes = [(2, 2) + (7,) * d, (2,) + (4,) * d]
        compare_probes(case, vs, vr, [(f"{label} {shape}", (normal(rng, shape),)) for shape in shapes], rng)
