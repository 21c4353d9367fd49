"""Equivalent mutants of scratch/optim/ (tests/mutate/equivalent/__init__.py says how they are keyed)."""

_PATH = ("switches _lane_sums between its two summation paths (one outer product per l, or cumsum over blocks), "
         "which add the same products in the same order: the same bits (both paths are the Newton-Schulz tests')")
_CHUNK = ("changes only how many l a cumsum block holds (still a multiple of the lanes): the running sums add the "
          "same products in the same order, the block size bounds memory only")
_NONEMPTY = "max(BLOCK_BYTES // itemsize, 1) is at least 32768 for every dtype: the floor never applies"

EQUIVALENT: dict[str, str | dict[str, str]] = {
    "scratch/optim/lr_scheduler/restarts.py::CosineAnnealingWarmRestarts.get_lr::negate::math.pi * self.T_cur / "
    "self.T_i -> -(math.pi * self.T_cur / self.T_i)#0":
        "cos is even and libm's cos reduces |x|: math.cos(-x) == math.cos(x) bit for bit (checked on 10^6 "
        "random x in [0, pi])",
    "scratch/optim/lr_scheduler/composite.py::ChainedScheduler.step::constant::1 -> 0#0":
        "schedulers[-0] is schedulers[0]: every scheduler of a ChainedScheduler holds the same optimizer "
        "(_check_schedulers raises otherwise, as torch's), so the first's param_groups are the last's",
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes * 16 -> 16#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes -> lanes#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n -> n#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n -> m#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes -> m * n#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes * 16 -> m * n * lanes#0": _PATH,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes -> lanes#1": _CHUNK,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n -> m#1": _CHUNK,
    "scratch/optim/muon.py::_lane_sums::drop-term::m * n * lanes -> m * n#1": _CHUNK,
    "scratch/optim/muon.py::_lane_sums::arith::l - start -> l + start#0":
        "start is 0 or a multiple of 64 (the lanes: 1, 4, 8 or 64), so (l + start) and (l - start) fall in the "
        "same lane",
    "scratch/optim/muon.py::_reduce8::index::0 -> 1#0":
        "after the xor butterfly every lane holds the same sum: lane 1 adds the same pairs as lane 0 with the "
        "operands swapped, and IEEE addition is commutative",
    "scratch/optim/_blocks.py::work_buffer::constant::1 -> 0#0": _NONEMPTY,
    "scratch/optim/_blocks.py::work_buffer::constant::1 -> 2#0": _NONEMPTY,
    "scratch/optim/_blocks.py::blockwise::constant::1 -> 0#0": _NONEMPTY,
    "scratch/optim/_blocks.py::blockwise::constant::1 -> 2#0": _NONEMPTY,
    "scratch/optim/_blocks.py::blockwise::constant::1 -> 2#1":
        "reshape(-2) is reshape(-1) for numpy (any negative size is the one unknown dimension)",
    "scratch/optim/_blocks.py::blockwise::index::0 -> 1#0":
        "first = arrays[1] (the gradient): blocking applies only when every array has first's shape, dtype and "
        "C order, so the choice of first changes nothing (a single array never comes: the gradient always does)",
}
