"""CosineSimilarity beyond the generic catalog checks: every dim at every rank 0-3 (and just out of range), eps = 0
and the entry's eps, zero vectors, and an x2 broadcast from a lower rank, compared with torch (outputs and both
gradients, or the error class). Parametrized by the catalog entries (the id names them), so that the mutation
audit of each entry runs it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S
from tests.catalog import BY_NAME, Lib
from tests.test_activations_edges import like_torch

ENTRIES = ["cosine_similarity", "cosine_similarity_last_dim_eps_broadcast"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_cosine_similarity_every_dim_eps_and_zero_vectors_like_torch(entry, rng):
    eps = BY_NAME[entry].make(Lib(S)).eps
    for shape in [(), (3,), (2, 3), (2, 3, 4)]:
        x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
        if len(shape) >= 2:
            x1[0] = 0.0  # zero vectors along every dim but 0
        pairs = [(x1, x2)] + ([(x1, np.asarray(x2[-1]))] if shape else [])  # x2 of one rank less, broadcast
        if len(shape) >= 2:  # an x2 of one row against an empty batch: its gradient is zeros
            pairs.append((np.zeros((0,) + shape[1:]), x2[:1]))
        for dim in range(-len(shape) - 1, len(shape) + 1):
            for e in (eps, 0.0):
                for a, b in pairs:
                    like_torch(entry, lambda lib, d=dim, e=e: lib.CosineSimilarity(dim=d, eps=e), (a, b), rng,
                               f"dim {dim} eps {e} on {a.shape} and {b.shape}")


@pytest.mark.parametrize("entry", ENTRIES)
def test_cosine_similarity_eps_types_like_torch(entry, rng):
    """torch's parser takes any real number for eps, a bool or numpy bool too (True is 1.0); None, a complex or a
    str is its TypeError. Also a huge finite value next to a NaN: the NaN silences numpy's overflow warning."""
    x1, x2 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for eps in (True, False, np.bool_(True), np.float32(0.25), np.int64(1), None, 1 + 0j, "0.5"):
        like_torch(entry, lambda lib, e=eps: lib.CosineSimilarity(dim=-1, eps=e), (x1, x2), rng, f"eps {eps!r}")
    # called directly, not through the harness (which silences warnings): a RuntimeWarning of scratch is an error
    huge, ones = np.array([[1e200, 1.0, 2.0], [np.nan, 1.0, 0.5]]), np.ones((2, 3))
    want = torch.nn.CosineSimilarity(dim=-1)(torch.from_numpy(huge), torch.from_numpy(ones)).numpy()
    np.testing.assert_array_equal(S.CosineSimilarity(dim=-1)(huge, ones), want)  # 0 (the norm overflows), NaN
