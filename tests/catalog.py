"""The catalog: one entry per building block, in the spirit of PyTorch's OpInfo and minitorch's op table.

``Case.make(lib)`` is called with the scratch and the reference namespace (wrapped so that ``dtype=`` and
``rng=`` are filled in for constructors that take them): one line builds both twins. The reference then loads
the scratch state_dict and every generic check in test_blocks.py runs on the pair.

Families live in ``tests/cases/<family>.py`` (discovered: every module there without a leading underscore);
this module only gathers them.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from tests.strategies import Sampler
from tests.tolerances import Tol


@functools.cache
def _parameter_names(cls) -> frozenset[str] | None:
    """The constructor's parameter names, once per class (a Lib view builds blocks thousands of times)."""
    try:
        return frozenset(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return None


class Lib:
    """A view of ``scratch.nn`` or ``reference.nn`` that injects ``dtype`` and ``rng`` where accepted."""

    def __init__(self, namespace, dtype=np.float64, rng: np.random.Generator | None = None) -> None:
        self.namespace, self.dtype = namespace, dtype
        self.rng = rng if rng is not None else np.random.default_rng(0)

    def __getattr__(self, name: str):
        cls = getattr(self.namespace, name)
        params = _parameter_names(cls)
        if params is None:
            return cls
        inject = {k: v for k, v in (("dtype", self.dtype), ("rng", self.rng)) if k in params}

        def build(*args, **kwargs):
            return cls(*args, **{**inject, **kwargs})

        return build


@dataclass(frozen=True)
class BadInput:
    """An input both twins must treat alike: raise the same exception class, or return the same values."""

    label: str
    sample: Callable[[np.random.Generator, type], tuple]
    # Elementwise blocks only: compare where the input is finite; at NaN/inf inputs require a non-finite output.
    # For kernels whose torch result at NaN/inf depends on torch's own SIMD path (the case says why).
    finite_positions_only: str = ""


@dataclass(frozen=True)
class BadArgs:
    """Invalid hyper-parameters: constructing (or first calling) must raise the same class on both sides."""

    label: str
    make: Callable[[Lib], object]


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Lib], object]
    sample: Sampler
    shape: tuple[int, ...]
    shapes: st.SearchStrategy | None = None  # hypothesis shapes; None = fixed default shape only
    scales: tuple[float, ...] = (1.0, 0.0, 1e-4, 1e2, 1e4)
    loss: bool = False  # forward(input, target) -> loss; backward(dy) -> d loss / d input
    kinks: Sampler | None = None  # inputs planted exactly on kinks, compared with torch (not with FD)
    fd: bool = True  # finite differences apply (the block is differentiable at the sampled inputs)
    # per-check override with its reason: {"grad": Tol(...)} for both dtypes, {"grad:float32": Tol(...)} for one
    tol: Mapping[str, Tol] = field(default_factory=dict)
    bad_inputs: tuple[BadInput, ...] = ()
    bad_args: tuple[BadArgs, ...] = ()
    train_steps: int = 0  # >0: run that many training steps, then compare buffers and the eval output
    # float32 at extreme scales: torch runs nudged by one rounding that measure the conditioning (harness.
    # float32_noise); more for blocks whose conditioning varies strongly between nearby inputs (recurrences)
    nudges: int = 2
    family: str = ""  # set by the catalog: the tests/cases module that holds the entry

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        """The name and what the entry builds (the scratch block's repr, with its hyper-parameters), not the
        dataclass fields: a failing hypothesis example prints this instead of every lambda and strategy."""
        return f"Case({self.name!r}, family={self.family!r}, block={_block_repr(self)}, shape={self.shape})"

    def _repr_pretty_(self, printer, cycle) -> None:  # hypothesis' pretty printer: one line, not the fields
        printer.text(repr(self))


def _block_repr(case: Case, limit: int = 240) -> str:
    """``Conv2d(2, 3, kernel_size=(3, 3), stride=(2, 2))``; a container's repr on one line, cut at ``limit``."""
    import scratch.nn

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text = " ".join(repr(case.make(Lib(scratch.nn))).split())
    except Exception as e:  # noqa: BLE001 - a repr must not raise; say why the block is missing
        return f"<{type(e).__name__} building it>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def family_modules() -> dict[str, object]:
    """Every case family: each module or package in tests/cases/ whose name has no leading underscore (helpers do),
    discovered, never listed by hand. Each must define CASES, and shares its name with a scratch.nn family."""
    import importlib
    import pkgutil

    import tests.cases

    found = {}
    for info in sorted(pkgutil.iter_modules(tests.cases.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"tests.cases.{info.name}")
            if not isinstance(getattr(module, "CASES", None), list):
                raise TypeError(f"tests/cases/{info.name}.py is a case family but defines no CASES list "
                                "(helper modules start with an underscore)")
            found[info.name] = module
    return found


def _gather() -> list[Case]:
    cases: list[Case] = []
    for family, module in family_modules().items():
        for case in module.CASES:
            object.__setattr__(case, "family", family)
            cases.append(case)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"duplicate catalog names: {sorted(dupes)}")
    return cases


CATALOG: list[Case] = _gather()
BY_NAME: dict[str, Case] = {c.name: c for c in CATALOG}
