"""ParameterList and ParameterDict against torch.nn's: a script of operations runs on a scratch container, on a real
torch container and on the reference twin, one operation after the other; after EACH operation the three must agree
on its result or error (class, and message up to torch's type names), and on the container's entries, len,
state_dict (keys, dtypes, values), named_parameters and repr. Then the departures (torch keeps a phantom entry after
a refused one), gradients through a model that holds both containers, and optimizers stepping their parameters."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
import scratch.optim
from tests.harness import assert_same_outcome, outcome
from tests.tolerances import assert_close, family_tol

LIBS = {"torch": torch.nn, "scratch": S, "reference": R}
_ARRAYS = {k: np.random.default_rng(5).standard_normal(s).astype(dt) for k, s, dt in [
    ("a", (3, 4), np.float32), ("b", (2,), np.float64), ("h", (2,), np.float16), ("z", (), np.float32),
    ("p", (2, 2), np.float32), ("w", (3, 2), np.float32), ("bias", (3,), np.float32)]}


def _values(lib) -> dict:
    """The same values for each side: arrays (torch tensors for torch), a Parameter, a Linear with fixed weights,
    an integer array (refused), and plain objects."""
    arr = (lambda a: torch.from_numpy(a.copy())) if lib is torch.nn else (lambda a: a.copy())
    v = {k: arr(a) for k, a in _ARRAYS.items()}
    v["i"] = arr(np.arange(3))
    p = torch.nn.Parameter(torch.from_numpy(_ARRAYS["p"].copy()))
    v["P"] = {torch.nn: p, S: S.Parameter(_ARRAYS["p"].copy()), R: R.TorchParameter(p)}[lib]
    v["L"] = lib.Linear(2, 3)
    state = {"weight": v["w"], "bias": v["bias"]}
    v["L"].load_state_dict(state)
    return v


def _is_param(x) -> bool:
    return isinstance(x, S.Parameter | torch.nn.Parameter | R.TorchParameter)


def _array(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    return np.asarray(x.data if _is_param(x) else x)


def _summary(x):
    """A value in side-independent terms: a parameter or array by dtype, shape and values; a module by class (a
    parameter container by its entries and keys); containers of values recursively."""
    if _is_param(x) or isinstance(x, np.ndarray | torch.Tensor):
        a = _array(x)
        return ("Parameter" if _is_param(x) else "array", a.dtype.name, a.shape, a.tolist())
    if isinstance(x, S.ParameterList | R.ParameterList | torch.nn.ParameterList):
        return "ParameterList", [_summary(v) for v in x], list(x.state_dict())
    if isinstance(x, S.ParameterDict | R.ParameterDict | torch.nn.ParameterDict):
        return "ParameterDict", [(k, _summary(v)) for k, v in x.items()], list(x.state_dict())
    if isinstance(x, S.Module | torch.nn.Module | R.TorchModule):
        return "Module", type(x).__name__
    if isinstance(x, dict):
        return {k: _summary(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return type(x)([_summary(v) for v in x])
    return x


def _state(c) -> dict:
    """What must agree after every operation."""
    items = list(c.items()) if hasattr(c, "items") else list(enumerate(c))
    return {"len": len(c), "entries": [(k, _summary(v)) for k, v in items],
            "state_dict": [(k, _summary(v)) for k, v in c.state_dict().items()],
            "named_parameters": [k for k, _ in c.named_parameters()],
            "repr": repr(c.torch_module if isinstance(c, R.TorchModule) else c)}


def _message(e: BaseException, side: str) -> str:
    """scratch's message in torch's words: its Parameter and Module are scratch.nn's, its tensors numpy arrays."""
    text = str(e)
    return text.replace("scratch.nn.", "torch.nn.").replace("got ndarray", "got Tensor") if side == "scratch" else text


def _run_script(make, script) -> None:
    """``make(lib, values)`` -> container; ``script``: (label, op(c, values, lib)) applied in order on every side,
    each result and the container's state compared with torch's after each step."""
    sides = {}
    for side, lib in LIBS.items():
        values = _values(lib)
        sides[side] = (make(lib, values), values, lib)
    for label, op in [("construction", lambda c, v, lib: None), *script]:
        results = {side: outcome(lambda c=c, v=v, lib=lib, op=op: op(c, v, lib)) for side, (c, v, lib) in sides.items()}
        want = results["torch"]
        for side in ("scratch", "reference"):
            got = results[side]
            assert_same_outcome(f"{label} [{side}]", got, want)
            if want[0] == "raise":
                assert _message(got[1], side) == str(want[1]), f"{label} [{side}]"
            else:
                assert _summary(got[1]) == _summary(want[1]), f"{label} [{side}] result"
            assert _state(sides[side][0]) == _state(sides["torch"][0]), f"{label} [{side}] state"


