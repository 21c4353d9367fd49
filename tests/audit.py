"""The audit report: every recorded comparison (tests/tolerances._Recorder rows), grouped for a reader.

Three kinds of rows, never mixed in one ranking:

- ``gradient``: a block's outputs, input gradients, parameter gradients (vs torch) and finite differences;
- ``initializer``: distribution statistics of initializers (``init.*`` blocks: mean, variance, KS statistic);
- ``trajectory``: optimizer, scheduler and training runs (``optim.*``, ``lr_scheduler.*``, ``mnist *``).

A gradient check's recorded name is ``[situation:]quantity`` (tests/harness.compare_pair's prefixes: ``accum0:``,
``train:``, ``hypothesis:``, ...; ``bad_input_`` and ``torch_init_`` too): one quantity (``grad_input``,
``grad[weight]``, ``forward[1]``) checked in several situations is one row of the report, at its worst situation,
with every situation's headroom beside it. ``fd_input`` / ``fd[weight]`` are ``grad_input`` / ``grad[weight]``
against finite differences (category ``fd``). Initializer statistics of a catalog entry's parameters
(``init.<entry>.<parameter>``) are listed under the entry.

``write(path, rows)`` writes the format ``path``'s suffix names (.html, .md, .json, .csv) and always the full data
beside it as ``<stem>.json`` and ``<stem>.csv``. The JSON's ``fields`` describes every field.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path

KINDS = {"gradient": "Gradient checks", "initializer": "Initializer statistics",
         "trajectory": "Optimizer trajectories"}
CATEGORY_LABELS = {"forward": "forward", "input_grad": "input grad", "param_grad": "param grad", "fd": "FD",
                   "state": "state", "mean": "mean", "variance": "variance", "KS": "KS", "trajectory": "trajectory",
                   "other": "other"}
# the per-block summary's columns, by kind: each the worst headroom of the block's checks in that column
COLUMNS = {
    "gradient": ["forward f32", "forward f64", "input grad f32", "input grad f64", "param grad f32",
                 "param grad f64", "FD", "other"],
    "initializer": ["mean", "variance", "KS", "other"],
    "trajectory": ["float32", "float64", "other"],
}
SITUATIONS = {
    "plain": "one forward/backward at the entry's shape",
    "accum0": "first of two calls without zero_grad", "accum1": "second call: parameter gradients summed",
    "train": "during training steps", "eval": "after eval()", "hypothesis": "hypothesis: drawn shapes and scales",
    "kink": "inputs planted on kinks", "bad_input": "NaN/inf/empty/odd inputs",
    "torch_init": "torch's own initialization loaded",
}
FIELDS = {
    "kind": "gradient | initializer | trajectory",
    "block": "what the row is about: a catalog entry, an initializer, an optimizer run (`recorded_block` is the "
             "name the test recorded, e.g. init.linear.weight for block linear)",
    "family": "the catalog family (tests/cases/<family>.py), or the name's prefix (optim, init, autograd)",
    "category": "forward | input_grad | param_grad | fd | state | other (gradient); mean | variance | KS | other "
                "(initializer); trajectory",
    "quantity": "the compared tensor or statistic: forward, forward[1], grad_input, grad[weight], ...",
    "situation": "where it was checked: " + "; ".join(f"{k} = {v}" for k, v in SITUATIONS.items()),
    "dtype": "the dtype whose tolerance applied",
    "comparisons": "how many assert_close calls the row covers",
    "worst_abs_error": "the largest |got - expected| over those calls (null: not finite, a NaN or inf against a "
                       "number)",
    "worst_rel_error": "the largest |got - expected| / |expected| over elements with |expected| > atol (null: not "
                       "finite)",
    "headroom": "allowed error / error at the element closest to its tolerance, worst call: 1 = at the limit, "
                "< 1 = failed (0 = a NaN/inf mismatch), null = exact (no difference at all)",
    "rtol": "relative tolerance", "atol": "absolute tolerance",
    "reason": "why the tolerance is not the dtype's default (empty for the default)",
    "worst_situation": "the situation of the row's worst headroom",
    "situations": "headroom of each situation the quantity was checked in",
    "checks": "recorded rows (block x check x dtype) the summary covers",
    "columns": "worst headroom per summary column (COLUMNS in tests/audit.py; absent = no such check)",
    "worst": "the quantity, dtype and situation of the block's worst headroom",
}
_PREFIXES = (("bad_input_", "bad_input"), ("torch_init_", "torch_init"))
# a block outside the catalog named <prefix>.<what> (autograd.relu, optim.Adam[amsgrad]) has the prefix as family
_FAMILY_PREFIXES = ("autograd", "init", "optim", "lr_scheduler", "regularization")


def merge(rows: list[dict]) -> list[dict]:
    """Merge rows from several processes (xdist workers) keeping the worst error per (block, check, dtype)."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = (r["block"], r["check"], r["dtype"])
        m = merged.get(key)
        if m is None:
            merged[key] = dict(r)
            continue
        for f in ("worst_abs_error", "worst_rel_error", "tolerance_used"):
            m[f] = max(m[f], r[f])
        m["comparisons"] += r["comparisons"]
    return sorted(merged.values(), key=lambda r: (r["block"], r["check"], r["dtype"]))


