"""Placeholder while the dropout twins are being written."""

__all__: list[str] = []
