"""Small pieces of English the sections' narratives share: lists and directions, said one way."""

from __future__ import annotations

from collections.abc import Sequence

from tenure.reports.figures import count


def listing(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def gain_or_loss(value: float) -> str:
    return "gain" if value >= 0 else "loss"


def up_or_down(value: float) -> str:
    return "up" if value >= 0 else "down"


def plural(n: float, word: str) -> str:
    """`n` (written as `figures.count` writes it) and `word`, with an s unless there is exactly one."""
    return f"{count(n)} {word}{'' if n == 1 else 's'}"
