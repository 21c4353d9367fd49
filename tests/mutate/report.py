"""The audit's report: per entry and per family, killed / survived / timed out / not applied / equivalent, the
score, every survivor as a one-line diff, the equivalent mutants with their reasons, stale and contradicted
declarations; as a table on the terminal and as JSON (``--json``) for the audit report.

Score = detected / (detected + survived), detected = killed + timed out + crashed, over the applied mutants that
are not declared equivalent (a mutant that cannot be applied in memory is listed, not scored).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict

from tests.mutate.equivalent import EQUIVALENT
from tests.mutate.mutator import ROOT, Mutant, mutants_of_file

STATUSES = ("killed", "survived", "timeout", "crashed", "not applied", "error")
DETECTED = ("killed", "timeout", "crashed")


Declarations = dict[str, "str | dict[str, str]"]


def reason_for(equivalent: Declarations, key: str, entry: str) -> str | None:
    """Why the mutant is equivalent under this entry: a declaration is a reason (every entry), or a mapping
    entry name -> reason (only those entries: e.g. ``alpha * scale`` is ``alpha`` for ELU, whose scale is 1)."""
    declared = equivalent.get(key)
    return declared.get(entry) if isinstance(declared, dict) else declared


def counts(records: list[dict]) -> dict:
    """The counts of records annotated by :func:`build` (``reason``: declared equivalent)."""
    c = Counter("equivalent" if r["reason"] else r["status"] for r in records)
    row = {k: c.get(k, 0) for k in (*STATUSES, "equivalent")}
    detected = sum(row[k] for k in DETECTED)
    scored = detected + row["survived"]
    return {"mutants": len(records), **row, "score": detected / scored if scored else None}


def stale_declarations(equivalent: Declarations) -> list[str]:
    """Declarations that match no mutant of their file any more (the file changed, or the key was mistyped)."""
    stale = []
    for key in equivalent:
        file = key.split("::")[0]
        if not (ROOT / file).is_file() or key not in {m.key for m in mutants_of_file(file)}:
            stale.append(key)
    return stale


def _row(r: dict) -> dict:
    m = r["mutant"]
    return {**asdict(m), "id": m.id, "key": m.key, "status": r["status"], "detail": r.get("detail"),
            "checks_run": r.get("ran"), "seconds": r.get("seconds"), "equivalent": r["reason"]}


def build(raw: dict, equivalent: Declarations | None = None) -> dict:
    """The report (plain data) from the runner's raw results."""
    equivalent = EQUIVALENT if equivalent is None else equivalent
    entries, families, total = {}, {}, []
    for name, e in raw["entries"].items():
        records = [{**r, "entry": name, "reason": reason_for(equivalent, r["mutant"].key, name)}
                   for r in e["mutants"]]
        entries[name] = {"family": e["family"], "checks": e.get("checks"), "error": e.get("error"),
                         "baseline_seconds": e.get("baseline_seconds"), **counts(records),
                         "survivors": [r["mutant"].diff() for r in records
                                       if r["status"] == "survived" and not r["reason"]],
                         "results": [_row(r) for r in records]}
        families.setdefault(e["family"], []).extend(records)
        total += records
    declared = [{"entry": r["entry"], "key": r["mutant"].key, "diff": r["mutant"].diff(), "reason": r["reason"],
                 "status": r["status"]} for r in total if r["reason"]]
    ran = sum(1 for r in total if r["status"] != "not applied")
    return {
        "summary": {**counts(total), "entries": len(entries), "seconds": raw.get("seconds"),
                    "mutants_per_second": ran / raw["seconds"] if raw.get("seconds") else None,
                    "interrupted": bool(raw.get("interrupted")), "log_dir": raw.get("log_dir"),
                    "phases": raw.get("phases")},
        "families": {f: counts(rs) for f, rs in sorted(families.items())},
        "entries": entries,
        "equivalent": declared,
        "contradicted": [d for d in declared if d["status"] in DETECTED],
        "stale": stale_declarations(equivalent),
        "not_applied": dict(Counter((r.get("detail") or "").split(" (")[0] for r in total
                                    if r["status"] == "not applied").most_common()),
    }


def _pct(score) -> str:
    return "-" if score is None else f"{100 * score:.1f}%"


def _table(rows: list[tuple[str, dict]], title: str) -> list[str]:
    head = f"{title:<34} {'mutants':>7} {'killed':>6} {'surv':>5} {'tmout':>5} {'n/a':>4} {'equiv':>5} {'score':>7}"
    out = [head, "-" * len(head)]
    for name, c in rows:
        out.append(f"{name[:34]:<34} {c['mutants']:>7} {c['killed']:>6} {c['survived']:>5} "
                   f"{c['timeout'] + c['crashed']:>5} {c['not applied']:>4} {c['equivalent']:>5} {_pct(c['score']):>7}")
    return out


def text(report: dict, entry_rows: bool = True, keys: bool = False) -> str:
    """The terminal report."""
    lines = [""] + _table(list(report["families"].items()), "family")
    if entry_rows:
        lines += [""] + _table([(n, e) for n, e in report["entries"].items()], "entry")
    s = report["summary"]
    lines += ["", f"total: {s['mutants']} mutants over {s['entries']} entries, {s['killed']} killed, "
              f"{s['survived']} survived, {s['timeout']} timed out, {s['crashed']} crashed, {s['not applied']} not "
              f"applied, {s['equivalent']} equivalent; score {_pct(s['score'])}"
              + (f"; {s['seconds']:.0f} s, {s['mutants_per_second']:.2f} mutants/s" if s["seconds"] else "")]
    if s.get("phases"):
        p = s["phases"]
        lines.append("time: workers ready after " + ", ".join(f"{t:.0f}" for t in p["workers ready"]) + " s; "
                     + ", ".join(f"{k} {v:.0f} s" for k, v in p.items() if k != "workers ready"))
    if s["interrupted"]:
        lines.append("INTERRUPTED: the figures cover the mutants that finished")
    errors = [(n, e["error"]) for n, e in report["entries"].items() if e.get("error")]
    for name, error in errors:
        lines.append(f"ERROR {name}: {error}")
    survivors = [(n, r) for n, e in report["entries"].items() for r in e["results"]
                 if r["status"] == "survived" and not r["equivalent"]]
    if survivors:
        lines += ["", f"survivors ({len(survivors)}):"]
        for name, r in survivors:
            m = Mutant(**{k: r[k] for k in Mutant.__dataclass_fields__})
            lines.append(f"  [{name}] {m.diff()}" + (f"\n      key: {m.key}" if keys else ""))
    if report["equivalent"]:
        lines += ["", "declared equivalent:"] + [f"  [{d['entry']}] {d['diff']}: {d['reason']}"
                                                 for d in report["equivalent"]]
    for d in report["contradicted"]:
        lines.append(f"CONTRADICTED (declared equivalent, but {d['status']}): {d['key']}")
    for key in report["stale"]:
        lines.append(f"STALE equivalent declaration (matches no mutant): {key}")
    if report["not_applied"]:
        lines += ["", "not applied: " + "; ".join(f"{n} x {reason}" for reason, n in report["not_applied"].items())]
    return "\n".join(lines)


def write_json(report: dict, path: str) -> None:
    with open(path, "w") as f:
        json.dump(report, f, indent=1, sort_keys=False)
