"""Thread counts of the two sides: torch's intra-op pool and numpy's BLAS pool, set and read at run time.

A speed comparison is only fair with matched thread counts: numpy's OpenBLAS uses every core by default while
torch has its own pool. numpy's BLAS is driven through threadpoolctl (the ``torch`` extra: the library that finds
the BLAS a process loaded, OpenBLAS, scipy-openblas, MKL or BLIS, and calls its thread setter); without it the
BLAS count is reported as unknown (None) and left as it is.
"""

from __future__ import annotations

_KEEP: list = []  # threadpool_limits objects restore the old limit when garbage-collected: keep them alive


def _threadpoolctl():
    try:
        import threadpoolctl
    except ImportError:
        return None
    import numpy  # noqa: F401  -- numpy's BLAS must be loaded before threadpoolctl looks for it

    return threadpoolctl


def get_blas_threads() -> int | None:
    """numpy's BLAS thread count, or None if it cannot be read (threadpoolctl missing, or no BLAS found)."""
    tpc = _threadpoolctl()
    if tpc is None:
        return None
    counts = [i["num_threads"] for i in tpc.threadpool_info() if i.get("user_api") == "blas"]
    return max(counts) if counts else None


def set_blas_threads(n: int) -> int | None:
    """Limit numpy's BLAS to ``n`` threads for the rest of the process; returns the count read back (or None)."""
    tpc = _threadpoolctl()
    if tpc is None:
        return None
    _KEEP.append(tpc.threadpool_limits(limits=int(n), user_api="blas"))
    return get_blas_threads()


def set_threads(n: int) -> dict[str, int | None]:
    """The same thread count for torch (intra-op) and numpy's BLAS. Returns what each side reports now."""
    import torch

    torch.set_num_threads(int(n))
    return {"torch": torch.get_num_threads(), "numpy_blas": set_blas_threads(n)}

