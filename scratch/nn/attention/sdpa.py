"""Attention: ScaledDotProductAttention (torch.nn.functional.scaled_dot_product_attention as a block).

The kernels :func:`sdpa_forward` / :func:`sdpa_backward` are the family's shared core (MultiheadAttention will
call them per head). They follow torch 2.13's math path (``aten::_scaled_dot_product_attention_math``) step by
step, in its order, so float32 results round like torch's::

    f = sqrt(scale if scale is not None else 1/sqrt(E))        # Python float; q gets -f for a negative scale
    K, V = repeat_interleave(key, Hq/Hk, -3), repeat_interleave(value, Hq/Hv, -3)    # enable_gqa only
    S = (query * (+-f)) @ (K * f)^T                              # q and k scaled separately, BEFORE the matmul
    S += bias        # bool mask: 0 where True (takes part), -inf where False; float mask: added as is;
                     # is_causal: bool tril(ones(L, S)) (top-left aligned, also for L != S)
    P = safe_softmax(S)      # softmax along the last dim; a row that is -inf everywhere gives 0 (not NaN)
    A = where(keep, P, 0)    # training with 0 < p < 1: keep ~ rng.random(P.shape) >= p, on the WEIGHTS
    out = A @ (V * c)        # c = 1/(1-p), applied to V as torch's math path does (1 without dropout)

Closed-form backward, for a cotangent dO (batch dims broadcast as in forward; every gradient is summed back to
its input's shape, and the GQA repeat is undone by summing each group of Hq/Hk heads)::

    dV = c * A^T dO;   dA = dO (V c)^T;   dP = where(keep, dA, 0)
    dS = P * (dP - sum(dP * P, -1))                              # softmax backward (0 on fully masked rows)
    dQ = (+-f) * dS (K f);   dK = f * dS^T (Q (+-f));   d attn_mask = dS (a float mask is a differentiated input)

float32: computed in float32 throughout, the softmax's exp included (numpy's float32 exp takes 3.3 ms per 1M
scores here, its float64 exp 10.7 ms: the float64 policy of the activations would make attention ~3x torch). At
N=32, H=8, L=S=64, E=16 the output's error against float64 is 5.2e-7 relative (torch's flash kernel: 3.7e-7), the
query gradient's 2.9e-7 (torch 3.3e-7); benchmarks/attention.py measures both.

torch's own quirks, kept: an empty query (L = 0) or an empty value returns zeros of shape (*q, L, Ev) before
any shape check (torch's early return); dropout_p <= 0 or NaN means no dropout, dropout_p > 1 raises only where
dropout runs (training); p = 1 multiplies the weights by 0 (NaN stays NaN) without a draw.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np

from ..base import CachedModule
from ..module import FLOAT_DTYPES

__all__ = ["ScaledDotProductAttention"]


def _sum_to(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum a broadcast gradient back to ``shape`` (leading dims, then dims of size 1)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    return g.sum(axis=axes).reshape(shape)


def _broadcast(a: tuple[int, ...], b: tuple[int, ...], what: str) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        raise RuntimeError(f"The size of tensor a must match the size of tensor b at a non-singleton dimension: "
                           f"{what} {list(a)} and {list(b)} do not broadcast") from None


def _ungroup(g: np.ndarray, r: int) -> np.ndarray:
    """Inverse of repeat_interleave(r, dim=-3): sum each group of r consecutive heads."""
    if r == 1:  # (a branch the configuration decides is a statement: the mutation audit traces lines)
        return g
    return g.reshape(g.shape[:-3] + (g.shape[-3] // r, r) + g.shape[-2:]).sum(axis=-3)


def _validate(q, k, v, mask) -> None:
    """torch's validate_sdpa_input, in its order."""
    for name, x in (("query", q), ("key", k), ("value", v), ("attn_mask", mask)):
        if x is not None and not isinstance(x, np.ndarray):
            raise TypeError(f"{name} must be a numpy.ndarray, got {type(x).__name__}")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: {q.dtype} "
                           f"key.dtype: {k.dtype} and value.dtype: {v.dtype} instead.")
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be at least 2 dimensional, but got query.dim: "
                           f"{q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if mask is not None and mask.dtype != np.bool_ and mask.dtype != np.float32 and mask.dtype != q.dtype:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {mask.dtype} and query.dtype: {q.dtype} instead.")
    if q.dtype.type not in FLOAT_DTYPES:
        raise RuntimeError(f"scaled_dot_product_attention: query, key and value must be float32 or float64, got "
                           f"{q.dtype}")


