"""Number, date, timestamp and boolean formats of source mappings: every way exports write values.

Each format is read by the SQL the engine runs (`formats.read_sql`), so these are the values a
load stores; a value that does not fit gives NULL, which the engine reports row by row (the
last tests load files and check the problems name file, row, column, value and rule).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tenure.contract.mapping.files import parse_mapping
from tenure.contract.mapping.formats import (
    BooleanFormat,
    DateFormat,
    NumberFormat,
    TimestampFormat,
    read_sql,
)
from tenure.contract.mapping.loading import load_planned
from tenure.contract.mapping.plan import plan
from tenure.contract.staging import literal
from tenure.errors import ConfigError, DataContractError

from .helpers import fingerprint


def read(fmt, text: str | None, *, timezone: str | None = None, naive: bool = False):
    """The value the engine reads from `text`; with `naive`, also whether it is a local time lacking a zone."""
    sql, naive_sql = read_sql(fmt, literal(text) if text is not None else "NULL", timezone=timezone)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    value = con.execute(f"SELECT {sql}").fetchall()[0][0]
    return (value, con.execute(f"SELECT {naive_sql or 'NULL'}").fetchall()[0][0]) if naive else value


# -- numbers -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1234.50", 1234.5),
    ("-7", -7.0),
    ("+3", 3.0),
    (".5", 0.5),
    ("1,234.50", 1234.5),
    ("$1,234.50", 1234.5),
    ("-$1,234.50", -1234.5),
    ("$-12", -12.0),
    ("($1,234.50)", -1234.5),
    ("(120.00)", -120.0),
    ("USD 1,000,000", 1_000_000.0),
    ("1,000 EUR", 1000.0),
    ("€99.90", 99.9),
    ("£5", 5.0),
    ("12%", 0.12),
    ("12.5 %", 0.125),
    ("-3%", -0.03),
    ("1 234 567.25", 1_234_567.25),
    ("1'234.50", 1234.5),
    ("  42  ", 42.0),
])
def test_numbers_with_a_decimal_point(text, expected):
    assert read(NumberFormat(), text) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("1.234,50", 1234.5),
    ("1234,5", 1234.5),
    ("1 234,50 €", 1234.5),
    ("EUR 1.234.567,89", 1234567.89),
    ("(1.234,50)", -1234.5),
    ("12,5%", 0.125),
    ("-0,99", -0.99),
    ("7", 7.0),
])
def test_numbers_with_a_decimal_comma(text, expected):
    assert read(NumberFormat(decimal=","), text) == pytest.approx(expected)


@pytest.mark.parametrize(("fmt", "text"), [
    (NumberFormat(), "1.234,50"),  # a decimal comma where a point is declared
    (NumberFormat(), "1,5"),  # a comma that is no thousands separator
    (NumberFormat(), "1,23.4"),
    (NumberFormat(), "abc"),
    (NumberFormat(), "12abc"),
    (NumberFormat(), "--5"),
    (NumberFormat(), "-(5)"),
    (NumberFormat(), "1e5"),
    (NumberFormat(), "XYZ 5"),  # not a currency code
    (NumberFormat(decimal=","), "1,234.50"),
    (NumberFormat(decimal=","), "$1,234.50"),
    (NumberFormat(thousands=""), "1,234.50"),  # no grouping accepted
])
def test_numbers_that_do_not_fit_their_format_read_as_nothing(fmt, text):
    assert read(fmt, text) is None


def test_thousands_separators_can_be_restricted():
    assert read(NumberFormat(thousands=" "), "1 234.5") == pytest.approx(1234.5)
    assert read(NumberFormat(thousands=" "), "1,234.5") is None


# -- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    (None, "2024-01-31", dt.date(2024, 1, 31)),
    (None, "2024-01-31T23:30:00Z", dt.date(2024, 1, 31)),  # the day as written
    ("%m/%d/%Y", "01/31/2024", dt.date(2024, 1, 31)),
    ("%m/%d/%Y", "1/5/2024", dt.date(2024, 1, 5)),
    ("%d/%m/%Y", "31/01/2024", dt.date(2024, 1, 31)),
    ("%d.%m.%Y", "31.01.2024", dt.date(2024, 1, 31)),
    ("%b %d, %Y", "Jan 31, 2024", dt.date(2024, 1, 31)),
    ("%d %B %Y", "31 January 2024", dt.date(2024, 1, 31)),
    (["%d/%m/%Y", "%Y-%m-%d"], "2024-01-31", dt.date(2024, 1, 31)),
])
def test_dates(pattern, text, expected):
    assert read(DateFormat(format=pattern), text) == expected


@pytest.mark.parametrize(("pattern", "text"), [
    (None, "01/31/2024"),
    (None, "2024-02-30"),
    ("%m/%d/%Y", "31/01/2024"),
    ("%d/%m/%Y", "2024-01-31"),
])
def test_dates_that_do_not_fit(pattern, text):
    assert read(DateFormat(format=pattern), text) is None


def test_a_date_format_must_be_a_strptime_pattern():
    with pytest.raises(ValueError, match="is not a strptime pattern"):
        DateFormat(format="MM/DD/YYYY")


# -- timestamps ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "zone", "text", "expected"), [
    (TimestampFormat(), None, "2024-03-01T09:30:00Z", dt.datetime(2024, 3, 1, 9, 30)),
    (TimestampFormat(), None, "2024-03-01 10:30+01:00", dt.datetime(2024, 3, 1, 9, 30)),
    (TimestampFormat(), "Europe/Paris", "2024-07-01 10:30:00", dt.datetime(2024, 7, 1, 8, 30)),
    (TimestampFormat(), "Europe/Paris", "2024-07-01T10:30:00Z", dt.datetime(2024, 7, 1, 10, 30)),
    (TimestampFormat(format="%m/%d/%Y %I:%M %p"), "America/New_York", "01/15/2024 3:04 PM",
     dt.datetime(2024, 1, 15, 20, 4)),
    (TimestampFormat(format="%d.%m.%Y %H:%M %z"), None, "15.01.2024 10:00 +0100", dt.datetime(2024, 1, 15, 9, 0)),
    (TimestampFormat(format="epoch"), None, "1717200000", dt.datetime(2024, 6, 1, 0, 0)),
    (TimestampFormat(format="epoch_ms"), None, "1717200000500", dt.datetime(2024, 6, 1, 0, 0, 0, 500000)),
    (TimestampFormat(format="%Y-%m-%d %H:%M", timezone="Asia/Kolkata"), "UTC", "2024-01-15 10:30",
     dt.datetime(2024, 1, 15, 10, 30)),  # the zone given to read_sql is the one that applies
])
def test_timestamps_are_stored_in_utc(fmt, zone, text, expected):
    assert read(fmt, text, timezone=zone) == expected


def test_a_local_time_without_a_known_zone_is_flagged_as_naive():
    assert read(TimestampFormat(), "2024-07-01 10:30:00", naive=True) == (None, True)
    assert read(TimestampFormat(), "not a time", naive=True) == (None, False)
    assert read(TimestampFormat(format="%d/%m/%Y %H:%M"), "01/07/2024 10:30", naive=True) == (None, True)
    assert read(TimestampFormat(), "2024-07-01 10:30:00", timezone="UTC", naive=True) == (
        dt.datetime(2024, 7, 1, 10, 30), None)


# -- booleans ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("on", True), ("t", True),
    ("no", False), ("N", False), ("False", False), ("0", False), ("off", False), (" f ", False),
    ("maybe", None),
])
def test_booleans_by_default(text, expected):
    assert read(BooleanFormat(), text) is expected


def test_booleans_with_their_own_words():
    fmt = BooleanFormat(true_values=["Active", "Trialing"], false_values=["Canceled"])
    assert (read(fmt, "active"), read(fmt, "TRIALING"), read(fmt, "canceled"), read(fmt, "yes")) == (
        True, True, False, None)


def test_yaml_booleans_in_a_word_list_stand_for_their_words():
    """`true_values: [yes]` is read by YAML as [true]; it means yes, true and on."""
    raw = {"sources": {"files": [{"pattern": "a.csv", "table": "accounts",
                                  "formats": {"Flag": {"type": "boolean", "true_values": [True, "Si"],
                                                       "false_values": [False]}}}]}}
    fmt = parse_mapping(raw, source="m.yaml").files[0].formats["Flag"]
    assert fmt.true_values == ["true", "yes", "on", "si"]
    assert fmt.false_values == ["false", "no", "off"]


def test_an_unknown_format_type_names_the_key():
    raw = {"sources": {"files": [{"pattern": "a.csv", "table": "accounts", "formats": {"Amount": "money"}}]}}
    with pytest.raises(ConfigError, match=r"m.yaml: key 'sources.files.0.formats.Amount': .*'money'"):
        parse_mapping(raw, source="m.yaml")


# -- problems in a load --------------------------------------------------------------------------------------

MAPPING = {"sources": {"files": [{
    "pattern": "billing*.csv", "table": "subscriptions",
    "columns": {"subscription_id": "Line", "account_id": "Account", "product": "Plan", "mrr": "Price",
                "start_date": "Starts", "auto_renew": "Renews"},
    "constants": {"currency": "USD"},
    "formats": {"Price": {"type": "number", "decimal": ","}, "Starts": {"type": "date", "format": "%d/%m/%Y"}},
}]}}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_values_not_in_their_format_are_reported_with_file_row_column_value_and_rule(baseline, tmp_path):
    before = fingerprint(baseline)
    path = write(tmp_path / "billing.csv",
                 "Line,Account,Plan,Price,Starts,Renews\n"
                 'S7,A1,core,"1.234,50",31/01/2024,yes\n'
                 'S8,A2,core,"$1,234.50",01/31/2024,maybe\n'
                 'S9,A3,core,"99,00",15/02/2024,N\n')

    with pytest.raises(DataContractError) as caught:
        load_planned(plan([path], parse_mapping(MAPPING, source="m.yaml")), warehouse=baseline.warehouse)

    found = {(p.file, p.row, p.column, p.value, p.rule) for p in caught.value.problems}
    assert found == {
        (str(path), 2, "Price", "$1,234.50", "number_format"),
        (str(path), 2, "Starts", "01/31/2024", "date_format"),
        (str(path), 2, "Renews", "maybe", "boolean_format"),
    }  # row 2's empty mrr and start_date are not reported again as missing values
    messages = {p.rule: p.message for p in caught.value.problems}
    assert messages["date_format"] == "not a date in the format '%d/%m/%Y'"
    assert messages["boolean_format"].startswith("not a boolean (true, t, yes, y, 1, on / ")
    assert caught.value.total_by_rule == {"billing.csv Price: number_format": 1, "billing.csv Starts: date_format": 1,
                                          "billing.csv Renews: boolean_format": 1}
    assert fingerprint(baseline) == before


def test_the_same_file_loads_once_its_values_fit(baseline, tmp_path):
    path = write(tmp_path / "billing.csv",
                 "Line,Account,Plan,Price,Starts,Renews\n"
                 'S7,A1,core,"1.234,50",31/01/2024,yes\n'
                 'S9,A3,core,"99,00",15/02/2024,N\n')

    report = load_planned(plan([path], parse_mapping(MAPPING, source="m.yaml")), warehouse=baseline.warehouse)

    assert (report.changes["subscriptions"].inserted, report.changes["subscriptions"].total) == (2, 4)
    assert baseline.warehouse.raw().execute(
        "SELECT subscription_id, mrr, start_date, auto_renew FROM subscriptions WHERE subscription_id IN ('S7', 'S9') "
        "ORDER BY 1").fetchall() == [("S7", Decimal("1234.5000"), dt.date(2024, 1, 31), True),
                                     ("S9", Decimal("99.0000"), dt.date(2024, 2, 15), False)]


def test_naive_timestamps_need_a_zone_and_the_mapping_can_give_it(baseline, tmp_path):
    events = {"pattern": "usage*.csv", "table": "events",
              "columns": {"account_id": "Account", "user_id": "User", "event": "Event", "timestamp": "At"}}
    path = write(tmp_path / "usage.csv", "Account,User,Event,At\nA1,u1,login,2024-03-01 10:00\n")

    with pytest.raises(DataContractError) as caught:
        load_planned(plan([path], parse_mapping({"sources": {"files": [events]}}, source="m.yaml")),
                     warehouse=baseline.warehouse)
    assert [(p.row, p.column, p.value, p.rule) for p in caught.value.problems] == [
        (1, "At", "2024-03-01 10:00", "naive_timestamp")]

    zoned = parse_mapping({"sources": {"timezone": "America/New_York", "files": [events]}}, source="m.yaml")
    load_planned(plan([path], zoned), warehouse=baseline.warehouse)
    assert baseline.warehouse.raw().execute("SELECT timestamp FROM events").fetchall() == [
        (dt.datetime(2024, 3, 1, 15, 0),)]
