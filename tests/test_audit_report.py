"""`pytest --audit-report PATH`: rows merged over xdist workers, grouped by kind and quantity, written as a Markdown
summary, strict JSON, CSV and a self-contained HTML page whose numbers are the JSON's."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import execnet.gateway_base as execnet
import numpy as np
import pytest

import conftest
from tests import audit, tolerances
from tests.audit import build, classify, closest, headroom, merge
from tests.catalog import BY_NAME
from tests.harness import build_pair, compare_pair
from tests.tolerances import Tol, _Recorder

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = {"linear": "linear", "relu": "activations"}


def row(block: str, check: str, used: float, dtype: str = "float32", comparisons: int = 1, reason: str = "") -> dict:
    return dict(block=block, check=check, dtype=dtype, comparisons=comparisons, worst_abs_error=used * 1e-5,
                worst_rel_error=used * 1e-6, tolerance_used=used, rtol=1.3e-6, atol=1e-5, reason=reason)


# one quantity in its situations, finite differences, a parameter, initializer statistics, a trajectory
ROWS = [row("linear", "grad_input", 0.01), row("linear", "accum0:grad_input", 0.02),
        row("linear", "train:grad_input", 0.04), row("linear", "hypothesis:grad_input", 0.1, reason="slack"),
        row("linear", "bad_input_grad_input", 0.0), row("linear", "eval:grad_input", 0.03),
        row("linear", "fd_input", 1e-3, "float64"), row("linear", "fd[weight]", 2e-3, "float64"),
        row("linear", "grad[weight]", 1e-8, "float64"), row("linear", "forward", 0.05),
        row("linear", "state[weight]", 0.0), row("relu", "kink:grad_input", 0.0), row("relu", "forward", 0.2),
        row("init.linear.weight", "init KS statistic", 0.8), row("init.linear.weight", "init mean", 0.3),
        row("init.uniform_[a=0.5(20, 5)]", "init variance", 0.5),
        row("optim.SGD[momentum]", "shared/state[momentum_buffer]", 1e-3, "float64"),
        row("autograd.relu", "grad", float("inf"), "float64")]


def test_one_quantity_is_one_row_over_its_situations():
    report = build(ROWS, FAMILIES)
    (q,) = [q for q in report["quantities"] if q["block"] == "linear" and q["quantity"] == "grad_input"
            and q["category"] == "input_grad"]
    assert q["situations"] == {"plain": 100.0, "accum0": 50.0, "train": 25.0, "hypothesis": 10.0, "bad_input": None,
                               "eval": pytest.approx(1 / 0.03)}
    assert (q["headroom"], q["worst_situation"], q["reason"], q["comparisons"]) == (10.0, "hypothesis", "slack", 6)
    fd = {q["quantity"]: q["headroom"] for q in report["quantities"] if q["category"] == "fd"}
    assert fd == {"grad_input": 1000.0, "grad[weight]": 500.0}  # against finite differences: its own category
    assert classify("linear", "torch_init_forward[1]") == dict(kind="gradient", block="linear", family="",
                                                               category="forward", quantity="forward[1]",
                                                               situation="torch_init")


def test_kinds_are_separate_and_each_has_its_closest_rows():
    report = build(ROWS, FAMILIES)
    kinds = {(b["kind"], b["block"]) for b in report["blocks"]}
    assert kinds == {("gradient", "linear"), ("gradient", "relu"), ("gradient", "autograd.relu"),
                     ("initializer", "linear"), ("initializer", "init.uniform_[a=0.5(20, 5)]"),
                     ("trajectory", "optim.SGD[momentum]")}
    # the KS statistic (headroom 1.25) is not among the gradient rows; the NaN/inf mismatch leads them
    assert [(q["block"], q["quantity"]) for q in closest(report, "gradient", 2)] == [("autograd.relu", "grad"),
                                                                                     ("relu", "forward")]
    assert closest(report, "initializer", 1)[0]["quantity"] == "weight: KS statistic"
    linear = next(b for b in report["blocks"] if b["kind"] == "gradient" and b["block"] == "linear")
    assert linear["columns"] == {"forward f32": 20.0, "input grad f32": 10.0, "FD": 500.0, "param grad f64": 1e8,
                                 "other": None}
    assert linear["worst"] == dict(quantity="grad_input", category="input_grad", dtype="float32",
                                   situation="hypothesis")
    assert report["summary"]["failing"] == 1


def test_markdown_is_a_summary_and_json_csv_hold_the_detail(tmp_path):
    report = audit.write(tmp_path / "a.md", ROWS, FAMILIES)
    text = (tmp_path / "a.md").read_text()
    for title in ("gradient checks", "initializer statistics", "optimizer trajectories"):
        assert f"## Closest to tolerance: {title}" in text
    assert ("| linear | linear | 11 | 10x | grad_input float32 (hypothesis) | 20x |  | 10x |  |  | 1e8x | 500x | "
            "exact |") in text
    # table lines: one per block and kind plus the closest rows of each kind, never one per recorded check
    table = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| block |")]
    assert len(table) == len(report["blocks"]) + sum(len(closest(report, k, 15)) for k in audit.KINDS)
    data = json.loads((tmp_path / "a.json").read_text())  # strict JSON: an exact headroom is null
    assert data["summary"] == report["summary"] and set(data["fields"]) >= {"headroom", "situations", "columns"}
    assert "ratio" not in json.dumps(data)
    lines = list(csv.DictReader((tmp_path / "a.csv").open()))
    assert len(lines) == len(ROWS) and {line["check"] for line in lines} == {r["check"] for r in ROWS}


class _Page(HTMLParser):
    """The blocks (kind, name, data-headroom) and their check rows (cells, data-headroom) of the HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.kind, self.blocks, self.checks, self.external = None, {}, {}, []
        self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe") and ("src" in a or "href" in a):
            self.external.append((tag, a))
        if tag == "table" and "blocks" in a.get("class", ""):
            self.kind = a["data-kind"]
        elif tag == "tbody" and a.get("class") == "blk":
            self.block = (self.kind, a["data-block"])
            self.blocks[self.block] = a["data-headroom"]
        elif tag == "tr" and a.get("class") == "q":
            self._row = dict(headroom=a["data-headroom"], cells=[])
        elif tag == "td" and self._row is not None:
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row["cells"].append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            quantity, category, dtype = self._row["cells"][:3]
            self.checks[(*self.block, quantity, category, dtype)] = self._row["headroom"]
            self._row = None


