"""Attention speed and float32 accuracy, scratch vs torch eager: forward + backward, 1 thread each, same run.

Run: ``python benchmarks/attention.py [--repeats 9] [--number 3]``. Case: query, key, value (N=32, H=8, L=S=64,
E=16), float32, a random cotangent on the output, gradients of all three inputs; plain, with a bool mask
(N, 1, L, S) and causal. torch runs ``F.scaled_dot_product_attention`` (the kernel it picks, flash or math, is
printed), scratch ``ScaledDotProductAttention``; the two alternate ``repeats`` times (interleaved, so a noisy
neighbour slows both) and the table shows medians and the ratio scratch / torch. The accuracy columns give the
worst relative error of the output and of the query gradient against a float64 run of the same inputs
(max |err| / max |truth|), for torch float32 and scratch float32.

MultiheadAttention: self-attention, batch_first, N=32, L=64, E=128, 8 heads (the issue's target: ratio <= 1.0),
one input array passed as query, key and value (torch: one leaf tensor), a random cotangent on attn_output (and
on the weights for need_weights=True), gradients of the input and of every parameter; need_weights=False runs
torch's SDPA path, True its bmm path (weights averaged over heads). torch's module is the plain
``torch.nn.MultiheadAttention`` in training mode (its fast path needs eval and no grad); the accuracy columns
are the output's and the input gradient's.

TransformerEncoderLayer (the issue's target: ratio <= 1.2): the same size (d_model 128, 8 heads, batch_first,
src (32, 64, 128)), torch's defaults otherwise (dim_feedforward 2048, relu, post-norm), in training mode with
dropout 0.0 and with torch's default 0.1 (scratch draws its masks with numpy's generator, torch with its own),
a random cotangent, gradients of src and every parameter.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from _common import medians_ms, rel, start

import scratch.nn as S

N, H, L, E = 32, 8, 64, 16


def _kernel(args: list[torch.Tensor], kw: dict) -> str:
    with torch.profiler.profile() as prof:
        F.scaled_dot_product_attention(*args, **kw)
    names = {e.name for e in prof.events()}
    return "flash" if any("flash" in n for n in names) else "math"


def measure(case: str, repeats: int, number: int) -> dict[str, float | str]:
    rng = np.random.default_rng(0)
    q, k, v, dy = (rng.standard_normal((N, H, L, E)).astype(np.float32) for _ in range(4))
    mask = rng.random((N, 1, L, L)) < 0.8 if case == "bool mask" else None
    causal = case == "causal"
    s = S.ScaledDotProductAttention(is_causal=causal)
    extra = () if mask is None else (mask,)
    tq, tk, tv = (torch.from_numpy(a).requires_grad_() for a in (q, k, v))
    tdy = torch.from_numpy(dy)
    tkw = dict(attn_mask=None if mask is None else torch.from_numpy(mask), is_causal=causal)

    def torch_step():
        for t in (tq, tk, tv):
            t.grad = None
        out = F.scaled_dot_product_attention(tq, tk, tv, **tkw)
        out.backward(tdy)
        return out.detach().numpy(), tq.grad.numpy()

    def scratch_step():
        out = s(q, k, v, *extra)
        return out, s.backward(dy)[0]

    s64 = S.ScaledDotProductAttention(is_causal=causal)
    out64 = s64(*(a.astype(np.float64) for a in (q, k, v)), *extra)
    truth = out64, s64.backward(dy.astype(np.float64))[0]
    steps = {"torch": torch_step, "scratch": scratch_step}
    result: dict[str, float | str] = {"kernel": _kernel([tq, tk, tv], tkw)}
    for name, step in steps.items():  # accuracy (one run each) and warm-up
        out, dq = step()
        result[f"{name} err out"], result[f"{name} err dq"] = rel(out, truth[0]), rel(dq, truth[1])
    result.update(medians_ms(steps, repeats, number))
    return result


MHA_N, MHA_L, MHA_E, MHA_H = 32, 64, 128, 8


def measure_mha(need_weights: bool, repeats: int, number: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    x, dy = (rng.standard_normal((MHA_N, MHA_L, MHA_E)).astype(np.float32) for _ in range(2))
    dw = rng.standard_normal((MHA_N, MHA_L, MHA_L)).astype(np.float32) if need_weights else None
    s = S.MultiheadAttention(MHA_E, MHA_H, batch_first=True, rng=np.random.default_rng(0))
    t = torch.nn.MultiheadAttention(MHA_E, MHA_H, batch_first=True)
    t.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    tx, tdy = torch.from_numpy(x).requires_grad_(), torch.from_numpy(dy)
    cots = [tdy] + ([torch.from_numpy(dw)] if need_weights else [])

    def torch_step():
        tx.grad = None
        t.zero_grad()
        out = t(tx, tx, tx, need_weights=need_weights)
        torch.autograd.backward([o for o in out if o is not None], cots)
        return out[0].detach().numpy(), tx.grad.numpy()

    def scratch_step(m=s, a=x, cot=dy, cot_w=dw):
        m.zero_grad()
        out = m(a, a, a, need_weights=need_weights)
        dq, dk, dv = m.backward(cot, cot_w)
        return out[0], dq + dk + dv

    s64 = S.MultiheadAttention(MHA_E, MHA_H, batch_first=True, dtype=np.float64)
    s64.load_state_dict(s.state_dict())
    truth = scratch_step(s64, x.astype(np.float64), dy.astype(np.float64), None if dw is None else
                         dw.astype(np.float64))
    steps = {"torch": torch_step, "scratch": scratch_step}
    result: dict[str, float] = {}
    for name, step in steps.items():
        out, dx = step()
        result[f"{name} err out"], result[f"{name} err dq"] = rel(out, truth[0]), rel(dx, truth[1])
    result.update(medians_ms(steps, repeats, number))
    return result


def measure_encoder_layer(dropout: float, repeats: int, number: int) -> dict[str, float]:
    rng = np.random.default_rng(2)
    x, dy = (rng.standard_normal((MHA_N, MHA_L, MHA_E)).astype(np.float32) for _ in range(2))
    s = S.TransformerEncoderLayer(MHA_E, MHA_H, dropout=dropout, batch_first=True, rng=np.random.default_rng(0))
    t = torch.nn.TransformerEncoderLayer(MHA_E, MHA_H, dropout=dropout, batch_first=True)
    t.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    tx, tdy = torch.from_numpy(x).requires_grad_(), torch.from_numpy(dy)

    def torch_step():
        tx.grad = None
        t.zero_grad()
        out = t(tx)
        out.backward(tdy)
        return out.detach().numpy(), tx.grad.numpy()

    def scratch_step(m=s, a=x, cot=dy):
        m.zero_grad()
        out = m(a)
        return out, m.backward(cot)

    result: dict[str, float] = {}
    if dropout == 0:  # accuracy: the masks differ between the sides otherwise
        s64 = S.TransformerEncoderLayer(MHA_E, MHA_H, dropout=0.0, batch_first=True, dtype=np.float64)
        s64.load_state_dict(s.state_dict())
        truth = scratch_step(s64, x.astype(np.float64), dy.astype(np.float64))
        for name, step in (("torch", torch_step), ("scratch", scratch_step)):
            out, dx = step()
            result[f"{name} err out"], result[f"{name} err dq"] = rel(out, truth[0]), rel(dx, truth[1])
    result.update(medians_ms({"torch": torch_step, "scratch": scratch_step}, repeats, number))
    return result


def main() -> None:
    args = start(__doc__, 3, f"SDPA N={N} H={H} L=S={L} E={E}; MultiheadAttention N={MHA_N} L={MHA_L} E={MHA_E} "
                             f"h={MHA_H}")
    print(f"{'case':10s} {'torch kernel':>12s} {'torch ms':>9s} {'scratch ms':>11s} {'ratio':>6s}   "
          f"rel. error out / dq vs float64: torch, scratch")
    for case in ("plain", "bool mask", "causal"):
        r = measure(case, args.repeats, args.number)
        errs = "  ".join(f"{r[f'{k} err out']:.1e}/{r[f'{k} err dq']:.1e}" for k in ("torch", "scratch"))
        print(f"{case:10s} {r['kernel']:>12s} {r['torch ms']:9.2f} {r['scratch ms']:11.2f} "
              f"{r['scratch ms'] / r['torch ms']:6.2f}   {errs}", flush=True)
    print(f"\n{'block':26s} {'torch ms':>9s} {'scratch ms':>11s} {'ratio':>6s}   rel. error out / dx vs float64: "
          f"torch, scratch")
    for need_weights in (False, True):
        r = measure_mha(need_weights, args.repeats, args.number)
        errs = "  ".join(f"{r[f'{k} err out']:.1e}/{r[f'{k} err dq']:.1e}" for k in ("torch", "scratch"))
        name = f"MHA need_weights={need_weights}"
        print(f"{name:26s} {r['torch ms']:9.2f} {r['scratch ms']:11.2f} {r['scratch ms'] / r['torch ms']:6.2f}   "
              f"{errs}", flush=True)
    for dropout in (0.0, 0.1):
        r = measure_encoder_layer(dropout, args.repeats, args.number)
        errs = "  ".join(f"{r[f'{k} err out']:.1e}/{r[f'{k} err dq']:.1e}" for k in ("torch", "scratch")
                         if f"{k} err out" in r)
        name = f"EncoderLayer dropout={dropout}"
        print(f"{name:26s} {r['torch ms']:9.2f} {r['scratch ms']:11.2f} {r['scratch ms'] / r['torch ms']:6.2f}   "
              f"{errs}", flush=True)


if __name__ == "__main__":
    main()
