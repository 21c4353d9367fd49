"""Every upsampling catalog entry probed against torch at input sizes its own sample does not have
(tests/cases/_probes.py): each spatial dim at 1, 2, 3 and 7 (the index and weight tables are functions of the
input size: a scale factor gives another output size, and another kernel choice), every spatial dim at 1 or at
9, an empty batch or channel dim, one rank fewer and more, and dtypes (float32 rounds its coordinates as torch's
float32 kernel, uint8 is a gather for the nearest modes; float16 is tests/test_upsampling.py's). One test per
entry (its id is the entry's name, so the mutation audit of an entry runs it)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.cases._probes import compare_probes, normal
from tests.catalog import CATALOG
from tests.harness import build_pair

UPSAMPLING = [c for c in CATALOG if c.family == "upsampling"]


def _shapes(shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
    lead, spatial = shape[:2], shape[2:]
    found = [(f"dim {2 + i} at {n}", lead + spatial[:i] + (n,) + spatial[i + 1:])
             for i in range(len(spatial)) for n in (1, 2, 3, 7) if n != spatial[i]]
    found += [("every spatial dim 1", lead + (1,) * len(spatial)), ("every spatial dim 9", lead + (9,) * len(spatial)),
              ("empty batch", (0,) + shape[1:]), ("no channels", (shape[0], 0) + spatial),
              ("one rank fewer", shape[1:]), ("one rank more", (1,) + shape)]
    return found


@pytest.mark.parametrize("case", UPSAMPLING, ids=str)
def test_upsampling_probes_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    x = normal(rng, case.shape)
    probes = [(label, (normal(rng, shape),)) for label, shape in _shapes(case.shape)]
    probes += [(f"{dt.__name__} input", (x.astype(dt),)) for dt in (np.float32, np.int64)] + [("bool input", (x > 0,))]
    if s.mode not in ("bilinear", "bicubic"):  # scratch has no uint8 bilinear or bicubic (upsampling.py's docstring)
        probes.append(("uint8 input", (rng.integers(0, 200, case.shape).astype(np.uint8),)))
    compare_probes(case, s, r, probes, rng)
