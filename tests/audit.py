"""Render the audit report: block x check x dtype -> worst errors, tolerance, headroom (Markdown + JSON)."""

from __future__ import annotations

import json
import math
from pathlib import Path


def merge(rows: list[dict]) -> list[dict]:
    """Merge rows from several processes (xdist workers) keeping the worst error per key."""
    merged: dict[tuple, dict] = {}
    for r in rows:
        key = (r["block"], r["check"], r["dtype"])
        m = merged.get(key)
        if m is None:
            merged[key] = dict(r)
            continue
        for f in ("abs_err", "rel_err", "ratio"):
            m[f] = max(m[f], r[f])
        m["count"] += r["count"]
    return sorted(merged.values(), key=lambda r: (r["block"], r["check"], r["dtype"]))


def headroom(ratio: float) -> str:
    """How many times looser the tolerance is than the worst error seen (inf when exact)."""
    if ratio == 0:
        return "exact"
    if math.isinf(ratio):
        return "FAIL (NaN/inf)"
    return f"{1 / ratio:.3g}x" if ratio <= 1 else f"FAIL ({ratio:.3g}x over)"


def write(path: str | Path, rows: list[dict]) -> None:
    rows = merge(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Audit report: worst error of every cross-check",
        "",
        "One row per block x check x dtype. `abs err` / `rel err` are the worst seen over all comparisons "
        "(`n`), `tolerance` is the rule `|a-e| <= atol + rtol|e|`, `headroom` = allowed / worst error "
        "(1x = at the limit; very large = the tolerance is far looser than needed).",
        "",
        "| block | check | dtype | n | worst abs err | worst rel err | rtol | atol | headroom | tolerance reason |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['block']} | {r['check']} | {r['dtype']} | {r['count']} | {r['abs_err']:.3g} | "
            f"{r['rel_err']:.3g} | {r['rtol']:g} | {r['atol']:g} | {headroom(r['ratio'])} | {r['reason']} |"
        )
    path.write_text("\n".join(lines) + "\n")
    path.with_suffix(".json").write_text(json.dumps(rows, indent=1, allow_nan=True))
