"""Sequential, ModuleList and ModuleDict against torch.nn's: each script of operations runs on a scratch container,
on a real torch container and on the reference twin; the three must agree on every result and error (exact
text where torch's message names no torch type), and afterwards on the keys (renumbering after deletion, kept
keys after slicing), the members, the state_dict keys and the repr."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from tests.harness import assert_same_outcome, outcome

LIBS = {"scratch": S, "reference": R}


def _members(lib):
    kw = {} if lib is torch.nn else {"rng": np.random.default_rng(0)}
    return [lib.ReLU(), lib.Tanh(), lib.Sigmoid(), lib.ELU(), lib.Linear(2, 3, **kw)]


def _is_module(v) -> bool:
    return isinstance(v, S.Module | torch.nn.Module | R.TorchModule)


def _modules(c) -> OrderedDict:
    return c.torch_module._modules if isinstance(c, R.TorchModule) else c._modules


def _summary(v):
    """A result in lib-independent terms: a module by class name (and keys, for a container)."""
    if _is_module(v):
        return type(v).__name__, list(_modules(v))
    if isinstance(v, list | tuple):
        return [_summary(x) for x in v]
    return v


def _state(c) -> dict:
    modules = _modules(c)
    members = list(c.items()) if hasattr(c, "items") else list(enumerate(c))
    out = {"keys": list(modules), "members": [(k, type(m).__name__) for k, m in members],
           "state_dict": list(c.state_dict()), "len": len(c)}
    if isinstance(c, R.TorchModule):  # every twin maps to the very torch module at its place
        twins = [m for _, m in members]
        assert all(t.torch_module is u for t, u in zip(twins, modules.values(), strict=True))
        out["repr"] = repr(c.torch_module)
    else:
        out["repr"] = repr(c)
    return out


def _names_torch_types(e: BaseException) -> bool:
    return "torch" in str(e) or "<class" in str(e)


def _check(label: str, script):
    """script(lib, members) -> (container, result); the container's state is compared after the script."""
    runs = {}
    for name, lib in {"torch": torch.nn, **LIBS}.items():
        box = {}

        def run(lib=lib, box=box):
            box["c"], res = script(lib, _members(lib))
            return res
        runs[name] = (outcome(run), box.get("c"))
    (want, tc) = runs["torch"]
    for name in LIBS:
        got, c = runs[name]
        assert_same_outcome(f"{label} [{name}]", got, want)
        if want[0] == "raise" and (name == "reference" or not _names_torch_types(want[1])):
            assert str(got[1]) == str(want[1]), f"{label} [{name}]"
        if want[0] == "ok":
            assert _summary(got[1]) == _summary(want[1]), f"{label} [{name}] result"
        if tc is not None and c is not None:
            assert _state(c) == _state(tc), f"{label} [{name}] state"


def _seq(lib, m):
    return lib.Sequential(*m[:4])


def _od(lib, m):
    return lib.Sequential(OrderedDict([("a", m[0]), ("b", m[1]), ("c", m[4])]))


SEQUENTIAL_SCRIPTS = {
    "getitem 0": lambda c, m, lib: c[0], "getitem -1": lambda c, m, lib: c[-1],
    "getitem 4": lambda c, m, lib: c[4], "getitem -5": lambda c, m, lib: c[-5],
    "getitem str": lambda c, m, lib: c["a"], "getitem float": lambda c, m, lib: c[1.0],
    "slice 1:": lambda c, m, lib: c[1:], "slice ::2": lambda c, m, lib: c[::2], "slice 0:0": lambda c, m, lib: c[0:0],
    "slice -2:": lambda c, m, lib: c[-2:],
    "setitem 0": lambda c, m, lib: c.__setitem__(0, m[4]), "setitem -1": lambda c, m, lib: c.__setitem__(-1, m[4]),
    "setitem 4": lambda c, m, lib: c.__setitem__(4, m[4]), "setitem int": lambda c, m, lib: c.__setitem__(0, 3),
    "setitem slice": lambda c, m, lib: c.__setitem__(slice(0, 1), m[4]),
    "del 0": lambda c, m, lib: c.__delitem__(0), "del -1": lambda c, m, lib: c.__delitem__(-1),
    "del 4": lambda c, m, lib: c.__delitem__(4), "del 1:3": lambda c, m, lib: c.__delitem__(slice(1, 3)),
    "del ::2": lambda c, m, lib: c.__delitem__(slice(None, None, 2)),
    "append": lambda c, m, lib: c.append(m[4]), "append int": lambda c, m, lib: c.append(3),
    "insert 0": lambda c, m, lib: c.insert(0, m[4]), "insert -1": lambda c, m, lib: c.insert(-1, m[4]),
    "insert len": lambda c, m, lib: c.insert(len(c), m[4]), "insert 5": lambda c, m, lib: c.insert(5, m[4]),
    "insert -5": lambda c, m, lib: c.insert(-5, m[4]), "insert int": lambda c, m, lib: c.insert(0, 3),
    "extend": lambda c, m, lib: c.extend([m[4]]), "extend int": lambda c, m, lib: c.extend(3),
    "pop 0": lambda c, m, lib: c.pop(0), "pop -1": lambda c, m, lib: c.pop(-1),
    "pop 1:": lambda c, m, lib: c.pop(slice(1, None)),
    "add": lambda c, m, lib: c + lib.Sequential(m[4]), "add list": lambda c, m, lib: c + [m[4]],
    "iadd": lambda c, m, lib: c.__iadd__(lib.Sequential(m[4])), "iadd list": lambda c, m, lib: c.__iadd__([m[4]]),
    "del then append": lambda c, m, lib: (c.__delitem__(0), c.append(m[4]))[1],
    "len and iter": lambda c, m, lib: (len(c), [type(x).__name__ for x in c]),
}
MUL_SCRIPTS = {"mul 2": lambda c, m, lib: c * 2, "rmul 2": lambda c, m, lib: 2 * c, "mul 0": lambda c, m, lib: c * 0,
               "mul str": lambda c, m, lib: c * "a", "imul 3": lambda c, m, lib: c.__imul__(3)}


