"""One direction of one recurrent layer over a whole sequence, forward and backpropagation through time.

Shared by RNN (tanh / relu), LSTM (with or without projection) and GRU; the layer classes stack and combine them.
Arrays are in time-major layout: ``gi (T, N, G*H)`` is the input's affine map ``x W_ih^T + b_ih`` computed for all
steps in one GEMM before the loop (torch's CPU ``FullLayer`` does the same); the loop visits the time positions in
``steps`` (``range(T)`` forward, ``range(T - 1, -1, -1)`` for the reverse direction) and writes every array at the
time position, so the reverse direction needs no flipped copies. Per step only the recurrent GEMM ``h W_hh^T``
and the gate nonlinearities run; backward keeps the gate gradients of every step, ``dG (T, N, G*H)``, and turns
them into the weight gradients with one GEMM each after the loop.

Numerics follow torch's order: ``gates = (h W_hh^T + b_hh) + gi``; LSTM ``c' = f*c + i*g``, ``h' = o*tanh(c')``
(then ``h' W_hr^T`` with a projection); GRU ``n = tanh(gi_n + r*gh_n)``, ``h' = (h - n)*z + n``. Folding b_hh
into gi before the loop would save a pass per step, but it reassociates a float sum; the loop keeps torch's order.
Sigmoid and tanh are evaluated in the gates' dtype (see ``FLOAT64_TRANSCENDENTALS``); their derivatives come from
the forward without the cancellation of torch's ``s (1 - s)`` / ``1 - t^2`` near saturation: ``1 - s`` is kept
as ``e s`` (:func:`sigmoid_into`) and tanh's slope comes from its pre-activation (:func:`tanh_slope`). torch's
float32 LSTM (oneDNN) is that accurate there; the plain formulas were up to 13x its error on a weight gradient at
input scale 1e2. Per step only the recurrence runs in the
loop; every factor of the gate gradients that does not depend on the incoming gradient is computed for all
steps at once before it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# float32 gates: sigmoid and tanh evaluated in float32 (in place, no temporaries). benchmarks/recurrent.py measures
# the alternative, float64 evaluation rounded once (the policy of the cells and activations): at the size it
# costs ~1.3x the layer's time and leaves the float32 error against float64 truth where it was (both ~4e-7, like
# torch's), so the layers do not pay it. The flag exists for that measurement.
FLOAT64_TRANSCENDENTALS = False
_EXP_MAX = {t: float(np.log(np.finfo(t).max)) - 1 for t in (np.float32, np.float64)}


def sigmoid_into(a: np.ndarray, out: np.ndarray, complement: np.ndarray) -> np.ndarray:
    """out = s = 1 / (1 + e) and complement = 1 - s = e s, with e = exp(-a) (the argument capped where exp would
    overflow: s is then ~1e-38 instead of ~1e-44, both 0 to the gates' products).

    The complement is what sigmoid's derivative s (1 - s) needs: ``1 - s`` computed from a rounded s near 1 loses
    every digit (s = 1 - 1e-6 in float32 keeps ~1 significant digit of 1 - s), while e s keeps them all. Gradients
    through nearly saturated gates (large inputs, large states) depend on it."""
    if a.dtype == np.float32 and FLOAT64_TRANSCENDENTALS:
        e = np.exp(np.minimum(-a.astype(np.float64), _EXP_MAX[np.float64]))
        s = 1 / (1 + e)
        out[...], complement[...] = s, e * s
        return out
    np.multiply(a, -1, out=complement)  # not np.negative: numpy 2.4 float32 negative of an (N, 1) strided view into
    # an (N, 1) strided out reads the wrong elements (tests/test_recurrent_layers.py keeps hidden_size 1 covered)
    np.minimum(complement, _EXP_MAX[a.dtype.type], out=complement)
    np.exp(complement, out=complement)
    np.add(complement, 1, out=out)
    np.reciprocal(out, out=out)
    np.multiply(complement, out, out=complement)
    return out


def tanh_slope(a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """tanh'(a) = 1 - tanh(a)^2 = 4 e / (1 + e)^2 with e = exp(-2|a|), from the pre-activation: ``1 - t^2`` from a
    rounded t near +-1 loses every digit, this keeps them (the gradient through a saturated tanh)."""
    e = np.abs(a, out=out)
    e *= -2
    np.exp(e, out=e)
    den = e + 1
    den *= den
    e *= 4
    e /= den
    return e


def tanh_into(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    if a.dtype == np.float32 and FLOAT64_TRANSCENDENTALS:
        out[...] = np.tanh(a.astype(np.float64))
        return out
    return np.tanh(a, out=out)


def _directions(bidirectional) -> int:
    if bidirectional:
        return 2
    return 1


def _steps(T: int, direction: int) -> range:
    """The time positions in the order a direction visits them."""
    if direction:
        return range(T - 1, -1, -1)
    return range(T)


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


def _previous(seq: np.ndarray, first: np.ndarray, steps: range) -> np.ndarray:
    """The state before each time position: ``seq`` shifted one step along the direction of travel, ``first`` at
    the start (t = 0 forward, t = T-1 in reverse)."""
    prev = np.empty_like(seq)
    if steps.step < 0:
        prev[-1], prev[:-1] = first, seq[1:]
    else:
        prev[0], prev[1:] = first, seq[:-1]
    return prev


# -- RNN: h' = act(gh + gi) ----------------------------------------------------------------------------------------
def rnn_forward(gi, h0, c0, w: Weights, steps, relu: bool):
    out, h, gh = np.empty_like(gi), h0, np.empty(gi.shape[1:], gi.dtype)
    for t in steps:
        a = gi[t]  # gi (ours) becomes the pre-activations: (h W_hh^T + b_hh) + gi, in place
        a += _recurrent(h, w, gh)
        if relu:
            np.maximum(a, 0, out=out[t])  # NaN stays NaN, as torch's relu
        else:
            tanh_into(a, out[t])
        h = out[t]
    # act'(a): relu's threshold_backward is 0 at and below the kink and passes NaN; tanh from the pre-activation
    if relu:
        slope = (~(out <= 0)).astype(out.dtype)
    else:
        slope = tanh_slope(gi)
    return out, h, None, (_previous(out, h0, steps), slope)


def rnn_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, slope = tape
    dG = np.empty_like(slope)
    for t in reversed(steps):
        d = dG[t]
        np.add(d_out[t], dh, out=d)
        d *= slope[t]
        dh = d @ w.w_hh
    return dG, dG, hprev, dh, None, None


# -- LSTM: [i f g o] = gh + gi; c' = s(f) c + s(i) tanh(g); h' = s(o) tanh(c') [W_hr^T] -----------------------------
def lstm_forward(gi, h0, c0, w: Weights, steps):
    T, N, G = gi.shape
    H, P = G // 4, h0.shape[-1]
    acts = np.empty_like(gi)  # s(i), s(f), tanh(g), s(o) per step
    comp = np.empty_like(gi)  # 1 - s(i), 1 - s(f), (unused), 1 - s(o)
    cs, tanh_c = (np.empty((T, N, H), gi.dtype) for _ in range(2))
    out = np.empty((T, N, P), gi.dtype)
    pre = np.empty((T, N, H), gi.dtype) if w.w_hr is not None else out  # s(o) tanh(c') before the projection
    h, c, ig, gh = h0, c0, np.empty((N, H), gi.dtype), np.empty((N, G), gi.dtype)
    for t in steps:
        gates = gi[t]  # gi (ours) becomes the pre-activations: (h W_hh^T + b_hh) + gi, in place
        gates += _recurrent(h, w, gh)
        a = acts[t]
        sigmoid_into(gates, a, comp[t])  # all four blocks in one call (fewer, larger passes), then g's tanh
        tanh_into(gates[:, 2 * H:3 * H], a[:, 2 * H:3 * H])
        c_t = cs[t]
        np.multiply(a[:, H:2 * H], c, out=c_t)  # f*c + i*g, torch's order
        np.multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig)
        c_t += ig
        tanh_into(c_t, tanh_c[t])
        np.multiply(a[:, 3 * H:], tanh_c[t], out=pre[t])
        if w.w_hr is not None:
            np.matmul(pre[t], w.w_hr.T, out=out[t])
        h, c = out[t], c_t
    tape = (_previous(out, h0, steps), _previous(cs, c0, steps), acts, comp, gi[..., 2 * H:3 * H], cs, tanh_c,
            pre if w.w_hr is not None else None)
    return out, h, c, tape


def lstm_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, cprev, acts, comp, g_pre, cs, tanh_c, pre = tape
    T, N, G = acts.shape
    H = G // 4
    i, f, g, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
    ci, cf, co = comp[..., :H], comp[..., H:2 * H], comp[..., 3 * H:]  # 1 - s, kept accurate near s = 1
    # every factor that does not depend on the incoming gradient, for all steps at once, into comp's place (the
    # complements are used only here): d[i] = dc * g i (1 - i), d[f] = dc * c f (1 - f), d[g] = dc * i tanh'(g),
    # d[o] = dh' * tanh(c') o (1 - o)
    coef = comp
    ci *= i
    ci *= g
    cf *= f
    cf *= cprev
    tanh_slope(g_pre, out=coef[..., 2 * H:3 * H])
    coef[..., 2 * H:3 * H] *= i
    co *= o
    co *= tanh_c
    via_h = tanh_slope(cs)  # dc' += dh' * via_h: c' reaches the loss through h' = o tanh(c')
    via_h *= o
    coef4 = coef.reshape(T, N, 4, H)
    dG = np.empty_like(acts)
    d_top = np.empty(d_out.shape, d_out.dtype) if pre is not None else None  # dL/dh' per step, for dW_hr
    dc = dc.copy()
    tmp = np.empty((N, H), acts.dtype)
    for t in reversed(steps):
        d_h = d_out[t] + dh
        if pre is not None:
            d_top[t] = d_h
            d_h = d_h @ w.w_hr
        np.multiply(d_h, via_h[t], out=tmp)
        dc += tmp
        d = dG[t].reshape(N, 4, H)
        np.multiply(dc[:, None, :], coef4[t, :, :3], out=d[:, :3])
        np.multiply(d_h, coef4[t, :, 3], out=d[:, 3])
        dc *= f[t]
        dh = dG[t] @ w.w_hh
    d_hr = None
    if pre is not None:
        d_hr = d_top.reshape(T * N, d_top.shape[2]).T @ pre.reshape(T * N, H)
    return dG, dG, hprev, dh, dc, d_hr


# -- GRU: r, z = s(gh + gi); n = tanh(gi_n + r gh_n); h' = (h - n) z + n ---------------------------------------------
def gru_forward(gi, h0, c0, w: Weights, steps):
    T, N, G = gi.shape
    H = G // 3
    acts = np.empty_like(gi)  # r, z, n per step
    comp = np.empty((T, N, 2 * H), gi.dtype)  # 1 - r, 1 - z
    gh_n, n_pre, out = (np.empty((T, N, H), gi.dtype) for _ in range(3))
    h, gh = h0, np.empty((N, G), gi.dtype)
    for t in steps:
        _recurrent(h, w, gh)
        a = acts[t]
        rz, r, z, n = a[:, :2 * H], a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
        np.add(gh[:, :2 * H], gi[t, :, :2 * H], out=rz)
        sigmoid_into(rz, rz, comp[t])
        gh_n[t] = gh[:, 2 * H:]
        np.multiply(r, gh_n[t], out=n_pre[t])
        n_pre[t] += gi[t, :, 2 * H:]
        tanh_into(n_pre[t], n)
        h_t = out[t]
        np.subtract(h, n, out=h_t)  # (h - n) * z + n, torch's order
        h_t *= z
        h_t += n
        h = h_t
    return out, h, None, (_previous(out, h0, steps), acts, comp, gh_n, n_pre)


def gru_backward(tape, d_out, dh, dc, w: Weights, steps):
    hprev, acts, comp, gh_n, n_pre = tape
    H = acts.shape[-1] // 3
    r, z, n = (acts[..., k * H:(k + 1) * H] for k in range(3))
    cr, cz = comp[..., :H], comp[..., H:]  # 1 - r, 1 - z, kept accurate near 1
    via_n = cz * tanh_slope(n_pre)  # da_n = dh' * via_n
    coef_r = gh_n * r * cr  # da_r = da_n * coef_r
    coef_z = (hprev - n) * z * cz  # da_z = dh' * coef_z
    dGi, dGh = np.empty_like(acts), np.empty_like(acts)
    for t in reversed(steps):
        d_h = d_out[t] + dh
        di, dr = dGi[t], dGh[t]
        da_n = di[:, 2 * H:]
        np.multiply(d_h, via_n[t], out=da_n)
        np.multiply(da_n, coef_r[t], out=di[:, :H])
        np.multiply(d_h, coef_z[t], out=di[:, H:2 * H])
        dr[:, :2 * H] = di[:, :2 * H]
        np.multiply(da_n, r[t], out=dr[:, 2 * H:])  # r multiplies the hidden affine map, bias b_hn included
        dh = dr @ w.w_hh
        d_h *= z[t]
        dh += d_h
    return dGi, dGh, hprev, dh, None, None


KERNELS = {
    "RNN_TANH": (lambda *a: rnn_forward(*a, relu=False), rnn_backward),
    "RNN_RELU": (lambda *a: rnn_forward(*a, relu=True), rnn_backward),
    "LSTM": (lstm_forward, lstm_backward),
    "GRU": (gru_forward, gru_backward),
}


def weight_grads(x: np.ndarray, dGi: np.ndarray, dGh: np.ndarray, hprev: np.ndarray, w: Weights,
                 need_dx: bool = True) -> tuple:
    """After the loop: dx = dGi W_ih (None unless ``need_dx``), dW_ih = dGi^T x, dW_hh = dGh^T h_prev, db_ih,
    db_hh (sums over T and N)."""
    T, N, G = dGi.shape
    gi_flat, gh_flat = dGi.reshape(T * N, G), dGh.reshape(T * N, G)
    dx = (gi_flat @ w.w_ih).reshape(x.shape) if need_dx else None
    d_w_ih = gi_flat.T @ x.reshape(T * N, x.shape[2])
    d_w_hh = gh_flat.T @ hprev.reshape(T * N, hprev.shape[2])
    if w.b_ih is None:
        return dx, d_w_ih, d_w_hh, None, None
    db_ih = gi_flat.sum(axis=0)
    if dGh is dGi:  # RNN, LSTM: the same gradient reaches both biases
        return dx, d_w_ih, d_w_hh, db_ih, db_ih.copy()
    return dx, d_w_ih, d_w_hh, db_ih, gh_flat.sum(axis=0)
