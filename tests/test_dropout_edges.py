"""Dropout blocks at the edges of their arguments, compared with torch (the mutation audit found these unchecked):
p at and beyond its bounds with one-element and empty inputs, the sign of the zeros p = 1 gives (forward and
backward), a draw exactly equal to p, and the rank warnings.

Each test is parametrized by the catalog entries (the ids name them) and runs the entry's own class, so that the
audit of an entry (``python -m tests.mutate <entry>``: its generic checks and ``-k <entry>`` here) runs it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import scratch.nn as S
from conftest import DTYPES
from tests.catalog import BY_NAME, Lib
from tests.strategies import cotangent
from tests.test_activations_edges import like_torch

ENTRIES = ["dropout", "dropout_default", "dropout_p0", "dropout_p1", "dropout2d", "dropout2d_3d", "dropout1d",
           "dropout3d", "alpha_dropout", "alpha_dropout_p1", "feature_alpha_dropout"]


def _class_and_p(entry: str) -> tuple[str, float]:
    block = BY_NAME[entry].make(Lib(S))
    return type(block).__name__, block.p


def _seeded() -> np.random.Generator:
    return np.random.default_rng(11)


@pytest.mark.parametrize("entry", ENTRIES)
def test_p_at_and_beyond_its_bounds_like_torch(entry, rng):
    """p = 0 and 1 are allowed, p < 0 and p > 1 refused at construction, NaN at call; on the entry's input shape,
    a one-element and an empty one, in training (outputs and gradients as the twin's, same mask)."""
    cls, _ = _class_and_p(entry)
    shape = BY_NAME[entry].shape
    for p in (-0.01, 0.0, 0.3, 1.0, 1.5, math.nan):
        for x_shape in (shape, (1,) * len(shape), (0,) + shape[1:]):
            x = rng.standard_normal(x_shape)
            like_torch(entry, lambda lib, p=p: getattr(lib, cls)(p, rng=_seeded()), (x,), rng, f"p {p} on {x_shape}")


@pytest.mark.parametrize("entry", ENTRIES)
def test_p1_zeros_keep_the_sign_of_x_and_dy_like_torch(entry, rng):
    """p = 1: y = x * 0 and dx = dy * 0, zeros signed as IEEE products are (-0 for a negative factor), as torch's."""
    cls, _ = _class_and_p(entry)
    shape = BY_NAME[entry].shape
    for dtype in DTYPES:
        x = rng.standard_normal(shape).astype(dtype)
        s, t = getattr(S, cls)(1.0), getattr(torch.nn, cls)(1.0)
        xt = torch.from_numpy(x.copy()).requires_grad_(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the rank warnings of some entries' shapes
            ys, yt = s(x), t(xt)
        dy = cotangent(rng, ys)
        yt.backward(torch.from_numpy(dy))
        for got, want in ((ys, yt.detach().numpy()), (s.backward(dy), xt.grad.numpy())):
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


class _DrawsAtP:
    """A generator stand-in whose ``random`` returns p itself, and its neighbours below and above, in turn."""

    def __init__(self, p: float) -> None:
        self.values = np.array([p, np.nextafter(p, 0.0), np.nextafter(p, 1.0)])

    def random(self, shape) -> np.ndarray:
        return np.resize(self.values, shape)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if 0 < _class_and_p(e)[1] < 1])
def test_a_draw_equal_to_p_keeps_the_element_as_the_twin(entry, rng):
    """keep = draw >= p (P(keep) = 1 - p exactly on the draws' grid): a draw equal to p keeps, one just below drops,
    in scratch and in its twin."""
    cls, p = _class_and_p(entry)
    x = rng.standard_normal(BY_NAME[entry].shape)
    like_torch(entry, lambda lib: getattr(lib, cls)(p, rng=_DrawsAtP(p)), (x,), rng, "draws at p")


@pytest.mark.parametrize("entry", ENTRIES)
def test_rank_warnings_like_torch(entry):
    """Every rank 0-6, in training and eval: the same warnings (class and message) as torch's module, or the same
    error class; scratch's warnings point at the line that called the block (torch's point into torch)."""
    cls, p = _class_and_p(entry)
    for ndim in range(7):
        x = np.ones((2, 3, 2, 1, 2, 1)[:ndim])
        for train in (True, False):
            record = []
            for lib, arg in ((S, x), (torch.nn, torch.from_numpy(x))):
                kwargs = {"rng": _seeded()} if lib is S else {}
                with warnings.catch_warnings(record=True) as ws:
                    warnings.simplefilter("always")
                    try:
                        getattr(lib, cls)(p, **kwargs).train(train)(arg)
                        result = "ok"
                    except RuntimeError:  # the only class either raises here (a rank torch refuses)
                        result = "RuntimeError"
                record.append((result, [(w.category, str(w.message)) for w in ws]))
                assert lib is torch.nn or all(w.filename == __file__ for w in ws), [w.filename for w in ws]
            assert record[0] == record[1], (cls, ndim, train)

