"""Helpers of the data-contract tests (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from tenure.contract.load import LoadReport, load
from tenure.workspace import Workspace

DATA = Path(__file__).parents[1] / "data"
BASELINE = DATA / "good" / "baseline"
BAD = DATA / "bad"


def load_paths(ws: Workspace, *paths: Path, table: str | None = None, timezone: str | None = None) -> LoadReport:
    """Load files or folders into the workspace with its configured base currency, as `tenure load` does."""
    return load(list(paths), warehouse=ws.warehouse, table_name=table, timezone=timezone,
                base_currency=ws.config.base_currency)


def tables(ws: Workspace) -> list[str]:
    """The contract tables in the warehouse, looked up afresh (the warehouse caches its table handles)."""
    ws.warehouse.forget()
    return sorted(ws.warehouse.loaded_tables())


def fingerprint(ws: Workspace) -> dict[str, tuple[int, str]]:
    """`Warehouse.fingerprint()` over the tables present now, including any a load created."""
    ws.warehouse.forget()
    return ws.warehouse.fingerprint()
