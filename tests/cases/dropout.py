"""Catalog entries: Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout (and an MLP with
dropout).

Masks: each entry builds its module with a FRESH generator of a fixed seed, not the Lib's ``rng``, because
generic checks build the two twins with different Lib seeds where they must still agree (the torch-init
state_dict check builds the twin with seed 1; the hypothesis float64 oracle always uses seed 0). Identically
seeded generators make identical draws on both sides (see scratch/nn/dropout.py for the draw).

``fd=False`` where a mask is drawn: a training forward draws a NEW mask at every call, so the finite-difference
loss is not a fixed function. tests/test_dropout.py runs that check with a fixed mask instead (a fresh,
identically seeded generator per forward).
"""

from __future__ import annotations

import math

import numpy as np

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats, shapes

MASK_SEED = 20240531


def seeded() -> np.random.Generator:
    return np.random.default_rng(MASK_SEED)


def _bad(shape: tuple[int, ...]) -> tuple[BadInput, ...]:
    return (
        BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, shape),)),
        BadInput("nan", lambda rng, dt: (np.where(rng.random(shape) < 0.3, np.nan, rng.standard_normal(shape))
                                         .astype(dt),)),
        BadInput("inf", lambda rng, dt: (np.where(rng.random(shape) < 0.3, -np.inf, rng.standard_normal(shape))
                                         .astype(dt),)),
        BadInput("empty", lambda rng, dt: (np.zeros((0,) + shape[1:], dt),)),
        BadInput("0-d", lambda rng, dt: (np.asarray(1.5, dt),)),
    )


_BAD_P = (BadArgs("p < 0", lambda lib: lib.Dropout(-0.1)), BadArgs("p > 1", lambda lib: lib.Dropout(1.5)),
          BadArgs("p not a number", lambda lib: lib.Dropout("0.5")),
          BadArgs("p NaN (at call, eval too)", lambda lib: lib.Dropout(math.nan).eval()(np.ones((2, 3)))))


def _bad_p(cls: str, shape: tuple[int, ...]) -> tuple[BadArgs, ...]:
    return (BadArgs("p > 1", lambda lib: getattr(lib, cls)(1.01)),
            BadArgs("p NaN (at call)", lambda lib: getattr(lib, cls)(math.nan)(np.ones(shape))))


def _rank(n: int):
    return lambda rng, dt: (rng.standard_normal((2, 3, 4, 2, 2)[:n]).astype(dt),)


CASES: list[Case] = [
    Case("dropout", lambda lib: lib.Dropout(0.3, rng=seeded()), floats(), (6, 7), shapes=shapes(0, 4), fd=False,
         bad_inputs=_bad((4, 5)), bad_args=_BAD_P, train_steps=3),
    Case("dropout_default", lambda lib: lib.Dropout(rng=seeded()), floats(), (3, 4, 5), shapes=shapes(1, 4),
         fd=False),
    Case("dropout_p0", lambda lib: lib.Dropout(0.0, rng=seeded()), floats(), (4, 5), shapes=shapes(0, 3),
         bad_inputs=_bad((4, 5))),  # identity: deterministic, so finite differences apply
    Case("dropout_p1", lambda lib: lib.Dropout(1.0, rng=seeded()), floats(), (4, 5), shapes=shapes(0, 3),
         bad_inputs=_bad((4, 5))),  # zeros (NaN at inf, as torch): deterministic
    Case("dropout2d", lambda lib: lib.Dropout2d(0.4, rng=seeded()), floats(), (3, 4, 3, 3),
         shapes=shapes(4, 4, max_side=4), fd=False,
         bad_inputs=_bad((2, 3, 2, 2)) + tuple(BadInput(f"{n}-D", _rank(n)) for n in (1, 2, 3, 5)),
         bad_args=(BadArgs("p > 1", lambda lib: lib.Dropout2d(1.01)),)),
    Case("dropout2d_3d", lambda lib: lib.Dropout2d(0.5, rng=seeded()), floats(), (4, 5, 6),  # (N, C, L), warns
         shapes=shapes(3, 3), fd=False),
    Case("dropout1d", lambda lib: lib.Dropout1d(0.4, rng=seeded()), floats(), (3, 4, 5), shapes=shapes(2, 3),
         fd=False, bad_inputs=_bad((2, 3, 4)) + tuple(BadInput(f"{n}-D", _rank(n)) for n in (1, 2, 4)),
         bad_args=_bad_p("Dropout1d", (2, 3, 4))),  # 2-D: unbatched (C, L), mask (C, 1); other ranks raise
    Case("dropout3d", lambda lib: lib.Dropout3d(0.5, rng=seeded()), floats(), (2, 3, 2, 2, 2),
         shapes=shapes(4, 5, max_side=3), fd=False,  # 4-D: unbatched (C, D, H, W); other ranks: dim 0 (warns)
         bad_inputs=_bad((2, 3, 2, 2, 2)) + tuple(BadInput(f"{n}-D", _rank(n)) for n in (1, 2, 3)),
         bad_args=_bad_p("Dropout3d", (2, 3, 2, 2, 2))),
    Case("alpha_dropout", lambda lib: lib.AlphaDropout(0.3, rng=seeded()), floats(), (6, 7), shapes=shapes(0, 4),
         fd=False, bad_inputs=_bad((4, 5)), bad_args=_bad_p("AlphaDropout", (2, 3)), train_steps=3),
    Case("alpha_dropout_p1", lambda lib: lib.AlphaDropout(1.0, rng=seeded()), floats(), (4, 5),
         bad_inputs=_bad((4, 5))),  # x * 0 (NaN at inf), not the saturation value: deterministic
    Case("feature_alpha_dropout", lambda lib: lib.FeatureAlphaDropout(0.2, rng=seeded()), floats(), (3, 4, 2, 2),
         shapes=shapes(2, 5, max_side=4), fd=False, bad_inputs=_bad((2, 3, 2)) + (BadInput("1-D", _rank(1)),),
         bad_args=_bad_p("FeatureAlphaDropout", (2, 3))),
    # Masks lined up through a real torch.nn.Sequential, at every hypothesis scale (1e4 included: the float32
    # comparison allows 4x torch's own worst float32 error on each tensor, see tests/tolerances.py).
    Case("mlp_dropout", lambda lib: lib.Sequential(lib.Linear(5, 8), lib.ReLU(), lib.Dropout(0.25, rng=seeded()),
                                                   lib.Linear(8, 3)),
         floats(), (6, 5), shapes=shapes(2, 2, fixed_last=5), fd=False, train_steps=3,
         bad_inputs=(BadInput("unbatched", lambda rng, dt: (rng.standard_normal(5).astype(dt),)),
                     BadInput("3-d", lambda rng, dt: (rng.standard_normal((2, 3, 5)).astype(dt),)))),
]
