"""Counted nouns in a narrative: '1 account', '12 accounts', the figure written as `figures.count` writes it."""

from __future__ import annotations

from tenure.reports.figures import count


def plural(n: float, word: str) -> str:
    """`n` and `word`, with an s unless there is exactly one."""
    return f"{count(n)} {word}{'' if n == 1 else 's'}"
