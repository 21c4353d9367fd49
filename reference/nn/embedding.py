"""Twins of scratch.nn's embedding family: the real torch.nn.Embedding / EmbeddingBag behind the numpy boundary.

Two needs beyond :func:`twin`: ``from_pretrained`` (a classmethod building the twin around torch's own
``from_pretrained``), and ``sparse=True``, whose torch gradient is a sparse COO tensor: Embedding's stays sparse
(``.grad`` reads it as ``base.SparseRows``, the twin of scratch's SparseGrad), EmbeddingBag's is made dense after
every backward (scratch's bag gradient is dense). A
max_norm forward renormalizes torch's weight in place, which ``named_parameters`` / ``state_dict`` show, as
scratch's.
"""

from __future__ import annotations

import torch

from .base import TorchModule, to_torch, twin

__all__ = ["Embedding", "EmbeddingBag"]


class _DenseGrad(TorchModule):
    """torch autograd, then a sparse weight gradient (sparse=True) made dense where ``densify`` (EmbeddingBag:
    scratch's bag gradient is dense; Embedding keeps torch's sparse one, read as SparseRows)."""

    densify = True

    def backward(self, *cotangents):
        grads = super().backward(*cotangents)
        weight = self.torch_module.weight
        if self.densify and weight.grad is not None and weight.grad.is_sparse:
            weight.grad = weight.grad.to_dense()
        return grads

    @classmethod
    def _wrap(cls, module: torch.nn.Module):
        self = cls.__new__(cls)
        TorchModule.__init__(self, module)
        return self


class Embedding(_DenseGrad, twin(torch.nn.Embedding, has_params=True)):
    """Twin of scratch.nn.Embedding (num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
    scale_grad_by_freq, sparse, _weight, _freeze, dtype, rng)."""

    densify = False

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False) -> Embedding:
        return cls._wrap(torch.nn.Embedding.from_pretrained(to_torch(embeddings), freeze, padding_idx, max_norm,
                                                            norm_type, scale_grad_by_freq, sparse))


class EmbeddingBag(_DenseGrad, twin(torch.nn.EmbeddingBag, has_params=True)):
    """Twin of scratch.nn.EmbeddingBag; forward(input, offsets=None, per_sample_weights=None) (a float
    per_sample_weights requires grad, so backward returns its gradient)."""

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                        mode="mean", sparse=False, include_last_offset=False, padding_idx=None) -> EmbeddingBag:
        return cls._wrap(torch.nn.EmbeddingBag.from_pretrained(to_torch(embeddings), freeze, max_norm, norm_type,
                                                               scale_grad_by_freq, mode, sparse, include_last_offset,
                                                               padding_idx))
