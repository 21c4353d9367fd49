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

_T = "scratch/nn/losses/triplet.py::"



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
    # -- declared after the audit of 2026-12-02 (h_loss); per-entry lists are the entries the mutant survived
    #    under, each checked against the reason (other entries' checks reach other arguments: tests/
    #    test_losses_arguments.py runs every p, eps, weight and label_smoothing) ---------------------------
    _T + '_pnorm::constant::1 -> 0#1': _for(
        ('pairwise_distance', 'pairwise_distance_p3', 'triplet_distance_user_block_p1'),
        'shape[0] for shape[-1]: either is 0 only for an empty v, whose finite-p norm over the last dim is 0 '
        "(a sum, a count, 0 ** (1 / p) = 0 for p > 0) of shape v.shape[:-1], the early return's zeros; only "
        'the inf norms of nothing raise (no inf-p entry here)'),
    _T + '_pnorm::constant::1 -> 0#0':
        'p == 0 was handled just before, so p = 1 takes the general branch: sum(a ** 1) ** (1 / 1), which is '
        'a.sum() exactly (x ** 1.0 is x)',
    _T + '_pnorm::constant::0 -> 1#1': _for(
        ('triplet_distance_swap_none',),
        "p == 1 in place of p == 0: neither holds for this entry's p, the same branch is taken"),
    _T + '_pnorm::negate::-math.inf -> math.inf#0': _for(
        ('triplet_distance_swap_none',),
        'p == +inf returned just before: the branch becomes unreachable, and no entry has p = -inf'),
    _T + '_pnorm::constant::2 -> 1#0': _for(
        ('pairwise_distance_p3',),
        "p == 1 returned just before, so the mutant only sends p = 2 to the general branch: not this entry's "
        'p'),
    _T + '_pnorm::compare::p == 2 -> p != 2#0': _for(
        ('triplet_distance',),
        'p = 2 through the general branch: sum(|v| ** 2) ** 0.5 in place of sqrt(sum(v * v)); NumPy squares '
        "for ** 2 (bit for bit) and a 0-d root is C's pow(s, 0.5), within 1 ulp of sqrt (measured: 40,000 "
        "random vectors at scales 1e-150..1e150, worst 1 ulp), 1e9 times below float64's tolerance"),
    _T + '_pnorm_grad::constant::0 -> 1#0': _for(
        ('triplet_distance_swap_none',),
        "p == 1 in place of p == 0: neither holds for this entry's p (TripletMarginLoss(p=0) never calls "
        '_pnorm_grad), the same branch is taken'),
    _T + '_pnorm_grad::constant::1 -> 0#0': _for(
        ('pairwise_distance_p2_eps0', 'pairwise_distance_pinf_eps0', 'triplet_margin_pinf_none'),
        "p == 0 returned just before: the branch becomes unreachable, and this entry's p is not 1"),
    _T + '_pnorm_grad::constant::2 -> 1#0':
        'p == 1 returned just before, so p = 2 takes the general p > 1 branch: sign(v) * |v| ** 1 * where(n '
        '== 0, 0, g / n ** 1), which is v * where(n == 0, 0, g / n) exactly (sign(v) |v| is v, x ** 1.0 is x)',
    _T + '_pnorm_grad::constant::0.0 -> 1.0#1':
        "where ||v||_2 == 0 the mutant's gradient is v * 1.0: n == 0 means every v_k * v_k underflowed, |v_k|"
        ' < 2.3e-162, far below every tolerance (and 0 in float32)',
    _T + '_pnorm_grad::constant::0.0 -> 1.0#0': _for(
        ('triplet_margin_p3',),
        "p = 3: where ||v||_3 == 0 the mutant's gradient is sign(v) |v| ** 2: n == 0 means every |v_k| ** 3 "
        'underflowed, so |v_k| ** 2 < 1e-215, far below every tolerance (and 0 in float32)'),
    _T + '_pnorm_grad::constant::0.0 -> 1.0#2':
        'where v == 0, sign(v) is 0: 0 * 1.0 * f and 0 * 0.0 * f are the same (0, or NaN for an infinite f)',
    _T + '_pnorm_grad::compare::p < 1 -> p <= 1#0':
        'p == 1 returned before: no p reaches here with p == 1',
    _T + '_pnorm_grad::constant::1 -> 2#1':
        "p < 2 in place of p < 1 differs only for 1 < p < 2 (p = 1 and p = 2 returned before): no entry's p",
    _T + '_sign::constant::0.0 -> 1.0#0': _for(
        ('pairwise_distance_pinf_eps0', 'triplet_distance_user_block_p1'),
        'sign(NaN) only meets a zero: p = inf masks it (|v| == max is False where the max is NaN); in a '
        "triplet loss a NaN entry makes its pair's distance and the hinge NaN, whose cotangent is 0 "
        '(clamp_min passes none at NaN), and 0 * 1.0 is 0 * 0.0'),
    _T + '_Triplet.forward::compare::d_neg > d_swap -> d_neg >= d_swap#0':
        'they differ only at d_neg == d_swap, where the outer where already gives 0.5',
    _T + '_Triplet.forward::constant::0.5 -> 1.0#0': _for(
        ('triplet_distance_user_block_p1',),
        'without swap d_swap is None and the weight expression is not evaluated'),
    _T + '_Triplet._backward::index::0 -> 1#0':
        'every distance gradient here is (None, None) for every pair (TripletMarginLoss(p=0)) or two arrays '
        'for every pair (the inputs are promoted to one float dtype first): grads[1][0] is None exactly when '
        'grads[0][0] is',
    _T + '_Triplet._backward::index::0 -> 1#1':
        'every distance gradient here is (None, None) for every pair or two arrays for every pair: '
        'grads[0][1] is None exactly when grads[0][0] is',
    _C + '_NLLCore._plain_rows::compare::lsm.ndim == 2 -> lsm.ndim != 2#0': _for(
        ('nll2d_deprecated_alias',),
        "with class weights or label smoothing the fast path's first conditions are False: the mutated "
        'condition is not evaluated'),
    _C + '_NLLCore._plain_rows::compare::lsm.shape[0] > 0 -> lsm.shape[0] >= 0#0': _for(
        ('cross_entropy_3d_sum', 'cross_entropy_unbatched_none', 'nll_2d', 'nll_uint8_target'),
        "with class weights or label smoothing the fast path's first conditions are False: the mutated "
        'condition is not evaluated'),
    _C + '_NLLCore._plain_rows::index::0 -> 1#0': _for(
        ('cross_entropy_smooth_full', 'cross_entropy_weight', 'nll2d_deprecated_alias', 'nll_weight_ignore'),
        "with class weights or label smoothing the fast path's first conditions are False: the mutated "
        'condition is not evaluated'),
    _C + '_NLLCore._plain_rows::compare::t.max() < C -> t.max() <= C#0': _for(
        ('nll',),
        "a target == C let onto the fast path raises NumPy's IndexError at lsm[rows, t], the class the "
        "general path's _kept raises (torch: IndexError); only an ignore_index == C would make it valid, and "
        "this entry's ignore_index is -100 (or 1 with class weights, where the fast path is never taken)"),
    _C + '_index_target::constant::1 -> 0#6':
        'x.ndim == 0 never holds here (a 0-d input raised before); without the check a (C,) input with a '
        "target of size != 1 reaches t.reshape(1), which raises ValueError, the check's own class",
    _C + '_index_target::constant::1 -> 2#1': _for(
        ('linear_cross_entropy_out_features',),
        'its logits are (N, C, 2, 3): x.ndim != 2 as x.ndim != 1'),
    _C + '_index_target::constant::1 -> 2#2': _for(
        ('linear_cross_entropy_out_features',),
        'its logits are (N, C, 2, 3): x.ndim == 2 as x.ndim == 1, False'),
    _C + '_class_view::constant::1 -> 2#1':
        "NumPy's reshape reads any negative size as the one unknown dimension: -2 is -1",
    _C + '_class_view::drop-term::(1, -1) + (1,) * (ndim - 2) -> (1, -1)#0': _for(
        ('linear_cross_entropy_bias_weight_smooth_ignore_sum',),
        'the logits are 2-d here (lsm and the smoothed target too): (1,) * 0 is ()'),
    _C + '_NLLCore._save_index::constant::1 -> 0#0': _for(
        ('linear_cross_entropy_bias_weight_smooth_ignore_sum',),
        'with label smoothing a (C,) input with a (1,) target is refused in forward first '
        '(_smoothing_refuses), and a 0-d input never gets here: the condition is False either way'),
    _C + '_NLLCore._save_index::constant::1 -> 2#1': _for(
        ('cross_entropy_smooth_none',),
        'a (C,) input with a 2-d target raised in _index_target, and with a (1,) target in '
        '_smoothing_refuses: the condition is False either way'),
    _C + '_NLLCore._save_index::boolop::x.ndim == 1 and target.ndim == 1 -> x.ndim == 1 or target.ndim == 1#0': _for(
        ('linear_cross_entropy_out_features',),
        'its logits are (N, C, 2, 3) and a target _index_target lets through is (N, 2, 3): neither holds'),
    _C + '_NLLCore._nll_forward::constant::0 -> 1#0': _for(
        ('nll_uint8_target',),
        "the placeholder class of an ignored entry (C >= 2 here: the weight's length, or "
        "LinearCrossEntropyLoss' 5 classes, so class 1 exists): its pick, weight and gradient are masked by "
        'keep'),
    _C + '_NLLCore._nll_grad::drop-term::dy / d -> dy#0': _for(
        ('nll_sum',),
        "this entry's reduction is 'sum' or 'none': the 'mean' branch is not taken"),
    _C + '_NLLCore._rows_upstream::compare::reduction == "none" -> reduction != \'none\'#0': _for(
        ('nll_unbatched',),
        "'sum' (its reduction): dy as a (1,) or a 0-d factor scales the rows alike; its other reductions run "
        'on its unbatched sample, N = 1: dy / 1 is dy'),
    _C + 'NLLLoss._backward::index::0 -> 1#0': _for(
        ('nll_unbatched',),
        "'sum' (its reduction): both entries are the same 0-d factor; its other reductions run on its "
        'unbatched sample, N = 1, where the (1, 1) view assigns as the (1,) one'),
    _C + 'CrossEntropyLoss.forward::constant::0 -> 1#1': _for(
        ('cross_entropy_ignore_index_in_range', 'cross_entropy_none', 'cross_entropy_sum'),
        'eps = 0: eps > 1 is False as eps > 0, the refusals are skipped alike'),
    _C + 'CrossEntropyLoss.forward::compare::eps > 1.0 -> eps >= 1.0#0': _for(
        ('linear_cross_entropy_out_features', 'linear_cross_entropy_unbatched'),
        'eps < 1 here'),
    _C + 'CrossEntropyLoss.forward::compare::eps > 0 -> eps >= 0#0': _for(
        ('linear_cross_entropy_bias_weight_smooth_ignore_sum',),
        'eps > 0 here'),
    _C + '_NLLCore._nll_forward::compare::eps > 0 -> eps >= 0#0': _for(
        ('cross_entropy_smooth_full', 'linear_cross_entropy_bias_weight_smooth_ignore_sum'),
        'eps > 0 here'),
    _C + 'CrossEntropyLoss._forward_probs::compare::eps > 0 -> eps >= 0#0':
        'with eps = 0 the smoothed target is t * (1.0 - 0) + 0 / C, which is t exactly (up to the sign of a '
        'zero)',
    _C + 'CrossEntropyLoss._forward_probs::arith::x2.size // C -> x2.size / C#0':
        'x2.size is a multiple of C: the quotient is the same integer, as a float; dy / n and sum / n are the'
        " same (NumPy keeps the array's dtype for a Python float or int)",
    _C + 'CrossEntropyLoss._forward_probs::constant::0 -> 1#2': _for(
        ('cross_entropy_probs_2d', 'cross_entropy_probs_smooth'),
        "n for C = 0 only matters to 'mean': this entry's reduction is 'sum' / 'none', or its class weights "
        'refuse C = 0 first'),
    _C + 'CrossEntropyLoss._forward_probs::constant::1 -> 2#1': _for(
        ('cross_entropy_probs_none',),
        'max(C, 2) differs from max(C, 1) at C = 1 only: the class weights refuse C = 1 first, or there are 5'),
    _B + 'reduction_grad::arith::dy / n -> dy * n#0': _for(
        ('cross_entropy_probs_unbatched', 'mse_legacy_size_average_false'),
        "the 'mean' branch: mse_legacy_size_average_false is always 'sum' (size_average=False overrides any "
        "reduction); cross_entropy_probs_unbatched is 'none', and its 'mean' runs are on its unbatched "
        'sample, n = 1'),
    _M + 'MultiMarginLoss.forward::compare::x.ndim >= 1 -> x.ndim > 1#0':
        "a (0,) input then gets past this check with C = 0 and raises RuntimeError next (its target's size, "
        "or 'target out of range': every class >= 0 = C), the check's class",
    _M + 'MultiMarginLoss.forward::constant::1 -> 2#5':
        'x.ndim >= 2: a (0,) input then gets past this check with C = 0 and raises RuntimeError next (its '
        "target's size, or 'target out of range'), the check's class",
    _M + 'MultiMarginLoss.forward::constant::1 -> 0#3': _for(
        ('multi_margin_p2_weight',),
        'C for a 0-d input: 0 or 1, the class weights (4 classes) refuse both (RuntimeError)'),
    _M + 'MultiMarginLoss.forward::compare::t.ndim > 0 -> t.ndim >= 0#0': _for(
        ('multi_margin_sum',),
        "the 'none' branch: its reduction is 'sum', and its 'none' run (every reduction) has a 1-d target, "
        'for which both hold'),
    'scratch/nn/losses/ctc.py::CTCLoss._backward::compare::tl[:, None] > 0 -> tl[:, None] >= 0#0':
        'the conjunct only matters where s == 2 tl - 1, and for tl = 0 that is s == -1: no state',
    'scratch/nn/losses/ctc.py::CTCLoss.forward::constant::0 -> 1#8': _for(
        ('ctc_blank_last_zero_infinity_none', 'ctc_impossible_zero_infinity'),
        'an empty input with a one-label target: -inf (the mutant: 0), a loss of inf or 0, which '
        'zero_infinity makes 0 either way; no frame of it is active, so its gradient is 0 too'),
    _T + "_distance::arith::x1.astype(np.float64) - x2.astype(np.float64) + eps -> x1.astype(np.float64) - "
         "x2.astype(np.float64) - eps#0": _for(
        ("pairwise_distance_p1_eps0_keepdim", "pairwise_distance_p2_eps0", "triplet_distance_user_block_p1"),
        "eps = 0: - 0.0 for + 0.0 changes only the sign of a zero difference, which no norm or gradient tells apart"),
    _T + "_distance::drop-term::x1.astype(np.float64) - x2.astype(np.float64) + eps -> x1.astype(np.float64) - "
         "x2.astype(np.float64)#0": _for(
        ("pairwise_distance_p1_eps0_keepdim", "pairwise_distance_p2_eps0", "triplet_distance_user_block_p1"),
        "eps = 0: the term is + 0.0 (the sign of a zero difference aside)"),
}
