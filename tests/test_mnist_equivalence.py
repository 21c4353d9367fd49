"""MNIST end to end: a scratch network and its torch twin trained side by side agree step by step.

Float64 (where only rounding separates the sides): per-step losses to 1e-8 relative and final parameters and
buffers to the float64 table (1e-7) over
  * seed 000: 1000 steps of SGD + L2 on the weights, batch 16 (one full epoch, 3750 steps, with -m slow);
  * seed 002: 300 steps of the dropout network (shared masks), batch 100 on the first 1000 images;
  * seed 001: 300 steps of the BatchNorm + ELU network, batch 32 (running statistics compared too);
  * lenet5: 200 steps of LeNet-5 (conv, max pool, SGD with momentum), batch 64;
  * lstm-rows: 200 steps of the row LSTM (Adam, gradient clipping active), batch 8 on 1600 images;
  * vit: 100 steps of the small vision transformer (Adam, dropout at every site), batch 16.
Float32: the documented envelope (FLOAT32_ENVELOPE; measured figures in docs/mnist.md).
The batch order and the dropout masks are checked on their own as well.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import reference.nn as rnn
import scratch.nn as snn
from reference.mnist.experiments import EXPERIMENTS
from reference.mnist.runner import History, reference_batches, run
from reference.mnist.threads import get_blas_threads, set_blas_threads
from scratch.data import DataLoader
from tests.tolerances import Tol, assert_close

LOSS_TOL_F64 = Tol(rtol=1e-8, atol=0.0, reason="issue 6: per-step losses agree to 1e-8 relative in float64")

# float32 envelope: the largest per-step relative loss difference and the largest final |parameter or buffer
# difference| allowed after the given number of steps, about 10x what was measured (docs/mnist.md). The sides
# round differently (numpy's OpenBLAS and torch's MKL sum in different orders, ~1e-7 relative per product) and
# SGD carries the differences forward, so they grow with the number of steps: mlp600-sgd measured 1.4e-6 / 1.9e-7
# after 1000 steps, but 1.8e-4 after 2000 and 2.8e-3 / 8.7e-4 after 3750 (a ReLU or argmax decision flips);
# bn-elu 4.5e-7 / 1.2e-6 and tanh-dropout 2.6e-7 / 3.0e-8 after 300 (1 torch and 1 BLAS thread).
FLOAT32_ENVELOPE = {  # experiment: (steps, max relative loss difference, max |state difference|)
    "mlp600-sgd": (1000, 2e-5, 3e-6),
    "bn-elu": (300, 5e-6, 1.2e-5),
    "tanh-dropout": (300, 3e-6, 3e-7),
}

pytestmark = pytest.mark.mnist


@pytest.fixture(scope="module")
def mnist():
    from scratch.data import load_mnist

    return load_mnist()


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    """numpy's OpenBLAS would start one thread per core in every xdist worker; torch is pinned to 1 (conftest)."""
    before = get_blas_threads()
    set_blas_threads(1)
    yield
    if before is not None:
        set_blas_threads(before)


def first_images(mnist, n_train: int, n_test: int | None = None) -> tuple[np.ndarray, ...]:
    """The first n_train training images (a run of S steps at batch B sees S * B of them; preparing all 60k, e.g.
    standardizing them in float64, took longer than bn-elu's 300 steps) and the first n_test test images."""
    X_train, y_train, X_test, y_test = mnist
    return X_train[:n_train], y_train[:n_train], X_test[:n_test], y_test[:n_test]


def check_equivalent(hist: History, steps: int, loss_tol: Tol | None = None, state_tol: Tol | None = None,
                     acc_slack: float = 0.0) -> None:
    """Same batch order, every per-step loss and every final parameter and buffer within tolerance, and the
    same accuracies (float64: no prediction flips; float32: up to ``acc_slack``, a near-tie may flip)."""
    assert hist.order_mismatch == [], f"batch orders differed in epochs {hist.order_mismatch}"
    assert hist.steps == steps
    block = f"mnist {hist.experiment}"
    s, r = hist.loss_arrays()
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(r))
    assert_close(s, r, block=block, check="per-step loss", tol=loss_tol or LOSS_TOL_F64, dtype=hist.dtype)
    s_sd, r_sd = hist.final_state
    assert list(s_sd) == list(r_sd)
    for k in s_sd:
        assert_close(s_sd[k], np.asarray(r_sd[k]), block=block, check=f"final {k}", tol=state_tol,
                     dtype=hist.dtype)
    for e in hist.epochs:
        for acc in (e.train_acc, e.test_acc):
            if acc is not None:
                assert abs(acc[0] - acc[1]) <= acc_slack, f"epoch {e.epoch}: accuracies differ {acc}"


