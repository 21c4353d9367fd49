"""``python -m reference.mnist``: train a scratch model and its torch twin side by side on MNIST.

Prints a per-epoch table (mean training loss, train and test accuracy of each side, the largest per-step loss
difference, training seconds per side) and a summary (worst relative loss difference, final parameter
difference, best test accuracy, the scratch/torch time ratio with the thread counts used); ``--plot`` writes
both curves and their difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

import numpy as np

from .experiments import ALIASES, EXPERIMENTS
from .runner import EpochRecord, History, run
from .threads import set_threads


class ProgressBar:
    """A dependency-free progress bar on a terminal (redrawn at most 10 times a second); silent otherwise."""

    def __init__(self, stream: TextIO = sys.stderr, enabled: bool | None = None, width: int = 30) -> None:
        self.stream = stream
        self.enabled = stream.isatty() if enabled is None else enabled
        self.width = width
        self._last = 0.0
        self._start = time.perf_counter()
        self._label = ""

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if label != self._label:
            self._label, self._start = label, now
        if done != total and now - self._last < 0.1:
            return
        self._last = now
        fill = int(self.width * done / max(total, 1))
        self.stream.write(f"\r{label} [{'#' * fill}{'.' * (self.width - fill)}] {done}/{total} "
                          f"{now - self._start:6.1f}s")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.width + 60) + "\r")
            self.stream.flush()


def _pct(pair: tuple[float, float] | None, i: int) -> str:
    return "     -" if pair is None else f"{100 * pair[i]:6.2f}"


HEADER = (f"{'epoch':>5} | {'loss S':>8} {'loss T':>8} | {'train S':>7} {'train T':>7} | {'test S':>6} {'test T':>6} "
          f"| {'max|dloss|':>10} | {'s/ep S':>7} {'s/ep T':>7}")


def format_row(e: EpochRecord) -> str:
    return (f"{e.epoch:>5} | {e.loss[0]:8.5f} {e.loss[1]:8.5f} | {_pct(e.train_acc, 0):>7} {_pct(e.train_acc, 1):>7}"
            f" | {_pct(e.test_acc, 0)} {_pct(e.test_acc, 1)} | {e.max_abs_dloss:10.3e} | {e.seconds[0]:7.2f} "
            f"{e.seconds[1]:7.2f}")


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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m reference.mnist", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="experiments:\n" + "\n".join(f"  {k:16s} {e.summary}"
                                                                     for k, e in EXPERIMENTS.items()))
    p.add_argument("--experiment", required=True, choices=sorted(EXPERIMENTS) + sorted(ALIASES),
                   metavar="{" + ",".join(EXPERIMENTS) + "}")
    p.add_argument("--epochs", type=int, default=None,
                   help="passes over the training set (default: the source text's)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    p.add_argument("--plot", metavar="PNG", default=None, help="write the curves and their difference here")
    p.add_argument("--threads", type=int, default=1,
                   help="threads for BOTH torch and numpy's BLAS (default 1: a fair, reproducible comparison)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
    p.add_argument("--no-train-eval", action="store_true",
                   help="skip the per-epoch accuracy on the training set (a forward pass over it per side)")
    p.add_argument("--json", metavar="PATH", default=None, help="write the summary and the epoch table as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        print("error: --epochs must be >= 1", file=sys.stderr)
        return 2
    if args.threads < 1:
        print("error: --threads must be >= 1", file=sys.stderr)
        return 2
    if args.plot:  # fail before training, not after an hour of it
        from .plot import PlotUnavailable, _pyplot

        try:
            _pyplot()
        except PlotUnavailable as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
    exp = EXPERIMENTS[ALIASES.get(args.experiment, args.experiment)]
    threads = set_threads(args.threads)
    print(f"{exp.name}: {exp.summary}  [from {exp.source}]", file=out)
    print(f"dtype {args.dtype}, seed {args.seed}, threads: torch {threads['torch']}, numpy BLAS "
          f"{threads['numpy_blas'] if threads['numpy_blas'] is not None else 'unknown'}; "
          f"the source reports {exp.reported}", file=out)
    print("S = scratch (NumPy), T = reference (torch eager); s/ep = training seconds per epoch", file=out)
    print(HEADER, file=out)
    print("-" * len(HEADER), file=out, flush=True)
    bar = ProgressBar(enabled=False if args.no_progress else None)

    def on_epoch(rec: EpochRecord) -> None:
        bar.clear()
        print(format_row(rec), file=out, flush=True)

    hist = run(exp, epochs=args.epochs, dtype=np.dtype(args.dtype), seed=args.seed, max_steps=args.max_steps,
               eval_train=not args.no_train_eval, progress=bar, on_epoch=on_epoch)
    bar.clear()
    summary = summarize(hist, exp.clip_grad_norm)
    summary["threads"] = threads
    print("-" * len(HEADER), file=out)
    print(f"steps {summary['steps']}: max relative per-step loss difference {summary['max_rel_loss_diff']:.3e}, "
          f"max |parameter/buffer difference| {max(summary['max_abs_state_diff'].values()):.3e}", file=out)
    if "best_test_acc" in summary:
        b, f = summary["best_test_acc"], summary["final_test_acc"]
        print(f"test accuracy: final scratch {100 * f['scratch']:.2f}% torch {100 * f['torch']:.2f}%; "
              f"best scratch {100 * b['scratch']:.2f}% torch {100 * b['torch']:.2f}%", file=out)
    if "grad_clipping" in summary:
        g = summary["grad_clipping"]
        print(f"gradient clipping to total norm {g['max_norm']}: clipped on {g['clipped_steps']['scratch']} "
              f"(scratch) / {g['clipped_steps']['torch']} (torch) of {summary['steps']} steps, median norm before "
              f"clipping {g['median_norm']['scratch']:.3f} / {g['median_norm']['torch']:.3f}, max relative norm "
              f"difference {g['max_rel_norm_diff']:.3e}", file=out)
    sp, cp = summary["seconds_per_epoch"], summary["cpu_seconds_per_epoch"]
    print(f"training seconds per epoch (wall): scratch {sp['scratch']:.2f}, torch {sp['torch']:.2f}, ratio "
          f"scratch/torch {summary['time_ratio_scratch_over_torch']:.3f}; CPU seconds: scratch {cp['scratch']:.2f}, "
          f"torch {cp['torch']:.2f}, ratio {summary['cpu_ratio_scratch_over_torch']:.3f} (threads: torch "
          f"{threads['torch']}, numpy BLAS {threads['numpy_blas']})", file=out)
    if hist.order_mismatch:
        print(f"WARNING: the two sides' batch orders differed in epochs {hist.order_mismatch}", file=out)
    if args.json:
        summary["epochs_table"] = [vars(e) for e in hist.epochs]
        with open(args.json, "w") as fh:
            json.dump(summary, fh, indent=1)
    if args.plot:
        from .plot import plot_history

        plot_history(hist, args.plot, title=f"{exp.name}: {exp.summary} ({args.dtype})")
        print(f"plot written to {args.plot}", file=out)
    return 0
