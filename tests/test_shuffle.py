"""The shuffle layers' element order, from the definitions (docs/torch_facts.md), for scratch AND torch: the catalog
compares scratch with torch, this pins what both compute, element by element (loops over indices: tiny shapes)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S
from tests.test_activations_edges import like_torch


def test_pixel_shuffle_and_unshuffle_follow_the_sub_pixel_definition():
    """y[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w], with r = 3 (i and j distinguishable) and two
    leading dims; PixelUnshuffle is its inverse."""
    r, x = 3, np.arange(2 * 1 * 18 * 2 * 3, dtype=np.float64).reshape(2, 1, 18, 2, 3)
    want = np.empty((2, 1, 2, 6, 9))
    for *lead, c, h, w, i, j in np.ndindex(2, 1, 2, 2, 3, r, r):
        want[(*lead, c, h * r + i, w * r + j)] = x[(*lead, c * r * r + i * r + j, h, w)]
    for y in (S.PixelShuffle(r)(x), torch.nn.PixelShuffle(r)(torch.from_numpy(x)).numpy()):
        np.testing.assert_array_equal(y, want)
    np.testing.assert_array_equal(S.PixelUnshuffle(r)(want), x)


def test_channel_shuffle_interleaves_the_groups():
    """y[:, j g + i] = x[:, i C/g + j]: channels 0..5 in 2 groups become 0, 3, 1, 4, 2, 5."""
    x = np.arange(6.0).reshape(1, 6, 1)
    for g, order in ((2, [0, 3, 1, 4, 2, 5]), (3, [0, 2, 4, 1, 3, 5])):
        np.testing.assert_array_equal(S.ChannelShuffle(g)(x).ravel(), order)
        np.testing.assert_array_equal(torch.nn.ChannelShuffle(g)(torch.from_numpy(x)).numpy().ravel(), order)


@pytest.mark.parametrize("entry, make", [("pixel_shuffle", lambda lib: lib.PixelShuffle(1)),
                                         ("pixel_unshuffle", lambda lib: lib.PixelUnshuffle(1)),
                                         ("channel_shuffle", lambda lib: lib.ChannelShuffle(1))],
                         ids=["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"])
def test_factor_1_is_allowed_and_the_identity_like_torch(entry, make, rng):
    """r = 1 (g = 1) is the smallest factor torch accepts: the identity, forward and backward."""
    for shape in [(2, 3, 2, 4), (3, 1, 2)]:
        x = rng.standard_normal(shape)
        np.testing.assert_array_equal(make(S)(x), x)
        like_torch(entry, make, (x,), rng, f"factor 1 on {shape}")


def test_pixel_unshuffle_errors_name_the_dim_like_torch():
    """The height and width errors quote torch's message, which names the dim (-2, -1) and its size."""
    for shape in [(2, 3, 3, 4), (2, 3, 4, 5), (3, 6, 3)]:
        with pytest.raises(RuntimeError) as got:
            S.PixelUnshuffle(2)(np.zeros(shape))
        with pytest.raises(RuntimeError) as want:
            torch.nn.PixelUnshuffle(2)(torch.zeros(shape))
        assert str(got.value) == str(want.value)