# ---------------------------------------------------------------------------------------------- float64
def test_mlp600_sgd_1000_steps_float64(mnist):
    """784-600-10 ReLU, He/Xavier, SGD lr 0.02 + 2*lambda*W on the weights, batch 16: the first 1000 steps (16000
    images; the full epoch below is in the ``slow`` selection: 50 s, a quarter of the default suite's budget)."""
    hist = run("mlp600-sgd", max_steps=1000, dtype=np.float64, data=first_images(mnist, 16000), eval_train=False,
               eval_test=False)
    check_equivalent(hist, steps=1000)
    s, _ = hist.loss_arrays()
    assert s[-200:].mean() < 0.5 * s[:100].mean()  # it trained


@pytest.mark.slow
def test_mlp600_sgd_one_full_epoch_float64(mnist):
    """784-600-10 ReLU, He/Xavier, SGD lr 0.02 + 2*lambda*W on the weights, batch 16: all 60000 images."""
    hist = run("mlp600-sgd", epochs=1, dtype=np.float64, data=mnist, eval_train=False)
    check_equivalent(hist, steps=3750)
    assert hist.epochs[0].test_acc[0] > 0.93  # the source text reports 93.42% after its first epoch
    s, _ = hist.loss_arrays()
    assert s[-500:].mean() < 0.5 * s[:100].mean()  # it trained: equivalence of a stuck run proves little


def test_lenet5_200_steps_float64(mnist):
    """LeNet-5: Conv2d (padding 2, then valid), MaxPool2d, Flatten, Linear, SGD with momentum 0.9: 200 steps at
    batch 16 on the first 3200 training images (one shuffled epoch; the recipe's batch 64 costs 4x per step: 17 s
    of CPU, a tenth of the suite's budget), every per-step loss within 1e-8 relative and every final parameter
    within 1e-7."""
    exp = dataclasses.replace(EXPERIMENTS["lenet5"], batch_size=16)
    hist = run(exp, max_steps=200, dtype=np.float64, data=first_images(mnist, 3200, 100), eval_train=False,
               eval_test=False)
    check_equivalent(hist, steps=200)
    s, _ = hist.loss_arrays()
    assert s[-50:].mean() < 0.5 * s[:20].mean()  # it trained


def test_lstm_rows_200_steps_float64(mnist):
    """The row LSTM: LSTM(28, 128, batch_first) over the 28 image rows, Linear(128, 10) on h_n[-1], Adam lr 1e-3,
    clip_grad_norm_(1.0) before every step on both sides. 200 steps at batch 8 on the first 1600 training images
    (one shuffled epoch; the recipe's batch 128 costs about 5x more per step), every per-step loss within 1e-8
    relative, every final parameter within 1e-7, the pre-clipping total norms within 1e-8 relative, and the
    clipping active: it scales the gradient on some steps and leaves it alone on others."""
    exp = dataclasses.replace(EXPERIMENTS["lstm-rows"], batch_size=8)
    hist = run(exp, max_steps=200, dtype=np.float64, data=first_images(mnist, 1600, 100), eval_train=False,
               eval_test=False)
    check_equivalent(hist, steps=200)
    gs, gr = np.asarray(hist.grad_norm_scratch), np.asarray(hist.grad_norm_reference)
    assert gs.shape == gr.shape == (200,)
    assert_close(gs, gr, block="mnist lstm-rows", check="total gradient norm before clipping",
                 tol=LOSS_TOL_F64, dtype=np.float64)
    clipped = int(np.sum(gs > exp.clip_grad_norm))
    assert 20 <= clipped <= 180, f"clipping scaled the gradient on {clipped} of 200 steps"
    s, _ = hist.loss_arrays()
    assert s[-50:].mean() < 0.75 * s[:20].mean()  # it trained


def final_test_accuracies(hist: History, data) -> tuple[float, float]:
    """Both trained models' accuracy on the 10k test images, once after training (the runner's per-epoch test
    evaluation costs two passes over them per epoch: 30 epochs of tanh-dropout's 300 steps took 88% of its run)."""
    _, _, X_test, y_test = EXPERIMENTS[hist.experiment].prepare(*data, np.dtype(hist.dtype))
    accs = []
    for model in hist.models:
        model.eval()
        accs.append(float(np.mean(np.argmax(model(X_test), axis=1) == y_test)))
    return accs[0], accs[1]


