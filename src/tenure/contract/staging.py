"""Reading source files into typed staging tables, recording every value that fails to parse.

Staging always runs in DuckDB (the warehouse's own connection when the warehouse is DuckDB,
an in-memory one otherwise), so that files of any size are read and checked in the engine.
A staged table holds, per contract column `c`, the typed value `c`; and for columns that are
not plain text, `c__unparsed`: the value as written when it was present but did not parse
(NULL otherwise, so it costs almost nothing on a file of valid rows). `__reported` lists the
columns of a row whose problem was already reported while staging (by a source mapping, see
`tenure.contract.mapping`), so that the contract's checks do not report the same cell twice.
"""

from __future__ import annotations

import csv
import io
import re

import duckdb

from tenure.contract.schemas import SQL_TYPES, Column, Kind, Table
from tenure.contract.sources import SourceFile
from tenure.errors import Problem

DATE_RE = r"\d{4}-\d{2}-\d{2}"
TS_BODY = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?"
TS_OFFSET = r"(Z|z|[+-]\d{2}(:?\d{2})?)"
DECIMAL_RE = r"-?\d{1,14}(\.\d+)?"
INTEGER_RE = r"-?\d{1,18}"
BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
MAX_LINE_BYTES = 64 * 1024 * 1024
UNNAMED = "__unnamed_column_"

# Parquet physical types accepted for each contract kind (DuckDB's names for them).
PARQUET_TYPES = {
    Kind.STRING: re.compile(r"VARCHAR|(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?)"),
    Kind.DATE: re.compile(r"DATE"),
    Kind.TIMESTAMP: re.compile(r"TIMESTAMP( WITH TIME ZONE|_NS|_MS|_S)?"),
    Kind.DECIMAL: re.compile(r"DECIMAL\(\d+,\d+\)|DOUBLE|FLOAT|U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?"),
    Kind.INTEGER: re.compile(r"U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?"),
    Kind.BOOLEAN: re.compile(r"BOOLEAN"),
}


def quote(name: str) -> str:
    """A SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal, quoted."""
    return "'" + text.replace("'", "''") + "'"