def _list(lib, v):
    return lib.ParameterList([v["a"], v["b"], v["L"], 3])


LIST_SCRIPT = [
    ("getitem 0", lambda c, v, lib: c[0]), ("getitem -1", lambda c, v, lib: c[-1]),
    ("getitem -4", lambda c, v, lib: c[-4]), ("getitem 2 (a module)", lambda c, v, lib: c[2]),
    ("getitem 4", lambda c, v, lib: c[4]), ("getitem -5", lambda c, v, lib: c[-5]),
    ("getitem str", lambda c, v, lib: c["a"]), ("getitem float", lambda c, v, lib: c[1.0]),
    ("getitem np.int64", lambda c, v, lib: c[np.int64(1)]), ("getitem True", lambda c, v, lib: c[True]),
    ("slice 1:", lambda c, v, lib: c[1:]), ("slice ::2", lambda c, v, lib: c[::2]),
    ("slice -2:", lambda c, v, lib: c[-2:]), ("slice 0:0", lambda c, v, lib: c[0:0]),
    ("setitem 0 array", lambda c, v, lib: c.__setitem__(0, v["h"])),
    ("setitem -1 array (over an int)", lambda c, v, lib: c.__setitem__(-1, v["z"])),
    ("setitem 2 int (over a module)", lambda c, v, lib: c.__setitem__(2, 3)),
    ("setitem 2 Parameter (over a module)", lambda c, v, lib: c.__setitem__(2, v["P"])),
    ("setitem 0 the same Parameter", lambda c, v, lib: c.__setitem__(0, v["P"])),
    ("setitem 1 int (over a parameter)", lambda c, v, lib: c.__setitem__(1, 3)),
    ("setitem 1 integer array", lambda c, v, lib: c.__setitem__(1, v["i"])),
    ("setitem 4", lambda c, v, lib: c.__setitem__(4, v["a"])),
    ("setitem slice", lambda c, v, lib: c.__setitem__(slice(0, 1), v["a"])),
    ("setitem 1 None", lambda c, v, lib: c.__setitem__(1, None)), ("getitem None", lambda c, v, lib: c[1]),
    ("append 0-d array", lambda c, v, lib: c.append(v["z"])), ("append module", lambda c, v, lib: c.append(v["L"])),
    ("append str", lambda c, v, lib: c.append("ab")), ("append None", lambda c, v, lib: c.append(None)),
    ("extend", lambda c, v, lib: c.extend([v["a"], 3])), ("extend int", lambda c, v, lib: c.extend(3)),
    ("extend array", lambda c, v, lib: c.extend(v["b"])), ("extend Parameter", lambda c, v, lib: c.extend(v["P"])),
    ("extend str", lambda c, v, lib: c.extend("xy")),
    ("iadd", lambda c, v, lib: c.__iadd__([v["b"]])), ("iadd own slice", lambda c, v, lib: c.__iadd__(c[0:2])),
    ("iter", lambda c, v, lib: list(c)), ("len", lambda c, v, lib: len(c)),
    ("del", lambda c, v, lib: _del(c, 0)),
    ("insert", lambda c, v, lib: c.insert(0, v["a"])), ("pop", lambda c, v, lib: c.pop(0)),
    ("add", lambda c, v, lib: c + c), ("call", lambda c, v, lib: c()), ("call x", lambda c, v, lib: c(v["a"])),
    ("dir hides indices", lambda c, v, lib: [k for k in dir(c) if k.isdigit()] if not isinstance(c, R.TorchModule)
     else [k for k in dir(c.torch_module) if k.isdigit()]),
    ("zero_grad", lambda c, v, lib: c.zero_grad()), ("double", lambda c, v, lib: c.double() and None),
    ("load_state_dict", lambda c, v, lib: _load(c, lib, {k: np.ones(_array(x).shape) for k, x in
                                                          c.state_dict().items()})),
    ("load_state_dict size mismatch", lambda c, v, lib: _load(c, lib, {"0": np.ones(7)}, strict=False)),
    ("load_state_dict missing", lambda c, v, lib: _load(c, lib, {"0": np.ones((2, 2))})),
    ("init int", lambda c, v, lib: lib.ParameterList(3)), ("init str", lambda c, v, lib: lib.ParameterList("ab")),
    ("init None", lambda c, v, lib: lib.ParameterList()),
    ("init integer array", lambda c, v, lib: lib.ParameterList([v["a"], v["i"]])),
    ("init the same Parameter twice", lambda c, v, lib: lib.ParameterList([v["P"], v["P"]])),
]


