"""What the catalog cannot see for Upsample (docs/torch_facts.md section 19): torch-free oracles (explicit formulas on
tiny inputs, for scratch AND torch), the float32 coordinate torch computes (scratch matches it where a float64
coordinate would not), the 2-d kernel threshold, float16, and the uint8 departure."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import scratch.nn as S


def _both(x: np.ndarray, **kw) -> list[np.ndarray]:
    """scratch's and torch's output for the same Upsample arguments."""
    return [S.Upsample(**kw)(x), torch.nn.Upsample(**kw)(torch.from_numpy(x)).numpy()]


def test_bilinear_is_the_explicit_formula():
    """2x2 -> 4x4: align_corners=False samples at (i + 0.5) / 2 - 0.5 clamped to [0, 1] (torch's docstring example);
    align_corners=True at i / 3; then y = (1 - a)(1 - b) x00 + (1 - a) b x01 + a (1 - b) x10 + a b x11."""
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    for align, coords in ((False, np.clip((np.arange(4) + 0.5) / 2 - 0.5, 0, 1)), (True, np.arange(4) / 3)):
        a, b = coords[:, None], coords[None, :]
        want = (1 - a) * (1 - b) * 1 + (1 - a) * b * 2 + a * (1 - b) * 3 + a * b * 4
        for y in _both(x, scale_factor=2, mode="bilinear", align_corners=align):
            np.testing.assert_allclose(y[0, 0], want, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(want[0], [1, 4 / 3, 5 / 3, 2], rtol=1e-15)  # align_corners=True: 1, 1.3333, ...


def test_nearest_uses_one_over_scale_factor_unless_recomputed():
    """5 x 1.7 -> 8 outputs: the kernel gets 1/1.7 (floor(i / 1.7)), recompute_scale_factor=True gets 5/8."""
    x = np.arange(5.0).reshape(1, 1, 5)
    for y in _both(x, scale_factor=1.7):
        np.testing.assert_array_equal(y.ravel(), np.floor(np.arange(8) / 1.7))  # [0 0 1 1 2 2 3 4]
    for y in _both(x, scale_factor=1.7, recompute_scale_factor=True):
        np.testing.assert_array_equal(y.ravel(), np.floor(np.arange(8) * 5 / 8))  # [0 0 1 1 2 3 3 4]
    for y in _both(x, scale_factor=1.7, mode="nearest-exact"):
        np.testing.assert_array_equal(y.ravel(), np.floor((np.arange(8) + 0.5) / 1.7))


def test_linear_clamps_the_coordinate_at_zero_and_bicubic_does_not():
    """2 -> 4 linear: coordinates (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (index 1 with
    itself). 4 -> 2 bicubic: coordinates 0.5 and 2.5, A = -0.75 weights at t = 0.5 (-3/32, 19/32, 19/32, -3/32), the
    indices -1 and 4 clamped to the input."""
    x0, x1 = 2.0, 6.0
    for y in _both(np.array([[[x0, x1]]]), size=4, mode="linear"):
        np.testing.assert_allclose(y.ravel(), [x0, 0.75 * x0 + 0.25 * x1, 0.25 * x0 + 0.75 * x1, x1], rtol=1e-15)
    x = np.array([1.0, 2.0, 5.0, 3.0])
    w = np.array([-3, 19, 19, -3]) / 32
    want = [w @ x[[0, 0, 1, 2]], w @ x[[1, 2, 3, 3]]]
    for y in _both(x.reshape(1, 1, 1, 4), size=(1, 2), mode="bicubic"):
        np.testing.assert_allclose(y.ravel(), want, rtol=1e-14)


def test_torchs_nearest_backward_is_not_its_forwards_transpose():
    """5 x 1.1 -> 5: forward reads floor(i / 1.1) = [0 0 1 2 3], but the backward copies dy (nearest_idx's
    o == n shortcut): scratch reproduces torch's gradient, not the forward's transpose."""
    x = np.arange(5.0).reshape(1, 1, 5)
    dy = np.arange(1.0, 6.0).reshape(1, 1, 5)
    m = S.Upsample(scale_factor=1.1)
    np.testing.assert_array_equal(m(x).ravel(), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(m.backward(dy), dy)
    t = torch.from_numpy(x).requires_grad_()
    torch.nn.Upsample(scale_factor=1.1)(t).backward(torch.from_numpy(dy))
    np.testing.assert_array_equal(t.grad.numpy(), dy)


@pytest.mark.parametrize("height, shortcut", [(123, True), (124, False)])
def test_2d_nearest_takes_torchs_shortcuts_up_to_128_output_rows_plus_columns(height, shortcut):
    """torch's 2-d nearest kernel is its channels-last one when H_out + W_out <= 128 (o == n reads i there), else
    the generic one (floor(i / 1.1)): W = 5 x 1.1 stays 5 either way."""
    x = np.tile(np.arange(5.0), (1, 1, height, 1))
    for y in _both(x, scale_factor=(1.0, 1.1)):
        np.testing.assert_array_equal(y[0, 0, 0], [0, 1, 2, 3, 4] if shortcut else [0, 0, 1, 2, 3])


def test_float32_follows_torchs_float32_coordinate():
    """61 -> 97 linear: torch's float32 result is ~1e-5 off the float64 one (its float32 scale and fused coordinate
    move the weights); scratch computes the same float32 coordinate, so it agrees with torch to an ulp or two, where a
    float64 coordinate rounded at the end would be as far from torch as torch is from float64."""
    x = np.random.default_rng(0).standard_normal((2, 2, 61)).astype(np.float32)
    mine, torch32 = _both(x, size=97, mode="linear")
    torch64 = torch.nn.Upsample(size=97, mode="linear")(torch.from_numpy(x.astype(np.float64))).numpy()
    assert np.abs(torch32 - torch64).max() > 5e-6  # the effect exists
    np.testing.assert_allclose(mine, torch32, rtol=0, atol=4.8e-7)


@pytest.mark.parametrize("mode, n, o, align", [("linear", 69, 194, False), ("linear", 8, 13, False),
                                                ("linear", 30, 7, True), ("bicubic", 7, 60, False),
                                                ("bicubic", 72, 33, False), ("bicubic", 8, 13, True),
                                                ("bicubic", 5, 18, False), ("bicubic", 11, 27, True)])
def test_float32_weights_are_torchs_bit_for_bit(mode, n, o, align):
    """One-hot rows in, the interpolation matrix out: torch's float32 weights, from its fused (FMA) coordinate
    ``s (i + 0.5) - 0.5`` and its fused cubic polynomials (a plain float32 evaluation is an ulp off in places)."""
    eye = np.eye(n, dtype=np.float32)
    x = eye.reshape(n, 1, n) if mode == "linear" else eye.reshape(n, 1, 1, n)
    size = o if mode == "linear" else (1, o)
    mine, theirs = _both(x, size=size, mode=mode, align_corners=align)
    np.testing.assert_array_equal(mine, theirs)


def test_float64_coordinate_is_rounded_to_float32_before_the_floor():
    """11 x 4.9, float64: output 49 sits at 49 / 4.9 = 9.999999999999998 in double, which torch's ``floorf`` rounds to
    10.0 first: it reads x[10], not x[9] (1-d and 3-d take the generic kernel)."""
    x = np.arange(11.0).reshape(1, 1, 11)
    assert np.floor(49 * (1 / 4.9)) == 9
    for y in _both(x, scale_factor=4.9) + _both(x.reshape(1, 1, 1, 1, 11), scale_factor=(1, 1, 4.9)):
        assert y.ravel()[49] == 10


def test_float16_computes_in_float32_with_float16_weights():
    """torch's opmath: nearest is a gather (exact); linear modes sum in float32 with weights stored as float16 (torch's
    generic kernel; its 2-d channels-last kernel, which small outputs take, keeps float32 weights: a float16 ulp apart
    there, not reproduced)."""
    x = np.random.default_rng(1).standard_normal((1, 2, 3, 4)).astype(np.float16)
    mine, theirs = _both(x, scale_factor=1.5)
    assert mine.dtype == np.float16
    np.testing.assert_array_equal(mine, theirs)
    mine, theirs = _both(x, scale_factor=(1.5, 0.7), mode="bilinear")
    assert mine.dtype == np.float16
    np.testing.assert_allclose(mine.astype(np.float32), theirs.astype(np.float32), rtol=1e-3, atol=1e-3)


@pytest.mark.xfail(strict=True, raises=NotImplementedError,
                   reason="torch's uint8 bilinear/bicubic is a separate fixed-point algorithm (int16 weights, a uint8 "
                          "result after each 1-d pass; up to 19 levels from rounding the float result) that scratch "
                          "does not implement (docs/torch_facts.md section 19)")
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_uint8_bilinear_and_bicubic_like_torch(mode):
    x = np.random.default_rng(2).integers(0, 256, (1, 2, 4, 5)).astype(np.uint8)
    mine, theirs = _both(x, size=(9, 4), mode=mode)
    np.testing.assert_array_equal(mine, theirs)
