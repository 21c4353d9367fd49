"""Twins of the scratch losses: the real torch.nn losses behind the numpy boundary.

``loss(input, target)`` runs torch with ``input`` requiring grad; ``loss.backward(dy=None)`` runs torch autograd
(dy=None on a non-scalar output raises torch's own RuntimeError). ``weight``/``pos_weight`` arrays become torch
buffers of the same dtype, so state_dict keys and dtypes are torch's.
"""

import torch

from .base import twin

MSELoss = twin(torch.nn.MSELoss)
L1Loss = twin(torch.nn.L1Loss)
HuberLoss = twin(torch.nn.HuberLoss)
SmoothL1Loss = twin(torch.nn.SmoothL1Loss)
KLDivLoss = twin(torch.nn.KLDivLoss)
HingeEmbeddingLoss = twin(torch.nn.HingeEmbeddingLoss)
CrossEntropyLoss = twin(torch.nn.CrossEntropyLoss)
NLLLoss = twin(torch.nn.NLLLoss)
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

__all__ = ["MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "KLDivLoss", "HingeEmbeddingLoss", "CrossEntropyLoss",
           "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "SoftMarginLoss", "MarginRankingLoss",
           "CosineEmbeddingLoss", "PoissonNLLLoss", "GaussianNLLLoss",
           "MultiLabelMarginLoss", "MultiLabelSoftMarginLoss"]