def _del(c, key) -> None:
    del c[key]  # a ParameterList has no item deletion: TypeError on every side


def _load(c, lib, state: dict, strict: bool = True):
    state = {k: torch.from_numpy(np.asarray(a)) for k, a in state.items()} if lib is torch.nn else state
    result = c.load_state_dict(state, strict=strict)
    return list(result.missing_keys), list(result.unexpected_keys)


def test_parameterlist_script_like_torch():
    _run_script(_list, LIST_SCRIPT)


def _dict(lib, v):
    return lib.ParameterDict({"b": v["a"], "a": v["b"], "c": v["L"], "d": 3})  # a plain dict: added sorted


DICT_SCRIPT = [
    ("getitem", lambda c, v, lib: c["a"]), ("getitem module", lambda c, v, lib: c["c"]),
    ("getitem int entry", lambda c, v, lib: c["d"]), ("getitem missing", lambda c, v, lib: c["z"]),
    ("getitem int key", lambda c, v, lib: c[1]),
    ("setitem new", lambda c, v, lib: c.__setitem__("z", v["a"])),
    ("setitem Parameter", lambda c, v, lib: c.__setitem__("a", v["P"])),
    ("setitem int over a parameter", lambda c, v, lib: c.__setitem__("z", 3)),
    ("setitem array over an int", lambda c, v, lib: c.__setitem__("d", v["h"])),
    ("setitem int array over a parameter", lambda c, v, lib: c.__setitem__("d", v["i"])),
    ("setitem dotted key, plain object", lambda c, v, lib: c.__setitem__("x.y", 3)),
    ("getitem dotted key", lambda c, v, lib: c["x.y"]),
    ("del", lambda c, v, lib: c.__delitem__("z")), ("del missing", lambda c, v, lib: c.__delitem__("zz")),
    ("del int key", lambda c, v, lib: c.__delitem__(1)),
    ("contains", lambda c, v, lib: ("a" in c, "zz" in c, 1 in c)),
    ("keys", lambda c, v, lib: list(c.keys())), ("values", lambda c, v, lib: list(c.values())),
    ("items", lambda c, v, lib: list(c.items())), ("iter", lambda c, v, lib: list(c)),
    ("reversed", lambda c, v, lib: list(reversed(c))), ("len", lambda c, v, lib: len(c)),
    ("get", lambda c, v, lib: c.get("a")), ("get missing", lambda c, v, lib: c.get("zz")),
    ("get missing default", lambda c, v, lib: c.get("zz", v["b"])), ("get int key", lambda c, v, lib: c.get(1, 7)),
    ("pop", lambda c, v, lib: c.pop("b")), ("pop missing", lambda c, v, lib: c.pop("zz")),
    ("popitem", lambda c, v, lib: c.popitem()),
    ("setdefault present", lambda c, v, lib: c.setdefault("a")),
    ("setdefault absent", lambda c, v, lib: c.setdefault("n")),
    ("setdefault array", lambda c, v, lib: c.setdefault("m", v["z"])),
    ("update dict (sorted)", lambda c, v, lib: c.update({"y": v["a"], "x": v["b"], "w": 3})),
    ("update OrderedDict (in order)", lambda c, v, lib: c.update(OrderedDict([("q", v["a"]), ("p", v["b"])]))),
    ("update pairs", lambda c, v, lib: c.update([("k", v["a"]), ["j", 3]])),
    ("update ParameterDict", lambda c, v, lib: c.update(lib.ParameterDict(OrderedDict([("t", v["z"]),
                                                                                     ("s", v["P"])])))),
    ("update int", lambda c, v, lib: c.update(3)), ("update [int]", lambda c, v, lib: c.update([3])),
    ("update triple", lambda c, v, lib: c.update([("a", 1, 2)])), ("update str", lambda c, v, lib: c.update("ab")),
    ("update mixed key types", lambda c, v, lib: c.update({1: v["a"], "a": v["b"]})),
    ("update [str of 2]", lambda c, v, lib: c.update(["ab"])),
    ("copy", lambda c, v, lib: c.copy()), ("fromkeys array", lambda c, v, lib: c.fromkeys(["x", "y"], v["b"])),
    ("fromkeys Parameter", lambda c, v, lib: c.fromkeys(["x", "y"], v["P"])),
    ("fromkeys", lambda c, v, lib: c.fromkeys(["x"])),
    ("or", lambda c, v, lib: c | {"zz": v["a"]}), ("ror", lambda c, v, lib: {"zz": v["b"]} | c),
    ("or int", lambda c, v, lib: c | 3), ("ior", lambda c, v, lib: c.__ior__(OrderedDict([("o", v["b"])]))),
    ("call", lambda c, v, lib: c()), ("call x", lambda c, v, lib: c(v["a"])),
    ("double", lambda c, v, lib: c.double() and None),
    ("load_state_dict", lambda c, v, lib: _load(c, lib, {k: np.ones(_array(x).shape) for k, x in
                                                          c.state_dict().items()})),
    ("load_state_dict unexpected", lambda c, v, lib: _load(c, lib, {"zz": np.ones(2)}, strict=False)),
    ("clear", lambda c, v, lib: c.clear()),
    ("init int", lambda c, v, lib: lib.ParameterDict(3)),
    ("init pairs", lambda c, v, lib: lib.ParameterDict([("b", v["a"]), ("a", v["P"])])),
    ("init integer array", lambda c, v, lib: lib.ParameterDict({"a": v["i"]})),
]


