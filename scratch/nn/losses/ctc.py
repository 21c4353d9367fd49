"""Connectionist temporal classification (CTCLoss): the forward-backward recursions of Graves et al. (2006) in log
space, vectorized over the batch and the extended label sequence, with one Python step per time frame.

For a target l of length S the extended sequence is l' = (blank, l_1, blank, l_2, ..., l_S, blank) of length
2S + 1. ``alpha[t, s]`` is the log-probability of the prefixes of every alignment that is in state s at frame t,
``beta[t, s]`` that of the suffixes (both include frame t's log_probs, as torch's), so that
alpha + beta - log_probs[t, l'_s] + log p is the log of the posterior occupation gamma[t, s] of state s.
Everything is evaluated in float64 (float32 rounded once: torch's float32 recursion loses ~1e-5 over 200 frames).
"""

from __future__ import annotations

import numpy as np

from ._base import NOT_DIFFERENTIATED, _SeveralInputs, nonfinite_guard

_NEG_INF = -np.inf


def _lse(*terms: np.ndarray) -> np.ndarray:
    """log(sum exp(terms)) as torch's CPU kernel: shifted by the max, a max of -inf replaced by 0 (so that an
    unreachable state stays exactly -inf and a NaN, which the max propagates, stays NaN)."""
    m = terms[0]
    for x in terms[1:]:
        m = np.maximum(m, x)
    m = np.where(m == _NEG_INF, 0.0, m)
    total = np.exp(terms[0] - m)
    for x in terms[1:]:
        total += np.exp(x - m)
    return np.log(total) + m


def _shift(a: np.ndarray, k: int, fill) -> np.ndarray:
    """``a`` moved by k slots along the state axis (k > 0: state s gets a[s - k]; k < 0: a[s - k]), ``fill`` in the
    slots that nothing moves into."""
    out = np.full_like(a, fill)
    if abs(k) < a.shape[1]:
        if k > 0:
            out[:, k:] = a[:, :-k]
        else:
            out[:, :k] = a[:, -k:]
    return out


def _int_sequence(v) -> bool:
    """torch's ``tuple of ints`` binding: a list or tuple of Python or NumPy integers (bools are refused)."""
    return isinstance(v, list | tuple) and all(
        (isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_))
        or (isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "iu") for x in v)


def _lengths(input_lengths, target_lengths) -> tuple[np.ndarray, np.ndarray]:
    """torch's two overloads: both integer arrays (any shape: flattened, as torch's ``.contiguous()`` view) or
    both sequences of ints. A Python int, a float sequence or one of each is torch's argument-parser TypeError."""
    pair = (input_lengths, target_lengths)
    if all(isinstance(v, np.ndarray) for v in pair):
        for name, v in zip(("input_lengths", "target_lengths"), pair, strict=True):
            if v.dtype.kind not in "iu":  # bool is not integral for torch either
                raise RuntimeError(f"{name} must be integral (got {v.dtype})")
        return tuple(v.astype(np.int64).reshape(-1) for v in pair)
    if all(_int_sequence(v) for v in pair):
        return tuple(np.array([int(x) for x in v], dtype=np.int64) for v in pair)
    raise TypeError("ctc_loss(): input_lengths and target_lengths must both be integer arrays or both lists/tuples "
                    f"of ints, got {type(input_lengths).__name__} and {type(target_lengths).__name__}")


