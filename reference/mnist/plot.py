"""The figure of a side-by-side run: both loss curves, their difference, both accuracy curves (matplotlib)."""

from __future__ import annotations

import numpy as np

from .runner import History


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


def _smooth(y: np.ndarray, window: int) -> np.ndarray:
    if window <= 1 or len(y) < window:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    return (c[window:] - c[:-window]) / window


def plot_history(hist: History, path: str, title: str = "") -> None:
    """Write a 3-panel PNG: training loss per step (both sides, moving average), |scratch - torch| per step
    (absolute and relative, log scale), and train/test accuracy per epoch (both sides)."""
    plt = _pyplot()
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
    ax.set_xlabel("optimizer step")
    ax.set_ylabel(f"training loss (moving average of {window})" if window > 1 else "training loss")
    ax.set_title("loss per step: both sides")
    ax.legend()

    ax = axes[1]
    d = np.abs(s - r)
    rel = d / np.abs(r)
    nz = d > 0  # bitwise-equal steps have no place on a log axis: counted in the title instead
    ms = 1.5 if len(s) > 2000 else 3
    ax.semilogy(steps[nz], d[nz], ".", ms=ms, color="tab:red", alpha=0.5, label="|scratch - torch|")
    ax.semilogy(steps[nz], rel[nz], ".", ms=ms, color="tab:purple", alpha=0.5, label="relative")
    ax.set_xlabel("optimizer step")
    ax.set_title(f"loss difference ({hist.dtype}; {int((~nz).sum())} of {len(s)} steps bitwise equal)")
    if nz.any():
        ax.legend()
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
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    tests = [e.test_acc for e in hist.epochs if e.test_acc is not None]
    worst = max((abs(a - b) for a, b in tests), default=0.0)
    ax.set_title(f"accuracy per epoch (max |test difference| {100 * worst:.2f} pts)")
    ax.legend()
    ax.grid(alpha=0.3)

    fig.suptitle(title or f"{hist.experiment} ({hist.dtype}, seed {hist.seed})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
