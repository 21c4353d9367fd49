"""Catalog entries: Linear, LazyLinear, Bilinear (two inputs), Identity, Flatten, Unflatten."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

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


def with_dim(min_dims: int, at: int, size: st.SearchStrategy) -> st.SearchStrategy:
    """Shapes of at least ``min_dims`` dims (sides 1-4) whose dim ``at`` is drawn from ``size``."""
    return st.tuples(shapes(min_dims, min_dims + 2, max_side=4), size).map(
        lambda p: p[0][:at] + (p[1],) + (p[0][at + 1:] if at != -1 else ()))


def unflatten_bad(ok: tuple[int, ...], wrong: tuple[int, ...], low_rank: tuple[int, ...]) -> tuple[BadInput, ...]:
    """``ok`` a valid input shape, ``wrong`` one whose unflattened dim does not match, ``low_rank`` one without
    the dim."""
    def zeros(shape, dtype=None):
        return lambda rng, dt: (np.zeros(shape, dtype or dt),)

    return (
        BadInput("sizes don't multiply up", zeros(wrong)),  # RuntimeError
        BadInput("dim out of range", zeros(low_rank)),  # IndexError
        BadInput("0-d", zeros(())),  # RuntimeError ("Dimension specified as 0 but tensor has no dimensions")
        BadInput("empty batch", zeros((0,) + ok[1:])),
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, ok),)),  # reshaped like any other dtype
        BadInput("nan", lambda rng, dt: (np.where(rng.random(ok) < 0.3, np.nan, 1.0).astype(dt),)),
    )


def unflatten_bad_args() -> tuple[BadArgs, ...]:
    """torch checks the sizes' types at construction (TypeError) and everything else at call."""
    def at_call(dim, sizes, shape=(2, 12, 3)):
        return lambda lib: call_on_zeros(lib.Unflatten(dim, sizes), shape)

    return (
        BadArgs("float size", lambda lib: lib.Unflatten(1, (3.0, 4))),
        BadArgs("numpy int size", lambda lib: lib.Unflatten(1, (np.int64(3), 4))),
        BadArgs("int instead of a tuple", lambda lib: lib.Unflatten(1, 12)),
        BadArgs("None sizes", lambda lib: lib.Unflatten(1, None)),
        BadArgs("empty sizes (at call)", at_call(1, ())),  # RuntimeError, checked before the dim
        BadArgs("two -1 (at call)", at_call(1, (-1, -1))),  # RuntimeError
        BadArgs("size -2 (at call)", at_call(1, (-2, -6))),  # RuntimeError
        BadArgs("zero size with -1 (at call)", at_call(1, (0, -1), (2, 0))),  # RuntimeError: ambiguous
        BadArgs("bool size (at call)", at_call(1, (True, 12))),  # TypeError: the construction check lets it pass
        BadArgs("float dim (at call)", at_call(1.0, (3, 4))),  # TypeError
        BadArgs("dim out of range (at call)", at_call(-4, (3, 4))),  # IndexError
    )


CASES: list[Case] = [
    Case("linear", lambda lib: lib.Linear(6, 4), floats(), (5, 6), shapes=shapes(1, 4, fixed_last=6),
         bad_inputs=linear_bad(6),
         bad_args=(BadArgs("negative in_features", lambda lib: lib.Linear(-1, 3)),)),
    Case("linear_nobias", lambda lib: lib.Linear(3, 5, bias=False), floats(), (4, 3),
         shapes=shapes(1, 3, fixed_last=3), bad_inputs=linear_bad(3)),
    Case("linear_1_to_1", lambda lib: lib.Linear(1, 1), floats(), (7, 1), shapes=shapes(1, 3, fixed_last=1)),
    # in_features from the first input's last dim (the harness materializes on the default shape: tests/
    # test_lazy.py checks the materializing forward, torch's state_dict and the class change)
    Case("lazy_linear", lambda lib: lib.LazyLinear(4), floats(), (2, 3, 5), shapes=shapes(1, 4, fixed_last=5),
         bad_inputs=linear_bad(5)[:3],
         bad_args=(BadArgs("lazy: 0-d first input", lambda lib: lib.LazyLinear(3)(np.asarray(1.0))),
                   BadArgs("lazy: negative out_features (at the first call)", lambda lib: call_on_zeros(
                       lib.LazyLinear(-1), (2, 3))),
                   BadArgs("lazy: int64 first input (materializes, then Linear refuses)", lambda lib: lib.LazyLinear(
                       3)(np.ones((2, 3), np.int64))))),
    Case("lazy_linear_nobias_1d", lambda lib: lib.LazyLinear(3, bias=False), floats(), (4,)),
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
    # a middle dim: (N, 12, *) -> (N, 3, 4, *); a wrong axis in backward shows only with a dim after it
    Case("unflatten", lambda lib: lib.Unflatten(1, (3, 4)), floats(), (2, 12, 3), shapes=with_dim(2, 1, st.just(12)),
         bad_inputs=unflatten_bad((2, 12, 3), (2, 10, 3), (12,)), bad_args=unflatten_bad_args()),
    Case("unflatten_last", lambda lib: lib.Unflatten(-1, (2, 1, 3)), floats(), (4, 6),
         shapes=shapes(1, 3, max_side=4, fixed_last=6),
         bad_inputs=unflatten_bad((4, 6), (4, 5), (6,))[:1]),  # (6,) has a dim -1: only the mismatch applies
    # -1 inferred: dim 1 of any even size, 0 included (0 // 2 = 0 is no ambiguity)
    Case("unflatten_infer", lambda lib: lib.Unflatten(1, (-1, 2)), floats(), (3, 8, 2),
         shapes=with_dim(2, 1, st.integers(0, 4).map(lambda k: 2 * k)),
         bad_inputs=unflatten_bad((3, 8, 2), (3, 7, 2), (8,))),
    # a list (kept a list: torch's repr prints [2, -1, 2]), on dim 0 with a negative dim spelling
    Case("unflatten_list", lambda lib: lib.Unflatten(-2, [2, -1, 2]), floats(), (12, 3),
         shapes=st.tuples(st.integers(1, 3).map(lambda k: 4 * k), st.integers(1, 4)),
         bad_inputs=unflatten_bad((8, 3), (6, 3), (8,))[:1]),
]
