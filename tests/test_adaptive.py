"""AdaptiveLogSoftmaxWithLoss beyond the catalog's generic checks: the forward-only log_prob and predict (each of
torch's three predict branches), the output's field names, and that those utilities leave a pending backward
alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from tests.catalog import BY_NAME, Lib
from tests.test_activations_edges import like_torch
from tests.tolerances import assert_close


def _pair(seed: int = 0):
    make = {"in_features": 6, "n_classes": 11, "cutoffs": [3, 7], "div_value": 2.0, "head_bias": True,
            "dtype": np.float64}
    s, r = S.AdaptiveLogSoftmaxWithLoss(**make, rng=np.random.default_rng(seed)), R.AdaptiveLogSoftmaxWithLoss(**make)
    r.load_state_dict(s.state_dict())
    return s, r


def _head_bias(s, r, shortlist: bool) -> None:
    """Push the head's argmax into the shortlist (or into the cluster entries) on both sides."""
    b = np.zeros(s.head_size)
    b[s.shortlist_size:] = -50.0 if shortlist else 50.0
    s.head.bias.data[...] = b
    r.load_state_dict(s.state_dict())


@pytest.mark.parametrize("branch", ["all in the shortlist", "none in the shortlist", "mixed"])
def test_log_prob_and_predict_like_torch(branch, rng):
    s, r = _pair()
    if branch != "mixed":
        _head_bias(s, r, shortlist=branch == "all in the shortlist")
    x = rng.standard_normal((16, 6)) * 3
    tx = torch.from_numpy(x)
    assert_close(s.log_prob(x), r.torch_module.log_prob(tx).detach().numpy(), block="adaptive_log_softmax",
                 check="log_prob")
    assert np.allclose(np.exp(s.log_prob(x)).sum(axis=1), 1.0, rtol=0, atol=1e-12)  # a distribution over classes
    got, want = s.predict(x), r.torch_module.predict(tx).numpy()
    assert got.dtype == want.dtype == np.int64 and np.array_equal(got, want)
    assert np.array_equal(got, np.argmax(s.log_prob(x), axis=1))
    if branch == "mixed":
        assert 0 < (got >= s.shortlist_size).sum() < got.size, "the draw must reach both kinds of rows"


def test_output_fields_and_utilities_between_forward_and_backward(rng):
    s, r = _pair()
    x, t = rng.standard_normal((5, 6)), np.array([0, 4, 10, 2, 8])
    ys, yr = s(x, t), r(x, t)
    assert type(yr).__name__ == "_ASMoutput" and isinstance(ys, tuple) and len(ys) == 2
    assert_close(ys.output, yr.output, block="adaptive_log_softmax", check="fields:output")
    assert_close(ys.loss, yr.loss, block="adaptive_log_softmax", check="fields:loss")
    s.log_prob(rng.standard_normal((3, 6))), s.predict(rng.standard_normal((2, 6)))  # must not touch the cache
    d_out, d_loss = rng.standard_normal(5), rng.standard_normal(())
    assert_close(s.backward(d_out, d_loss), r.backward(d_out, d_loss), block="adaptive_log_softmax",
                 check="fields:grad_input_after_log_prob")


ENTRIES = ["adaptive_log_softmax", "adaptive_log_softmax_head_bias_div2",
           "adaptive_log_softmax_one_row_and_empty_cluster", "adaptive_log_softmax_batch1",
           "adaptive_log_softmax_unbatched"]
# (in_features, n_classes, cutoffs, div_value, head_bias) beyond the entries' own: tails of sizes 3, 1 and 0
# (9 // 3^3 = 0: Linear(9, 0) and Linear(0, 5)); 1 // 0.1 = 9 where int(1 / 0.1) = 10, with the largest cutoff
# torch allows (n_classes - 1)
EXTRA = [(9, 14, [2, 5, 9], 3.0, True), (1, 4, [3], 0.1, False)]


def _config(entry: str) -> tuple:
    m = BY_NAME[entry].make(Lib(S))
    return m.in_features, m.n_classes, m.cutoffs[:-1], m.div_value, m.head_bias


@pytest.mark.parametrize("entry", ENTRIES)
def test_adaptive_log_softmax_configs_and_boundary_targets_like_torch(entry, rng):
    """The entry's configuration and EXTRA, on targets at every cluster boundary (0, each cutoff - 1 and cutoff,
    n_classes - 1) in one batch, as single rows and unbatched, at unit scale and at 1e4 (logits beyond exp's
    range: the softmaxes need their shift): output, loss and the input gradient as torch's."""
    for in_f, n_classes, cutoffs, div, bias in [_config(entry), *EXTRA]:
        def make(lib, a=(in_f, n_classes, cutoffs, div, bias)):
            return lib.AdaptiveLogSoftmaxWithLoss(a[0], a[1], a[2], div_value=a[3], head_bias=a[4])

        t = np.array(sorted({0, n_classes - 1, *cutoffs, *(c - 1 for c in cutoffs)}), np.int64)
        x = rng.standard_normal((t.size, in_f))
        label = f"{in_f, n_classes, cutoffs, div, bias}"
        for scale in (1.0, 1e4):
            like_torch(entry, make, (x * scale, t), rng, f"{label} x{scale}")
            like_torch(entry, make, (x[:1] * scale, t[-1:]), rng, f"{label} one row x{scale}")
        for k in (0, t.size - 1):
            like_torch(entry, make, (x[k], np.asarray(t[k])), rng, f"{label} unbatched target {t[k]}")