@pytest.mark.parametrize("op", list(SEQUENTIAL_SCRIPTS))
@pytest.mark.parametrize("make", [_seq, _od], ids=["numbered", "ordered_dict"])
def test_sequential_like_torch(make, op):
    _check(f"{make.__name__}: {op}", lambda lib, m: (c := make(lib, m), SEQUENTIAL_SCRIPTS[op](c, m, lib)))


@pytest.mark.parametrize("op", list(MUL_SCRIPTS))
def test_sequential_repetition_like_torch(op):
    """Only scratch and torch: the twin does not repeat (it would share one torch module twice)."""
    s, t = _seq(S, _members(S)), _seq(torch.nn, _members(torch.nn))
    got, want = outcome(lambda: MUL_SCRIPTS[op](s, None, S)), outcome(lambda: MUL_SCRIPTS[op](t, None, torch.nn))
    assert_same_outcome(op, got, want)
    if want[0] == "ok":
        assert _summary(got[1]) == _summary(want[1]) and repr(s) == repr(t)


def test_sequential_slice_keeps_keys_and_parameters_like_torch():
    def script(lib, m):
        kw = {} if lib is torch.nn else {"rng": np.random.default_rng(1)}
        c = lib.Sequential(m[4], m[0], lib.Linear(3, 3, **kw))
        return c, (list(c[1:].state_dict()), list(_modules(c[1:])))
    _check("slice keys", script)
    assert list(torch.nn.Sequential(*_members(torch.nn)[:3])[1:]._modules) == ["1", "2"]


def test_sequential_constructor_errors_like_torch():
    def named(key):
        return lambda lib: (OrderedDict([(key, lib.ReLU())]),)
    for label, args in [("int", lambda lib: (lib.ReLU(), 3)), ("dotted key", named("a.b")), ("empty key", named("")),
                        ("attribute key", named("forward")), ("plain dict", lambda lib: ({"a": lib.ReLU()},))]:
        got = outcome(lambda a=args: S.Sequential(*a(S)))
        want = outcome(lambda a=args: torch.nn.Sequential(*a(torch.nn)))
        assert_same_outcome(label, got, want)
        assert str(got[1]) == str(want[1]), label


def test_empty_sequential_is_the_identity_like_torch(rng):
    x = rng.standard_normal(3)
    assert S.Sequential()(x) is x and repr(S.Sequential()) == repr(torch.nn.Sequential())


def _ml(lib, m):
    return lib.ModuleList(m[:4])


MODULELIST_SCRIPTS = {
    **{k: v for k, v in SEQUENTIAL_SCRIPTS.items() if not k.startswith(("insert", "add", "iadd", "setitem slice"))},
    "insert 0": lambda c, m, lib: c.insert(0, m[4]), "insert 2": lambda c, m, lib: c.insert(2, m[4]),
    "insert len": lambda c, m, lib: c.insert(len(c), m[4]),
    "add list": lambda c, m, lib: c + [m[4]], "add int": lambda c, m, lib: c + 3,
    "iadd list": lambda c, m, lib: c.__iadd__([m[4]]), "iadd int": lambda c, m, lib: c.__iadd__(3),
    "init none": lambda c, m, lib: lib.ModuleList(), "init int": lambda c, m, lib: lib.ModuleList(3),
    "init [int]": lambda c, m, lib: lib.ModuleList([3]),
    "call": lambda c, m, lib: c(np.zeros(2) if lib is not torch.nn else torch.zeros(2)),
}


@pytest.mark.parametrize("op", list(MODULELIST_SCRIPTS))
def test_modulelist_like_torch(op):
    _check(f"ModuleList: {op}", lambda lib, m: (c := _ml(lib, m), MODULELIST_SCRIPTS[op](c, m, lib)))


