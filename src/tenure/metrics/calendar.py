"""Month arithmetic on integer month indices, portable to every Ibis backend.

A month index is `year * 12 + month - 1`; comparing and shifting integers runs the same on
DuckDB, PostgreSQL and Spark, where interval arithmetic differs from engine to engine.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt

import ibis
import ibis.expr.types as ir


def month_index(value: ir.DateValue) -> ir.IntegerValue:
    """The month index of a date column."""
    return value.year().cast("int64") * 12 + value.month().cast("int64") - 1


def index_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_end_of_index(index: int) -> dt.date:
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, _calendar.monthrange(year, month + 1)[1])


def last_closed_month(as_of: dt.date) -> int:
    """Index of the last month-end on or before `as_of`: month-end snapshots drive movements."""
    is_month_end = as_of == month_end_of_index(index_of(as_of))
    return index_of(as_of) if is_month_end else index_of(as_of) - 1


def month_end(index: ir.IntegerValue) -> ir.DateValue:
    """The month-end date of a month-index column (the first of the next month, less a day)."""
    following = index + 1
    first_of_next = ibis.date((following // 12).cast("int32"), (following % 12 + 1).cast("int32"), 1)
    return first_of_next - ibis.interval(days=1)


def month_label(index: int) -> str:
    year, month = divmod(index, 12)
    return f"{year:04d}-{month + 1:02d}"


def fiscal_shift(fiscal_year_start_month: int) -> int:
    """Months to add to a calendar month index to get its fiscal month index.

    Fiscal years are named by the calendar year they end in: with a February start,
    February 2026 – January 2027 is FY2027.
    """
    return (13 - fiscal_year_start_month) % 12


def period_label(index: int, period: str, fiscal_year_start_month: int = 1) -> str:
    """The name of the month, quarter or fiscal year that a month index falls in."""
    if period == "month":
        return month_label(index)
    fiscal = index + fiscal_shift(fiscal_year_start_month)
    year, month = divmod(fiscal, 12)
    prefix = "" if fiscal_year_start_month == 1 else "FY"
    if period == "quarter":
        return f"{prefix}{year}Q{month // 3 + 1}"
    return f"{prefix}{year}"


def period_first_index(index: int, period: str, fiscal_year_start_month: int = 1) -> int:
    """The first month index of the period containing `index`."""
    if period == "month":
        return index
    shift = fiscal_shift(fiscal_year_start_month)
    fiscal = index + shift
    size = 3 if period == "quarter" else 12
    return fiscal - fiscal % size - shift


def to_date(value) -> dt.date | None:
    """A date from whatever a frame or a store holds (date, datetime, Timestamp, ISO text); None for empty."""
    import pandas as pd

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()
