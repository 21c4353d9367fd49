"""Equivalent mutants: a mutant that cannot change what the code computes (``<`` vs ``<=`` at a switch point where
both branches agree, ``x * 1`` vs ``x / 1``) is declared here with its reason, not left as a survivor.

Keyed by ``Mutant.key``: ``file::function qualname::operator::source of the node -> replacement#occurrence``
(no line numbers, so unrelated edits leave a declaration valid; the occurrence counts the same mutation of the
same text in the same function). ``python -m tests.mutate`` prints every survivor's key with ``--keys``. A
declaration that no longer matches any mutant of its file is reported as stale; one whose mutant a check kills
is reported as contradicted (it was not equivalent after all).

A declaration is a reason (the mutant is equivalent under every entry), or a mapping ``{entry name: reason}``
when it is equivalent only for some entries' arguments: ``alpha * scale -> alpha`` in the kernel ELU, CELU and
SELU share is equivalent for ELU (scale 1), not for SELU.

A registry rather than a field of each catalog entry: equivalence is mostly a property of the code, and the same
code runs under many entries (one declaration covers every entry that runs it). One module per scratch area
(``shuffle.py`` for scratch/nn/shuffle.py, ``optim.py`` for scratch/optim/...), each defining ``EQUIVALENT``;
this package merges them: a key declared for every entry in one module and for some in another is the former,
two per-entry declarations merge, and the same entry (or every entry) declared twice is an error.
"""

from __future__ import annotations

import importlib
import pkgutil

Declarations = dict[str, "str | dict[str, str]"]


def _combine(key: str, first, second):
    """One mutant declared by two areas (a shared kernel seen from two families): a declaration for every entry
    covers the other's entries; two per-entry ones merge; the same entry twice, or two for every entry, is an
    error."""
    if isinstance(first, str) and isinstance(second, str):
        raise ValueError(f"equivalent mutant {key!r} is declared twice (tests/mutate/equivalent/)")
    if isinstance(first, str) or isinstance(second, str):
        return first if isinstance(first, str) else second
    both = set(first) & set(second)
    if both:
        raise ValueError(f"equivalent mutant {key!r} is declared twice for {sorted(both)} (tests/mutate/equivalent/)")
    return {**first, **second}


def _merged() -> Declarations:
    merged: Declarations = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        for key, reason in importlib.import_module(f"{__name__}.{info.name}").EQUIVALENT.items():
            merged[key] = reason if key not in merged else _combine(key, merged[key], reason)
    return merged


EQUIVALENT: Declarations = _merged()
