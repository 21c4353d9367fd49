"""Equivalent mutants of scratch/nn/upsampling.py, and of the adaptive pooling kernels (scratch/nn/pooling/) as
Upsample's 'area' mode calls them (tests/mutate/equivalent/__init__.py says how they are keyed).

Each holds for the entries named, for their MODE whatever its size, scale factor, align_corners and
recompute_scale_factor (the family's targeted tests vary those: tests/test_upsampling_options.py): every one was
run mutated on 300 random inputs of the entry's block (its rank and one more or fewer, sizes 0 to 9, float64,
float32, float16 and uint8, a NaN or inf in 15% of the inputs and 20% of the cotangents) and on 300 random
Upsample blocks of the entry's mode, against the unmutated code, without a difference in outputs, gradients or
error classes. The clamps of the tables (``min(floor, n - 1)``, lambda <= 1, a scale factor 0) and the float32
``_fma`` are not here: tests/test_upsampling_kernels.py checks them against torch's ATen kernels.
"""

from __future__ import annotations

from tests.mutate.equivalent.conv import RESHAPE, merged

_U = "scratch/nn/upsampling.py::"
_PA = "scratch/nn/pooling/_args.py::"
_PK = "scratch/nn/pooling/_kernels.py::"

NEAREST = ("upsample_nearest1d_x2", "upsample_nearest1d_x1_7", "upsample_nearest1d_x1_7_recompute",
           "upsample_nearest1d_x0_6_recompute_false", "upsample_nearest1d_x1_1_backward_copies",
           "upsample_nearest2d_x2_1_x1_1_shortcuts", "upsample_nearest2d_large_output_generic",
           "upsample_nearest2d_size_down_up_numpy_ints", "upsample_nearest3d_x1_5_x2_x0_7", "upsampling_nearest2d")
EXACT = ("upsample_nearest_exact1d_x1_7", "upsample_nearest_exact2d_size", "upsample_nearest_exact3d_x0_6")
LINEAR = ("upsample_linear_x1_7", "upsample_linear_x0_6_down", "upsample_linear_align_corners_size",
          "upsample_linear_align_corners_output_size_1", "upsample_linear_input_size_1")
BILINEAR = ("upsample_bilinear_x2", "upsample_bilinear_x1_1_x1_7_same_height",
            "upsample_bilinear_align_corners_x1_5_x0_6", "upsampling_bilinear2d")
BICUBIC = ("upsample_bicubic_x1_7_x0_6", "upsample_bicubic_align_corners_size", "upsample_bicubic_output_size_1",
           "upsample_bicubic_input_size_1", "upsample_bicubic_x1_1_backward_copies")
TRILINEAR = ("upsample_trilinear_x1_5_x0_6_x2", "upsample_trilinear_align_corners_size")
AREA = ("upsample_area2d_x0_5",)
TABLE_MODES = NEAREST + EXACT + LINEAR + BILINEAR + BICUBIC + TRILINEAR  # every entry but 'area'

NO_WEIGHTS = ("a nearest mode's tables carry no weights (_nearest_table returns (idx, None), forward and backward): "
              "`moved if w is None else ...` never evaluates the weighted branch the mutant changes")
NO_LANCZOS = ("the entry's mode is not 'lanczos': `mode == \"lanczos\" and x.ndim == 4` stops at its first operand, "
              "the rank test is never evaluated (lanczos's errors are upsample_nearest1d_x2's bad arguments)")
CACHE_SIZE = ("a table mode saves 4 values (tables, spatial sizes, dt, differentiable), only 'area' saves 1: "
              "len(cache) is 4, where == 0 and == 2 are as false as == 1")
KIND_MESSAGE = ("kind only names the kernel in the NotImplementedError text: a nearest mode's kind is decided by the "
                "first test; for the others the mutant swaps 'cubic' and 'linear', and `kind == \"nearest\"` (the "
                "uint8 gather) stays false either way")
READ_ONLY = ("the loop only marks the cached tables read-only, and nothing writes into a table (_along, _along_t "
             "and Upsample.backward only read idx and w): a table left writable changes no output or gradient")
