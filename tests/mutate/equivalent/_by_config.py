"""Helpers for declarations that hold for the entries of a configuration (declares nothing itself).

A mutant equivalent for a configuration (one direction, dropout 0, a 0-row table, ...) is equivalent under an entry
only if every check the entry runs sees that configuration. An entry's checks are its own generic items plus what
``-k <entry>`` selects in its family's files, and pytest's keyword match is a substring match: ``-k lstm_hidden_1``
never selects another entry's item, but ``-k embedding_max_norm`` selects ``embedding_max_norm_p3_scale_grad``'s too,
and ``-k rnn`` every RNN test. So a configuration rule declares an entry only when the condition holds for every
entry whose name contains its name, the entry has no ``bad_args`` (they build other configurations), and its name
is not one of the catalog's broad names (the class-named main entries, whose ``-k`` matches class-named tests).
"""

from __future__ import annotations

import warnings

import numpy as np

EQUIVALENT: dict = {}

BROAD = ("rnn", "gru", "lstm", "embedding", "mha")


def blocks(family: str) -> tuple[dict[str, object], dict[str, bool]]:
    """Every entry of ``family``: its scratch block built as the checks build it (no torch), and whether it has
    bad_args."""
    import scratch.nn
    from tests.catalog import CATALOG, Lib

    built, narrow = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for case in CATALOG:
            if case.family == family:
                built[case.name] = case.make(Lib(scratch.nn, np.float64, np.random.default_rng(0)))
                narrow[case.name] = not case.bad_args and case.name not in BROAD
    return built, narrow


def rule(configs: dict[str, dict], narrow: dict[str, bool], keys, reason: str, when,
         by_class: bool = False) -> list[tuple[list[str], dict[str, str]]]:
    """``keys`` declared for the entries satisfying ``when`` (a predicate of the configuration), as the module
    docstring says; ``by_class``: the condition is one of the block's class (every check of the entry that runs
    the code runs that class), so broad entries and bad_args do not matter."""
    def holds(name: str) -> bool:
        return all(when(c) for other, c in configs.items() if name in other)

    entries = {name: reason for name in configs if (by_class or narrow[name]) and holds(name)}
    return [(list(keys), entries)]


def merged(rules) -> dict[str, dict[str, str]]:
    """One mapping per key: the entries of every rule that declares it (the first rule's reason for an entry)."""
    out: dict[str, dict[str, str]] = {}
    for keys, entries in rules:
        for key in keys:
            for name, reason in entries.items():
                out.setdefault(key, {}).setdefault(name, reason)
    return {k: v for k, v in out.items() if v}