def headroom_of(used: float) -> float | None:
    """1 / tolerance_used: None when exact; 0 for a NaN/inf mismatch."""
    if used == 0:
        return None
    return 0.0 if math.isnan(used) or math.isinf(used) else 1.0 / used


def headroom(h: float | None) -> str:
    """A headroom as the report prints it."""
    if h is None:
        return "exact"
    if h == 0:
        return "FAIL (NaN/inf)"
    return f"{_g(h)}x" if h >= 1 else f"FAIL ({_g(1 / h)}x over)"


def _g(x: float) -> str:
    """3 significant digits, exponents short: 4.26, 1.2e3, 3.27e8."""
    return re.sub(r"e\+?(-?)0*(\d)", r"e\1\2", f"{x:.3g}")


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def error(x: float | None) -> str:
    return "inf" if x is None else f"{x:.3g}"


def sort_key(h: float | None) -> float:
    return math.inf if h is None else h


def _category(quantity: str) -> str:
    for start, category in (("forward", "forward"), ("grad[", "param_grad"), ("grad", "input_grad"),
                            ("state[", "state")):
        if quantity.startswith(start):
            return category
    return "other"


def classify(block: str, check: str, families: Mapping[str, str] | None = None) -> dict:
    """kind, block (the report's), family, category, quantity and situation of one recorded (block, check)."""
    families = families or {}
    m = re.fullmatch(r"init\.([^.\[\]]+)\.(.+)", block)
    if m and (not families or m[1] in families):  # init.<catalog entry>.<parameter>
        unit, quantity = m[1], f"{m[2]}: {check.removeprefix('init ')}"
    else:
        unit, quantity = block, check.removeprefix("init ") if block.startswith("init.") else check
    family = families.get(unit) or next((f for f in _FAMILY_PREFIXES if unit.startswith(f + ".")), "")
    if block.startswith("init.") or re.match(r"init[ _]", check):
        category = next((c for c in ("mean", "var", "KS") if c in check), "other")
        return dict(kind="initializer", block=unit, family=family, category=category.replace("var", "variance"),
                    quantity=quantity, situation="plain")
    if block.startswith(("optim.", "lr_scheduler.", "mnist ")):
        return dict(kind="trajectory", block=unit, family=family or "mnist", category="trajectory",
                    quantity=quantity, situation="plain")
    situation, rest = "plain", check
    if (p := re.match(r"(\w+):(.*)", check)) is not None:
        situation, rest = p[1], p[2]
    for start, name in _PREFIXES:
        if rest.startswith(start):
            situation, rest = name, rest[len(start):]
    if (f := re.fullmatch(r"fd(?:_(.+)|(\[.+\]))?", rest)) is not None:  # fd_input, fd[weight], fd
        return dict(kind="gradient", block=unit, family=family, category="fd",
                    quantity=f"grad_{f[1]}" if f[1] else f"grad{f[2] or ''}", situation=situation)
    return dict(kind="gradient", block=unit, family=family, category=_category(rest), quantity=rest,
                situation=situation)


def column_of(kind: str, category: str, dtype: str) -> str:
    if kind == "gradient":
        if category in ("forward", "input_grad", "param_grad"):
            return f"{CATEGORY_LABELS[category]} {dtype.replace('float', 'f')}"
        return "FD" if category == "fd" else "other"
    if kind == "initializer":
        return category if category in ("mean", "variance", "KS") else "other"
    return dtype if dtype in ("float32", "float64") else "other"


