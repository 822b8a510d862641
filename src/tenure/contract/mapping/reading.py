"""Reading an export as text: every column a VARCHAR, empty and null-like values NULL, rows numbered.

CSV (any delimiter, UTF-8, Latin-1 or UTF-16, optionally gzipped), Parquet and JSON (an array
or one object per line, as Segment and Mixpanel export) are read by DuckDB, so a file of any
size stays in the engine. Nested objects (Parquet structs, JSON objects) become dotted
columns: `context.groupId`. Rows are numbered as the data contract numbers them: 1 is the
first data row (in CSV the row after the header, in JSON the first record).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tenure.contract.mapping.model import FileOptions
from tenure.contract.staging import MAX_LINE_BYTES, UNNAMED, literal, quote

KINDS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".json": "json", ".jsonl": "json",
         ".ndjson": "json"}
# problem(row, column, value, rule, message)
Report = Callable[[int | None, str | None, str | None, str, str], None]


def kind_of(path: Path) -> str | None:
    """csv, parquet or json, from the file's suffix (a trailing .gz is looked through)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return KINDS.get(suffixes[-1]) if suffixes else None


@dataclass(frozen=True)
class Read:
    """A file as text: SQL selecting `__row` and every column (VARCHAR), and the column names."""

    select: str
    columns: list[str]


def read(con: duckdb.DuckDBPyConnection, path: Path, options: FileOptions, report: Report) -> Read | None:
    """The SQL that reads a file as text, or None after reporting why it cannot be read."""
    kind = kind_of(path)
    if kind == "csv":
        return _csv(path, options, report)
    if kind == "parquet":
        return _nested(con, path, f"read_parquet({literal(str(path))}, file_row_number=true)", options, report,
                       row="file_row_number + 1", skip={"file_row_number"})
    if kind == "json":
        return _json(con, path, options, report)
    report(None, None, None, "file_type", "only .csv, .tsv, .parquet, .json, .jsonl and .ndjson files can be read")
    return None


def _nulls(column_sql: str, options: FileOptions) -> str:
    words = ", ".join(literal(w.strip().lower()) for w in options.null_values if w.strip())
    empty = f"trim({column_sql}) = ''" + (f" OR lower(trim({column_sql})) IN ({words})" if words else "")
    return f"CASE WHEN {empty} THEN NULL ELSE {column_sql} END"


# -- CSV --------------------------------------------------------------------------------------------------


def _csv(path: Path, options: FileOptions, report: Report) -> Read | None:
    delimiter = "\t" if path.suffixes and ".tsv" in [s.lower() for s in path.suffixes] and options.delimiter == "," \
        else options.delimiter
    header = _csv_header(path, options, delimiter, report)
    if header is None:
        return None
    columns = [name for name in header if not name.startswith(UNNAMED)]
    struct = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in header) + "}"
    encoding = {"utf-8": "utf-8", "latin-1": "latin-1", "utf-16": "utf-16"}[options.encoding]
    scan = (
        f"read_csv({literal(str(path))}, auto_detect=false, header=true, delim={literal(delimiter)}, "
        f"quote='\"', escape='\"', strict_mode=true, columns={struct}, max_line_size={MAX_LINE_BYTES}, "
        f"encoding={literal(encoding)})"
    )
    parts = ["row_number() OVER () AS __row"] + [f"{_nulls(quote(c), options)} AS {quote(c)}" for c in columns]
    return Read(f"SELECT {', '.join(parts)} FROM {scan}", columns)


