"""Catalog entries: Linear, Identity, Flatten."""

from __future__ import annotations

import numpy as np

from tests.cases._common import call_on_zeros
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats, shapes


def linear_bad(in_f: int) -> tuple[BadInput, ...]:
    return (
        BadInput("wrong in_features", lambda rng, dt: (rng.standard_normal((3, in_f + 1)).astype(dt),)),
        BadInput("other float dtype", lambda rng, dt: (
            rng.standard_normal((3, in_f)).astype(np.float32 if dt == np.float64 else np.float64),)),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, (3, in_f)),)),
        BadInput("nan", lambda rng, dt: (np.full((2, in_f), np.nan, dt),)),
        BadInput("empty batch", lambda rng, dt: (np.zeros((0, in_f), dt),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(1.0, dt),)),
    )


CASES: list[Case] = [
    Case("linear", lambda lib: lib.Linear(6, 4), floats(), (5, 6), shapes=shapes(1, 4, fixed_last=6),
         bad_inputs=linear_bad(6),
         bad_args=(BadArgs("negative in_features", lambda lib: lib.Linear(-1, 3)),)),
    Case("linear_nobias", lambda lib: lib.Linear(3, 5, bias=False), floats(), (4, 3),
         shapes=shapes(1, 3, fixed_last=3), bad_inputs=linear_bad(3)),
    Case("linear_1_to_1", lambda lib: lib.Linear(1, 1), floats(), (7, 1), shapes=shapes(1, 3, fixed_last=1)),
    Case("identity", lambda lib: lib.Identity(3, unused="ignored"), floats(), (3, 4), shapes=shapes(0, 4)),
    Case("flatten", lambda lib: lib.Flatten(), floats(), (2, 3, 4), shapes=shapes(2, 5),
         bad_inputs=(BadInput("1-d", lambda rng, dt: (rng.standard_normal(3).astype(dt),)),)),
    Case("flatten_mid", lambda lib: lib.Flatten(1, 2), floats(), (2, 3, 4, 2), shapes=shapes(3, 5),
         bad_args=(BadArgs("start after end", lambda lib: call_on_zeros(lib.Flatten(2, 1), (2, 3, 4))),)),
]
