"""Placeholder while the normalization twins are being written."""

__all__: list[str] = []
