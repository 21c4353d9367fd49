"""What the audit runs: the catalog entries a NAME names, and the test items that check an entry.

A NAME is tried as, in this order: a catalog entry (``relu``), a case family (``activations``), a scratch block
class (``ReLU``: every entry whose scratch block is that class), a source file under scratch/
(``scratch/nn/shuffle.py``: every entry whose trace runs it; the mutants are then made in that file only). A
prefix forces one reading: ``entry:linear``, ``family:linear``, ``class:Linear``, ``file:scratch/nn/linear.py``.

An entry's checks: its items in the generic files (the ``case`` parameter IS the entry, so ``relu`` does not
select ``prelu``), then the items of its family's targeted files that ``-k <entry>`` selects (pytest's own
keyword matcher: a substring of the item's, its parents' and its parameters' names). Ordered so that the checks
that kill most mutants at the least cost run first (stop at the first failure).
"""

from __future__ import annotations

import glob
import warnings
from dataclasses import dataclass, field

import numpy as np

from tests.mutate.mutator import ROOT

GENERIC_FILES = ("tests/test_blocks.py", "tests/test_block_protocol.py", "tests/test_init_catalog.py")
# targeted files beyond tests/test_<family>*.py (shared kernels' oracles, fast paths)
EXTRA_FILES = {
    "conv": ("tests/test_windows.py",), "pooling": ("tests/test_windows.py",), "padding": ("tests/test_windows.py",),
    "fold": ("tests/test_windows.py",), "losses": ("tests/test_nll_rows.py",),
}
# the module protocol runs under every block: mutated only when named as a file (or with --include-protocol),
# else every entry would spend its budget on the same protocol mutants
PROTOCOL_FILES = ("scratch/nn/module.py", "scratch/nn/_state_dict.py", "scratch/nn/base.py", "scratch/nn/_parameter.py")
# the order checks run in (by test function; unlisted ones come after the listed, hypothesis and init last)
PRIORITY = ("test_forward_backward_vs_torch", "test_finite_differences_float64", "test_gradient_at_kinks_vs_torch",
            "test_train_eval_and_buffers_vs_torch", "test_bad_input_like_torch")
LATE = ("test_hypothesis_shapes_and_extremes_vs_torch", "test_default_init_distribution_matches_torch")


def targeted_files(family: str) -> list[str]:
    found = sorted(glob.glob(f"tests/test_{family}*.py", root_dir=ROOT)) + list(EXTRA_FILES.get(family, ()))
    return list(dict.fromkeys(found))


def test_files(families, units=()) -> list[str]:
    """Every file whose items the audit of these families (and units) may run."""
    return list(dict.fromkeys([*GENERIC_FILES, *(f for fam in sorted(families) for f in targeted_files(fam)),
                               *(f for u in units for f in u.tests)]))


@dataclass
class Selection:
    entries: list  # Case objects, catalog order
    files: tuple[str, ...] | None = None  # only these source files are mutated (a file NAME); None: every file
    needs_trace_of_all: bool = False  # a file NAME: which entries run it is known after tracing them all
    units: list = field(default_factory=list)  # Unit objects (units.py): scratch outside the catalog

    @property
    def targets(self) -> list:
        """What is audited, each with ``name`` and ``family``: the catalog entries, then the units."""
        return [*self.entries, *self.units]


def _block_class(case) -> str:
    import scratch.nn
    from tests.catalog import Lib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # deprecated arguments some entries pass on purpose
            return type(case.make(Lib(scratch.nn, np.float64, np.random.default_rng(0)))).__name__
    except Exception:  # noqa: BLE001 - an entry that cannot build names no class
        return ""


def resolve(names: list[str]) -> Selection:
    """The entries, units (and files) the NAMEs mean; no NAME: every entry and every unit. Raises SystemExit on a
    NAME that is none of them."""
    from tests.catalog import BY_NAME, CATALOG
    from tests.mutate.units import UNIT_FAMILIES, UNITS, UNITS_LIST

    if not names:
        return Selection(list(CATALOG), units=list(UNITS_LIST))
    families = {c.family for c in CATALOG}
    chosen: set[str] = set()
    units: set[str] = set()
    files: list[str] = []
    classes: dict[str, str] | None = None
    for name in names:
        kind, _, value = name.partition(":") if name.split(":")[0] in ("entry", "family", "class", "file", "unit") \
            else ("", "", name)
        path = value.removeprefix("./")
        if not kind and value in BY_NAME and (value in families or value in UNIT_FAMILIES):
            raise SystemExit(f"{name!r} is both a catalog entry and a family: say entry:{name} or family:{name}")
        if kind in ("", "entry") and value in BY_NAME:
            chosen.add(value)
        elif kind in ("", "unit") and value in UNITS:
            units.add(value)
        elif kind in ("", "family") and value in families:
            chosen.update(c.name for c in CATALOG if c.family == value)
        elif kind in ("", "family") and value in UNIT_FAMILIES:
            units.update(u.name for u in UNITS_LIST if u.family == value)
        elif kind in ("", "file") and path.startswith("scratch/") and (ROOT / path).is_file():
            files.append(path)
            units.update(u.name for u in UNITS_LIST if path in u.sources)
        elif kind in ("", "class"):
            classes = classes if classes is not None else {c.name: _block_class(c) for c in CATALOG}
            matched = [n for n, cls in classes.items() if cls == value]
            named = [u.name for u in UNITS_LIST if value in u.names]
            if not matched and not named:
                raise SystemExit(f"{name!r} is no catalog entry, unit, family, scratch class or file under "
                                 "scratch/")
            chosen.update(matched)
            units.update(named)
        else:
            raise SystemExit(f"{name!r}: no such {kind or 'entry, unit, family, class or file'}")
    nn_files = any(f.startswith("scratch/nn/") for f in files)
    entries = [c for c in CATALOG if c.name in chosen or nn_files]
    return Selection(entries, tuple(files) if files else None, needs_trace_of_all=nn_files,
                     units=[u for u in UNITS_LIST if u.name in units])


def _callspec_case(item):
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("case") if callspec is not None else None


def _order(item) -> tuple[int, int]:
    name = getattr(item, "originalname", item.name)
    dtype64 = 0 if "float64" in item.name else 1  # float64 first: tight tolerances, no float32 slack to measure
    if name in PRIORITY:
        return PRIORITY.index(name), dtype64
    return (len(PRIORITY) + 1 + LATE.index(name) if name in LATE else len(PRIORITY)), dtype64


def entry_items(items: list, case) -> list:
    """The test items that check one entry, in the order the audit runs them."""
    from _pytest.mark import KeywordMatcher

    generic, targeted = [], []
    family_files = set(targeted_files(case.family)) - set(GENERIC_FILES)
    for item in items:
        file = item.nodeid.split("::")[0]
        if file in GENERIC_FILES:
            found = _callspec_case(item)
            if found is not None and found.name == case.name:
                generic.append(item)
        elif file in family_files and KeywordMatcher.from_item(item)(case.name):
            targeted.append(item)
    return sorted(generic + targeted, key=_order)  # stable: collection order within a rank
