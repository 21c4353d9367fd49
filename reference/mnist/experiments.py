"""The MNIST experiments, each the network of a teaching text (corrected where the text departs from torch), and
LeNet-5.

An :class:`Experiment` builds the SAME architecture from either library (``scratch.nn`` or ``reference.nn``: one
builder, two twins), initializes the scratch model with ``scratch.init`` (the reference then loads that
state_dict, so both sides start identical), prepares the pixels as the source text does, and names the optimizer
and its hyper-parameters. docs/mnist.md lists every source-specific choice and every mistake fixed here.

Sources (the texts the project grew from; the repository describes them, it does not need them):
    mlp600-sgd   "Neural Networks: Building Blocks" (notes with NumPy implementations, 2022): 784-600-10 ReLU,
                 He(normal, fan_in) hidden + Xavier(uniform) output, zero biases, x/255, mini-batch SGD lr 0.02,
                 batch 16, L2 lambda 2e-4 on the WEIGHTS only as ``g += 2 lambda W``, 25 epochs, reported test
                 accuracy 98.15%.
    mlp600-adam  the PyTorch section of the same notes: the same net with torch's default init, Adam(lr 2e-4,
                 weight_decay 1e-3) on every parameter, batch 32, 30 epochs, best 97.92%.
    bn-elu       a course tutorial on batch normalization: 784-100-100-100-10, each hidden Linear (no bias) ->
                 BatchNorm -> ELU, Kaiming normal init, standardized pixels, SGD on the SUM of the batch's
                 cross-entropies with lr 5e-4, batch 32.
    tanh-dropout a textbook chapter on activation functions: the first 1000 training images, 784-100-10 tanh, no
                 biases, dropout 0.5 on the hidden layer, W1 ~ U(-0.01, 0.01), W2 ~ U(-0.1, 0.1), batch 100 in
                 order (no shuffling), 300 passes; its delta divides by the batch size twice, so its lr 2 is
                 lr 0.02 on the mean loss.
    lenet5       LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, the convolutional network the notes name
                 after fully connected ones: SGD lr 0.02 with momentum 0.9, lr x0.2 every 4 epochs (StepLR on both
                 sides), batch 64, normalized pixels.
    lstm-rows    sequence ("row") MNIST, the classic recurrent benchmark (e.g. the LSTM example of
                 aymericdamien/TensorFlow-Examples): each image is 28 time steps of 28 pixels (x / 255), one
                 LSTM(28, 128) layer, a Linear(128, 10) head on the last hidden state, Adam lr 1e-3, batch 128;
                 here with the gradient's total norm clipped to 1.0 (clip_grad_norm_) before every step.
    vit          a small vision transformer (Dosovitskiy et al. 2021, scaled down for MNIST): 7x7 patches -> 16
                 tokens + a class token and learned position embeddings, d_model 64, 4 heads, 2 pre-norm encoder
                 layers (GELU, dropout 0.1), Adam lr 1e-3, batch 128 (reference/mnist/vit.py).
Earlier names (``seed000``, ``seed000-torch``, ``seed001-bn``, ``seed002-dropout``) are accepted as aliases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

import numpy as np
import torch

import scratch.nn as snn
from reference.nn.base import TorchModule

from .vit import patches_255, vit

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Experiment:
    """One training recipe, runnable by both libraries.

    build(nn, dtype, rng, mask_rng) -> model: ``nn`` is scratch.nn or reference.nn; ``rng`` feeds the layers'
        default init (overwritten by ``init`` on the scratch side and by the state_dict on the reference side);
        ``mask_rng`` feeds the dropout masks (each side gets its own, identically seeded generator).
    init(model, rng): re-initializes the SCRATCH model with scratch.init; None keeps the layers' default init
        (torch's U(+-1/sqrt(fan_in)), which scratch.nn.Linear reproduces in distribution).
    prepare(X_train, y_train, X_test, y_test, dtype): MNIST uint8 images -> (N, 784) float arrays as the source.
    decay: 'weights' = weight decay on Linear weights only (param groups); 'all' = every parameter.
    clip_grad_norm: max_norm of the total gradient norm (scratch.regularization.clip_grad_norm_ /
        torch.nn.utils.clip_grad_norm_ on every parameter), applied after backward, before each step.
    """

    name: str
    source: str  # the teaching text the network comes from
    summary: str
    build: Callable[[ModuleType, np.dtype, np.random.Generator, np.random.Generator], object]
    init: Callable[[object, np.random.Generator], None] | None
    prepare: Callable[..., Arrays]
    optimizer: str  # "sgd" or "adam"
    lr: float
    batch_size: int
    epochs: int
    weight_decay: float = 0.0
    decay: str = "weights"
    shuffle: bool = True
    momentum: float = 0.0  # SGD momentum (torch's: the buffer starts as the first gradient)
    lr_step: tuple[int, float] | None = None  # StepLR(step_size epochs, gamma), stepped after every epoch
    eval_chunk: int = 10000  # images per evaluation forward (a conv net's im2col columns grow with it)
    clip_grad_norm: float | None = None  # clip_grad_norm_(parameters, max_norm) between backward and every step
    reported: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def param_groups(self, named_params) -> list[dict]:
        """Parameter groups in model order: decayed ones and the rest (the same split on both sides)."""
        named = list(named_params)
        if self.weight_decay == 0.0 or self.decay == "all":
            return [{"params": [p for _, p in named], "weight_decay": self.weight_decay}]
        decayed = [p for n, p in named if _is_linear_weight(n)]
        other = [p for n, p in named if not _is_linear_weight(n)]
        groups = [{"params": decayed, "weight_decay": self.weight_decay}]
        if other:
            groups.append({"params": other, "weight_decay": 0.0})
        return groups


def _is_linear_weight(name: str) -> bool:
    # Only the Linear layers of these models have 2-D weights named '<i>.weight'; BatchNorm's is handled by the
    # experiments that decay (none of them has BatchNorm), so the name test is enough here.
    return name.endswith(".weight")


# ---------------------------------------------------------------------------------------------- data
def _flat(X: np.ndarray) -> np.ndarray:
    return X.reshape(len(X), -1)


def scale_255(X_train, y_train, X_test, y_test, dtype) -> Arrays:
    """x / 255 in the target dtype (mlp600-sgd's source: ``X.astype("float32") / 255``)."""
    dt = np.dtype(dtype)
    return _flat(X_train).astype(dt) / 255.0, y_train, _flat(X_test).astype(dt) / 255.0, y_test


def first_1000_scale_255(X_train, y_train, X_test, y_test, dtype) -> Arrays:
    """Seed 002: the first 1000 training images only, x / 255; the full 10k test set."""
    return scale_255(X_train[:1000], y_train[:1000], X_test, y_test, dtype)


def standardize(X_train, y_train, X_test, y_test, dtype) -> Arrays:
    """Seed 001: subtract the per-pixel mean, divide by the std over all pixels, both from the TRAINING set.

    (The source standardizes the test set with the test set's own statistics, a leak; the training statistics
    are used for both here.) Computed in float64, then cast.
    """
    xtr = _flat(X_train).astype(np.float64)
    mean = xtr.mean(axis=0)
    std = float(xtr.std())
    dt = np.dtype(dtype)
    return (((xtr - mean) / std).astype(dt), y_train,
            ((_flat(X_test).astype(np.float64) - mean) / std).astype(dt), y_test)


def images_normalized(X_train, y_train, X_test, y_test, dtype) -> Arrays:
    """(N, 1, 28, 28) images, (x / 255 - 0.1307) / 0.3081 (the mean and std of the MNIST training pixels that
    torch's own MNIST example uses), computed in float64, then cast."""
    dt = np.dtype(dtype)

    def prep(X):
        return ((X.reshape(len(X), 1, 28, 28).astype(np.float64) / 255.0 - 0.1307) / 0.3081).astype(dt)

    return prep(X_train), y_train, prep(X_test), y_test


def rows_255(X_train, y_train, X_test, y_test, dtype) -> Arrays:
    """(N, 28, 28) sequences of 28 rows of 28 pixels, x / 255 (the row-MNIST examples feed the [0, 1] pixels)."""
    dt = np.dtype(dtype)
    return (X_train.reshape(len(X_train), 28, 28).astype(dt) / 255.0, y_train,
            X_test.reshape(len(X_test), 28, 28).astype(dt) / 255.0, y_test)


# ---------------------------------------------------------------------------------------------- models
def mlp_600(nn: ModuleType, dtype, rng, mask_rng):
    return nn.Sequential(nn.Linear(784, 600, dtype=dtype, rng=rng), nn.ReLU(),
                         nn.Linear(600, 10, dtype=dtype, rng=rng))


def he_xavier_zero_bias(model, rng) -> None:
    import scratch.init as init

    init.kaiming_normal_(model[0].weight, mode="fan_in", nonlinearity="relu", rng=rng)  # N(0, 2/784)
    init.xavier_uniform_(model[2].weight, rng=rng)  # U(+-sqrt(6/610))
    init.zeros_(model[0].bias)
    init.zeros_(model[2].bias)


def bn_elu(nn: ModuleType, dtype, rng, mask_rng):
    layers = []
    for fan_in in (784, 100, 100):
        layers += [nn.Linear(fan_in, 100, bias=False, dtype=dtype, rng=rng), nn.BatchNorm1d(100, dtype=dtype),
                   nn.ELU()]
    return nn.Sequential(*layers, nn.Linear(100, 10, bias=False, dtype=dtype, rng=rng))


def kaiming_all(model, rng) -> None:
    import scratch.init as init

    for name, p in model.named_parameters():
        if name.endswith(".weight") and p.data.ndim == 2:  # the Linear layers; BatchNorm keeps weight 1, bias 0
            init.kaiming_normal_(p, mode="fan_in", nonlinearity="relu", rng=rng)


def tanh_dropout(nn: ModuleType, dtype, rng, mask_rng):
    return nn.Sequential(nn.Linear(784, 100, bias=False, dtype=dtype, rng=rng), nn.Tanh(),
                         nn.Dropout(0.5, rng=mask_rng), nn.Linear(100, 10, bias=False, dtype=dtype, rng=rng))


def small_uniform(model, rng) -> None:
    import scratch.init as init

    init.uniform_(model[0].weight, -0.01, 0.01, rng=rng)
    init.uniform_(model[3].weight, -0.1, 0.1, rng=rng)


def lenet5(nn: ModuleType, dtype, rng, mask_rng):
    """LeNet-5 with ReLU and max pooling: conv5 (pad 2) - pool - conv5 - pool - 400 - 120 - 84 - 10."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2, dtype=dtype, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5, dtype=dtype, rng=rng), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120, dtype=dtype, rng=rng), nn.ReLU(), nn.Linear(120, 84, dtype=dtype, rng=rng), nn.ReLU(),
        nn.Linear(84, 10, dtype=dtype, rng=rng))


class RowLSTM(snn.Module):
    """Scratch: ``LSTM(batch_first=True)`` over the rows, then ``fc`` on the last hidden state ``h_n[-1]`` (which
    equals ``output[:, -1]``). The LSTM returns a tuple, so a Sequential does not fit: forward and backward by
    hand (the head's dx goes into ``d_h_n[-1]``, no cotangent for ``output`` or ``c_n``)."""

    def __init__(self, lstm, fc) -> None:
        super().__init__()
        self.lstm, self.fc = lstm, fc
        self._h_shape = None

    @property
    def input_layer(self):
        """The layer that reads the data (the runner sets its ``needs_input_grad = False``)."""
        return self.lstm

    def forward(self, x: np.ndarray) -> np.ndarray:
        _, (h_n, _) = self.lstm(x)
        self._h_shape = h_n.shape
        return self.fc(h_n[-1])

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dh = self.fc.backward(dy)
        d_h_n = np.zeros(self._h_shape, dh.dtype)
        d_h_n[-1] = dh
        return self.lstm.backward(None, (d_h_n, None))  # dx, or None when lstm.needs_input_grad is False


class TorchRowLSTM(torch.nn.Module):
    """The torch twin of :class:`RowLSTM` (wrapped in a TorchModule by :func:`row_lstm`)."""

    def __init__(self, lstm: torch.nn.Module, fc: torch.nn.Module) -> None:
        super().__init__()
        self.lstm, self.fc = lstm, fc

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, (h_n, _) = self.lstm(x)
        return self.fc(h_n[-1])


def row_lstm(nn: ModuleType, dtype, rng, mask_rng):
    """LSTM(28, 128, batch_first) over the 28 rows, Linear(128, 10) on the last hidden state; state_dict keys
    ``lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, lstm.bias_hh_l0, fc.weight, fc.bias`` on both sides."""
    lstm = nn.LSTM(28, 128, batch_first=True, dtype=dtype, rng=rng)
    fc = nn.Linear(128, 10, dtype=dtype, rng=rng)
    if isinstance(lstm, TorchModule):
        return TorchModule(TorchRowLSTM(lstm.torch_module, fc.torch_module))
    return RowLSTM(lstm, fc)


# ---------------------------------------------------------------------------------------------- the runs
EXPERIMENTS: dict[str, Experiment] = {
    e.name: e for e in (
        Experiment(
            name="mlp600-sgd", source="'Neural Networks: Building Blocks' (NumPy notes)",
            summary="784-600-10 ReLU, He/Xavier init, SGD lr 0.02 + L2 2e-4 on weights, batch 16",
            build=mlp_600, init=he_xavier_zero_bias, prepare=scale_255, optimizer="sgd", lr=0.02,
            batch_size=16, epochs=25, weight_decay=2 * 2e-4, decay="weights",
            reported="98.15% test accuracy after 25 epochs",
            notes=("L2: the source adds 2*lambda*W to the weight gradients only (biases undecayed): "
                   "SGD weight_decay = 2*lambda = 4e-4 in a weights-only parameter group on both sides",)),
        Experiment(
            name="mlp600-adam", source="'Neural Networks: Building Blocks', its PyTorch section",
            summary="784-600-10 ReLU, torch default init, Adam lr 2e-4 weight_decay 1e-3, batch 32",
            build=mlp_600, init=None, prepare=scale_255, optimizer="adam", lr=2e-4, batch_size=32, epochs=30,
            weight_decay=1e-3, decay="all", reported="best 97.92% test accuracy in 30 epochs",
            notes=("the source's prose says lambda = 0.003 but its code passes weight_decay=1e-3; the code is "
                   "followed (torch's Adam decays every parameter, biases included)",)),
        Experiment(
            name="bn-elu", source="a course tutorial on batch normalization",
            summary="784-100-100-100-10, Linear(no bias)+BatchNorm1d+ELU, Kaiming init, SGD lr 0.016, batch 32",
            build=bn_elu, init=kaiming_all, prepare=standardize, optimizer="sgd", lr=0.0005 * 32, batch_size=32,
            epochs=100, reported="average loss 0.37 (sum over a batch of 32, i.e. ~0.0116 per sample)",
            notes=("the source's loss is the SUM over the batch: lr 5e-4 on the sum = lr 0.016 on torch's mean",)),
        Experiment(
            name="tanh-dropout", source="a textbook chapter on activation functions",
            summary="first 1000 images, 784-100-10 tanh, dropout 0.5, no biases, SGD lr 0.02, batch 100",
            build=tanh_dropout, init=small_uniform, prepare=first_1000_scale_255, optimizer="sgd", lr=0.02,
            batch_size=100, epochs=300, shuffle=False, reported="test accuracy 0.8692 after 290 passes",
            notes=("the source's delta divides by batch_size twice: lr 2 there = lr 0.02 on the mean loss",)),
        Experiment(
            name="lenet5", source="LeCun et al. 1998, the convolutional network the building-blocks notes name next",
            summary="LeNet-5 (ReLU, max pool): conv5 pad2 - pool - conv5 - pool - 120 - 84 - 10, SGD lr 0.02 "
                    "momentum 0.9 (x0.2 every 4 epochs), batch 64",
            build=lenet5, init=None, prepare=images_normalized, optimizer="sgd", lr=0.02, momentum=0.9,
            lr_step=(4, 0.2), batch_size=64, epochs=10, eval_chunk=500,
            reported="LeNet-5 reached 99.05% (0.95% error) in 1998",
            notes=("torch's default init on both sides (the scratch model's init, loaded into torch)",)),
        Experiment(
            name="lstm-rows", source="sequence MNIST, an LSTM over the image rows (the classic row-MNIST benchmark)",
            summary="28 rows of 28 pixels -> LSTM(28, 128) -> Linear(128, 10) on h_n[-1], Adam lr 1e-3, "
                    "clip_grad_norm_ 1.0, batch 128",
            build=row_lstm, init=None, prepare=rows_255, optimizer="adam", lr=1e-3, batch_size=128, epochs=12,
            clip_grad_norm=1.0, eval_chunk=1000,
            reported="no reference figure (the row-MNIST examples print one test batch's accuracy); the target here "
                     "is >= 98% test accuracy",
            notes=("torch's default init on both sides: U(+-1/sqrt(128)) for the LSTM, U(+-1/sqrt(fan_in)) for "
                   "the head (the scratch model's, loaded into torch)",
                   "the gradient's total 2-norm is clipped to 1.0 on both sides (scratch.regularization."
                   "clip_grad_norm_ and torch.nn.utils.clip_grad_norm_), an addition to the source's recipe")),
        Experiment(
            name="vit", source="a small vision transformer (ViT, Dosovitskiy et al. 2021), scaled down for MNIST",
            summary="7x7 patches -> 16 tokens + class token + position embeddings, d_model 64, 4 heads, 2 pre-norm "
                    "encoder layers, Adam lr 1e-3, batch 128",
            build=vit, init=None, prepare=patches_255, optimizer="adam", lr=1e-3, batch_size=128, epochs=10,
            eval_chunk=1000, reported="no reference figure; the target here is >= 97% test accuracy",
            notes=("cls_token and pos_embed N(0, 0.02^2), every layer torch's default init (the scratch model's, "
                   "loaded into torch); dropout 0.1 at every site with masks shared by both sides",)),
    )
}

# The names the experiments had before they were named by their networks.
ALIASES: dict[str, str] = {"seed000": "mlp600-sgd", "seed000-torch": "mlp600-adam", "seed001-bn": "bn-elu",
                           "seed002-dropout": "tanh-dropout"}
