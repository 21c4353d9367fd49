"""The audit report as one self-contained HTML page (no external assets, no network): the closest rows of each
kind, then one table per kind with one row per block, sortable (click a header), filterable (block or family,
headroom limit), headroom drawn as bars, each block expanding to its checks.

Every headroom is also an attribute, ``data-headroom`` (``repr`` of the float, or ``exact``), on the block's
``<tbody class="blk">`` and on each check row ``<tr class="q">``: tests parse the page and compare them with the
JSON (tests/test_audit_report.py).
"""

from __future__ import annotations

import math
import re
from html import escape
from pathlib import Path

from tests.audit import CATEGORY_LABELS, COLUMNS, KINDS, SITUATIONS, closest, error, headroom
from tests.audit_mutation import cell, percent

_LEGEND = (("f", "failing"), ("o", "&lt;3x"), ("y", "&lt;30x"), ("g", "more"), ("x", "exact"))
FULL = 8.0  # a bar is full at 10^8 headroom (float64 rows of twins computing the same expression go beyond)


def _attr(h: float | None) -> str:
    return "exact" if h is None else repr(h)


def bar(h: float | None, missing: bool = False, sortable: bool = True, at: str = "") -> str:
    """A table cell: a bar (CSS, td.h::before) of length log10(headroom) / FULL, coloured by how close to the
    tolerance it is; ``data-v`` is the value a click on the column header sorts by."""
    if missing:
        return '<td class="h" data-v=""></td>'
    if h is None:
        cls, width, v = "x", 100.0, 1e308
    elif h < 1:
        cls, width, v = "f", 100.0, h
    else:
        cls = "o" if h < 3 else "y" if h < 30 else "g"
        width, v = max(3.0, min(100.0, 100 * math.log10(h) / FULL)), h
    sort = f' data-v="{v!r}"' if sortable else ""
    where = f'<div class="at" title="{escape(at)}">{escape(at)}</div>' if at else ""
    return f'<td class="h {cls}"{sort} style="--w:{width:.0f}%">{escape(headroom(h))}{where}</td>'


def _breakable(name: str) -> str:
    """A long block name may wrap after an underscore, a comma or a dot before a letter (<wbr>), not inside a
    word or a number."""
    return re.sub(r"([_,]|\.(?=[A-Za-z]))", r"\1<wbr>", escape(name))


def _where(w: dict | None) -> str:
    if w is None:
        return ""
    return f"{w['quantity']} {w['dtype']}" + ("" if w["situation"] == "plain" else f" ({w['situation']})")


def _situations(q: dict) -> str:
    if list(q["situations"]) == ["plain"]:
        return ""
    return ", ".join(f"{k} {headroom(v)}" for k, v in sorted(q["situations"].items(), key=lambda kv: (
        math.inf if kv[1] is None else kv[1])))


_CHECK_HEAD = ("quantity", "category", "dtype", "comparisons", "headroom", "worst situation", "by situation",
               "worst abs err", "worst rel err", "rtol", "atol", "reason")


def _check_row(q: dict, note: int | None) -> str:
    """One quantity; its tolerance's reason is footnote ``note`` of the block (reasons repeat: SLACK_REASON)."""
    cells = [escape(q["quantity"]), CATEGORY_LABELS[q["category"]], q["dtype"], str(q["comparisons"])]
    tail = [escape(q["worst_situation"]), escape(_situations(q)), error(q["worst_abs_error"]),
            error(q["worst_rel_error"]), f'{q["rtol"]:g}', f'{q["atol"]:g}', "" if note is None else f"({note})"]
    return (f'<tr class="q" data-headroom="{_attr(q["headroom"])}">' + "".join(f"<td>{c}</td>" for c in cells)
            + bar(q["headroom"], sortable=False) + "".join(f"<td>{c}</td>" for c in tail) + "</tr>")


def _checks(rows: list[dict]) -> str:
    """A block's check table, its tolerance reasons numbered beneath it."""
    notes: dict[str, int] = {}
    for q in rows:
        if q["reason"]:
            notes.setdefault(q["reason"], len(notes) + 1)
    return ('<table class="checks"><thead><tr>' + "".join(f"<th>{h}</th>" for h in _CHECK_HEAD) + "</tr></thead>"
            "<tbody>" + "".join(_check_row(q, notes.get(q["reason"])) for q in rows) + "</tbody></table>"
            + "".join(f'<p class="note">({n}) {escape(r)}</p>' for r, n in notes.items()))


