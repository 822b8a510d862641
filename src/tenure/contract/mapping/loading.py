"""Loading through a mapping, for real or as a dry run (`tenure sources check`).

Both go through `tenure.contract.load.load_sources`, the one loader: mapped files stage
themselves, then the data contract's checks and its atomic, idempotent apply do the rest.
Problems the contract's checks find in a mapped file name the source column they came from:
`Customer ID (account_id)`, `mrr (derived)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import duckdb

from tenure.contract.load import LoadReport, Progress, TableChange, load_sources
from tenure.contract.mapping.engine import MappedFile
from tenure.contract.mapping.model import FileOptions
from tenure.contract.mapping.names import Header
from tenure.contract.mapping.plan import Plan
from tenure.contract.mapping.reading import read
from tenure.contract.schemas import table as contract_table
from tenure.contract.sources import SourceFile
from tenure.contract.staging import Stager, quote, unparsed
from tenure.errors import DataContractError, Problem
from tenure.warehouse import Warehouse


def load_planned(planned: Plan, *, warehouse: Warehouse, timezone: str | None = None, base_currency: str = "USD",
                 progress: Progress | None = None) -> LoadReport:
    """Validate and load the planned sources, all or nothing; problems name the source columns."""
    tracked = _Tracked(planned)
    try:
        report = load_sources(tracked.sources, warehouse=warehouse, timezone=timezone, base_currency=base_currency,
                              progress=progress)
    except DataContractError as exc:
        raise DataContractError(tracked.relabel(exc.problems), exc.total_by_rule) from None
    report.warnings = tracked.relabel(report.warnings)
    return report


@dataclass
class FileCheck:
    """One file as `tenure sources check` shows it."""

    file: str
    table: str
    mapping: str | None  # the file mapping that reads it; None: a data-contract file
    columns: list[str] = field(default_factory=list)  # the file's columns
    used: dict[str, list[str]] = field(default_factory=dict)  # source column -> contract columns
    filled: dict[str, str] = field(default_factory=dict)  # contract column -> where it comes from
    preview: list[dict[str, str | None]] = field(default_factory=list)  # the first rows, mapped


@dataclass
class CheckReport:
    """A dry run: the files, their first rows mapped, every problem, and what a load would change."""

    files: list[FileCheck]
    problems: list[Problem]
    totals: dict[str, int]
    warnings: list[Problem]
    warning_totals: dict[str, int]
    changes: dict[str, TableChange] | None  # None when the load would be rejected


def check(planned: Plan, *, warehouse: Warehouse, timezone: str | None = None, base_currency: str = "USD",
          rows: int = 5) -> CheckReport:
    """Everything a load would do and find, without changing the warehouse."""
    tracked = _Tracked(planned)
    files: list[FileCheck] = []

    def inspect(con: duckdb.DuckDBPyConnection, staged: list[str]) -> None:
        for source in planned.sources:
            files.append(_file_check(con, source, staged, rows))

    try:
        report = load_sources(tracked.sources, warehouse=warehouse, timezone=timezone, base_currency=base_currency,
                              dry_run=True, inspect=inspect)
    except DataContractError as exc:
        if not files:  # rejected before staging (e.g. an unknown time zone)
            files = [FileCheck(str(s.path), s.table, _mapping_of(s)) for s in planned.sources]
        return CheckReport(files, tracked.relabel(exc.problems), exc.total_by_rule, [], {}, None)
    return CheckReport(files, [], {}, tracked.relabel(report.warnings), report.warning_totals, report.changes)


class _Tracked:
    """Remembers which problems the mapping itself raised, so that only the contract's are relabelled."""

    def __init__(self, planned: Plan):
        self.planned = planned
        self.made: set[int] = set()
        for run in {id(m.run): m.run for m in planned.mapped}.values():
            run.reset()
        self.sources = [self._wrap(s) for s in planned.sources]

    def _wrap(self, source: SourceFile | MappedFile) -> SourceFile | _Watching:
        return _Watching(source, self.made) if isinstance(source, MappedFile) else source

    def relabel(self, problems: list[Problem]) -> list[Problem]:
        labels: dict[tuple[str, str], str] = {}
        for mapped in self.planned.mapped:
            for name, target in mapped.targets.items():
                labels.setdefault((str(mapped.path), name), target.label())
        out = []
        for problem in problems:
            label = labels.get((problem.file, problem.column or ""))
            if id(problem) not in self.made and label is not None and label != problem.column:
                problem = replace(problem, column=label)
            out.append(problem)
        return out


class _Watching:
    """A mapped file whose problems are noted as the mapping's own."""

    def __init__(self, mapped: MappedFile, made: set[int]):
        self.mapped, self.made, self.path = mapped, made, mapped.path

    def stage(self, stager: Stager) -> None:
        before = (len(stager.problems), len(stager.row_problems))
        self.mapped.stage(stager)
        for problem in stager.problems[before[0]:] + stager.row_problems[before[1]:]:
            self.made.add(id(problem))


def _mapping_of(source: SourceFile | MappedFile) -> str | None:
    return source.describe() if isinstance(source, MappedFile) else None


def _file_check(con: duckdb.DuckDBPyConnection, source: SourceFile | MappedFile, staged: list[str],
                rows: int) -> FileCheck:
    found = FileCheck(str(source.path), source.table, _mapping_of(source))
    if isinstance(source, MappedFile):
        found.columns, found.used = source.columns, source.used_by()
        header = Header(source.columns)
        for name, lookup in source.run.mapping.lookups.items():
            if source.path in source.run.lookups.files_of(lookup):
                for part in ("key", "value"):
                    column = header.get(getattr(lookup, part))
                    if column is not None:
                        found.used.setdefault(column, []).append(f"lookup {name!r} ({part})")
        for name, target in source.targets.items():
            if target.origin == "constants":
                found.filled[name] = f"constant {source.spec.constants[name]!r}"
            elif target.origin == "derived":
                found.filled[name] = f"= {source.spec.derived[name]}"
            else:
                found.filled[name] = f"column {target.source!r}" + (" (same name)" if target.origin == "same name"
                                                                    else "")
            if name in source.spec.values:
                found.filled[name] += ", value map"
    else:
        header = read(con, source.path, FileOptions(), lambda *_: None)
        found.columns = header.columns if header else []
        spec = contract_table(source.table)
        for column in found.columns:
            if column.strip().lower() in spec.column_by_name:
                found.used[column] = [column.strip().lower()]
                found.filled[column.strip().lower()] = f"column {column!r}"
    if source.table in staged:
        found.preview = _preview(con, source.table, str(source.path), rows)
    return found


def _preview(con: duckdb.DuckDBPyConnection, name: str, file: str, rows: int) -> list[dict[str, str | None]]:
    """The first staged rows of a file: typed values, or `✗ value` where a value did not read."""
    spec = contract_table(name)
    shown = []
    for column in spec.columns:
        value = f"CAST({quote(column.name)} AS VARCHAR)"
        if unparsed(column):
            value = f"coalesce({value}, '✗ ' || {quote(unparsed(column))})"
        shown.append(f"{value} AS {quote(column.name)}")
    result = con.execute(f"SELECT __row, {', '.join(shown)} FROM {quote('_stage_' + name)} WHERE __file = ? "
                         f"ORDER BY __row LIMIT {int(rows)}", [file]).fetchall()
    names = ["row"] + [c.name for c in spec.columns]
    return [dict(zip(names, (str(v) if v is not None else None for v in row), strict=True)) for row in result]
