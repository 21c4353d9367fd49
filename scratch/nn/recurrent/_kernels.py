"""One direction of one recurrent layer over a whole sequence, forward and backpropagation through time.

Shared by RNN (tanh / relu), LSTM (with or without projection) and GRU; the layer classes stack and combine them.
Arrays are in time-major layout: ``gi (T, N, G*H)`` is the input's affine map ``x W_ih^T + b_ih`` computed for all
steps in one GEMM before the loop (torch's CPU ``FullLayer`` does the same); the loop visits the time positions in
``steps`` (``range(T)`` forward, ``range(T - 1, -1, -1)`` for the reverse direction) and writes every array at the
time position, so the reverse direction needs no flipped copies. Per step only the recurrent GEMM ``h W_hh^T``
and the gate nonlinearities run; backward keeps the gate gradients of every step, ``dG (T, N, G*H)``, and turns
them into the weight gradients with one GEMM each after the loop.

Numerics follow torch's order: ``gates = (h W_hh^T + b_hh) + gi``; LSTM ``c' = f*c + i*g``, ``h' = o*tanh(c')``
(then ``h' W_hr^T`` with a projection); GRU ``n = tanh(gi_n + r*gh_n)``, ``h' = (h - n)*z + n``. The sigmoid
and tanh of float32 gates are evaluated in float64 and rounded once (see :func:`activate`); their derivatives are
taken from the rounded values, as torch's ``sigmoid_backward`` / ``tanh_backward``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._math import sigmoid

# float32 gates: sigmoid and tanh in float64, rounded once (the project's float32 policy, see README). Switching
# it off evaluates them in float32; benchmarks/recurrent.py measures both (speed and error vs float64 truth).
FLOAT64_TRANSCENDENTALS = True


def activate(a: np.ndarray, fn) -> np.ndarray:
    """``fn`` (sigmoid or tanh) of ``a``, rounded once to a's dtype."""
    if a.dtype == np.float32 and FLOAT64_TRANSCENDENTALS:
        return fn(a.astype(np.float64)).astype(np.float32)
    with np.errstate(over="ignore"):  # float32 exp(-x) overflows to inf for x < -88: sigmoid is then 0, exactly
        return fn(a)


class Weights(NamedTuple):
    """One direction of one layer (None: no bias / no projection)."""

    w_ih: np.ndarray
    w_hh: np.ndarray
    b_ih: np.ndarray | None
    b_hh: np.ndarray | None
    w_hr: np.ndarray | None = None


def _recurrent(h: np.ndarray, w: Weights, out: np.ndarray) -> np.ndarray:
    """gh = h W_hh^T + b_hh into ``out``."""
    np.matmul(h, w.w_hh.T, out=out)
    if w.b_hh is not None:
        out += w.b_hh
    return out


def input_map(x: np.ndarray, w: Weights) -> np.ndarray:
    """gi = x W_ih^T + b_ih for all steps at once: (T, N, I) -> (T, N, G*H)."""
    T, N, I = x.shape
    gi = x.reshape(T * N, I) @ w.w_ih.T
    if w.b_ih is not None:
        gi += w.b_ih
    return gi.reshape(T, N, w.w_ih.shape[0])


# -- RNN: h' = act(gh + gi) ----------------------------------------------------------------------------------------
def rnn_forward(gi, h0, c0, w: Weights, steps, relu: bool):
    T, N, H = gi.shape
    out, hprev, slope = (np.empty((T, N, H), gi.dtype) for _ in range(3))
    h, a = h0, np.empty((N, H), gi.dtype)
    for t in steps:
        hprev[t] = h
        _recurrent(h, w, a)
        a += gi[t]
        if relu:
            h = np.maximum(a, 0)  # NaN stays NaN, as torch's relu
            slope[t] = ~(h <= 0)  # threshold_backward: 0 at and below the kink, NaN passes the gradient
        else:
            h = activate(a, np.tanh)
            slope[t] = 1 - h * h
        out[t] = h
    return out, h, None, (hprev, slope)


def rnn_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, slope = tape
    dG = np.empty_like(slope)
    for t in reversed(steps):
        da = dG[t]
        np.multiply(d_out[t] + dh, slope[t], out=da)
        dh = da @ w.w_hh
    return dG, dG, hprev, dh, None, None


# -- LSTM: [i f g o] = gh + gi; c' = s(f) c + s(i) tanh(g); h' = s(o) tanh(c') [W_hr^T] -----------------------------
def lstm_forward(gi, h0, c0, w: Weights, steps):
    T, N, G = gi.shape
    H, P = G // 4, h0.shape[-1]
    acts = np.empty((T, N, G), gi.dtype)  # s(i), s(f), tanh(g), s(o) per step
    cprev, tanh_c = (np.empty((T, N, H), gi.dtype) for _ in range(2))
    hprev, out = (np.empty((T, N, P), gi.dtype) for _ in range(2))
    pre = np.empty((T, N, H), gi.dtype) if w.w_hr is not None else None  # s(o) tanh(c') before the projection
    h, c, gates = h0, c0, np.empty((N, G), gi.dtype)
    for t in steps:
        hprev[t], cprev[t] = h, c
        _recurrent(h, w, gates)
        gates += gi[t]
        a = acts[t]
        a[:] = activate(gates, sigmoid)
        a[:, 2 * H:3 * H] = activate(gates[:, 2 * H:3 * H], np.tanh)
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c = f * c + i * g
        tanh_c[t] = activate(c, np.tanh)
        h = o * tanh_c[t]
        if pre is not None:
            pre[t] = h
            h = h @ w.w_hr.T
        out[t] = h
    return out, h, c, (hprev, cprev, acts, tanh_c, pre)


