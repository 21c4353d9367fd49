"""Placeholder while the losses family is being written: it exports nothing yet."""

__all__: list[str] = []
