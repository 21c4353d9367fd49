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


_HEADER = ("| block | check | dtype | n | worst abs err | worst rel err | rtol | atol | headroom | tolerance reason |\n"
           "|---|---|---|---:|---:|---:|---:|---:|---:|---|")


def _row(r: dict) -> str:
    return (f"| {r['block']} | {r['check']} | {r['dtype']} | {r['count']} | {r['abs_err']:.3g} | "
            f"{r['rel_err']:.3g} | {r['rtol']:g} | {r['atol']:g} | {headroom(r['ratio'])} | {r['reason']} |")


def per_block(rows: list[dict]) -> list[dict]:
    """One line per block: its number of checks, the worst headroom and where it occurs."""
    out: dict[str, dict] = {}
    for r in rows:
        b = out.setdefault(r["block"], dict(block=r["block"], rows=0, n=0, worst=r))
        b["rows"] += 1
        b["n"] += r["count"]
        if r["ratio"] > b["worst"]["ratio"]:
            b["worst"] = r
    return sorted(out.values(), key=lambda b: -b["worst"]["ratio"])


def write(path: str | Path, rows: list[dict], closest: int = 20) -> None:
    rows = merge(rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Audit report: worst error of every cross-check",
        "",
        f"{len(rows)} rows, {sum(r['count'] for r in rows)} comparisons. `abs err` / `rel err` are the worst seen "
        "over `n` comparisons; the tolerance is `|a-e| <= atol + rtol|e|`; `headroom` = allowed / worst error "
        "at the worst element (1x = at the limit; very large = the tolerance is far looser than needed).",
        "",
        f"## The {closest} rows closest to their tolerance",
        "",
        _HEADER,
        *[_row(r) for r in sorted(rows, key=lambda r: -r["ratio"])[:closest]],
        "",
        "## Per block: worst headroom over all its checks",
        "",
        "| block | rows | comparisons | worst headroom | at check | dtype |",
        "|---|---:|---:|---:|---|---|",
        *[f"| {b['block']} | {b['rows']} | {b['n']} | {headroom(b['worst']['ratio'])} | {b['worst']['check']} | "
          f"{b['worst']['dtype']} |" for b in per_block(rows)],
        "",
        "## Every row",
        "",
        _HEADER,
    ]
    lines += [_row(r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    path.with_suffix(".json").write_text(json.dumps(rows, indent=1, allow_nan=True))