def _block_table(kind: str, blocks: list[dict], checks: dict[tuple, list[dict]], ids: dict[tuple, str]) -> str:
    cols = COLUMNS[kind]
    mutants = any("mutation" in b for b in blocks)
    head = ('<th></th><th data-sort="text">block</th><th data-sort="text">family</th>'
            '<th data-sort="num" title="comparisons">n</th><th data-sort="num" title="the least headroom of all its '
            'checks, and where">worst</th>'
            + "".join(f'<th data-sort="num">{escape(c).replace(" f", "<br>f")}</th>' for c in cols)
            + ('<th data-sort="num" title="mutation audit: mutants of the code it runs that its checks killed, of '
               'the non-equivalent ones">mutants</th>' if mutants else ""))
    span = 5 + len(cols) + mutants
    out = [f'<table class="blocks" data-kind="{kind}"><thead><tr>{head}</tr></thead>']
    for b in blocks:
        key = (kind, b["block"])
        rows = sorted(checks[key], key=lambda q: (math.inf if q["headroom"] is None else q["headroom"]))
        out.append(
            f'<tbody class="blk" id="{ids[key]}" data-block="{escape(b["block"])}" '
            f'data-family="{escape(b["family"])}" data-headroom="{_attr(b["headroom"])}">'
            f'<tr class="sum"><td><button class="t" aria-expanded="false" title="show its checks">&#9656;</button>'
            f'</td><td class="name">{_breakable(b["block"])}</td><td class="fam">{escape(b["family"])}</td>'
            f'<td class="n" data-v="{b["comparisons"]}">{b["comparisons"]}</td>'
            + bar(b["headroom"], at=_where(b["worst"]))
            + "".join(bar(b["columns"].get(c), c not in b["columns"]) for c in cols)
            + (_mutant_cell(b.get("mutation")) if mutants else "")
            + f'</tr><tr class="det" hidden><td colspan="{span}"><div class="w">{_checks(rows)}</div></td></tr>'
            "</tbody>")
    out.append("</table>")
    return "".join(out)


def _mutant_cell(m: dict | None) -> str:
    """killed/scored, red below 95% (the project's target), survivors as the tooltip."""
    if not m:
        return '<td class="m" data-v=""></td>'
    v = "" if m["score"] is None else repr(m["score"])
    low = m["score"] is not None and m["score"] < 0.95
    survivors = m.get("survivors", [])
    tip = "; ".join(survivors[:8]) + (" ..." if len(survivors) > 8 else "")
    return (f'<td class="m{" low" if low else ""}" data-v="{v}" title="{escape(tip)}">'
            f'{escape(cell(m))}</td>')


def _mutation_section(report: dict) -> str:
    m = report.get("mutation")
    if m is None:
        return ""
    s = m["summary"]
    fam = "".join(f'<tr><td>{escape(f)}</td>{_mutant_cell(c)}<td>{c["survived"]}</td><td>{c["equivalent"]}</td></tr>'
                  for f, c in m["families"].items())
    rest = "".join(f'<tr><td>{escape(n)}</td><td>{escape(e["family"])}</td>{_mutant_cell(e)}</tr>'
                   for n, e in m["elsewhere"].items())
    return (f'<section id="kind-mutation"><h2>Mutation audit</h2><p>From {escape(m["source"])}: {s["killed"]} of '
            f'{s["scored"]} non-equivalent mutants killed ({escape(percent(s))}), {s["equivalent"]} declared '
            f'equivalent{" (INTERRUPTED run)" if m["interrupted"] else ""}; per block, the <i>mutants</i> column '
            'of each table (hover: its survivors).</p><table class="closest"><thead><tr><th>family</th><th>killed '
            f'/ scored</th><th>survived</th><th>equivalent</th></tr></thead><tbody>{fam}</tbody></table>'
            + (f'<h3>Audited with no block above</h3><table class="closest"><thead><tr><th>target</th><th>family'
               f'</th><th>killed / scored</th></tr></thead><tbody>{rest}</tbody></table>' if rest else "")
            + "</section>")


def _closest_table(kind: str, report: dict, ids: dict[tuple, str], n: int) -> str:
    rows = closest(report, kind, n)
    if not rows:
        return ""
    body = "".join(
        f'<tr><td><a href="#{ids[(kind, q["block"])]}">{escape(q["block"])}</a></td><td>{escape(q["quantity"])}'
        f'</td><td>{CATEGORY_LABELS[q["category"]]}</td><td>{q["dtype"]}</td><td>{escape(q["worst_situation"])}'
        f'</td>{bar(q["headroom"], sortable=False)}<td>{escape(q["reason"])}</td></tr>' for q in rows)
    return (f'<h3>The {len(rows)} closest to their tolerance</h3><table class="closest"><thead><tr><th>block</th>'
            "<th>quantity</th><th>category</th><th>dtype</th><th>situation</th><th>headroom</th>"
            f"<th>tolerance reason</th></tr></thead><tbody>{body}</tbody></table>")


