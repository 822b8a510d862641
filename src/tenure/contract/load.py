"""Loading source files into the warehouse: stage, validate everything, then apply atomically.

A load either applies completely or changes nothing (DESIGN.md, principle 6). Keyed tables
upsert by key; events append only rows not already present, so re-loading a file is a no-op.
A source is a data-contract file (`SourceFile`) or anything else that can stage itself, such
as a file read through a source mapping (`tenure.contract.mapping`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import duckdb

from tenure.contract.schemas import LOAD_ORDER, SQL_TYPES, table
from tenure.contract.sources import SourceFile, collect
from tenure.contract.staging import Stager, quote
from tenure.contract.validate import validate
from tenure.errors import DataContractError, Problem
from tenure.warehouse import Warehouse, create_sql

Progress = Callable[[str], None]
# called with the staging connection and the staged table names once every source is staged
Inspect = Callable[[duckdb.DuckDBPyConnection, list[str]], None]


class Source(Protocol):
    """An input that stages its own rows (into `_stage_<table>`, through `Stager.insert`)."""

    path: Path

    def stage(self, stager: Stager) -> None: ...


@dataclass
class TableChange:
    """What a load did to one table."""

    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    total: int = 0


@dataclass
class LoadReport:
    """The outcome of a successful load: per-table changes and the warnings it raised."""

    changes: dict[str, TableChange] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    warning_totals: dict[str, int] = field(default_factory=dict)


def steps(sources: Sequence[SourceFile | Source]) -> int:
    """How many progress steps a load of these sources reports (one per file, plus two)."""
    return len(sources) + 2


def load(paths: list[Path], *, warehouse: Warehouse, table_name: str | None = None,
         timezone: str | None = None, base_currency: str = "USD", progress: Progress | None = None) -> LoadReport:
    """Validate and load files or folders; raise DataContractError listing every problem."""
    return load_sources(collect(paths, table=table_name), warehouse=warehouse, timezone=timezone,
                        base_currency=base_currency, progress=progress)


def load_sources(sources: Sequence[SourceFile | Source], *, warehouse: Warehouse, timezone: str | None = None,
                 base_currency: str = "USD", progress: Progress | None = None, dry_run: bool = False,
                 inspect: Inspect | None = None) -> LoadReport:
    """Stage, validate and apply sources; with `dry_run`, report what would change and apply nothing.

    `inspect` sees the staged tables before any problem is raised (`tenure sources check` shows
    the first rows of each file from them)."""
    tick = progress or (lambda _step: None)
    con = warehouse.raw() if warehouse.is_duckdb else duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    _check_timezone(con, timezone)
    loaded = set(warehouse.loaded_tables())
    staged: list[str] = []
    try:
        stager = Stager(con, timezone=timezone)
        for source in sources:
            tick(f"reading {source.path.name}")
            if isinstance(source, SourceFile):
                stager.stage(source, table(source.table))
            else:
                source.stage(stager)
        staged = [name for name in LOAD_ORDER if name in stager.rows]
        if inspect is not None:
            inspect(con, staged)
        if stager.problems:
            totals = dict(stager.row_totals)
            if totals:  # counted like the row problems, so the total stays right
                for problem in stager.problems:
                    where = f"{problem.file}: {problem.rule}"
                    totals[where] = totals.get(where, 0) + 1
            raise DataContractError(stager.problems + stager.row_problems, totals)
        tick("validating")
        existing = _existing(con, warehouse, loaded)
        findings = validate(con, staged, existing, base_currency=base_currency)
        if findings.problems or stager.row_problems:
            raise DataContractError(stager.row_problems + findings.problems,
                                    {**stager.row_totals, **findings.totals})
        tick("applying")
        before = warehouse.row_counts()
        changes = {name: _diff(con, name, existing(name), stager.rows[name]) for name in staged}
        if dry_run:
            for name, change in changes.items():
                if not table(name).key:
                    change.inserted = _new_rows(con, name, existing(name))
                    change.unchanged = change.read - change.inserted
                change.total = before.get(name, 0) + change.inserted
            return LoadReport(changes, stager.warnings + findings.warnings, findings.warning_totals)
        if warehouse.is_duckdb:
            with warehouse.transaction() as tx:
                for name in staged:
                    _merge_in_place(tx, name, name in loaded)
            warehouse.forget()
        else:
            for name in staged:
                warehouse.replace(name, con.execute(_merged_select(name, existing(name))).to_arrow_table())
        after = warehouse.row_counts()
        for name, change in changes.items():
            change.total = after[name]
            if not table(name).key:
                change.inserted = change.total - before.get(name, 0)
                change.unchanged = change.read - change.inserted
        return LoadReport(changes, stager.warnings + findings.warnings, findings.warning_totals)
    finally:
        _drop_staging(con)
        if not warehouse.is_duckdb:
            con.close()


def _check_timezone(con: duckdb.DuckDBPyConnection, timezone: str | None) -> None:
    if timezone is None:
        return
    known = con.execute("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [timezone]).fetchall()[0][0]
    if not known:
        raise DataContractError([Problem("--timezone", None, None, timezone, "timezone",
                                         "unknown time zone; use an IANA name such as Europe/Paris or UTC")])


def _existing(con: duckdb.DuckDBPyConnection, warehouse: Warehouse, loaded: set[str]) -> Callable[[str], str | None]:
    """Where the warehouse's current rows of a table can be read from the staging connection."""
    copied: dict[str, str] = {}

    def existing(name: str) -> str | None:
        if name not in loaded:
            return None
        if warehouse.is_duckdb:
            return quote(name)
        if name not in copied:
            con.register("_existing_arrow", warehouse.backend.to_pyarrow(warehouse.backend.table(name)))
            copied[name] = quote(f"_existing_{name}")
            con.execute(f"CREATE TEMP TABLE {copied[name]} AS SELECT * FROM _existing_arrow").fetchall()
            con.unregister("_existing_arrow")
        return copied[name]

    return existing


