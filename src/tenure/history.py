"""Daily history: account metrics and health stored per date, for trends and backtests.

A snapshot is keyed by its `as_of` date: storing a date again replaces that date's rows, so
re-running a day or a backfill never duplicates. Each snapshot is computed point-in-time
from the loaded data, so a backfill gives the history a workspace *would* have recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import ibis

from tenure.errors import TenureError
from tenure.views.health import health_at, metrics_at, shared_first_uses

if TYPE_CHECKING:
    import pyarrow as pa

    from tenure.warehouse import Warehouse
    from tenure.workspace import Workspace

METRICS_HISTORY = "account_metrics_history"
HEALTH_HISTORY = "health_history"
STEPS = {"day": 1, "week": 7}


def snapshot(ws: Workspace, *, as_of: dt.date, first_uses: ibis.Table | None = None) -> dict[str, int]:
    """Compute account metrics and health at `as_of` and store them under that date; rows per table."""
    if first_uses is None:
        first_uses = shared_first_uses(ws)
    metrics = metrics_at(ws, as_of=as_of, first_uses=first_uses).cache()
    stamp = ibis.literal(as_of, type="date")
    health = health_at(ws, as_of=as_of, metrics=metrics, first_uses=first_uses)
    tables = {
        METRICS_HISTORY: metrics.mutate(as_of=stamp).to_pyarrow(),
        HEALTH_HISTORY: health.mutate(as_of=stamp).to_pyarrow(),
    }
    store_snapshot(ws.warehouse, tables, as_of)
    return {name: table.num_rows for name, table in tables.items()}


def dates(start: dt.date, end: dt.date, every: str) -> list[dt.date]:
    """The snapshot dates of a backfill: `end` and every step back from it to `start`."""
    if every not in STEPS:
        raise TenureError(f"--every must be one of {', '.join(STEPS)}, not {every!r}")
    if start > end:
        raise TenureError(f"--from {start} is after --to {end}")
    out = []
    day = end
    while day >= start:
        out.append(day)
        day -= dt.timedelta(days=STEPS[every])
    return out[::-1]


def backfill(ws: Workspace, days: list[dt.date], *,
             progress: Callable[[dt.date], None] | None = None) -> Iterator[tuple[dt.date, dict[str, int]]]:
    """Store a snapshot for each day, oldest first, yielding as each one is stored."""
    firsts = shared_first_uses(ws)
    for day in days:
        if progress:
            progress(day)
        yield day, snapshot(ws, as_of=day, first_uses=firsts)


def history(ws: Workspace, name: str = HEALTH_HISTORY):
    """A stored history table, or None before the first `tenure run`."""
    backend = ws.warehouse.backend
    return backend.table(name) if name in backend.list_tables() else None


def stored_day(ws: Workspace, name: str, as_of: dt.date) -> ibis.Table | None:
    """The rows a history table holds for one date, or None when that date was never stored."""
    table = history(ws, name)
    if table is None:
        return None
    day = table.filter(table.as_of == ibis.literal(as_of, type="date"))
    return day if ws.warehouse.execute(day.count()) else None


def store_snapshot(warehouse: Warehouse, tables: dict[str, pa.Table], as_of: dt.date) -> None:
    """Replace the rows of `as_of` in each history table, all tables in one transaction."""
    backend = warehouse.backend
    present = set(backend.list_tables())
    if not warehouse.is_duckdb:
        for name, table in tables.items():
            if name in present:
                backend.raw_sql(f"DELETE FROM {name} WHERE as_of = '{as_of.isoformat()}'")
                backend.insert(name, table)
            else:
                backend.create_table(name, table)
        return
    with warehouse.transaction() as con:
        for name, table in tables.items():
            con.register("_snapshot", table)
            if name not in present:
                con.execute(f"CREATE TABLE {name} AS SELECT * FROM _snapshot").fetchall()
            else:
                known = {row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()}
                for column, kind, *_ in con.execute("DESCRIBE _snapshot").fetchall():
                    if column not in known:  # a metric added since (a new value driver): older days hold NULL
                        con.execute(f'ALTER TABLE {name} ADD COLUMN "{column}" {kind}').fetchall()
                con.execute(f"DELETE FROM {name} WHERE as_of = ?", [as_of]).fetchall()
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _snapshot").fetchall()
            con.unregister("_snapshot")
