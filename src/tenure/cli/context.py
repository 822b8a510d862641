"""What every command shares: the workspace options, date parsing and output formats."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from tenure.errors import TenureError

if TYPE_CHECKING:
    from tenure.workspace import Workspace


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


@dataclass
class Options:
    """Global options, held in the Typer context; the workspace opens only when a command needs it."""

    workspace: Path | None
    warehouse: str | None
    _opened: Workspace | None = None

    def open(self) -> Workspace:
        from tenure.workspace import Workspace

        if self._opened is None:
            self._opened = Workspace.open(self.workspace, warehouse_url=self.warehouse)
        return self._opened


def options(ctx: typer.Context) -> Options:
    return ctx.find_root().obj


def parse_date(value: str | None, *, name: str = "--as-of") -> dt.date:
    """An ISO date option; today when empty."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TenureError(f"{name} {value!r} is not an ISO date (YYYY-MM-DD)") from None


AS_OF = typer.Option(None, "--as-of", help="Compute as of this date (YYYY-MM-DD); default today.")
FORMAT = typer.Option(Format.table, "--format", "-f", help="Output format.")
