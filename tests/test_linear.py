"""The linear family beyond the generic catalog checks, against torch (the mutation audit found these unchecked):
Linear and LazyLinear at zero, one and negative sizes on inputs of every rank, their init bounds, frozen
parameters and LazyLinear's in_features around a load; Bilinear likewise; Flatten at every start and end dim;
Unflatten at every dim with sizes at torch's limits.

Each test is parametrized by the catalog entries whose block it runs (the ids name them), so that the audit of an
entry (``python -m tests.mutate <entry>``: its generic checks and ``-k <entry>`` here) runs it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from tests.catalog import BY_NAME, Lib
from tests.test_activations_edges import like_torch

LINEAR = ["linear", "linear_nobias", "linear_1_to_1", "lazy_linear", "lazy_linear_nobias_1d"]
BILINEAR = ["bilinear", "bilinear_nobias", "bilinear_square", "bilinear_3d", "bilinear_unbatched",
            "bilinear_out_empty"]


def _linear(entry: str):
    """(lazy, in_features of the entry or None, out_features, bias) and a maker of that kind of block."""
    m = BY_NAME[entry].make(Lib(S))
    lazy, bias = type(m).__name__ == "LazyLinear", m.bias is not None

    def make(lib, in_f, out_f, **kw):
        return lib.LazyLinear(out_f, bias=bias, **kw) if lazy else lib.Linear(in_f, out_f, bias=bias, **kw)

    return lazy, (None if lazy else m.in_features), m.out_features, make


@pytest.mark.parametrize("entry", LINEAR)
def test_linear_sizes_and_ranks_like_torch(entry, rng):
    """Sizes 0, 1 and negative (zero-size layers are allowed, negative ones torch's RuntimeError) on inputs of
    rank 1 to 3, an empty batch, a wrong feature count and another float dtype."""
    _, in_f, out_f, make = _linear(entry)
    for i, o in [(in_f or 4, out_f), (0, 3), (3, 0), (0, 0), (1, 2), (-1, 3), (3, -1)]:
        k = max(i, 0)
        for shape in [(k,), (2, k), (2, 3, k), (0, k), (2, k + 1)]:
            x = rng.standard_normal(shape)
            like_torch(entry, lambda lib, i=i, o=o: make(lib, i, o), (x,), rng, f"({i}, {o}) on {shape}")
        like_torch(entry, lambda lib, i=i, o=o: make(lib, i, o, dtype=np.float32), (rng.standard_normal((2, k)),),
                   rng, f"({i}, {o}): float64 input, float32 layer")


@pytest.mark.parametrize("entry", LINEAR)
def test_linear_init_bounds_like_torch(entry):
    """U(-1/sqrt(in), 1/sqrt(in)) for weight and bias, as torch's (both bounds reached within 2%, never passed);
    in_features = 0: an empty weight and a zero bias, as torch's."""
    lazy, _, _, make = _linear(entry)
    for in_f in (0, 1, 4, 9):
        s = make(Lib(S, np.float64, np.random.default_rng(in_f)), in_f, 600)
        with warnings.catch_warnings(), torch.random.fork_rng(devices=[]):
            warnings.simplefilter("ignore")  # torch's "Initializing zero-element tensors is a no-op"
            torch.manual_seed(in_f)
            t = torch.nn.Linear(in_f, 600, bias=s.bias is not None)
        if lazy:
            s.initialize_parameters(np.zeros((1, in_f)))
        bound = 1 / np.sqrt(in_f) if in_f else 0.0
        for got, want in ((s.weight.data, t.weight), (None if s.bias is None else s.bias.data, t.bias)):
            if got is None:
                assert want is None
                continue
            want = want.detach().numpy()
            assert got.shape == want.shape
            for values in (got, want):
                assert np.all(np.abs(values) <= bound)  # bound 0: all zeros
                assert values.size == 0 or bound == 0 or min(values.max(), -values.min()) > 0.98 * bound


@pytest.mark.parametrize("entry", LINEAR)
def test_linear_frozen_parameters_like_torch(entry, rng):
    """A parameter with requires_grad False gets no gradient (None, as torch's .grad); the others and the input's
    are unchanged."""
    _, in_f, out_f, make = _linear(entry)
    x = rng.standard_normal((3, in_f or 4))
    for frozen in ("weight", "bias"):
        def make_frozen(lib, which=frozen):
            m = make(lib, x.shape[-1], out_f)
            if getattr(m, "has_uninitialized_params", None) is not None:
                m.initialize_parameters(x)
            for name, p in m.named_parameters():
                p.requires_grad = name != which
            return m
        like_torch(entry, make_frozen, (x,), rng, f"{frozen} frozen")


@pytest.mark.parametrize("entry", ["lazy_linear", "lazy_linear_nobias_1d"])
def test_lazy_linear_in_features_before_and_after_a_load_like_torch(entry, rng):
    """in_features is 0 until the first call, and stays 0 after loading a materialized state; the first call
    then takes it from the input, and refuses one whose features differ from the loaded weight's."""
    _, _, out_f, make = _linear(entry)
    s, r = make(Lib(S), None, out_f), make(Lib(R), None, out_f)
    assert s.in_features == r.torch_module.in_features == 0
    state = make(Lib(S), None, out_f)
    state(rng.standard_normal((2, 4)))
    s.load_state_dict(state.state_dict()), r.load_state_dict(state.state_dict())
    assert s.in_features == r.torch_module.in_features == 0
    for side in (s, r):
        with pytest.raises(AssertionError, match="in_features inferred from input: 5"):
            side(np.zeros((2, 5)))
    x = rng.standard_normal((3, 2, 4))
    np.testing.assert_allclose(s(x), r(x), rtol=1e-12, atol=1e-12)
    assert s.in_features == r.torch_module.in_features == 4


def _bilinear(entry: str):
    m = BY_NAME[entry].make(Lib(S))
    bias = m.bias is not None
    return (m.in1_features, m.in2_features, m.out_features), lambda lib, a, b, o, **kw: lib.Bilinear(
        a, b, o, bias=bias, **kw)


@pytest.mark.parametrize("entry", BILINEAR)
def test_bilinear_sizes_ranks_and_dtypes_like_torch(entry, rng):
    """The entry's sizes, (2, 3, 2), and zero or negative ones (in1 = 0 is torch's ValueError, in2 = 0 its
    RuntimeError at call), on pairs of rank 0 to 3, batch dims that differ (first or second), ranks that differ,
    wrong feature counts (torch's messages), either input of another float dtype, and an empty batch."""
    sizes, make = _bilinear(entry)
    for a, b, o in [sizes, (2, 3, 2), (3, 2, 0), (0, 2, 2), (2, 0, 3), (-1, 2, 2), (2, -1, 2), (2, 2, -1)]:
        p, q = max(a, 0), max(b, 0)
        pairs = [((p,), (q,)), ((2, p), (2, q)), ((2, 3, p), (2, 3, q)), ((0, p), (0, q)), ((), ()),
                 ((2, p), (3, q)), ((2, 3, p), (2, 1, q)), ((2, p), (q,)), ((2, p + 1), (2, q)), ((2, p), (2, q + 1))]
        for s1, s2 in pairs:
            x1, x2 = rng.standard_normal(s1), rng.standard_normal(s2)
            like_torch(entry, lambda lib, a=a, b=b, o=o: make(lib, a, b, o), (x1, x2), rng,
                       f"({a}, {b}, {o}) on {s1}, {s2}")
        for k, s1, s2 in ((1, (2, p + 1), (2, q)), (2, (2, p), (2, q + 1))):
            if min(a, b, o) >= 0 and a > 0 and b > 0:
                with pytest.raises(RuntimeError) as got:
                    make(Lib(S), a, b, o)(np.ones(s1), np.ones(s2))
                with pytest.raises(RuntimeError) as want:
                    make(Lib(R), a, b, o)(np.ones(s1), np.ones(s2))
                assert str(got.value) == str(want.value), f"input{k}"
        for d1, d2 in ((np.float32, np.float64), (np.float64, np.float32)):
            x1, x2 = rng.standard_normal((2, p)).astype(d1), rng.standard_normal((2, q)).astype(d2)
            like_torch(entry, lambda lib, a=a, b=b, o=o: make(lib, a, b, o, dtype=np.float64), (x1, x2), rng,
                       f"({a}, {b}, {o}): inputs {d1.__name__}, {d2.__name__}, layer float64")


@pytest.mark.parametrize("entry", BILINEAR)
def test_bilinear_init_bounds_like_torch(entry):
    """U(-1/sqrt(in1), 1/sqrt(in1)) for weight and bias (torch: 1/sqrt(weight.size(1))), the bound reached within
    2% at both ends and never passed, with the entry's bias (400 outputs, 20 in2 features; torch seeded)."""
    _, make = _bilinear(entry)
    for in1 in (1, 4, 9):
        s = make(Lib(S, np.float64, np.random.default_rng(in1)), in1, 20, 400)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(in1)
            t = torch.nn.Bilinear(in1, 20, 400, bias=s.bias is not None)
        found = [s.weight.data, t.weight.detach().numpy()] + [
            b for b in (None if s.bias is None else s.bias.data, None if t.bias is None else t.bias.detach().numpy())
            if b is not None]
        assert len(found) == (4 if s.bias is not None else 2)
        for values in found:
            assert np.abs(values).max() <= 1 / np.sqrt(in1) and min(values.max(), -values.min()) > 0.98 / np.sqrt(in1)


@pytest.mark.parametrize("entry", ["flatten-flatten_mid"])
def test_flatten_every_start_and_end_dim_like_torch(entry, rng):
    entry = entry.split("-")[0]
    for shape in [(), (3,), (2, 3), (2, 3, 4), (2, 0, 3, 2)]:
        x = rng.standard_normal(shape)
        n = len(shape)
        for start in range(-n - 2, n + 2):
            for end in range(-n - 2, n + 2):
                like_torch(entry, lambda lib, a=start, b=end: lib.Flatten(a, b), (np.asarray(x),), rng,
                           f"Flatten({start}, {end}) on {shape}")


# sizes around torch's limits: 2**63 - 1 and -2**63 parse (then fail to multiply up), one beyond is a TypeError;
# 0 and 1 sizes, -1 inferred (or ambiguous, or not dividing), two -1, a bool, and sizes of 128 (> 2 * 63)
SIZES = [(3, 4), (-1, 4), (4, -1), (2, -1, 2), (12,), (1, 12, 1), (0, -1), (-1, 0), (0, 4), (-1, 5), (-1, -1),
         (-2, -6), (2**63 - 1,), (2**63,), (-2**63,), (-2**63 - 1,), (True, 12), (-1,), (128,), (2, 64)]


@pytest.mark.parametrize("entry", ["unflatten-unflatten_last-unflatten_infer-unflatten_list"])
def test_unflatten_every_dim_and_sizes_at_torchs_limits_like_torch(entry, rng):
    """Every dim (in range or up to two out of it, and a bool) of every rank 0-3 with sizes that fit any dim, then every
    size of SIZES on a dim of 12, 128 and 0 elements."""
    name = entry.split("-")[0]
    for shape in [(), (12,), (2, 12), (2, 4, 3)]:
        x = np.asarray(rng.standard_normal(shape))
        for dim in [*range(-len(shape) - 2, len(shape) + 2), True]:
            for sizes in [(-1,), (1, -1), (-1, 1, 1)]:
                like_torch(name, lambda lib, d=dim, u=sizes: lib.Unflatten(d, u), (x,), rng,
                           f"Unflatten({dim}, {sizes}) on {shape}")
    for shape, dim in [((2, 12, 3), 1), ((128, 2), -2), ((2, 0, 3), 1)]:
        x = rng.standard_normal(shape)
        for sizes in SIZES:
            like_torch(name, lambda lib, d=dim, u=sizes: lib.Unflatten(d, u), (x,), rng,
                       f"Unflatten({dim}, {sizes}) on {shape}")
