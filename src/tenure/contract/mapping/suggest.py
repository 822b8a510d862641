"""A first mapping for an unknown export: `tenure sources suggest FILE`.

The file's columns are matched to a contract table's columns by name (synonyms.py) and by
what their values look like (a date column must hold dates); sampled values tell how
numbers, dates and timestamps are written. The result is a mapping file to read, correct and
try with `tenure sources check`: every guess is stated in a comment.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tenure.contract.mapping.formats import FALSE_WORDS, TRUE_WORDS, NumberFormat, Type, read_sql
from tenure.contract.mapping.model import FileOptions
from tenure.contract.mapping.names import normalize
from tenure.contract.mapping.reading import kind_of, read
from tenure.contract.mapping.synonyms import COMMON, TABLE_HINTS, VALUE_SYNONYMS
from tenure.contract.schemas import LOAD_ORDER, TABLES, Column, Kind, Table
from tenure.contract.staging import literal
from tenure.errors import DataContractError, Problem

SAMPLE_ROWS = 500
DATE_PATTERNS = ("%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%Y/%m/%d", "%d-%m-%Y",
                 "%m-%d-%Y", "%b %d, %Y", "%d %b %Y", "%B %d, %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y")
TIME_SUFFIXES = (" %H:%M", " %H:%M:%S", " %I:%M %p", " %I:%M:%S %p", " %H:%M:%S.%f")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?")
OFFSET = re.compile(r"(Z|z|[+-]\d{2}(:?\d{2})?)$")
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "CHF": "CHF"}
WANT = {Kind.DATE: (Type.DATE, Type.TIMESTAMP), Kind.TIMESTAMP: (Type.TIMESTAMP, Type.DATE),
        Kind.DECIMAL: (Type.NUMBER,), Kind.INTEGER: (Type.NUMBER,), Kind.BOOLEAN: (Type.BOOLEAN,)}
YAML_WORDS = {"yes", "no", "true", "false", "on", "off", "null", "y", "n", "~"}


@dataclass
class Profile:
    """What the sampled values of one column look like."""

    column: str
    values: list[str]
    kind: Type = Type.TEXT
    fmt: str | dict | None = None  # the format to declare; None: the default reads it
    note: str = ""
    distinct: list[str] = field(default_factory=list)


@dataclass
class Suggestion:
    """The chosen table, the matched columns, and the YAML text of the mapping."""

    table: str
    columns: dict[str, str]  # contract column -> source column
    profiles: dict[str, Profile]
    text: str


def suggest(path: Path, *, table: str | None = None, rows: int = SAMPLE_ROWS) -> Suggestion:
    """A mapping for `path` into `table` (or the table its columns fit best)."""
    if table is not None and table not in TABLES:
        raise DataContractError([Problem("--table", None, None, table, "unknown_table",
                                         f"unknown table {table!r}; known tables: {', '.join(sorted(TABLES))}")])
    options = _sniff(path)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        problems: list[Problem] = []
        source = read(con, path, options, lambda row, column, value, rule, message: problems.append(
            Problem(str(path), row, column, value, rule, message)))
        if source is None:
            raise DataContractError(problems)
        try:
            sample = con.execute(f"SELECT * EXCLUDE (__row) FROM ({source.select}) LIMIT {int(rows)}").fetchall()
        except duckdb.Error as exc:
            raise DataContractError([Problem(str(path), None, None, None, "unreadable",
                                             str(exc).strip().splitlines()[0])]) from None
        profiles = {c: _profile(con, c, [r[i].strip() for r in sample if r[i] is not None and r[i].strip()])
                    for i, c in enumerate(source.columns)}
    finally:
        con.close()
    scored = [(_fit(TABLES[name], profiles, path), name) for name in ([table] if table else LOAD_ORDER)]
    (score, columns), chosen = max(scored, key=lambda s: (s[0][0], -LOAD_ORDER.index(s[1])))
    others = sorted(((s, n) for (s, _), n in scored if n != chosen and s >= 1), reverse=True)[:2]
    text = _render(path, options, TABLES[chosen], columns, profiles, others, len(sample))
    return Suggestion(chosen, columns, profiles, text)


# -- the file ---------------------------------------------------------------------------------------------


def _sniff(path: Path) -> FileOptions:
    """Encoding and delimiter of a CSV file, from its first bytes."""
    if kind_of(path) != "csv":
        return FileOptions()
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, text = "utf-16", head.decode("utf-16", errors="ignore")
    else:
        try:
            encoding, text = "utf-8", head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                encoding, text = "utf-8", head[:exc.start].decode("utf-8-sig")
            else:
                encoding, text = "latin-1", head.decode("latin-1")
    first = text.splitlines()[0] if text else ""
    counts = {sep: first.count(sep) for sep in ",;\t|"}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    if path.suffix.lower() == ".tsv":
        delimiter = "\t"
    return FileOptions(delimiter=delimiter, encoding=encoding)


def _profile(con: duckdb.DuckDBPyConnection, column: str, values: list[str]) -> Profile:
    found = Profile(column, values, distinct=list(dict.fromkeys(values))[:12])
    if not values:
        found.note = "empty in the sample"
        return found
    lowered = {v.lower() for v in values}
    if lowered <= set(TRUE_WORDS + FALSE_WORDS) and not lowered <= {"0", "1"}:
        found.kind, found.note = Type.BOOLEAN, f"values like {values[0]!r}"
        return found
    if all(ISO_DATE.fullmatch(v) for v in values):
        found.kind, found.note = Type.DATE, f"ISO dates like {values[0]!r}"
        return found
    if all(ISO_TIMESTAMP.fullmatch(v) for v in values):
        found.kind = Type.TIMESTAMP
        found.note = f"ISO timestamps like {values[0]!r}"
        if not all(OFFSET.search(v) for v in values):
            found.note += "; without a UTC offset: set `timezone:` (or pass --timezone)"
        return found
    pattern = _pattern(con, values)
    if pattern is not None:
        found.kind = Type.TIMESTAMP if "%H" in pattern or "%I" in pattern else Type.DATE
        found.fmt = {"type": found.kind.value, "format": pattern}
        ambiguous = _swapped(pattern)
        found.note = f"values like {values[0]!r}" + (
            f"; {ambiguous!r} fits the sample too: check which is right" if ambiguous and
            _count(con, values, ambiguous) == len(values) else "")
        return found
    for fmt in (NumberFormat(), NumberFormat(decimal=",")):
        sql, _ = read_sql(fmt, "v", timezone=None)
        if _parsed(con, values, sql) == len(values):
            found.kind = Type.NUMBER
            plain = all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values)
            if fmt.decimal == ",":
                found.fmt = {"type": "number", "decimal": ","}
            found.note = "" if plain else f"values like {values[0]!r}"
            if _epoch(column, values):
                found.kind, found.fmt = Type.TIMESTAMP, {"type": "timestamp", "format": _epoch(column, values)}
                found.note = f"Unix times like {values[0]!r}"
            return found
    return found


def _pattern(con: duckdb.DuckDBPyConnection, values: list[str]) -> str | None:
    if not all(re.search(r"\d", v) and re.search(r"[/.\-\s,:]", v) for v in values):
        return None
    candidates = [p + t for p in DATE_PATTERNS for t in ("", *TIME_SUFFIXES)]
    for candidate in candidates:
        if _count(con, values, candidate) == len(values):
            return candidate
    return None


def _count(con: duckdb.DuckDBPyConnection, values: list[str], pattern: str) -> int:
    return _parsed(con, values, f"try_strptime(v, {literal(pattern)})")


def _parsed(con: duckdb.DuckDBPyConnection, values: list[str], sql: str) -> int:
    listed = "[" + ", ".join(literal(v) for v in values) + "]"
    return con.execute(f"SELECT count({sql}) FROM (SELECT unnest({listed}) AS v)").fetchall()[0][0]


def _swapped(pattern: str) -> str | None:
    if "%m/%d" in pattern:
        return pattern.replace("%m/%d", "%d/%m")
    if "%d/%m" in pattern:
        return pattern.replace("%d/%m", "%m/%d")
    return None


def _epoch(column: str, values: list[str]) -> str | None:
    name = normalize(column)
    if not re.search(r"(^|_)(time|timestamp|ts|date|at)$|_at$|^time", name):
        return None
    if all(re.fullmatch(r"1\d{9}", v) for v in values):
        return "epoch"
    if all(re.fullmatch(r"1\d{12}", v) for v in values):
        return "epoch_ms"
    return None


# -- matching ---------------------------------------------------------------------------------------------


def _name_score(source: str, column: str, spec: Table) -> float:
    name = normalize(source)
    if name == column:
        return 1.0
    if name == "id" and spec.key == (column,):
        return 0.95
    synonyms = COMMON.get(column, ())
    if name in synonyms:
        return 0.9 - 0.002 * synonyms.index(name)
    for synonym in (column, *synonyms):
        if len(synonym) > 3 and (name.endswith("_" + synonym) or name.startswith(synonym + "_")):
            return 0.7
    if difflib.SequenceMatcher(None, name, column).ratio() >= 0.85:
        return 0.6
    return 0.0


def _type_fit(profile: Profile, column: Column) -> float:
    if not profile.values or column.kind is Kind.STRING:
        return 1.0
    if column.kind is Kind.BOOLEAN and profile.kind is Type.NUMBER and {v for v in profile.values} <= {"0", "1"}:
        return 1.0
    return 1.0 if profile.kind in WANT[column.kind] else 0.3


def _fit(spec: Table, profiles: dict[str, Profile], path: Path) -> tuple[float, dict[str, str]]:
    """How well the file fits a table, and the column assignment (each source column used once)."""
    pairs = []
    for source, profile in profiles.items():
        for column in spec.columns:
            score = _name_score(source, column.name, spec) * _type_fit(profile, column)
            if score >= 0.6:
                pairs.append((score, source, column.name))
    columns: dict[str, str] = {}
    used: set[str] = set()
    for _score, source, column in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if column not in columns and source not in used:
            columns[column] = source
            used.add(source)
    required = spec.required_columns
    found_required = sum(1 for c in required if c in columns)
    optional = [c.name for c in spec.columns if not c.required]
    score = 3 * found_required / max(len(required), 1) + sum(1 for c in optional if c in columns) / (len(optional) + 1)
    words = set(re.split(r"[^a-z0-9]+", path.stem.lower()))
    if words & set(TABLE_HINTS.get(spec.name, ())):
        score += 1
    return (score if columns else 0.0), {c.name: columns[c.name] for c in spec.columns if c.name in columns}


def _value_map(column: Column, profile: Profile) -> tuple[dict[str, str], list[str]]:
    """Seen values mapped to the contract's allowed values, and those that could not be."""
    synonyms = VALUE_SYNONYMS.get(column.name, {})
    mapped, unknown = {}, []
    for value in profile.distinct:
        name = normalize(value)
        match = next((a for a in column.allowed if name == a), None) or next(
            (a for a, words in synonyms.items() if a in column.allowed and name in words), None) or next(
            (a for a in column.allowed if name.startswith(a) or a.startswith(name) and len(name) > 2), None)
        if match is None:
            unknown.append(value)
        elif name != match:
            mapped[value] = match
    return mapped, unknown