def _attr(h) -> str:
    return "exact" if h is None else repr(h)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text())
    return page


def test_html_report_rows_and_headrooms_are_the_json(tmp_path):
    audit.write(tmp_path / "a.html", ROWS, FAMILIES)
    data = json.loads((tmp_path / "a.json").read_text())
    page = _parse(tmp_path / "a.html")
    assert page.blocks == {(b["kind"], b["block"]): _attr(b["headroom"]) for b in data["blocks"]}
    assert page.checks == {(q["kind"], q["block"], q["quantity"], audit.CATEGORY_LABELS[q["category"]], q["dtype"]):
                           _attr(q["headroom"]) for q in data["quantities"]}
    assert not page.external and "http" not in (tmp_path / "a.html").read_text()  # self-contained


def test_an_unknown_suffix_is_a_usage_error_before_the_run():
    with pytest.raises(pytest.UsageError, match=r"\.html, \.md, \.json, \.csv"):
        conftest.pytest_configure(SimpleNamespace(getoption=lambda name: ["audit.txt"]))


def _worker(monkeypatch, runs) -> dict:
    """What one xdist worker sends: real harness comparisons recorded, dumped at session end, serialized by
    execnet (which refuses numpy scalars) and loaded on the controller."""
    recorder = _Recorder()
    monkeypatch.setattr(tolerances, "RECORDER", recorder)  # assert_close records here, not in this session's
    for name, dtype, seed in runs:
        case = BY_NAME[name]
        s, r = build_pair(case, dtype)
        rng = np.random.default_rng(seed)
        compare_pair(case, dtype, s, r, case.sample(rng, dtype, case.shape, 1.0), rng)
    monkeypatch.setattr(conftest, "RECORDER", recorder)
    config = SimpleNamespace(workeroutput={})
    conftest.pytest_sessionfinish(SimpleNamespace(config=config), 0)
    return execnet.loads(execnet.dumps(config.workeroutput))


