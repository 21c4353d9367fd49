"""Equivalent mutants of scratch/nn/losses/ (tests/mutate/equivalent/__init__.py says how they are keyed).

Two kinds: mutants that compute the same under every entry (a placeholder a mask hides, a comparison at a point
where both branches agree, an axis that is the last one of a 2-d array), and mutants that compute the same under
the entries of some classes only, because of what those classes are (HuberLoss' backward refuses a target of
another dtype first, KLDivLoss always gives its own target gradient, a class that takes no size_average). Each
reason says why; the entry lists are the classes' entries, so a new entry of such a class needs adding."""

from __future__ import annotations

_B, _P = "scratch/nn/losses/_base.py::", "scratch/nn/losses/pointwise.py::"

L1 = ("l1", "l1_sum", "l1_none")
HUBER = ("huber", "huber_delta", "huber_none")
SMOOTH_L1 = ("smooth_l1", "smooth_l1_beta", "smooth_l1_beta0")
KL = ("kl_div", "kl_div_batchmean", "kl_div_sum", "kl_div_none", "kl_div_log_target", "kl_div_log_target_none")
HINGE = ("hinge_embedding", "hinge_embedding_margin_sum", "hinge_embedding_none", "hinge_embedding_other_targets")
NO_LEGACY = (HUBER + ("gaussian_nll", "gaussian_nll_var_last1_sum", "gaussian_nll_var_fewer_full_none",
                      "gaussian_nll_var_mid1_eps", "gaussian_nll_float_var")
             + ("triplet_distance", "triplet_distance_swap_none", "triplet_distance_user_fn_swap_sum",
                "triplet_distance_user_block_p1")
             + ("ctc", "ctc_concat_lists_sum", "ctc_impossible_none", "ctc_impossible_zero_infinity",
                "ctc_blank_last_zero_infinity_none", "ctc_unbatched", "ctc_unbatched_concat_none", "ctc_long_sequence")
             + ("linear_cross_entropy", "linear_cross_entropy_bias_weight_smooth_ignore_sum",
                "linear_cross_entropy_probs_none", "linear_cross_entropy_out_features",
                "linear_cross_entropy_unbatched", "linear_cross_entropy_chunked",
                "linear_cross_entropy_chunked_auto_none"))


NLL = ("nll", "nll_sum", "nll_none", "nll_weight_ignore", "nll_2d", "nll_unbatched", "nll_uint8_target",
       "nll2d_deprecated_alias", "nll2d_sum", "nll2d_none")
# the class-index entries without label smoothing (CrossEntropyLoss, NLLLoss, LinearCrossEntropyLoss' inner one);
# not cross_entropy, cross_entropy_weight, linear_cross_entropy: their audits also run (by name, pytest's -k) the
# checks of smoothing entries whose names contain theirs, which do reach the mutant
UNSMOOTHED = NLL + ("cross_entropy_sum", "cross_entropy_none", "cross_entropy_ignore_index_in_range",
                    "cross_entropy_2d_none", "cross_entropy_3d_sum", "cross_entropy_unbatched",
                    "linear_cross_entropy_out_features", "linear_cross_entropy_unbatched",
                    "linear_cross_entropy_chunked", "linear_cross_entropy_chunked_auto_none")
# the class-index entries whose reduction is 'none' or 'sum'
UNAVERAGED = ("nll_sum", "nll_none", "nll_2d", "nll_unbatched", "nll2d_sum", "nll2d_none", "cross_entropy_sum",
              "cross_entropy_none", "cross_entropy_ignore_index_in_range", "cross_entropy_weight_ignore_smooth_sum",
              "cross_entropy_smooth_none", "cross_entropy_2d_none", "cross_entropy_3d_sum",
              "cross_entropy_unbatched_none", "linear_cross_entropy_bias_weight_smooth_ignore_sum",
              "linear_cross_entropy_chunked_auto_none")
_C = "scratch/nn/losses/classification.py::"
_M = "scratch/nn/losses/margin.py::"
_NLL_EPS = "NLLLoss passes label smoothing eps = 0.0 (it has none): "


def _for(entries: tuple[str, ...], reason: str) -> dict[str, str]:
    return dict.fromkeys(entries, reason)


