"""Placeholder while the losses twins are being written."""

__all__: list[str] = []
