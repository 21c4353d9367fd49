"""Twins of the scratch losses: the real torch.nn losses behind the numpy boundary.

``loss(input, target)`` runs torch with ``input`` requiring grad; ``loss.backward(dy=None)`` runs torch autograd
(dy=None on a non-scalar output raises torch's own RuntimeError). ``weight``/``pos_weight`` arrays become torch
buffers of the same dtype, so state_dict keys and dtypes are torch's.
"""

import torch

from .base import TorchLoss, TorchModule, twin

MSELoss = twin(torch.nn.MSELoss)
L1Loss = twin(torch.nn.L1Loss)
HuberLoss = twin(torch.nn.HuberLoss)
SmoothL1Loss = twin(torch.nn.SmoothL1Loss)
KLDivLoss = twin(torch.nn.KLDivLoss)
HingeEmbeddingLoss = twin(torch.nn.HingeEmbeddingLoss)
CrossEntropyLoss = twin(torch.nn.CrossEntropyLoss)
NLLLoss = twin(torch.nn.NLLLoss)
NLLLoss2d = twin(torch.nn.NLLLoss2d)
BCELoss = twin(torch.nn.BCELoss)
BCEWithLogitsLoss = twin(torch.nn.BCEWithLogitsLoss)
MultiMarginLoss = twin(torch.nn.MultiMarginLoss)
SoftMarginLoss = twin(torch.nn.SoftMarginLoss, differentiable_target=False)  # its ATen op refuses a grad target
MarginRankingLoss = twin(torch.nn.MarginRankingLoss)
CosineEmbeddingLoss = twin(torch.nn.CosineEmbeddingLoss)
PoissonNLLLoss = twin(torch.nn.PoissonNLLLoss)
GaussianNLLLoss = twin(torch.nn.GaussianNLLLoss)
MultiLabelMarginLoss = twin(torch.nn.MultiLabelMarginLoss)
MultiLabelSoftMarginLoss = twin(torch.nn.MultiLabelSoftMarginLoss)
PairwiseDistance = twin(torch.nn.PairwiseDistance)
TripletMarginLoss = twin(torch.nn.TripletMarginLoss)
CTCLoss = twin(torch.nn.CTCLoss)
LinearCrossEntropyLoss = twin(torch.nn.LinearCrossEntropyLoss, has_params=True)
LinearCrossEntropyOptions = torch.nn.LinearCrossEntropyOptions  # not a block (no __all__ entry): the chunking knobs


class TripletMarginWithDistanceLoss(TorchLoss):
    """Twin of torch.nn.TripletMarginWithDistanceLoss. ``distance_function``: None, a torch callable (a lambda on
    tensors), or a twin block (``reference.nn.PairwiseDistance(p=1)``), whose torch module torch then calls and
    registers as its child, as with ``torch.nn.PairwiseDistance(p=1)``."""

    def __init__(self, *, distance_function=None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        if isinstance(distance_function, TorchModule):
            distance_function = distance_function.torch_module
        TorchModule.__init__(self, torch.nn.TripletMarginWithDistanceLoss(
            distance_function=distance_function, margin=margin, swap=swap, reduction=reduction))

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "KLDivLoss", "HingeEmbeddingLoss", "CrossEntropyLoss",
           "NLLLoss", "NLLLoss2d", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "SoftMarginLoss",
           "MarginRankingLoss", "CosineEmbeddingLoss", "PoissonNLLLoss", "GaussianNLLLoss",
           "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss", "PairwiseDistance", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "CTCLoss", "LinearCrossEntropyLoss"]
