"""Catalog entries: Sequential (a network of blocks from several families)."""

from __future__ import annotations

from tests.cases.linear import linear_bad
from tests.catalog import BadInput, Case
from tests.strategies import floats, shapes

CASES: list[Case] = [
    Case("mlp", lambda lib: lib.Sequential(lib.Linear(5, 8), lib.Tanh(), lib.Linear(8, 8), lib.GELU(),
                                           lib.Linear(8, 3), lib.LogSoftmax(dim=1)),
         floats(), (6, 5), shapes=shapes(2, 2, fixed_last=5),
         bad_inputs=linear_bad(5) + (
             BadInput("unbatched (dim 1 of LogSoftmax out of range)",
                      lambda rng, dt: (rng.standard_normal(5).astype(dt),)),
             BadInput("3-d", lambda rng, dt: (rng.standard_normal((2, 3, 5)).astype(dt),)))),
]
