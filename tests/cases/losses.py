"""Catalog entries for the losses: every loss x every reduction x every option, with samplers that build
(input, target) pairs consistent with each loss, kink-free for finite differences, and kink samplers that plant
exact kinks (|x - y| == 0 or delta, margin - x == 0, ...) so torch's conventions there are compared.

Class-index targets are int64 (with some ignore_index entries where the case has one); probabilities sum to 1
along the class dim; BCE inputs stay in (0, 1) (its scale is mapped to saturation toward 0/1, see _bce).
Hyper-parameters that torch only rejects at call time are exercised by ``BadArgs`` that construct AND call.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from tests.cases._loss_bad_inputs import (
    _BAD_BCE,
    _BAD_BCE_LOGITS,
    _BAD_MARGIN,
    _BAD_WEIGHT_CE,
    _BAD_WEIGHT_NLL,
    _bad,
    _bce_bad,
    _bce_logits_bad,
    _hinge_bad,
    _index_bad,
    _kl_bad,
    _margin_bad,
    _probs_bad,
    _reduction_bad,
    _reg_call,
    _regression_bad,
    _w,
)
from tests.cases._loss_ctc import CTC_CASES
from tests.cases._loss_linear_cross_entropy import LINEAR_CE_CASES
from tests.cases._loss_multilabel import (
    _multilabel,
    _multilabel_bad,
    _multilabel_kinks,
    _soft_multilabel_bad,
)
from tests.cases._loss_probabilistic import (
    _gaussian,
    _gaussian_bad,
    _gaussian_kinks,
    _poisson,
    _poisson_bad,
    _poisson_kinks,
)
from tests.cases._loss_ranking import (
    _cosine,
    _cosine_bad,
    _cosine_kinks,
    _ranking,
    _ranking_bad,
    _ranking_kinks,
    _soft_margin,
    _soft_margin_bad,
)
from tests.cases._loss_samplers import (
    _N,
    _S,
    ANY_C,
    BATCH_C,
    SPATIAL,
    UNBATCHED,
    C,
    _bce,
    _bce_kinks,
    _bce_logits,
    _call,
    _classes,
    _hinge,
    _hinge_kinks,
    _kl,
    _margin,
    _margin_kinks,
    _probs,
    _regression,
    _regression_kinks,
    _weight,
    _x,
)
from tests.cases._loss_triplet import (
    _pair_kinks,
    _pairs,
    _pairs_bad,
    _triplet,
    _triplet_bad,
    _triplet_bad_args,
    _triplet_kinks,
    squared_distance,
)
from tests.catalog import BadArgs, Case
from tests.strategies import shapes


def _reg(name, make, kinks=(), kink_points=None, red_call=None, extra_bad_args=(), **kw) -> Case:
    """A regression loss entry: x = y + d with d away from the kinks; planted kinks compared with torch."""
    return Case(name, make, _regression(kinks), (5, 4), shapes=shapes(1, 4), loss=True,
                kinks=_regression_kinks(kink_points or kinks) if (kink_points or kinks) else None,
                bad_args=(_reduction_bad(red_call) if red_call else ()) + extra_bad_args, **kw)


def _cls(name, make, sample, shape=(6, C), shp=BATCH_C, **kw) -> Case:
    return Case(name, make, sample, shape, shapes=shp, loss=True, **kw)


_KL_SHAPES = shapes(1, 3)
_CE_ANY = st.one_of(ANY_C, st.tuples(_N, st.integers(1, 5), _S, _S), st.tuples(st.integers(1, 6)))
_MM_ANY = st.one_of(ANY_C, st.tuples(st.integers(1, 6)))
_COS_SHAPES = st.one_of(st.tuples(_N, st.integers(1, 5)), st.tuples(st.integers(1, 5)))  # (N, D) or (D,)


def _ranking_call(lib, red):
    return _call(lib.MarginRankingLoss(reduction=red), _x(3), _x(3) * 0.5, np.ones(3))


def _poisson_call(lib, red):
    return _call(lib.PoissonNLLLoss(reduction=red), _x(3), np.ones(3))


def _gaussian_call(lib, red):
    return _call(lib.GaussianNLLLoss(reduction=red), _x(3), _x(3) * 0.5, np.ones(3))


def _multilabel_call(lib, red):
    return _call(lib.MultiLabelMarginLoss(reduction=red), _x((2, C)), np.array([[0, 2, -1, 1], [3, -1, 0, 0]]))


def _soft_multilabel_call(lib, red):
    return _call(lib.MultiLabelSoftMarginLoss(reduction=red), _x((2, C)), np.full((2, C), 0.5))


def _cosine_call(lib, red):
    return _call(lib.CosineEmbeddingLoss(reduction=red), _x((3, 2)), _x((3, 2)) * 0.5, np.ones(3))

CASES: list[Case] = [
    # -- MSELoss ----------------------------------------------------------------------------------------------
    _reg("mse", lambda lib: lib.MSELoss(), bad_inputs=_regression_bad(), red_call=_reg_call("MSELoss")),
    _reg("mse_sum", lambda lib: lib.MSELoss(reduction="sum")),
    _reg("mse_none", lambda lib: lib.MSELoss(reduction="none")),
    Case("mse_broadcast_target", lambda lib: lib.MSELoss(), _regression((), target_shape=lambda s: s[-1:]), (5, 4),
         shapes=shapes(1, 4), loss=True),  # warns and broadcasts; the gradient is summed back to the input
    _reg("mse_legacy_size_average_false", lambda lib: lib.MSELoss(size_average=False)),  # = 'sum', with a warning
    # -- L1Loss: kink at x == y (gradient sign(0) = 0) ---------------------------------------------------------
    _reg("l1", lambda lib: lib.L1Loss(), (0.0,), bad_inputs=_regression_bad(), red_call=_reg_call("L1Loss")),
    _reg("l1_sum", lambda lib: lib.L1Loss(reduction="sum"), (0.0,)),
    _reg("l1_none", lambda lib: lib.L1Loss(reduction="none"), (0.0,)),
    # -- HuberLoss: kinks of the second derivative at |d| == delta; d == 0 planted too ---------------------------
    _reg("huber", lambda lib: lib.HuberLoss(), (-1.0, 1.0), (0.0, -1.0, 1.0), _reg_call("HuberLoss"),
         extra_bad_args=(BadArgs("delta=0", lambda lib: _call(lib.HuberLoss(delta=0.0), _x(3), _x(3))),
                         BadArgs("delta=-1", lambda lib: _call(lib.HuberLoss(delta=-1.0), _x(3), _x(3)))),
         bad_inputs=_regression_bad(huber=True, all_int=False)),
    _reg("huber_delta", lambda lib: lib.HuberLoss(reduction="sum", delta=0.5), (-0.5, 0.5), (0.0, -0.5, 0.5)),
    _reg("huber_none", lambda lib: lib.HuberLoss(reduction="none", delta=2.0), (-2.0, 2.0), (0.0, -2.0, 2.0)),
    # -- SmoothL1Loss: |d| == beta; beta = 0 is L1 (kink at 0) ---------------------------------------------------
    _reg("smooth_l1", lambda lib: lib.SmoothL1Loss(), (-1.0, 1.0), (0.0, -1.0, 1.0), _reg_call("SmoothL1Loss"),
         extra_bad_args=(BadArgs("beta=-1", lambda lib: _call(lib.SmoothL1Loss(beta=-1.0), _x(3), _x(3))),),
         bad_inputs=_regression_bad()),
    _reg("smooth_l1_beta", lambda lib: lib.SmoothL1Loss(reduction="none", beta=0.5), (-0.5, 0.5), (0.0, -0.5, 0.5)),
    _reg("smooth_l1_beta0", lambda lib: lib.SmoothL1Loss(reduction="sum", beta=0.0), (0.0,),
         bad_inputs=_regression_bad(all_int=False)),
    # -- KLDivLoss ('mean' warns: divides by numel) -------------------------------------------------------------
    Case("kl_div", lambda lib: lib.KLDivLoss(), _kl(), (5, C), shapes=_KL_SHAPES, loss=True,
         bad_inputs=_kl_bad(), bad_args=(BadArgs("reduction='foo' (at call)", lambda lib: _call(
             lib.KLDivLoss(reduction="foo"), _x((3, C)), np.full((3, C), 0.25))),)),
    Case("kl_div_batchmean", lambda lib: lib.KLDivLoss(reduction="batchmean"), _kl(), (5, C), shapes=_KL_SHAPES,
         loss=True, bad_inputs=_kl_bad()),
    Case("kl_div_sum", lambda lib: lib.KLDivLoss(reduction="sum"), _kl(), (5, C), shapes=_KL_SHAPES, loss=True),
    Case("kl_div_none", lambda lib: lib.KLDivLoss(reduction="none"), _kl(), (5, C), shapes=_KL_SHAPES, loss=True),
    Case("kl_div_log_target", lambda lib: lib.KLDivLoss(reduction="batchmean", log_target=True), _kl(True), (5, C),
         shapes=_KL_SHAPES, loss=True),
    Case("kl_div_log_target_none", lambda lib: lib.KLDivLoss(reduction="none", log_target=True), _kl(True),
         (5, C), shapes=_KL_SHAPES, loss=True),
    # -- HingeEmbeddingLoss: kink where margin - x == 0 (clamp passes the gradient there) ------------------------
    Case("hinge_embedding", lambda lib: lib.HingeEmbeddingLoss(), _hinge(), (5, 4), shapes=shapes(1, 4),
         loss=True, kinks=_hinge_kinks(1.0), bad_inputs=_hinge_bad(), bad_args=_reduction_bad(
             lambda lib, red: _call(lib.HingeEmbeddingLoss(reduction=red), _x((3, 4)), np.ones((3, 4))))),
    Case("hinge_embedding_margin_sum", lambda lib: lib.HingeEmbeddingLoss(margin=0.5, reduction="sum"),
         _hinge(0.5), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_hinge_kinks(0.5)),
    Case("hinge_embedding_none", lambda lib: lib.HingeEmbeddingLoss(margin=-0.25, reduction="none"),
         _hinge(-0.25), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_hinge_kinks(-0.25)),
    Case("hinge_embedding_other_targets", lambda lib: lib.HingeEmbeddingLoss(reduction="none"),
         _hinge(1.0, (-1.0, 0.0, 1.0, 2.0)), (5, 4), shapes=shapes(1, 4), loss=True,
         kinks=_hinge_kinks(1.0, (-1.0, 0.0, 1.0, 2.0))),
    # -- CrossEntropyLoss: class indices ---------------------------------------------------------------------------
    _cls("cross_entropy", lambda lib: lib.CrossEntropyLoss(), _classes(-100), shp=_CE_ANY,
         bad_inputs=_index_bad(), bad_args=_BAD_WEIGHT_CE),
    _cls("cross_entropy_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum"), _classes(-100), shp=_CE_ANY),
    _cls("cross_entropy_none", lambda lib: lib.CrossEntropyLoss(reduction="none"), _classes(-100), shp=_CE_ANY),
    _cls("cross_entropy_weight", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _classes(),
         bad_inputs=_index_bad(weighted=True)),
    _cls("cross_entropy_ignore_index_in_range", lambda lib: lib.CrossEntropyLoss(ignore_index=2, reduction="sum"),
         _classes()),
    _cls("cross_entropy_weight_ignore_smooth", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), ignore_index=-100, label_smoothing=0.2), _classes(-100)),
    _cls("cross_entropy_weight_ignore_smooth_sum", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="sum", label_smoothing=0.3), _classes(-100)),
    _cls("cross_entropy_smooth_none", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="none", label_smoothing=0.3), _classes(-100)),
    _cls("cross_entropy_smooth_full", lambda lib: lib.CrossEntropyLoss(label_smoothing=1.0), _classes(-100),
         shp=_CE_ANY),
    _cls("cross_entropy_2d", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib), label_smoothing=0.1),
         _classes(-100), (2, C, 3, 2), SPATIAL, bad_inputs=_index_bad(weighted=True, spatial=True)),
    _cls("cross_entropy_2d_none", lambda lib: lib.CrossEntropyLoss(reduction="none"), _classes(-100),
         (2, C, 3, 2), SPATIAL),
    _cls("cross_entropy_3d_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum", weight=_weight(lib)),
         _classes(-100), (2, C, 2, 2, 2), st.tuples(_N, st.just(C), _S, _S, _S)),
    _cls("cross_entropy_unbatched", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _classes(), (C,),
         UNBATCHED),
    _cls("cross_entropy_unbatched_none", lambda lib: lib.CrossEntropyLoss(reduction="none", label_smoothing=0.2),
         _classes(), (C,), UNBATCHED),
    # -- CrossEntropyLoss: probability targets --------------------------------------------------------------------
    _cls("cross_entropy_probs", lambda lib: lib.CrossEntropyLoss(), _probs, shp=_CE_ANY, bad_inputs=_probs_bad()),
    _cls("cross_entropy_probs_smooth", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib), label_smoothing=0.25),
         _probs),
    _cls("cross_entropy_probs_sum", lambda lib: lib.CrossEntropyLoss(reduction="sum"), _probs, shp=_CE_ANY),
    _cls("cross_entropy_probs_none", lambda lib: lib.CrossEntropyLoss(
        weight=_weight(lib), reduction="none", label_smoothing=0.1), _probs),
    _cls("cross_entropy_probs_2d", lambda lib: lib.CrossEntropyLoss(weight=_weight(lib)), _probs, (2, C, 3, 2),
         SPATIAL),
    _cls("cross_entropy_probs_unbatched", lambda lib: lib.CrossEntropyLoss(reduction="none"), _probs, (C,),
         UNBATCHED),
    # -- NLLLoss (input: log-probabilities) ------------------------------------------------------------------------
    _cls("nll", lambda lib: lib.NLLLoss(), _classes(-100, log_probs=True), shp=_CE_ANY,
         bad_inputs=_index_bad(log_probs=True), bad_args=_BAD_WEIGHT_NLL),
    _cls("nll_sum", lambda lib: lib.NLLLoss(reduction="sum"), _classes(-100, log_probs=True), shp=_CE_ANY),
    _cls("nll_none", lambda lib: lib.NLLLoss(reduction="none"), _classes(-100, log_probs=True), shp=_CE_ANY),
    _cls("nll_weight_ignore", lambda lib: lib.NLLLoss(weight=_weight(lib), ignore_index=1),
         _classes(log_probs=True), bad_inputs=_index_bad(log_probs=True, weighted=True)),
    _cls("nll_2d", lambda lib: lib.NLLLoss(weight=_weight(lib), reduction="none"), _classes(-100, log_probs=True),
         (2, C, 3, 2), SPATIAL, bad_inputs=_index_bad(log_probs=True, weighted=True, spatial=True)),
    _cls("nll_unbatched", lambda lib: lib.NLLLoss(reduction="sum"), _classes(log_probs=True), (C,), UNBATCHED),
    _cls("nll_uint8_target", lambda lib: lib.NLLLoss(weight=_weight(lib)),
         _classes(log_probs=True, tdtype=np.uint8)),
    _cls("nll2d_deprecated_alias", lambda lib: lib.NLLLoss2d(weight=_weight(lib), ignore_index=1),
         _classes(log_probs=True), (2, C, 3, 2), SPATIAL),
    _cls("nll2d_sum", lambda lib: lib.NLLLoss2d(reduction="sum"), _classes(log_probs=True), (1, C, 2, 3)),
    _cls("nll2d_none", lambda lib: lib.NLLLoss2d(reduction="none"), _classes(log_probs=True), (1, C, 3, 1)),
    # -- BCELoss (input probabilities; kinks: x exactly 0 or 1) -----------------------------------------------------
    _cls("bce", lambda lib: lib.BCELoss(), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks, bad_inputs=_bce_bad(),
         bad_args=_BAD_BCE),
    _cls("bce_sum", lambda lib: lib.BCELoss(reduction="sum"), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks),
    _cls("bce_none", lambda lib: lib.BCELoss(reduction="none"), _bce, (5, C), shapes(1, 4), kinks=_bce_kinks),
    _cls("bce_weight", lambda lib: lib.BCELoss(weight=_weight(lib)), _bce, (5, C), shapes(1, 3, fixed_last=C),
         kinks=_bce_kinks, bad_inputs=_bce_bad(weighted=True)),
    _cls("bce_weight_column_none", lambda lib: lib.BCELoss(weight=_w(lib, 5, 1), reduction="none"), _bce, (5, C),
         st.tuples(st.just(5), _N), kinks=_bce_kinks),
    # -- BCEWithLogitsLoss (stable at +-1e4 logits) ------------------------------------------------------------------
    _cls("bce_logits", lambda lib: lib.BCEWithLogitsLoss(), _bce_logits, (5, C), shapes(1, 4),
         bad_inputs=_bce_logits_bad(), bad_args=_BAD_BCE_LOGITS),
    _cls("bce_logits_sum", lambda lib: lib.BCEWithLogitsLoss(reduction="sum"), _bce_logits, (5, C), shapes(1, 4)),
    _cls("bce_logits_none", lambda lib: lib.BCEWithLogitsLoss(reduction="none"), _bce_logits, (5, C),
         shapes(1, 4)),
    _cls("bce_logits_pos_weight", lambda lib: lib.BCEWithLogitsLoss(pos_weight=_weight(lib)), _bce_logits,
         (5, C), shapes(1, 3, fixed_last=C), bad_inputs=_bce_logits_bad()),
    _cls("bce_logits_weight_pos_weight_none", lambda lib: lib.BCEWithLogitsLoss(
        weight=_w(lib, 5, 1), pos_weight=_weight(lib), reduction="none"), _bce_logits, (5, C),
        st.tuples(st.just(5), st.just(C))),
    # -- MultiMarginLoss (kinks: margin - x[y] + x[i] == 0; divides by C) ------------------------------------------
    _cls("multi_margin", lambda lib: lib.MultiMarginLoss(), _margin(), (6, C), _MM_ANY, kinks=_margin_kinks(1.0),
         bad_inputs=_margin_bad(), bad_args=_BAD_MARGIN),
    _cls("multi_margin_sum", lambda lib: lib.MultiMarginLoss(reduction="sum", margin=0.5), _margin(0.5), (6, C),
         _MM_ANY, kinks=_margin_kinks(0.5)),
    _cls("multi_margin_none", lambda lib: lib.MultiMarginLoss(reduction="none"), _margin(), (6, C), _MM_ANY,
         kinks=_margin_kinks(1.0), bad_inputs=(_bad("empty batch", lambda rng, dt: (
             np.zeros((0, C), dt), np.zeros(0, np.int64))),)),  # 'mean'/'sum' of an empty batch: torch is garbage
    _cls("multi_margin_p2_weight", lambda lib: lib.MultiMarginLoss(p=2, margin=0.75, weight=_weight(lib)),
         _margin(0.75), (6, C), kinks=_margin_kinks(0.75), bad_inputs=_margin_bad(weighted=True)),
    _cls("multi_margin_p2_none", lambda lib: lib.MultiMarginLoss(p=2, reduction="none"), _margin(), (6, C),
         _MM_ANY, kinks=_margin_kinks(1.0)),
    _cls("multi_margin_unbatched", lambda lib: lib.MultiMarginLoss(weight=_weight(lib), reduction="none"),
         _margin(), (C,), UNBATCHED, kinks=_margin_kinks(1.0)),
    # -- SoftMarginLoss: torch's log1p(exp(-y x)), inf loss and NaN gradient where exp overflows (1e2/1e4) --------
    Case("soft_margin", lambda lib: lib.SoftMarginLoss(), _soft_margin(), (5, 4), shapes=shapes(1, 4), loss=True,
         bad_inputs=_soft_margin_bad(), bad_args=_reduction_bad(
             lambda lib, red: _call(lib.SoftMarginLoss(reduction=red), _x((3, 4)), np.ones((3, 4))))),
    Case("soft_margin_sum", lambda lib: lib.SoftMarginLoss(reduction="sum"), _soft_margin(), (5, 4),
         shapes=shapes(1, 4), loss=True),
    Case("soft_margin_none_any_targets", lambda lib: lib.SoftMarginLoss(reduction="none"),
         _soft_margin((-1.0, 1.0, 0.0, 0.5, -2.0)), (5, 4), shapes=shapes(1, 4), loss=True),
    # -- MarginRankingLoss (input1, input2, target; kink where -y (x1 - x2) + margin == 0) --------------------------
    Case("margin_ranking", lambda lib: lib.MarginRankingLoss(), _ranking(), (6,), shapes=shapes(1, 3), loss=True,
         kinks=_ranking_kinks(0.0), bad_inputs=_ranking_bad(), bad_args=_reduction_bad(_ranking_call)),
    Case("margin_ranking_margin_sum", lambda lib: lib.MarginRankingLoss(margin=0.5, reduction="sum"), _ranking(0.5),
         (6,), shapes=shapes(1, 3), loss=True, kinks=_ranking_kinks(0.5)),
    Case("margin_ranking_none", lambda lib: lib.MarginRankingLoss(margin=-0.25, reduction="none"),
         _ranking(-0.25), (3, 4), shapes=shapes(1, 3), loss=True, kinks=_ranking_kinks(-0.25)),
    # -- CosineEmbeddingLoss (kinks: orthogonal pairs, cos == 0 == margin; zero vectors) ----------------------------
    Case("cosine_embedding", lambda lib: lib.CosineEmbeddingLoss(), _cosine(), (5, 3), shapes=_COS_SHAPES, loss=True,
         kinks=_cosine_kinks, bad_inputs=_cosine_bad(), bad_args=_reduction_bad(_cosine_call)),
    Case("cosine_embedding_margin_sum", lambda lib: lib.CosineEmbeddingLoss(margin=0.3, reduction="sum"),
         _cosine(0.3), (5, 3), shapes=_COS_SHAPES, loss=True),
    Case("cosine_embedding_none_any_targets", lambda lib: lib.CosineEmbeddingLoss(margin=-0.2, reduction="none"),
         _cosine(-0.2, (-1.0, 1.0, 0.0, 2.0)), (5, 3), shapes=_COS_SHAPES, loss=True),
    Case("cosine_embedding_unbatched", lambda lib: lib.CosineEmbeddingLoss(margin=0.1), _cosine(0.1), (4,),
         shapes=st.tuples(st.integers(1, 5)), loss=True),
    # -- PoissonNLLLoss (Stirling's term where t > 1; exp(x) overflows at 1e2/1e4 as torch's) -----------------------
    Case("poisson_nll", lambda lib: lib.PoissonNLLLoss(), _poisson(), (5, 4), shapes=shapes(1, 4), loss=True,
         kinks=_poisson_kinks(), bad_inputs=_poisson_bad(), bad_args=_reduction_bad(_poisson_call)),
    Case("poisson_nll_full_sum", lambda lib: lib.PoissonNLLLoss(full=True, reduction="sum"), _poisson(True, True),
         (5, 4), shapes=shapes(1, 4), loss=True, kinks=_poisson_kinks()),
    Case("poisson_nll_rate_none", lambda lib: lib.PoissonNLLLoss(log_input=False, reduction="none"),
         _poisson(False), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_poisson_kinks(False),
         bad_inputs=_poisson_bad(False)),
    Case("poisson_nll_rate_full_eps", lambda lib: lib.PoissonNLLLoss(log_input=False, full=True, eps=1e-3),
         _poisson(False, True), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_poisson_kinks(False)),
    # -- GaussianNLLLoss (input, target, var; kinks: var at and below the eps clamp) --------------------------------
    Case("gaussian_nll", lambda lib: lib.GaussianNLLLoss(), _gaussian(), (5, 4), shapes=shapes(1, 4), loss=True,
         kinks=_gaussian_kinks(), bad_inputs=_gaussian_bad(), bad_args=_reduction_bad(_gaussian_call)),
    Case("gaussian_nll_var_last1_sum", lambda lib: lib.GaussianNLLLoss(reduction="sum"), _gaussian("last1"), (5, 4),
         shapes=shapes(1, 4), loss=True, kinks=_gaussian_kinks("last1")),
    Case("gaussian_nll_var_fewer_full_none", lambda lib: lib.GaussianNLLLoss(full=True, reduction="none"),
         _gaussian("fewer"), (5, 4), shapes=shapes(1, 4), loss=True, kinks=_gaussian_kinks("fewer")),
    Case("gaussian_nll_var_mid1_eps", lambda lib: lib.GaussianNLLLoss(eps=0.25), _gaussian("mid1"), (2, 3, 4),
         shapes=st.tuples(_N, _S, _S), loss=True, kinks=_gaussian_kinks("mid1")),
    Case("gaussian_nll_float_var", lambda lib: lib.GaussianNLLLoss(reduction="sum"), _gaussian("float"), (5, 4),
         shapes=shapes(1, 4), loss=True),
    # -- MultiLabelMarginLoss (label lists ended by -1; kink z == 0: no gradient, torch's `z > 0`) -----------------
    _cls("multilabel_margin", lambda lib: lib.MultiLabelMarginLoss(), _multilabel, (5, C), _MM_ANY,
         kinks=_multilabel_kinks, bad_inputs=_multilabel_bad(), bad_args=_reduction_bad(_multilabel_call)),
    _cls("multilabel_margin_sum", lambda lib: lib.MultiLabelMarginLoss(reduction="sum"), _multilabel, (5, C),
         _MM_ANY, kinks=_multilabel_kinks),
    _cls("multilabel_margin_none", lambda lib: lib.MultiLabelMarginLoss(reduction="none"), _multilabel, (5, C),
         _MM_ANY, kinks=_multilabel_kinks, bad_inputs=(_bad("empty batch", lambda rng, dt: (
             np.zeros((0, C), dt), np.zeros((0, C), np.int64))),)),  # 'mean'/'sum' of an empty batch: torch is garbage
    _cls("multilabel_margin_unbatched", lambda lib: lib.MultiLabelMarginLoss(reduction="none"), _multilabel, (C,),
         st.tuples(st.integers(1, 6)), kinks=_multilabel_kinks),
    # -- MultiLabelSoftMarginLoss (stable at +-1e4 logits; weight per class) ---------------------------------------
    _cls("multilabel_soft_margin", lambda lib: lib.MultiLabelSoftMarginLoss(), _bce_logits, (5, C), shapes(1, 3),
         bad_inputs=_soft_multilabel_bad(), bad_args=_reduction_bad(_soft_multilabel_call)),
    _cls("multilabel_soft_margin_weight_sum", lambda lib: lib.MultiLabelSoftMarginLoss(weight=_weight(lib),
                                                                                       reduction="sum"),
         _bce_logits, (5, C), shapes(1, 3, fixed_last=C), bad_inputs=(_bad(
             "input of another class count than the weight", lambda rng, dt: _bce_logits(rng, dt, (3, C + 1))),)),
    _cls("multilabel_soft_margin_weight_none", lambda lib: lib.MultiLabelSoftMarginLoss(
        weight=_weight(lib), reduction="none"), _bce_logits, (5, C), shapes(1, 3, fixed_last=C)),
    # -- TripletMarginLoss (anchor, positive, negative; kinks: the swap's tie, u == 0 with p = 1, eps = 0) ------------
    Case("triplet_margin", lambda lib: lib.TripletMarginLoss(), _triplet(), (5, 4), shapes=_COS_SHAPES, loss=True,
         bad_inputs=_triplet_bad(), bad_args=_triplet_bad_args("TripletMarginLoss")),
    Case("triplet_margin_swap_sum", lambda lib: lib.TripletMarginLoss(margin=0.5, swap=True, reduction="sum"),
         _triplet(0.5, swap=True), (5, 4), shapes=_COS_SHAPES, loss=True, kinks=_triplet_kinks(0.5)),
    Case("triplet_margin_p1_eps0_swap_none", lambda lib: lib.TripletMarginLoss(
        margin=0.75, p=1.0, eps=0.0, swap=True, reduction="none"), _triplet(0.75, 1.0, 0.0, True), (5, 4),
         shapes=_COS_SHAPES, loss=True, kinks=_triplet_kinks(0.75, plant_hinge=True)),
    Case("triplet_margin_p3", lambda lib: lib.TripletMarginLoss(margin=2.0, p=3.0), _triplet(2.0, 3.0), (5, 4),
         shapes=_COS_SHAPES, loss=True),
    Case("triplet_margin_pinf_none", lambda lib: lib.TripletMarginLoss(p=math.inf, reduction="none"),
         _triplet(p=math.inf), (5, 4), shapes=_COS_SHAPES, loss=True, kinks=_triplet_kinks()),
    Case("triplet_margin_p05_eps", lambda lib: lib.TripletMarginLoss(margin=3.0, p=0.5, eps=1e-3, reduction="sum"),
         _triplet(3.0, 0.5, 1e-3), (5, 4), shapes=_COS_SHAPES, loss=True),
    Case("triplet_margin_p0", lambda lib: lib.TripletMarginLoss(margin=2.0, p=0.0, reduction="none"),
         _triplet(2.0, 0.0), (5, 4), shapes=_COS_SHAPES, loss=True),  # a count: torch's graph has no gradient
    # -- TripletMarginWithDistanceLoss (default PairwiseDistance, a user pair (fn, grad), a user block) -------------
    Case("triplet_distance", lambda lib: lib.TripletMarginWithDistanceLoss(), _triplet(), (5, 4),
         shapes=_COS_SHAPES, loss=True, bad_inputs=_triplet_bad(),
         bad_args=_triplet_bad_args("TripletMarginWithDistanceLoss")),
    Case("triplet_distance_swap_none", lambda lib: lib.TripletMarginWithDistanceLoss(
        margin=0.5, swap=True, reduction="none"), _triplet(0.5, swap=True), (5, 4), shapes=_COS_SHAPES, loss=True,
         kinks=_triplet_kinks(0.5)),
    Case("triplet_distance_user_fn_swap_sum", lambda lib: lib.TripletMarginWithDistanceLoss(
        distance_function=squared_distance(lib), margin=2.0, swap=True, reduction="sum"),
         _triplet(2.0, swap=True, dist=lambda x1, x2: ((x1 - x2) ** 2).sum(-1)), (5, 4), shapes=_COS_SHAPES,
         loss=True, kinks=_triplet_kinks(2.0)),
    Case("triplet_distance_user_block_p1", lambda lib: lib.TripletMarginWithDistanceLoss(
        distance_function=lib.PairwiseDistance(p=1.0, eps=0.0), margin=0.75, reduction="mean"),
         _triplet(0.75, 1.0, 0.0), (5, 4), shapes=_COS_SHAPES, loss=True,
         kinks=_triplet_kinks(0.75, plant_hinge=True)),
    # -- PairwiseDistance: the default distance of TripletMarginWithDistanceLoss (a block: two inputs, no target) ----
    Case("pairwise_distance", lambda lib: lib.PairwiseDistance(), _pairs(), (5, 4), shapes=_COS_SHAPES,
         bad_inputs=_pairs_bad()),
    Case("pairwise_distance_p1_eps0_keepdim", lambda lib: lib.PairwiseDistance(p=1.0, eps=0.0, keepdim=True),
         _pairs(1.0, 0.0), (5, 4), shapes=_COS_SHAPES, kinks=_pair_kinks, bad_inputs=_pairs_bad()),
    Case("pairwise_distance_pinf_eps0", lambda lib: lib.PairwiseDistance(p=math.inf, eps=0.0), _pairs(math.inf, 0.0),
         (5, 4), shapes=_COS_SHAPES, kinks=_pair_kinks, bad_inputs=_pairs_bad()),
    Case("pairwise_distance_p05_eps0", lambda lib: lib.PairwiseDistance(p=0.5, eps=0.0), _pairs(0.5, 0.0), (5, 4),
         shapes=_COS_SHAPES, kinks=_pair_kinks),
    Case("pairwise_distance_p3", lambda lib: lib.PairwiseDistance(p=3.0), _pairs(3.0), (5, 4), shapes=_COS_SHAPES),
    Case("pairwise_distance_p2_eps0", lambda lib: lib.PairwiseDistance(eps=0.0), _pairs(2.0, 0.0), (5, 4),
         shapes=_COS_SHAPES, kinks=_pair_kinks),
    *CTC_CASES,  # CTCLoss: tests/cases/_loss_ctc.py
    *LINEAR_CE_CASES,  # LinearCrossEntropyLoss: tests/cases/_loss_linear_cross_entropy.py
]
