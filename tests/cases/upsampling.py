"""Catalog entries: Upsample in every mode and rank, UpsamplingNearest2d, UpsamplingBilinear2d, one per trap of
docs/torch_facts.md section 19: integer and non-integer scale factors above and below 1, the kernel's 1 / scale_factor
against the size ratio (1.7 on 5 gives 8 outputs: floor(i / 1.7) reads [0 0 1 1 2 2 3 4], 5 / 8 reads
[0 0 1 1 2 3 3 4]; recompute_scale_factor=True switches to the ratio), sizes given, align_corners both ways, output
size 1 and input size 1, the linear clamp at 0 (upsampling) and the unclamped bicubic coordinate, 2-d nearest's
kernel choice (H_out + W_out <= 128 takes torch's shortcuts, 129 does not), 'area'.

Every mode is linear in the input, so finite differences apply, except where torch's backward is not its forward's
transpose (nearest 1-d/3-d with o == n or o == 2 n under a scale factor; bicubic with every size unchanged under a
scale factor): those entries compare with torch only (fd=False, said at each). Bad inputs and arguments plant
torch's errors in F.interpolate's order.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.cases._common import call_on_zeros
from tests.catalog import BadArgs, BadInput, Case
from tests.strategies import floats

X = floats()


def _shapes(d: int, low: int = 1, high: int = 5) -> st.SearchStrategy:
    """(N, C, *spatial) with d spatial dims of low..high."""
    return st.tuples(st.integers(1, 2), st.integers(1, 3), *[st.integers(low, high)] * d)


def _x(shape, dtype=None, fill=None):
    def sample(rng, dt):
        x = rng.standard_normal(shape) if fill is None else np.full(shape, fill)
        return (x.astype(dtype or dt),)
    return sample


def _bad(label, shape, **kw):
    return BadInput(label, _x(shape, **kw))


def _special(shape):
    """NaN and +-inf among normal values: a NaN/inf neighbour with weight 0 still gives NaN (0 * inf), as torch."""
    def sample(rng, dt):
        x = rng.standard_normal(shape)
        u = rng.random(shape)
        return (np.where(u < 0.15, np.nan, np.where(u < 0.25, np.inf, np.where(u < 0.3, -np.inf, x))).astype(dt),)
    return sample


def _ints(shape, dtype):
    return lambda rng, dt: (rng.integers(0, 200, shape).astype(dtype),)


def _common_bad(shape: tuple[int, ...], integers: str) -> tuple[BadInput, ...]:
    """What every mode shares: NaN/inf, an empty batch (works), no channels and an empty spatial dim (RuntimeError),
    int64 and bool (NotImplementedError), uint8 (a gather for the nearest modes, ``integers`` says which)."""
    n, c, *sp = shape
    return (BadInput("nan and inf", _special(shape)), _bad("empty batch", (0, c, *sp)), _bad("C = 0", (n, 0, *sp)),
            _bad("spatial size 0", (n, c, *sp[:-1], 0)), BadInput("int64", _ints(shape, np.int64)),
            BadInput("bool", _ints(shape, np.bool_)), BadInput(f"uint8 ({integers})", _ints(shape, np.uint8)),
            BadInput("int32", _ints(shape, np.int32)))


def _call(make, shape):
    return lambda lib: call_on_zeros(make(lib), shape)


def _up(shape, **kw):
    return _call(lambda lib: lib.Upsample(**kw), shape)


S3, S4, S5 = (1, 1, 4), (1, 1, 3, 4), (1, 1, 2, 2, 3)
RANKS = (_bad("2-D (NotImplementedError)", (2, 4)), _bad("1-D", (4,)), _bad("0-d", ()),
         _bad("6-D", (1, 1, 2, 2, 2, 2)))
NEAREST1D_BAD = _common_bad((2, 2, 4), "a gather") + RANKS + (_bad("4-D: nearest 2-d", (1, 2, 3, 4)),)
ARGS = (
    BadArgs("neither size nor scale_factor", _up(S3)),
    BadArgs("both size and scale_factor", _up(S3, size=3, scale_factor=2)),
    BadArgs("scale_factor 0 is stored as None", _up(S3, scale_factor=0)),
    BadArgs("scale_factor a list (TypeError: float())", lambda lib: lib.Upsample(scale_factor=[2.0])),
    BadArgs("scale_factor 'x' (ValueError: float())", lambda lib: lib.Upsample(scale_factor="x")),
    BadArgs("scale_factor of 2 numbers on 1 spatial dim", _up(S3, scale_factor=(2, 3))),
    BadArgs("size of 2 on 1 spatial dim", _up(S3, size=(2, 3))),
    BadArgs("size () on 1 spatial dim", _up(S3, size=())),
    BadArgs("size 0", _up(S3, size=0)),
    BadArgs("size -1", _up(S3, size=-1)),
    BadArgs("size (3, 0) on 2-d", _up(S4, size=(3, 0))),
    BadArgs("size 0 in 3-d", _up(S5, size=(2, 0, 3))),
    BadArgs("scale_factor 0.2: output size 0", _up(S3, scale_factor=0.2)),
    BadArgs("scale_factor 0.2 recomputed: output size 0", _up(S3, scale_factor=0.2, recompute_scale_factor=True)),
    BadArgs("negative scale_factor", _up(S4, scale_factor=(2, -1))),
    BadArgs("scale_factor nan", _up(S3, scale_factor=float("nan"))),
    BadArgs("scale_factor inf", _up(S3, scale_factor=float("inf"))),
    BadArgs("scale_factor 1e30 (int64 overflow)", _up(S3, scale_factor=1e30)),
    BadArgs("scale_factor nan recomputed (ValueError: int())", _up(S3, scale_factor=float("nan"),
                                                                   recompute_scale_factor=True)),
    BadArgs("scale_factor inf recomputed (OverflowError)", _up(S3, scale_factor=float("inf"),
                                                              recompute_scale_factor=True)),
    BadArgs("size 2.5 (TypeError of the kernel)", _up(S3, size=2.5)),
    BadArgs("size 3.0", _up(S3, size=3.0)),
    BadArgs("size True", _up(S3, size=True)),
    BadArgs("size (2.5,) (TypeError of interpolate)", _up(S3, size=(2.5,))),
    BadArgs("size (True,) (TypeError of the kernel)", _up(S3, size=(True,))),
    BadArgs("recompute_scale_factor with a size", _up(S3, size=3, recompute_scale_factor=True)),
    BadArgs("align_corners with nearest (ValueError)", _up(S3, scale_factor=2, align_corners=True)),
    BadArgs("align_corners=False with nearest-exact", _up(S3, scale_factor=2, mode="nearest-exact",
                                                          align_corners=False)),
    BadArgs("align_corners with area", _up(S3, size=2, mode="area", align_corners=False)),
    BadArgs("align_corners=1 (TypeError)", _up(S4, scale_factor=2, mode="bilinear", align_corners=1)),
    BadArgs("align_corners a numpy bool", _up(S3, scale_factor=2, mode="linear", align_corners=np.bool_(True))),
    BadArgs("unknown mode", _up(S4, scale_factor=2, mode="cubic")),
    BadArgs("mode None", _up(S3, scale_factor=2, mode=None)),
    BadArgs("both given, unknown mode: ValueError first", _up(S3, size=3, scale_factor=2, mode="foo")),
    BadArgs("lanczos (needs antialias)", _up(S4, scale_factor=2, mode="lanczos")),
    BadArgs("lanczos with align_corners", _up(S4, scale_factor=2, mode="lanczos", align_corners=True)),
    BadArgs("lanczos on 3-d", _up(S3, scale_factor=2, mode="lanczos")),
    BadArgs("size (3,) on a 2-d input (ValueError before the rank)", lambda lib: lib.Upsample(size=(3,))(
        np.zeros((2, 4)))),
)
LINEAR_BAD = _common_bad((2, 2, 5), "NotImplementedError for linear") + RANKS + (
    _bad("4-D (linear needs 3-D)", (1, 2, 3, 4)), _bad("5-D", (1, 1, 2, 2, 2)))
BILINEAR_BAD = (BadInput("nan and inf", _special((2, 2, 3, 4))), _bad("3-D (bilinear needs 4-D)", (2, 3, 4)),
                _bad("5-D", (1, 1, 2, 3, 4)), _bad("C = 0", (2, 0, 3, 4)), _bad("H = 0", (2, 2, 0, 4)),
                _bad("empty batch", (0, 2, 3, 4)), BadInput("int64", _ints((2, 2, 3, 4), np.int64)))
BICUBIC_BAD = (BadInput("nan and inf", _special((2, 2, 3, 4))), _bad("3-D", (2, 3, 4)), _bad("5-D", (1, 1, 2, 3, 4)),
               BadInput("int16", _ints((2, 2, 3, 4), np.int16)), _bad("empty batch", (0, 2, 3, 4)))
TRILINEAR_BAD = (BadInput("nan and inf", _special((1, 2, 2, 3, 3))), _bad("4-D (trilinear needs 5-D)", (2, 2, 3, 4)),
                 _bad("3-D", (2, 3, 4)), BadInput("uint8 (NotImplementedError)", _ints((1, 2, 2, 3, 3), np.uint8)),
                 _bad("C = 0", (1, 0, 2, 3, 3)))
NEAREST_ND_BAD = (BadInput("uint8 2-d (a gather)", _ints((2, 2, 3, 4), np.uint8)),
                  BadInput("int64 2-d", _ints((2, 2, 3, 4), np.int64)), BadInput("nan and inf", _special((2, 2, 3, 4))))
AREA_BAD = (_bad("3-D: a 1-d area", (2, 2, 6)), _bad("6-D (NotImplementedError)", (1, 1, 2, 2, 2, 2)),
            BadInput("nan", _special((1, 2, 4, 6))),
            BadInput("int64 (the pool's NotImplementedError)", _ints((1, 2, 4, 6), np.int64)))


def up(name, shape, d=0, low=1, high=5, **kw):
    """An Upsample entry; ``fd`` / ``bad_inputs`` / ``bad_args`` pass through, the rest are Upsample's. ``d`` > 0:
    hypothesis draws (N, C, d spatial dims in low..high) (one or two entries per mode and rank: the time budget)."""
    case = {k: kw.pop(k) for k in ("fd", "bad_inputs", "bad_args") if k in kw}
    return Case(name, lambda lib: lib.Upsample(**kw), X, shape, shapes=_shapes(d, low, high) if d else None, **case)


CASES: list[Case] = [
    # -- nearest: 1-d integer factor; 1.7 (kernel 1/1.7 vs the ratio 5/8, recomputed); 0.6 downsampling; sizes
    up("upsample_nearest1d_x2", (2, 3, 4), 1, scale_factor=2, bad_inputs=NEAREST1D_BAD, bad_args=ARGS),
    up("upsample_nearest1d_x1_7", (2, 2, 5), scale_factor=1.7),
    up("upsample_nearest1d_x1_7_recompute", (2, 2, 5), scale_factor=1.7, recompute_scale_factor=True),
    up("upsample_nearest1d_x0_6_recompute_false", (2, 2, 7), scale_factor=0.6, recompute_scale_factor=False),
    # 5 x 1.1 -> 5: torch's forward reads floor(i / 1.1) = [0 0 1 2 3], its backward copies (nearest_idx's o == n)
    up("upsample_nearest1d_x1_1_backward_copies", (2, 2, 5), scale_factor=1.1, fd=False),
    # (3, 5) x (2.1, 1.1) -> (6, 5): H_out + W_out <= 128, torch's 2-d forward takes i >> 1 and i (as its backward)
    up("upsample_nearest2d_x2_1_x1_1_shortcuts", (2, 2, 3, 5), 2, 3, 6, scale_factor=(2.1, 1.1),
       bad_inputs=NEAREST_ND_BAD),
    # (1, 5) x (130, 1.1) -> (130, 5): 135 > 128, the generic forward kernel reads floor(i / 1.1); backward copies
    up("upsample_nearest2d_large_output_generic", (1, 2, 1, 5), scale_factor=(130, 1.1), fd=False),
    up("upsample_nearest2d_size_down_up_numpy_ints", (2, 2, 5, 3), size=(np.int64(2), np.int32(7))),
    up("upsample_nearest3d_x1_5_x2_x0_7", (1, 2, 2, 3, 5), 3, 2, 4, scale_factor=(1.5, 2, 0.7)),
    Case("upsampling_nearest2d", lambda lib: lib.UpsamplingNearest2d(scale_factor=(1.5, 0.6)), X, (2, 2, 3, 5)),
    # -- nearest-exact: floor((i + 0.5) s) in 1, 2 and 3 dims
    up("upsample_nearest_exact1d_x1_7", (2, 2, 5), 1, scale_factor=1.7, mode="nearest-exact"),
    up("upsample_nearest_exact2d_size", (2, 2, 5, 4), size=(3, 7), mode="nearest-exact"),
    up("upsample_nearest_exact3d_x0_6", (1, 2, 4, 2, 5), scale_factor=(0.6, 1.5, 2.5), mode="nearest-exact"),
    # -- linear (1-d): the clamp at 0 (upsampling), 1/scale vs ratio, align_corners, output and input size 1
    up("upsample_linear_x1_7", (2, 2, 5), 1, scale_factor=1.7, mode="linear", bad_inputs=LINEAR_BAD),
    up("upsample_linear_x0_6_down", (2, 2, 7), scale_factor=0.6, mode="linear"),
    up("upsample_linear_align_corners_size", (2, 2, 4), size=7, mode="linear", align_corners=True),
    up("upsample_linear_align_corners_output_size_1", (2, 2, 5), size=1, mode="linear", align_corners=True),
    up("upsample_linear_input_size_1", (2, 2, 1), size=4, mode="linear"),
    # -- bilinear and the two Upsampling classes (UpsamplingBilinear2d: align_corners=True)
    up("upsample_bilinear_x2", (2, 2, 3, 4), scale_factor=2, mode="bilinear", bad_inputs=BILINEAR_BAD),
    # H 4 x 1.1 -> 4: the identity (torch's o == n rule, in forward and backward), W 5 x 1.7 -> 8 at i / 1.7
    up("upsample_bilinear_x1_1_x1_7_same_height", (1, 2, 4, 5), scale_factor=(1.1, 1.7), mode="bilinear"),
    up("upsample_bilinear_align_corners_x1_5_x0_6", (2, 2, 3, 5), scale_factor=(1.5, 0.6), mode="bilinear",
       align_corners=True),
    Case("upsampling_bilinear2d", lambda lib: lib.UpsamplingBilinear2d(scale_factor=2), X, (2, 2, 3, 4),
         shapes=_shapes(2)),
    # -- bicubic: the unclamped coordinate and clamped indices, A = -0.75, align_corners, sizes 1
    up("upsample_bicubic_x1_7_x0_6", (1, 2, 4, 5), 2, 2, 6, scale_factor=(1.7, 0.6), mode="bicubic",
       bad_inputs=BICUBIC_BAD),
    up("upsample_bicubic_align_corners_size", (2, 2, 3, 4), size=(5, 2), mode="bicubic", align_corners=True),
    up("upsample_bicubic_output_size_1", (1, 2, 3, 4), size=(1, 1), mode="bicubic"),
    up("upsample_bicubic_input_size_1", (1, 2, 1, 3), size=(3, 5), mode="bicubic"),
    # (4, 5) x 1.1 -> (4, 5): torch's forward interpolates at i / 1.1, its backward copies dy (every size kept)
    up("upsample_bicubic_x1_1_backward_copies", (1, 2, 4, 5), scale_factor=1.1, mode="bicubic", fd=False),
    # -- trilinear
    up("upsample_trilinear_x1_5_x0_6_x2", (1, 1, 2, 5, 3), 3, 2, 5, scale_factor=(1.5, 0.6, 2), mode="trilinear",
       bad_inputs=TRILINEAR_BAD),
    up("upsample_trilinear_align_corners_size", (1, 2, 3, 2, 2), size=(2, 3, 4), mode="trilinear",
       align_corners=True),
    # -- area: adaptive average pooling (the scale factor always recomputed)
    up("upsample_area2d_x0_5", (1, 1, 4, 6), 2, 2, 7, scale_factor=0.5, mode="area", bad_inputs=AREA_BAD),
]
