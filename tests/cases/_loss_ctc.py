"""Samplers, bad inputs and catalog entries for CTCLoss: log_probs (T, N, C) or (T, C), targets padded (N, S) or
concatenated, input/target lengths as arrays, lists or tuples.

Every entry has ``fd=False``: torch's CTC gradient is exp(log_probs) - occupation, not the gradient of its own
output (that is -occupation; torch adds exp(log_probs), the gradient w.r.t. logits through a log_softmax). The
finite-difference oracle therefore runs in tests/test_losses_ctc.py on every entry below, on the true gradient.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._loss_bad_inputs import _bad, _planted
from tests.catalog import BadArgs, BadInput, Case


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _ctc(layout: str = "padded", lengths: str = "array", blank: int = 0, impossible: bool = False,
         empty: bool = False, target_length: int | None = None):
    """log_probs = log_softmax(2 scale z) and a target per sample that fits its input: length at most
    (input_length + 1) // 2, so even all-repeated labels (a blank between each pair) align. The first sample
    spans all T frames; ``target_length`` fixes every target's length (at most that cap). ``impossible``: the
    last sample gets the target (a, a) over 2 frames (a repeat needs 3); ``empty``: the first sample's target is
    empty. ``layout``: 'padded' (N, S) with junk past each length, torch
    never reads it (-1 and C: out of range), or 'concat'. ``lengths``: 'array' (int64), 'int32', 'list',
    'tuple'. Shape (T, N, C), or (T, C) unbatched (lengths then 0-d arrays; the target (tl,) or (1, S))."""

    def sample(rng, dtype, shape, scale=1.0):
        unbatched = len(shape) == 2
        T, C = shape[0], shape[-1]
        N = 1 if unbatched else shape[1]
        lp = _log_softmax(rng.standard_normal((T, N, C)) * 2.0 * scale)
        il = rng.integers(max(1, T // 2), T + 1, N)
        il[0] = T
        cap = (il + 1) // 2
        tl = rng.integers(1, cap + 1) if target_length is None else np.minimum(cap, target_length)
        nonblank = np.array([c for c in range(C) if c != blank])
        labels = nonblank[rng.integers(0, nonblank.size, (N, max(int(tl.max()), 2)))]
        if empty:
            tl[0] = 0
        if impossible and N > 1 and T >= 2:
            il[-1], tl[-1] = 2, 2
            labels[-1, :2] = nonblank[0]
        S = int(tl.max(initial=0))
        labels = labels[:, :S]
        if layout == "concat":
            targets = np.concatenate([labels[n, :tl[n]] for n in range(N)]).astype(np.int64)
        else:
            pad = np.arange(S + 1) >= tl[:, None]
            junk = rng.choice(np.array([-1, C, blank]), (N, S + 1))
            targets = np.where(pad, junk, np.pad(labels, ((0, 0), (0, 1))))
        if unbatched:
            targets = targets if layout == "concat" else targets[:1]  # (S,) is concatenated: (1, S) padded
            return lp[:, 0].astype(dtype), targets, np.asarray(il[0]), np.asarray(tl[0])
        if lengths == "array":
            return lp.astype(dtype), targets, il, tl
        if lengths == "int32":
            return lp.astype(dtype), targets, il.astype(np.int32), tl.astype(np.int32)
        kind = list if lengths == "list" else tuple
        return lp.astype(dtype), targets, kind(int(v) for v in il), kind(int(v) for v in tl)

    return sample


def _ctc_bad() -> tuple[BadInput, ...]:
    def args(rng, dt, shape=(5, 3, 4)):
        return _ctc()(rng, dt, shape)

    def lengths(il, tl):
        return lambda rng, dt: (*args(rng, dt)[:2], np.array(il), np.array(tl))

    lp = lambda rng, dt: args(rng, dt)[0]  # noqa: E731
    padded = np.array([[1, 2, 3], [1, 1, 0], [2, 0, 0]])
    return (
        # torch's checks (RuntimeError unless said otherwise)
        _bad("input length > T", lambda rng, dt: (lp(rng, dt), padded, np.array([6, 5, 4]), np.array([3, 2, 1]))),
        _bad("negative input length", lengths([5, -1, 4], [1, 1, 1])),
        _bad("negative target length", lengths([5, 5, 4], [1, -1, 1])),
        _bad("target length > S", lambda rng, dt: (lp(rng, dt), padded, [5, 5, 4], [4, 2, 1])),
        _bad("lengths of another batch size", lambda rng, dt: (lp(rng, dt), padded, [5, 5], [3, 2])),
        _bad("concatenated targets shorter than the lengths' sum", lambda rng, dt: (
            lp(rng, dt), np.array([1, 2, 3, 1, 1]), [5, 5, 4], [3, 2, 1])),
        _bad("padded targets of another batch size", lambda rng, dt: (lp(rng, dt), padded[:2], [5, 5, 4], [3, 2, 1])),
        _bad("3-d targets", lambda rng, dt: (lp(rng, dt), padded[None], [5, 5, 4], [3, 2, 1])),
        _bad("float lengths (not integral)", lambda rng, dt: (lp(rng, dt), padded, np.array([5.0, 5, 4]),
                                                              np.array([3, 2, 1]))),
        _bad("bool lengths (not integral)", lambda rng, dt: (lp(rng, dt), padded, np.ones(3, bool),
                                                             np.ones(3, bool))),
        _bad("one length an array, the other a list (TypeError)", lambda rng, dt: (
            lp(rng, dt), padded, np.array([5, 5, 4]), [3, 2, 1])),
        _bad("Python int lengths (TypeError)", lambda rng, dt: (lp(rng, dt)[:, 0], padded[0], 5, 3)),
        _bad("a list as targets (TypeError)", lambda rng, dt: (lp(rng, dt), padded.tolist(), [5, 5, 4], [3, 2, 1])),
        _bad("4-d log_probs", lambda rng, dt: (lp(rng, dt)[None], padded, [5, 5, 4], [3, 2, 1])),
        _bad("1-d log_probs", lambda rng, dt: (lp(rng, dt)[:, 0, 0], padded, [5, 5, 4], [3, 2, 1])),
        _bad("0-d log_probs (IndexError)", lambda rng, dt: (lp(rng, dt)[0, 0, 0], padded, [5, 5, 4], [3, 2, 1])),
        _bad("int64 log_probs (NotImplementedError)", lambda rng, dt: (
            np.zeros((5, 3, 4), np.int64), padded, [5, 5, 4], [3, 2, 1])),
        _bad("empty batch", lambda rng, dt: (np.zeros((5, 0, 4), dt), np.zeros((0, 2), np.int64), [], [])),
        # accepted by torch: the same values and gradients
        _bad("float targets (cast to int64, no gradient)", lambda rng, dt: (
            lp(rng, dt), padded + 0.5, np.array([5, 5, 4]), np.array([3, 2, 1]))),
        _bad("targets containing the blank (the last label too: torch's gradient quirk)", lambda rng, dt: (
            lp(rng, dt), np.array([[1, 0], [0, 2], [2, 2]]), [5, 5, 5], [2, 2, 2])),
        _bad("lengths as 2-d arrays (flattened)", lambda rng, dt: (
            lp(rng, dt), padded, np.array([[5, 5, 4]]), np.array([[3, 2, 1]]))),
        _bad("empty input with empty target (-0.0) and with a target (inf)", lengths([5, 0, 0], [1, 0, 1])),
        _bad("every target empty, (N, 0) padded", lambda rng, dt: (lp(rng, dt), np.zeros((3, 0), np.int64),
                                                                   [5, 5, 4], [0, 0, 0])),
        _bad("log_probs of zero probability (-inf: NaN gradients, as torch) and NaN", lambda rng, dt: (
            _planted(_planted(lp(rng, dt), -np.inf, 9), np.nan, 50), padded, [5, 5, 4], [3, 2, 1])),
        _bad("+inf log_probs", lambda rng, dt: (_planted(lp(rng, dt), np.inf, 13), padded, [5, 5, 4], [3, 2, 1])),
    )


def _ctc_call(lib, **kw):
    return lib.CTCLoss(**kw)(_log_softmax(np.linspace(-1, 1, 24).reshape(3, 2, 4)), np.array([[1, 2], [3, 0]]),
                             [3, 3], [2, 1])


_CTC_BAD_ARGS = (
    BadArgs("reduction='foo' (at call)", lambda lib: _ctc_call(lib, reduction="foo")),
    BadArgs("blank = C (at call)", lambda lib: _ctc_call(lib, blank=4)),
    BadArgs("blank = -1 (at call)", lambda lib: _ctc_call(lib, blank=-1)),
)

_SHAPES = st.tuples(st.integers(2, 8), st.integers(1, 4), st.integers(2, 5))  # (T, N, C)
_NO_1E4 = (1.0, 0.0, 1e-4, 1e2)  # +-1e4 logits on the first entry only (test_extreme_scales: 6 runs per entry)
CTC_CASES: list[Case] = [
    Case("ctc", lambda lib: lib.CTCLoss(), _ctc(empty=True), (6, 3, 4), shapes=_SHAPES, loss=True, fd=False,
         bad_inputs=_ctc_bad(), bad_args=_CTC_BAD_ARGS),
    Case("ctc_concat_lists_sum", lambda lib: lib.CTCLoss(reduction="sum"), _ctc("concat", "list"), (6, 3, 4),
         shapes=_SHAPES, scales=_NO_1E4, loss=True, fd=False),
    Case("ctc_impossible_none", lambda lib: lib.CTCLoss(reduction="none"), _ctc(impossible=True, lengths="tuple"),
         (5, 3, 4), loss=True, fd=False),  # an inf loss and NaN gradients for the impossible sample, as torch
    Case("ctc_impossible_zero_infinity", lambda lib: lib.CTCLoss(zero_infinity=True), _ctc(impossible=True),
         (5, 3, 4), shapes=_SHAPES, scales=_NO_1E4, loss=True, fd=False),
    Case("ctc_blank_last_zero_infinity_none", lambda lib: lib.CTCLoss(blank=3, zero_infinity=True,
                                                                      reduction="none"),
         _ctc("concat", "int32", blank=3, impossible=True, empty=True), (5, 3, 4),
         shapes=st.tuples(st.integers(2, 8), st.integers(1, 4), st.integers(4, 5)), scales=_NO_1E4,
         loss=True, fd=False),
    Case("ctc_unbatched", lambda lib: lib.CTCLoss(blank=1), _ctc(blank=1), (6, 3),
         shapes=st.tuples(st.integers(2, 8), st.integers(2, 5)), scales=_NO_1E4, loss=True, fd=False),
    Case("ctc_unbatched_concat_none", lambda lib: lib.CTCLoss(reduction="none"), _ctc("concat"), (6, 3), loss=True,
         fd=False),
    # 200 frames, targets of 40: stable in log space; torch's float32 error there: tests/test_losses_ctc.py
    Case("ctc_long_sequence", lambda lib: lib.CTCLoss(), _ctc(target_length=40), (200, 2, 3), loss=True, fd=False),
]
