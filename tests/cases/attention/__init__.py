"""Catalog entries of the attention family: ScaledDotProductAttention (sdpa.py), MultiheadAttention (multihead.py)."""

from __future__ import annotations

from tests.catalog import Case

from . import multihead, sdpa
from .sdpa import MASK_SEED, attn

__all__ = ["CASES", "MASK_SEED", "attn"]

CASES: list[Case] = sdpa.CASES + multihead.CASES