def write_html(path: Path, report: dict, closest_n: int = 8) -> None:
    s = report["summary"]
    checks: dict[tuple, list[dict]] = {}
    for q in report["quantities"]:
        checks.setdefault((q["kind"], q["block"]), []).append(q)
    ids = {(b["kind"], b["block"]): f"b{i}" for i, b in enumerate(report["blocks"])}
    sections, nav = [], []
    for kind, title in KINDS.items():
        blocks = sorted((b for b in report["blocks"] if b["kind"] == kind),
                        key=lambda b: (math.inf if b["headroom"] is None else b["headroom"], b["block"]))
        nav.append(f'<a href="#kind-{kind}">{title}</a> ({len(blocks)} blocks)')
        sections.append(f'<section id="kind-{kind}"><h2>{title}</h2>' + _closest_table(kind, report, ids, closest_n)
                        + f'<h3>Per block <span class="cnt" data-total="{len(blocks)}">({len(blocks)})</span></h3>'
                        + (_block_table(kind, blocks, checks, ids) if blocks else "<p>(none)</p>") + "</section>")
    situations = "; ".join(f"<b>{k}</b> {escape(v)}" for k, v in SITUATIONS.items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Audit report</title><style>{_CSS}</style></head><body>
<header><h1>Audit report: worst error of every cross-check</h1>
<p>{s['comparisons']} comparisons in {s['checks']} recorded checks, <b class="{'bad' if s['failing'] else 'ok'}">
{s['failing']} failing</b>: {' &middot; '.join(nav)}.</p>
<p><b>headroom</b> = allowed error / error at the element closest to its tolerance, worst call: 1x is at the limit,
below fails; <i>exact</i> = no difference. Bars: log<sub>10</sub> headroom, full at 10<sup>{FULL:g}</sup>;
{" ".join(f'<span class="lg"><span class="k {c}"></span> {t}</span>' for c, t in _LEGEND)}. Click a block to see its
checks, a column header to sort.</p>
<details class="help"><summary>Situations and columns</summary><p>A quantity checked in several situations is one
row at its worst, with each situation's headroom beside it: {situations}. FD: gradients against float64 central
differences. Columns of the gradient table: worst headroom of the block's forward outputs, input gradients and
parameter gradients by dtype (f32/f64), FD, and other checks (state after training, ad-hoc checks).</p></details>
<div id="controls"><input id="filter" type="search" placeholder="filter: block or family (e.g. lstm)">
<select id="limit"><option value="">every block</option><option value="10">worst headroom &lt; 10x</option>
<option value="2">worst headroom &lt; 2x</option><option value="1">failing</option></select>
<button id="expand">expand shown</button><button id="collapse">collapse all</button></div></header>
{"".join(sections)}{_mutation_section(report)}
<script>{_JS}</script></body></html>
"""
    path.write_text(page)


_CSS = """
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 16px 40px;color:#222}
h1{font-size:20px;margin:14px 0 6px}h2{font-size:16px;margin:22px 0 6px}h3{font-size:13px;margin:4px 0}
header p{margin:4px 0;max-width:1150px}.help{margin:4px 0;max-width:1150px;color:#444}
#controls{position:sticky;top:0;background:#fff;padding:6px 0;z-index:2;border-bottom:1px solid #ddd}
#controls input{width:280px;padding:3px 6px}#controls select,#controls button{padding:2px 6px;margin-left:6px}
table{border-collapse:collapse}th,td{padding:2px 4px;text-align:left;white-space:nowrap}
thead th{background:#f3f4f6;border-bottom:1px solid #ccc;position:sticky;top:36px}
table.blocks thead th[data-sort]{cursor:pointer}table.blocks thead th[data-sort]:hover{background:#e5e7eb}
th.asc:after{content:" \\25B2"}th.desc:after{content:" \\25BC"}
tr.sum:hover{background:#f5f8ff}tbody.blk{border-bottom:1px solid #eee}td.name{font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}.lg{white-space:nowrap}
td.m{text-align:right;font-variant-numeric:tabular-nums}td.m.low{color:#b91c1c;font-weight:600}
td.h{font-variant-numeric:tabular-nums;font-size:12px}
td.h::before{content:"";display:inline-block;width:30px;height:9px;margin-right:4px;vertical-align:middle;
 background:linear-gradient(90deg,var(--c) var(--w),#eceff3 0)}td.h:not([style])::before{display:none}
div.at{color:#666;font-size:11px;max-width:190px;overflow:hidden;text-overflow:ellipsis;line-height:1.2}
td.name{white-space:normal;min-width:150px;max-width:220px}td.fam{font-size:12px;color:#444}
table.closest td:last-child{white-space:normal;min-width:200px;max-width:460px;font-size:12px}
.f{--c:#d62728}.o{--c:#f28e2b}.y{--c:#e9c400}.g{--c:#59a14f}.x{--c:#9fb3c8}
.k{display:inline-block;width:12px;height:9px;background:var(--c)}
button.t{border:0;background:none;cursor:pointer;font-size:13px;padding:0 2px;width:16px}
button.t[aria-expanded=true]{transform:rotate(90deg)}
tr.det>td{padding:4px 0 10px 26px;background:#fafafa}table.checks th{position:static;background:#eef0f3}
table.checks td:nth-child(7){white-space:normal;min-width:260px;max-width:400px;font-size:11px;color:#444}
tbody.blk{scroll-margin-top:90px}
div.w{width:0;min-width:max(100%,1150px);overflow-x:auto}/* a block's checks never widen the table of blocks */
table.checks td:nth-child(n+8):nth-child(-n+11){text-align:right;font-variant-numeric:tabular-nums}
p.note{margin:2px 0 0 4px;font-size:11px;color:#444;white-space:normal}
section{margin-top:10px}table.closest{margin-bottom:6px}.bad{color:#d62728}.ok{color:#2a7d2a}
"""

_JS = """
(function () {
  const tables = [...document.querySelectorAll("table.blocks")];
  function toggle(tb, open) {  // show or hide a block's checks
    const det = tb.querySelector("tr.det"), button = tb.querySelector("button.t");
    if (open === undefined) open = det.hidden;
    det.hidden = !open;
    button.setAttribute("aria-expanded", open);
  }
  document.addEventListener("click", (e) => {
    const hit = e.target.closest("button.t, tr.sum td.name");
    if (hit) toggle(hit.closest("tbody"));
  });
  function value(tb, i, numeric) {  // the sort key of a block: its summary row's cell i
    const cell = tb.rows[0].cells[i];
    if (!numeric) return cell.textContent.toLowerCase();
    const v = cell.dataset.v;
    return v === "" || v === undefined ? Infinity : parseFloat(v);
  }
  tables.forEach((t) => t.querySelectorAll("thead th[data-sort]").forEach((th) => th.addEventListener("click", () => {
    const i = th.cellIndex, numeric = th.dataset.sort === "num", asc = !th.classList.contains("asc");
    t.querySelectorAll("th").forEach((h) => h.classList.remove("asc", "desc"));
    th.classList.add(asc ? "asc" : "desc");
    const bodies = [...t.tBodies];
    bodies.sort((a, b) => {
      const x = value(a, i, numeric), y = value(b, i, numeric);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
    });
    bodies.forEach((b) => t.appendChild(b));
  })));
  const filter = document.getElementById("filter"), limit = document.getElementById("limit");
  function apply() {  // keep the blocks whose name or family contains the text and whose worst is under the limit
    const q = filter.value.trim().toLowerCase(), max = limit.value === "" ? Infinity : parseFloat(limit.value);
    tables.forEach((t) => {
      let shown = 0;
      [...t.tBodies].forEach((tb) => {
        const h = tb.dataset.headroom === "exact" ? Infinity : parseFloat(tb.dataset.headroom);
        const match = !q || tb.dataset.block.toLowerCase().includes(q) || tb.dataset.family.toLowerCase().includes(q);
        tb.hidden = !(match && (max === Infinity || h < max));  // exact blocks show unless a limit is set
        if (!tb.hidden) shown++;
      });
      const count = t.closest("section").querySelector(".cnt"), total = count.dataset.total;
      count.textContent = "(" + (shown == total ? total : shown + " of " + total) + ")";
    });
  }
  filter.addEventListener("input", apply);
  limit.addEventListener("change", apply);
  const every = (f) => tables.forEach((t) => [...t.tBodies].forEach(f));
  document.getElementById("expand").addEventListener("click",
    () => every((tb) => { if (!tb.hidden) toggle(tb, true); }));
  document.getElementById("collapse").addEventListener("click", () => every((tb) => toggle(tb, false)));
  function follow() {  // #b12: a link from the closest rows; #q=lstm&open=lstm_cell: filter, open blocks by name
    const hash = location.hash.slice(1), tb = document.getElementById(hash);
    if (tb && tb.classList.contains("blk")) { tb.hidden = false; toggle(tb, true); tb.scrollIntoView(); return; }
    const params = new URLSearchParams(hash);
    if (params.has("q")) { filter.value = params.get("q"); apply(); }
    params.getAll("open").forEach((name) => every((b) => { if (b.dataset.block === name) toggle(b, true); }));
  }
  window.addEventListener("hashchange", follow);
  follow();
})();
"""
