"""Thread counts of the two sides: torch's intra-op pool and numpy's BLAS pool, set and read at run time.

A speed comparison is only fair with matched thread counts: numpy's OpenBLAS uses every core by default while
torch has its own pool. threadpoolctl does this in general; without it (it is not a dependency) the BLAS
library numpy loaded is found in the process's memory map and its ``*_set_num_threads`` entry point is called,
which is how threadpoolctl itself does it for OpenBLAS and MKL.
"""

from __future__ import annotations

import ctypes
import sys
from pathlib import Path

# (file name fragment, setter names, getter names) in the spellings of the builds numpy ships or links.
_BLAS_APIS = (
    ("openblas", ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
                  "openblas_set_num_threads"),
     ("scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads", "openblas_get_num_threads64_",
      "openblas_get_num_threads")),
    ("mkl_rt", ("MKL_Set_Num_Threads",), ("MKL_Get_Max_Threads",)),
)


def _blas_functions() -> list[tuple[str, ctypes._CFuncPtr | None, ctypes._CFuncPtr | None]]:
    """(library path, setter, getter) of every BLAS library loaded in this process (Linux /proc maps)."""
    import numpy  # noqa: F401  -- make sure numpy's BLAS is loaded before looking for it

    maps = Path("/proc/self/maps")
    if not maps.exists():
        return []
    paths = sorted({line.split()[-1] for line in maps.read_text().splitlines()
                    if line.count(" ") >= 5 and line.split()[-1].startswith("/")})
    found = []
    for path in paths:
        name = Path(path).name.lower()
        for fragment, setters, getters in _BLAS_APIS:
            if fragment not in name:
                continue
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            setter = next((getattr(lib, s) for s in setters if hasattr(lib, s)), None)
            getter = next((getattr(lib, g) for g in getters if hasattr(lib, g)), None)
            if getter is not None:
                getter.restype = ctypes.c_int
            if setter is not None or getter is not None:
                found.append((path, setter, getter))
    return found


def get_blas_threads() -> int | None:
    """numpy's BLAS thread count, or None if it cannot be read (no threadpoolctl and an unknown BLAS)."""
    if "threadpoolctl" in sys.modules or _has_threadpoolctl():
        import threadpoolctl

        counts = [i["num_threads"] for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        return max(counts) if counts else None
    for _, _, getter in _blas_functions():
        if getter is not None:
            return int(getter())
    return None


def set_blas_threads(n: int) -> int | None:
    """Limit numpy's BLAS to ``n`` threads for the rest of the process; returns the count read back (or None)."""
    if _has_threadpoolctl():
        import threadpoolctl

        # threadpool_limits' object would restore the old limit when garbage-collected; keep it alive.
        _KEEP.append(threadpoolctl.threadpool_limits(limits=int(n), user_api="blas"))
        return get_blas_threads()
    for _, setter, _ in _blas_functions():
        if setter is not None:
            setter(ctypes.c_int(int(n)))
    return get_blas_threads()


def set_threads(n: int) -> dict[str, int | None]:
    """The same thread count for torch (intra-op) and numpy's BLAS. Returns what each side reports now."""
    import torch

    torch.set_num_threads(int(n))
    return {"torch": torch.get_num_threads(), "numpy_blas": set_blas_threads(n)}


def thread_report() -> dict[str, int | None]:
    import torch

    return {"torch": torch.get_num_threads(), "numpy_blas": get_blas_threads()}


_KEEP: list = []


def _has_threadpoolctl() -> bool:
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        return False
    return True
