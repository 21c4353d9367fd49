"""Muon: momentum orthogonalized by a Newton-Schulz iteration, for 2-d parameters; torch's bfloat16 arithmetic.

torch 2.13 runs the Newton-Schulz iteration in bfloat16 on every device, the CPU included (``grad.bfloat16()``
whatever the parameter's dtype), so the update has 8 significant bits and a float64 run is only as exact as
its bfloat16 steps. numpy has no bfloat16; the emulation below keeps bfloat16 VALUES in float32 arrays and
reproduces each operation of torch's CPU kernels bit for bit (checked on every parameter shape of the tests and
random ones from (1, 1) to 600x784, float32 and float64, normal and wide-exponent inputs: no differing element):

- a float64 -> bfloat16 conversion goes through float32 (two roundings), float32 -> bfloat16 rounds to nearest
  even;
- element-wise ops compute in float32 and round once to bfloat16;
- matmuls multiply in float32 (bfloat16 products are exact there), ADD IN THE ORDER of torch's ``cpublas`` kernel
  for the operands' layout, and round once (``addmm``: ``fma(beta, C, alpha * dot)``). The order matters once
  the float32 sum rounds across a bfloat16 rounding boundary (a wrong order differs there in ~1e-5 of the
  elements, and Newton-Schulz spreads it over the whole matrix):
  ``_dot_ilp4`` (gemm_notrans_: four interleaved partial sums), ``_dot_lanes`` (gemm_transa_'s vectorized
  ``bf16_dot_with_fp32_arith``, AVX2: 8 float lanes), ``_dot_seq`` (gemm_transb_: one running sum);
- the norm is the vectorized norm-2 kernel's (8 lanes summed in turn, then a sequential tail).

The 8-lane layout gives torch's bits under CPU capability AVX2 (an Intel machine, 2026-11) and AVX512 (an AMD
EPYC, 2026-12-02: every test shape and random ones up to 600x784, no differing element). A CPU with AVX512-BF16
or AMX makes torch send bfloat16 matmuls above a size to oneDNN instead, another rounding (0.5% of the norm of a
600x784 update); the suite compares against torch's cpublas path there (``reference.optim.cpublas_bfloat16``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .adafactor import check_lr
from .optimizer import Optimizer, _lerp, lr_value

_LANES = 8  # float32 lanes of an AVX2 register (torch's Vectorized<float>::size() on this build)
_REDUCE8 = ([4, 5, 6, 7, 0, 1, 2, 3], [2, 3, 0, 1, 6, 7, 4, 5], [1, 0, 3, 2, 5, 4, 7, 6])  # vec_reduce_all
_F32 = np.float32
_BLOCK = 1 << 20  # products per vectorized block of a matmul's inner dimension


_U16, _U1, _HALF_ULP, _HIGH = np.uint32(16), np.uint32(1), np.uint32(0x7FFF), np.uint32(0xFFFF0000)


def _bf16(x: np.ndarray) -> np.ndarray:
    """Round to bfloat16 (nearest, ties to even; NaN stays NaN), as float32 values; float64 goes through float32."""
    x = np.asarray(x).astype(_F32)
    u = x.view(np.uint32)
    r = ((u + (_HALF_ULP + ((u >> _U16) & _U1))) & _HIGH).view(_F32)
    return np.where(np.isnan(x), _F32(np.nan), r)


def _fma(x, y, z) -> np.ndarray:
    """float32 fused multiply-add: ``x*y`` is exact in float64 (24 + 24 bits), then one float64 and one float32
    rounding. That double rounding differs from fma's single one only where the float64 sum lands exactly on a
    float32 tie the exact sum misses (a chance of about 2^-29 per element; never seen in the checks)."""
    return (np.asarray(x, np.float64) * np.asarray(y, np.float64) + np.asarray(z, np.float64)).astype(_F32)


def _addmm(beta, c: np.ndarray, product: np.ndarray) -> np.ndarray:
    """``addmm``'s ``fma(beta, C, product)``; with beta = 0 the product alone: BLAS ignores C then, so an inf in
    C gives no NaN (0 * inf) where a Newton-Schulz iteration with a zero coefficient overflows."""
    return product.astype(_F32) if beta == 0 else _fma(beta, c, product)


def _lane_sums(a: np.ndarray, b: np.ndarray, lanes: int, start: int, stop: int) -> np.ndarray:
    """(lanes, m, n) float32: for each l mod ``lanes`` in [start, stop) (a multiple of lanes long), the running sum
    from 0 in increasing l of the exact products ``a[:, l] * b[l, :]``. Small outputs take blocks of about
    _BLOCK products at once (``np.cumsum`` along the block's l axis adds strictly in turn); large ones one (m, n)
    outer product per l, added in place."""
    m, n = a.shape[0], b.shape[1]
    if start == stop:  # no whole group of lanes (a short inner dimension): every running sum is still +0
        return np.zeros((lanes, m, n), _F32)
    if m * n * lanes * 16 >= _BLOCK:
        acc = np.zeros((lanes, m, n), _F32)
        prod = np.empty((m, n), _F32)
        for l in range(start, stop):
            np.multiply.outer(a[:, l], b[l, :], out=prod)
            acc[(l - start) % lanes] += prod
        return acc
    acc = np.zeros((m, n, 1, lanes), _F32)
    chunk = lanes * (_BLOCK // (m * n * lanes))
    bt = b.T
    for j in range(start, stop, chunk):
        e = min(stop, j + chunk)
        prods = (a[:, None, j:e] * bt[None, :, j:e]).reshape(m, n, (e - j) // lanes, lanes)
        acc = np.cumsum(np.concatenate([acc, prods], axis=2), axis=2)[:, :, -1:]
    return np.moveaxis(acc[:, :, 0], 2, 0)


def _add_terms(s: np.ndarray, a: np.ndarray, b: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``s + a[:, l] b[l, :]`` for l = start, ..., stop - 1 in turn, one float32 rounding per term (in place)."""
    prod = np.empty_like(s)
    for l in range(start, stop):
        np.multiply.outer(a[:, l], b[l, :], out=prod)
        s += prod
    return s


def _reduce8(v: np.ndarray) -> np.ndarray:
    """AVX2 ``vec_reduce_all(+)`` of 8 lanes (axis 0): add the lanes 4 apart, then 2 apart, then 1 apart."""
    for perm in _REDUCE8:
        v = v + v[perm]
    return v[0]


def _dot_seq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """gemm_transb_'s float32 accumulator: one running sum over l from 0."""
    return _lane_sums(a, b, 1, 0, a.shape[1])[0]


def _dot_ilp4(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """gemm_notrans_'s ``sum()``: partial sums of l mod 4 over whole groups of 4, the tail into the first, then
    the first plus the second, the third, the fourth."""
    k = a.shape[1]
    whole = 4 * (k // 4)
    if whole == 0:  # the tail only: adding the three +0 partial sums would change no bit (the sum is never -0)
        return _add_terms(np.zeros((a.shape[0], b.shape[1]), _F32), a, b, 0, k)
    acc = _lane_sums(a, b, 4, 0, whole)
    s = _add_terms(acc[0], a, b, whole, k)
    for j in (1, 2, 3):
        s = s + acc[j]
    return s


def _dot_lanes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``bf16_dot_with_fp32_arith`` (AVX2): 8 registers of 8 lanes over blocks of 64 l (pairwise-reduced, then
    across lanes), plus 8 lanes over blocks of 16 (reduced across lanes), plus a sequential tail."""
    k = a.shape[1]
    main = 64 * (k // 64)
    vec = main + 16 * ((k - main) // 16)
    if vec == 0:  # the sequential tail only (both reductions are of +0 lanes)
        return _add_terms(np.zeros((a.shape[0], b.shape[1]), _F32), a, b, 0, k)
    regs = list(_lane_sums(a, b, 64, 0, main).reshape(8, _LANES, a.shape[0], b.shape[1]))
    for off in (4, 2, 1):
        for i in range(off):
            regs[i] = regs[i] + regs[i + off]
    s = _reduce8(regs[0]) + _reduce8(_lane_sums(a, b, _LANES, main, vec))
    return _add_terms(s, a, b, vec, k)


def _norm_bf16(x: np.ndarray) -> np.ndarray:
    """``x.norm()`` of a bfloat16 matrix (in memory order): squares into 8 float32 lanes over blocks of 16, the
    lanes summed in turn, a sequential tail, the square root rounded to bfloat16."""
    sq = np.ravel(x * x, order="K")
    whole = sq.size - sq.size % 16
    lanes = np.cumsum(np.concatenate([np.zeros((1, _LANES), _F32), sq[:whole].reshape(-1, _LANES)]), axis=0)[-1]
    s = lanes[0]
    for v in list(lanes[1:]) + list(sq[whole:]):
        s = s + v
    return _bf16(np.sqrt(s))


def zeropower_via_newtonschulz(grad: np.ndarray, ns_coefficients, ns_steps: int, eps: float) -> np.ndarray:
    """torch's ``_zeropower_via_newtonschulz``, bit for bit (see the module docstring); returns bfloat16 values
    in a float32 array of grad's shape.

    .. code-block:: text

        X = bf16(grad);  X = X.T if rows > cols (a transposed VIEW: torch's first iteration sees other layouts)
        X = X / max(||X||_F, eps)
        repeat ns_steps:  A = X X^T;  B = b A + c A A;  X = a X + B X
        X = X.T if it was transposed
    """
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (_F32(v) for v in ns_coefficients)  # torch's Scalar -> float (opmath) alpha and beta
    x = _bf16(grad)
    transposed = grad.shape[0] > grad.shape[1]
    if transposed:
        x = x.T
    x = _bf16(x / np.maximum(_norm_bf16(x), _bf16(_F32(eps))))
    for i in range(ns_steps):
        view = transposed and i == 0  # X is still grad's transposed view (later X's are new row-major results)
        gram = _bf16((_dot_seq if view else _dot_lanes)(x, x.T))
        update = _bf16(_addmm(b, gram, c * _dot_ilp4(gram, gram)))
        x = _bf16(_addmm(a, x, (_dot_lanes if view else _dot_ilp4)(update, x)))
    return x.T if transposed else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, shape: tuple[int, ...]) -> float:
    """torch's ``_adjust_lr``: sqrt(max(1, A/B)) ('original', the default) or 0.2 sqrt(max(A, B))."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    r"""torch.optim.Muon, in numpy (2-d parameters only: use another optimizer for biases and the like).

    .. code-block:: text

        buf = lerp(buf, g, 1 - momentum)                 # buf starts at zeros: (1 - momentum) g at step 1
        u = lerp(g, buf, momentum) if nesterov else buf
        O = NS(u)                                        # zeropower_via_newtonschulz, in bfloat16 (see above)
        p = p * (1 - lr * weight_decay)                  # decoupled decay with the UNADJUSTED lr, always applied
        p = p - adjust_lr(lr, p.shape) * O               # 'original': lr sqrt(max(1, rows/cols));
                                                         # 'match_rms_adamw': lr 0.2 sqrt(max(rows, cols))

    Args:
        params: Parameters or parameter groups (see :class:`Optimizer`), every one 2-d.
        lr (float or 1-element numpy array, default 1e-3): >= 0 (an array is used as its value, see
            :class:`Adafactor`). weight_decay (float, default 0.1): >= 0.
        momentum (float, default 0.95): >= 0. nesterov (bool, default True).
        ns_coefficients (three floats, default (3.4445, -4.775, 2.0315)): a, b, c of the iteration.
        eps (float, default 1e-7): floor of the Frobenius norm. ns_steps (int, default 5): < 100.
        adjust_lr_fn (None, 'original' or 'match_rms_adamw', default None = 'original').
    Raises:
        ValueError: an array lr with more than one element, lr < 0, momentum < 0, weight_decay < 0, an unknown
            adjust_lr_fn, a parameter that is not 2-d (torch's messages and order); at step: a 1-d grad (a param
            added later), ns_steps >= 100, ns_coefficients not of length 3.
    State: ``momentum_buffer`` (created at the parameter's first step; no step count).
    """

    def __init__(self, params, lr: float = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
                 eps: float = 1e-7, ns_steps: int = 5, adjust_lr_fn: str | None = None) -> None:
        check_lr(lr)
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.data.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"torch.Size({list(p.data.shape)})")

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, weight_decay, momentum = lr_value(group["lr"]), float(group["weight_decay"]), float(group["momentum"])
        for p, g in self._grads(group):
            if g.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            state = self.state.setdefault(p, {})
            if "momentum_buffer" not in state:
                state["momentum_buffer"] = np.zeros_like(g)
            buf = state["momentum_buffer"]
            buf[...] = _lerp_fused(buf, g, 1 - momentum)
            update = _lerp_fused(g, buf, momentum) if group["nesterov"] else buf
            ortho = zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"], group["eps"])
            adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.data.shape)
            p.data *= 1 - lr * weight_decay
            if p.data.dtype == _F32:  # add_(O, alpha=-adjusted_lr): torch's kernel fuses it, fma(O, alpha, p)
                p.data[...] = _fma(ortho, _F32(-adjusted_lr), p.data)
            else:
                p.data += -adjusted_lr * ortho.astype(p.data.dtype)


def _lerp_fused(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """torch's vectorized lerp: ``fma(w, end - start, start)`` for |w| < 0.5, else ``fma(w - 1, end - start, end)``,
    w in the tensor's dtype. Exact for float32 (through float64): an ulp in float32 would flip bfloat16 roundings
    of the Newton-Schulz input. float64 (no numpy fma) takes the unfused ``_lerp``, an ulp away."""
    if start.dtype != _F32:
        return _lerp(start, end, weight)
    w = _F32(weight)
    diff = end - start
    return _fma(w, diff, start) if abs(w) < 0.5 else _fma(w - _F32(1), diff, end)
