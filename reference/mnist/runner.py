"""Side-by-side training: a scratch model and its torch twin from one initial state, batch order and mask stream.

Both sides see identical inputs, but each side gets them through its own machinery:

* Batch order. The scratch side iterates ``scratch.data.DataLoader(shuffle=..., rng=default_rng(seed + 1))``.
  The reference side draws its own permutation from an identically seeded generator (``rng.permutation(N)``,
  the DataLoader's documented contract) and batches it with torch's own ``torch.utils.data.BatchSampler``. The
  orders agree only if scratch's shuffling and batching are right; the runner records any epoch where they
  differ (``History.order_mismatch``), and the losses then differ too.
* Initial state. The scratch model is initialized with ``scratch.init`` (or keeps its default init) and the
  reference model loads its state_dict.
* Dropout masks. Each side's Dropout draws from its own ``default_rng(seed + 2)``; the twin applies the same mask.
* Training. Scratch: forward, ``CrossEntropyLoss``, ``backward``, ``scratch.optim``. Reference: a plain torch
  loop on ``model.torch_module`` with ``torch.nn.functional.cross_entropy`` and ``torch.optim``. An experiment
  with ``clip_grad_norm`` clips between backward and the step, with ``scratch.regularization.clip_grad_norm_``
  and ``torch.nn.utils.clip_grad_norm_``; each side records the total norm before clipping.

Each epoch runs the scratch side, then the reference side, each timed on its own; evaluation (argmax accuracy
in eval mode, in chunks) is timed apart from training.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

import reference.nn as rnn
import scratch.nn as snn
import scratch.optim as soptim
import scratch.regularization as sreg
from scratch.data import DataLoader

from .experiments import EXPERIMENTS, Experiment

Progress = Callable[[str, int, int], None]  # (label, done, total)


@dataclass
class EpochRecord:
    epoch: int
    steps: int
    loss: tuple[float, float]  # mean training loss of the epoch (scratch, reference)
    train_acc: tuple[float, float] | None
    test_acc: tuple[float, float] | None
    max_abs_dloss: float
    max_rel_dloss: float
    seconds: tuple[float, float]  # wall-clock training time of the epoch (scratch, reference)
    cpu_seconds: tuple[float, float]  # process CPU time of the same (all threads; robust on a busy machine)
    eval_seconds: tuple[float, float]


@dataclass
class History:
    experiment: str
    dtype: str
    seed: int
    loss_scratch: list[float] = field(default_factory=list)
    loss_reference: list[float] = field(default_factory=list)
    # total gradient norms before clipping, per step (empty unless the experiment clips)
    grad_norm_scratch: list[float] = field(default_factory=list)
    grad_norm_reference: list[float] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    order_mismatch: list[int] = field(default_factory=list)  # epochs whose batch orders differed
    final_state: tuple[dict, dict] | None = None  # state_dicts (scratch, reference) after training
    models: tuple | None = None  # (scratch model, reference twin) after training

    @property
    def steps(self) -> int:
        return len(self.loss_scratch)

    def loss_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(self.loss_scratch), np.asarray(self.loss_reference)

    def rel_loss_diff(self) -> np.ndarray:
        """|scratch - reference| / |reference| per step."""
        s, r = self.loss_arrays()
        return np.abs(s - r) / np.abs(r)


# ---------------------------------------------------------------------------------------------- the two sides
class ScratchSide:
    def __init__(self, exp: Experiment, dtype, seed: int) -> None:
        init_rng = np.random.default_rng(seed)
        self.model = exp.build(snn, dtype, init_rng, np.random.default_rng(seed + 2))
        if exp.init is not None:
            exp.init(self.model, init_rng)
        # The images need no gradient: skip the first layer's dx product, as torch's autograd does for an
        # input that does not require grad (a fair speed comparison; the parameter gradients are unchanged).
        # The first layer is model[0] of a Sequential, else the model's ``input_layer`` (lstm-rows: its LSTM).
        first = self.model[0] if isinstance(self.model, snn.Sequential) else getattr(self.model, "input_layer", None)
        if first is not None:
            first.needs_input_grad = False
        self.clip = exp.clip_grad_norm
        self.params = list(self.model.parameters())
        self.grad_norms: list[float] = []
        self.criterion = snn.CrossEntropyLoss()
        self.eval_chunk = exp.eval_chunk
        groups = exp.param_groups(self.model.named_parameters())
        if exp.optimizer == "sgd":
            self.optimizer = soptim.SGD(groups, lr=exp.lr, momentum=exp.momentum)
        else:
            self.optimizer = soptim.Adam(groups, lr=exp.lr)
        self.scheduler = (soptim.lr_scheduler.StepLR(self.optimizer, *exp.lr_step)
                          if exp.lr_step is not None else None)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        loss = self.criterion(self.model(x), y)
        self.model.backward(self.criterion.backward())
        if self.clip is not None:
            self.grad_norms.append(float(sreg.clip_grad_norm_(self.params, self.clip)))
        self.optimizer.step()
        self.optimizer.zero_grad()
        return float(loss)

    def predict(self, X: np.ndarray) -> np.ndarray:
        self.model.eval()
        chunk = self.eval_chunk
        out = np.concatenate([self.model(X[i:i + chunk]).argmax(axis=1) for i in range(0, len(X), chunk)])
        self.model.train()
        return out

    def state_dict(self) -> dict:
        return self.model.state_dict()


class ReferenceSide:
    def __init__(self, exp: Experiment, dtype, seed: int, initial_state: dict) -> None:
        # The layers' own torch init is overwritten by the scratch model's state; the mask rng is seeded alike.
        self.twin = exp.build(rnn, dtype, np.random.default_rng(seed), np.random.default_rng(seed + 2))
        self.twin.load_state_dict(initial_state)
        self.module: torch.nn.Module = self.twin.torch_module
        self.eval_chunk = exp.eval_chunk
        self.clip = exp.clip_grad_norm
        self.grad_norms: list[float] = []
        named = list(self.module.named_parameters())
        groups = exp.param_groups(named)
        if exp.optimizer == "sgd":
            self.optimizer = torch.optim.SGD(groups, lr=exp.lr, momentum=exp.momentum)
        else:
            self.optimizer = torch.optim.Adam(groups, lr=exp.lr)
        self.scheduler = (torch.optim.lr_scheduler.StepLR(self.optimizer, *exp.lr_step)
                          if exp.lr_step is not None else None)

    def step(self, x: torch.Tensor, y: torch.Tensor) -> float:
        self.optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(self.module(x), y)
        loss.backward()
        if self.clip is not None:
            self.grad_norms.append(torch.nn.utils.clip_grad_norm_(self.module.parameters(), self.clip).item())
        self.optimizer.step()
        return loss.item()

    def predict(self, X: torch.Tensor) -> np.ndarray:
        self.module.eval()
        with torch.no_grad():
            chunk = self.eval_chunk
            out = torch.cat([self.module(X[i:i + chunk]).argmax(dim=1) for i in range(0, len(X), chunk)])
        self.module.train()
        return out.numpy()

    def state_dict(self) -> dict:
        return self.twin.state_dict()


def reference_batches(n: int, batch_size: int, shuffle: bool, rng: np.random.Generator) -> list[list[int]]:
    """The reference side's batch order: numpy's permutation (same seed as the DataLoader), torch's batching."""
    order = rng.permutation(n).tolist() if shuffle else range(n)
    return list(torch.utils.data.BatchSampler(order, batch_size, drop_last=False))