def _csv_header(path: Path, options: FileOptions, delimiter: str, report: Report) -> list[str] | None:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    codec = {"utf-8": "utf-8-sig", "latin-1": "latin-1", "utf-16": "utf-16"}[options.encoding]
    try:
        with opener(path, "rb") as handle:
            head = handle.read(4096)
            if not head:
                report(None, None, None, "empty_file", "the file is empty")
                return None
            if options.encoding != "utf-16" and (head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
                                                 or b"\x00" in head):
                report(None, None, None, "encoding",
                       "the file is UTF-16 encoded; set `encoding: utf-16` for this file mapping")
                return None
        with opener(path, "rb") as handle:
            first = io.TextIOWrapper(handle, encoding=codec, newline="").readline()
    except UnicodeDecodeError as exc:
        report(0, None, None, "encoding", f"the header is not {options.encoding} (byte 0x{exc.object[exc.start]:02x}); "
               "set `encoding:` for this file mapping (utf-8, latin-1 or utf-16)")
        return None
    except (OSError, EOFError) as exc:
        report(None, None, None, "unreadable", f"the file cannot be read: {exc}")
        return None
    header = [name.strip() for name in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]
    if not header or header == [""]:
        report(None, None, None, "empty_file", "the file has no header row")
        return None
    if len(header) == 1:
        others = [sep for sep in ",;\t|" if sep != delimiter and sep in header[0]]
        if others:
            shown = "\\t" if others[0] == "\t" else others[0]
            report(0, None, header[0][:80], "delimiter",
                   f"the header has one column; the file looks delimited by {shown!r}: set "
                   f"`delimiter: \"{shown}\"` for this file mapping")
            return None
    seen: set[str] = set()
    named = []
    for i, name in enumerate(header):
        if name and name.lower() in seen:
            report(0, name, None, "duplicate_column", "the column appears twice in the header")
            return None
        seen.add(name.lower())
        named.append(name or f"{UNNAMED}{i + 1}")
    return named


# -- Parquet and JSON ---------------------------------------------------------------------------------------


def _leaves(name: str, sql: str, kind: duckdb.typing.DuckDBPyType) -> list[tuple[str, str]]:
    """(dotted name, SQL) of every non-struct value inside a column."""
    if kind.id == "struct":
        found = []
        for child, child_type in kind.children:
            found.extend(_leaves(f"{name}.{child}", f"{sql}.{quote(child)}", child_type))
        return found
    return [(name, sql)]


def _nested(con: duckdb.DuckDBPyConnection, path: Path, scan: str, options: FileOptions, report: Report, *,
            row: str, skip: set[str]) -> Read | None:
    try:
        relation = con.sql(f"SELECT * FROM {scan}")
        names, types = relation.columns, relation.types
    except duckdb.Error as exc:
        report(None, None, None, "unreadable", f"the file cannot be read: {_first_line(exc)}")
        return None
    leaves: list[tuple[str, str]] = []
    for name, kind in zip(names, types, strict=True):
        if name not in skip:
            leaves.extend(_leaves(name, quote(name), kind))
    parts = [f"{row} AS __row"] + [f"{_nulls(f'CAST({sql} AS VARCHAR)', options)} AS {quote(name)}"
                                   for name, sql in leaves]
    return Read(f"SELECT {', '.join(parts)} FROM {scan}", [name for name, _ in leaves])


def _json(con: duckdb.DuckDBPyConnection, path: Path, options: FileOptions, report: Report) -> Read | None:
    try:
        relation = con.sql(f"SELECT * FROM read_json({literal(str(path))}, format='auto')")
        names, types = relation.columns, relation.types
    except duckdb.Error as exc:
        report(None, None, None, "unreadable", f"the file is not JSON that tenure can read: {_first_line(exc)}")
        return None
    # read every value as the text it is written as (a timestamp keeps its offset, an id its zeros)
    columns = "{" + ", ".join(f"{literal(n)}: {literal(_as_text(t))}" for n, t in zip(names, types, strict=True)) + "}"
    scan = f"read_json({literal(str(path))}, format='auto', columns={columns})"
    return _nested(con, path, f"(SELECT row_number() OVER () AS __json_row, * FROM {scan})", options, report,
                   row="__json_row", skip={"__json_row"})


def _as_text(kind: duckdb.typing.DuckDBPyType) -> str:
    if kind.id == "struct":
        return "STRUCT(" + ", ".join(f"{quote(n)} {_as_text(t)}" for n, t in kind.children) + ")"
    return "VARCHAR"


def _first_line(exc: duckdb.Error) -> str:
    text = str(exc).strip().splitlines()
    return text[0].split("Error: ", 1)[-1].rstrip(".") if text else "unreadable"
