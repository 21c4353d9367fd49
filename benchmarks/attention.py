"""Scaled dot-product attention speed and float32 accuracy, scratch vs torch eager: forward + backward, 1 thread
each, same run.

Run: ``python benchmarks/attention.py [--repeats 9] [--number 3]``. Case: query, key, value (N=32, H=8, L=S=64,
E=16), float32, a random cotangent on the output, gradients of all three inputs; plain, with a bool mask
(N, 1, L, S) and causal. torch runs ``F.scaled_dot_product_attention`` (the kernel it picks, flash or math, is
printed), scratch ``ScaledDotProductAttention``; the two alternate ``repeats`` times (interleaved, so a noisy
neighbour slows both) and the table shows medians and the ratio scratch / torch. The accuracy columns give the
worst relative error of the output and of the query gradient against a float64 run of the same inputs
(max |err| / max |truth|), for torch float32 and scratch float32.
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


def main() -> None:
    args = start(__doc__, 3, f"N={N} H={H} L=S={L} E={E}")
    print(f"{'case':10s} {'torch kernel':>12s} {'torch ms':>9s} {'scratch ms':>11s} {'ratio':>6s}   "
          f"rel. error out / dq vs float64: torch, scratch")
    for case in ("plain", "bool mask", "causal"):
        r = measure(case, args.repeats, args.number)
        errs = "  ".join(f"{r[f'{k} err out']:.1e}/{r[f'{k} err dq']:.1e}" for k in ("torch", "scratch"))
        print(f"{case:10s} {r['kernel']:>12s} {r['torch ms']:9.2f} {r['scratch ms']:11.2f} "
              f"{r['scratch ms'] / r['torch ms']:6.2f}   {errs}", flush=True)


if __name__ == "__main__":
    main()
