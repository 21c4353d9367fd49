"""Every normalization catalog entry probed against torch where its own sample cannot reach (tests/cases/_probes.py):
random affine parameters and running statistics (the catalog's blocks start at weight 1, bias 0, mean 0, var 1,
where a missing multiply by the weight is invisible), train and eval, the smallest training batch and one below
it, the other batching or rank, another channel count, dtypes, an empty batch; then the buffers; and the entry's
class rebuilt with boundary arguments (num_features 0 and -1, eps 0). One test per entry (its id is the entry's
name, so the mutation audit of an entry runs it)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.cases._probes import compare_frozen, compare_probes, compare_variant, normal
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair, compare_pair
from tests.tolerances import assert_close

NORM = [c for c in CATALOG if c.family == "normalization"]
RUNNING = ("BatchNorm", "InstanceNorm", "LazyBatchNorm", "LazyInstanceNorm")


def _kind(block) -> str:
    name = type(block).__name__.removeprefix("Lazy")
    return name.rstrip("123d") if name[-2:] in ("1d", "2d", "3d") and "LRN" not in name else name


def randomize(s, r, rng) -> None:
    """Random parameters (weights away from 1, biases away from 0) and running statistics (variances > 0, a
    batch count > 0) on scratch, loaded into torch."""
    state = s.state_dict()
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            state[key] = np.array(3, np.int64)
        elif key.endswith("running_var"):
            state[key] = rng.uniform(0.5, 2.0, value.shape).astype(value.dtype)
        elif value.dtype.kind == "f":
            state[key] = rng.uniform(-1.5, 1.5, value.shape).astype(value.dtype)
    s.load_state_dict(state)
    r.load_state_dict(s.state_dict())


def _states_equal(case, s, r) -> None:
    ss, sr = s.state_dict(), r.state_dict()
    assert list(ss) == list(sr)
    for key in ss:
        assert_close(ss[key], sr[key], block=case.name, check=f"probe state[{key}]", dtype=np.float64)


def _shapes(case, block) -> list[tuple[str, tuple]]:
    """Input shapes at the entry's boundaries (by its class), besides its own."""
    shape, kind = case.shape, _kind(block)
    n, c, sp = shape[0], shape[1], shape[2:]
    if kind == "BatchNorm":
        twos = [(2, c) + (1,) * len(sp)] + ([(1, c, 2) + (1,) * (len(sp) - 1)] if sp else [(1, c, 2)])
        shapes = [(f"two values {i}", s) for i, s in enumerate(twos)]
        shapes += [("empty spatial dim", (n, c, 0) + sp[1:])] * bool(sp)
        shapes += [("N = prod(spatial) = 2", (2, c, 2) + (1,) * max(0, len(sp) - 1))]  # their ratio is 1
        shapes += [("one value", (1, c) + (1,) * len(sp)), ("channels + 1", (n, c + 1) + sp),
                   ("empty batch", (0, c) + sp), ("rank + 3", (n, c, 2, 2) + sp)]
        if len(sp) <= 1:  # BatchNorm1d: (N, C) and (N, C, L)
            shapes.append(("other rank", (n, c) if sp else (n, c, 3)))
        return shapes
    if kind == "InstanceNorm":
        d = {"InstanceNorm1d": 1, "InstanceNorm2d": 2, "InstanceNorm3d": 3}[type(block).__name__.removeprefix("Lazy")]
        spatial, lead = shape[-d:], shape[:-d]
        other = (2,) + lead if len(lead) == 1 else lead[1:]
        return [("other batching", other + spatial), ("one instance", (1,) + lead[-1:] + spatial),
                ("other batching, every spatial size + 1", other + tuple(d + 1 for d in spatial)),
                ("two positions", lead + (2,) + (1,) * (d - 1)),
                ("one position", lead + (1,) * d), ("channels + 1", lead[:-1] + (lead[-1] + 1,) + spatial),
                ("empty batch", (0,) + lead[-1:] + spatial), ("rank + 2", (1,) + lead + spatial + (2,))]
    if kind in ("LayerNorm", "RMSNorm"):
        k = len(block.normalized_shape)
        inner = shape[-k:]
        return [("wrong trailing size", shape[:-1] + (shape[-1] + 1,)),
                ("exact dims", inner), ("more leading dims", (2, 1) + shape), ("one leading", (1,) + inner),
                ("too few dims", inner[1:]), ("empty leading", (0,) + inner)]
    if kind == "GroupNorm":
        g = block.num_groups
        return [("2-d", (n, c)), ("3-d", (n, c, 3)), ("one value per group", (1, c) + (1,) * len(sp)),
                ("group of one", (1, g) + (1,) * len(sp)), ("channels + groups", (n, c + g) + sp),
                ("empty batch", (0, c) + sp), ("1-d", (c,)), ("two channels", (2, 2, 3)),
                ("fewer channels than groups", (5, 1)),
                # N * C / G = 1 with 5 positions: torch's one-value check reads every spatial dim, the first too
                ("one sample of G channels, 5 positions", (1, g, 5) + (1,) * max(0, len(sp) - 1)),
                ("N * C / G = prod(spatial)", (1, c, c // g) + (1,) * max(0, len(sp) - 1))]
    if kind == "Sequential":  # Linear, BatchNorm1d, ...: rows
        hidden = block[1].num_features  # (hidden, hidden, c) reaches BatchNorm1d as (N, C, L), N = L: its 3-d branch
        return [("two rows", (2, c)), ("one row", (1, c)), ("empty batch", (0, c)), ("3-d", (hidden, hidden, c)),
                ("3-d, one sample", (1, hidden, c)), ("1-d", (c,))]
    return [("3-d", shape[:3]), ("5-d", shape + (2,)), ("one channel", (n, 1) + sp), ("empty batch", (0,) + shape[1:]),
            ("more channels", (n, c + 3) + sp), ("twice the channels and one", (n, 2 * c + 1) + sp),
            # CrossMapLRN2d: from C = 2p + 1 on, channels are both added to and subtracted from the running sum
            ("C = 2p + 1", (n, 2 * ((block.size + 1) // 2) + 1) + sp)] + [
                (f"C = {m}", (n, m) + sp) for m in {max(1, (block.size + 1) // 2 + j) for j in (-1, 0, 1, 2)}]


def _dtype_probes(case, block, rng) -> list[tuple[str, tuple]]:
    x = normal(rng, case.shape)
    found = [("float32 input", (x.astype(np.float32),)), ("int64 input", (x.astype(np.int64),))]
    if _kind(block) == "RMSNorm":  # torch sums float32 squares in float32: an overflow gives y = 0
        found += [("float32 sum of squares overflows", (rng.uniform(lo, hi, case.shape).astype(np.float32),))
                  for lo, hi in ((0.9e19, 1.3e19), (1e19, 3e19))]  # its mean square above max / n, and above max
        found.append(("float32 sum of squares exactly its max", (_squares_sum_to_float32_max(case, block),)))
    return found


def _squares_sum_to_float32_max(case, block) -> np.ndarray:
    """Every normalized block (1, 2, ... elements) with squares 2^104 (4095^2, 90^2, 9^2, 3^2, 0, ...): their sum is
    (2^24 - 1) 2^104, the float32 max, exactly, in any order (every partial sum is an integer below 2^24 times
    2^104). torch's float32 sum does not overflow there (y is finite), and the mean square is exactly max / n."""
    n = math.prod(block.normalized_shape)
    row = np.zeros(n, np.float32)
    row[:4] = np.array([4095, 90, 9, 3], np.float32) * np.float32(2.0**52)
    return np.broadcast_to(row.reshape(block.normalized_shape), case.shape).copy()


def _variants(block) -> list[tuple[str, str, dict]]:
    """(label, class name, kwargs) of the entry's class with one argument at a boundary."""
    name, kind = type(block).__name__, _kind(block)
    if kind in ("BatchNorm", "InstanceNorm"):
        kw = dict(eps=block.eps, momentum=block.momentum, affine=block.affine,
                  track_running_stats=block.track_running_stats, bias=block.bias is not None or not block.affine)
        if name.startswith("Lazy"):
            return [("eps 0", name, dict(kw, eps=0.0))]
        return [("num_features 0", name, dict(kw, num_features=0)),
                ("num_features -1", name, dict(kw, num_features=-1)),
                ("eps 0", name, dict(kw, num_features=block.num_features, eps=0.0)),
                ("eps -1e-5", name, dict(kw, num_features=block.num_features, eps=-1e-5))]
    if kind in ("LayerNorm", "RMSNorm"):
        kw = dict(normalized_shape=block.normalized_shape, eps=block.eps, elementwise_affine=block.elementwise_affine)
        if kind == "LayerNorm":
            kw["bias"] = block.bias is not None or not block.elementwise_affine
        shape = block.normalized_shape
        return [("eps 0", name, dict(kw, eps=0.0)), ("a size 0", name, dict(kw, normalized_shape=shape[:-1] + (0,))),
                ("a bool first", name, dict(kw, normalized_shape=(True,) + shape[1:])),
                ("a float first", name, dict(kw, normalized_shape=(2.0,) + shape[1:])),
                ("a size -1", name, dict(kw, normalized_shape=shape[:-1] + (-1,))),
                ("a bool size", name, dict(kw, normalized_shape=shape[:-1] + (True,)))]
    if kind == "GroupNorm":
        kw = dict(num_groups=block.num_groups, num_channels=block.num_channels, eps=block.eps, affine=block.affine,
                  bias=block.bias is not None or not block.affine)
        return [("eps 0", name, dict(kw, eps=0.0)), ("no channels", name, dict(kw, num_channels=0)),
                ("-groups channels", name, dict(kw, num_channels=-block.num_groups))]
    if kind == "Sequential":
        return []
    kw = dict(size=block.size, alpha=block.alpha, beta=block.beta, k=block.k)  # the local response norms
    sizes = (0, 1, 2, 3, 5) + (2.0, True) * (name == "LocalResponseNorm")  # CrossMapLRN2d's non-int: a departure
    return [(f"size {n!r}", name, dict(kw, size=n)) for n in sizes]


def _window_probes(case, kw: dict) -> list[tuple[str, tuple]]:
    """A local response norm variant of another int size: C = p and p + 1 (p = (size + 1) // 2), where its window
    first reaches past the channels."""
    size = kw.get("size")
    if type(size) is not int or size <= 0:
        return []
    p = (size + 1) // 2
    return [(f"size {size}: C = {c}", (normal(np.random.default_rng(c), (case.shape[0], c) + case.shape[2:]),))
            for c in (p, p + 1)]


def _eps_zero_probes(case, block, label: str) -> list[tuple[str, tuple]]:
    """eps 0 on a constant input (a zero variance: torch's 0/0 and 1/0 without a warning) and a normal one."""
    shape = case.shape
    exact = _kind(block) in ("BatchNorm", "InstanceNorm", "Sequential")  # torch's InvStd: x_hat = 0 there
    constant = "constant input" if exact else "forward only: constant input"
    return [(f"{label}: {constant}", (np.full(shape, 1.5),)),
            (f"{label}: ramp", (np.arange(math.prod(shape), dtype=np.float64).reshape(shape) % 5,))]


@pytest.mark.parametrize("case", NORM, ids=str)
def test_normalization_probes_like_torch(case, rng):
    compare_variant(f"{case.name}/built afresh", case.make)  # its state as torch builds it (the pair below shares it)
    s, r = build_pair(case, np.float64)
    variants = _variants(s)  # before the first call turns a Lazy class eager
    x = case.sample(rng, np.float64, case.shape, 1.0)
    compare_pair(case, np.float64, s, r, x, rng, prefix="first call:")  # (a Lazy module's buffers exist from here)
    randomize(s, r, rng)
    compare_probes(case, s, r, [("random state", x)], rng)
    s.eval(), r.eval()
    compare_probes(case, s, r, [("random state, eval", x)] + [(f"eval: {label}", (normal(rng, shape),))
                                                               for label, shape in _shapes(case, s)], rng)
    s.train(), r.train()
    compare_probes(case, s, r, [(label, (normal(rng, shape),)) for label, shape in _shapes(case, s)]
                   + _dtype_probes(case, s, rng), rng)
    compare_frozen(case, s, r, x, rng)
    _states_equal(case, s, r)
    for label, name, kw in variants:
        pair = compare_variant(f"{case.name}/{label}", lambda lib, name=name, kw=kw: getattr(lib, name)(**kw))
        if pair is not None and not getattr(pair[0], "has_uninitialized_params", lambda: False)():
            compare_probes(case, *pair, [(f"{label}: the entry's input", x)] + _window_probes(case, kw), rng)
        if pair is not None and "eps" in label:
            ps, pr = pair
            if getattr(ps, "has_uninitialized_params", lambda: False)():  # materialized by a first call in eval
                ps.eval(), pr.eval()
                compare_pair(case, np.float64, ps, pr, x, rng, prefix=f"{label} first call:")
            randomize(ps, pr, rng)
            for train in (True, False):
                ps.train(train), pr.train(train)
                compare_probes(case, ps, pr, _eps_zero_probes(case, s, f"{label}, train={train}"), rng)


def _special(shape, value) -> np.ndarray:
    x = np.random.default_rng(0).standard_normal(shape)
    x.reshape(-1)[::3] = value
    return x


def harness_outcome_raw(fn) -> None:
    """Run fn, its exception (the class is the generic checks' business) set aside, its warnings not."""
    try:
        fn()
    except Exception:  # noqa: BLE001, S110 - the warnings are what is compared here
        pass


@pytest.mark.parametrize("case", [c for c in NORM if c.name != "mlp_batchnorm"], ids=str)
def test_normalization_warns_like_torch(case):
    """Called directly (not through the harness, which ignores warnings): no numpy RuntimeWarning at NaN or inf
    input or cotangent, nor, with eps 0, at a zero variance or mean square (torch computes those silently);
    InstanceNorm's channel-count
    UserWarning exactly where torch's."""
    s, r = build_pair(case, np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for value in (np.nan, np.inf):
            y = s(_special(case.shape, value))
            s.backward(np.ones_like(y))
        y = s(normal(np.random.default_rng(2), case.shape))  # finite input, inf and NaN in the cotangent only
        dy = _special(y.shape, np.inf)
        dy.reshape(-1)[1::3] = np.nan
        s.backward(dy)
    for label, name, kw in _variants(s):
        if label == "eps 0":
            block = getattr(Lib(scratch.nn, np.float64), name)(**kw)
            for train, fill in ((True, 1.5), (False, 1.5), (True, 0.0)):  # 0: RMSNorm's zero mean square too
                block.train(train)
                with warnings.catch_warnings():
                    warnings.simplefilter("error", RuntimeWarning)
                    try:
                        block.backward(np.ones_like(block(np.full(case.shape, fill))))
                    except RuntimeWarning:
                        raise
                    except Exception:  # noqa: BLE001, S110 - torch's error classes are the probes' business
                        pass
    if _kind(s) == "InstanceNorm" and not s.affine:
        lead = case.shape[:-1]
        fdim = 0 if "unbatched" in case.name else 1
        spatial_plus = tuple(d + (i > fdim) for i, d in enumerate(case.shape))  # only the feature dim is num_features
        for shape in (case.shape, lead[:-1] + (lead[-1] + 1,) + case.shape[-1:], lead + (case.shape[-1] + 1,),
                      spatial_plus):
            x = normal(np.random.default_rng(1), shape)
            caught = []
            for m in (s, r):
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    harness_outcome_raw(lambda m=m, x=x: m(x))
                caught.append(sorted({type(i.message).__name__ for i in w}))
            assert caught[0] == caught[1], (shape, caught)


def _lazy_first_calls(case, block) -> list[tuple[str, tuple]]:
    """A Lazy module's first call takes num_features from input.shape[1]: other batch sizes and ranks."""
    c, sp = case.shape[1], case.shape[2:]
    return [("first call N != C", (c + 1, c) + sp), ("first call rank 2", (2, c)), ("first call rank 1", (c,)),
            ("first call C != H", (2, c + 1) + sp)]


@pytest.mark.parametrize("case", [c for c in NORM if c.name.startswith("lazy")], ids=str)
def test_lazy_normalization_first_calls_like_torch(case, rng):
    for label, shape in _lazy_first_calls(case, None):
        s, r = build_pair_unmaterialized(case)
        assert s.num_features == r.torch_module.num_features, (label, s.num_features)  # 0 until materialized
        compare_probes(case, s, r, [(label, (normal(rng, shape),))], rng)
        if not getattr(s, "has_uninitialized_params", lambda: False)():  # materialized: its state as torch's
            _states_equal(case, s, r)


def build_pair_unmaterialized(case):
    """The entry's Lazy pair before any materialization (the harness' build materializes it)."""
    s = case.make(Lib(scratch.nn, np.float64, np.random.default_rng(0)))
    r = case.make(Lib(reference.nn, np.float64, np.random.default_rng(0)))
    return s, r