def build(rows: list[dict], families: Mapping[str, str] | None = None) -> dict:
    """The whole report as plain data: summary, blocks (one per kind x block), quantities, checks."""
    checks = []
    for r in merge(rows):
        c = classify(r["block"], r["check"], families)
        checks.append(dict(c, dtype=r["dtype"], recorded_block=r["block"], check=r["check"],
                           comparisons=r["comparisons"], worst_abs_error=_finite(r["worst_abs_error"]),
                           worst_rel_error=_finite(r["worst_rel_error"]), headroom=headroom_of(r["tolerance_used"]),
                           rtol=r["rtol"], atol=r["atol"], reason=r["reason"]))
    quantities: dict[tuple, dict] = {}
    for c in checks:
        key = (c["kind"], c["block"], c["category"], c["quantity"], c["dtype"])
        q = quantities.get(key)
        if q is None:
            q = quantities[key] = dict(kind=c["kind"], block=c["block"], family=c["family"],
                                       category=c["category"], quantity=c["quantity"], dtype=c["dtype"],
                                       comparisons=0, worst_abs_error=0.0, worst_rel_error=0.0, headroom=None,
                                       rtol=c["rtol"], atol=c["atol"], reason=c["reason"],
                                       worst_situation=c["situation"], situations={})
        q["comparisons"] += c["comparisons"]
        for f in ("worst_abs_error", "worst_rel_error"):  # None (not finite) is the worst
            q[f] = None if None in (q[f], c[f]) else max(q[f], c[f])
        s = q["situations"]
        s[c["situation"]] = min(sort_key(s.get(c["situation"])), sort_key(c["headroom"]))
        if sort_key(c["headroom"]) < sort_key(q["headroom"]):
            q.update(headroom=c["headroom"], rtol=c["rtol"], atol=c["atol"], reason=c["reason"],
                     worst_situation=c["situation"])
    qrows = sorted(quantities.values(), key=lambda q: (list(KINDS).index(q["kind"]), q["block"], q["category"],
                                                       q["quantity"], q["dtype"]))
    for q in qrows:
        q["situations"] = {k: None if math.isinf(v) else v for k, v in q["situations"].items()}
    blocks: dict[tuple, dict] = {}
    for q in qrows:
        b = blocks.setdefault((q["kind"], q["block"]), dict(
            kind=q["kind"], block=q["block"], family=q["family"], comparisons=0, checks=0, headroom=None,
            worst=None, columns={}))
        b["comparisons"] += q["comparisons"]
        b["checks"] += len(q["situations"])
        col = column_of(q["kind"], q["category"], q["dtype"])
        b["columns"][col] = min(sort_key(b["columns"].get(col)), sort_key(q["headroom"]))
        if b["worst"] is None or sort_key(q["headroom"]) < sort_key(b["headroom"]):
            b["headroom"] = q["headroom"]
            b["worst"] = dict(quantity=q["quantity"], category=q["category"], dtype=q["dtype"],
                              situation=q["worst_situation"])
    for b in blocks.values():
        b["columns"] = {k: None if math.isinf(v) else v for k, v in b["columns"].items()}
    failing = sum(1 for c in checks if c["headroom"] is not None and c["headroom"] < 1)
    summary = dict(checks=len(checks), comparisons=sum(c["comparisons"] for c in checks), failing=failing,
                   blocks={k: sum(1 for b in blocks.values() if b["kind"] == k) for k in KINDS})
    return dict(format="scratch audit report 2", fields=FIELDS, summary=summary, blocks=list(blocks.values()),
                quantities=qrows, checks=checks)


def closest(report: dict, kind: str, n: int) -> list[dict]:
    """The ``n`` quantities of ``kind`` with the least headroom (exact ones never)."""
    rows = [q for q in report["quantities"] if q["kind"] == kind and q["headroom"] is not None]
    return sorted(rows, key=lambda q: q["headroom"])[:n]


CSV_FIELDS = ["kind", "block", "family", "category", "quantity", "situation", "dtype", "comparisons",
              "worst_abs_error", "worst_rel_error", "headroom", "rtol", "atol", "reason", "recorded_block", "check"]


def write_csv(path: Path, report: dict) -> None:
    """One line per recorded check (the full detail); an empty headroom is exact."""
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, CSV_FIELDS, extrasaction="ignore")
        w.writeheader()
        w.writerows({**c, "headroom": "" if c["headroom"] is None else repr(c["headroom"])}
                    for c in report["checks"])


def write_json(path: Path, report: dict) -> None:
    """Strict JSON (no NaN/Infinity: an exact headroom is null), one list entry per line."""
    def dump(v) -> str:
        if isinstance(v, list):
            return "[\n" + ",\n".join(json.dumps(x, allow_nan=False) for x in v) + "\n]"
        return json.dumps(v, indent=1, allow_nan=False)

    path.write_text("{\n" + ",\n".join(f"{json.dumps(k)}: {dump(v)}" for k, v in report.items()) + "\n}\n")


