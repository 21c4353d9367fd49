"""AdaptiveLogSoftmaxWithLoss beyond the catalog's generic checks: the forward-only log_prob and predict (each of
torch's three predict branches), the output's field names, and that those utilities leave a pending backward
alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
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
