"""Placeholder while the normalization family is being written: it exports nothing yet."""

__all__: list[str] = []
