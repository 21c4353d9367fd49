"""Equivalent mutants of scratch/nn/losses/ declared after the audit of 2026-12-02 (the loss family's file,
tests/mutate/equivalent/losses.py, grew past the file budget; the package merges both): CTC's extra valid state and
visit count, NLL's row fast-path gate where it is never true or only chooses the path, and the shapes of
LinearCrossEntropyLoss' logits (tests/mutate/equivalent/__init__.py says how they are keyed).
"""

from __future__ import annotations

from tests.mutate.equivalent.losses import _C, _T, _for

_ROWS_ONLY = (
    "the mutant only turns off the row fast path for this entry's (1, C) logits (an unbatched input, no class "
    "weights, no smoothing, ignore_index -100): the general path gives the same loss and gradients bit for bit "
    "(tests/test_nll_rows.py::test_row_fast_path_is_bitwise_the_general_path, (1, 3) and (7,) inputs included; "
    "measured here: 600 random unbatched LinearCrossEntropyLoss runs through the mutant, float32 / float64, every "
    "reduction, scales 1e-4..1e4 and +-inf / NaN inputs, the loss, d input, d weight and d bias identical, signs of "
    "zeros too). Only which path ran differs, which the path check of tests/test_nll_rows.py watches for "
    "CrossEntropyLoss' and NLLLoss' entries (not LinearCrossEntropyLoss', whose inner loss it is)")


EQUIVALENT: dict[str, str | dict[str, str]] = {
    # -- declared after the audit of 2026-12-02 (h_loss2); evidence: each entry's selected checks run with the
    #    gate instrumented (every _plain_rows call, the original's and the mutant's results compared), and the
    #    mutated code run against the original on random inputs (counts in the reasons) --------------------------
    'scratch/nn/losses/ctc.py::CTCLoss.forward::compare::np.arange(L) < 2 * tl[:, None] + 1 -> np.arange(L) <= '
    '2 * tl[:, None] + 1#0':
        'the mutant also marks state 2 tl + 1 (a blank slot past the target, tl < S) valid. alpha flows from s - 1 '
        'and s - 2 only, so that state feeds no state <= 2 tl (nor ll, read at 2 tl and 2 tl - 1); beta there is '
        '-inf (no end state at or past it), so the betas of the other states are unchanged; in backward its visit '
        'adds exp(alpha + (-inf) + nll - lp[blank]) = 0 to the blank, which state 0 visits at the same frames '
        'anyway (and where that term is NaN - nll = inf, lp[blank] = -inf, a NaN or +inf log-prob - the blank\'s '
        'sum is NaN already). Measured: 1,500 random (T, N, C, S), blanks, lengths 0.. and reductions, with -inf / '
        '+inf / NaN log-probs planted: loss and gradient identical (NaN included)',
    'scratch/nn/losses/ctc.py::CTCLoss._backward::constant::0 -> 1#2':
        'a class visited once at (t, n) then also gets exp(-inf + nll - lp) added: 0 exactly where nll and lp are '
        'finite (or nll = -inf, lp = +inf); where it is NaN (nll = +inf, lp = -inf) the one visit\'s own term '
        'exp(alpha + beta + nll - lp) is NaN already (alpha + beta is -inf for an impossible sample, and both carry '
        'lp[t, class] = -inf). Measured: the 1,500 random cases above, identical',
    _C + '_NLLCore._plain_rows::constant::0 -> 1#0': {
        **_for(('cross_entropy_weight_ignore_smooth', 'nll_weight_ignore', 'nll2d_deprecated_alias'),
               "the fast path's gate is False in every run of this entry (class weights, label smoothing, an "
               "ignore_index in [0, C): its argument runs change one at a time, so one always stays), and eps == 1 "
               "only makes it False where it was: the same path. Instrumented: 367 / 248 / 267 gate calls, none "
               "True, the mutant's the same in all"),
        'linear_cross_entropy_unbatched': _ROWS_ONLY},
    _C + '_NLLCore._plain_rows::constant::2 -> 1#0': {
        'cross_entropy_weight_ignore_smooth_sum':
            "the gate is False in every run of this entry (class weights or label smoothing stay), and ndim == 1 "
            "(never true of the batched lsm) only makes it False: instrumented, 182 calls, none differ",
        'linear_cross_entropy_out_features':
            'its logits are (N, C, 2, 3): lsm.ndim == 1 and == 2 are both False (instrumented: 303 calls, none '
            'differ)',
        'linear_cross_entropy_unbatched': _ROWS_ONLY},
    _C + '_NLLCore._plain_rows::constant::0 -> 1#1': _for(
        ('nll_weight_ignore', 'nll2d_deprecated_alias'),
        "the gate is False in every run of this entry (class weights or ignore_index = 1 stay), and shape[0] > 1 "
        "only makes it False: instrumented, 248 / 267 calls, none differ"),
    _C + '_NLLCore._plain_rows::compare::eps == 0 -> eps != 0#0': _for(
        ('nll2d_deprecated_alias',),
        "NLLLoss' eps is 0.0, so eps != 0 makes the gate False, and it is False in every run of this entry (class "
        "weights or ignore_index = 1 stay): instrumented, 267 calls, none differ"),
    _C + '_NLLCore._plain_rows::constant::0 -> 1#2': _for(('linear_cross_entropy_unbatched',), _ROWS_ONLY),
    'scratch/nn/linear.py::Linear.forward::compare::x.ndim == 2 -> x.ndim != 2#0': _for(
        ('linear_cross_entropy_bias_weight_smooth_ignore_sum', 'linear_cross_entropy_unbatched'),
        "LinearCrossEntropyLoss refuses inputs of rank other than 1 and 2 before its Linear runs: on a 2-d x the "
        "mutant takes x @ W.T for (W @ x.T).T, on a 1-d x (W @ x.T).T = W @ x for x @ W.T, the same dot products "
        "(the orientation is a speed choice). Measured: 12,000 random (n, 4) x (5, 4) products, float32 and "
        "float64, scales 1e-4..1e4, bit for bit the same"),
    'scratch/nn/losses/linear_cross_entropy.py::LinearCrossEntropyLoss.forward::constant::1 -> 0#1': _for(
        ('linear_cross_entropy_bias_weight_smooth_ignore_sum', 'linear_cross_entropy_probs_none',
         'linear_cross_entropy_unbatched'),
        'out_features is () for this entry: `out and x.ndim == 1` is False without evaluating x.ndim'),
    'scratch/nn/_math.py::log_softmax::axis::axis -> -1#0': _for(
        ('linear_cross_entropy_probs_none', 'linear_cross_entropy_unbatched',
         'linear_cross_entropy_chunked_auto_none'),
        'no out_features: the logits are (N, C) (an unbatched input is made (1, C) first, and the chunked path '
        'takes (rows, C) chunks), so axis 1 is the last'),
    _T + 'PairwiseDistance.backward::index::0 -> 1#0': _for(
        ('triplet_distance', 'triplet_distance_user_block_p1'),
        'TripletMarginWithDistanceLoss promotes its three inputs to one float dtype before calling the distance: '
        'PairwiseDistance always has two gradients here, and the one-gradient branch never runs'),
}
