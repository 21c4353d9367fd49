"""MultiheadAttention: torch 2.13's ``nn.MultiheadAttention`` (``F.multi_head_attention_forward``) step by step.

With E = embed_dim, h = num_heads, d = E / h, inputs batch-major inside (N, L, E) / (N, S, kdim|vdim)::

    Q = query W_q^T + b_q;  K = key W_k^T + b_k;  V = value W_v^T + b_v   # packed: W_in = [W_q; W_k; W_v] (3E, E)
    K, V = [K; bias_k], [V; bias_v]              # add_bias_kv: one more key/value per sample (S + 1)
    Q, K, V -> (N, h, L|S, d)                    # head i is columns i*d:(i+1)*d of the projection
    K, V = [K; 0], [V; 0]                        # add_zero_attn: a zero key/value per head (S + 2)
    M = attn_mask + key_padding_mask             # bool -> 0 / -inf (True = NOT allowed: SDPA's opposite);
                                                 # padded with 0 ("allowed") for bias_kv / zero_attn columns
    need_weights=True (torch's bmm path):
        P = softmax((Q * sqrt(1/d)) K^T + M)     # a fully masked row is NaN (plain softmax), as torch's
        A = P * keep / (1 - p)                   # dropout (training, p > 0) on the weights: F.dropout
        O = A V;  weights = A averaged over heads (N, L, S) or per head (N, h, L, S): POST-dropout
    need_weights=False: O = scaled_dot_product_attention(Q, K, V, M, p, is_causal) (sdpa.py: a fully masked row
        is 0; dropout scales V), weights None
    out = merge_heads(O) W_o^T + b_o             # out_proj is a Linear

is_causal is torch's hint: it needs an attn_mask (RuntimeError without one); on the SDPA path without a
key_padding_mask the mask is then DROPPED and SDPA's own causal mask (top-left tril) used instead; everywhere
else the mask given is used and the hint ignored.

Backward: out_proj's (Linear), then per path the attention's (sdpa.py's kernels, or here for the weights path:
dA = dO V^T + d weights (/ h when averaged); dV = A^T dO; dS = P (dP - sum(dP P)) with dP = dA keep / (1 - p);
dQ = sqrt(1/d) dS K; dK = dS^T Q sqrt(1/d)), then the projections (dW = dY^T X, db = sum dY, dX = dY W);
bias_k / bias_v get the gradient of their key/value column summed over the batch; the zero attention column
gets none. Float masks are differentiated inputs (dM = dS summed to each mask's shape), bool masks are not.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..base import CachedModule
from ..linear import Linear
from ..module import Parameter, check_float_dtype
from ._mha_inputs import canonical_mask, pad_columns, shape_check
from .sdpa import _sum_to, sdpa_backward, sdpa_forward, softmax_, softmax_backward_

__all__ = ["MultiheadAttention"]


class _OutProjection(Linear):
    """MultiheadAttention.out_proj: a Linear shown under torch's class name for it."""

    def _get_name(self) -> str:
        return "NonDynamicallyQuantizableLinear"


def _xavier_uniform(rng: np.random.Generator, shape: tuple[int, int], dt) -> Parameter:
    bound = math.sqrt(6.0 / (shape[0] + shape[1]))
    return Parameter(rng.uniform(-bound, bound, shape).astype(dt))


def _heads(x: np.ndarray, h: int) -> np.ndarray:
    """(N, T, E) -> (N, h, T, d): head i is columns i*d:(i+1)*d."""
    n, t, e = x.shape
    return x.reshape(n, t, h, e // h).transpose(0, 2, 1, 3)


def _merge(x: np.ndarray) -> np.ndarray:
    """(N, h, T, d) -> (N, T, h*d), the inverse of :func:`_heads`."""
    n, h, t, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * d)