SIGN = "isfinite(-v) is isfinite(v) and abs(-v) is abs(v): the overflow check decides the same"
FINITE = ("n is a size >= 0 and s a float: with s finite, n s is non-finite only as an overflow to +-inf, which "
          "`abs(n * s) >= 2.0**63` refuses next with the same RuntimeError and message; an inf or NaN s fails "
          "isfinite either way (n s is +-inf or NaN)")
ALIGN_ONE = ("align_corners with one output: the coordinate is that factor times arange(1) = [0], 0 whether the "
             "factor is 0 or 1")
NO_CLAMP = ("bicubic passes clamp=False: `np.maximum(r, dt(0)) if clamp else r` returns r without evaluating the "
            "clamp the mutant changes")
NOT_EXACT = "a 'nearest' entry never evaluates the nearest-exact side of `... if exact else ...`"
EXACT_ONLY = ("a 'nearest-exact' entry: `torch_idx and not exact and o in (n, 2 * n)` stops at `not exact`, and "
              "`... if exact else i.astype(_F32) * s` evaluates its exact side only")
GATHER = ("a nearest mode only gathers: float32 and float64 input is x itself either way (astype(dt, copy=False) "
          "with dt x's dtype), float16 gathered as float16 or through float32 and cast back gives the same values, "
          "uint8 through float32 (0..255 exact) the same integers; the backward takes dt from the cache, not y")
ONE_AXIS = ("'linear' takes 3-D input only (any other rank is refused before the tables): one spatial axis, axis 2 "
            "= x.ndim - 1, so (k,) * (x.ndim - 1 - axis) is () whatever k, axis=-1 is axis 2, and len(out) is 1")
W_DTYPE = ("_small_2d(out) is False unless there are 2 output sizes (the entry's mode has 1 or 3): the weight dtype "
           "is x's whatever the mode test or the `or` says")
AREA_TUPLE = ("Upsample's 'area' hands the pool a tuple (tuple(out)), never an int: `o * d if is_int(output_size) "
              "else o` takes its else")
AREA_VALID = ("valid starts all True with 2 + d dims instead of 2 + 2 d; the first axis's `valid & ok.reshape(...)` "
              "(2 + 2 d dims) broadcasts it to the array the original gives (d >= 1 here)")
AREA_POSITIONS = ("without arg, each axis's positions get 2 (d - i) trailing unit dims instead of 2 (d - i - 1): "
                  "unit dims only, the same positions in the same order, and AdaptiveAvgPool's backward reshapes "
                  "them to (1, -1)")

_WEIGHTED = ("negate::moved * w[:, j].reshape((-1,) + (1,) * (moved.ndim - 1)) -> -(moved * w[:, j].reshape((-1,) "
             "+ (1,) * (moved.ndim - 1)))#0",
             "negate::-1 -> 1#0", "constant::1 -> 0#2", "constant::1 -> 0#3", "constant::1 -> 0#4",
             "constant::1 -> 2#1",
             "arith::moved * w[:, j].reshape((-1,) + (1,) * (moved.ndim - 1)) -> moved / w[:, j].reshape((-1,) + "
             "(1,) * (moved.ndim - 1))#0",
             "drop-term::(-1,) + (1,) * (moved.ndim - 1) -> (-1,)#0",
             "drop-term::(-1,) + (1,) * (moved.ndim - 1) -> (1,) * (moved.ndim - 1)#0",
             "arith::(-1,) + (1,) * (moved.ndim - 1) -> (-1,) - (1,) * (moved.ndim - 1)#0",
             "drop-term::(1,) * (moved.ndim - 1) -> (1,)#0",
             "arith::(1,) * (moved.ndim - 1) -> (1,) / (moved.ndim - 1)#0",
             "arith::moved.ndim - 1 -> moved.ndim + 1#0", "drop-term::moved.ndim - 1 -> moved.ndim#0",
             "drop-term::moved * w[:, j].reshape((-1,) + (1,) * (moved.ndim - 1)) -> moved#0",
             "drop-term::moved * w[:, j].reshape((-1,) + (1,) * (moved.ndim - 1)) -> w[:, j].reshape((-1,) + (1,) * "
             "(moved.ndim - 1))#0",
             "index::j -> j + 1#1")

