"""The Module API a torch user reaches for, against torch: requires_grad and frozen training, named_children,
add_module / register_parameter / get_submodule / apply, deduplicated traversal with tied weights, to(dtype) /
double() / float(), and load_state_dict's _IncompatibleKeys and exact error texts."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import reference.nn as R
import reference.optim
import scratch.nn as S
import scratch.optim
from tests.harness import assert_same_outcome, outcome
from tests.tolerances import Tol, assert_close

# float64, same formulas in the same order on both sides (measured worst ~1e-16 relative over these runs)
TIGHT64 = Tol(rtol=1e-12, atol=1e-13, reason="float64 twin of the same expression, a few steps")


def _mlp(lib, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return lib.Sequential(lib.Linear(4, 6, dtype=dtype, rng=rng), lib.Tanh(), lib.Linear(6, 5, dtype=dtype, rng=rng),
                          lib.ReLU(), lib.Linear(5, 3, dtype=dtype, rng=rng))


def _pair(dtype=np.float64, seed=0):
    s, r = _mlp(S, dtype, seed), _mlp(R, dtype, seed + 1)
    r.load_state_dict(s.state_dict())
    return s, r


def _torch_state(sd):
    return OrderedDict((k, torch.from_numpy(np.array(v, copy=True))) for k, v in sd.items())


# -- requires_grad -------------------------------------------------------------------------------------------------
def test_parameter_requires_grad_defaults_and_validation_like_torch():
    p, t = S.Parameter(np.zeros(2)), torch.nn.Parameter(torch.zeros(2))
    assert p.requires_grad is True and t.requires_grad is True
    assert p.requires_grad_(False) is p and p.requires_grad is False
    assert p.requires_grad_() is p and p.requires_grad is True
    assert S.Parameter(np.zeros(1), requires_grad=False).requires_grad is False
    assert_same_outcome("requires_grad_('yes')", outcome(lambda: p.requires_grad_("yes")),
                        outcome(lambda: t.requires_grad_("yes")))
    assert str(outcome(lambda: p.requires_grad_("yes"))[1]) == str(outcome(lambda: t.requires_grad_("yes"))[1])
    for bad in (1, "yes", None):
        got = outcome(lambda b=bad: setattr(p, "requires_grad", b))
        want = outcome(lambda b=bad: setattr(t, "requires_grad", b))
        assert_same_outcome(f"requires_grad = {bad!r}", got, want)
        assert str(got[1]) == str(want[1])


def test_accumulate_leaves_grad_alone_when_frozen(rng):
    p = S.Parameter(np.zeros(3), requires_grad=False)
    p.accumulate(rng.standard_normal(3))
    assert p.grad is None
    p.requires_grad_(True).accumulate(np.ones(3))
    kept = p.grad.copy()
    p.requires_grad_(False).accumulate(np.ones(3))  # torch keeps an existing .grad when a tensor is frozen
    np.testing.assert_array_equal(p.grad, kept)


def test_module_requires_grad_sets_every_parameter_and_returns_self():
    s, r = _pair()
    assert s.requires_grad_(False) is s and not any(p.requires_grad for p in s.parameters())
    r.torch_module.requires_grad_(False)
    assert [p.requires_grad for p in s.parameters()] == [p.requires_grad for p in r.torch_module.parameters()]
    assert s.requires_grad_() is s and all(p.requires_grad for p in s.parameters())


OPTIMIZERS = [("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.05}),
              ("Adam", {"lr": 0.05, "weight_decay": 0.05}), ("AdamW", {"lr": 0.05}),
              ("RMSprop", {"lr": 0.01}), ("Adagrad", {"lr": 0.1})]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_frozen_first_layer_trains_like_torch(name, kwargs, rng):
    s, r = _pair()
    s[0].requires_grad_(False)
    r.torch_module[0].requires_grad_(False)
    frozen = {k: v.copy() for k, v in s.state_dict().items() if k.startswith("0.")}
    s_opt = getattr(scratch.optim, name)(s.parameters(), **kwargs)
    r_opt = getattr(reference.optim, name)(r.parameters(), **kwargs)
    for step in range(5):
        x, dy = rng.standard_normal((7, 4)), rng.standard_normal((7, 3))
        s_opt.zero_grad(), r_opt.zero_grad()
        s(x), r(x)
        dx_s, dx_r = s.backward(dy), r.backward(dy)
        assert_close(dx_s, dx_r, block=f"frozen.{name}", check=f"grad_input step {step}", tol=TIGHT64)
        assert s[0].weight.grad is None and s[0].bias.grad is None
        assert r.torch_module[0].weight.grad is None and r.torch_module[0].bias.grad is None
        s_opt.step(), r_opt.step()
    s_sd, r_sd = s.state_dict(), r.state_dict()
    for k, v in frozen.items():
        np.testing.assert_array_equal(s_sd[k], v, err_msg=f"scratch {name} moved frozen {k}")
        np.testing.assert_array_equal(r_sd[k], v, err_msg=f"torch {name} moved frozen {k}")
    for k in s_sd:
        assert_close(s_sd[k], r_sd[k], block=f"frozen.{name}", check=f"param[{k}] after 5 steps", tol=TIGHT64)
    assert not np.array_equal(s_sd["2.weight"], _pair()[0].state_dict()["2.weight"]), "the rest must train"


def test_frozen_after_backward_keeps_its_grad_and_still_steps_like_torch(rng):
    """torch's optimizers test ``p.grad is None``, not requires_grad: freezing without zero_grad still steps."""
    s, r = _pair()
    x, dy = rng.standard_normal((3, 4)), rng.standard_normal((3, 3))
    s(x), r(x)
    s.backward(dy), r.backward(dy)
    s[0].requires_grad_(False)
    r.torch_module[0].requires_grad_(False)
    scratch.optim.SGD(s.parameters(), lr=0.1).step()
    reference.optim.SGD(r.parameters(), lr=0.1).step()
    for k, v in s.state_dict().items():
        assert_close(v, r.state_dict()[k], block="frozen.stale_grad", check=k, tol=TIGHT64)