# ---------------------------------------------------------------------------------------------- the run
def run(experiment: str | Experiment, *, epochs: int | None = None, dtype=np.float64, seed: int = 0,
        max_steps: int | None = None, data: tuple[np.ndarray, ...] | None = None, eval_train: bool = True,
        eval_test: bool = True, progress: Progress | None = None,
        on_epoch: Callable[[EpochRecord], None] | None = None) -> History:
    """Train both sides of ``experiment`` and record per-step losses and per-epoch accuracies and times.

    Args:
        experiment: a name in :data:`EXPERIMENTS` or an :class:`Experiment`.
        epochs: passes over the training data (default: the source text's count).
        dtype: np.float32 or np.float64, for parameters and data on both sides.
        seed: init uses default_rng(seed), the batch order default_rng(seed + 1), dropout default_rng(seed + 2).
        max_steps: stop after this many optimizer steps (the last epoch may be partial).
        data: (X_train, y_train, X_test, y_test) uint8/int64 as from scratch.data.load_mnist (loaded if None).
        eval_train, eval_test: compute the per-epoch accuracies (train accuracy costs a forward pass over the
            training set on each side).
        progress: called as progress(label, done, total) during training.
        on_epoch: called with each EpochRecord as soon as the epoch is done.
    """
    exp = EXPERIMENTS[experiment] if isinstance(experiment, str) else experiment
    dtype = np.dtype(dtype)
    epochs = exp.epochs if epochs is None else int(epochs)
    if epochs < 1 or (max_steps is not None and max_steps < 1):  # nothing to train: no history to summarize
        raise ValueError(f"epochs and max_steps must be >= 1, got epochs={epochs}, max_steps={max_steps}")
    if data is None:
        from scratch.data import load_mnist

        data = load_mnist()
    Xtr, ytr, Xte, yte = exp.prepare(*data, dtype)
    ytr = np.ascontiguousarray(ytr, dtype=np.int64)
    yte = np.ascontiguousarray(yte, dtype=np.int64)
    Xtr_t, ytr_t, Xte_t = torch.from_numpy(Xtr), torch.from_numpy(ytr), torch.from_numpy(Xte)

    scratch_side = ScratchSide(exp, dtype, seed)
    reference_side = ReferenceSide(exp, dtype, seed, scratch_side.state_dict())
    loader = DataLoader(Xtr, ytr, batch_size=exp.batch_size, shuffle=exp.shuffle,
                        rng=np.random.default_rng(seed + 1))
    ref_order_rng = np.random.default_rng(seed + 1)

    hist = History(experiment=exp.name, dtype=dtype.name, seed=seed)
    budget = max_steps if max_steps is not None else epochs * len(loader)
    for epoch in range(1, epochs + 1):
        if hist.steps >= budget:
            break
        s_batches = loader.batch_indices()
        r_batches = reference_batches(len(Xtr), exp.batch_size, exp.shuffle, ref_order_rng)
        take = min(len(s_batches), budget - hist.steps)
        s_batches, r_batches = s_batches[:take], r_batches[:take]
        if len(s_batches) != len(r_batches) or not all(
                np.array_equal(a, b) for a, b in zip(s_batches, r_batches, strict=True)):
            hist.order_mismatch.append(epoch)

        t0, c0 = time.perf_counter(), time.process_time()
        s_losses = []
        for i, idx in enumerate(s_batches):
            s_losses.append(scratch_side.step(Xtr[idx], ytr[idx]))
            if progress is not None:
                progress(f"epoch {epoch} scratch", i + 1, take)
        t1, c1 = time.perf_counter(), time.process_time()
        r_losses = []
        for i, idx in enumerate(r_batches):
            it = torch.as_tensor(idx)
            r_losses.append(reference_side.step(Xtr_t[it], ytr_t[it]))
            if progress is not None:
                progress(f"epoch {epoch} torch  ", i + 1, take)
        t2, c2 = time.perf_counter(), time.process_time()

        train_acc = test_acc = None
        e_s = e_r = 0.0
        if eval_train or eval_test:
            t3 = time.perf_counter()
            s_acc = ((np.mean(scratch_side.predict(Xtr) == ytr) if eval_train else np.nan),
                     (np.mean(scratch_side.predict(Xte) == yte) if eval_test else np.nan))
            t4 = time.perf_counter()
            r_acc = ((np.mean(reference_side.predict(Xtr_t) == ytr) if eval_train else np.nan),
                     (np.mean(reference_side.predict(Xte_t) == yte) if eval_test else np.nan))
            e_s, e_r = t4 - t3, time.perf_counter() - t4
            if eval_train:
                train_acc = (float(s_acc[0]), float(r_acc[0]))
            if eval_test:
                test_acc = (float(s_acc[1]), float(r_acc[1]))

        s_arr, r_arr = np.asarray(s_losses), np.asarray(r_losses)
        d = np.abs(s_arr - r_arr)
        rec = EpochRecord(epoch=epoch, steps=take, loss=(float(s_arr.mean()), float(r_arr.mean())),
                          train_acc=train_acc, test_acc=test_acc, max_abs_dloss=float(d.max()),
                          max_rel_dloss=float(np.max(d / np.abs(r_arr))), seconds=(t1 - t0, t2 - t1),
                          cpu_seconds=(c1 - c0, c2 - c1),
                          eval_seconds=(e_s, e_r))
        hist.loss_scratch += s_losses
        hist.loss_reference += r_losses
        hist.grad_norm_scratch, hist.grad_norm_reference = scratch_side.grad_norms, reference_side.grad_norms
        hist.epochs.append(rec)
        for side in (scratch_side, reference_side):  # schedulers step once per epoch, as torch's examples do
            if side.scheduler is not None:
                side.scheduler.step()
        if on_epoch is not None:
            on_epoch(rec)
    hist.final_state = (scratch_side.state_dict(), reference_side.state_dict())
    hist.models = (scratch_side.model, reference_side.twin)
    return hist