def _md(text) -> str:
    return str(text).replace("|", "\\|")


def _where(w: dict | None) -> str:
    if w is None:
        return ""
    return f"{w['quantity']} {w['dtype']}" + ("" if w["situation"] == "plain" else f" ({w['situation']})")


def write_markdown(path: Path, report: dict, closest_n: int = 15) -> None:
    """The summary a person reads: the closest rows of each kind, then one line per block and kind."""
    s = report["summary"]
    stem = path.with_suffix("").name
    lines = [
        "# Audit report: worst error of every cross-check",
        "",
        f"{s['comparisons']} comparisons in {s['checks']} recorded checks; {s['failing']} failing. Blocks: "
        + ", ".join(f"{n} {KINDS[k].lower()}" for k, n in s["blocks"].items())
        + f". Full detail: `{stem}.json` (described by its `fields`), `{stem}.csv`, and the HTML report "
        "(`pytest --audit-report audit.html`).",
        "",
        "**headroom** = allowed error / error at the element closest to its tolerance, over the worst call: 1x is "
        "at the limit, below 1x fails, `exact` means no difference at all. A quantity (an output, an input or a "
        "parameter gradient) checked in several situations (" + ", ".join(SITUATIONS)
        + ") is one row at its worst situation.",
    ]
    heads = "| block | quantity | category | dtype | situation | headroom | worst abs err | worst rel err | " \
            "rtol | atol | tolerance reason |\n|---|---|---|---|---|---:|---:|---:|---:|---:|---|"
    for kind, title in KINDS.items():
        rows = closest(report, kind, closest_n)
        lines += ["", f"## Closest to tolerance: {title.lower()}", ""]
        lines += [heads] + [
            f"| {_md(q['block'])} | {_md(q['quantity'])} | {CATEGORY_LABELS[q['category']]} | {q['dtype']} | "
            f"{q['worst_situation']} | {headroom(q['headroom'])} | {error(q['worst_abs_error'])} | "
            f"{error(q['worst_rel_error'])} | {q['rtol']:g} | {q['atol']:g} | {_md(q['reason'])} |" for q in rows
        ] if rows else ["(none)"]
    from tests.audit_mutation import cell, markdown

    mutants = "mutation" in report
    for kind, title in KINDS.items():
        blocks = sorted((b for b in report["blocks"] if b["kind"] == kind), key=lambda b: b["block"])
        cols = COLUMNS[kind]
        lines += ["", f"## {title} per block ({len(blocks)})", "",
                  "| block | family | comparisons | worst | at | " + " | ".join(cols) + (" | mutants" * mutants)
                  + " |", "|---|---|---:|---:|---|" + "---:|" * (len(cols) + mutants)]
        lines += [f"| {_md(b['block'])} | {b['family']} | {b['comparisons']} | {headroom(b['headroom'])} | "
                  f"{_md(_where(b['worst']))} | "
                  + " | ".join(headroom(b["columns"][c]) if c in b["columns"] else "" for c in cols)
                  + (f" | {cell(b.get('mutation'))}" if mutants else "") + " |"
                  for b in blocks]
    path.write_text("\n".join(lines + markdown(report)) + "\n")


def _write_html(path: Path, report: dict) -> None:
    from tests.audit_html import write_html

    write_html(path, report)


WRITERS = {".html": _write_html, ".md": write_markdown, ".json": write_json, ".csv": write_csv}


def check_path(path: str | Path) -> Path:
    """The report path, or ValueError naming the suffixes understood."""
    path = Path(path)
    if path.suffix not in WRITERS:
        raise ValueError(f"--audit-report {path}: the suffix must be one of {', '.join(WRITERS)} "
                         "(the format to write; the JSON and CSV are written beside it)")
    return path


def write(paths: str | Path | list, rows: list[dict], families: Mapping[str, str] | None = None,
          mutation: str | Path | None = None) -> dict:
    """Write the report to each path in its suffix's format, plus ``<stem>.json`` and ``<stem>.csv`` beside it;
    returns the report (tests/audit.build). ``mutation``: a ``python -m tests.mutate --json`` file whose scores
    join the blocks (tests/audit_mutation.py)."""
    paths = [check_path(p) for p in (paths if isinstance(paths, list) else [paths])]
    report = build(rows, families)
    if mutation is not None:
        from tests import audit_mutation

        audit_mutation.attach(report, audit_mutation.load(mutation), str(mutation))
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in {path, path.with_suffix(".json"), path.with_suffix(".csv")}:
            WRITERS[p.suffix](p, report)
    return report
