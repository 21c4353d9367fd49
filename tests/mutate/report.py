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


def classify(record: dict, equivalent: dict[str, str]) -> str:
    """A mutant's class in the counts: its status, or 'equivalent' when declared so (whatever its status)."""
    return "equivalent" if record["mutant"].key in equivalent else record["status"]


def counts(records: list[dict], equivalent: dict[str, str]) -> dict:
    c = Counter(classify(r, equivalent) for r in records)
    row = {k: c.get(k, 0) for k in (*STATUSES, "equivalent")}
    detected = sum(row[k] for k in DETECTED)
    scored = detected + row["survived"]
    return {"mutants": len(records), **row, "score": detected / scored if scored else None}


def stale_declarations(equivalent: dict[str, str]) -> list[str]:
    """Declarations that match no mutant of their file any more (the file changed, or the key was mistyped)."""
    stale = []
    for key in equivalent:
        file = key.split("::")[0]
        if not (ROOT / file).is_file() or key not in {m.key for m in mutants_of_file(file)}:
            stale.append(key)
    return stale


def build(raw: dict, equivalent: dict[str, str] | None = None) -> dict:
    """The report (plain data) from the runner's raw results."""
    equivalent = EQUIVALENT if equivalent is None else equivalent
    entries, families = {}, {}
    for name, e in raw["entries"].items():
        records = e["mutants"]
        entries[name] = {"family": e["family"], "checks": e.get("checks"), "error": e.get("error"),
                         **counts(records, equivalent),
                         "survivors": [r["mutant"].diff() for r in records if classify(r, equivalent) == "survived"],
                         "results": [{**asdict(r["mutant"]), "id": r["mutant"].id, "key": r["mutant"].key,
                                      "status": r["status"], "detail": r.get("detail"),
                                      "checks_run": r.get("ran"), "seconds": r.get("seconds"),
                                      "equivalent": equivalent.get(r["mutant"].key)} for r in records]}
        families.setdefault(e["family"], []).extend(records)
    declared = [{"entry": n, "key": r["mutant"].key, "diff": r["mutant"].diff(), "reason": equivalent[r["mutant"].key],
                 "status": r["status"]} for n, e in raw["entries"].items() for r in e["mutants"]
                if r["mutant"].key in equivalent]
    total = [r for e in raw["entries"].values() for r in e["mutants"]]
    ran = sum(1 for r in total if r["status"] not in ("not applied",))
    return {
        "summary": {**counts(total, equivalent), "entries": len(entries), "seconds": raw.get("seconds"),
                    "mutants_per_second": ran / raw["seconds"] if raw.get("seconds") else None,
                    "interrupted": bool(raw.get("interrupted")), "log_dir": raw.get("log_dir"),
                    "phases": raw.get("phases")},
        "families": {f: counts(rs, equivalent) for f, rs in sorted(families.items())},
        "entries": entries,
        "equivalent": declared,
        "contradicted": [d for d in declared if d["status"] in DETECTED],
        "stale": stale_declarations(equivalent),
        "not_applied": dict(Counter(r.get("detail", "").split(" (")[0] for r in total
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
