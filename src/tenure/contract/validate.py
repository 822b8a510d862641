"""The data contract's rules, checked in the engine over staged tables.

Every rule is a SQL condition that selects the offending rows, so a file of any size is
checked without leaving DuckDB; each rule reports its count and the first rows it found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from tenure.contract.currencies import ISO_4217
from tenure.contract.schemas import LOAD_ORDER, Column, Kind, Table, table
from tenure.contract.staging import TS_BODY, literal, quote, unparsed
from tenure.errors import Problem

EXAMPLES_PER_RULE = 10
FUTURE_GRACE = "INTERVAL 1 DAY"
FORMULA_RE = r"^\s*([=@]|[+-].*[(|!])"

KIND_FORMAT = {
    Kind.DATE: "an ISO date (YYYY-MM-DD)",
    Kind.TIMESTAMP: "an ISO 8601 timestamp with a UTC offset (e.g. 2024-03-01T09:30:00Z)",
    Kind.DECIMAL: "a plain decimal number (digits, optional '-' and '.', no thousands separators "
                  "or currency symbols)",
    Kind.INTEGER: "a whole number",
    Kind.BOOLEAN: "a boolean (true, false, 1 or 0)",
}

# Existing-table lookup: the name of a relation holding the warehouse's current rows, or None.
Existing = Callable[[str], str | None]


@dataclass(frozen=True)
class Check:
    """A rule on one staged table: the SQL condition on its offending rows, and what to say."""

    rule: str
    condition: str
    column: str | None
    message: str


@dataclass
class Findings:
    problems: list[Problem]
    warnings: list[Problem]
    totals: dict[str, int]
    warning_totals: dict[str, int]


def validate(con: duckdb.DuckDBPyConnection, staged: list[str], existing: Existing, *,
             base_currency: str) -> Findings:
    """Run every rule over the staged tables; collect problems (reject) and warnings (allow)."""
    findings = Findings([], [], {}, {})
    available = set(staged) | {t for t in LOAD_ORDER if existing(t)}
    for name in staged:
        spec = table(name)
        for check in _column_checks(spec) + _row_checks(spec) + _reference_checks(spec, staged, existing, available):
            _run(con, name, check, findings.problems, findings.totals)
        if name == "subscriptions":
            fx = _union_keys("fx_rates", "currency", staged, existing) if "fx_rates" in available else None
            known = f"currency = {literal(base_currency)}" + (f" OR currency IN ({fx})" if fx else "")
            _run(con, name, Check("fx_missing", f"currency IS NOT NULL AND currency IN ({_codes()}) AND NOT ({known})",
                                  "currency", f"no fx_rates for this currency to convert it to the base "
                                  f"currency {base_currency}; load fx_rates with it"),
                 findings.problems, findings.totals)
    for name, check in _warning_checks(staged, existing):
        _run(con, name, check, findings.warnings, findings.warning_totals)
    return findings


def _column_checks(spec: Table) -> list[Check]:
    checks: list[Check] = []
    for column in spec.columns:
        c = quote(column.name)
        raw = quote(unparsed(column)) if unparsed(column) else None
        if column.required:
            missing = f"{c} IS NULL" + (f" AND {raw} IS NULL" if raw else "")
            checks.append(Check("required", missing, column.name, "a value is required"))
        if column.kind is Kind.TIMESTAMP:
            naive = f"regexp_full_match(trim({raw}), '{TS_BODY}')"
            checks.append(Check("naive_timestamp", naive, column.name,
                                "timestamp without a UTC offset; add one (e.g. Z) or pass --timezone"))
            checks.append(Check("type", f"{raw} IS NOT NULL AND NOT {naive}", column.name,
                                f"not {KIND_FORMAT[column.kind]}"))
        elif raw:
            checks.append(Check("type", f"{raw} IS NOT NULL", column.name, f"not {KIND_FORMAT[column.kind]}"))
        checks.extend(_value_checks(column))
    return checks


def _value_checks(column: Column) -> list[Check]:
    c = quote(column.name)
    checks = []
    if column.allowed is not None:
        allowed = ", ".join(literal(v) for v in column.allowed)
        checks.append(Check("enum", f"{c} NOT IN ({allowed})", column.name,
                            f"must be one of: {', '.join(column.allowed)}"))
    if column.currency:
        checks.append(Check("currency", f"{c} NOT IN ({_codes()})", column.name, "not an ISO 4217 currency code"))
    if column.minimum is not None:
        op, word = (">", "greater than") if column.exclusive_minimum else (">=", "at least")
        checks.append(Check("range", f"NOT ({c} {op} {column.minimum})", column.name,
                            f"must be {word} {column.minimum:g}"))
    if column.maximum is not None:
        checks.append(Check("range", f"{c} > {column.maximum}", column.name, f"must be at most {column.maximum:g}"))
    if column.not_in_future:
        checks.append(Check("future", f"{c} > CAST(now() AS TIMESTAMP) + {FUTURE_GRACE}", column.name,
                            "lies in the future; facts cannot have happened after the load"))
    if column.kind is Kind.STRING:
        checks.append(Check("formula_injection", f"regexp_matches({c}, '{FORMULA_RE}')", column.name,
                            "text starting like a spreadsheet formula (=, @, +, -) is refused"))
    return checks


def _row_checks(spec: Table) -> list[Check]:
    checks = []
    for earlier, later, strict in spec.date_order:
        op = "<=" if strict else "<"
        word = "after" if strict else "on or after"
        checks.append(Check("date_order", f"{quote(later)} {op} {quote(earlier)}", later,
                            f"{later} must be {word} {earlier}"))
    if spec.key:
        key = ", ".join(quote(k) for k in spec.key)
        checks.append(Check("duplicate_key", f"count(*) OVER (PARTITION BY {key}) > 1", spec.key[-1],
                            f"the key ({', '.join(spec.key)}) appears more than once in this load"))
    return checks


def _reference_checks(spec: Table, staged: list[str], existing: Existing, available: set[str]) -> list[Check]:
    checks = []
    for column in spec.columns:
        if column.references is None:
            continue
        target, key = column.references
        if target not in available:
            if target == "accounts":
                checks.append(Check("unknown_reference", f"{quote(column.name)} IS NOT NULL", column.name,
                                    "no accounts are loaded; load accounts first or in the same command"))
            continue
        keys = _union_keys(target, key, staged, existing)
        checks.append(Check("unknown_reference", f"{quote(column.name)} NOT IN ({keys})", column.name,
                            f"no {target} row has this {key}"))
    return checks


def _warning_checks(staged: list[str], existing: Existing) -> list[tuple[str, Check]]:
    warnings = []
    if "subscriptions" in staged:
        warnings.append(("subscriptions", Check("zero_mrr", "mrr = 0", "mrr",
                                                "line with mrr 0 (trial or free plan): it never makes the "
                                                "account paying")))
        warnings.append(("subscriptions", Check(
            "overlapping_lines",
            "count(*) OVER (PARTITION BY account_id, product, mrr, start_date) > 1", "start_date",
            "another line of the same account, product, price and start date; a duplicate?")))
    if "events" in staged:
        subs = _union_keys("subscriptions", "account_id", staged, existing)
        if subs:
            warnings.append(("events", Check("no_subscription", f"account_id NOT IN ({subs})", "account_id",
                                             "events for an account with no subscription line")))
    return warnings


def _union_keys(target: str, key: str, staged: list[str], existing: Existing) -> str:
    parts = []
    if target in staged:
        parts.append(f"SELECT {quote(key)} FROM {quote('_stage_' + target)} WHERE {quote(key)} IS NOT NULL")
    relation = existing(target)
    if relation:
        parts.append(f"SELECT {quote(key)} FROM {relation} WHERE {quote(key)} IS NOT NULL")
    return " UNION ".join(parts)


def _codes() -> str:
    return ", ".join(literal(code) for code in sorted(ISO_4217))


def _run(con: duckdb.DuckDBPyConnection, name: str, check: Check, out: list[Problem], totals: dict[str, int]) -> None:
    raw = "NULL"
    hit = f"({check.condition})"
    if check.column:
        column = table(name).column(check.column)
        shown = f"CAST({quote(check.column)} AS VARCHAR)"
        raw = f"coalesce({quote(unparsed(column))}, {shown})" if unparsed(column) else shown
        # a cell whose problem the source mapping already reported is not reported again
        hit = f"({hit} AND NOT coalesce(list_contains(__reported, {literal(check.column)}), false))"
    sql = (
        f"WITH flagged AS (SELECT __file, __row, {raw} AS raw, {hit} AS hit "
        f"FROM {quote('_stage_' + name)}) "
        f"SELECT __file, __row, raw, count(*) OVER () FROM flagged WHERE hit "
        f"ORDER BY __file, __row LIMIT {EXAMPLES_PER_RULE}"
    )
    rows = con.execute(sql).fetchall()
    if not rows:
        return
    totals[f"{name}.{check.column}: {check.rule}"] = rows[0][3]
    for file, row, value, _ in rows:
        out.append(Problem(file, row, check.column, value, check.rule, check.message))