def test_report_merges_xdist_workers_in_process(monkeypatch, tmp_path):
    """The plugin's xdist path without processes: two workers' rows through the hooks into one report."""
    sent = [_worker(monkeypatch, [("relu", np.float32, 0), ("linear", np.float64, 1), ("linear", np.float32, 2)]),
            _worker(monkeypatch, [("relu", np.float64, 3), ("linear", np.float32, 4)])]
    out = tmp_path / "audit.html"
    options = {"--audit-report": [str(out), str(tmp_path / "audit.md")], "--mutation-results": None}
    controller = SimpleNamespace(_audit_rows=[], getoption=options.__getitem__)
    for output in sent:
        conftest.pytest_testnodedown(SimpleNamespace(config=controller, workeroutput=output), None)
    monkeypatch.setattr(conftest, "RECORDER", _Recorder())  # the controller itself ran no test
    conftest.pytest_sessionfinish(SimpleNamespace(config=controller), 0)
    data = json.loads((tmp_path / "audit.json").read_text())
    checks = {(c["block"], c["check"], c["dtype"]): c for c in data["checks"]}
    for block in ("relu", "linear"):
        for dtype in ("float32", "float64"):
            assert (block, "forward", dtype) in checks and (block, "grad_input", dtype) in checks
    assert checks[("linear", "grad[weight]", "float32")]["comparisons"] == 2  # one per worker, summed
    assert {b["family"] for b in data["blocks"]} == {"linear", "activations"}
    assert all(c["headroom"] is None or c["headroom"] > 1 for c in data["checks"])
    assert (tmp_path / "audit.md").exists() and _parse(out).blocks


@pytest.mark.slow
def test_report_merges_xdist_workers_end_to_end(tmp_path):
    """The real thing once: pytest -n 2 on tests/audit_probe.py (3 processes, ~20 s CPU; the in-process test
    above covers the same hooks and merge)."""
    out = tmp_path / "audit.md"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "tests/audit_probe.py",
         f"--audit-report={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Error" not in proc.stderr, proc.stderr[-2000:]  # e.g. a worker failing to send its rows
    data = json.loads(out.with_suffix(".json").read_text())
    keys = {(c["block"], c["check"], c["dtype"]) for c in data["checks"]}
    for block in ("relu", "linear"):
        for dtype in ("float32", "float64"):
            assert (block, "forward", dtype) in keys and (block, "grad_input", dtype) in keys
    assert data["summary"]["failing"] == 0 and "## Gradient checks per block" in out.read_text()


def test_rows_are_plain_python_values():
    """xdist's execnet cannot serialize numpy scalars: the recorder must hand over plain floats."""
    rec = _Recorder()
    rec.record("b", "c", "float64", np.float64(1e-9), np.float32(2e-9), np.float64(0.1), Tol(np.float64(1e-7), 1e-7))
    (r,) = rec.dump()
    assert all(type(v) in (str, int, float) for v in r.values()), r
    assert execnet.loads(execnet.dumps(r)) == r


def test_merge_keeps_the_worst_and_sums_counts():
    a = dict(row("b", "c", 0.1, comparisons=2), worst_abs_error=1e-7, worst_rel_error=1e-7)
    b = dict(a, worst_abs_error=3e-7, worst_rel_error=1e-9, tolerance_used=0.3, comparisons=5)
    (m,) = merge([a, b])
    assert (m["worst_abs_error"], m["worst_rel_error"], m["tolerance_used"], m["comparisons"]) == (3e-7, 1e-7, 0.3, 7)


def test_headroom_wording():
    assert headroom(None) == "exact"
    assert headroom(2.0) == "2x" and headroom(3.27e8) == "3.27e8x" and headroom(1234.0) == "1.23e3x"
    assert headroom(0.5) == "FAIL (2x over)"
    assert headroom(0.0) == "FAIL (NaN/inf)"
    assert audit.headroom_of(0.0) is None and audit.headroom_of(4.0) == 0.25
    assert audit.headroom_of(float("nan")) == audit.headroom_of(float("inf")) == 0.0


