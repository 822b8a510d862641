"""The board pack as one document: its sections in order, built from one context.

Each section is a module of this package with `build(ctx) -> Section`; they are imported by
name when the pack is built, so `tenure --help` stays fast. A section whose data is missing
says so in its `no_data` and the pack goes on: only accounts and subscriptions are required.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.reports.board.context import board_context

if TYPE_CHECKING:
    from tenure.operating.periods import Period
    from tenure.reports.board.section import Section
    from tenure.workspace import Workspace

# in the order a board reads them: the numbers, where they came from, where they are going, what CS does
SECTIONS = ("headline", "bridge", "retention", "health", "risk", "forecast",
            "adoption", "gaps", "onboarding", "value", "team")
Progress = Callable[[str, int, int], None]  # (section, done, total)


@dataclass
class BoardPack:
    title: str
    period: Period
    as_of: dt.date
    currency: str
    sections: list[Section]

    @property
    def subtitle(self) -> str:
        span = f"{self.period.start.isoformat()} to {self.period.end.isoformat()}"
        return f"{self.period.label} ({span}), as known on {self.as_of.isoformat()}"

    @property
    def stem(self) -> str:
        """The file name the pack is written under, without extension."""
        return f"board-{self.period.label}"


def build_board(ws: Workspace, period_text: str, *, as_of: dt.date | None = None,
                progress: Progress | None = None, sections: Sequence[str] = SECTIONS) -> BoardPack:
    """Build every section of the board pack for the period named `period_text` (2026Q3, 2026-07, 2026)."""
    unknown = [name for name in sections if name not in SECTIONS]
    if unknown:
        raise TenureError(f"no board pack section {unknown[0]!r}; the sections are {', '.join(SECTIONS)}")
    ctx = board_context(ws, period_text, as_of=as_of)
    built = []
    try:
        for done, name in enumerate(sections):
            if progress:
                progress(name, done, len(sections))
            built.append(section_builder(name)(ctx))
        if progress:
            progress("done", len(sections), len(sections))
    finally:
        if ctx.store is not None:
            ctx.store.dispose()
    return BoardPack(title="Customer success board pack", period=ctx.period, as_of=ctx.as_of,
                     currency=ctx.currency, sections=built)


def section_builder(name: str) -> Callable:
    """The `build` function of the section module `tenure.reports.board.<name>`."""
    return importlib.import_module(f"tenure.reports.board.{name}").build