# -- structure: children, add_module, register_parameter, get_submodule, apply ---------------------------------------
def _both(fn):
    """fn(lib) for scratch.nn and torch.nn (torch's modules take no dtype/rng here)."""
    return fn(S), fn(torch.nn)


def test_named_children_and_apply_order_like_torch():
    def make(lib):
        inner = lib.Sequential(lib.ReLU(), lib.Tanh())
        return lib.Sequential(lib.Linear(2, 2), inner, inner, lib.Sigmoid())
    s, t = _both(make)
    assert [n for n, _ in s.named_children()] == [n for n, _ in t.named_children()] == ["0", "1", "3"]
    assert [type(m).__name__ for m in s.children()] == [type(m).__name__ for m in t.children()]
    order_s, order_t = [], []
    assert s.apply(lambda m: order_s.append(type(m).__name__)) is s
    t.apply(lambda m: order_t.append(type(m).__name__))
    assert order_s == order_t  # children first; a child shared by two parents is visited per parent


ADD_MODULE_CASES = [("x", 3), (3, "relu"), ("a.b", "relu"), ("", "relu"), ("weight", "relu"), ("in_features", "relu"),
                    ("", 3), ("weight", 3), ("forward", "relu"), ("fresh", "relu"), ("none", None)]


@pytest.mark.parametrize("name,child", ADD_MODULE_CASES, ids=str)
@pytest.mark.parametrize("method", ["add_module", "register_module"])
def test_add_module_errors_like_torch(method, name, child):
    s, t = S.Linear(2, 2), torch.nn.Linear(2, 2)
    cs, ct = (S.ReLU(), torch.nn.ReLU()) if child == "relu" else (child, child)
    got, want = outcome(lambda: getattr(s, method)(name, cs)), outcome(lambda: getattr(t, method)(name, ct))
    assert_same_outcome(f"{method}({name!r})", got, want)
    if want[0] == "raise":
        assert str(got[1]) == str(want[1])
    else:
        assert list(s._modules) == list(t._modules) and repr(s) == repr(t)


REGISTER_PARAMETER_CASES = [("p", 3), ("p.q", None), ("", None), ("in_features", None), (3, None), ("q", None),
                            ("weight", "param"), ("foo.bar", 3), ("fresh", "param")]


