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
this package merges them, and a key declared twice is an error.
"""

from __future__ import annotations

import importlib
import pkgutil

Declarations = dict[str, "str | dict[str, str]"]


def _merged() -> Declarations:
    merged: Declarations = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        for key, reason in importlib.import_module(f"{__name__}.{info.name}").EQUIVALENT.items():
            if key in merged:
                raise ValueError(f"equivalent mutant {key!r} is declared twice (tests/mutate/equivalent/)")
            merged[key] = reason
    return merged


EQUIVALENT: Declarations = _merged()