def _labels(targets: np.ndarray, il: np.ndarray, tl: np.ndarray, T: int, N: int) -> np.ndarray:
    """The (N, max(tl)) labels of each sample from padded (N, S) or concatenated (sum(tl),) targets, with torch's
    size checks (RuntimeError); the slots past a sample's length hold anything (the caller masks them)."""
    if targets.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for argument #2 "
                           "'targets' (while checking arguments for ctc_loss_allocate_outputs)")
    if il.size != N:
        raise RuntimeError(f"input_lengths must be of size batch_size ({N}), got {il.size}")
    if tl.size != N:
        raise RuntimeError(f"target_lengths must be of size batch_size ({N}), got {tl.size}")
    if (tl < 0).any():
        raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value {tl.min()}")
    S = int(tl.max(initial=0))
    with np.errstate(invalid="ignore"):  # torch casts any target dtype to int64 (floats truncated toward 0)
        tg = targets.astype(np.int64)
    if tg.ndim == 1:
        if tg.shape[0] != tl.sum():
            raise RuntimeError(f"Expected tensor to have size {tl.sum()} at dimension 0, but got size {tg.shape[0]} "
                               "for argument #2 'targets' (concatenated targets of the lengths' sum)")
        offsets = np.concatenate(([0], np.cumsum(tl)[:-1])).astype(np.int64)
        idx = np.minimum(offsets[:, None] + np.arange(S), max(tg.shape[0] - 1, 0))
        labels = tg[idx] if tg.size else np.zeros((N, S), np.int64)
    else:
        if tg.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size {tg.shape[0]} for "
                               "argument #2 'targets'")
        if tg.shape[1] < S:
            raise RuntimeError(f"Expected tensor to have size at least {S} at dimension 1, but got size "
                               f"{tg.shape[1]} for argument #2 'targets'")
        labels = tg[:, :S]
    if (il < 0).any():
        raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value {il.min()}")
    if (il > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value {il.max()}")
    return labels


class CTCLoss(_SeveralInputs):
    """Connectionist temporal classification: l_n = -log p(target_n | log_probs_n), the probability summed over
    every alignment of the target to the first input_lengths[n] frames (labels repeated, blanks between):

        alpha[0, 0] = lp[0, blank],  alpha[0, 1] = lp[0, l'_1]
        alpha[t, s] = lse(alpha[t-1, s], alpha[t-1, s-1], alpha[t-1, s-2] if l'_s != l'_{s-2}) + lp[t, l'_s]
        l_n = -lse(alpha[T_n - 1, 2 S_n], alpha[T_n - 1, 2 S_n - 1])     (-alpha[T_n - 1, 0] for an empty target)

    An impossible alignment (a target longer than its input, or repeats that need blanks between them) is
    +inf; ``zero_infinity`` makes such losses and their gradients 0. An empty input with an empty target is -0.0.

    Args: blank (0; checked at call: 0 <= blank < C, RuntimeError), reduction ('mean': each loss divided by
    max(target_length, 1), then averaged over the batch; 'sum'; 'none'), zero_infinity (False).
    Shape: log_probs (T, N, C) or unbatched (T, C), float32/float64 (torch has no other kernel:
    NotImplementedError); targets (N, S) padded (entries past a target's length are never read) or (sum
    target_lengths,) concatenated, any numeric dtype (cast to int64 as torch); unbatched: (S,) or (1, S).
    input_lengths and target_lengths: both integer arrays or both lists/tuples of ints (torch's two bindings;
    anything else TypeError), N entries each. Labels must be in [0, C): torch does not check and reads out of
    bounds, scratch raises IndexError. A target may contain the blank label: torch computes the lattice as given.
    Output: (N,) for 'none' ((): unbatched), else 0-d; the log_probs' dtype.

    Gradient (torch's, which is NOT the gradient of l w.r.t. log_probs): for t < input_lengths[n],

        d l / d lp[t, n, c] = exp(lp[t, n, c]) - sum_{s: l'_s = c} gamma[t, s],   0 for t >= input_lengths[n]

    times the upstream gradient of l_n. The true gradient is -sum gamma; torch's adds exp(lp), which is the
    gradient w.r.t. the logits when lp = log_softmax(logits) (there sum_c gamma = 1 = sum_c exp(lp)) and makes a
    finite-difference check on lp itself differ by exactly exp(lp). Where torch's closed form meets -inf / NaN
    (an impossible sample without zero_infinity, lp = -inf) the gradient is NaN as torch's. At the last frame a
    target whose last label is the blank keeps only that label state's occupation for the blank class (torch's
    kernel assigns instead of adding there).
    """

    _args = ("log_probs", "targets", "input_lengths", "target_lengths")

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: np.ndarray, targets: np.ndarray, input_lengths, target_lengths) -> np.ndarray:
        reduction = self._check_reduction()
        for name, v in (("log_probs", log_probs), ("targets", targets)):
            if not isinstance(v, np.ndarray):
                raise TypeError(f"ctc_loss(): argument '{name}' must be a numpy.ndarray, not {type(v).__name__}")
        il, tl = _lengths(input_lengths, target_lengths)
        if log_probs.ndim == 0:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        if log_probs.dtype not in (np.float32, np.float64):
            raise NotImplementedError(f'"ctc_loss_cpu" not implemented for {log_probs.dtype}')
        if log_probs.size == 0:
            raise RuntimeError("log_probs tensor must not be empty")
        unbatched = log_probs.ndim == 2
        lp3 = log_probs[:, None] if unbatched else log_probs
        if lp3.ndim != 3:
            raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp3.ndim}-dimensional tensor for argument #1 "
                               "'log_probs' (while checking arguments for ctc_loss_allocate_outputs)")
        T, N, C = lp3.shape
        blank = int(self.blank)
        if not 0 <= blank < C:
            raise RuntimeError("blank must be in label range")
        labels = _labels(targets, il, tl, T, N)
        S = labels.shape[1]
        used = np.arange(S) < tl[:, None]
        if ((labels < 0) | (labels >= C))[used].any():
            raise IndexError(f"target label out of range for {C} classes (torch does not check and reads out of "
                             "bounds)")
        # the extended sequence l' (N, L): blanks at even s, labels at odd s; slots past 2 tl + 1 are blanks
        L = 2 * S + 1
        ext = np.full((N, L), blank, np.int64)
        ext[:, 1::2] = np.where(used, labels, blank)
        valid = np.arange(L) < 2 * tl[:, None] + 1
        skip = np.zeros((N, L), bool)  # s - 2 -> s allowed: l'_s != l'_{s-2} (never for a blank: l'_{s-2} is one)
        skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
        lp = lp3.astype(np.float64)
        lpe = np.take_along_axis(lp, np.broadcast_to(ext, (T, N, L)), axis=2)  # lp[t, n, l'_s]
        with nonfinite_guard(lp), np.errstate(divide="ignore"):  # log(0): unreachable states are -inf
            la = np.full((T, N, L), _NEG_INF)
            la[0, :, 0] = lpe[0, :, 0]
            if L > 1:
                la[0, :, 1] = np.where(tl > 0, lpe[0, :, 1], _NEG_INF)
            for t in range(1, T):
                prev = la[t - 1]
                a3 = np.where(skip, _shift(prev, 2, _NEG_INF), _NEG_INF)
                la[t] = np.where(valid, _lse(prev, _shift(prev, 1, _NEG_INF), a3) + lpe[t], _NEG_INF)
            rows = np.arange(N)
            last = la[np.maximum(il - 1, 0), rows]  # (N, L): alpha at each sample's last frame
            end = last[rows, 2 * tl]
            end2 = np.where(tl > 0, last[rows, np.maximum(2 * tl - 1, 0)], _NEG_INF)
            ll = np.where(tl > 0, _lse(end, end2), end)
            ll = np.where(il > 0, ll, np.where(tl > 0, _NEG_INF, 0.0))
        nll = -ll
        loss = np.where(nll == np.inf, 0.0, nll) if self.zero_infinity else nll
        if reduction == "none":
            out = loss.reshape(()) if unbatched else loss
        elif reduction == "sum":
            out = np.sum(loss)
        else:
            out = np.mean(loss / np.maximum(tl, 1))
        meta = (log_probs.shape, log_probs.dtype, targets.dtype.kind == "f")
        cache = (lp, lpe, la, ext, skip, valid, il, tl, nll, reduction, meta)
        return self._save(np.array(out, log_probs.dtype), *cache)  # a copy: the caller owns the output

    def _backward(self, dy, lp, lpe, la, ext, skip, valid, il, tl, nll, reduction, meta) -> list:
        """[d log_probs, None for float targets (torch's cast to int64 cuts the graph), no entry for integer
        targets and the lengths]."""
        shape, dtype, float_targets = meta
        T, N, L = la.shape
        C = lp.shape[2]
        dy = dy.astype(np.float64)
        # the upstream gradient of each l_n
        gr = dy.reshape(N) if reduction == "none" else np.broadcast_to(dy, (N,))
        gr = gr / (N * np.maximum(tl, 1)) if reduction == "mean" else gr
        rows = np.arange(N)
        s_idx = np.arange(L)
        ends = (s_idx == 2 * tl[:, None]) | ((s_idx == 2 * tl[:, None] - 1) & (tl[:, None] > 0))
        # torch's kernel ASSIGNS the last frame's two end states to their classes (the blank's first): when the
        # last label is the blank itself, the label state overwrites the blank state's share
        quirk = (tl > 0) & (ext[rows, np.maximum(2 * tl - 1, 0)] == self.blank)
        last_states = ends & ~((s_idx == 2 * tl[:, None]) & quirk[:, None])
        skip_up = _shift(skip, -2, False)  # s -> s + 2 allowed (the forward's skip into s + 2)
        frame = np.arange(T)[:, None, None]
        at_end, inside = frame == (il - 1)[None, :, None], frame < (il - 1)[None, :, None]  # (T, N, 1)
        with nonfinite_guard(lp, nll), np.errstate(divide="ignore", invalid="ignore"):
            lb = np.full((T, N, L), _NEG_INF)
            for t in range(T - 1, -1, -1):
                nxt = lb[t + 1] if t + 1 < T else lb[t]  # (all -inf past the last frame)
                b3 = np.where(skip_up, _shift(nxt, -2, _NEG_INF), _NEG_INF)
                rec = np.where(valid, _lse(nxt, _shift(nxt, -1, _NEG_INF), b3) + lpe[t], _NEG_INF)
                lb[t] = np.where(at_end[t], np.where(ends, lpe[t], _NEG_INF), np.where(inside[t], rec, _NEG_INF))
            # the states torch visits at each frame, log gamma there, summed per class (one bincount for all)
            visit = (at_end & last_states) | (inside & valid)
            r = np.where(visit, np.exp(la + lb + nll[:, None] - lpe), 0.0)
            flat = ((frame * N + rows[:, None]) * C + ext).ravel()
            g = np.bincount(flat, r.ravel(), T * N * C).reshape(T, N, C)
            counts = np.bincount(flat, visit.ravel(), T * N * C).reshape(T, N, C)
            # a class torch never visits at (t, n) keeps log-sum -inf: exp(-inf + nll - lp), NaN where nll = inf
            # or lp = -inf, as torch's closed form gives
            g += np.where(counts > 0, 0.0, np.exp(_NEG_INF + nll[None, :, None] - lp))
            grad = (np.exp(lp) - g) * gr[None, :, None]
        active = np.arange(T)[:, None] < il[None, :]
        if self.zero_infinity:
            active = active & (nll != np.inf)[None, :]
        grad = np.where(active[:, :, None], grad, 0.0)
        return [grad.reshape(shape).astype(dtype), None if float_targets else NOT_DIFFERENTIATED,
                NOT_DIFFERENTIATED, NOT_DIFFERENTIATED]


__all__ = ["CTCLoss"]
