"""The add-a-block path cannot fail silently: the library is complete, and the completeness check reports each
omission a new user can make (a block defined but not exported, no twin, no catalog entry, a missing family
file, an entry in the wrong family), shown by planting each one."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn
import reference.nn.activations
import scratch.nn
import scratch.nn.activations
import tests.cases
from scratch.nn.base import CachedModule
from tests.catalog import CATALOG, Case, Lib
from tests.completeness import CORE, REFERENCE_CORE, discover, library_problems, problems
from tests.strategies import floats


def test_library_twins_and_catalog_are_complete():
    found = library_problems()
    assert not found, "\n".join(found)


class PlantedSoftsign(CachedModule):
    """A block a new user might write into scratch/nn/activations: y = x / (1 + |x|) (a name no real block
    has, so the plants never collide with the library)."""

    def forward(self, input: np.ndarray) -> np.ndarray:
        return self._save(input / (1 + np.abs(input)), input.copy())

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dy, x = self._saved(dy)
        return dy / (1 + np.abs(x)) ** 2


class ForwardOnly(CachedModule):
    def forward(self, input: np.ndarray) -> np.ndarray:
        return input


def _planted_twin() -> type:
    """torch's Softsign behind the numpy boundary, named like the planted block."""
    return type("PlantedSoftsign", (reference.nn.twin(torch.nn.Softsign),), {})


FAKE_CASE = Case("softsign_planted", lambda lib: lib.PlantedSoftsign(), floats(), (3, 4), family="activations")


def _all_problems(catalog=CATALOG, **families) -> list[str]:
    fams = dict(scratch=discover(scratch.nn, CORE), reference=discover(reference.nn, REFERENCE_CORE),
                cases=discover(tests.cases))
    for key, value in families.items():
        fams[key] = value
    return problems(scratch.nn, reference.nn, fams["scratch"], fams["reference"], fams["cases"], catalog, _build)


_BUILT: dict[tuple[int, str], tuple[object, object]] = {}


def _build(case, namespace):
    """Each entry built once per side for the whole file (every check below asks for the whole catalog several
    times; what an entry builds does not change when a block is planted)."""
    key = (id(case), namespace.__name__)
    if key not in _BUILT:
        _BUILT[key] = (case, case.make(Lib(namespace, np.float64)))  # the case is kept: its id stays unique
    return _BUILT[key][1]


@pytest.fixture
def planted(monkeypatch):
    """The problems a planted omission adds to the library's own (so a user midway through adding a block sees
    one failing test, test_library_twins_and_catalog_are_complete, not every test of this file)."""
    baseline = _all_problems()
    return monkeypatch, lambda **kw: [p for p in _all_problems(**kw) if p not in baseline]


def _define(monkeypatch, cls: type, module=scratch.nn.activations) -> None:
    """Write the class into a scratch.nn family file, as if defined there."""
    monkeypatch.setattr(cls, "__module__", module.__name__)
    monkeypatch.setattr(module, cls.__name__, cls, raising=False)


def _export(monkeypatch, name: str, value, family, package) -> None:
    monkeypatch.setattr(family, "__all__", [*family.__all__, name])
    monkeypatch.setattr(family, name, value, raising=False)
    monkeypatch.setattr(package, name, value, raising=False)
    monkeypatch.setattr(package, "__all__", [*package.__all__, name])


