"""Named periods of the operating model: a quarter, a month or a year, as first and last day.

Targets, scorecards and compensation are set and paid per period. A period is written
`2026Q3` (a calendar quarter), `2026-07` (a month) or `2026` (a calendar year); with a fiscal
year that does not start in January, `FY2027Q1` and `FY2027` name fiscal quarters and years
(fiscal years are named by the calendar year they end in, as in `tenure.metrics.calendar`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from tenure.errors import TenureError
from tenure.metrics.calendar import fiscal_shift, index_of, month_end_of_index, period_first_index, period_label

FORMS = "2026Q3 (a quarter), 2026-07 (a month) or 2026 (a year)"
_QUARTER = re.compile(r"^(FY)?(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(FY)?(\d{4})$")


@dataclass(frozen=True)
class Period:
    """A span of whole months: `start` is its first day, `end` its last day (both included)."""

    label: str
    start: dt.date
    end: dt.date
    months: int

    @property
    def year_fraction(self) -> float:
        """The period's share of a year (months ÷ 12): prorates yearly targets and pay."""
        return self.months / 12

    @property
    def book_date(self) -> dt.date:
        """The day whose end the period's book is taken at: the last day before the period.

        Its ARR is the month-end snapshot that opens the period, as GRR and NRR windows use."""
        return self.start - dt.timedelta(days=1)


def parse_period(text: str, *, fiscal_year_start_month: int = 1, option: str = "--period") -> Period:
    """The period a label names; a TenureError naming the option and the accepted forms otherwise."""
    value = (text or "").strip().upper()
    if (match := _QUARTER.match(value)) is not None:
        fiscal, year, quarter = bool(match.group(1)), int(match.group(2)), int(match.group(3))
        start_month = _fiscal_first_month(year, fiscal, fiscal_year_start_month, text, option) + 3 * (quarter - 1)
        return _span(start_month, 3, fiscal_year_start_month, "quarter")
    if (match := _MONTH.match(value)) is not None:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise TenureError(f"{option} {text!r}: month {month:02d} does not exist; write {FORMS}")
        return _span(year * 12 + month - 1, 1, fiscal_year_start_month, "month")
    if (match := _YEAR.match(value)) is not None:
        fiscal, year = bool(match.group(1)), int(match.group(2))
        start_month = _fiscal_first_month(year, fiscal, fiscal_year_start_month, text, option)
        return _span(start_month, 12, fiscal_year_start_month, "year")
    raise TenureError(f"{option} {text!r} is not a period; write {FORMS}")


def period_containing(day: dt.date, kind: str = "quarter", *, fiscal_year_start_month: int = 1) -> Period:
    """The month, quarter or year (fiscal when the year does not start in January) that `day` falls in."""
    sizes = {"month": 1, "quarter": 3, "year": 12}
    if kind not in sizes:
        raise TenureError(f"a period is a month, quarter or year, not {kind!r}")
    first = period_first_index(index_of(day), kind, fiscal_year_start_month)
    return _span(first, sizes[kind], fiscal_year_start_month, kind)


def _fiscal_first_month(year: int, fiscal: bool, start_month: int, text: str, option: str) -> int:
    """Month index of the first month of (fiscal) year `year`."""
    if not fiscal:
        if start_month != 1:
            raise TenureError(f"{option} {text!r}: the fiscal year starts in {calendar.month_name[start_month]}; "
                              f"name fiscal periods FY{year}Q1 or FY{year}, or use months (YYYY-MM)")
        return year * 12
    if start_month == 1:
        return year * 12  # FY2026 is the calendar year 2026
    return year * 12 - fiscal_shift(start_month)  # FY2027 with a February start begins February 2026


def _span(first: int, months: int, fiscal_year_start_month: int, kind: str) -> Period:
    year, month = divmod(first, 12)
    return Period(label=period_label(first, kind, fiscal_year_start_month), start=dt.date(year, month + 1, 1),
                  end=month_end_of_index(first + months - 1), months=months)