class Stager:
    """Stages the files of one load into `_stage_<table>` tables of a DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, timezone: str | None):
        self.con = con
        self.timezone = timezone
        self.problems: list[Problem] = []  # the file cannot be staged: nothing is validated
        self.warnings: list[Problem] = []
        # problems in rows found while staging (by a source mapping): reported with the contract's findings
        self.row_problems: list[Problem] = []
        self.row_totals: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def stage(self, source: SourceFile, table: Table) -> None:
        """Append one file's rows to the table's staging table, or record why it cannot be read."""
        select = self._csv_select(source, table) if source.format == "csv" else self._parquet_select(source, table)
        if select is None:
            return
        self.insert(source, table, select)

    def insert(self, source: SourceFile, table: Table, select: str) -> None:
        """Append the rows of `select` (`__file`, `__row`, and per column its typed and unparsed value,
        optionally `__reported`) to the table's staging table."""
        target = quote(f"_stage_{table.name}")
        try:
            if table.name not in self.rows:
                self.con.execute(f"CREATE TEMP TABLE {target} ({staging_columns(table)})").fetchall()
                self.rows[table.name] = 0
            count = self.con.execute(f"INSERT INTO {target} BY NAME {select}").fetchall()[0][0]
        except duckdb.Error as exc:
            self.read_error(source, exc)
            return
        if count == 0:
            self._problem(source, None, None, None, "no_rows", "the file has a header but no data rows")
        self.rows[table.name] = self.rows.get(table.name, 0) + count

    # -- CSV ---------------------------------------------------------------------------------

    def _csv_select(self, source: SourceFile, table: Table) -> str | None:
        header = self._csv_header(source)
        if header is None:
            return None
        columns = {name: "VARCHAR" for name in header}
        struct = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in columns) + "}"
        scan = (
            f"read_csv({literal(str(source.path))}, auto_detect=false, header=true, delim=',', "
            f"quote='\"', escape='\"', strict_mode=true, columns={struct}, "
            f"max_line_size={MAX_LINE_BYTES}, encoding='utf-8')"
        )
        present = self._check_columns(source, table, header)
        if present is None:
            return None
        parts = [f"{literal(str(source.path))} AS __file", "row_number() OVER () AS __row"]
        for column in table.columns:
            raw = f"NULLIF({quote(present[column.name])}, '')" if column.name in present else "NULL::VARCHAR"
            parts.extend(self.typed_from_text(column, raw))
        return f"SELECT {', '.join(parts)} FROM {scan}"

    def _csv_header(self, source: SourceFile) -> list[str] | None:
        with source.path.open("rb") as handle:
            head = handle.read(4096)
        if not head:
            self._problem(source, None, None, None, "empty_file", "the file is empty")
            return None
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
            self._problem(source, None, None, None, "encoding",
                          "the file is UTF-16 or UTF-32 encoded; save it as UTF-8 (with or without BOM)")
            return None
        try:
            with source.path.open("rb") as handle:  # decode the header line only: a bad byte below it is a row's
                first = handle.readline(MAX_LINE_BYTES).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self._problem(source, 0, None, None, "encoding",
                          f"the header is not UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the file as UTF-8")
            return None
        header = next(csv.reader(io.StringIO(first)), [])
        header = [name.strip() for name in header]
        if not header or header == [""]:
            self._problem(source, None, None, None, "empty_file", "the file has no header row")
            return None
        if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
            self._problem(source, 0, None, header[0][:80], "delimiter",
                          "the header has one column; the file looks delimited by something other "
                          "than a comma (tenure reads comma-separated files)")
            return None
        # an empty name (a trailing comma from a spreadsheet) is an unnamed column: read and ignored
        return [name or f"{UNNAMED}{i + 1}" for i, name in enumerate(header)]

    def typed_from_text(self, column: Column, raw: str, *, timezone: str | None = None) -> list[str]:
        """SQL for the typed value of a text column, and for its values that do not parse; naive
        timestamps are local times of `timezone` (default: the load's)."""
        trimmed = f"trim({raw})"
        if column.kind is Kind.STRING:
            typed = raw
        elif column.kind is Kind.DATE:
            typed = f"CASE WHEN regexp_full_match({trimmed}, '{DATE_RE}') THEN TRY_CAST({trimmed} AS DATE) END"
        elif column.kind is Kind.DECIMAL:
            typed = (f"CASE WHEN regexp_full_match({trimmed}, '{DECIMAL_RE}') "
                     f"THEN TRY_CAST({trimmed} AS {SQL_TYPES[Kind.DECIMAL]}) END")
        elif column.kind is Kind.INTEGER:
            typed = f"CASE WHEN regexp_full_match({trimmed}, '{INTEGER_RE}') THEN TRY_CAST({trimmed} AS BIGINT) END"
        elif column.kind is Kind.BOOLEAN:
            typed = f"CASE lower({trimmed}) WHEN 'true' THEN true WHEN '1' THEN true " \
                    f"WHEN 'false' THEN false WHEN '0' THEN false END"
        else:
            typed = self._timestamp_from_text(trimmed, timezone or self.timezone)
        if column.allowed is not None or column.currency:
            typed = f"lower({typed})" if column.allowed is not None else f"upper({typed})"
        return _typed_and_unparsed(column, typed, raw)

    def _timestamp_from_text(self, text: str, timezone: str | None) -> str:
        # ISO 8601 allows minutes without seconds (10:00Z); DuckDB's parser wants the seconds.
        text = rf"regexp_replace({text}, '^(\d{{4}}-\d{{2}}-\d{{2}}[T ]\d{{2}}:\d{{2}})([Zz+-]|$)', '\1:00\2')"
        text = f"regexp_replace({text}, 'z$', 'Z')"  # RFC 3339 allows a lower-case z; DuckDB's parser does not
        with_offset = (f"CASE WHEN regexp_full_match({text}, '{TS_BODY}{TS_OFFSET}') "
                       f"THEN timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) END")
        if timezone is None:
            return with_offset
        naive = (f"WHEN regexp_full_match({text}, '{TS_BODY}') "
                 f"THEN timezone('UTC', timezone({literal(timezone)}, TRY_CAST({text} AS TIMESTAMP)))")
        return f"CASE WHEN ({with_offset}) IS NOT NULL THEN ({with_offset}) {naive} END"

    # -- Parquet -----------------------------------------------------------------------------

    def _parquet_select(self, source: SourceFile, table: Table) -> str | None:
        scan = f"read_parquet({literal(str(source.path))}, file_row_number=true)"
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
        except duckdb.Error as exc:
            self.read_error(source, exc)
            return None
        types = {row[0]: row[1] for row in described if row[0] != "file_row_number"}
        present = self._check_columns(source, table, list(types))
        if present is None:
            return None
        parts = [f"{literal(str(source.path))} AS __file", "file_row_number + 1 AS __row"]
        ok = True
        for column in table.columns:
            if column.name not in present:
                parts.extend(_typed_and_unparsed(column, f"NULL::{SQL_TYPES[column.kind]}", "NULL::VARCHAR"))
                continue
            source_name = present[column.name]
            physical = types[source_name]
            if not PARQUET_TYPES[column.kind].fullmatch(physical):
                ok = False
                self._problem(source, None, column.name, physical, "parquet_type",
                              f"Parquet type {physical} cannot hold a {column.kind.value}")
                continue
            value = quote(source_name)
            if column.kind is Kind.TIMESTAMP:
                if physical == "TIMESTAMP WITH TIME ZONE":
                    value = f"timezone('UTC', {value})"
                elif self.timezone is None:
                    ok = False
                    self._problem(source, None, column.name, physical, "naive_timestamp",
                                  "timestamps without a time zone; pass --timezone to say which zone they are in")
                    continue
                else:
                    value = f"timezone('UTC', timezone({literal(self.timezone)}, {value}::TIMESTAMP))"
            typed = f"TRY_CAST({value} AS {SQL_TYPES[column.kind]})"
            if column.allowed is not None:
                typed = f"lower({typed})"
            elif column.currency:
                typed = f"upper({typed})"
            raw = f"CAST({quote(source_name)} AS VARCHAR)"
            parts.extend(_typed_and_unparsed(column, typed, raw))
        return f"SELECT {', '.join(parts)} FROM {scan}" if ok else None

    # -- shared ------------------------------------------------------------------------------

    def _check_columns(self, source: SourceFile, table: Table, header: list[str]) -> dict[str, str] | None:
        """Map contract columns to the file's columns (case-insensitive); report missing ones."""
        present: dict[str, str] = {}
        seen: set[str] = set()
        ok = True
        for name in header:
            key = name.strip().lower()
            if key in seen:
                self._problem(source, 0, name, None, "duplicate_column", "the column appears twice in the header")
                ok = False
            elif key.startswith(UNNAMED):
                self.warnings.append(Problem(str(source.path), 0, None, None, "unknown_column",
                                             f"column {key.removeprefix(UNNAMED)} has no name; ignored"))
            elif key in table.column_by_name:
                present[key] = name
            else:
                self.warnings.append(Problem(str(source.path), 0, name, None, "unknown_column",
                                             f"not a column of {table.name}; ignored"))
            seen.add(key)
        for column in table.required_columns:
            if column not in present:
                self._problem(source, 0, column, None, "missing_column",
                              f"required column of {table.name} is missing from the header")
                ok = False
        return present if ok else None

    def read_error(self, source: SourceFile, exc: duckdb.Error) -> None:
        text = str(exc)
        line = re.search(r"on Line: (\d+)", text)
        reason = _reason(text)
        if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
            rule, reason = "encoding", "the file is not valid UTF-8; save it as UTF-8"
        elif "unterminated quote" in text.lower():
            rule = "truncated"
        elif "Expected Number of Columns" in text:
            rule = "column_count"
        elif source.format == "parquet":
            rule = "unreadable"
        else:
            rule = "csv_syntax"
        row = int(line.group(1)) - 1 if line else None  # DuckDB counts records, the header being the first
        file_line = _file_line(source, int(line.group(1))) if line and source.format == "csv" else None
        where = f" (line {file_line} of the file)" if file_line else ""
        self._problem(source, row, None, None, rule, f"{reason}{where}")

    def _problem(self, source: SourceFile, row: int | None, column: str | None, value: str | None,
                 rule: str, message: str) -> None:
        self.problems.append(Problem(str(source.path), row, column, value, rule, message))