def lstm_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, cprev, acts, tanh_c, pre = tape
    H = acts.shape[-1] // 4
    dG = np.empty_like(acts)
    d_top = np.empty(d_out.shape, d_out.dtype) if pre is not None else None  # dL/dh' per step, for dW_hr
    for t in reversed(steps):
        a, tc = acts[t], tanh_c[t]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        d_h = d_out[t] + dh
        if pre is not None:
            d_top[t] = d_h
            d_h = d_h @ w.w_hr
        dc = dc + d_h * o * (1 - tc * tc)  # c' reaches the loss directly and through h' = o tanh(c')
        d = dG[t]
        d[:, :H] = dc * g * i * (1 - i)
        d[:, H:2 * H] = dc * cprev[t] * f * (1 - f)
        d[:, 2 * H:3 * H] = dc * i * (1 - g * g)
        d[:, 3 * H:] = d_h * tc * o * (1 - o)
        dc = dc * f
        dh = d @ w.w_hh
    d_hr = None
    if pre is not None:
        P = d_top.shape[-1]
        d_hr = d_top.reshape(-1, P).T @ pre.reshape(-1, H)
    return dG, dG, hprev, dh, dc, d_hr


# -- GRU: r, z = s(gh + gi); n = tanh(gi_n + r gh_n); h' = (h - n) z + n ---------------------------------------------
def gru_forward(gi, h0, c0, w: Weights, steps):
    T, N, G = gi.shape
    H = G // 3
    acts = np.empty((T, N, G), gi.dtype)  # r, z, n per step
    gh_n, hprev, out = (np.empty((T, N, H), gi.dtype) for _ in range(3))
    h, gh = h0, np.empty((N, G), gi.dtype)
    for t in steps:
        hprev[t] = h
        _recurrent(h, w, gh)
        a = acts[t]
        a[:, :2 * H] = activate(gh[:, :2 * H] + gi[t, :, :2 * H], sigmoid)
        r, z = a[:, :H], a[:, H:2 * H]
        gh_n[t] = gh[:, 2 * H:]
        a[:, 2 * H:] = activate(gi[t, :, 2 * H:] + r * gh_n[t], np.tanh)
        n = a[:, 2 * H:]
        h = (h - n) * z + n
        out[t] = h
    return out, h, None, (hprev, acts, gh_n)


def gru_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, acts, gh_n = tape
    H = acts.shape[-1] // 3
    dGi, dGh = np.empty_like(acts), np.empty_like(acts)
    for t in reversed(steps):
        a = acts[t]
        r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        d_h = d_out[t] + dh
        da_n = d_h * (1 - z) * (1 - n * n)
        di, dr = dGi[t], dGh[t]
        di[:, :H] = da_n * gh_n[t] * r * (1 - r)
        di[:, H:2 * H] = d_h * (hprev[t] - n) * z * (1 - z)
        di[:, 2 * H:] = da_n
        dr[:, :2 * H] = di[:, :2 * H]
        dr[:, 2 * H:] = da_n * r  # r multiplies the hidden affine map, bias b_hn included
        dh = dr @ w.w_hh + d_h * z
    return dGi, dGh, hprev, dh, None, None


KERNELS = {
    "RNN_TANH": (lambda *a: rnn_forward(*a, relu=False), rnn_backward),
    "RNN_RELU": (lambda *a: rnn_forward(*a, relu=True), rnn_backward),
    "LSTM": (lstm_forward, lstm_backward),
    "GRU": (gru_forward, gru_backward),
}


def weight_grads(x: np.ndarray, dGi: np.ndarray, dGh: np.ndarray, hprev: np.ndarray, w: Weights) -> tuple:
    """After the loop: dx = dGi W_ih, dW_ih = dGi^T x, dW_hh = dGh^T h_prev, db_ih, db_hh (sums over T and N)."""
    T, N, G = dGi.shape
    gi_flat, gh_flat = dGi.reshape(T * N, G), dGh.reshape(T * N, G)
    dx = (gi_flat @ w.w_ih).reshape(x.shape)
    d_w_ih = gi_flat.T @ x.reshape(T * N, x.shape[2])
    d_w_hh = gh_flat.T @ hprev.reshape(T * N, hprev.shape[2])
    db_ih = gi_flat.sum(axis=0) if w.b_ih is not None else None
    db_hh = (gh_flat.sum(axis=0) if dGh is not dGi else db_ih.copy()) if w.b_hh is not None else None
    return dx, d_w_ih, d_w_hh, db_ih, db_hh
