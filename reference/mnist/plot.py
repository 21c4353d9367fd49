"""The figure of a side-by-side run: both loss curves, their difference, both accuracy curves (matplotlib)."""

from __future__ import annotations

import os

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .runner import History

POINTS = 150  # rolling windows per curve: enough to show a trend, few enough to read at any run length


class PlotUnavailable(RuntimeError):
    """matplotlib is missing: it is an optional dependency (the ``plot`` extra)."""


def _pyplot():
    try:
        import matplotlib
    except ImportError as e:
        raise PlotUnavailable("--plot needs matplotlib, which is not installed: "
                              "pip install 'scratch-nn[plot]' (or pip install matplotlib)") from e
    matplotlib.use("Agg")  # files only: no display needed
    import matplotlib.pyplot as plt

    return plt


def image_format(path: str | os.PathLike) -> str:
    """The image format named by ``path``'s extension, checked against what matplotlib can write.

    Raises:
        PlotUnavailable: matplotlib is not installed.
        ValueError: no extension (matplotlib would silently append '.png' and write another file) or one that
            matplotlib cannot write; the message lists the formats it can.
    """
    _pyplot()
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    supported = sorted(FigureCanvasAgg.get_supported_filetypes())
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in supported:
        what = f"unknown image format '.{ext}'" if ext else "no file extension to name the image format"
        raise ValueError(f"{what} (use one of {', '.join('.' + s for s in supported)})")
    return ext


def rolling_stats(y: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and maximum of ``y`` over ``window`` consecutive steps, for windows starting every window // 2 steps.

    The last window ends at the last step, so every step is in some window. Returns (x, median, maximum) with x
    the 1-based step at each window's centre. NaN (a diverged step) makes its windows NaN: a gap in the curve.
    Memory stays about 2 len(y) whatever the window (half-overlapping windows, not one per step).
    """
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if n == 0:
        return y.copy(), y.copy(), y.copy()
    w = max(1, min(int(window), n))
    stride = max(1, w // 2)
    starts = np.arange(0, n - w + 1, stride)
    if starts[-1] != n - w:
        starts = np.append(starts, n - w)
    windows = sliding_window_view(y, w)[starts]
    return starts + (w + 1) / 2, np.median(windows, axis=1), windows.max(axis=1)


def _smooth(y: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(y) < window:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def figure(hist: History, title: str = ""):
    """A 3-panel figure: training loss per step (both sides, moving average), the per-step loss difference
    |scratch - torch| (absolute and relative: rolling median and maximum, log scale), and train/test accuracy
    per epoch (both sides, integer epoch ticks)."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    s, r = hist.loss_arrays()
    steps = np.arange(1, len(s) + 1)
    window = max(1, len(s) // 200)
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))

    ax = axes[0]
    ax.plot(steps, s, color="tab:blue", alpha=0.15, lw=0.5)
    sm_s, sm_r = _smooth(s, window), _smooth(r, window)
    x_sm = steps[window - 1:] if window > 1 and len(s) >= window else steps
    ax.plot(x_sm, sm_s, color="tab:blue", lw=1.6, label="scratch (NumPy)")
    ax.plot(x_sm, sm_r, color="tab:orange", lw=1.0, ls="--", label="reference (torch)")
    if np.nanmax(s) > 10 * np.nanmin(s[s > 0], initial=np.inf):  # log only when the loss spans a decade
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(f"training loss (moving average of {window})" if window > 1 else "training loss")
    ax.set_title("loss per step: both sides")
    ax.legend()

    ax = axes[1]
    d = np.abs(s - r)
    rel = d / np.abs(r)
    equal = int((d == 0).sum())
    diff_window = -(-len(s) // POINTS)  # ceil: at most ~2 POINTS windows per curve
    for y, colour, name in ((d, "tab:red", "|scratch - torch|"), (rel, "tab:purple", "relative")):
        x, med, top = rolling_stats(y, diff_window)
        # A window of bitwise-equal steps has median (or max) 0: no place on a log axis, a gap instead.
        ax.plot(x, np.where(top > 0, top, np.nan), color=colour, lw=0.8, alpha=0.55, label=f"{name}: max")
        ax.plot(x, np.where(med > 0, med, np.nan), color=colour, lw=1.8, label=f"{name}: median")
    if (d > 0).any():
        ax.set_yscale("log")
        ax.legend(fontsize="small")
    else:
        ax.text(0.5, 0.5, "every step bitwise equal", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
    ax.set_xlim(1, max(len(s), 2))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(f"loss difference (rolling over {diff_window} steps)" if diff_window > 1
                  else "loss difference per step")
    ax.set_title(f"loss difference ({hist.dtype}; {equal} of {len(s)} steps bitwise equal)")
    ax.grid(alpha=0.3)

    ax = axes[2]
    ep = [e.epoch for e in hist.epochs]
    many = len(ep) > 40  # markers only where they stay readable
    for key, mk in (("train_acc", "o"), ("test_acc", "s")):
        vals = [getattr(e, key) for e in hist.epochs]
        if all(v is not None for v in vals) and vals:
            label = key.replace("_acc", "")
            ax.plot(ep, [100 * v[0] for v in vals], marker=None if many else mk, color="tab:blue",
                    label=f"{label} scratch")
            ax.plot(ep, [100 * v[1] for v in vals], marker=None if many else mk, color="tab:orange", ls="--",
                    mfc="none", label=f"{label} torch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    tests = [e.test_acc for e in hist.epochs if e.test_acc is not None]
    worst = max((abs(a - b) for a, b in tests), default=0.0)
    ax.set_title(f"accuracy per epoch (max |test difference| {100 * worst:.2f} pts)")
    if ax.lines:
        ax.legend()
    ax.grid(alpha=0.3)

    fig.suptitle(title or f"{hist.experiment} ({hist.dtype}, seed {hist.seed})")
    fig.tight_layout()
    return fig


def plot_history(hist: History, path: str | os.PathLike, title: str = "") -> None:
    """Write :func:`figure` to ``path`` in the format its extension names (exactly that file: nothing appended)."""
    fig = figure(hist, title)
    try:
        fig.savefig(path, dpi=110, format=image_format(path))
    finally:
        _pyplot().close(fig)