def _columns(name: str) -> str:
    return ", ".join(quote(c.name) for c in table(name).columns)


def _key_match(name: str, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quote(k)} = {right}.{quote(k)}" for k in table(name).key)


def _diff(con: duckdb.DuckDBPyConnection, name: str, current: str | None, read: int) -> TableChange:
    """Count inserted, updated and unchanged keyed rows before applying (staged keys are unique)."""
    stage = quote(f"_stage_{name}")
    if not table(name).key:
        return TableChange(read=read)  # appended rows are counted after applying
    if current is None:
        return TableChange(read=read, inserted=read)
    cols = [c.name for c in table(name).columns]
    differs = " OR ".join(f"s.{quote(c)} IS DISTINCT FROM e.{quote(c)}" for c in cols)
    matched, updated = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {differs}) FROM {stage} s JOIN {current} e "
        f"ON {_key_match(name, 's', 'e')}"
    ).fetchall()[0]
    return TableChange(read=read, inserted=read - matched, updated=updated, unchanged=matched - updated)


def _new_rows(con: duckdb.DuckDBPyConnection, name: str, current: str | None) -> int:
    """How many distinct staged rows of an unkeyed table the target does not hold yet."""
    stage, cols = quote(f"_stage_{name}"), _columns(name)
    existing = f" EXCEPT SELECT {cols} FROM {current}" if current else ""
    return con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {stage}{existing})").fetchall()[0][0]


def _merge_in_place(con: duckdb.DuckDBPyConnection, name: str, exists: bool) -> None:
    """Apply one staged table to a DuckDB warehouse inside the caller's transaction."""
    stage, target, cols = quote(f"_stage_{name}"), quote(name), _columns(name)
    if not exists:
        con.execute(create_sql(name)).fetchall()
    if table(name).key:
        con.execute(f"DELETE FROM {target} USING {stage} s WHERE {_key_match(name, target, 's')}").fetchall()
        con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage}").fetchall()
    else:
        con.execute(
            f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {stage} EXCEPT SELECT {cols} FROM {target}"
        ).fetchall()


def _merged_select(name: str, current: str | None) -> str:
    """The full new content of a table, for warehouses that are replaced table by table."""
    stage, cols = quote(f"_stage_{name}"), _columns(name)
    typed = ", ".join(f"CAST({quote(c.name)} AS {SQL_TYPES[c.kind]}) AS {quote(c.name)}" for c in table(name).columns)
    staged = f"SELECT {typed} FROM {stage}"
    if current is None:
        return f"SELECT DISTINCT * FROM ({staged})"
    if not table(name).key:
        return f"SELECT {cols} FROM {current} UNION {staged}"
    return (f"SELECT {cols} FROM {current} e WHERE NOT EXISTS (SELECT 1 FROM {stage} s "
            f"WHERE {_key_match(name, 's', 'e')}) UNION ALL {staged}")


def _drop_staging(con: duckdb.DuckDBPyConnection) -> None:
    names = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND "
        "(table_name LIKE '\\_stage\\_%' ESCAPE '\\' OR table_name LIKE '\\_existing\\_%' ESCAPE '\\')"
    ).fetchall()
    for (name,) in names:
        con.execute(f"DROP TABLE IF EXISTS temp.{quote(name)}").fetchall()

