"""The mapping expression language: parsed by `ast`, checked against a whitelist, compiled to DuckDB SQL.

Expressions are evaluated here by compiling them against a one-row table of text cells and
running the SQL, so every result is what a load would store. Unsafe or invalid expressions are
refused when the mapping is read, with a message that names the mapping key.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from tenure.contract.mapping.compiler import CompileError, Typed, coerce, compile_expr, show
from tenure.contract.mapping.expressions import ExpressionError, columns_of, lookups_of, parse
from tenure.contract.mapping.files import parse_mapping
from tenure.contract.mapping.formats import Type, read_sql, reading, type_of
from tenure.contract.staging import literal, quote
from tenure.errors import ConfigError

PACKAGE = Path(__file__).parents[2] / "src" / "tenure" / "contract" / "mapping"


class Cells:
    """A scope over one row of text cells; columns are read as the expression needs them."""

    def __init__(self, formats: dict | None = None):
        self.formats = formats or {}

    def column(self, name: str, want: Type | None, pattern: str | None = None) -> Typed:
        fmt = reading(self.formats.get(name), want, pattern)
        if fmt is None:
            return Typed(quote(name), Type.TEXT)
        sql, _ = read_sql(fmt, quote(name), timezone="UTC")
        return Typed(sql, type_of(fmt))

    def lookup(self, name: str, key: Typed, source: str | None) -> Typed:
        return Typed(f"('{name}:' || {key.sql})", Type.TEXT)


def evaluate(text: str, want: Type | None = None, formats: dict | None = None, **cells: str | None):
    """The value of an expression over one row whose cells are text (None: empty)."""
    typed = compile_expr(parse(text), Cells(formats), want)
    row = ", ".join(f"CAST({literal(v) if v is not None else 'NULL'} AS VARCHAR) AS {quote(k)}"
                    for k, v in cells.items()) or "1 AS unused"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    return con.execute(f"SELECT {typed.sql} FROM (SELECT {row})").fetchall()[0][0], typed.type


def refused(expression: str, *, key: str = "mrr") -> str:
    """The message of a mapping whose expression for `key` is refused."""
    raw = {"sources": {"files": [{"pattern": "x.csv", "table": "subscriptions", "derived": {key: expression}}]}}
    with pytest.raises(ConfigError) as caught:
        parse_mapping(raw, source="acme.yaml")
    return str(caught.value)


# -- arithmetic, comparisons, conditionals -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "cells", "expected"), [
    ("amount / 12", {"amount": "1200"}, 100.0),
    ("amount / interval_months", {"amount": "$1,200.00", "interval_months": "3"}, 400.0),
    ("price * seats - discount", {"price": "10", "seats": "4", "discount": "2.5"}, 37.5),
    ("-amount + 1", {"amount": "3"}, -2.0),
    ("amount % 7", {"amount": "23"}, 2.0),
    ("(a + b) * 2", {"a": "1", "b": "2"}, 6.0),
    ("round(amount / 3, 2)", {"amount": "10"}, 3.33),
    ("abs(balance)", {"balance": "(45.10)"}, 45.1),
    ("min(a, b, 7)", {"a": "9", "b": "8"}, 7.0),
    ("max(a, b)", {"a": "9", "b": "12"}, 12.0),
])
def test_arithmetic_reads_text_columns_as_numbers(text, cells, expected):
    value, kind = evaluate(text, Type.NUMBER, **cells)
    assert kind is Type.NUMBER
    assert value == pytest.approx(expected)


@pytest.mark.parametrize(("text", "cells", "expected"), [
    ("amount / 12 if interval == 'year' else amount", {"amount": "120", "interval": "year"}, 10.0),
    ("amount / 12 if interval == 'year' else amount", {"amount": "120", "interval": "month"}, 120.0),
    ("0 if status in ('trialing', 'incomplete') else amount", {"status": "trialing", "amount": "5"}, 0.0),
    ("0 if status not in ('trialing',) else amount", {"status": "active", "amount": "5"}, 0.0),
    ("amount if amount > 100 and not free else 0", {"amount": "150", "free": "no"}, 150.0),
    ("amount if amount > 100 or vip else 0", {"amount": "50", "vip": "yes"}, 50.0),
    ("1 if 10 < seats <= 20 else 2", {"seats": "15"}, 1.0),
    ("1 if note is None else 2", {"note": None}, 1.0),
    ("1 if note != None else 2", {"note": "x"}, 1.0),
])
def test_conditionals_comparisons_and_logic(text, cells, expected):
    assert evaluate(text, Type.NUMBER, **cells)[0] == pytest.approx(expected)


def test_or_between_values_takes_the_first_that_is_not_empty():
    text = "canceled_at or current_period_end if status == 'canceled' else None"
    assert evaluate(text, Type.DATE, canceled_at=None, current_period_end="2024-05-31", status="canceled") == (
        dt.date(2024, 5, 31), Type.DATE)
    assert evaluate(text, Type.DATE, canceled_at="2024-05-02", current_period_end="2024-05-31",
                    status="canceled")[0] == dt.date(2024, 5, 2)
    assert evaluate(text, Type.DATE, canceled_at="2024-05-02", current_period_end="2024-05-31",
                    status="active")[0] is None


def test_text_functions_and_concatenation():
    assert evaluate("upper(strip(plan))", plan="  pro ")[0] == "PRO"
    assert evaluate("lower(plan) + '-' + region", plan="Pro", region="eu")[0] == "pro-eu"
    assert evaluate("concat(plan, ' x', seats)", plan="Pro", seats="3")[0] == "Pro x3"
    assert evaluate("replace(sku, '_', '-')", sku="a_b_c")[0] == "a-b-c"
    assert evaluate("coalesce(nickname, name)", nickname=None, name="Acme")[0] == "Acme"
    assert evaluate("1 if contains(lower(plan), 'annual') else 0", Type.NUMBER, plan="Pro ANNUAL")[0] == 1
    assert evaluate("1 if starts_with(sku, 'ent') else 0", Type.NUMBER, sku="ent-01")[0] == 1


def test_date_functions():
    assert evaluate("date(signed, '%d/%m/%Y')", signed="31/01/2024")[0] == dt.date(2024, 1, 31)
    assert evaluate("months_between(start, end)", start="2024-01-15", end="2025-01-15")[0] == 12
    assert evaluate("months_between(start, end)", start="2024-01-15", end="2025-01-14")[0] == 11
    assert evaluate("days_between(start, end)", start="2024-02-27", end="2024-03-01")[0] == 3
    assert evaluate("add_months(start, term)", start="2024-01-31", term="1")[0] == dt.date(2024, 2, 29)
    assert evaluate("add_days(date(start), 30)", start="2024-01-31")[0] == dt.date(2024, 3, 1)
    assert evaluate("date(created)", created="2024-03-01T23:30:00Z")[0] == dt.date(2024, 3, 1)
    assert evaluate("timestamp(created)", created="2024-03-01T23:30:00+01:00")[0] == dt.datetime(2024, 3, 1, 22, 30)
    assert evaluate("start >= '2024-01-01'", Type.BOOLEAN, start="2024-02-01")[0] is True


def test_lookup_and_col_name_columns():
    assert evaluate("lookup('crm', customer)", customer="cus_1")[0] == "crm:cus_1"
    assert evaluate("col('Monthly Amount') * 2", Type.NUMBER, **{"Monthly Amount": "5"})[0] == 10
    assert columns_of(parse("col('Start Date (UTC)') or ends")) == {"Start Date (UTC)", "ends"}
    assert lookups_of(parse("lookup('crm', a) or lookup('billing', b)")) == {"crm", "billing"}


def test_a_declared_format_decides_how_a_column_reads():
    formats = {"amount": reading(None, Type.NUMBER).model_copy(update={"decimal": ","})}
    assert evaluate("amount * 2", Type.NUMBER, formats=formats, amount="1.234,50")[0] == pytest.approx(2469.0)


def test_division_by_zero_gives_no_finite_number():
    value, _ = evaluate("amount / months", Type.NUMBER, amount="10", months="0")
    assert value == float("inf")  # the engine reports it as an `expression` problem of the row


# -- types ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "want", "message"), [
    ("amount + 1", Type.DATE, "amount + 1 is a number, but a date is needed here"),
    ("lower(plan) * 2", Type.NUMBER, "lower(plan) is text, but a number is needed here"),
    ("1 if plan else 'x'", Type.NUMBER, "'x' is not a number"),
    ("status == 3 and 'a'", Type.BOOLEAN, "'a' is not a boolean"),
    ("start < 5", Type.BOOLEAN, None),  # text read as a number: fine
    ("date(lower(x))", Type.DATE, "lower(x) is text, but a date is needed here"),
    ("status in (1, 'a')", Type.BOOLEAN, "the values after 'in' mix types"),
])
def test_types_that_do_not_fit_are_refused(text, want, message):
    node = parse(text)
    if message is None:
        assert coerce(compile_expr(node, Cells(), want), want, show(node)).type is want
        return
    with pytest.raises(CompileError, match=re.escape(message)):
        coerce(compile_expr(node, Cells(), want), want, show(node))


# -- unsafe and invalid input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("expression", "message"), [
    ("__import__('os')", "names starting with '__' are not allowed ('__import__')"),
    ("__builtins__", "names starting with '__' are not allowed ('__builtins__')"),
    ("os.system('rm -rf /')", "attribute access ('.') is not allowed"),
    ("amount.__class__", "attribute access ('.') is not allowed"),
    ("(lambda: 1)()", "lambda is not allowed"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('import os')", "unknown function 'exec'"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("getattr(amount, 'real')", "unknown function 'getattr'"),
    ("amount[0]", "subscripts ('[...]') are not allowed"),
    ("[x for x in amount]", "comprehensions are not allowed"),
    ("(x := 1)", "assignment (':=') is not allowed"),
    ("f'{amount}'", "f-strings are not allowed"),
    ("{'a': 1}", "dictionaries are not allowed"),
    ("2 ** 64", "operator '**' is not supported"),
    ("amount // 2", "operator '//' is not supported"),
    ("amount if", "not a valid expression"),
    ("lower(a, b)", "lower() takes 1 argument(s), got 2"),
    ("round(a, b)", "round(): the number of digits must be a whole number from 0 to 10"),
    ("lookup(crm, a)", "lookup(): the first argument must be the name of a lookup in quotes"),
    ("coalesce(a, key=b)", "coalesce(): keyword arguments are not allowed"),
    ("a is 3", "'is' only compares with None"),
    ("b'bytes'", "literal b'bytes' is not allowed"),
    ("", "the expression is empty"),
    ("x" + " + x" * 1200, "the expression is longer than 2000 characters"),
    ("-" * 150 + "x", "the expression is nested more than 100 levels deep"),
])
def test_unsafe_or_invalid_expressions_are_refused_naming_the_mapping_key(expression, message):
    with pytest.raises(ExpressionError, match=re.escape(message)):
        parse(expression)
    assert f"acme.yaml: key 'sources.files.0.derived.mrr': {message}" in refused(expression)


def test_a_type_error_names_the_key_and_the_column_type():
    message = refused("lower(plan) + 1 if x else date(y)", key="mrr")
    assert "acme.yaml: key 'sources.files.0.derived.mrr':" in message
    assert "(subscriptions.mrr is decimal)" in message


def test_an_unknown_lookup_names_the_key():
    message = refused("lookup('stripe', customer)", key="account_id")
    assert "acme.yaml: key 'sources.files.0.derived.account_id': unknown lookup 'stripe' (known: none is declared)" \
        in message


def test_the_mapping_package_never_evaluates_python():
    """The language is compiled to SQL; no module of the package calls eval or exec."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in PACKAGE.glob("*.py")}
    assert "expressions.py" in sources and "compiler.py" in sources
    calls = {name: re.findall(r"(?<![\w.])(eval|exec)\s*\(", text) for name, text in sources.items()}
    assert {name: found for name, found in calls.items() if found} == {}
