"""`pytest --audit-report PATH` merges the worst errors of all xdist workers into Markdown + JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.audit import headroom, merge

ROOT = Path(__file__).resolve().parents[1]


def test_report_merges_xdist_workers(tmp_path):
    out = tmp_path / "audit.md"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "tests/audit_probe.py",
         f"--audit-report={out}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Error" not in proc.stderr, proc.stderr[-2000:]  # e.g. a worker failing to send its rows
    rows = json.loads(out.with_suffix(".json").read_text())
    keys = {(r["block"], r["check"], r["dtype"]) for r in rows}
    for block in ("relu", "linear"):
        for dtype in ("float32", "float64"):
            assert (block, "forward", dtype) in keys and (block, "grad_input", dtype) in keys
    assert ("linear", "grad[weight]", "float32") in keys
    text = out.read_text()
    assert "| block | check | dtype |" in text and "| linear | grad[weight] | float64 |" in text
    for r in rows:
        assert r["ratio"] <= 1.0 and r["count"] >= 1


def test_rows_are_plain_python_values():
    """xdist's execnet cannot serialize numpy scalars: the recorder must hand over plain floats."""
    from tests.tolerances import Tol, _Recorder

    rec = _Recorder()
    rec.record("b", "c", "float64", np.float64(1e-9), np.float32(2e-9), np.float64(0.1), Tol(np.float64(1e-7), 1e-7))
    (row,) = rec.dump()
    assert all(type(v) in (str, int, float) for v in row.values()), row


def test_merge_keeps_the_worst_and_sums_counts():
    a = dict(block="b", check="c", dtype="float32", abs_err=1e-7, rel_err=1e-6, ratio=0.1, rtol=1.3e-6, atol=1e-5,
             reason="", count=2)
    b = dict(a, abs_err=3e-7, rel_err=1e-7, ratio=0.3, count=5)
    (m,) = merge([a, b])
    assert (m["abs_err"], m["rel_err"], m["ratio"], m["count"]) == (3e-7, 1e-6, 0.3, 7)


def test_headroom_wording():
    assert headroom(0.0) == "exact"
    assert headroom(0.5) == "2x"
    assert headroom(2.0).startswith("FAIL")
    assert headroom(float("inf")).startswith("FAIL")
