"""TransformerEncoderLayer / TransformerEncoder checks beyond the generic catalog ones: a torch-free float64 oracle
for both norm orders, the order of the four dropout sites (masks replayed by hand), torch's fast paths (the
fused encoder kernel and the nested tensors of TransformerEncoder: what they change, and that the twin keeps
them off), the causal-mask detection, and the clones being independent copies.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import reference.nn as R
import scratch.nn as S
from tests.catalog import CATALOG  # noqa: F401  (first: the catalog imports every case family)

# isort: split
from tests.strategies import cotangent
from tests.test_attention_mha import mha_oracle
from tests.tolerances import Tol, assert_close

E, H, FF = 4, 2, 6


def layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * w + b


def layer_oracle(m: S.TransformerEncoderLayer, x, mask=None, kpm=None, masks: list | None = None, p: float = 0.0):
    """The textbook layer in float64, time-major; ``masks`` (keep arrays, in torch's site order after the
    attention's) apply dropout by hand at dropout1, dropout (feed-forward), dropout2."""
    sd = {k: np.asarray(v, np.float64) for k, v in m.state_dict().items()}
    drop = (lambda y, keep: y * keep / (1 - p)) if masks else (lambda y, keep: y)
    keeps = iter(masks or [None] * 3)

    def sa(y):
        return drop(mha_oracle(m.self_attn, y, y, y, kpm, mask), next(keeps))

    def ff(y):
        hidden = np.maximum(y @ sd["linear1.weight"].T + sd["linear1.bias"], 0)
        hidden = drop(hidden, next(keeps))
        return drop(hidden @ sd["linear2.weight"].T + sd["linear2.bias"], next(keeps))

    def n1(y):
        return layer_norm(y, sd["norm1.weight"], sd["norm1.bias"])

    def n2(y):
        return layer_norm(y, sd["norm2.weight"], sd["norm2.bias"])

    if m.norm_first:
        x = x + sa(n1(x))
        return x + ff(n2(x))
    x = n1(x + sa(x))
    return n2(x + ff(x))


def _randomized(m: S.TransformerEncoderLayer, rng) -> S.TransformerEncoderLayer:
    """Non-trivial LayerNorm and bias values (torch starts them at 1 / 0)."""
    for name, p in m.named_parameters():
        if "norm" in name or "bias" in name:
            p.data[...] = rng.uniform(-1, 1, p.data.shape) + (1.0 if name.endswith("norm1.weight") else 0.0)
    return m


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("masks", ["", "bool", "float"])
def test_layer_equals_the_textbook_composition(norm_first, masks):
    rng = np.random.default_rng(1)
    m = _randomized(S.TransformerEncoderLayer(E, H, FF, dropout=0.0, norm_first=norm_first, dtype=np.float64,
                                              rng=np.random.default_rng(0)), rng)
    x = rng.uniform(-2, 2, (5, 3, E))
    mask = kpm = None
    if masks == "bool":
        mask, kpm = rng.random((5, 5)) < 0.3, rng.random((3, 5)) < 0.3
        mask[:, 0] = kpm[:, 0] = False
    elif masks == "float":
        mask, kpm = rng.standard_normal((5, 5)), rng.standard_normal((3, 5))
    assert_close(m(x, mask, kpm), layer_oracle(m, x, mask, kpm), block="encoder_layer", check="oracle",
                 tol=Tol(1e-13, 1e-13))
    other = S.TransformerEncoderLayer(E, H, FF, dropout=0.0, norm_first=not norm_first, dtype=np.float64)
    other.load_state_dict(m.state_dict())
    assert not np.allclose(other(x, mask, kpm), m(x, mask, kpm))  # the two orders are different functions


@pytest.mark.parametrize("norm_first", [False, True])
def test_dropout_sites_draw_in_torchs_order_from_one_generator(norm_first):
    """Replay the generator by hand: the attention weights (N, h, S, S) first, then dropout1 (S, N, E), the
    feed-forward's dropout (S, N, FF), dropout2 (S, N, E). With the attention's mask drawn but the weights
    kept (p applied elsewhere), the layer equals the oracle with the three later masks."""
    rng = np.random.default_rng(2)
    p = 0.3
    m = _randomized(S.TransformerEncoderLayer(E, H, FF, dropout=p, norm_first=norm_first, dtype=np.float64,
                                              rng=np.random.default_rng(0)), rng)
    x = rng.uniform(-2, 2, (5, 3, E))
    m.rng = np.random.default_rng(7)
    m.self_attn.dropout = 0.0  # the weights stay; the generator then feeds the three other sites only
    got = m(x)
    replay = np.random.default_rng(7)
    keeps = [replay.random(shape) >= p for shape in ((5, 3, E), (5, 3, FF), (5, 3, E))]
    assert_close(got, layer_oracle(m, x, masks=keeps, p=p), block="encoder_layer", check="dropout sites",
                 tol=Tol(1e-13, 1e-13))
    m.self_attn.dropout = p  # now the attention draws first: the same replay no longer fits
    m.rng = np.random.default_rng(7)
    assert not np.allclose(m(x), got)


def test_torch_fast_paths_change_padded_rows_and_the_twin_keeps_them_off():
    """torch's eval + no_grad fast path: the fused layer kernel agrees with the math to rounding, but inside a
    TransformerEncoder (nested tensors) the padded positions come out as exact zeros. The twin (fast path off)
    and scratch give the math's values there."""
    rng = np.random.default_rng(3)
    s = S.TransformerEncoderLayer(E, H, FF, batch_first=True, dtype=np.float64, rng=np.random.default_rng(0))
    s.eval()
    enc_s = S.TransformerEncoder(s, 2, enable_nested_tensor=True)
    enc_s.eval()
    plain_layer = torch.nn.TransformerEncoderLayer(E, H, FF, batch_first=True, dtype=torch.float64).eval()
    plain_layer.load_state_dict({k: torch.from_numpy(v) for k, v in s.state_dict().items()})
    plain = torch.nn.TransformerEncoder(plain_layer, 2, enable_nested_tensor=True).eval()
    plain.load_state_dict({k: torch.from_numpy(v) for k, v in enc_s.state_dict().items()})
    twin = R.TransformerEncoder(R.TransformerEncoderLayer(E, H, FF, batch_first=True, dtype=np.float64), 2)
    twin.load_state_dict(enc_s.state_dict())
    twin.eval()
    x = rng.uniform(-2, 2, (3, 5, E))
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = kpm[2, 4] = True
    with torch.no_grad():
        fused = plain_layer(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(kpm)).numpy()
        nested = plain(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(kpm)).numpy()
        mine = twin(x, None, kpm)
    np.testing.assert_allclose(fused, s(x, None, kpm), rtol=0, atol=1e-13)
    assert (nested[kpm] == 0).all() and (np.abs(mine[kpm]) > 1e-3).all()
    np.testing.assert_allclose(nested[~kpm], mine[~kpm], rtol=0, atol=1e-13)
    assert_close(enc_s(x, None, kpm), mine, block="encoder", check="vs torch's math path", dtype=np.float64)


def test_causal_mask_detection_matches_torch():
    """TransformerEncoder(is_causal=None) detects generate_square_subsequent_mask (float or bool) and runs the
    layers with is_causal=True; a mask that differs in one entry is used as given."""
    from torch.nn.modules.transformer import _detect_is_causal_mask as torch_detect

    from scratch.nn.transformer.encoder import _detect_is_causal_mask

    causal = np.triu(np.full((4, 4), -np.inf), 1)
    almost = causal.copy()
    almost[3, 0] = -1.0
    for mask, is_causal in ((causal, None), (almost, None), (None, None), (almost, True), (causal, False)):
        want = torch_detect(None if mask is None else torch.from_numpy(mask), is_causal, 4)
        assert _detect_is_causal_mask(mask, is_causal, 4) == want


def test_encoder_clones_are_independent_copies_and_train_separately():
    rng = np.random.default_rng(4)
    base = S.TransformerEncoderLayer(E, H, FF, dropout=0.0, dtype=np.float64, rng=np.random.default_rng(0))
    enc = S.TransformerEncoder(base, 2)
    sd = enc.state_dict()
    assert [k for k in sd if k.startswith("layers.0.")] == ["layers.0." + k for k in base.state_dict()]
    np.testing.assert_array_equal(sd["layers.0.linear1.weight"], sd["layers.1.linear1.weight"])
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight is not base.linear1.weight
    x = rng.uniform(-2, 2, (5, 3, E))
    out = enc(x)
    enc.backward(cotangent(rng, out))
    g0, g1 = enc.layers[0].linear1.weight.grad, enc.layers[1].linear1.weight.grad
    assert g0 is not None and g1 is not None and not np.allclose(g0, g1) and base.linear1.weight.grad is None
