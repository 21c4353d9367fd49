"""Catalog entries: Linear, Bilinear (two inputs), Identity, Flatten."""

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


def pair(in2: int, low: float = -3.0, high: float = 3.0):
    """Sampler of Bilinear's two inputs: input1 of the drawn shape (*, in1), input2 of shape (*, in2)."""

    def sample(rng: np.random.Generator, dtype, shape: tuple, scale: float = 1.0) -> tuple:
        x1 = rng.uniform(low, high, shape) * scale
        x2 = rng.uniform(low, high, shape[:-1] + (in2,)) * scale
        return x1.astype(dtype), x2.astype(dtype)

    return sample


def bilinear_bad(in1: int, in2: int) -> tuple[BadInput, ...]:
    def other(dt):
        return np.float32 if dt == np.float64 else np.float64

    return (
        BadInput("ranks differ", lambda rng, dt: (np.ones((2, in1), dt), np.ones((in2,), dt))),
        BadInput("batch dims differ", lambda rng, dt: (np.ones((2, in1), dt), np.ones((3, in2), dt))),
        BadInput("wrong in1_features", lambda rng, dt: (np.ones((2, in1 + 1), dt), np.ones((2, in2), dt))),
        BadInput("wrong in2_features", lambda rng, dt: (np.ones((2, in1), dt), np.ones((2, in2 + 1), dt))),
        BadInput("input2 other float dtype", lambda rng, dt: (np.ones((2, in1), dt), np.ones((2, in2), other(dt)))),
        BadInput("input1 int64", lambda rng, dt: (np.ones((2, in1), np.int64), np.ones((2, in2), dt))),
        BadInput("0-d", lambda rng, dt: (np.asarray(1.0, dt), np.asarray(2.0, dt))),
        BadInput("nan in input2", lambda rng, dt: (rng.standard_normal((3, in1)).astype(dt),
                                                  np.where(rng.random((3, in2)) < 0.3, np.nan, 1.0).astype(dt))),
        BadInput("empty batch", lambda rng, dt: (np.zeros((0, in1), dt), np.zeros((0, in2), dt))),
    )


CASES: list[Case] = [
    Case("linear", lambda lib: lib.Linear(6, 4), floats(), (5, 6), shapes=shapes(1, 4, fixed_last=6),
         bad_inputs=linear_bad(6),
         bad_args=(BadArgs("negative in_features", lambda lib: lib.Linear(-1, 3)),)),
    Case("linear_nobias", lambda lib: lib.Linear(3, 5, bias=False), floats(), (4, 3),
         shapes=shapes(1, 3, fixed_last=3), bad_inputs=linear_bad(3)),
    Case("linear_1_to_1", lambda lib: lib.Linear(1, 1), floats(), (7, 1), shapes=shapes(1, 3, fixed_last=1)),
    Case("bilinear", lambda lib: lib.Bilinear(3, 4, 2), pair(4), (5, 3), shapes=shapes(1, 3, fixed_last=3),
         bad_inputs=bilinear_bad(3, 4),
         bad_args=(BadArgs("in1_features=0", lambda lib: lib.Bilinear(0, 4, 2)),
                   BadArgs("negative in2_features", lambda lib: lib.Bilinear(3, -4, 2)),
                   BadArgs("negative out_features", lambda lib: lib.Bilinear(3, 4, -2)))),
    Case("bilinear_nobias", lambda lib: lib.Bilinear(2, 5, 3, bias=False), pair(5), (4, 2),
         shapes=shapes(1, 3, fixed_last=2), bad_inputs=bilinear_bad(2, 5)),
    # in1 == in2: a backward that swaps the weight's two input axes (A[o, j, i] for A[o, i, j]) only shows here
    Case("bilinear_square", lambda lib: lib.Bilinear(3, 3, 2), pair(3), (4, 3), shapes=shapes(1, 3, fixed_last=3)),
    Case("bilinear_3d", lambda lib: lib.Bilinear(4, 3, 5), pair(3), (2, 3, 4), shapes=shapes(3, 3, fixed_last=4)),
    Case("bilinear_unbatched", lambda lib: lib.Bilinear(3, 2, 4), pair(2), (3,), shapes=shapes(1, 1, fixed_last=3)),
    Case("bilinear_out_empty", lambda lib: lib.Bilinear(3, 4, 0), pair(4), (4, 3),  # (N, 0) out, zero gradients
         bad_args=(BadArgs("in2_features=0 (torch fails to reshape at call)", lambda lib: lib.Bilinear(3, 0, 2)(
             np.ones((4, 3)), np.ones((4, 0)))),)),
    Case("identity", lambda lib: lib.Identity(3, unused="ignored"), floats(), (3, 4), shapes=shapes(0, 4)),
    Case("flatten", lambda lib: lib.Flatten(), floats(), (2, 3, 4), shapes=shapes(2, 5),
         bad_inputs=(BadInput("1-d", lambda rng, dt: (rng.standard_normal(3).astype(dt),)),)),
    Case("flatten_mid", lambda lib: lib.Flatten(1, 2), floats(), (2, 3, 4, 2), shapes=shapes(3, 5),
         bad_args=(BadArgs("start after end", lambda lib: call_on_zeros(lib.Flatten(2, 1), (2, 3, 4))),)),
]