def _gqa_repeats(q, k, v, enable_gqa: bool) -> tuple[int, int]:
    """(repeats of key heads, repeats of value heads); torch's pre_process_group_query_attention_input."""
    if not enable_gqa:
        return 1, 1
    if min(q.ndim, k.ndim, v.ndim) < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{min(q.ndim, k.ndim, v.ndim)}, "
                         f"{min(q.ndim, k.ndim, v.ndim) - 1}], but got -3)")
    hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
    if hq == hk == hv:
        return 1, 1
    if hk == 0 or hv == 0 or hq % hk or hq % hv:
        raise RuntimeError(f"Number of heads in key and value must divide the number of heads in query "
                           f"(query {hq}, key {hk}, value {hv} heads)")
    return hq // hk, hq // hv


def _bias(mask, causal: bool, q: np.ndarray, k: np.ndarray) -> np.ndarray | None:
    """The additive bias in the query dtype (bool masks and the causal mask as 0 / -inf, as torch converts them)."""
    if causal:
        mask = np.tri(q.shape[-2], k.shape[-2], dtype=np.bool_)
    if mask is None:
        return None
    if mask.dtype == np.bool_:
        return np.where(mask, np.zeros((), q.dtype), np.asarray(-np.inf, q.dtype))
    return mask.astype(q.dtype, copy=False)


class _Cache(NamedTuple):
    qs: np.ndarray | None  # query * (+-f)
    ks: np.ndarray | None  # repeated key * f
    vs: np.ndarray | None  # repeated value * c (owned)
    p: np.ndarray | None  # softmax weights P
    a: np.ndarray | None  # weights after dropout (P itself without dropout)
    keep: np.ndarray | bool | None  # dropout mask, False for p = 1, None without dropout
    f: float
    qf: float
    c: float
    reps: tuple[int, int]
    shapes: tuple  # query, key, value shapes
    mask: tuple | None  # (shape, dtype) of a float attn_mask (it gets a gradient), else None


