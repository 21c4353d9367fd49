"""Running statistics of the batch and instance norm catalog entries at inputs their own checks do not reach.

- One training step on a batch of ONE instance (instance norms): the buffers move by that instance's statistics
  (torch's empty-batch NaN path, n == 0, must not be taken for n == 1).
- One training step with an inf in ONE element of channel 0, then a finite step: torch's update is per channel,
  so channel 0's buffers (and only they) become inf / NaN, also with momentum=None, where an instance norm's
  buffers otherwise never move (torch passes momentum 0.0, and 0 * inf is NaN); and at a finite variance near the
  float max, where they must not move.

One test per entry and check (its id is the entry's name, so the mutation audit of an entry runs it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import scratch.nn
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair, forward
from tests.tolerances import assert_close


def _block(case):
    return case.make(Lib(scratch.nn, np.float64, np.random.default_rng(0)))


def _tracks(case) -> bool:
    return getattr(_block(case), "running_mean", None) is not None  # a Lazy module's is an UninitializedBuffer


TRACKING = [c for c in CATALOG if c.family == "normalization" and _tracks(c)]


def _states_equal(case, s, r, check: str) -> None:
    ss, sr = s.state_dict(), r.state_dict()
    assert list(ss) == list(sr)
    for key in ss:  # NaN equals NaN
        assert_close(ss[key], sr[key], block=case.name, check=f"{check}: state[{key}]", dtype=np.float64)


def _step(case, s, r, x: np.ndarray, check: str) -> None:
    """One training call on both (outputs compared, NaN where torch's is NaN), then every buffer."""
    assert_close(forward(s, (x,)), forward(r, (x,)), block=case.name, check=f"{check}: forward", dtype=np.float64)
    _states_equal(case, s, r, check)


@pytest.mark.parametrize("case", [c for c in TRACKING if "instancenorm" in c.name], ids=str)
def test_one_instance_training_step_moves_the_buffers_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    shape = case.shape if "unbatched" in case.name else (1,) + case.shape[1:]
    _step(case, s, r, rng.uniform(-1.0, 3.0, shape), "one instance")


@pytest.mark.parametrize("case", TRACKING, ids=str)
def test_inf_in_one_channel_reaches_only_that_channels_buffers_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    x = rng.uniform(-1.0, 3.0, case.shape)
    channel_axis = 0 if "unbatched" in case.name else 1
    where = [-1] * x.ndim
    where[channel_axis] = 0
    x[tuple(where)] = np.inf
    _step(case, s, r, x, "inf in channel 0")
    _step(case, s, r, rng.uniform(-1.0, 3.0, case.shape), "finite step after")


@pytest.mark.parametrize("case", [c for c in TRACKING if "instancenorm" in c.name and _block(c).momentum is None],
                         ids=str)
def test_momentum_none_buffers_stay_at_a_variance_near_the_float_max(case):
    """Values +-a, a^2 m = max / 2 per instance (m positions, mean exactly 0): the unbiased variance max / 2 / (m - 1)
    is finite, so momentum 0.0 leaves the buffers as they were (0 * a finite value), as torch does."""
    s, r = build_pair(case, np.float64)
    spatial = case.shape[1:] if "unbatched" in case.name else case.shape[2:]
    m = math.prod(spatial)
    signs = np.where(np.arange(m) % 2 == 0, 1.0, -1.0).reshape(spatial)
    _step(case, s, r, np.broadcast_to(math.sqrt(np.finfo(np.float64).max / 2 / m) * signs, case.shape).copy(),
          "variance near the float max")