def test_modulelist_repr_compresses_repeats_like_torch():
    def make(lib):
        kw = {} if lib is torch.nn else {"rng": np.random.default_rng(0)}
        block = lambda: lib.Sequential(lib.Linear(2, 2, **kw), lib.ReLU())  # noqa: E731
        repeated = [lib.Linear(2, 2, **kw) for _ in range(3)]
        return lib.ModuleList(repeated + [lib.ReLU(), lib.ReLU(), lib.Tanh(), lib.ReLU(), block(), block()])
    assert repr(make(S)) == repr(make(torch.nn))
    assert "(0-2): 3 x Linear(in_features=2, out_features=2, bias=True)" in repr(make(S))
    assert repr(S.ModuleList()) == repr(torch.nn.ModuleList()) == "ModuleList()"


@pytest.mark.parametrize("index,module", [(-1, "relu"), (9, "relu"), (1, 3)])
def test_modulelist_insert_departures_from_torch(index, module):
    """torch 2.13's ModuleList.insert checks nothing: a negative index raises KeyError half-way through shifting,
    an index past the end stores the module under that key, a non-Module is stored; each corrupts the list.
    scratch raises (KeyError, IndexError, TypeError) and leaves the list as it was."""
    t = _ml(torch.nn, _members(torch.nn))
    done = outcome(lambda: t.insert(index, torch.nn.ReLU() if module == "relu" else module))
    assert done[0] == "raise" if index < 0 else list(t._modules) != [str(i) for i in range(5)] or module == 3
    s = _ml(S, _members(S))
    before = _state(s)
    expected = KeyError if index < 0 else IndexError if index > 4 else TypeError
    with pytest.raises(expected):
        s.insert(index, S.ReLU() if module == "relu" else module)
    assert _state(s) == before


def _md(lib, m):
    return lib.ModuleDict({"a": m[0], "b": m[1]})


MODULEDICT_SCRIPTS = {
    "getitem": lambda c, m, lib: c["a"], "getitem missing": lambda c, m, lib: c["z"],
    "setitem new": lambda c, m, lib: c.__setitem__("z", m[4]),
    "setitem existing": lambda c, m, lib: c.__setitem__("a", m[4]),
    "setitem dotted": lambda c, m, lib: c.__setitem__("z.y", m[4]),
    "setitem empty": lambda c, m, lib: c.__setitem__("", m[4]),
    "setitem attribute": lambda c, m, lib: c.__setitem__("training", m[4]),
    "setitem int": lambda c, m, lib: c.__setitem__("z", 3),
    "del": lambda c, m, lib: c.__delitem__("a"), "del missing": lambda c, m, lib: c.__delitem__("z"),
    "pop": lambda c, m, lib: c.pop("b"), "pop missing": lambda c, m, lib: c.pop("z"),
    "clear": lambda c, m, lib: c.clear(),
    "contains": lambda c, m, lib: ("a" in c, "z" in c), "keys": lambda c, m, lib: list(c.keys()),
    "values": lambda c, m, lib: [type(v).__name__ for v in c.values()], "iter": lambda c, m, lib: list(c),
    "items": lambda c, m, lib: [(k, type(v).__name__) for k, v in c.items()],
    "update dict": lambda c, m, lib: c.update({"z": m[4], "a": m[2]}),
    "update pairs": lambda c, m, lib: c.update([("z", m[4]), ["y", m[3]]]),
    "update ModuleDict": lambda c, m, lib: c.update(lib.ModuleDict({"z": m[4]})),
    "update int": lambda c, m, lib: c.update(3), "update [int]": lambda c, m, lib: c.update([3]),
    "update triple": lambda c, m, lib: c.update([("z", m[4], 1)]),
    "init pairs": lambda c, m, lib: lib.ModuleDict([("x", m[4])]),
    "call": lambda c, m, lib: c(np.zeros(2) if lib is not torch.nn else torch.zeros(2)),
}


@pytest.mark.parametrize("op", list(MODULEDICT_SCRIPTS))
def test_moduledict_like_torch(op):
    _check(f"ModuleDict: {op}", lambda lib, m: (c := _md(lib, m), MODULEDICT_SCRIPTS[op](c, m, lib)))


def test_containers_in_a_model_register_their_members_like_torch():
    def make(lib):
        kw = {} if lib is torch.nn else {"rng": np.random.default_rng(0)}
        net = lib.Sequential(lib.Linear(2, 3, **kw))
        net.add_module("heads", lib.ModuleList([lib.Linear(3, 1, **kw), lib.Linear(3, 2, **kw)]))
        net.add_module("norms", lib.ModuleDict({"bn": lib.BatchNorm1d(3), "ln": lib.LayerNorm(3)}))
        return net
    s, t = make(S), make(torch.nn)
    assert list(s.state_dict()) == list(t.state_dict()) and repr(s) == repr(t)
    assert [n for n, _ in s.named_modules()] == [n for n, _ in t.named_modules()]
    assert s.get_submodule("heads.1").out_features == 2 and s.get_submodule("norms.bn") is s.norms["bn"]