def _file_line(source: SourceFile, record: int) -> int | None:
    """The line of the file where a CSV record (1 = the header) starts: quoted values may span lines."""
    try:
        with source.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            previous_end = 0
            for number, _ in enumerate(reader, start=1):
                if number == record:
                    return previous_end + 1
                previous_end = reader.line_num
    except (UnicodeDecodeError, csv.Error):
        return None
    return None


def staging_columns(table: Table) -> str:
    """Column definitions of a staging table: where each row came from, the typed and unparsed values,
    and the columns whose problem in that row is already reported."""
    parts = ["__file VARCHAR", "__row BIGINT"]
    for column in table.columns:
        parts.append(f"{quote(column.name)} {SQL_TYPES[column.kind]}")
        if unparsed(column):
            parts.append(f"{quote(unparsed(column))} VARCHAR")
    parts.append("__reported VARCHAR[]")
    return ", ".join(parts)


def unparsed(column: Column) -> str | None:
    """Name of the staging column holding a column's unparsable values (None for plain text)."""
    return None if column.kind is Kind.STRING else column.name + "__unparsed"


def _typed_and_unparsed(column: Column, typed: str, raw: str) -> list[str]:
    parts = [f"{typed} AS {quote(column.name)}"]
    if unparsed(column):
        parts.append(f"CASE WHEN {raw} IS NOT NULL AND ({typed}) IS NULL THEN {raw} END AS {quote(unparsed(column))}")
    return parts


def _reason(text: str) -> str:
    """The one line of a DuckDB reader error that says what is wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("Expected Number of Columns", "Value with unterminated quote")):
            return line.rstrip(".")
    first = lines[0] if lines else text
    return first.removeprefix("Invalid Input Error: ").removeprefix("IO Error: ").rstrip(".")