# inf or NaN inputs: torch's NaNs without numpy's warnings (a decorator, not a `with` block: nesting the body would
# reorder ast.walk and so the occurrence indices that the mutation audit's equivalent declarations are keyed by)
@np.errstate(invalid="ignore", over="ignore")
def sdpa_forward(query, key, value, attn_mask=None, dropout_p: float = 0.0, is_causal: bool = False,
                 scale: float | None = None, enable_gqa: bool = False,
                 rng: np.random.Generator | None = None, copy_value: bool = True) -> tuple[np.ndarray, _Cache]:
    """torch.nn.functional.scaled_dot_product_attention (see the module docstring); ``dropout_p`` is applied as
    given (a module passes 0 in eval mode). Returns (output, what :func:`sdpa_backward` needs). ``copy_value``
    False: the caller guarantees ``value`` is not changed before backward (MultiheadAttention's own heads), so
    the cache keeps it without a copy."""
    q, k, v, mask = query, key, value, attn_mask
    _validate(q, k, v, mask)
    float_mask = None if mask is None or mask.dtype == np.bool_ else (mask.shape, mask.dtype)
    ev = v.shape[-1]
    if q.shape[-2] == 0 or v.size == 0:  # torch's early return: zeros shaped by the query alone
        return np.zeros(q.shape[:-1] + (ev,), q.dtype), _Cache(None, None, None, None, None, None, 0.0, 0.0, 1.0,
                                                                (1, 1), (q.shape, k.shape, v.shape), float_mask)
    if is_causal and mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    rk, rv = _gqa_repeats(q, k, v, enable_gqa)
    kr, vr = k, v
    if rk > 1:
        kr = np.repeat(k, rk, axis=-3)
    if rv > 1:
        vr = np.repeat(v, rv, axis=-3)
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor: query has E={q.shape[-1]}, "
                           f"key has E={k.shape[-1]}")
    batch = _broadcast(q.shape[:-2], kr.shape[:-2], "batch dims of query and key")
    dt = q.dtype.type
    if scale is None:  # torch's calculate_scale: 1/sqrt(E) (inf for E = 0, where the scores are empty sums: 0)
        scale = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else math.inf
    f = math.sqrt(abs(scale))
    qf = f
    if scale < 0:
        qf = 0.0 - f
    qs, ks = q * dt(qf), kr * dt(f)
    s = np.matmul(qs, ks.swapaxes(-1, -2))  # (*batch, L, S)
    bias = _bias(mask, is_causal, q, k)
    if bias is not None:
        if _broadcast(s.shape, bias.shape, "scores and attn_mask") != s.shape:
            raise RuntimeError(f"output with shape {list(s.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(s.shape, bias.shape))} (attn_mask {list(bias.shape)})")
        s += bias
    p = softmax_(s)
    if vr.shape[-2] != s.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor: the weights have S="
                           f"{s.shape[-1]}, value has S={vr.shape[-2]}")
    _broadcast(batch, vr.shape[:-2], "batch dims of the weights and value")
    a, keep, c = p, None, 1.0
    if dropout_p > 0:  # torch's `dropout_p > 0.0`: a negative or NaN p means no dropout
        if dropout_p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
        if dropout_p == 1:  # at::dropout returns input * 0 without a draw
            a, keep = p * dt(0), False
        elif p.size:
            keep = (rng if rng is not None else np.random.default_rng()).random(p.shape) >= dropout_p
            a, c = np.where(keep, p, dt(0)), 1.0 / (1 - dropout_p)
    if c != 1.0:
        vs = vr * dt(c)
    elif vr is v and copy_value:
        vs = v.copy()  # owned: value may change later
    else:
        vs = vr
    out = np.matmul(a, vs)
    return out, _Cache(qs, ks, vs, p, a, keep, f, qf, c, (rk, rv), (q.shape, k.shape, v.shape), float_mask)


def softmax_(s: np.ndarray, safe: bool = True) -> np.ndarray:
    """Softmax along the last dim, in place on ``s``. ``safe``: rows that are -inf everywhere give 0 (torch's
    _safe_softmax, SDPA's math path); otherwise they give NaN, as ``torch.softmax`` does (MultiheadAttention's
    need_weights path). No keys (an empty last dim): nothing to normalize."""
    if s.shape[-1] == 0:
        return s
    m = s.max(axis=-1, keepdims=True)
    full = m == -np.inf
    masked = safe and full.any()
    if masked:
        m[full] = 0
    s -= m
    np.exp(s, out=s)
    total = np.matmul(s, np.ones(s.shape[-1], s.dtype))[..., None]  # the row sums (4x faster than np.sum here)
    if masked:
        total[full] = 1
    s *= np.reciprocal(total)  # torch multiplies by 1/sum
    return s


def softmax_backward_(dp: np.ndarray, p: np.ndarray) -> np.ndarray:
    """dS = P * (dP - sum(dP * P, -1)), the softmax's backward along the last dim, in place on ``dp``."""
    dp -= np.einsum("...s,...s->...", dp, p)[..., None]  # sum(dP * P, -1), without a (.., L, S) temporary
    dp *= p
    return dp


