"""The mutation audit's score in the audit report: ``pytest --audit-report audit.html --mutation-results m.json``
reads the JSON ``python -m tests.mutate --json m.json`` wrote and puts, beside each block's gradient headroom,
how many of the mutants of the code it runs its checks killed (README "Mutation audit").

A gradient or initializer block is a catalog entry: its mutation row is the entry's. A trajectory block
(``optim.Adam[amsgrad]``) is an optimizer run: its row is the optimizer's unit (``optim.Adam``, which also holds
AdamW's). Units with no block in the report (data, gradcheck, the autograd engine, ...) are listed on their own,
so every figure of the mutation run is in the report.
"""

from __future__ import annotations

import json
from pathlib import Path


def load(path: str | Path) -> dict:
    """The mutation run's report (tests/mutate/report.build, as JSON); ValueError if it is not one."""
    data = json.loads(Path(path).read_text())
    if not isinstance(data, dict) or not {"summary", "families", "entries"} <= set(data):
        raise ValueError(f"--mutation-results {path}: not the JSON of `python -m tests.mutate --json`")
    return data


def score(c: dict) -> dict:
    """killed (killed + timed out + crashed) of scored (those + survived), the equivalent apart."""
    detected = c["killed"] + c["timeout"] + c["crashed"]
    return {"killed": detected, "scored": detected + c["survived"], "survived": c["survived"],
            "equivalent": c["equivalent"], "score": c["score"]}


def _class_units(entries: dict) -> dict[str, str]:
    """Optimizer class name -> its unit's name (``AdamW`` -> ``optim.Adam``), from the units the run audited."""
    from tests.mutate.units import UNITS

    return {n: u.name for u in UNITS.values() if u.name in entries for n in u.names}


def target_of(block: str, kind: str, entries: dict, by_class: dict[str, str]) -> str | None:
    """The mutation target whose score belongs to a report block (None: the run did not audit it)."""
    if kind != "trajectory":
        return block if block in entries else None
    name = block.split("[")[0].removeprefix("optim.").removeprefix("lr_scheduler.")
    return by_class.get(name)


def attach(report: dict, mutation: dict, source: str) -> dict:
    """Adds ``mutation`` to each block the run audited and ``report['mutation']`` (totals, families, the
    targets with no block here); returns the report."""
    entries = mutation["entries"]
    by_class = _class_units(entries)
    shown = set()
    for b in report["blocks"]:
        target = target_of(b["block"], b["kind"], entries, by_class)
        if target is not None:
            b["mutation"] = {"target": target, **score(entries[target]), "survivors": entries[target]["survivors"]}
            shown.add(target)
    report["mutation"] = {
        "source": source, "summary": score(mutation["summary"]),
        "families": {f: score(c) for f, c in mutation["families"].items()},
        "elsewhere": {n: {"family": e["family"], **score(e), "survivors": e["survivors"]}
                      for n, e in entries.items() if n not in shown},
        "interrupted": mutation["summary"].get("interrupted", False),
    }
    return report


def cell(m: dict | None) -> str:
    """``28/30`` (and the score) as a table cell's text; empty when the block was not audited."""
    if not m:
        return ""
    return f"{m['killed']}/{m['scored']}" + ("" if m["score"] is None else f" ({100 * m['score']:.0f}%)")


def percent(m: dict) -> str:
    return "no score" if m["score"] is None else f"{100 * m['score']:.1f}%"


def markdown(report: dict) -> list[str]:
    """The report's mutation section (Markdown lines)."""
    m = report.get("mutation")
    if m is None:
        return []
    s = m["summary"]
    lines = ["", "## Mutation audit", "",
             f"From `{m['source']}`: {s['killed']} of {s['scored']} non-equivalent mutants killed ({percent(s)}), "
             f"{s['equivalent']} declared equivalent" + (" (INTERRUPTED run)" if m["interrupted"] else "")
             + ". Per block, the `mutants` column of the tables below.", "",
             "| family | killed / scored | survived | equivalent |", "|---|---:|---:|---:|"]
    lines += [f"| {f} | {cell(c)} | {c['survived']} | {c['equivalent']} |" for f, c in m["families"].items()]
    if m["elsewhere"]:
        lines += ["", "Audited targets with no block above:", "", "| target | family | killed / scored | survivors |",
                  "|---|---|---:|---|"]
        lines += [f"| {n} | {e['family']} | {cell(e)} | {'; '.join(e['survivors'][:3]).replace('|', chr(92) + '|')}"
                  + (" ..." if len(e["survivors"]) > 3 else "") + " |" for n, e in m["elsewhere"].items()]
    return lines