def test_tanh_dropout_300_steps_float64(mnist):
    """Dropout 0.5 with masks drawn from identically seeded generators on both sides, tanh, no biases: per-step
    losses, per-epoch train accuracies (the 1000 training images), final parameters and test accuracy agree."""
    hist = run("tanh-dropout", max_steps=300, dtype=np.float64, data=mnist, eval_test=False)
    check_equivalent(hist, steps=300)
    s_acc, r_acc = final_test_accuracies(hist, mnist)
    assert s_acc == r_acc and s_acc > 0.75, (s_acc, r_acc)


def test_bn_elu_300_steps_float64(mnist):
    """BatchNorm1d + ELU: training losses, running statistics, and eval-mode outputs (running stats) agree."""
    hist = run("bn-elu", max_steps=300, dtype=np.float64, data=first_images(mnist, 9600), eval_train=False)
    check_equivalent(hist, steps=300)
    s_sd, _ = hist.final_state
    assert int(s_sd["1.num_batches_tracked"]) == 300
    # eval mode normalizes with running_mean / running_var: compare the logits themselves
    exp = EXPERIMENTS["bn-elu"]
    _, _, X_test, _ = exp.prepare(*first_images(mnist, 9600), np.float64)
    smodel, rmodel = hist.models
    smodel.eval()
    rmodel.eval()
    assert_close(smodel(X_test[:2000]), rmodel(X_test[:2000]), block="mnist bn-elu", check="eval logits",
                 dtype=np.float64)
    assert hist.epochs[-1].test_acc[0] > 0.85


def test_vit_100_steps_float64(mnist):
    """The small vision transformer (7x7 patches, class token, position embeddings, 2 pre-norm encoder layers,
    GELU, dropout 0.1 at all 8 sites with shared masks, Adam): 100 steps at batch 16 (the recipe's 128 costs 8x
    per step), every per-step loss within 1e-8 relative and every final parameter within 1e-7."""
    exp = dataclasses.replace(EXPERIMENTS["vit"], batch_size=16)
    hist = run(exp, max_steps=100, dtype=np.float64, data=first_images(mnist, 1600, 100), eval_train=False,
               eval_test=False)
    check_equivalent(hist, steps=100)
    s, _ = hist.loss_arrays()
    assert s[-20:].mean() < 0.8 * s[:10].mean()  # it trained


# ---------------------------------------------------------------------------------------------- float32
@pytest.mark.parametrize("name", sorted(FLOAT32_ENVELOPE))
def test_float32_envelope(mnist, name):
    steps, rel_loss, state_abs = FLOAT32_ENVELOPE[name]
    batch_size = EXPERIMENTS[name].batch_size
    data = first_images(mnist, steps * batch_size)
    hist = run(name, max_steps=steps, dtype=np.float32, data=data, eval_train=False, eval_test=False)
    reason = "float32 envelope: OpenBLAS vs MKL rounding carried by SGD (docs/mnist.md)"
    check_equivalent(hist, steps=steps, loss_tol=Tol(rtol=rel_loss, atol=0.0, reason=reason),
                     state_tol=Tol(rtol=0.0, atol=state_abs, reason=reason))
    s_acc, r_acc = final_test_accuracies(hist, data)
    assert abs(s_acc - r_acc) <= 1e-3, (s_acc, r_acc)  # a near-tie may flip (10 of 10k images at most)
    s_sd, _ = hist.final_state
    assert all(v.dtype == np.float32 for k, v in s_sd.items() if "num_batches" not in k)


# ---------------------------------------------------------------------------------------------- ingredients
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("n,batch_size", [(103, 16), (64, 16), (5, 8)])
def test_batch_order_scratch_loader_matches_torch_batch_sampler(n, batch_size, shuffle):
    """The scratch DataLoader's epochs equal numpy's permutation batched by torch's BatchSampler, epoch after
    epoch (a new permutation each epoch), for ragged and exact final batches."""
    X = np.arange(n, dtype=np.float64)[:, None]
    loader = DataLoader(X, np.arange(n), batch_size=batch_size, shuffle=shuffle, rng=np.random.default_rng(3))
    ref_rng = np.random.default_rng(3)
    seen = []
    for _ in range(3):
        got = loader.batch_indices()
        want = reference_batches(n, batch_size, shuffle, ref_rng)
        assert [b.tolist() for b in got] == want
        seen.append(np.concatenate(got).tolist())
    if shuffle and n > 5:
        assert seen[0] != seen[1]  # reshuffled every epoch


