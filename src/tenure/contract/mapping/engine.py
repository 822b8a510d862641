"""The mapping engine: one export file, read through its file mapping, staged as a contract table.

Everything happens in one DuckDB statement per file, so a 10-million-row event export never
leaves the engine:

    src     the file as text, rows numbered (reading.py)
    parsed  + every source column read as a typed value where the mapping needs one (formats.py)
    looked  + every lookup of an external key (lookups.py)
    mapped  + every contract column (targets.py, compiled by compiler.py)

Cells that do not read (a number, date or boolean not in its format), external keys the lookup
file does not hold and computations that give no number are reported with the file, the row,
the source column and the value; the mapped rows are then staged for the data contract's own
checks, which skip the cells already reported (`__reported`) and report everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from tenure.contract.mapping.compiler import CompileError, Typed, text_of
from tenure.contract.mapping.expressions import Column as ColumnRef
from tenure.contract.mapping.expressions import columns_of
from tenure.contract.mapping.formats import RULES, Type, describe, read_sql, reading, type_of
from tenure.contract.mapping.lookups import Lookups
from tenure.contract.mapping.model import FileMapping, Mapping
from tenure.contract.mapping.names import Header, UnknownColumn, normalize
from tenure.contract.mapping.reading import kind_of, read
from tenure.contract.mapping.targets import Target, compile_target, explicit_targets
from tenure.contract.schemas import SQL_TYPES, Column, Kind, table
from tenure.contract.sources import SourceFile
from tenure.contract.staging import Stager, literal, quote, unparsed
from tenure.errors import Problem

EXAMPLES = 10  # problems listed per rule and column, as the contract's checks list them


class _Stop(Exception):
    """The file cannot be mapped; its problems are recorded."""


@dataclass
class Run:
    """What the mapped files of one load share: the mapping, its lookups, names of temporary tables."""

    mapping: Mapping
    lookups: Lookups
    counter: int = 0
    zones: dict[str, bool] = field(default_factory=dict)

    def reset(self) -> None:
        """Forget the temporary tables of an earlier load (they are dropped when a load ends)."""
        self.counter = 0
        self.lookups.forget()

    def next_name(self) -> str:
        self.counter += 1
        return f"_stage_map_{self.counter}"


@dataclass
class _Variant:
    alias: str
    column: str  # the source column
    fmt: object
    sql: str
    naive: str | None  # true for a local time when no zone is known


@dataclass
class _Call:
    alias: str
    key_alias: str
    name: str
    sql: str
    key_sql: str
    source: str | None
    files: str
    key_column: str


class _FileScope:
    """Columns of one file, read as the expressions need them; lookups of the run."""

    def __init__(self, mapped: MappedFile, header: Header, stager: Stager, timezone: str | None):
        self.mapped, self.header, self.stager, self.timezone = mapped, header, stager, timezone
        self.declared = mapped.spec.declared()
        self.variants: dict[tuple[str, str], _Variant] = {}
        self.calls: list[_Call] = []

    def column(self, name: str, want: Type | None, pattern: str | None = None) -> Typed:
        actual = self.header.find(name)
        declared = self.declared.get(normalize(actual), self.declared.get(normalize(name)))
        fmt = reading(declared, want, pattern)
        if fmt is None:
            return Typed(quote(actual), Type.TEXT)
        key = (actual, fmt.model_dump_json())
        if key not in self.variants:
            zone = getattr(fmt, "timezone", None) or self.timezone
            sql, naive = read_sql(fmt, quote(actual), timezone=zone)
            self.variants[key] = _Variant(f"__v{len(self.variants)}", actual, fmt, sql, naive)
        return Typed(quote(self.variants[key].alias), type_of(fmt))

    def lookup(self, name: str, key: Typed, source: str | None) -> Typed:
        if any(re.search(rf'"{c.alias}"', key.sql) for c in self.calls):
            raise CompileError("the key of a lookup cannot itself come from lookup()")
        found = self.mapped.run.lookups.get(name, self.stager)
        if found is None:
            raise _Stop
        key_sql = f"trim({key.sql})"
        key_sql = f"lower({key_sql})" if found.ignore_case else key_sql
        index = len(self.calls)
        alias, key_alias = f"__l{index}", f"__k{index}"
        sql = f"(SELECT struct_pack(v := lk.v) FROM {found.table} lk WHERE lk.k = {quote(key_alias)})"
        actual = self.header.get(source) if source else None
        self.calls.append(_Call(alias, key_alias, name, sql, key_sql, actual, found.files, found.key))
        return Typed(f"struct_extract({quote(alias)}, 'v')", Type.TEXT)


class MappedFile:
    """An export file and the file mapping that reads it: a source of `tenure.contract.load`."""

    def __init__(self, path: Path, spec: FileMapping, run: Run):
        self.path, self.spec, self.run = path, spec, run
        self.table = spec.table
        self.columns: list[str] = []  # the file's columns, once read
        self.targets: dict[str, Target] = {}  # contract column -> what fills it
        self.timezone: str | None = None

    def describe(self) -> str:
        return f"{self.spec.origin()} (pattern {', '.join(self.spec.patterns())})"

    def used_by(self) -> dict[str, list[str]]:
        """Source column -> the contract columns computed from it."""
        header = Header(self.columns)
        used: dict[str, list[str]] = {}
        for name, target in self.targets.items():
            for ref in columns_of(target.node):
                actual = header.get(ref)
                if actual is not None and name not in used.setdefault(actual, []):
                    used[actual].append(name)
        return used

    # -- staging ---------------------------------------------------------------------------------

    def stage(self, stager: Stager) -> None:
        """Read, map and stage the file; record its problems on the stager."""
        try:
            self._stage(stager)
        except _Stop:
            return

    def _fatal(self, stager: Stager, row: int | None, column: str | None, value: str | None, rule: str,
               message: str) -> None:
        stager.problems.append(Problem(str(self.path), row, column, value, rule, message))

    def _stage(self, stager: Stager) -> None:
        spec, contract = self.spec, table(self.spec.table)
        # naive timestamps: the file mapping's zone, else the section's, else the load's --timezone
        zone, key = (spec.timezone, f"{spec.origin()}.timezone") if spec.timezone else \
            (self.run.mapping.timezone, "sources.timezone")
        self.timezone = self._zone(stager, zone, key) if zone else stager.timezone
        for name, fmt in spec.formats.items():
            if getattr(fmt, "timezone", None):
                self._zone(stager, fmt.timezone, f"{spec.origin()}.formats.{name}.timezone")
        source = read(stager.con, self.path, spec,
                      lambda row, column, value, rule, message: self._fatal(stager, row, column, value, rule, message))
        if source is None:
            raise _Stop
        self.columns = source.columns
        header = Header(source.columns)
        self._resolve(stager, header, contract)
        scope = _FileScope(self, header, stager, self.timezone)
        compiled = self._compile(stager, scope, contract)
        name = self.run.next_name()
        try:
            stager.con.execute(f"CREATE TEMP TABLE {quote(name)} AS {self._mapped_sql(source.select, scope, compiled)}"
                               ).fetchall()
        except duckdb.Error as exc:
            if isinstance(exc, duckdb.ConversionException | duckdb.OutOfRangeException):
                self._fatal(stager, None, None, None, "expression",
                            f"the mapping cannot compute a value: {str(exc).strip().splitlines()[0]}")
            elif kind_of(self.path) == "csv":
                stager.read_error(SourceFile(self.path, self.table), exc)
            else:
                self._fatal(stager, None, None, None, "unreadable", str(exc).strip().splitlines()[0])
            raise _Stop from None
        try:
            self._report(stager, name, scope, compiled)
            stager.insert(SourceFile(self.path, self.table), contract, self._staged_sql(name, scope, compiled, stager))
        finally:
            stager.con.execute(f"DROP TABLE IF EXISTS {quote(name)}").fetchall()

    def _zone(self, stager: Stager, zone: str, key: str) -> str:
        if zone not in self.run.zones:
            self.run.zones[zone] = bool(stager.con.execute(
                "SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [zone]).fetchall()[0][0])
        if not self.run.zones[zone]:
            self._fatal(stager, None, None, zone, "timezone",
                        f"unknown time zone (key {key}); use an IANA name such as Europe/Paris or UTC")
            raise _Stop
        return zone

    def _resolve(self, stager: Stager, header: Header, contract) -> None:
        """Every contract column's target; every column the mapping names must be in the file."""
        spec = self.spec
        targets = {t.column: t for t in explicit_targets(spec.columns, spec.constants, dict(spec.derived))}
        for column in contract.columns:
            if column.name not in targets:
                found = header.get(column.name)
                if found is not None:
                    targets[column.name] = Target(column.name, "same name", ColumnRef(found), column.name)
        self.targets = {c.name: targets[c.name] for c in contract.columns if c.name in targets}
        ok = True
        for name in spec.formats:
            try:
                header.find(name)
            except UnknownColumn as exc:
                ok = False
                self._fatal(stager, 0, name, None, "unknown_column", f"{exc} (key {spec.origin()}.formats.{name})")
        for column in spec.values:
            if column not in self.targets:
                ok = False
                self._fatal(stager, 0, column, None, "unknown_column",
                            f"the value map has nothing to map: the mapping does not fill {column} and the file has "
                            f"no column of that name (key {spec.origin()}.values.{column})")
        for column in contract.required_columns:
            if column not in self.targets:
                ok = False
                self._fatal(stager, 0, column, None, "missing_column",
                            f"required column of {contract.name} that the mapping does not fill and the file does "
                            f"not have: name its source under `columns`, give a constant or derive it "
                            f"(key {spec.origin()})")
        if not ok:
            raise _Stop

    def _compile(self, stager: Stager, scope: _FileScope, contract) -> dict[str, Typed]:
        compiled: dict[str, Typed] = {}
        failed = False
        for name, target in self.targets.items():
            try:
                compiled[name] = compile_target(target, contract.column(name), scope, self.spec.values.get(name))
            except UnknownColumn as exc:
                failed = True
                shown = ", ".join(sorted(columns_of(target.node)))
                self._fatal(stager, 0, shown or name, self._written(target), "unknown_column",
                            f"{exc} (key {self.spec.origin()}.{target.key})")
            except CompileError as exc:
                failed = True
                self._fatal(stager, 0, name, self._written(target), "expression",
                            f"{exc} (key {self.spec.origin()}.{target.key})")
        if failed:
            raise _Stop
        return compiled

    def _written(self, target: Target) -> str | None:
        if target.origin == "derived":
            return self.spec.derived[target.column]
        if target.origin == "columns":
            return self.spec.columns[target.column]
        return None

    # -- SQL ---------------------------------------------------------------------------------------

    def _mapped_sql(self, select: str, scope: _FileScope, compiled: dict[str, Typed]) -> str:
        variants = ", ".join(f"{v.sql} AS {quote(v.alias)}" for v in scope.variants.values())
        naive = ", ".join(f"{v.naive} AS {quote(v.alias + 'n')}" for v in scope.variants.values() if v.naive)
        keys = ", ".join(f"{c.key_sql} AS {quote(c.key_alias)}" for c in scope.calls)
        calls = ", ".join(f"{c.sql} AS {quote(c.alias)}" for c in scope.calls)
        targets = ", ".join(f"{t.sql} AS {quote('__t_' + name)}" for name, t in compiled.items())
        raw = ", ".join(dict.fromkeys(quote(v.column) for v in scope.variants.values()))
        kept = ", ".join(p for p in ["__row", raw,
                                     ", ".join(quote(v.alias) for v in scope.variants.values()),
                                     ", ".join(quote(v.alias + "n") for v in scope.variants.values() if v.naive),
                                     ", ".join(f"{quote(c.key_alias)}, {quote(c.alias)}" for c in scope.calls),
                                     targets] if p)
        return (f"WITH src AS ({select}), "
                f"parsed AS (SELECT *{', ' + variants if variants else ''}{', ' + naive if naive else ''} FROM src), "
                f"keyed AS (SELECT *{', ' + keys if keys else ''} FROM parsed), "
                f"looked AS (SELECT *{', ' + calls if calls else ''} FROM keyed) "
                f"SELECT {kept} FROM looked")

    def _failures(self, scope: _FileScope, compiled: dict[str, Typed]) -> dict[str, list[str]]:
        """Per contract column, the SQL conditions under which its value is already reported."""
        variant_failed = {v.alias: f"({quote(v.column)} IS NOT NULL AND {quote(v.alias)} IS NULL)"
                          for v in scope.variants.values()}
        call_failed = {c.alias: f"({quote(c.key_alias)} IS NOT NULL AND {quote(c.alias)} IS NULL)"
                       for c in scope.calls}
        key_of = {c.alias: c.key_sql for c in scope.calls}
        failures: dict[str, list[str]] = {}
        for name, typed in compiled.items():
            sql = typed.sql + "".join(key_of[a] for a in call_failed if f'"{a}"' in typed.sql)
            conditions = [cond for alias, cond in {**variant_failed, **call_failed}.items() if f'"{alias}"' in sql]
            if typed.type is Type.NUMBER:
                conditions.append(f"NOT isfinite({quote('__t_' + name)})")
            failures[name] = conditions
        return failures

    def _report(self, stager: Stager, name: str, scope: _FileScope, compiled: dict[str, Typed]) -> None:
        """Row problems: values not in their format, unknown external keys, computations with no number."""
        mapped = quote(name)
        checks: list[tuple[str, str, str, str, str]] = []  # (condition, column, value SQL, rule SQL, message)
        for v in scope.variants.values():
            kind = type_of(v.fmt)
            rule = f"CASE WHEN {quote(v.alias + 'n')} THEN 'naive_timestamp' ELSE '{RULES[kind]}' END" if v.naive \
                else f"'{RULES[kind]}'"
            checks.append((f"{quote(v.column)} IS NOT NULL AND {quote(v.alias)} IS NULL", v.column,
                           quote(v.column), rule, f"not {describe(v.fmt)}"))
        for c in scope.calls:
            column = c.source or next((self.targets[n].label() for n, t in compiled.items()
                                       if f'"{c.alias}"' in t.sql), c.name)
            checks.append((f"{quote(c.key_alias)} IS NOT NULL AND {quote(c.alias)} IS NULL", column,
                           quote(c.key_alias), "'unknown_key'",
                           f"no row of {c.files} has this {c.key_column} (lookup {c.name!r})"))
        for target_name, typed in compiled.items():
            if typed.type is Type.NUMBER:
                target = self.targets[target_name]
                checks.append((f"NOT isfinite({quote('__t_' + target_name)})", target.label(),
                               f"CAST({quote('__t_' + target_name)} AS VARCHAR)", "'expression'",
                               f"{self._written(target) or target_name} gives no number here (a division by zero?)"))
        for condition, column, value, rule, message in checks:
            rows = stager.con.execute(
                f"SELECT __row, value, rule, total FROM (SELECT __row, CAST({value} AS VARCHAR) AS value, "
                f"{rule} AS rule, row_number() OVER (PARTITION BY {rule} ORDER BY __row) AS n, "
                f"count(*) OVER (PARTITION BY {rule}) AS total FROM {mapped} WHERE {condition}) "
                f"WHERE n <= {EXAMPLES} ORDER BY rule, __row").fetchall()
            for row, shown, rule_name, _ in rows:
                problem = Problem(str(self.path), row, column, shown, rule_name,
                                  "timestamp without a UTC offset; set `timezone:` for this file mapping or pass "
                                  "--timezone" if rule_name == "naive_timestamp" else message)
                stager.row_problems.append(problem)
            for rule_name, total in {r[2]: r[3] for r in rows}.items():
                where = f"{self.path.name} {column}: {rule_name}"
                stager.row_totals[where] = stager.row_totals.get(where, 0) + total

    def _staged_sql(self, name: str, scope: _FileScope, compiled: dict[str, Typed], stager: Stager) -> str:
        parts = [f"{literal(str(self.path))} AS __file", "__row"]
        for column in table(self.table).columns:
            if column.name not in compiled:
                continue
            value = compiled[column.name]
            source = quote("__t_" + column.name)
            if value.type is Type.TEXT:
                parts.extend(stager.typed_from_text(column, f"NULLIF({source}, '')", timezone=self.timezone))
            else:
                parts.extend(_typed(column, Typed(source, value.type)))
        reported = [f"CASE WHEN {' OR '.join(conds)} THEN {literal(n)} END"
                    for n, conds in self._failures(scope, compiled).items() if conds]
        if reported:
            parts.append(f"list_filter([{', '.join(reported)}], x -> x IS NOT NULL) AS __reported")
        return f"SELECT {', '.join(parts)} FROM {quote(name)}"


def _typed(column: Column, value: Typed) -> list[str]:
    """A typed value in the contract column's storage type; what does not fit goes to `__unparsed`."""
    if column.kind is Kind.DECIMAL:
        typed = f"TRY_CAST(round({value.sql}, 4) AS {SQL_TYPES[Kind.DECIMAL]})"
    elif column.kind is Kind.INTEGER:
        typed = f"(CASE WHEN {value.sql} = trunc({value.sql}) THEN TRY_CAST({value.sql} AS BIGINT) END)"
    else:
        typed = f"CAST({value.sql} AS {SQL_TYPES[column.kind]})"
    parts = [f"{typed} AS {quote(column.name)}"]
    if unparsed(column):
        parts.append(f"CASE WHEN {value.sql} IS NOT NULL AND ({typed}) IS NULL THEN {text_of(value)} END "
                     f"AS {quote(unparsed(column))}")
    return parts
