"""MaxUnpool and FractionalMaxPool entries at the edges their own samples do not reach, each compared with torch
(values, gradients, and the exception's class AND message where torch refuses), one test per entry (its id is the
entry's name: the mutation audit of an entry runs it):

- MaxUnpool: spatial sizes 1 (an output plane of one element for k3 s2 p1), an output_size with a 0 where the
  range allows it, an empty channel or spatial dim, an index exactly one past the plane, and the entry's class with
  padding 1 (the default size's ``- 2 p``);
- FractionalMaxPool: the class with an int kernel, an output_ratio, tuples of the wrong length, a 0 in a 3-d
  kernel, outputs too large in each dim (torch's check order names the first), rank-0 and rank-1 inputs, int64
  samples with an int64 input, a kernel of 0 in backward (2-d); and samples so large (|u| ~ 2e16) that rounding
  puts a window past the input, where torch reads out of bounds (undefined): scratch refuses (torch-free).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.cases._pool_samplers import unpool_inputs
from tests.cases._probes import compare_probes
from tests.catalog import CATALOG, Lib
from tests.harness import build_pair, forward, outcome
from tests.test_pooling_messages import _assert_same_message

UNPOOL = [c for c in CATALOG if c.family == "pooling" and c.name.startswith("maxunpool")]
FRACTIONAL = [c for c in CATALOG if c.family == "pooling" and c.name.startswith("fractional")]


def _compare(case, s, r, label, args, rng):
    """torch's refusal (class and message), or the whole comparison of values and gradients."""
    expected = outcome(lambda: forward(copy.deepcopy(r), args))
    if expected[0] == "raise":
        _assert_same_message(label, outcome(lambda: forward(copy.deepcopy(s), args)), expected)
    else:
        compare_probes(case, s, r, [(label, args)], rng)


@pytest.mark.parametrize("case", UNPOOL, ids=str)
def test_unpool_edges_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    k, st, p, d = s.kernel_size, s.stride, s.padding, s._d
    sample = unpool_inputs(d, k, st, p)
    probes = [("spatial 1", sample(rng, np.float64, (2, 2) + (1,) * d)),
              ("unbatched spatial 1", sample(rng, np.float64, (2,) + (1,) * d)),
              ("C = 0", sample(rng, np.float64, (2, 0) + (2,) * d)),
              ("first spatial dim 0", sample(rng, np.float64, (2, 2, 0) + (2,) * (d - 1)))]
    x, idx = sample(rng, np.float64, (2, 2) + (2,) * d)
    default = [(2 - 1) * st[i] - 2 * p[i] + k[i] for i in range(d)]
    past = idx.copy()
    past.reshape(-1)[-1] = int(np.prod(default))  # exactly one past the plane
    probes.append(("index = the plane size", (x, past)))
    for i in range(d):
        x1, idx1 = sample(rng, np.float64, (2, 2) + (1,) * d)
        size = [(1 - 1) * st[j] - 2 * p[j] + k[j] for j in range(d)]
        if size[i] - st[i] < 0:  # an output_size of 0 is in torch's range: an empty output
            size[i] = 0
            probes.append((f"output_size 0 in dim {i}", (x1, np.zeros_like(idx1), tuple(size))))
    for label, args in probes:
        _compare(case, s, r, label, args, rng)
    padded = [getattr(Lib(ns, np.float64), type(s).__name__)(k, st, 1) for ns in (scratch.nn, reference.nn)]
    x, idx = unpool_inputs(d, k, st, 1)(rng, np.float64, (2, 2) + (3,) * d)
    _compare(case, *padded, "padding 1", (x, idx), rng)


def _fractional_kwargs(block) -> dict:
    kw = {"kernel_size": block.kernel_size, "return_indices": block.return_indices}
    kw |= {"output_size": block.output_size} if block.output_size is not None else {"output_ratio": block.output_ratio}
    if block._random_samples is not None:
        kw["_random_samples"] = np.array(block._random_samples)
    return kw


