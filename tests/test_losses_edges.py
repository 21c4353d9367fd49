"""Loss inputs at edges the catalog's samples and bad inputs do not reach (the mutation audit found these
unchecked), each compared with torch by the bad-input check (the same error class, or the same values and
gradients under random cotangents): a distance exactly 0 with the default eps, a triplet hinge exactly 0 under a
user distance, one integer input of PairwiseDistance, a masked class (a -inf score off the target) on
CrossEntropyLoss' and NLLLoss' general path, spatial logits whose rows are far apart along the last dim.

Each input is run for the entries whose configuration it exercises, parametrized by their names (the audit of an
entry runs ``-k <entry>`` here). Float64 only where the edge is exact in float64 alone (eps = 1e-6 is not a
float32 number; scratch's float32 distances are float64 ones rounded once)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import scratch.nn as S
from tests import test_blocks
from tests.cases._loss_ctc import _ctc
from tests.cases._loss_samplers import C
from tests.catalog import BY_NAME, BadInput
from tests.harness import build
from tests.test_losses_configurations import with_arguments


def _zero_distance(rng, dt, triplet: bool):
    """Row 0: x1 = 0, x2 = 1e-6 (the default eps), so x1 - x2 + eps is exactly 0 in float64 (d = 0: torch's norm
    gradient is 0 there, not v / d); the negative 0.1 from the anchor in every entry of row 0 (an active hinge)."""
    a, q = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    a[0], q[0] = 0.0, 1e-6
    if not triplet:
        return a, q
    n = rng.standard_normal((3, 4))
    n[0] = 0.1
    return a, q, n


def _user_fn_hinge_at_zero(rng, dt):
    """Row 0: a = p = 0, n = (1, 1, 0, 0): squared distances 0 and 2 == margin, so u = 0 exactly (torch's clamp_min
    passes the gradient there); d(a, n) == d(p, n) too (the swap's tie). Rows 1, 2 drawn."""
    a, q, n = (rng.standard_normal((3, 4)).astype(dt) for _ in range(3))
    a[0], q[0], n[0] = 0.0, 0.0, (1.0, 1.0, 0.0, 0.0)
    return a, q, n


def _masked_class_general_path(rng, dt):
    """A -inf score off row 0's target (class 0) and an ignored row: the general path (not the rows fast path),
    where the loss stays finite and nothing multiplies the -inf."""
    x = rng.standard_normal((4, C)).astype(dt)
    x[0, 1] = -np.inf
    return x, np.array([0, -100, 2, 3])


def _spatial_far_apart(rng, dt):
    """(2, C, 3) logits, every target a class (no ignore_index of any entry among them), class 0 at 1e3 in
    position 0 only: a max taken along the wrong dim shifts the other positions by 1e3 (their exp underflows);
    a gather or sum along the wrong dim picks the wrong entries."""
    x = rng.standard_normal((2, C, 3)).astype(dt)
    x[0, 0, 0] = 1e3
    return x, np.array([[0, 1, 3], [3, 0, 1]])


def _ctc_lengths(targets, il, tl):
    """(5, 3, 4) log-probabilities with these targets and lengths."""
    return lambda rng, dt: (_ctc()(rng, dt, (5, 3, 4))[0], np.array(targets), np.array(il), np.array(tl))


_PAIRS = ("pairwise_distance", "pairwise_distance_p1_eps0_keepdim", "pairwise_distance_pinf_eps0",
          "pairwise_distance_p05_eps0", "pairwise_distance_p3", "pairwise_distance_p2_eps0")
_INDEX_UNSMOOTHED = ("cross_entropy", "cross_entropy_sum", "cross_entropy_none", "nll", "nll_sum", "nll_none",
                     "nll2d_sum", "nll2d_none")
EDGES: dict[str, tuple[tuple[BadInput, tuple], ...]] = {
    "float64 x1 with an int64 x2 (one gradient)": (BadInput("", lambda rng, dt: (
        rng.standard_normal((3, 4)).astype(dt), rng.integers(-3, 4, (3, 4)))), _PAIRS),
    "int64 x1 with a float64 x2 (one gradient)": (BadInput("", lambda rng, dt: (
        rng.integers(-3, 4, (3, 4)), rng.standard_normal((3, 4)).astype(dt))), _PAIRS),
    "x1 - x2 + eps exactly 0 in a row": (BadInput("", lambda rng, dt: _zero_distance(rng, dt, False)),
                                         ("pairwise_distance",)),
    "anchor - positive + eps exactly 0 in a row": (BadInput("", lambda rng, dt: _zero_distance(rng, dt, True)), (
        "triplet_margin", "triplet_margin_swap_sum", "triplet_distance", "triplet_distance_swap_none")),
    "hinge exactly 0 (and the swap's tie)": (BadInput("", _user_fn_hinge_at_zero),
                                             ("triplet_distance_user_fn_swap_sum",)),
    "a -inf score off the target and an ignored row": (BadInput("", _masked_class_general_path), _INDEX_UNSMOOTHED),
    "spatial logits 1e3 apart along the last dim": (BadInput("", _spatial_far_apart), (
        "cross_entropy_ignore_index_in_range", "cross_entropy_sum", "cross_entropy_none")),
    # torch's smoothing path with class weights gathers them with the target itself ('mean'): a uint8 one is refused
    "a (5, C) input with a uint8 target": (BadInput("", lambda rng, dt: (
        rng.standard_normal((5, C)).astype(dt), rng.integers(0, C, 5).astype(np.uint8))), ("cross_entropy_2d",)),
    "empty batch": (BadInput("", lambda rng, dt: (np.zeros((0, C), dt), np.zeros(0, np.int64))),
                    ("multi_margin_p2_none",)),
    "a target of the other float dtype": (BadInput("", lambda rng, dt: (
        rng.uniform(0.1, 0.9, (5, C)).astype(dt), rng.uniform(0.1, 0.9, (5, C)).astype(
            np.float32 if np.dtype(dt) == np.float64 else np.float64))), ("bce_weight_column_none",)),
    # CTCLoss: the lengths' edges one at a time (together, an inf loss hides the others in a sum)
    "an empty input with an empty target (loss 0)": (BadInput("", _ctc_lengths(
        [[1, 2, 3], [1, 1, 0], [2, 0, 0]], [5, 0, 4], [3, 0, 1])), ("ctc", "ctc_concat_lists_sum")),
    "an empty input with a target (loss inf)": (BadInput("", _ctc_lengths(
        [[1, 2, 3], [1, 1, 0], [2, 0, 0]], [5, 0, 4], [3, 1, 1])), ("ctc", "ctc_impossible_none")),
    "an input of one frame": (BadInput("", _ctc_lengths([[1, 2, 3], [1, 1, 0], [2, 0, 0]], [5, 1, 4], [3, 1, 1])),
                              ("ctc", "ctc_impossible_none", "ctc_concat_lists_sum")),
    "a target of one label, the blank (torch's gradient quirk)": (BadInput("", _ctc_lengths(
        [[0, 0], [1, 2], [2, 0]], [5, 5, 4], [1, 2, 1])), ("ctc", "ctc_impossible_zero_infinity")),
    "concatenated targets of one label in all": (BadInput("", _ctc_lengths([2], [5, 5, 4], [1, 0, 0])),
                                                 ("ctc_blank_last_zero_infinity_none",)),
}
_FLOAT64_ONLY = {"x1 - x2 + eps exactly 0 in a row", "anchor - positive + eps exactly 0 in a row"}


def _params():
    for label, (bad, entries) in EDGES.items():
        for name in entries:
            for dtype in (np.float64,) if label in _FLOAT64_ONLY else (np.float64, np.float32):
                yield pytest.param(BY_NAME[name], BadInput(label, bad.sample), dtype,
                                   id=f"{name}-{label}-{np.dtype(dtype).name}")


@pytest.mark.parametrize("case, bad, dtype", list(_params()))
def test_loss_edge_like_torch(case, bad, dtype, rng):
    test_blocks.test_bad_input_like_torch(case, bad, dtype, rng)


def _nan_in_row_0(rng, dt):
    x1, x2 = rng.standard_normal((3, 4)).astype(dt), rng.standard_normal((3, 4)).astype(dt)
    x1[0, 1] = np.nan
    return x1, x2


def _one_class(shape):
    """One class: log_softmax is 0 whatever the logit, here +-1e3 (past exp's range)."""
    return lambda rng, dt: (np.where(rng.random(shape) < 0.5, -1e3, 1e3).astype(dt),
                            np.zeros(shape[:1] + shape[2:], np.int64))


# (entry, other values of its arguments (tests/test_losses_arguments.py runs them on the entry's sample only),
#  label, input): edges that exist only under those values
ARGUMENT_EDGES = [
    ("pairwise_distance", {"p": 1.0}, "p = 1, a NaN difference (torch's sign(NaN) is 0)", _nan_in_row_0),
    ("cross_entropy_probs_unbatched", {"label_smoothing": 0.3}, "smoothing, no classes (C = 0)",
     lambda rng, dt: (np.zeros(0, dt), np.zeros(0, dt))),
    ("cross_entropy_smooth_none", {"weight": None}, "one class, one row, at +-1e3", _one_class((1, 1))),
    ("cross_entropy_3d_sum", {"weight": None}, "one class at +-1e3, one position", _one_class((1, 1, 1, 1, 1))),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name, override, label, sample", ARGUMENT_EDGES,
                         ids=[f"{e[0]}-{e[2]}" for e in ARGUMENT_EDGES])
def test_loss_edge_with_other_arguments_like_torch(name, override, label, sample, dtype, rng):
    test_blocks.test_bad_input_like_torch(with_arguments(BY_NAME[name], override), BadInput(label, sample), dtype, rng)


@pytest.mark.parametrize("case", [c for c in BY_NAME.values() if c.name.startswith("nll2d")], ids=str)
def test_nll2d_deprecation_names_the_constructing_line_like_torch(case):
    """NLLLoss2d's FutureWarning is attributed to the caller's line (stacklevel 2), as torch.nn.NLLLoss2d's (the
    twin's wrapper would add a frame of its own: torch's class is called directly)."""
    s = build(case, S, np.float64)
    kwargs = dict(ignore_index=s.ignore_index, reduction=s.reduction)
    where = []
    for cls in (S.NLLLoss2d, torch.nn.NLLLoss2d):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            cls(**kwargs)
        where.append([(w.category, w.filename, w.lineno) for w in rec])
    assert where[0] == where[1] and len(where[0]) == 1 and where[0][0][1] == __file__, where