def test_parameterdict_script_like_torch():
    _run_script(_dict, DICT_SCRIPT)


def _phantom(c) -> str:
    """How torch's container fails after the refused entry: its repr raises on the key or index it kept."""
    got = outcome(lambda: repr(c))
    return type(got[1]).__name__ if got[0] == "raise" else "ok"


@pytest.mark.parametrize("label, op", [
    ("ParameterList.append integer array", lambda c, v, lib: c.append(v["i"])),
    ("ParameterDict int key", lambda c, v, lib: c.__setitem__(1, v["a"])),
    ("ParameterDict dotted key", lambda c, v, lib: c.__setitem__("x.y", v["a"])),
    ("ParameterDict empty key", lambda c, v, lib: c.__setitem__("", v["a"])),
    ("ParameterDict integer array", lambda c, v, lib: c.__setitem__("e", v["i"])),
    ("ParameterDict.update int key", lambda c, v, lib: c.update({1: v["a"]})),
])
def test_refused_entries_leave_no_phantom_unlike_torch(label, op):
    """torch 2.13 counts the entry (``append``: ``_size += 1``) or records the key (``pd[key] = v``) before storing
    it, so after its error the container lists an entry that does not exist and its repr raises. scratch raises the
    same class and message and is unchanged."""
    make = _list if label.startswith("ParameterList") else _dict
    t_values, s_values = _values(torch.nn), _values(S)
    t, s = make(torch.nn, t_values), make(S, s_values)
    before = _state(s)
    got, want = outcome(lambda: op(s, s_values, S)), outcome(lambda: op(t, t_values, torch.nn))
    assert want[0] == got[0] == "raise" and type(got[1]) is type(want[1]), label
    assert _message(got[1], "scratch") == str(want[1]), label
    assert _state(s) == before
    assert len(t) == len(s) + 1 and _phantom(t) in ("AttributeError", "TypeError"), label


# -- gradients through a model that holds both containers, and optimizers stepping their parameters -------------
class _ScratchSumOfProducts(S.Module):
    """y = (sum_i x @ W_i) * gain + bias, with W_i in a ParameterList and gain, bias in a ParameterDict."""

    def __init__(self, ws, gain, bias) -> None:
        super().__init__()
        self.weights = S.ParameterList(ws)
        self.affine = S.ParameterDict({"gain": gain, "bias": bias})

    def forward(self, x):
        self._x = x
        self._s = sum(x @ w.data for w in self.weights)
        return self._s * self.affine["gain"].data + self.affine["bias"].data

    def backward(self, dy):
        ds = dy * self.affine["gain"].data
        self.affine["gain"].accumulate((dy * self._s).sum(0))
        self.affine["bias"].accumulate(dy.sum(0))
        for w in self.weights:
            w.accumulate(self._x.T @ ds)
        return sum(ds @ w.data.T for w in self.weights)


class _TorchSumOfProducts(torch.nn.Module):
    def __init__(self, ws, gain, bias) -> None:
        super().__init__()
        self.weights = torch.nn.ParameterList([torch.from_numpy(w) for w in ws])
        self.affine = torch.nn.ParameterDict({"gain": torch.from_numpy(gain), "bias": torch.from_numpy(bias)})

    def forward(self, x):
        return sum(x @ w for w in self.weights) * self.affine["gain"] + self.affine["bias"]