class _Cache(NamedTuple):
    inputs: tuple  # (query, key, value) batch-major (N, T, E) copies; the same array where forward got one
    qkv: tuple  # the projected heads (N, h, T, d) of the weights path; None on the SDPA path
    attn: object  # the weights path: (P, A, noise); the SDPA path: sdpa_forward's cache
    extra: int  # appended key columns: bias_kv + zero_attn
    masks: tuple  # (attn_mask shape (1|N, 1|h, L, S') or None, kpm shape (N, 1, 1, S') or None, their sources)
    layout: tuple  # (batched, batch_first, average, need_weights, self_attention, key is value)


class MultiheadAttention(CachedModule):
    """Multi-head attention, torch's ``nn.MultiheadAttention`` (formulas and gradients: the module docstring).

    Args:
        embed_dim (int): E, the query's features and the output's; a multiple of num_heads (AssertionError).
        num_heads (int): h; each head attends over d = E / h features.
        dropout (float, default 0.0): DROP probability of the attention weights, in training only.
        bias (bool, default True): in_proj_bias (3E,) and out_proj.bias.
        add_bias_kv (bool, default False): learned bias_k, bias_v (1, 1, E) appended to the keys / values.
        add_zero_attn (bool, default False): a zero key and value appended per head.
        kdim, vdim (int, optional): key / value features (default E); either != E gives separate q/k/v_proj_weight.
        batch_first (bool, default False): (N, L, E) inputs and output instead of (L, N, E).
        dtype (default np.float32), rng (np.random.Generator, optional): parameters' dtype; source of the initial
            values and of the dropout masks (``rng.random(weights.shape) >= dropout``, weights (N, h, L, S')).
    Init (torch's): xavier_uniform on in_proj_weight (3E, E) (bound sqrt(6 / 4E)) or on each of q/k/v_proj_weight;
    in_proj_bias and out_proj.bias 0; out_proj.weight Linear's U(+-1/sqrt(E)); bias_k, bias_v N(0, 1/E).
    forward(query (L, N, E), key (S, N, kdim), value (S, N, vdim), key_padding_mask (N, S) = None,
            need_weights = True, attn_mask (L, S) | (N*h, L, S) = None, average_attn_weights = True,
            is_causal = False) -> (attn_output (L, N, E), attn_weights (N, L, S') | (N, h, L, S') | None);
    unbatched: query (L, E), key (S, kdim), value (S, vdim), key_padding_mask (S,), attn_mask (L, S) | (h, L, S).
    key_padding_mask True = ignore that key; attn_mask True = NOT allowed; float masks are added.
    backward(d_attn_output, d_attn_weights=None) -> (d_query, d_key, d_value[, d_key_padding_mask][, d_attn_mask])
    (a float mask gets its gradient, in forward's order; self-attention callers add the first three).
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, dtype=np.float32,
                 rng: np.random.Generator | None = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                             f"num_heads={num_heads} instead")
        super().__init__()
        dt = check_float_dtype(dtype)
        rng = rng if rng is not None else np.random.default_rng()
        self.rng = np.random.default_rng(rng.integers(2**63))  # the dropout masks' own stream (the first draw)
        self.embed_dim, self.num_heads, self.dropout, self.batch_first = embed_dim, num_heads, dropout, batch_first
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        e = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = _xavier_uniform(rng, (3 * e, e), dt)
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.in_proj_weight = None
            self.q_proj_weight = _xavier_uniform(rng, (e, e), dt)
            self.k_proj_weight = _xavier_uniform(rng, (e, self.kdim), dt)
            self.v_proj_weight = _xavier_uniform(rng, (e, self.vdim), dt)
        self.in_proj_bias = None
        if bias:
            self.in_proj_bias = Parameter(np.zeros(3 * e, dt))
        self.out_proj = _OutProjection(e, e, bias=bias, dtype=dt, rng=rng)
        if bias:
            self.out_proj.bias.data[...] = 0
        self.bias_k = self.bias_v = None
        if add_bias_kv:
            std = math.sqrt(1.0 / e)  # xavier_normal on (1, 1, E): fan_in = fan_out = E
            self.bias_k = Parameter(rng.normal(0.0, std, (1, 1, e)).astype(dt))
            self.bias_v = Parameter(rng.normal(0.0, std, (1, 1, e)).astype(dt))
        self.add_zero_attn = add_zero_attn

    # -- projections ---------------------------------------------------------------------------------------
    def _weights(self) -> tuple:
        """(W_q, W_k, W_v) and (b_q, b_k, b_v) as arrays (views of the packed ones), None where absent."""
        e = self.embed_dim
        if self.in_proj_weight is not None:
            w = self.in_proj_weight.data
            ws = (w[:e], w[e:2 * e], w[2 * e:])
        else:
            ws = (self.q_proj_weight.data, self.k_proj_weight.data, self.v_proj_weight.data)
        if self.in_proj_bias is None:
            return ws, (None, None, None)
        b = self.in_proj_bias.data
        return ws, (b[:e], b[e:2 * e], b[2 * e:])

    def _project(self, q, k, v, same: tuple[bool, bool]) -> tuple[np.ndarray, ...]:
        """Q, K, V (N, T, E); self-attention with packed weights runs ONE (N*T, E) x (E, 3E) product."""
        (wq, wk, wv), (bq, bk, bv) = self._weights()
        for x, w in ((q, wq), (k, wk), (v, wv)):
            if x.dtype != w.dtype:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {x.dtype} and {w.dtype}")
            if x.shape[-1] != w.shape[1]:
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({math.prod(x.shape[:-1])}x"
                                   f"{x.shape[-1]} and {w.shape[1]}x{w.shape[0]})")
        if all(same) and self.in_proj_weight is not None:
            n, t, e = q.shape
            y = q.reshape(n * t, e) @ self.in_proj_weight.data.T
            if bq is not None:
                y += self.in_proj_bias.data
            y = y.reshape(n, t, 3, e)
            return y[:, :, 0], y[:, :, 1], y[:, :, 2]
        if bq is None:
            return tuple(x @ w.T for x, w in ((q, wq), (k, wk), (v, wv)))
        return tuple(x @ w.T + b for x, w, b in ((q, wq, bq), (k, wk, bk), (v, wv, bv)))

    def _project_backward(self, inputs: tuple, grads: tuple, same: tuple[bool, bool]) -> tuple[np.ndarray, ...]:
        """Accumulate the projection weights' and bias's gradients; return dX for query, key and value."""
        (wq, wk, wv), _ = self._weights()
        flat = [g.reshape(-1, g.shape[-1]) for g in grads]
        xs = [x.reshape(-1, x.shape[-1]) for x in inputs]
        if self.in_proj_weight is not None and self.in_proj_weight.requires_grad:
            if all(same):  # one (3E, N*T) x (N*T, E) product for the packed weight
                self.in_proj_weight.accumulate(np.concatenate(flat, axis=1).T @ xs[0], owned=True)
            else:
                self.in_proj_weight.accumulate(np.concatenate([g.T @ x for g, x in zip(flat, xs, strict=True)]),
                                               owned=True)
        for p, g, x in zip((self.q_proj_weight, self.k_proj_weight, self.v_proj_weight), flat, xs, strict=True):
            if p is not None and p.requires_grad:
                p.accumulate(g.T @ x, owned=True)
        if self.in_proj_bias is not None and self.in_proj_bias.requires_grad:
            self.in_proj_bias.accumulate(np.concatenate([g.sum(axis=0) for g in flat]), owned=True)
        return tuple(g @ w for g, w in zip(grads, (wq, wk, wv), strict=True))

    # -- forward / backward --------------------------------------------------------------------------------
    def forward(self, query: np.ndarray, key: np.ndarray, value: np.ndarray,
                key_padding_mask: np.ndarray | None = None, need_weights: bool = True,
                attn_mask: np.ndarray | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
        kpm_in, mask_in = key_padding_mask, attn_mask
        batched = shape_check(query, key, value, kpm_in, mask_in, self.num_heads)
        same = (query is key, key is value)
        if not batched:
            q, k, v = query[None], key[None], value[None]
        elif self.batch_first:
            q, k, v = query, key, value
        else:
            q, k, v = (x.swapaxes(0, 1) for x in (query, key, value))
        kpm_src = kpm_in if kpm_in is None or batched else kpm_in[None]
        dt = q.dtype
        kpm = canonical_mask(kpm_src, "key_padding_mask", dt, None if mask_in is None else mask_in.dtype)
        if is_causal and mask_in is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                               "method `generate_square_subsequent_mask` to create this mask.")
        causal = is_causal and kpm is None and not need_weights  # SDPA's causal mask replaces the one given
        mask = None if causal else canonical_mask(mask_in, "attn_mask", dt)
        n, L, e = q.shape
        h, S = self.num_heads, k.shape[1]
        if e != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but got {e}")
        if self._qkv_same_embed_dim and key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")
        if not self._qkv_same_embed_dim and k.shape[:2] != v.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {k.shape[:2]} do not match value's {v.shape[:2]}")
        if k.shape[0] != n:
            raise RuntimeError(f"shape '[{S}, {n * h}, {self.head_dim}]' is invalid for input of size "
                               f"{S * k.shape[0] * e}: key's batch {k.shape[0]} differs from query's {n}")
        Q, K, V = self._project(q, k, v, same)
        if mask is not None:
            want = (L, S) if mask.ndim == 2 else (n * h, L, S)
            if mask.shape != want:
                raise RuntimeError(f"The shape of the {mask.ndim}D attn_mask is {list(mask.shape)}, but should be "
                                   f"{want}.")
        extra = 0
        if self.bias_k is not None:
            K = np.concatenate([K, np.broadcast_to(self.bias_k.data, (n, 1, e))], axis=1)
            V = np.concatenate([V, np.broadcast_to(self.bias_v.data, (n, 1, e))], axis=1)
            extra = 1
        Qh, Kh, Vh = _heads(Q, h), _heads(K, h), _heads(V, h)
        if self.add_zero_attn:
            zeros = np.zeros((n, h, 1, self.head_dim), dt)
            Kh, Vh = np.concatenate([Kh, zeros], axis=2), np.concatenate([Vh, zeros], axis=2)
            extra += 1
        if kpm is not None and kpm.shape != (n, S):
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {n}, but got {kpm.shape[0]}"
                                 if kpm.shape[0] != n else
                                 f"Expected key_padded_mask.shape[1] to be {S + extra}, but got {kpm.shape[1] + extra}")
        m4 = None if mask is None else pad_columns(
            mask.reshape((1, 1) + mask.shape if mask.ndim == 2 else (n, h, L, S)), extra)
        k4 = None if kpm is None else pad_columns(kpm.reshape(n, 1, 1, S), extra)
        merged = k4 if m4 is None else (m4 if k4 is None else m4 + k4)
        p = self.dropout if self.training else 0.0
        if need_weights:
            out_h, attn = self._weights_forward(Qh, Kh, Vh, merged, p)
            a = attn[1]
            weights = a.mean(axis=1) if average_attn_weights else a.copy()  # owned: backward reads A
            if not batched:
                weights = weights[0]
        else:
            out_h, attn = sdpa_forward(Qh, Kh, Vh, merged, p, causal, rng=self.rng, copy_value=False)  # own heads
            weights = None
        out = self.out_proj(_merge(out_h).reshape(n * L, e)).reshape(n, L, e)
        if not batched:
            out = out[0]
        elif not self.batch_first:
            out = out.swapaxes(0, 1)
        inputs = (q.copy(),) * 3 if all(same) else (q.copy(), k.copy(), v.copy())
        layout = (batched, self.batch_first, average_attn_weights, need_weights) + same
        sources = tuple(None if m is None or m.dtype == np.bool_ else (m.shape, m.dtype) for m in (kpm_in, mask_in))
        cache = _Cache(inputs, (Qh, Kh, Vh) if need_weights else None, attn, extra,
                       (None if m4 is None else m4.shape, None if k4 is None else k4.shape, sources), layout)
        return self._save((out, weights), cache)

    def _weights_forward(self, q, k, v, mask, p: float) -> tuple[np.ndarray, tuple]:
        """torch's need_weights path: bmm, softmax (NaN on fully masked rows), F.dropout, bmm."""
        dt = q.dtype.type
        s = np.matmul(q * dt(math.sqrt(1.0 / q.shape[-1])), k.swapaxes(-1, -2))
        if mask is not None:
            s = mask + s  # torch's baddbmm(mask, q, k^T)
        with np.errstate(invalid="ignore"):  # a fully masked row: -inf - -inf is NaN, as torch gives it
            probs = softmax_(s, safe=False)
        noise = None
        if p > 0:  # torch calls F.dropout only for p > 0: a negative or NaN p is no dropout
            if p > 1:
                raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
            if p == 1:
                noise = np.zeros((), dt)
            elif probs.size:
                noise = (self.rng.random(probs.shape) >= p).astype(dt) / dt(1 - p)
        a = (probs if noise is None
             else probs * noise)
        return np.matmul(a, v), (probs, a, noise)

    def backward(self, d_attn_output: np.ndarray, d_attn_weights: np.ndarray | None = None) -> tuple:
        (dout, dw), (cache,) = self._saved_all(d_attn_output, d_attn_weights)
        batched, batch_first, average, need_weights, *same = cache.layout
        if not batched:
            dout = dout[None]
        elif not batch_first:
            dout = dout.swapaxes(0, 1)
        n, L, e = dout.shape
        d_heads = _heads(self.out_proj.backward(dout.reshape(n * L, e)).reshape(n, L, e), self.num_heads)
        if need_weights:
            dq, dk, dv, dm = self._weights_backward(cache, d_heads, dw, average, batched)
        else:
            grads = sdpa_backward(cache.attn, d_heads)
            dq, dk, dv = grads[:3]
            dm = grads[3] if len(grads) > 3 else None
        if self.add_zero_attn:
            dk, dv = dk[:, :, :-1], dv[:, :, :-1]
        dQ, dK, dV = _merge(dq), _merge(dk), _merge(dv)
        if self.bias_k is not None:
            for p, g in ((self.bias_k, dK), (self.bias_v, dV)):
                if p.requires_grad:
                    p.accumulate(g[:, -1].sum(axis=0).reshape(1, 1, e), owned=True)
            dK, dV = dK[:, :-1], dV[:, :-1]
        dx = self._project_backward(cache.inputs, (dQ, dK, dV), tuple(same))
        if not batched:
            dx = tuple(g[0] for g in dx)
        elif not batch_first:
            dx = tuple(g.swapaxes(0, 1) for g in dx)
        return dx + self._mask_grads(cache, dm, batched)

    def _weights_backward(self, cache: _Cache, d_heads, dw, average: bool, batched: bool) -> tuple:
        q, k, v = cache.qkv
        probs, a, noise = cache.attn
        dt = q.dtype.type
        if not batched:
            dw = dw[None]
        da = np.matmul(d_heads, v.swapaxes(-1, -2))
        da += dw[:, None] / dt(self.num_heads) if average else dw  # mean's backward: the share of each head
        dv = np.matmul(a.swapaxes(-1, -2), d_heads)
        if noise is not None:
            da *= noise
        with np.errstate(invalid="ignore"):  # NaN rows stay NaN
            ds = softmax_backward_(da, probs)
        f = dt(math.sqrt(1.0 / q.shape[-1]))
        dq = np.matmul(ds, k) * f
        dk = np.matmul(ds.swapaxes(-1, -2), q * f)
        return dq, dk, dv, ds

    def _mask_grads(self, cache: _Cache, dm, batched: bool) -> tuple:
        """The gradients of the float masks given (d_key_padding_mask, d_attn_mask), in forward's order."""
        m4_shape, k4_shape, sources = cache.masks
        out = ()
        for source, shape in zip(sources, (k4_shape, m4_shape), strict=True):
            if source is None:
                continue
            if shape is None:  # is_causal dropped the mask: it did not take part
                out += (np.zeros(*source),)
            else:
                out += (_sum_to(dm, shape)[..., :dm.shape[-1] - cache.extra].reshape(source[0]).astype(source[1]),)
        return out
