"""Cache-blocked element-wise updates: how every scratch optimizer applies its rule.

An update such as SGD's ``p += -lr * (g + wd * p)`` or Adam's ten-odd operations, written as whole-array NumPy
operations, makes one pass over memory per operation, and a 600x784 float32 parameter (1.9 MB) does not stay
in a core's L2 cache between passes: each pass costs as much as a copy of the parameter. Running the SAME
operations on matching slices of about :data:`BLOCK_BYTES` of the parameter, its gradient and its state keeps
every slice (and any temporaries) cache-resident for all of them, so memory sees each array about once. The
loop is over a handful of blocks (two to eight for that parameter), never over elements, and each element
goes through exactly the operations, in exactly the order and dtype, of the whole-array form: the results are
bit-for-bit identical (tests/test_optim_blocks.py runs every optimizer branch with one block, the default
blocks and tiny ragged blocks). Measured on mlp600-sgd's weights: SGD + L2 ~465 -> ~365 us per step, Adam
2.1 -> 1.2 ms.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BLOCK_BYTES = 1 << 18  # 256 KiB per operand: a few operands plus the work slice fit a 2 MiB L2 with room to spare


def work_buffer(cache: dict, dtype: np.dtype) -> np.ndarray:
    """A reusable block-sized scratch array of ``dtype`` kept in ``cache`` (one per dtype)."""
    buf = cache.get(dtype)
    if buf is None:
        buf = cache[dtype] = np.empty(max(BLOCK_BYTES // dtype.itemsize, 1), dtype)
    return buf


def blockwise(update: Callable[..., None], *arrays: np.ndarray, work: np.ndarray | None = None) -> None:
    """Call ``update(*blocks)`` (``update(*blocks, work_block)`` when ``work`` is given) over matching flat blocks
    of ``arrays`` (a parameter, its gradient and state arrays, all of one shape and dtype); ``update`` writes its
    results into the blocks in place, which are views of the arrays.

    Blocks hold ``work.size`` elements, else about :data:`BLOCK_BYTES`. Arrays that are not all C-contiguous of
    one dtype (a transposed grad, a strided parameter) take one call on the whole arrays (with a whole-size work
    array) instead: the same operations, only without the blocking.
    """
    first = arrays[0]
    blocked = all(a.flags.c_contiguous and a.dtype == first.dtype and a.shape == first.shape for a in arrays)
    if not blocked or (work is not None and work.dtype != first.dtype):
        update(*arrays, *(() if work is None else (np.empty_like(first),)))
        return
    flat = [a.reshape(-1) for a in arrays]  # views: every array is C-contiguous
    n = first.size
    step = work.size if work is not None else max(BLOCK_BYTES // first.dtype.itemsize, 1)
    for start in range(0, n, step):
        stop = min(start + step, n)
        update(*(a[start:stop] for a in flat), *(() if work is None else (work[:stop - start],)))
