"""Adding a block cannot fail silently: every public Module subclass DEFINED anywhere in scratch.nn (exported or
not) must be exported, have a twin, and (if it computes anything) a catalog entry, each in its family's files.

A family is a module or package directly under ``scratch/nn`` (``module.py`` and ``base.py`` hold the protocol
itself and are not families). It has the same name in ``reference/nn`` (the twins) and ``tests/cases`` (the
catalog entries). :func:`problems` returns every violation as one readable line; an empty list means complete.
Its inputs are explicit so that tests can show it catches each kind of omission (tests/test_completeness.py).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from collections.abc import Iterable, Mapping
from types import ModuleType

import numpy as np

CORE = frozenset({"module", "base"})  # scratch/nn/{module,base}.py: Module, Parameter, CachedModule
REFERENCE_CORE = frozenset({"base"})  # reference/nn/base.py: TorchModule, twin()


def discover(package: ModuleType, core: frozenset[str] = frozenset()) -> dict[str, ModuleType]:
    """Public modules and packages directly inside ``package`` (from the file system, not from imports)."""
    names = sorted(i.name for i in pkgutil.iter_modules(package.__path__) if not i.name.startswith("_"))
    return {n: importlib.import_module(f"{package.__name__}.{n}") for n in names if n not in core}


def _submodules(family: ModuleType) -> list[ModuleType]:
    """The family module itself, or every module of a family package (private part files included)."""
    if not hasattr(family, "__path__"):
        return [family]
    return [family] + [importlib.import_module(i.name)
                       for i in pkgutil.walk_packages(family.__path__, family.__name__ + ".")]


def defined_classes(modules: Iterable[ModuleType], base: type) -> list[type]:
    """Public subclasses of ``base`` defined (not merely imported) in the given modules."""
    found = []
    for mod in modules:
        for name, obj in vars(mod).items():
            if (inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == mod.__name__
                    and not name.startswith("_") and obj not in found):
                found.append(obj)
    return found


def computes(cls: type, base: type) -> bool:
    """A block defines ``forward``; a container without one (ModuleList, ModuleDict) needs no catalog entry."""
    return cls.forward is not base.forward


def _built_types(block) -> set[str]:
    """Class names of a built block and of every module inside it (a Sequential entry names its members)."""
    return {type(m).__name__ for m in block.modules()} if hasattr(block, "modules") else {type(block).__name__}


def problems(scratch_nn: ModuleType, reference_nn: ModuleType, scratch_families: Mapping[str, ModuleType],
             reference_families: Mapping[str, ModuleType], case_families: Mapping[str, ModuleType],
             catalog: Iterable, build) -> list[str]:
    """Every way the library, its twins and its catalog disagree. ``build(case, namespace)`` builds an entry."""
    out: list[str] = []
    module_base = scratch_nn.Module
    for kind, others in (("reference/nn", reference_families), ("tests/cases", case_families)):
        out += [f"family {f!r}: scratch/nn/{f} has no {kind}/{f}" for f in scratch_families if f not in others]
        out += [f"{kind}/{f} has no scratch/nn/{f} family of that name" for f in others if f not in scratch_families]

    built: dict[str, list[tuple[object, set[str], str]]] = {}  # family -> (case, scratch types, twin type)
    for case in catalog:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s, r = build(case, scratch_nn), build(case, reference_nn)
        built.setdefault(case.family, []).append((case, _built_types(s), type(r).__name__))
        if type(s).__name__ != type(r).__name__:
            out.append(f"catalog entry {case.name!r} builds scratch {type(s).__name__} but twin {type(r).__name__}")

    for family, mod in scratch_families.items():
        blocks = defined_classes(_submodules(mod), module_base)
        names_here = {cls.__name__ for cls in blocks}
        for case, types, _ in built.get(family, []):
            if not types & names_here:
                out.append(f"catalog entry {case.name!r} in tests/cases/{family}.py builds no block of the "
                           f"{family!r} family (it builds {sorted(types)})")
        twins = reference_families.get(family)
        for cls in blocks:
            name = cls.__name__
            where = f"{cls.__module__}.{name}"
            if name not in getattr(mod, "__all__", ()):
                out.append(f"{where} is not in scratch.nn.{family}.__all__")
            if getattr(scratch_nn, name, None) is not cls or name not in scratch_nn.__all__:
                out.append(f"{where} is not exported as scratch.nn.{name} (scratch/nn/__init__.py)")
            if twins is None or name not in getattr(twins, "__all__", ()):
                out.append(f"{where} has no twin in reference/nn/{family}.py (its __all__)")
            elif getattr(reference_nn, name, None) is not getattr(twins, name, 0):
                out.append(f"reference.nn.{family}.{name} is not exported as reference.nn.{name}")
            if computes(cls, module_base):
                if cls.backward is module_base.backward:
                    out.append(f"{where} defines forward but no backward")
                if not any(name in types for _, types, _ in built.get(family, [])):
                    out.append(f"{where} has no catalog entry in tests/cases/{family}.py")
    scratch_blocks = {c.__name__ for m in scratch_families.values() for c in defined_classes(_submodules(m),
                                                                                              module_base)}
    for family, mod in reference_families.items():
        out += [f"reference.nn.{family}.{n} twins no scratch.nn block" for n in getattr(mod, "__all__", ())
                if n not in scratch_blocks]
    return out


def library_problems() -> list[str]:
    """:func:`problems` on the real library, twins and catalog."""
    import reference.nn
    import scratch.nn
    import tests.cases
    from tests.catalog import CATALOG, Lib

    return problems(scratch.nn, reference.nn, discover(scratch.nn, CORE), discover(reference.nn, REFERENCE_CORE),
                    discover(tests.cases), CATALOG, lambda case, ns: case.make(Lib(ns, np.float64)))