_PROBE = """<script>
const t = document.querySelector('#kind-gradient table.blocks'), blocks = () => [...t.tBodies];
const n = [...t.tHead.rows[0].cells].find((h) => h.textContent === 'n');
n.click(); n.click();  // twice: descending by comparisons
const order = blocks().map((b) => b.dataset.block);
const filter = document.getElementById('filter'), limit = document.getElementById('limit');
filter.value = 'RELU'; filter.dispatchEvent(new Event('input'));
const filtered = blocks().filter((b) => !b.hidden).map((b) => b.dataset.block);
filter.value = ''; filter.dispatchEvent(new Event('input'));
const every = blocks().filter((b) => !b.hidden).length;
limit.value = '10'; limit.dispatchEvent(new Event('change'));
const under10 = blocks().filter((b) => !b.hidden).map((b) => b.dataset.block);
const opened = blocks().filter((b) => !b.querySelector('tr.det').hidden).map((b) => b.dataset.block);
document.body.dataset.probe = JSON.stringify({order, filtered, every, under10, opened,
                                             count: t.closest('section').querySelector('.cnt').textContent});
</script></body>"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs chromium (Debian package) for the page's script")
def test_html_sorts_filters_and_opens_in_a_browser(tmp_path):
    """The page's script in headless chromium: sort on a header click, filter by text and by headroom, and
    #open=NAME expanding a block."""
    audit.write(tmp_path / "a.html", ROWS + [row("exact_block", "forward", 0.0)], FAMILIES)
    page = tmp_path / "probe.html"
    page.write_text((tmp_path / "a.html").read_text().replace("</body>", _PROBE))
    dom = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          f"file://{page}#open=relu"], capture_output=True, text=True, timeout=120).stdout
    probe = json.loads(html.unescape(re.search(r'data-probe="([^"]*)"', dom)[1]))
    assert probe == dict(order=["linear", "relu", "autograd.relu", "exact_block"],
                         filtered=["relu", "autograd.relu"], every=4, under10=["relu", "autograd.relu"],
                         opened=["relu"], count="(2 of 4)")


def _counts(killed: int, survived: int, equivalent: int = 0) -> dict:
    scored = killed + survived
    return dict(mutants=scored + equivalent, killed=killed, survived=survived, timeout=0, crashed=0, error=0,
                equivalent=equivalent, score=killed / scored if scored else None, **{"not applied": 0})


MUTATION = {"summary": {**_counts(40, 4, 1), "interrupted": False},
            "families": {"linear": _counts(27, 3), "optim": _counts(9, 1, 1), "data": _counts(4, 0)},
            "entries": {"linear": {"family": "linear", **_counts(27, 3), "survivors": ["a.py:1:1 f: 1 -> 2"] * 3},
                        "optim.Adam": {"family": "optim", **_counts(9, 1, 1), "survivors": ["adam.py:9:3 g: < -> <="]},
                        "data.idx": {"family": "data", **_counts(4, 0), "survivors": []}}}


def test_mutation_scores_join_their_blocks(tmp_path):
    """A catalog entry's score goes to its gradient and initializer blocks, an optimizer unit's to the runs of
    each class it holds (AdamW is in optim.Adam), the rest is listed apart; Markdown and HTML show them."""
    from tests.audit_mutation import attach, cell

    rows = [row("linear", "grad_input", 0.1), row("optim.AdamW[amsgrad]", "trajectory", 0.1),
            row("optim.SGD", "trajectory", 0.1)]
    report = attach(build(rows, {"linear": "linear"}), MUTATION, "m.json")
    by_block = {b["block"]: b.get("mutation") for b in report["blocks"]}
    assert cell(by_block["linear"]) == "27/30 (90%)" and by_block["optim.AdamW[amsgrad]"]["target"] == "optim.Adam"
    assert by_block["optim.SGD"] is None and list(report["mutation"]["elsewhere"]) == ["data.idx"]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MUTATION))
    audit.write([tmp_path / "a.md", tmp_path / "a.html"], rows, {"linear": "linear"}, mutation=path)
    md = (tmp_path / "a.md").read_text()
    assert "40 of 44 non-equivalent mutants killed (90.9%), 1 declared equivalent" in md
    assert "| linear | 27/30 (90%) | 3 | 0 |" in md and "| data.idx | data | 4/4 (100%) |" in md
    page = (tmp_path / "a.html").read_text()
    assert 'class="m low" data-v="0.9"' in page and ">9/10 (90%)</td>" in page


def test_mutation_results_that_are_not_the_runners_json_are_a_usage_error(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--co",
                           "tests/test_audit_report.py", f"--mutation-results={bad}", "--audit-report=a.md"],
                          capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    assert done.returncode == 4 and "not the JSON of `python -m tests.mutate --json`" in done.stderr
