"""``python -m reference.mnist``: the table, the summary, the JSON, the plot and its missing-matplotlib error."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reference.mnist.cli import HEADER, main
from reference.mnist.threads import get_blas_threads, set_blas_threads

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _restore_threads():
    """main() sets torch's and numpy's BLAS thread counts for the process: give the xdist worker its own back."""
    import torch

    blas, intra = get_blas_threads(), torch.get_num_threads()
    yield
    torch.set_num_threads(intra)
    if blas is not None:
        set_blas_threads(blas)


@pytest.mark.mnist
def test_cli_table_summary_and_json(tmp_path):
    out = io.StringIO()
    path = tmp_path / "run.json"
    code = main(["--experiment", "tanh-dropout", "--epochs", "2", "--dtype", "float64", "--no-progress",
                 "--json", str(path)], out=out)
    assert code == 0
    text = out.getvalue()
    lines = text.splitlines()
    assert HEADER in lines
    rows = lines[lines.index(HEADER) + 2:][:2]
    assert [r.split("|")[0].strip() for r in rows] == ["1", "2"]
    assert "threads: torch 1, numpy BLAS" in text
    assert "ratio scratch/torch" in text and "max relative per-step loss difference" in text
    summary = json.loads(path.read_text())
    assert summary["experiment"] == "tanh-dropout" and summary["steps"] == 20
    assert summary["max_rel_loss_diff"] < 1e-8
    assert summary["final_test_acc"]["scratch"] == summary["final_test_acc"]["torch"]
    assert len(summary["epochs_table"]) == 2 and summary["order_mismatch_epochs"] == []
    assert summary["seconds_per_epoch"]["scratch"] > 0 and summary["seconds_per_epoch"]["torch"] > 0


@pytest.mark.mnist
def test_cli_writes_the_plot(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is the optional 'plot' extra")
    png = tmp_path / "curves.png"
    out = io.StringIO()
    assert main(["--experiment", "tanh-dropout", "--max-steps", "15", "--no-progress", "--no-train-eval",
                 "--plot", str(png)], out=out) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot written to {png}" in out.getvalue()


def test_plot_without_matplotlib_fails_fast_with_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setattr("reference.mnist.cli.run", lambda *a, **k: pytest.fail("trained before checking --plot"))
    code = main(["--experiment", "mlp600-sgd", "--plot", str(tmp_path / "x.png")], out=io.StringIO())
    assert code == 2
    err = capsys.readouterr().err
    assert "matplotlib" in err and "pip install" in err


@pytest.mark.parametrize("argv", [["--experiment", "nope"], ["--experiment", "mlp600-sgd", "--dtype", "float16"], []])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv, out=io.StringIO())
    assert e.value.code == 2


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--threads", "0"]])
def test_bad_counts_exit_2(argv, capsys):
    assert main(["--experiment", "mlp600-sgd", *argv], out=io.StringIO()) == 2
    assert "must be >= 1" in capsys.readouterr().err


def test_module_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "reference.mnist", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("mlp600-sgd", "mlp600-adam", "bn-elu", "tanh-dropout", "--plot", "--dtype", "--threads"):
        assert name in proc.stdout


@pytest.mark.mnist
def test_step_breakdown_benchmark_runs_both_sides(capsys):
    """benchmarks/mnist_step_breakdown.py (the source of docs/mnist.md's per-phase table) must keep running."""
    import runpy

    argv = sys.argv
    sys.argv = [str(ROOT / "benchmarks" / "mnist_step_breakdown.py"), "--steps", "8"]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:  # in this process: a subprocess re-imports torch and the data (most of this test's time)
        runpy.run_path(sys.argv[0], run_name="__main__")
    finally:
        sys.argv = argv
        sys.path.remove(str(ROOT / "benchmarks"))
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[0] for ln in lines] == ["scratch", "torch"]
    assert all("us/step: forward" in ln and "zero_grad" in ln for ln in lines)


def test_earlier_experiment_names_are_aliases(monkeypatch):
    """``seed002-dropout`` (the name before experiments were named by their network) still selects tanh-dropout,
    and the header names the source text, not a file."""

    class Stop(Exception):
        pass

    def fake_run(exp, **kwargs):
        raise Stop(exp.name)

    monkeypatch.setattr("reference.mnist.cli.run", fake_run)
    out = io.StringIO()
    with pytest.raises(Stop, match="^tanh-dropout$"):
        main(["--experiment", "seed002-dropout", "--no-progress"], out=out)
    assert "[from a textbook chapter on activation functions]" in out.getvalue()