# -- the YAML -------------------------------------------------------------------------------------------


def scalar(text: str) -> str:
    """A YAML scalar: plain when that is unambiguous, else double-quoted."""
    if re.fullmatch(r"[A-Za-z_][\w .()/-]*", text) and text.lower() not in YAML_WORDS and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def _render(path: Path, options: FileOptions, spec: Table, columns: dict[str, str], profiles: dict[str, Profile],
            others: list[tuple[float, str]], sampled: int) -> str:
    required = spec.required_columns
    found = sum(1 for c in required if c in columns)
    lines = [
        f"# A first mapping for {path.name}, suggested from its column names and {sampled} sampled rows.",
        "# Check every line (the comments say what was guessed), then try it without loading anything:",
        f"#   tenure sources check {path.name} --mapping THIS_FILE.yaml",
        "sources:",
        "  files:",
        f"    - pattern: {scalar(path.name)}",
        f"      table: {spec.name}    # {found} of {len(required)} required columns found"
        + (f"; also considered: {', '.join(n for _, n in others)}" if others else ""),
    ]
    if options.delimiter != ",":
        lines.append(f"      delimiter: {json.dumps(options.delimiter)}")
    if options.encoding != "utf-8":
        lines.append(f"      encoding: {options.encoding}")
    if columns:
        lines.append("      columns:")
        for column, source in columns.items():
            note = profiles[source].note
            if spec.column(column).kind is not Kind.TIMESTAMP:  # a date keeps the day as written
                note = note.split("; without a UTC offset")[0]
            lines.append(f"        {column}: {scalar(source)}" + (f"    # {note}" if note else ""))
    formats = {columns[c]: profiles[columns[c]] for c in columns if profiles[columns[c]].fmt is not None}
    if formats:
        lines.append("      formats:")
        for source, profile in formats.items():
            fmt = profile.fmt
            shown = "{" + ", ".join(f"{k}: {json.dumps(v) if k != 'type' else v}" for k, v in fmt.items()) + "}"
            lines.append(f"        {scalar(source)}: {shown}")
    missing = [c for c in required if c not in columns]
    constants = _constants(spec, missing, profiles, path)
    if constants:
        lines.append("      constants:")
        for column, (value, note) in constants.items():
            lines.append(f"        {column}: {value}    # {note}")
    values_lines = []
    for column, source in columns.items():
        contract = spec.column(column)
        if contract.allowed is None:
            continue
        mapped, unknown = _value_map(contract, profiles[source])
        pairs = ", ".join(f"{scalar(k)}: {v}" for k, v in mapped.items())
        if unknown:
            values_lines.append(f"        # {column} must be one of {', '.join(contract.allowed)}; map these: "
                                f"{', '.join(repr(u) for u in unknown[:8])}")
        if mapped:
            values_lines.append(f"        {column}: {{{pairs}}}")
    if values_lines:
        lines.append("      values:" if any(not v.strip().startswith("#") for v in values_lines) else "      # values:")
        lines.extend(values_lines)
    still = [c for c in missing if c not in constants]
    if still:
        lines.append(f"      # required by {spec.name} but not found: {', '.join(still)}; name a column under "
                     "`columns`, give a constant or an expression under `derived`")
    unused = [c for c in profiles if c not in columns.values()]
    if unused:
        lines.append(f"      # not used: {', '.join(unused)}")
    return "\n".join(lines) + "\n"


def _constants(spec: Table, missing: list[str], profiles: dict[str, Profile], path: Path) -> dict[str, tuple[str, str]]:
    found = {}
    if "currency" in missing:
        signs = [sign for profile in profiles.values() for value in profile.values[:50]
                 for sign in CURRENCY_SIGNS if sign in value]
        if signs:
            found["currency"] = (CURRENCY_SIGNS[signs[0]], f"from the {signs[0]!r} in the amounts")
    if spec.name == "surveys" and "type" in missing:
        kind = "csat" if "csat" in path.name.lower() else "nps"
        found["type"] = (kind, "a guess from the file name; nps or csat")
    return found
