"""Lazy convolutions and LazyLinear, what the catalog's generic checks cannot see (the harness materializes its
entries before the checks run): materialization INSIDE the first forward on each side by its own generator, the
class change, torch's state_dict before and after, load_state_dict into a lazy module, failed first calls, and
the departures documented in docs/torch_facts.md 4c."""

from __future__ import annotations

import numpy as np
import pytest

import reference.nn as R
import scratch.nn as S
from tests.tolerances import assert_close

# (lazy class, eager class, arguments, first input shape); unbatched and batched
LAZY = [
    ("LazyConv1d", "Conv1d", (3, 2), {"stride": 2}, (4, 6)),
    ("LazyConv2d", "Conv2d", (4, 3), {"groups": 2, "padding": 1}, (2, 6, 4, 5)),
    ("LazyConv3d", "Conv3d", (2, 2), {"bias": False}, (1, 3, 3, 2, 3)),
    ("LazyConvTranspose1d", "ConvTranspose1d", (3, 3), {"stride": 2, "output_padding": 1}, (2, 2, 4)),
    ("LazyConvTranspose2d", "ConvTranspose2d", (4, 2), {"groups": 2}, (4, 3, 3)),
    ("LazyConvTranspose3d", "ConvTranspose3d", (2, 2), {"dilation": 2}, (1, 2, 2, 2, 2)),
    ("LazyLinear", "Linear", (3,), {}, (2, 4, 5)),
]
IDS = [c[0] for c in LAZY]


def _pair(name: str, args: tuple, kwargs: dict, dtype=np.float64, seed: int = 0):
    return (getattr(S, name)(*args, dtype=dtype, rng=np.random.default_rng(seed), **kwargs),
            getattr(R, name)(*args, dtype=dtype, rng=np.random.default_rng(seed), **kwargs))


