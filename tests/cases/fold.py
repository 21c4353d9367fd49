"""Catalog entries: Unfold and Fold (overlapping and strided blocks, dilation, padding, unbatched, N = 0)."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats

X = floats(-2.0, 2.0)


def _bad(label, shape, dtype=None):
    return BadInput(label, lambda rng, dt: (rng.standard_normal(shape).astype(dtype or dt),))


_UNFOLD_BAD = (
    _bad("2-d input", (5, 6)),
    _bad("5-d input", (1, 2, 3, 5, 6)),
    _bad("no block fits", (1, 2, 1, 1)),
    _bad("zero channels", (1, 0, 5, 6)),
    BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, (1, 2, 5, 6)),)),
    _bad("empty batch", (0, 2, 5, 6)),
)
_FOLD_BAD = (
    _bad("channels not divisible by the kernel", (2, 17, 9)),
    _bad("wrong number of blocks", (2, 18, 10)),
    _bad("1-d input", (18,)),
    _bad("4-d input", (1, 2, 18, 9)),
    BadInput("int64", lambda rng, dt: (rng.integers(-3, 3, (2, 18, 9)),)),
    _bad("empty batch", (0, 18, 9)),
)
_ARGS = (
    BadArgs("stride 0", lambda lib: lib.Unfold(3, stride=0)(np.zeros((1, 1, 4, 4)))),
    BadArgs("negative padding", lambda lib: lib.Unfold(3, padding=-1)(np.zeros((1, 1, 4, 4)))),
    BadArgs("dilation 0", lambda lib: lib.Unfold(3, dilation=0)(np.zeros((1, 1, 4, 4)))),
    BadArgs("kernel 0", lambda lib: lib.Unfold(0)(np.zeros((1, 1, 4, 4)))),
    BadArgs("Fold stride 0", lambda lib: lib.Fold((5, 5), 2, stride=0)(np.zeros((1, 4, 16)))),
)

CASES: list[Case] = [
    Case("unfold", lambda lib: lib.Unfold((2, 3), padding=1, stride=2), X, (2, 3, 5, 6),
         shapes=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)),
         bad_inputs=_UNFOLD_BAD, bad_args=_ARGS),
    Case("unfold_overlapping_dilated", lambda lib: lib.Unfold(2, dilation=(2, 1)), X, (1, 2, 5, 4)),
    Case("unfold_unbatched", lambda lib: lib.Unfold(3, stride=(1, 2)), X, (2, 4, 5)),
    Case("fold", lambda lib: lib.Fold((5, 6), (2, 3), padding=1, stride=2), X, (2, 18, 9), bad_inputs=_FOLD_BAD),
    Case("fold_overlapping", lambda lib: lib.Fold(4, 2), X, (2, 8, 9)),  # stride 1: blocks overlap and add up
    Case("fold_dilated_unbatched", lambda lib: lib.Fold((5, 4), 2, dilation=2), X, (8, 6)),
]
