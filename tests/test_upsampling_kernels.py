"""What Upsample's arguments never reach, checked against torch's ATen kernels (one item per catalog entry: its id is
the entry's name, so the mutation audit's ``-k <entry>`` runs it for that entry; tests/mutate/select.py).

- The kernel's clamps. F.interpolate hands its kernel an output size and the scale factor that made it, so every
  coordinate stays inside the input (below n - 1/2 up to ~2**22 elements): ``min(floor(r), n - 1)`` and linear's
  lambda clamped to [0, 1] never bind, and a scale factor 0 never arrives (Upsample stores 0 as None, a 0 in a tuple
  gives output size 0). torch's ATen ops take the size and the scales apart (``upsample_linear1d(x, [8], False,
  0.3)``): scratch's tables, applied as Upsample applies them, against those ops at sizes and scales that do not
  match, where the clamps bind (past the last element the kernel reads it exactly: weight 1, or lambda 1) and a
  scale 0 means n / o (``compute_scales_value``'s ``scale > 0``).
- A NaN or inf cotangent at unchanged sizes: the linear modes' o == n table is [i, i] with weights [1, 0], and torch's
  backward scatters both terms (0 * inf is NaN), where bicubic's backward copies dy.
- bilinear's float16 kernel choice at H_out + W_out = 128 / 129 (float32 / float16 weights: a float64 input cannot
  tell them apart).
- ``_fma``: the float32 coordinate ``s (i + 0.5) - 0.5`` rounded once (torch's fused multiply-add), in float32; the
  nearest modes only floor it, where a second rounding shows from ~2**22 elements on only.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S
from scratch.nn import upsampling as U
from tests.catalog import CATALOG
from tests.harness import build

CASES = [c for c in CATALOG if c.family == "upsampling"]
KERNELS = [c for c in CASES if build(c, S, np.float64).mode != "area"]
INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
# (input spatial size, output size, scales): sizes and scales that F.interpolate would not pair
ROWS = {1: [((4,), (8,), (0.3,)), ((4,), (8,), (0.0,)), ((5,), (3,), (2.0,)), ((4,), (6,), (None,))],
        2: [((4, 3), (8, 5), (0.3, 0.45)), ((4, 3), (7, 5), (0.0, 0.0)), ((5, 3), (3, 5), (2.0, None))],
        3: [((4, 3, 2), (8, 5, 3), (0.3, 0.45, 0.7)), ((4, 3, 2), (7, 5, 3), (0.0, 0.0, 0.0)),
            ((5, 3, 2), (3, 5, 2), (2.0, None, 0.3))]}


def _mode_rank(case) -> tuple[str, int]:
    return build(case, S, np.float64).mode, len(case.shape)


def _scratch(x, mode, out, scales, align, dy):
    """Upsample's forward and backward, with the kernel's output size and scales given apart."""
    dt = U._compute_dtype(x, mode)
    fwd, bwd = U._tables(mode, x.shape[2:], tuple(out), tuple(scales), align, dt, x.dtype)
    y = x.astype(dt)
    for axis in reversed(range(len(out))):
        y = U._along(y, 2 + axis, *fwd[axis])
    dx = dy.astype(dt)
    for axis, (idx, w) in enumerate(bwd):
        dx = U._along_t(dx, 2 + axis, idx, w, x.shape[2 + axis])
    return y.astype(x.dtype), dx.astype(x.dtype)


def _aten(x, mode, out, scales, align, dy):
    op = getattr(torch.ops.aten, U._KERNELS[(mode, x.ndim)]).default
    t = torch.from_numpy(x).requires_grad_()
    y = op(t, list(out), *(() if mode.startswith("nearest") else (align,)), *scales)
    y.backward(torch.from_numpy(dy))
    return y.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("case", KERNELS, ids=str)
def test_upsampling_tables_like_aten_kernels_at_unpaired_sizes_and_scales(case, rng):
    mode, rank = _mode_rank(case)
    d = rank - 2
    for dt, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        for n, o, scales in ROWS[d]:
            for align in (False, True) if mode in INTERPOLATING else (None,):
                x = rng.standard_normal((2, 3) + n).astype(dt)
                dy = rng.standard_normal((2, 3) + o).astype(dt)
                label = f"{case.name}: {mode} {n} -> {o}, scales {scales}, align_corners={align}, {dt.__name__}"
                for mine, theirs in zip(_scratch(x, mode, o, scales, align, dy), _aten(x, mode, o, scales, align, dy),
                                        strict=True):
                    np.testing.assert_allclose(mine, theirs, rtol=tol, atol=tol, err_msg=label)
        # 4 -> 7 along the last axis at scale 0.31 (the others 1 -> 1): from output 1 on, every mode's coordinate is
        # at or past the end (nearest 3.23, nearest-exact 4.84, linear and cubic 4.34, then 6 and more), where the
        # kernel reads x[3] exactly (weight 1; lambda and t clamped to 1: an unclamped 1.34 or a t = 0.34 at the
        # floor 4 would round)
        x = rng.standard_normal((16, 16) + (1,) * (d - 1) + (4,)).astype(dt)  # 256 values: the rounding shows
        dy = rng.standard_normal((16, 16) + (1,) * (d - 1) + (7,)).astype(dt)
        args = (mode, (1,) * (d - 1) + (7,), (None,) * (d - 1) + (0.31,), False if mode in INTERPOLATING else None)
        for y in (_scratch(x, *args, dy)[0], _aten(x, *args, dy)[0]):
            np.testing.assert_array_equal(y[..., 1:], np.broadcast_to(x[..., 3:], y[..., 1:].shape),
                                          err_msg=f"{case.name}: {dt.__name__} past the end")


@pytest.mark.parametrize("case", [c for c in CASES if _mode_rank(c)[0] in INTERPOLATING], ids=str)
def test_upsampling_nonfinite_cotangent_at_unchanged_sizes_like_torch(case, rng):
    """o == n on every axis (a size, or a scale factor 1.1 that keeps it): a linear mode's backward is the
    identity table's transpose (0 * inf = NaN next to an inf), bicubic's a copy."""
    mode, rank = _mode_rank(case)
    spatial = (4, 3, 5)[:rank - 2]
    for kw in ({"size": spatial}, {"scale_factor": 1.1}):
        for align in (False, True):
            x = rng.standard_normal((2, 2) + spatial)
            dy = rng.standard_normal(x.shape)
            dy.flat[[1, 7, 12]] = np.inf, -np.inf, np.nan
            m = S.Upsample(mode=mode, align_corners=align, **kw)
            m(x)
            t = torch.from_numpy(x).requires_grad_()
            torch.nn.Upsample(mode=mode, align_corners=align, **kw)(t).backward(torch.from_numpy(dy))
            with np.errstate(invalid="ignore"):
                mine = m.backward(dy)
            np.testing.assert_allclose(mine, t.grad.numpy(), rtol=1e-12, atol=1e-12,
                                       err_msg=f"{case.name}: {kw} align_corners={align}")


@pytest.mark.parametrize("case", [c for c in CASES if _mode_rank(c)[0] == "bilinear"], ids=str)
def test_upsampling_float16_bilinear_weights_switch_at_129(case, rng):
    """(4, 3) x (30.75 | 31, 1.7) -> (123 | 124, 5): H_out + W_out 128 is torch's channels-last kernel (float32
    weights), 129 its generic one (float16 weights, equal to torch's here; float32 ones differ on ~40%)."""
    x = rng.standard_normal((1, 2, 4, 3)).astype(np.float16)
    for first in (30.75, 31.0):
        for align in (False, True):
            kw = {"scale_factor": (first, 1.7), "mode": "bilinear", "align_corners": align}
            mine, theirs = S.Upsample(**kw)(x), torch.nn.Upsample(**kw)(torch.from_numpy(x)).numpy()
            assert mine.dtype == np.float16
            off = mine != theirs
            assert off.mean() < 0.02, f"{case.name}: {kw}: float16 differs from torch on {off.mean():.1%}"


@pytest.mark.parametrize("case", KERNELS, ids=str)
def test_upsampling_fma_rounds_the_coordinate_once(case, rng):
    """``_fma(s, i + 0.5, -0.5, dt)``: float32 gives the float32 nearest to the exact ``s (i + 0.5) - 0.5`` (exact in
    float64 for a float32 s), float64 the float64 expression, each in its dtype."""
    i = np.arange(300) + 0.5
    for s in rng.uniform(0.05, 4.0, 20).astype(np.float32):
        got = U._fma(s, i, -0.5, np.float32)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, (np.float64(s) * i - 0.5).astype(np.float32))
        got = U._fma(np.float64(s), i, -0.5, np.float64)
        assert got.dtype == np.float64
        np.testing.assert_array_equal(got, np.float64(s) * i - 0.5)
    # one rounding where two differ: (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24 is a float32; a float32 product loses 2^-24
    a = np.float32(1 + 2.0**-12)
    assert np.float32(a * a) - np.float32(1) == np.float32(2.0**-11)
    assert U._fma(a, np.array([1 + 2.0**-12]), -1.0, np.float32)[0] == np.float32(2.0**-11 + 2.0**-24)
