"""Placeholder while the dropout family is being written: it exports nothing yet."""

__all__: list[str] = []