def _pair(rng, dtype):
    ws = [rng.standard_normal((4, 3)).astype(dtype) for _ in range(3)]
    gain, bias = rng.standard_normal(3).astype(dtype), rng.standard_normal(3).astype(dtype)
    s, t = _ScratchSumOfProducts(ws, gain, bias), _TorchSumOfProducts([w.copy() for w in ws], gain.copy(), bias.copy())
    return s, t


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_gradients_through_parameter_containers_like_torch(dtype, rng):
    s, t = _pair(rng, dtype)
    assert list(s.state_dict()) == list(t.state_dict()) == ["weights.0", "weights.1", "weights.2", "affine.bias",
                                                            "affine.gain"]
    assert [n for n, _ in s.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(s).replace("_Scratch", "_Torch") == repr(t)
    tol = family_tol("containers", dtype)
    for step in range(2):  # the second pass accumulates into .grad on both sides
        x = rng.standard_normal((5, 4)).astype(dtype)
        dy = rng.standard_normal((5, 3)).astype(dtype)
        tx = torch.from_numpy(x.copy()).requires_grad_()
        ty = t(tx)
        ty.backward(torch.from_numpy(dy))
        assert_close(s(x), ty.detach().numpy(), block="parameter_containers", check=f"forward{step}", tol=tol)
        assert_close(s.backward(dy), tx.grad.numpy(), block="parameter_containers", check=f"grad_input{step}", tol=tol)
        for (name, p), (_, q) in zip(s.named_parameters(), t.named_parameters(), strict=True):
            assert_close(p.grad, q.grad.numpy(), block="parameter_containers", check=f"grad[{name}]{step}", tol=tol)
    t2 = _TorchSumOfProducts([np.zeros_like(w.data) for w in s.weights], np.zeros(3, dtype), np.zeros(3, dtype))
    t2.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    s.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    assert all(np.array_equal(v, t2.state_dict()[k].numpy()) for k, v in s.state_dict().items())


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_optimizers_step_parameter_containers_like_torch(opt, rng):
    """scratch.optim over ParameterList.parameters() and ParameterDict.parameters() (a Parameter held twice once),
    the same gradients on both sides, five steps, float64."""
    kw = {"SGD": dict(lr=0.1, momentum=0.9), "Adam": dict(lr=0.05)}[opt]
    shared = rng.standard_normal((2, 2))
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(4), rng.standard_normal(())]
    sp = S.Parameter(shared.copy())
    s_list, s_dict = S.ParameterList([*[a.copy() for a in arrays], sp, sp]), S.ParameterDict({"b": shared.copy()})
    tp = torch.nn.Parameter(torch.from_numpy(shared.copy()))
    t_list = torch.nn.ParameterList([*[torch.from_numpy(a.copy()) for a in arrays], tp, tp])
    t_dict = torch.nn.ParameterDict({"b": torch.from_numpy(shared.copy())})
    s_params, t_params = [*s_list.parameters(), *s_dict.parameters()], [*t_list.parameters(), *t_dict.parameters()]
    assert len(s_params) == len(t_params) == 5
    s_opt, t_opt = getattr(scratch.optim, opt)(s_params, **kw), getattr(torch.optim, opt)(t_params, **kw)
    for _ in range(5):
        for p, q in zip(s_params, t_params, strict=True):
            g = rng.standard_normal(p.shape)
            p.grad, q.grad = g.copy(), torch.from_numpy(g)
        s_opt.step()
        t_opt.step()
    for (name, p), (_, q) in zip([*s_list.named_parameters(), *s_dict.named_parameters()],
                                 [*t_list.named_parameters(), *t_dict.named_parameters()], strict=True):
        assert_close(p.data, q.detach().numpy(), block="parameter_containers", check=f"{opt}[{name}]",
                     tol=family_tol("containers", np.float64))


def test_an_array_is_wrapped_without_a_copy_like_a_tensor():
    """torch's Parameter(t) shares t's storage, and scratch's Parameter(a) shares a's memory: a write to the array
    shows in the container's parameter (and in its state_dict), on both sides."""
    for lib, make in [(S, lambda a: a), (torch.nn, torch.from_numpy)]:
        arrays = [np.zeros(3), np.zeros((2, 2), np.float32)]
        pl, pd = lib.ParameterList([make(arrays[0])]), lib.ParameterDict({"w": make(arrays[1])})
        arrays[0][1], arrays[1][0, 1] = 5.0, 7.0
        assert _array(pl[0])[1] == 5.0 and _array(pd["w"])[0, 1] == 7.0, lib
        assert _array(pl.state_dict()["0"])[1] == 5.0, lib