def test_each_missing_step_of_adding_a_block_is_reported(planted):
    monkeypatch, _problems = planted
    where = "scratch.nn.activations.PlantedSoftsign"
    _define(monkeypatch, PlantedSoftsign)  # step 1 written, nothing else
    assert _problems() == [f"{where} is not in scratch.nn.activations.__all__",
                           f"{where} is not exported as scratch.nn.PlantedSoftsign (scratch/nn/__init__.py)",
                           f"{where} has no twin in reference/nn/activations.py (its __all__)",
                           f"{where} has no catalog entry in tests/cases/activations.py"]
    _export(monkeypatch, "PlantedSoftsign", PlantedSoftsign, scratch.nn.activations, scratch.nn)  # step 1 complete
    assert _problems() == [f"{where} has no twin in reference/nn/activations.py (its __all__)",
                           f"{where} has no catalog entry in tests/cases/activations.py"]
    _export(monkeypatch, "PlantedSoftsign", _planted_twin(), reference.nn.activations, reference.nn)  # step 2
    assert _problems() == [f"{where} has no catalog entry in tests/cases/activations.py"]
    assert _problems(catalog=[*CATALOG, FAKE_CASE]) == []  # step 3: complete


def test_a_forward_without_backward_is_reported(planted):
    monkeypatch, _problems = planted
    _define(monkeypatch, ForwardOnly)
    assert "scratch.nn.activations.ForwardOnly defines forward but no backward" in _problems()


def test_a_twin_of_nothing_is_reported(planted):
    monkeypatch, _problems = planted
    _export(monkeypatch, "PlantedSoftsign", _planted_twin(), reference.nn.activations, reference.nn)
    assert _problems() == ["reference.nn.activations.PlantedSoftsign twins no scratch.nn block"]


def test_an_entry_in_the_wrong_family_file_is_reported(planted):
    _, _problems = planted
    relu = next(c for c in CATALOG if c.name == "relu")
    misplaced = Case("relu_misplaced", relu.make, relu.sample, relu.shape, family="linear")
    found = _problems(catalog=[*CATALOG, misplaced])
    assert found == ["catalog entry 'relu_misplaced' in tests/cases/linear.py builds no block of the 'linear' "
                     "family (it builds ['ReLU'])"]


@pytest.mark.parametrize("side", ["reference", "cases"])
def test_a_missing_family_file_is_reported(side, planted):
    _, _problems = planted
    fams = {k: v for k, v in discover(reference.nn if side == "reference" else tests.cases,
                                      REFERENCE_CORE if side == "reference" else frozenset()).items()
            if k != "dropout"}
    catalog = [c for c in CATALOG if c.family != "dropout"] if side == "cases" else CATALOG
    kind = "reference/nn" if side == "reference" else "tests/cases"
    found = _problems(catalog=catalog, **{side: fams})
    assert f"family 'dropout': scratch/nn/dropout has no {kind}/dropout" in found
    if side == "cases":  # and then, of course, the dropout blocks have no entries
        assert "scratch.nn.dropout.Dropout has no catalog entry in tests/cases/dropout.py" in found


def test_a_family_file_without_a_scratch_family_is_reported(planted):
    _, _problems = planted
    fams = {**discover(tests.cases), "activation": tests.cases}
    assert "tests/cases/activation has no scratch/nn/activation family of that name" in _problems(cases=fams)


def _readme_torch_nn_table() -> dict[str, list[str]]:
    """README's "Every torch.nn class" table: status cell -> the class names in backticks of the row."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).parent.parent / "README.md").read_text()
    section = text.split("## Every torch.nn class", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and " | " in line[2:]]
    return {status[2:]: re.findall(r"`([A-Za-z0-9_]+)`", names) for status, names in rows[1:]}


def test_readme_lists_every_torch_nn_class_with_its_status():
    torch_classes = {n for n, c in vars(torch.nn).items() if isinstance(c, type) and issubclass(c, torch.nn.Module)}
    table = _readme_torch_nn_table()
    listed = [n for names in table.values() for n in names]
    assert sorted(listed) == sorted(torch_classes), "README's torch.nn table is not torch 2.13's list"
    (implemented_status, implemented), = [(s, n) for s, n in table.items() if s.startswith("implemented")]
    assert implemented_status.startswith(f"implemented ({len(implemented)})")
    assert sorted(n for n in torch_classes if n in scratch.nn.__all__) == sorted(implemented), \
        "a class marked implemented is not in scratch.nn, or one in scratch.nn is not marked implemented"