@pytest.mark.parametrize("name,value", REGISTER_PARAMETER_CASES, ids=str)
def test_register_parameter_like_torch(name, value):
    s, t = S.Linear(2, 2), torch.nn.Linear(2, 2)
    vs, vt = (S.Parameter(np.zeros(1)), torch.nn.Parameter(torch.zeros(1))) if value == "param" else (value, value)
    got, want = outcome(lambda: s.register_parameter(name, vs)), outcome(lambda: t.register_parameter(name, vt))
    assert_same_outcome(f"register_parameter({name!r})", got, want)
    if want[0] == "raise" and not isinstance(value, int):  # torch names its own Parameter class in the TypeError
        assert str(got[1]) == str(want[1])
    assert [n for n, _ in s.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert list(s.state_dict()) == list(t.state_dict())


def test_register_parameter_none_reserves_the_name_like_torch():
    s, t = S.Linear(2, 2), torch.nn.Linear(2, 2)
    s.register_parameter("extra", None), t.register_parameter("extra", None)
    assert s.extra is None and t.extra is None and list(s.state_dict()) == list(t.state_dict())
    got, want = outcome(lambda: setattr(s, "extra", 3)), outcome(lambda: setattr(t, "extra", 3))
    assert_same_outcome("assign int to a parameter name", got, want)
    s.extra, t.extra = S.Parameter(np.ones(2)), torch.nn.Parameter(torch.ones(2))
    assert list(s.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("name,value,persistent", [("running_mean", "array", True), ("eps", "array", True),
                                                    ("z", 3, True), ("z.z", None, True), ("", None, True),
                                                    (3, None, True), ("z", "array", False), ("z", None, True)], ids=str)
def test_register_buffer_like_torch(name, value, persistent):
    s, t = S.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    vs, vt = (np.ones(2), torch.ones(2)) if value == "array" else (value, value)
    got = outcome(lambda: s.register_buffer(name, vs, persistent=persistent))
    want = outcome(lambda: t.register_buffer(name, vt, persistent=persistent))
    assert_same_outcome(f"register_buffer({name!r})", got, want)
    if want[0] == "raise" and not isinstance(value, int):
        assert str(got[1]) == str(want[1])
    assert list(s.state_dict()) == list(t.state_dict())  # a non-persistent buffer is not in the state_dict
    assert [n for n, _ in s.named_buffers()] == [n for n, _ in t.named_buffers()]


@pytest.mark.parametrize("target", ["", "1", "1.0", "2", "0.weight", "1.0.x", "1.z"])
def test_get_submodule_like_torch(target):
    s, t = _both(lambda lib: lib.Sequential(lib.Linear(1, 1), lib.Sequential(lib.ReLU())))
    got, want = outcome(lambda: s.get_submodule(target)), outcome(lambda: t.get_submodule(target))
    assert_same_outcome(f"get_submodule({target!r})", got, want)
    if want[0] == "raise":
        assert str(got[1]) == str(want[1])
    else:
        assert type(got[1]).__name__ == type(want[1]).__name__


@pytest.mark.parametrize("what", ["int as parameter", "array as parameter", "int as module", "int as buffer",
                                  "array as buffer", "missing attribute", "delete parameter"])
def test_attribute_rules_like_torch(what):
    s, t = S.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    value = {"int": 3, "array": "array"}.get(what.split()[0])
    name = {"parameter": "weight", "module": "weight", "buffer": "running_mean"}.get(what.split()[-1])
    if what == "int as module":
        s.add_module("child", S.ReLU()), t.add_module("child", torch.nn.ReLU())
        name = "child"
    if what == "missing attribute":
        got, want = outcome(lambda: s.nope), outcome(lambda: t.nope)
        assert str(got[1]) == str(want[1])
    elif what == "delete parameter":
        del s.weight, t.weight
        got, want = outcome(lambda: list(s.state_dict())), outcome(lambda: list(t.state_dict()))
        assert got[1] == want[1]
    else:
        got = outcome(lambda: setattr(s, name, np.zeros(2) if value == "array" else value))
        want = outcome(lambda: setattr(t, name, torch.zeros(2) if value == "array" else value))
        assert list(s.state_dict()) == list(t.state_dict())
    assert_same_outcome(what, got, want)


# -- deduplicated traversal, tied weights ----------------------------------------------------------------------------
def test_shared_module_and_tied_weight_traversal_like_torch():
    def make(lib):
        shared, a, b = lib.Linear(3, 3), lib.Linear(3, 3), lib.Linear(3, 3)
        b.weight = a.weight  # tied
        return lib.Sequential(shared, lib.ReLU(), shared, a, b)
    s, t = _both(make)
    for fn in (lambda m: [n for n, _ in m.named_modules()],
               lambda m: [n for n, _ in m.named_modules(remove_duplicate=False)],
               lambda m: [n for n, _ in m.named_parameters()],
               lambda m: [n for n, _ in m.named_parameters(remove_duplicate=False)],
               lambda m: [n for n, _ in m.named_parameters(prefix="net", recurse=False)],
               lambda m: len(list(m.parameters())), lambda m: len(list(m.modules())),
               lambda m: list(m.state_dict())):  # state_dict keeps every key of a tied entry, as torch's
        assert fn(s) == fn(t)
    assert len(list(s.parameters())) == 5  # shared weight+bias, a.weight, a.bias, b.bias
    sd = s.state_dict()
    np.testing.assert_array_equal(sd["3.weight"], sd["4.weight"])
    sd["3.weight"] = sd["3.weight"] + 1  # loading both keys: the later one wins, as torch's in-place copies
    sd["4.weight"] = sd["4.weight"] + 2
    s.load_state_dict(sd)
    t.load_state_dict(_torch_state(sd))
    np.testing.assert_array_equal(s[3].weight.data, t[3].weight.detach().numpy())


def test_named_buffers_like_torch():
    s, t = _both(lambda lib: lib.Sequential(lib.BatchNorm1d(2), lib.Linear(2, 2), lib.BatchNorm1d(2, affine=False)))
    assert [n for n, _ in s.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert len(list(s.buffers())) == len(list(t.buffers()))


# -- to(dtype), double(), float() ------------------------------------------------------------------------------------
def _w(rng, n):
    return rng.uniform(0.5, 2.0, n).astype(np.float32)


# (name, make(lib, rng) -> float32 block, inputs(rng) in float64, is_loss)
DTYPE_BLOCKS = [
    ("mlp_norms", lambda lib, rng: lib.Sequential(
        lib.Linear(4, 6, dtype=np.float32, rng=rng), lib.BatchNorm1d(6, dtype=np.float32), lib.Tanh(),
        lib.Linear(6, 6, dtype=np.float32, rng=rng), lib.LayerNorm(6, dtype=np.float32),
        lib.GroupNorm(2, 6, dtype=np.float32), lib.ReLU(), lib.Linear(6, 3, dtype=np.float32, rng=rng)),
     lambda rng: (rng.standard_normal((5, 4)),), False),
    ("bilinear", lambda lib, rng: lib.Bilinear(3, 2, 4, dtype=np.float32, rng=rng),
     lambda rng: (rng.standard_normal((5, 3)), rng.standard_normal((5, 2))), False),
    ("batchnorm1d_no_affine", lambda lib, rng: lib.BatchNorm1d(3, affine=False, dtype=np.float32),
     lambda rng: (rng.standard_normal((5, 3, 4)),), False),
    ("batchnorm2d_cumulative", lambda lib, rng: lib.BatchNorm2d(2, momentum=None, dtype=np.float32),
     lambda rng: (rng.standard_normal((3, 2, 2, 3)),), False),
    ("instancenorm1d_tracked", lambda lib, rng: lib.InstanceNorm1d(3, affine=True, track_running_stats=True,
                                                                   dtype=np.float32),
     lambda rng: (rng.standard_normal((2, 3, 5)),), False),
    ("instancenorm2d", lambda lib, rng: lib.InstanceNorm2d(2, track_running_stats=True, dtype=np.float32),
     lambda rng: (rng.standard_normal((2, 2, 3, 3)),), False),
    ("cross_entropy_weight", lambda lib, rng: lib.CrossEntropyLoss(weight=_w(rng, 4), label_smoothing=0.1),
     lambda rng: (rng.standard_normal((6, 4)), rng.integers(0, 4, 6)), True),
    ("nll_weight", lambda lib, rng: lib.NLLLoss(weight=_w(rng, 4)),
     lambda rng: (rng.standard_normal((6, 4)), rng.integers(0, 4, 6)), True),
    ("bce_weight", lambda lib, rng: lib.BCELoss(weight=_w(rng, 3)),
     lambda rng: (rng.uniform(0.1, 0.9, (4, 3)), rng.uniform(0, 1, (4, 3))), True),
    ("bce_logits_pos_weight", lambda lib, rng: lib.BCEWithLogitsLoss(weight=_w(rng, 3), pos_weight=_w(rng, 3)),
     lambda rng: (rng.standard_normal((4, 3)), rng.uniform(0, 1, (4, 3))), True),
    ("multi_margin_weight", lambda lib, rng: lib.MultiMarginLoss(weight=_w(rng, 4)),
     lambda rng: (rng.standard_normal((6, 4)), rng.integers(0, 4, 6)), True),
]


def _run(block, args, is_loss, dy_rng):
    out = block(*args)
    if is_loss:
        return out, block.backward()
    return out, block.backward(np.random.default_rng(dy_rng).standard_normal(np.shape(out)))


@pytest.mark.parametrize("name,make,inputs,is_loss", DTYPE_BLOCKS, ids=[b[0] for b in DTYPE_BLOCKS])
def test_double_of_a_float32_block_computes_like_torchs_double(name, make, inputs, is_loss):
    s, r = make(S, np.random.default_rng(0)), make(R, np.random.default_rng(1))
    r.load_state_dict(s.state_dict())
    args64 = inputs(np.random.default_rng(2))
    args32 = tuple(a.astype(np.float32) if a.dtype == np.float64 else a for a in args64)
    _run(s, args32, is_loss, 3), _run(r, args32, is_loss, 3)  # float32 grads (and running stats) first
    assert s.double() is s
    r.torch_module.double()
    for (k, v), (kt, vt) in zip(s.state_dict().items(), r.state_dict().items(), strict=True):
        assert k == kt and v.dtype == vt.dtype, f"{k}: scratch {v.dtype}, torch {vt.dtype}"  # int64 stays int64
        assert_close(v, vt, block=f"double.{name}", check=f"state[{k}]", dtype=np.float32, check_dtype=False)
    for (k, p), (_, q) in zip(s.named_parameters(), r.torch_module.named_parameters(), strict=True):
        assert p.grad.dtype == np.float64 and q.grad.dtype == torch.float64, k  # grads are cast too
        assert_close(p.grad, q.grad.numpy(), block=f"double.{name}", check=f"cast grad[{k}]", dtype=np.float32,
                     check_dtype=False)
    r.load_state_dict(s.state_dict())  # the float32 phase differs by float32 roundings: restart from one state
    s.zero_grad(), r.zero_grad()
    (ys, dxs), (yr, dxr) = _run(s, args64, is_loss, 4), _run(r, args64, is_loss, 4)
    assert_close(ys, yr, block=f"double.{name}", check="forward", tol=TIGHT64)
    for i, (a, b) in enumerate(zip(dxs if isinstance(dxs, tuple) else (dxs,),
                                   dxr if isinstance(dxr, tuple) else (dxr,), strict=True)):
        assert_close(a, b, block=f"double.{name}", check=f"grad_input[{i}]", tol=TIGHT64)
    for (k, p), (_, q) in zip(s.named_parameters(), r.named_parameters(), strict=True):
        assert_close(p.grad, q.grad, block=f"double.{name}", check=f"grad[{k}]", tol=TIGHT64)
    for k, v in s.state_dict().items():
        assert_close(v, r.state_dict()[k], block=f"double.{name}", check=f"state after step[{k}]", tol=TIGHT64)
    if not is_loss:  # the old dtype is now the wrong one, as in torch
        assert_same_outcome("float32 input after double()", outcome(lambda: s(*args32)), outcome(lambda: r(*args32)))
    assert s.float() is s and all(p.dtype == np.float32 for p in s.parameters())


def test_to_keeps_parameter_objects_so_an_optimizer_keeps_working(rng):
    s, r = _pair(np.float32)
    opt_s, opt_r = scratch.optim.SGD(s.parameters(), lr=0.1), reference.optim.SGD(r.parameters(), lr=0.1)
    before = list(s.parameters())
    assert s.to(np.float64) is s and list(s.parameters()) == before
    r.torch_module.to(torch.float64)
    x, dy = rng.standard_normal((3, 4)), rng.standard_normal((3, 3))
    s(x), r(x)
    s.backward(dy), r.backward(dy)
    opt_s.step(), opt_r.step()
    for k, v in s.state_dict().items():
        assert v.dtype == np.float64
        assert_close(v, r.state_dict()[k], block="to.float64", check=k, tol=TIGHT64)


TO_CALLS = {  # m.to(...) given the module and a namespace of dtypes (numpy's for scratch, torch's for torch)
    "to(float64)": lambda m, d: m.to(d.float64), "to(dtype=float64)": lambda m, d: m.to(dtype=d.float64),
    "to('cpu')": lambda m, d: m.to("cpu"), "to('cpu', float64)": lambda m, d: m.to("cpu", d.float64),
    "to(device='cpu')": lambda m, d: m.to(device="cpu"), "to()": lambda m, d: m.to(),
    "to(int64)": lambda m, d: m.to(d.int64), "to(dtype=int32)": lambda m, d: m.to(dtype=d.int32),
    "to(bool)": lambda m, d: m.to(d.bool_ if d is np else d.bool), "to('float64')": lambda m, d: m.to("float64"),
    "to(float64 array)": lambda m, d: m.to(np.zeros(1) if d is np else torch.zeros(1, dtype=torch.float64)),
    "to(float32)": lambda m, d: m.to(d.float32),
}


@pytest.mark.parametrize("call", list(TO_CALLS))
def test_to_arguments_like_torch(call):
    s, t = S.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    got, want = outcome(lambda: TO_CALLS[call](s, np)), outcome(lambda: TO_CALLS[call](t, torch))
    assert_same_outcome(call, got, want)
    if want[0] == "ok":
        assert got[1] is s
        assert [v.dtype.name for v in s.state_dict().values()] == [str(v.dtype)[6:] for v in t.state_dict().values()]
    elif isinstance(want[1], TypeError):  # torch names its dtype torch.int64, scratch numpy's int64
        assert str(got[1]).split("dtype=")[0] == str(want[1]).split("dtype=")[0]


def test_to_half_or_complex_is_refused_scratch_computes_in_float32_or_float64():
    """Departure: torch casts to float16 / complex; scratch has no such kernels and says so."""
    for dt in (np.float16, np.complex128):
        with pytest.raises(TypeError, match="float32 or float64"):
            S.Linear(2, 2).to(dt)


def test_attribute_access_always_sees_the_stored_parameter_or_buffer(rng):
    """Parameters and buffers are mirrored in the instance __dict__ for speed; every way of storing one keeps the
    attribute and the store the same object (register, assign, set_buffer, to(), load_state_dict, del)."""
    def consistent(module):
        for m in module.modules():
            for store in (m._parameters, m._buffers):
                for name, value in store.items():
                    assert getattr(m, name) is value, (type(m).__name__, name)

    m = S.Sequential(S.Linear(3, 4, rng=rng), S.BatchNorm1d(4))
    consistent(m)
    m(rng.standard_normal((5, 3)).astype(np.float32))  # BatchNorm replaces its running statistics
    consistent(m)
    m.double()
    consistent(m)
    m.load_state_dict({k: v + 1 if v.dtype.kind == "f" else v for k, v in m.state_dict().items()})
    consistent(m)
    bn = m[1]
    bn.weight = S.Parameter(np.ones(4))
    bn.bias = None
    bn.running_mean = np.zeros(4)
    consistent(m)
    del bn.running_var
    assert not hasattr(bn, "running_var") and "running_var" not in bn._buffers
    bn.register_buffer("extra", np.ones(2), persistent=False)
    consistent(m)