EQUIVALENT: dict[str, str | dict[str, str]] = merged(
    (NO_WEIGHTS, tuple(_U + "_along_t::" + k for k in _WEIGHTED), NEAREST + EXACT),
    (RESHAPE, (_U + "_along_t::constant::1 -> 2#0", _U + "_along::constant::1 -> 2#1"), None),
    (NO_LANCZOS, (_U + "Upsample.forward::constant::4 -> 5#0",
                  _U + "Upsample.forward::compare::x.ndim == 4 -> x.ndim != 4#0"),
     tuple(e for e in TABLE_MODES if e != "upsample_nearest1d_x2")),
    (CACHE_SIZE, (_U + "Upsample.backward::constant::1 -> 0#0", _U + "Upsample.backward::constant::1 -> 2#0"),
     TABLE_MODES),
    (KIND_MESSAGE, (_U + "_compute_dtype::compare::mode == \"bicubic\" -> mode != 'bicubic'#0",), None),
    (READ_ONLY, (_U + "_tables::drop-term::fwd + bwd -> bwd#0", _U + "_tables::drop-term::fwd + bwd -> fwd#0"), None),
    (SIGN, (_U + "_kernel_sizes::negate::n * s -> -(n * s)#1", _U + "_kernel_sizes::negate::n * s -> -(n * s)#2"),
     None),
    (FINITE, (_U + "_kernel_sizes::drop-term::n * s -> s#1",), None),
    (ALIGN_ONE, (_U + "_coordinate::constant::0 -> 1#1",), None),
    (NO_CLAMP, (_U + "_coordinate::constant::0 -> 1#0",), BICUBIC),
    (NOT_EXACT, (_U + "_nearest_table::drop-term::i + 0.5 -> 0.5#0", _U + "_nearest_table::drop-term::i + 0.5 -> i#0",
                 _U + "_nearest_table::negate::(i + 0.5) * _F64(s) -> -((i + 0.5) * _F64(s))#0"), NEAREST),
    (EXACT_ONLY, (_U + "_nearest_table::constant::2 -> 1#0", _U + "_nearest_table::drop-term::2 * n -> 2#0",
                  _U + "_nearest_table::drop-term::2 * n -> n#0",
                  _U + "_nearest_table::arith::i.astype(_F32) * s -> i.astype(_F32) / s#0",
                  _U + "_nearest_table::drop-term::i.astype(_F32) * s -> s#0",
                  _U + "_nearest_table::negate::i.astype(_F32) * s -> -(i.astype(_F32) * s)#0"), EXACT),
    (GATHER, (_U + "Upsample.forward::compare::x.dtype.kind == \"f\" -> x.dtype.kind != 'f'#0",), NEAREST + EXACT),
    (ONE_AXIS, (_U + "_along::drop-term::(-1,) + (1,) * (x.ndim - 1 - axis) -> (-1,)#0",
                _U + "_along::constant::1 -> 2#2", _U + "_along::axis::axis -> -1#0", _U + "_along::axis::axis -> -1#1",
                _U + "Upsample.forward::drop-term::[None] * len(out) -> [None]#0"), LINEAR),
    (W_DTYPE, (_U + "_tables::compare::mode == \"bilinear\" -> mode != 'bilinear'#0",
               _U + "_tables::boolop::mode == \"bilinear\" and _small_2d(out) -> mode == 'bilinear' or "
                    "_small_2d(out)#0"), LINEAR + TRILINEAR),
    (AREA_TUPLE, (_PA + "adaptive_sizes::drop-term::o * d -> d#0",), AREA),
    (AREA_VALID, (_PK + "adaptive_gather::constant::2 -> 1#4",), AREA),
    (AREA_POSITIONS, (_PK + "adaptive_positions::constant::1 -> 0#5",), AREA),
)