def _fractional_variants(block, shape) -> list[tuple[str, dict, tuple]]:
    """(label, constructor arguments, input shape)."""
    d, kw = block._d, _fractional_kwargs(block)
    sized = {k: v for k, v in kw.items() if k != "output_ratio"}
    spatial = shape[-d:]
    found = [("kernel an int", dict(kw, kernel_size=1), shape),
             ("output_ratio 0.5", dict({k: v for k, v in sized.items() if k != "output_size"}, kernel_size=1,
                                       output_ratio=0.5), shape),
             ("kernel of d + 1 ints", dict(kw, kernel_size=(1,) * (d + 1)), shape),
             ("output_size of d + 1 ints", dict(sized, output_size=(1,) * (d + 1)), shape),
             ("output_size an int", dict(sized, output_size=1), shape),
             ("rank 0", kw, ()), ("rank 1", kw, (shape[-1],)),
             ("every output too large", dict(sized, output_size=tuple(spatial)), shape)]
    found += [(f"output too large in dim {i}", dict(sized, output_size=tuple(
        n if j == i else 1 for j, n in enumerate(spatial))), shape) for i in range(d)]
    if d == 3:
        found.append(("kernel with a 0", dict(kw, kernel_size=(2, 0, 2)), shape))
    return found


def _build(name, kw):
    return [outcome(lambda ns=ns: getattr(Lib(ns, np.float64, np.random.default_rng(5)), name)(
        **{k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}))
        for ns in (scratch.nn, reference.nn)]


@pytest.mark.parametrize("case", FRACTIONAL, ids=str)
def test_fractional_variants_like_torch(case, rng):
    block = case.make(Lib(scratch.nn))
    name, d = type(block).__name__, block._d
    for label, kw, shape in _fractional_variants(block, case.shape):
        bs, br = _build(name, kw)
        _assert_same_message(f"{label} (constructor)", bs, br)
        if br[0] == "ok":
            x = rng.standard_normal(shape)
            _compare(case, bs[1], br[1], label, (x,), rng)
    # int64 samples with an int64 input: the samples' dtype check passes, the integer kernel refuses
    # (an empty batch or an unbatched C = 0: an empty output, which torch returns before its dtype dispatch)
    shape = (2, 2) + tuple(case.shape[-d:])
    for label, x, planes in (("int64", np.ones(shape, np.int64), (2, 2)),
                             ("int64, empty batch", np.ones((0,) + shape[1:], np.int64), (2, 2)),
                             ("int64, unbatched C = 0", np.ones((0,) + shape[2:], np.int64), (1, 0))):
        ints = dict(_fractional_kwargs(block), _random_samples=np.zeros(planes + (d,), np.int64), kernel_size=1)
        bs, br = _build(name, ints)
        _assert_same_message(label, outcome(lambda b=bs[1], x=x: forward(b, (x,))),
                             outcome(lambda b=br[1], x=x: forward(b, (x,))))
    if d == 2:  # kernel 0: -inf windows whose indices lie past the plane; torch's backward refuses (class only)
        for lib in (scratch.nn, reference.nn):
            m = getattr(Lib(lib, np.float64, np.random.default_rng(5)), name)(0, 2)
            y = m(np.zeros((1, 2, 4, 4)))
            with pytest.raises(RuntimeError):
                m.backward(np.ones_like(y))


@pytest.mark.parametrize("case", FRACTIONAL, ids=str)
def test_fractional_absurd_samples_raise_not_read_outside(case):
    """|u| = 2e16: (i + u) alpha rounds so that a start reaches n - k + 4 (18 -> 16 windows of 2: start 20; 17 -> 16
    of 1: start 20), past the input; torch reads out of bounds there (undefined), scratch raises RuntimeError."""
    block = case.make(Lib(scratch.nn))
    d, name = block._d, type(block).__name__
    for kernel, n in ((2, 18), (1, 17)):
        block = getattr(scratch.nn, name)(kernel, 16, _random_samples=np.full((1, 1, d), 2e16))
        with pytest.raises(RuntimeError, match="puts windows of size"):
            block(np.zeros((1, 1) + (n,) * d))