@np.errstate(invalid="ignore", over="ignore")  # as sdpa_forward
def sdpa_backward(cache: _Cache, dout: np.ndarray) -> tuple[np.ndarray, ...]:
    """(d_query, d_key, d_value) and d_attn_mask for a float mask, from :func:`sdpa_forward`'s cache."""
    qshape, kshape, vshape = cache.shapes
    if cache.p is None:  # the early return: the output did not depend on the inputs
        zeros = tuple(np.zeros(sh, dout.dtype) for sh in cache.shapes)
        return zeros + ((np.zeros(*cache.mask),) if cache.mask else ())
    dt = dout.dtype.type
    p, a, keep = cache.p, cache.a, cache.keep
    rk, rv = cache.reps
    da = _sum_to(np.matmul(dout, cache.vs.swapaxes(-1, -2)), p.shape)
    dvs = _sum_to(np.matmul(a.swapaxes(-1, -2), dout), cache.vs.shape)
    if cache.c != 1.0:
        dvs = dvs * dt(cache.c)
    dv = _ungroup(dvs, rv)
    if keep is False:
        da = da * dt(0)
    elif keep is not None:
        da = np.where(keep, da, dt(0))
    da = softmax_backward_(da, p)  # dS
    dq = _sum_to(np.matmul(da, cache.ks), qshape) * dt(cache.qf)
    dk = _ungroup(_sum_to(np.matmul(da.swapaxes(-1, -2), cache.qs), cache.ks.shape) * dt(cache.f), rk)
    grads = (dq, dk, dv)
    if cache.mask:
        grads += (_sum_to(da, cache.mask[0]).astype(cache.mask[1]),)
    return grads


def _real(value, name: str) -> float:
    """torch's float argument: any real number (bool and int included); None and strings raise TypeError."""
    if not isinstance(value, numbers.Real):
        raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be float, not "
                        f"{type(value).__name__}")
    return float(value)


class ScaledDotProductAttention(CachedModule):
    """softmax(Q K^T * scale + bias) V with optional dropout on the weights: torch 2.13's
    ``F.scaled_dot_product_attention`` as a parameter-free block (formulas and gradients: the module docstring).

    Args (torch's functional keywords):
        dropout_p (float, default 0.0): DROP probability of the attention weights, in training mode only
            (``eval()`` turns it off); the mask is ``rng.random(weights.shape) >= dropout_p``.
        is_causal (bool, default False): lower-triangular mask ``tril(ones(L, S))``, top-left aligned.
        scale (float, optional): the score scale; default 1/sqrt(E).
        enable_gqa (bool, default False): grouped-query attention: key/value heads (dim -3) repeat_interleaved
            to the query's head count (which they must divide).
        rng (np.random.Generator, optional): source of the dropout masks; a fresh one if None.
    forward(query (..., L, E), key (..., S, E), value (..., S, Ev), attn_mask=None) -> (..., L, Ev). Leading dims
    broadcast (q with k, then with v); attn_mask bool (True = TAKES PART, the opposite of MultiheadAttention's
    masks) or float (added), broadcastable to the scores' shape (..., L, S) without adding dims.
    backward(d_out) -> (d_query, d_key, d_value), plus d_attn_mask for a float mask.
    """

    def __init__(self, dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                 enable_gqa: bool = False, rng: np.random.Generator | None = None) -> None:
        super().__init__()
        self.dropout_p, self.is_causal, self.scale, self.enable_gqa = dropout_p, is_causal, scale, enable_gqa
        self.rng = rng if rng is not None else np.random.default_rng()

    def forward(self, query: np.ndarray, key: np.ndarray, value: np.ndarray,
                attn_mask: np.ndarray | None = None) -> np.ndarray:
        p = _real(self.dropout_p if self.training else 0.0, "dropout_p")
        for name in ("is_causal", "enable_gqa"):
            if type(getattr(self, name)) is not bool:
                raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be bool, not "
                                f"{type(getattr(self, name)).__name__}")
        scale = None if self.scale is None else _real(self.scale, "scale")
        out, cache = sdpa_forward(query, key, value, attn_mask, p, self.is_causal, scale, self.enable_gqa, self.rng)
        return self._save(out, cache)

    def backward(self, dy: np.ndarray) -> tuple[np.ndarray, ...]:
        dy, cache = self._saved(dy)
        return sdpa_backward(cache, dy)

    def extra_repr(self) -> str:
        return (f"dropout_p={self.dropout_p}, is_causal={self.is_causal}, scale={self.scale}, "
                f"enable_gqa={self.enable_gqa}")
