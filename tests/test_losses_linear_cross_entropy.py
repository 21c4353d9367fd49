"""LinearCrossEntropyLoss checks beyond the generic catalog ones: chunking changes nothing but rounding and really
processes the batch in chunks, and the chunked path's fallback warns as torch's does."""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from scratch.nn.losses import LinearCrossEntropyOptions
from tests.tolerances import Tol, assert_close

_ROUNDING = Tol(1e-13, 1e-14, "the same sums of products in another order (per chunk)")


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_chunks_change_nothing_but_rounding(reduction, rng):
    """Chunks of 1, 3 and all 7 rows (and the 'aspect_ratio' method) against the reference path: the loss, the
    input gradient and both parameter gradients, weighted classes and ignored rows included."""
    x = rng.standard_normal((7, 4))
    t = np.where(rng.random(7) < 0.3, -100, rng.integers(0, 6, 7))
    w = rng.uniform(0.5, 2.0, 6)
    dy = rng.standard_normal(7) if reduction == "none" else np.asarray(0.7)

    def run(options):
        m = S.LinearCrossEntropyLoss(4, 6, bias=True, weight=w, reduction=reduction, dtype=np.float64,
                                     rng=np.random.default_rng(0), options=options)
        y = m(x, t)
        return [y, m.backward(dy), m.linear.weight.grad, m.linear.bias.grad]

    want = run(None)
    for opts in (LinearCrossEntropyOptions(batch_chunk_size=1), LinearCrossEntropyOptions(batch_chunk_size=3),
                 LinearCrossEntropyOptions(chunking_method=None), LinearCrossEntropyOptions(
                     chunking_method="aspect_ratio")):
        for name, got, expected in zip(("loss", "grad_input", "grad[weight]", "grad[bias]"), run(opts), want,
                                       strict=True):
            assert_close(got, expected, block="linear_cross_entropy", check=f"chunked {name}", tol=_ROUNDING)


def test_chunked_path_holds_one_chunk_of_logits_at_a_time(rng, monkeypatch):
    """batch_chunk_size=2 on 5 rows: every logits block computed, forward and backward, has at most 2 rows."""
    seen = []
    original = S.LinearCrossEntropyLoss._chunk_log_softmax

    def spy(self, xc):
        seen.append(xc.shape[0])
        return original(self, xc)

    monkeypatch.setattr(S.LinearCrossEntropyLoss, "_chunk_log_softmax", spy)
    m = S.LinearCrossEntropyLoss(3, 4, options=LinearCrossEntropyOptions(batch_chunk_size=2))
    m(rng.standard_normal((5, 3)).astype(np.float32), rng.integers(0, 4, 5))
    m.backward()
    assert seen == [2, 2, 1, 2, 2, 1]


@pytest.mark.parametrize("kwargs, target", [({"label_smoothing": 0.1}, "int64"), ({}, "uint8"),
                                            ({"out_features": (2,)}, "int64")])
def test_options_that_the_chunked_path_cannot_take_warn_like_torch(kwargs, target, rng):
    """label_smoothing, a non-int64 target or out_features: torch warns that options are ignored and runs the
    reference path; scratch warns the same (UserWarning) and gives torch's values."""
    x = rng.standard_normal((3, 4))
    t = rng.integers(0, 5, (3, 2) if "out_features" in kwargs else 3).astype(target)
    results = []
    for lib, opts in ((S, LinearCrossEntropyOptions(batch_chunk_size=2)),
                      (R, R.losses.LinearCrossEntropyOptions(batch_chunk_size=2))):
        m = lib.LinearCrossEntropyLoss(4, 5, dtype=np.float64, rng=np.random.default_rng(0), options=opts, **kwargs)
        if results:
            m.load_state_dict(results[0][0].state_dict())
        with pytest.warns(UserWarning, match="options`` ignored"):
            results.append((m, m(x, t)))
    assert_close(results[0][1], results[1][1], block="linear_cross_entropy", check="fallback forward")
