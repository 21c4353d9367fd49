"""Recurrent layer speed and float32 accuracy, scratch vs torch eager: forward + backward, 1 thread each, same run.

Run: ``python benchmarks/recurrent.py [--repeats 9] [--number 3]``. Cases (the issue's): one-layer LSTM and GRU at
T=35, N=32, input 128, hidden 256, float32, with random cotangents on output, h_n (and c_n). Both sides hold the
same weights; the two alternate ``repeats`` times (interleaved, so a noisy neighbour slows both) and the table
shows medians and the ratio scratch / torch, without the input gradient (torch skips it for an input that does
not require grad; scratch's ``needs_input_grad = False``) and with it. Scratch is timed with its default (sigmoid
and tanh in float32) and with ``_kernels.FLOAT64_TRANSCENDENTALS`` (evaluated in float64, rounded once, the
policy of the activations). The accuracy columns give, for each, the worst relative error of the output and of
the weight_hh gradient against a float64 run of the same weights and inputs (max |err| / max |truth|), beside
torch float32's.
"""

from __future__ import annotations

import numpy as np
import torch
from _common import medians_ms, rel, start

import scratch.nn as S
from scratch.nn.recurrent import _kernels

T, N, I, H = 35, 32, 128, 256


def _inputs(cls: str, rng: np.random.Generator):
    x = rng.standard_normal((T, N, I)).astype(np.float32)
    cots = [rng.standard_normal((T, N, H)), rng.standard_normal((1, N, H))]
    if cls == "LSTM":
        cots.append(rng.standard_normal((1, N, H)))
    return x, [c.astype(np.float32) for c in cots]


def _scratch_step(m, x, cots, lstm: bool):
    out = m(x)
    m.backward(cots[0], tuple(cots[1:]) if lstm else cots[1])
    return out


def measure(cls: str, repeats: int, number: int, dx: bool) -> dict[str, float]:
    rng = np.random.default_rng(0)
    lstm = cls == "LSTM"
    s = getattr(S, cls)(I, H, rng=rng)
    s.needs_input_grad = dx
    s64 = getattr(S, cls)(I, H, dtype=np.float64)
    s64.load_state_dict({k: v.astype(np.float64) for k, v in s.state_dict().items()})
    t = getattr(torch.nn, cls)(I, H)
    t.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    x, cots = _inputs(cls, rng)
    tx, tcots = torch.from_numpy(x).requires_grad_(dx), [torch.from_numpy(c) for c in cots]

    def torch_step():
        t.zero_grad(set_to_none=True)
        tx.grad = None
        out, hidden = t(tx)
        torch.autograd.backward([out, *(hidden if lstm else (hidden,))], tcots)
        return out

    def scratch_policy(float64_transcendentals: bool):
        def step():
            _kernels.FLOAT64_TRANSCENDENTALS = float64_transcendentals
            s.zero_grad()
            return _scratch_step(s, x, cots, lstm)
        return step

    steps = {"torch": torch_step, "scratch": scratch_policy(False), "scratch fp64 act": scratch_policy(True)}
    truth_out = _scratch_step(s64, x.astype(np.float64), [c.astype(np.float64) for c in cots], lstm)[0]
    truth_grad = s64.weight_hh_l0.grad
    result = {}
    for name, step in steps.items():  # accuracy (one run each) and warm-up
        out = step()
        out = out.detach().numpy() if name == "torch" else out[0]
        grad = t.weight_hh_l0.grad.numpy() if name == "torch" else s.weight_hh_l0.grad
        result[f"{name} err out"], result[f"{name} err grad"] = rel(out, truth_out), rel(grad, truth_grad)
    result.update(medians_ms(steps, repeats, number))
    _kernels.FLOAT64_TRANSCENDENTALS = False
    return result


def main() -> None:
    args = start(__doc__, 3, f"T={T} N={N} I={I} H={H}")
    print(f"{'case':12s} {'torch ms':>9s} {'scratch ms':>11s} {'ratio':>6s} {'fp64-act ms':>12s} {'ratio':>6s}   "
          f"rel. error out / dW_hh vs float64: torch, scratch, scratch fp64-act")
    for cls in ("LSTM", "GRU"):
        for dx in (False, True):
            r = measure(cls, args.repeats, args.number, dx)
            errs = "  ".join(f"{r[f'{k} err out']:.1e}/{r[f'{k} err grad']:.1e}"
                             for k in ("torch", "scratch", "scratch fp64 act"))
            name = cls + (" (+dx)" if dx else "")
            print(f"{name:12s} {r['torch ms']:9.2f} {r['scratch ms']:11.2f} {r['scratch ms'] / r['torch ms']:6.2f} "
                  f"{r['scratch fp64 act ms']:12.2f} {r['scratch fp64 act ms'] / r['torch ms']:6.2f}   {errs}",
                  flush=True)


if __name__ == "__main__":
    main()