EQUIVALENT: dict[str, str | dict[str, str]] = {
    # -- every entry ---------------------------------------------------------------------------------------------
    _B + "nonfinite_guard::boolop::a is not None and a.dtype.kind == \"f\" and not np.isfinite(a).all() -> a is not "
         "None or a.dtype.kind == 'f' or (not np.isfinite(a).all())#0":
        "the guard silences NumPy's floating-point warnings inside its block; the mutant silences them on finite "
        "input too. No value, dtype, error class or torch warning changes: only a RuntimeWarning NumPy would give "
        "for finite input that overflows in scratch's evaluation (the suite turns those into errors, to catch "
        "unstable formulas; torch itself never warns)",
    "scratch/nn/losses/classification.py::_NLLCore._nll_grad::compare::eps > 0 -> eps >= 0#0":
        "with eps = 0 the smoothing block subtracts (a * 0) w, zeros (a is finite: dy / d with d > 0, or 0 where "
        "every entry is ignored): the same gradient, up to the sign of a zero",
    _P + "HuberLoss._pointwise::compare::d > delta -> d >= delta#0": "at d == delta both branches give delta",
    _P + "HuberLoss._pointwise::compare::d < -delta -> d <= -delta#0": "at d == -delta both branches give -delta",
    _P + "SmoothL1Loss._pointwise::compare::d > beta -> d >= beta#0": "at d == beta both branches give d / beta = 1",
    _P + "SmoothL1Loss._pointwise::compare::d < -beta -> d <= -beta#0":
        "at d == -beta both branches give d / beta = -1",
    _P + "KLDivLoss._pointwise::constant::1 -> 0#0":
        "the log's argument where t == 0 is a placeholder: both uses mask it (xlogy 0, the target gradient NaN); "
        "log(0)'s -inf and 0 * -inf are inside the block's errstate",
    _P + "KLDivLoss._pointwise::constant::1 -> 2#0":
        "the log's argument where t == 0 is a placeholder: both uses mask it (xlogy 0, the target gradient NaN)",
    _P + "KLDivLoss._pointwise::constant::0 -> 1#1":
        "xlogy where t == 1 is 1 * log 1 = 0, and where t == 0 it is 0 * log(1) = 0: the same values (up to the "
        "sign of a zero at t = -0.0)",
    _P + "KLDivLoss._pointwise::constant::0 -> 1#2":
        "where(t == 1, 1, t) is t: log_t is log t everywhere, and where t == 0 both uses mask it",
    "scratch/nn/losses/multilabel.py::MultiLabelMarginLoss.forward::axis::1 -> -1#1":
        "t2 is (N, C): axis 1 is its last",
    "scratch/nn/losses/multilabel.py::MultiLabelMarginLoss.forward::axis::1 -> -1#3":
        "x2 is (N, C): axis 1 is its last",
    "scratch/nn/losses/ranking.py::CosineEmbeddingLoss.forward::negate::-1 -> 1#0":
        "the inputs are 1-d or 2-d here (checked just before): for (N, D) shape[:1] is shape[:-1]; for (D,) the "
        "target is 0-d and broadcasts with (D,) as with ()",
    "scratch/nn/losses/probabilistic.py::PoissonNLLLoss.forward::constant::1.0 -> 0.0#0":
        "pos is a placeholder where t <= 0: Stirling's term and its gradient are masked there (t > 1, t > 0); the "
        "log(0) and 0.5 / 0 are inside the block's errstate",
    "scratch/nn/losses/probabilistic.py::PoissonNLLLoss.forward::constant::1.0 -> 2.0#0":
        "pos is a placeholder where t <= 0: Stirling's term and its gradient are masked there (t > 1, t > 0)",
    "scratch/nn/losses/ctc.py::_lengths::constant::1 -> 2#0":
        "NumPy's reshape reads any negative size as the one unknown dimension: reshape(-2) is reshape(-1)",
    "scratch/nn/losses/ctc.py::CTCLoss._backward::constant::1 -> 2#1":
        "range(T - 1, -2, -1) adds t = -1, which rewrites frame T - 1 with what it holds: no state is inside "
        "(t < input_length - 1) at the last frame, so only the end states' lp remain, as at t = T - 1",
    "scratch/nn/losses/ctc.py::CTCLoss.forward::compare::labels >= C -> labels > C#0":
        "a label == C then reaches np.take_along_axis, which raises IndexError too (torch does not check and "
        "reads out of bounds: no torch result to compare)",
    _M + "MultiMarginLoss.forward::axis::1 -> -1#0": "x2 is (N, C): axis 1 is its last",
    _M + "MultiMarginLoss.forward::axis::1 -> -1#1": "g is (N, C): axis 1 is its last",
    _M + "MultiMarginLoss.forward::axis::1 -> -1#2": "h is (N, C): axis 1 is its last",
    # -- the entries of some classes ----------------------------------------------------------------------------
    _C + "_NLLCore._kept::compare::t >= C -> t > C#0": _for(
        UNSMOOTHED, "without label smoothing a class == C next reaches np.take_along_axis (or the class weights' "
                    "indexing), which raises IndexError too (only the smoothing path's refusals come between)"),
    _C + "_NLLCore._nll_forward::constant::0 -> 1#1": _for(
        UNAVERAGED, "the class weight picked for an ignored entry is a placeholder: its loss and gradient are "
                    "masked, and it enters only the 'mean' denominator"),
    _C + "_NLLCore._nll_forward::constant::0 -> 1#3": _for(NLL, _NLL_EPS + "eps > 1 is False as eps > 0"),
    _C + "_NLLCore._nll_grad::constant::0 -> 1#1": _for(NLL, _NLL_EPS + "eps > 1 is False as eps > 0"),
    _C + "_NLLCore._nll_grad::constant::0 -> 1#0": _for(
        NLL, _NLL_EPS + "an ignored entry's upstream gradient only meets wy, which is 0 there, and the smoothing "
                        "term, which is not computed"),
    _C + "_NLLCore._nll_grad::drop-term::1.0 - eps -> 1.0#0": _for(NLL, _NLL_EPS + "1.0 - eps is 1.0"),
    _C + "_NLLCore._nll_grad::arith::1.0 - eps -> 1.0 + eps#0": _for(NLL, _NLL_EPS + "1.0 + eps is 1.0 - eps"),
    _C + "_index_target::constant::1 -> 0#0": _for(
        ("cross_entropy", "cross_entropy_sum", "cross_entropy_none", "cross_entropy_weight",
         "cross_entropy_ignore_index_in_range", "cross_entropy_weight_ignore_smooth",
         "cross_entropy_weight_ignore_smooth_sum", "cross_entropy_smooth_none", "cross_entropy_smooth_full",
         "cross_entropy_2d", "cross_entropy_2d_none", "cross_entropy_3d_sum", "cross_entropy_unbatched",
         "cross_entropy_unbatched_none", "linear_cross_entropy", "linear_cross_entropy_bias_weight_smooth_ignore_sum",
         "linear_cross_entropy_out_features", "linear_cross_entropy_unbatched", "linear_cross_entropy_chunked",
         "linear_cross_entropy_chunked_auto_none"),
        "the 0-d check is NLLLoss': CrossEntropyLoss raises torch's IndexError for a 0-d input first, and "
        "LinearCrossEntropyLoss' logits have a dim at least"),
    _B + "legacy_reduction::boolop::size_average is None and reduce is None -> size_average is None or reduce is "
         "None#0": _for(NO_LEGACY, "this class takes no size_average / reduce (both None, as torch's)"),
    _B + "_PointwiseLoss._backward::index::0 -> 1#1": _for(
        L1 + HUBER + SMOOTH_L1 + HINGE + KL,
        "which array the guard looks at only matters where grads[0] * the cotangent could warn (inf * 0): this "
        "class' input gradient is bounded (sign, clip, 0 / 1) or, for KLDivLoss (-t, -exp(t)), non-finite only "
        "where the target gradient the mutant looks at is non-finite too"),
    _B + "_PointwiseLoss._backward::index::0 -> 1#0": _for(
        HUBER, "HuberLoss' backward raises for a target of another dtype first: the two dtypes are equal here"),
    _B + "_PointwiseLoss._target_backward::constant::1 -> 0#0": _for(
        HUBER, "HuberLoss' backward raises for a target of another dtype first: the two dtypes are equal here"),
    _B + "_PointwiseLoss._target_backward::constant::1 -> 0#1": {
        **_for(HUBER, "HuberLoss' backward raises for a target of another dtype first (an integer one too): both "
                      "are the same float dtype here"),
        **_for(KL, "KLDivLoss refuses integer inputs and targets in forward: both are float here")},
    _B + "_PointwiseLoss._target_backward::negate::-dl -> dl#0": _for(
        KL, "KLDivLoss always gives its own target gradient (dlt): -dl is never evaluated"),
    _B + "_PointwiseLoss.forward::compare::x.shape != t.shape -> x.shape == t.shape#0": _for(
        KL + HINGE, "this class does not warn on a size mismatch: the `and` never evaluates the shapes"),
    _B + "_PointwiseLoss.forward::compare::x.dtype.kind == \"f\" -> x.dtype.kind != 'f'#0": _for(
        HINGE, "HingeEmbeddingLoss' output dtype is its float input's (an integer input raises): odt is x.dtype"),
}