def test_dropout_masks_identical_in_the_tanh_dropout_model(rng):
    """The twin draws the same masks: the two models' training outputs agree through several forwards, and
    the mask keeps about half the units, scaled by 2."""
    exp = EXPERIMENTS["tanh-dropout"]
    smodel = exp.build(snn, np.float64, np.random.default_rng(0), np.random.default_rng(11))
    exp.init(smodel, np.random.default_rng(1))
    rmodel = exp.build(rnn, np.float64, np.random.default_rng(0), np.random.default_rng(11))
    rmodel.load_state_dict(smodel.state_dict())
    x = rng.random((100, 784))
    for _ in range(3):
        assert_close(smodel(x), rmodel(x), block="mnist tanh-dropout", check="train forward (masks)",
                     dtype=np.float64)
    hidden = np.tanh(x @ smodel[0].weight.data.T)
    dropped = smodel[2](hidden)  # the Dropout layer alone: y = x * keep * 2
    kept = dropped != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(dropped[kept], 2 * hidden[kept], rtol=1e-15)
    rdrop = rnn.Dropout(0.5, rng=np.random.default_rng(5))
    sdrop = snn.Dropout(0.5, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(sdrop(hidden), rdrop(hidden))


def test_mlp600_sgd_decays_weights_only():
    """L2 as in the source text: 2*lambda*W on both weight matrices, nothing on the biases (same groups both sides)."""
    exp = EXPERIMENTS["mlp600-sgd"]
    model = exp.build(snn, np.float64, np.random.default_rng(0), None)
    groups = exp.param_groups(model.named_parameters())
    assert [g["weight_decay"] for g in groups] == [4e-4, 0.0]
    assert [p.shape for p in groups[0]["params"]] == [(600, 784), (10, 600)]
    assert [p.shape for p in groups[1]["params"]] == [(600,), (10,)]
    tmodel = exp.build(rnn, np.float64, np.random.default_rng(0), None).torch_module
    tgroups = exp.param_groups(tmodel.named_parameters())
    assert [[tuple(p.shape) for p in g["params"]] for g in tgroups] == \
        [[p.shape for p in g["params"]] for g in groups]


def test_mlp600_sgd_initialization_follows_the_seed():
    """He normal (std sqrt(2/784)) for the hidden weights, Xavier uniform (bound sqrt(6/610)) for the output,
    zero biases; and the reference starts from exactly the scratch state."""
    exp = EXPERIMENTS["mlp600-sgd"]
    model = exp.build(snn, np.float64, np.random.default_rng(0), None)
    exp.init(model, np.random.default_rng(0))
    w1, w2 = model[0].weight.data, model[2].weight.data
    assert abs(w1.std() / np.sqrt(2 / 784) - 1) < 0.01 and abs(w1.mean()) < 1e-3
    bound = np.sqrt(6 / 610)
    assert np.abs(w2).max() <= bound and np.abs(w2).max() > 0.95 * bound
    assert not model[0].bias.data.any() and not model[2].bias.data.any()
    twin = exp.build(rnn, np.float64, np.random.default_rng(0), None)
    twin.load_state_dict(model.state_dict())
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, twin.state_dict()[k])
    assert isinstance(twin.torch_module, torch.nn.Sequential)


def test_linear_without_input_grad_keeps_parameter_gradients(rng):
    """The runner's first layer skips dx (its input is data): same parameter gradients, backward returns None."""
    a, b = snn.Linear(7, 5, dtype=np.float64, rng=np.random.default_rng(0)), \
        snn.Linear(7, 5, dtype=np.float64, rng=np.random.default_rng(0))
    b.needs_input_grad = False
    x, dy = rng.standard_normal((4, 7)), rng.standard_normal((4, 5))
    a(x), b(x)
    assert a.backward(dy).shape == (4, 7) and b.backward(dy) is None
    np.testing.assert_array_equal(a.weight.grad, b.weight.grad)
    np.testing.assert_array_equal(a.bias.grad, b.bias.grad)
