"""Per-entry checks of the transformer stacks and the GELU feed-forward beyond the catalog's shapes (one item per
entry and check: its id is the entry's name, so the mutation audit's ``-k <entry>`` runs it for that entry):

- the entry's layer in stacks of two (TransformerEncoder / TransformerDecoder with a final LayerNorm, or
  Transformer with two layers each way), every mask a float one: the second layer's mask gradients are summed
  into the first's, and the clones are named 0 and 1 (the twin loads them by name), against torch forward and
  backward in float64;
- causal-mask detection in a batch_first stack (N != S, batched and unbatched): torch reads S from dim 1 of a
  batched input and dim 0 of an unbatched one, and a detected causal mask gets no gradient;
- a GELU layer whose feed-forward pre-activations reach +-25 (linear1's weight scaled up): every branch of the
  erfc GELU evaluates (|u| <= 0.47, <= 4, > 4), against torch forward and backward;
- dropout draws equal to p (and its neighbours) at every site: keep = draw >= p, as the twin;
- an inf in a block's input (pre-norm and post-norm): torch's NaNs, and no RuntimeWarning from scratch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference.nn
import scratch.nn
from tests.catalog import CATALOG, Lib

# isort: split
from tests.cases._recurrent_layers import fixed_masks
from tests.harness import build, build_pair, compare_pair
from tests.test_transformer_boundaries import _first_layer, _kind, _layer_kwargs, _randomized

CASES = [c for c in CATALOG if c.family == "transformer"]
STACKS = [c for c in CASES if _kind(build(c, scratch.nn, np.float64)) in ("TransformerEncoder", "TransformerDecoder",
                                                                         "Transformer")]
GELU = [c for c in CASES if type(_first_layer(build(c, scratch.nn, np.float64)).activation).__name__ == "GELU"]


def _stack(kind: str, kw: dict, layers: int):
    """make(lib): the entry's layer (kwargs ``kw``) in a stack of ``layers`` of the entry's kind."""

    def make(lib):
        e = kw["d_model"]
        if kind == "Transformer":
            block = lib.Transformer(num_encoder_layers=layers, num_decoder_layers=layers, **kw)
        else:
            block = getattr(lib, kind)(getattr(lib, kind + "Layer")(**kw), layers, norm=lib.LayerNorm(e))
        return fixed_masks(block) if kw["dropout"] else block

    return make


def _pair(make, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's note that its nested-tensor fast path is off
        s, r = (make(Lib(ns, np.float64, np.random.default_rng(11))) for ns in (scratch.nn, reference.nn))
    r.load_state_dict(s.state_dict())
    _randomized(s, r, rng)
    return s, r


def _seq(rng, n, t: int, e: int, batch_first: bool):
    shape = (t, e) if n is None else ((n, t, e) if batch_first else (t, n, e))
    return rng.uniform(-2, 2, shape)


@pytest.mark.parametrize("case", STACKS, ids=str)
def test_two_layer_stacks_with_float_masks_match_torch(case, rng):
    block = build(case, scratch.nn, np.float64)
    kind, kw = _kind(block), _layer_kwargs(_first_layer(block))
    e, h, bf = kw["d_model"], kw["nhead"], kw["batch_first"]
    s, r = _pair(_stack(kind, kw, 2), rng)
    assert [k for k in s.state_dict() if ".layers.1." in k or k.startswith("layers.1.")]  # clones 0 and 1
    n, t, m = 2, 3, 4
    tgt, mem = _seq(rng, n, t, e, bf), _seq(rng, n, m, e, bf)
    tm, mm, sm = rng.standard_normal((t, t)), rng.standard_normal((t, m)), rng.standard_normal((n * h, m, m))
    tk, mk = rng.standard_normal((n, t)), rng.standard_normal((n, m))
    if kind == "TransformerEncoder":
        args = (mem, sm, mk, False)
    elif kind == "TransformerDecoder":
        args = (tgt, mem, tm, mm, tk, mk, False, False)
    else:
        args = (mem, tgt, sm, tm, mm, mk, tk, rng.standard_normal((n, m)), False, False, False)
    compare_pair(case, np.float64, s, r, args, rng, prefix="two layers, float masks:")


@pytest.mark.parametrize("case", STACKS, ids=str)
def test_causal_detection_in_batch_first_stacks_like_torch(case, rng):
    block = build(case, scratch.nn, np.float64)
    kind, kw = _kind(block), {**_layer_kwargs(_first_layer(block)), "batch_first": True}
    e = kw["d_model"]
    s, r = _pair(_stack(kind, kw, 1), rng)
    causal = np.triu(np.full((4, 4), -np.inf), 1)  # generate_square_subsequent_mask(4)
    for n in (2, None):  # N = 2 != S = 4; unbatched (S, E)
        x, mem = _seq(rng, n, 4, e, True), _seq(rng, n, 3, e, True)
        if kind == "TransformerEncoder":
            args = (x, causal, None, None)
        elif kind == "TransformerDecoder":
            args = (x, mem, causal, None, None, None, None, False)
        else:
            args = (mem, x, None, causal, None, None, None, None, None, None, False)
        compare_pair(case, np.float64, s, r, args, rng, prefix=f"batch_first, N={n}, causal mask:")


@pytest.mark.parametrize("case", GELU, ids=str)
def test_gelu_feed_forward_over_every_erfc_branch_like_torch(case, rng):
    s, r = build_pair(case, np.float64)
    _randomized(s, r, rng)
    _first_layer(s).linear1.weight.data[...] *= 8.0
    r.load_state_dict(s.state_dict())
    compare_pair(case, np.float64, s, r, case.sample(rng, np.float64, case.shape, 1.0), rng,
                 prefix="pre-activations to +-25:")


class _DrawsAtP:
    """A generator stand-in whose ``random`` returns p itself, and its neighbours below and above, in turn."""

    def __init__(self, p: float) -> None:
        self.values = np.array([p, np.nextafter(p, 0.0), np.nextafter(p, 1.0)])

    def random(self, shape) -> np.ndarray:
        return np.resize(self.values, shape)


@pytest.mark.parametrize("case", [c for c in CASES if 0 < _first_layer(build(c, scratch.nn, np.float64)).dropout.p < 1],
                         ids=str)
def test_a_draw_equal_to_p_keeps_the_element_at_every_dropout_site_as_the_twin(case, rng):
    """keep = draw >= p at the four (six) sites: a draw equal to p keeps, one just below drops, as in the twin."""
    s, r = build_pair(case, np.float64)
    p = _first_layer(s).dropout.p
    for block in (s, r):
        block.rng = _DrawsAtP(p)
    compare_pair(case, np.float64, s, r, case.sample(rng, np.float64, case.shape, 1.0), rng, prefix="draws at p:")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_an_inf_in_the_input_gives_torchs_nans_without_a_warning(case, rng):
    """Pre-norm, the inf reaches a LayerNorm first (its row becomes NaN, as torch's); post-norm, the attention first
    (inf - inf scores: NaN); scratch's RuntimeWarnings are errors in this suite (pyproject), and none is raised,
    forward or backward."""
    s, r = build_pair(case, np.float64)
    args = list(case.sample(rng, np.float64, case.shape, 1.0))
    args[0] = args[0].copy()
    args[0].flat[5] = np.inf
    alone = build(case, scratch.nn, np.float64)  # the same block, its own gradients and masks
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = alone(*args)
        alone.backward(rng.standard_normal(out.shape))
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]
    compare_pair(case, np.float64, s, r, tuple(args), rng, prefix="an inf in the input:")