def _x(shape: tuple, dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(1).standard_normal(shape).astype(dtype)


def _layout(state: dict) -> dict:
    return {k: (np.asarray(v).shape, np.asarray(v).dtype) for k, v in state.items()}


@pytest.mark.parametrize(("name", "eager", "args", "kwargs", "shape"), LAZY, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_first_forward_materializes_and_becomes_the_eager_class(name, eager, args, kwargs, shape, dtype):
    s, r = _pair(name, args, kwargs, dtype)
    assert list(s.state_dict()) == list(r.state_dict())  # torch's keys before the first call, uninitialized
    assert all(type(v).__name__ == "UninitializedParameter" for v in [*s.state_dict().values(),
                                                                      *r.state_dict().values()])
    x = _x(shape, dtype)
    ys, yr = s(x), r(x)  # each side materializes by its own generator: shapes agree, values are torch's law
    assert (type(s).__name__, type(r).__name__) == (eager, eager)
    assert isinstance(s, getattr(S, eager)) and not hasattr(s, "_init_rng")
    size = "in_features" if eager == "Linear" else "in_channels"
    expected = shape[-1] if eager == "Linear" else shape[-len(shape) + (len(shape) == s._dims + 2)]
    assert getattr(s, size) == getattr(r.torch_module, size) == expected
    assert _layout(s.state_dict()) == _layout(r.state_dict()) and ys.shape == yr.shape
    assert repr(r) == "reference." + repr(s)
    eager_s = getattr(S, eager)(*((getattr(s, size),) + args), dtype=dtype, rng=np.random.default_rng(0), **kwargs)
    for (k, v), w in zip(s.state_dict().items(), eager_s.state_dict().values(), strict=True):  # the same draws
        assert np.array_equal(v, w), k
    r.load_state_dict(s.state_dict())
    assert_close(s(x), r(x), block=name, check="lazy: output once the twin loads scratch's parameters")


@pytest.mark.parametrize(("name", "eager", "args", "kwargs", "shape"), LAZY[1:2] + LAZY[4:5], ids=IDS[1:2] + IDS[4:5])
def test_uninitialized_parameters_behave_as_torchs(name, eager, args, kwargs, shape):
    s, r = _pair(name, args, kwargs)
    for side in (s.weight, r.torch_module.weight):
        with pytest.raises(RuntimeError, match="uninitialized parameter"):
            side.shape  # noqa: B018 - the access is the test
    assert s.weight.dtype == np.float64 and s.weight.grad is None and s.has_uninitialized_params()
    s32, r32 = _pair(name, args, kwargs, np.float32)
    s32.double(), r32.double()  # casting before materialization materializes in the new dtype, as torch
    s32(_x(shape)), r32(_x(shape))
    assert s32.weight.dtype == r32.state_dict()['weight'].dtype == np.float64


@pytest.mark.parametrize(("name", "eager", "args", "kwargs", "shape"), LAZY, ids=IDS)
def test_load_state_dict_into_a_lazy_module(name, eager, args, kwargs, shape):
    s, r = _pair(name, args, kwargs)
    other_s, other_r = _pair(name, args, kwargs, seed=3)
    assert tuple(s.load_state_dict(other_s.state_dict())) == tuple(r.load_state_dict(other_r.state_dict())) == ([], [])
    assert s.has_uninitialized_params() and r.has_uninitialized_params()  # lazy into lazy: still lazy
    x = _x(shape)
    other_s(x)
    s.load_state_dict(other_s.state_dict()), r.load_state_dict(other_s.state_dict())
    assert not s.has_uninitialized_params() and not r.has_uninitialized_params()
    assert (type(s).__name__, type(r.torch_module).__name__) == (name, name)  # the class changes at the call
    if eager == "Linear":  # torch's LazyLinear takes in_features from the first call after a load, so does scratch
        assert s.in_features == r.torch_module.in_features == 0
    else:
        assert s.in_channels == other_s.in_channels and r.torch_module.in_channels == 0  # departure: torch: 0
    ys, yr = s(x), r(x)
    assert (type(s).__name__, type(r).__name__) == (eager, eager)
    if eager == "Linear":
        assert s.in_features == r.torch_module.in_features == shape[-1]
    assert_close(ys, yr, block=name, check="lazy: output after loading a materialized state")
    assert np.array_equal(ys, other_s(x))
    fresh_s, fresh_r = _pair(name, args, kwargs)  # an uninitialized state into a materialized module
    for loaded, state in ((other_s, fresh_s.state_dict()), (r, fresh_r.state_dict())):
        with pytest.raises(RuntimeError, match="uninitialized parameter"):
            loaded.load_state_dict(state)


def test_missing_bias_key_raises_and_leaves_the_bias_lazy():
    s, r = _pair("LazyConv2d", (4, 3), {})
    weight = {"weight": np.zeros((4, 3, 3, 3))}
    for side in (s, r):
        with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "bias"'):
            side.load_state_dict(weight)
    assert type(s.bias).__name__ == type(r.torch_module.bias).__name__ == "UninitializedParameter"
    assert s.weight.shape == tuple(r.torch_module.weight.shape) == (4, 3, 3, 3)


def test_a_failed_first_call_leaves_the_module_lazy_and_a_good_one_then_works():
    s, r = _pair("LazyConv2d", (4, 3), {"groups": 2})
    for side in (s, r):
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            side(_x((1, 3, 5, 5)))
    assert s.has_uninitialized_params() and r.has_uninitialized_params()
    assert (type(s).__name__, s.in_channels) == (type(r).__name__, r.torch_module.in_channels) == ("LazyConv2d", 3)
    for side in (s, r):
        with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input to LazyConv2d"):
            side(_x((5, 5)))
    assert s(_x((1, 4, 5, 5))).shape == r(_x((1, 4, 5, 5))).shape == (1, 4, 3, 3)
    assert type(s).__name__ == type(r).__name__ == "Conv2d"


def test_dtype_error_at_the_first_call_still_materializes():
    """torch materializes (and changes the class) before the conv refuses a float64 input to a float32 module."""
    s, r = _pair("LazyConv2d", (4, 3), {}, np.float32)
    for side in (s, r):
        with pytest.raises(RuntimeError):
            side(_x((1, 2, 5, 5)))
    assert type(s).__name__ == type(r).__name__ == "Conv2d" and s.weight.shape == (4, 2, 3, 3)


def test_departure_transposed_without_bias_and_out_channels_not_divisible():
    """torch computes weight.shape[1] * groups = 2 channels for out_channels=3, groups=2; scratch refuses."""
    s, r = _pair("LazyConvTranspose2d", (3, 3), {"groups": 2, "bias": False})
    assert r(_x((1, 4, 3, 3))).shape == (1, 2, 5, 5)
    with pytest.raises(RuntimeError, match="out_channels \\(3\\) must be divisible by groups \\(2\\)"):
        s(_x((1, 4, 3, 3)))


def test_lazy_linear_loaded_then_called_with_other_features_raises_as_torch():
    s, r = _pair("LazyLinear", (3,), {})
    state = S.Linear(4, 3).state_dict()
    s.load_state_dict(state), r.load_state_dict(state)
    for side in (s, r):
        with pytest.raises(AssertionError, match="in_features inferred from input: 5 is not equal to in_features "
                                                 "from self.weight: 4"):
            side(_x((2, 5)))
    assert type(s).__name__ == type(r).__name__ == "LazyLinear"


NORMS = [("LazyBatchNorm1d", "BatchNorm1d", (4, 3)), ("LazyBatchNorm2d", "BatchNorm2d", (2, 3, 2, 2)),
         ("LazyBatchNorm3d", "BatchNorm3d", (2, 2, 1, 2, 2)), ("LazyInstanceNorm1d", "InstanceNorm1d", (2, 3, 4)),
         ("LazyInstanceNorm2d", "InstanceNorm2d", (1, 2, 3, 3)),
         ("LazyInstanceNorm3d", "InstanceNorm3d", (2, 2, 2, 1, 2))]


@pytest.mark.parametrize(("name", "eager", "shape"), NORMS, ids=[n[0] for n in NORMS])
def test_lazy_norms_materialize_buffers_and_become_the_eager_class(name, eager, shape):
    s, r = getattr(S, name)(dtype=np.float64), getattr(R, name)(dtype=np.float64)
    assert repr(r) == "reference." + repr(s)  # _LazyNormBase's defaults: affine and tracking, also for instance
    before = [(k, type(v).__name__) for k, v in s.state_dict().items()]
    assert before == [(k, type(v).__name__ if k != "num_batches_tracked" else "ndarray")
                      for k, v in r.state_dict().items()]
    assert [t for _, t in before] == ["UninitializedParameter"] * 2 + ["UninitializedBuffer"] * 2 + ["ndarray"]
    x = _x(shape)
    assert_close(s(x), r(x), block=name, check="lazy: first forward (materializes)")
    assert (type(s).__name__, type(r).__name__) == (eager, eager) and s.num_features == shape[1]
    for (k, v), w in zip(s.state_dict().items(), r.state_dict().values(), strict=True):
        assert v.dtype == w.dtype and v.shape == w.shape, k
        if v.dtype.kind == "f":
            assert_close(v, w, block=name, check=f"lazy: state[{k}] after the first training step")
        else:
            assert np.array_equal(v, w), k


@pytest.mark.parametrize(("name", "eager", "shape"), NORMS[:1] + NORMS[4:5], ids=[NORMS[0][0], NORMS[4][0]])
def test_load_state_dict_into_a_lazy_norm(name, eager, shape):
    """torch leaves num_features at 0 after the load (the departure): harmless for BatchNorm, but torch's
    InstanceNorm then refuses every input ("to match num_features (0)"); scratch's computes what the eager module
    holding that state computes."""
    s, r = getattr(S, name)(dtype=np.float64), getattr(R, name)(dtype=np.float64)
    source = getattr(S, eager)(shape[1], affine=True, track_running_stats=True, dtype=np.float64)
    source.train(), source(_x(shape) * 3 + 1)  # running statistics that are not the initial ones
    s.load_state_dict(source.state_dict()), r.load_state_dict(source.state_dict())
    assert not s.has_uninitialized_params() and not r.has_uninitialized_params()
    assert s.num_features == shape[1] and r.torch_module.num_features == 0
    eager_r = getattr(R, eager)(shape[1], affine=True, track_running_stats=True, dtype=np.float64)
    eager_r.load_state_dict(source.state_dict())
    for side in (s, r, eager_r):
        side.eval()
    assert_close(s(_x(shape)), eager_r(_x(shape)), block=name, check="lazy: eval output after loading a state")
    if eager.startswith("Instance"):
        with pytest.raises(ValueError, match="to match num_features \\(0\\)"):
            r(_x(shape))
    else:
        assert_close(r(_x(shape)), eager_r(_x(shape)), block=name, check="lazy: torch's after loading a state")
    assert type(s).__name__ == type(r).__name__ == eager


def test_uninitialized_buffer_hides_its_shape_and_casts():
    s = S.LazyBatchNorm1d()
    with pytest.raises(RuntimeError, match="uninitialized parameter or buffer"):
        s.running_mean.shape  # noqa: B018 - the access is the test
    s.double()
    assert s.running_mean.dtype == np.float64 and type(s.running_mean).__name__ == "UninitializedBuffer"
    s(_x((3, 2)))
    assert s.running_var.dtype == np.float64 and s.running_var.shape == (2,)
