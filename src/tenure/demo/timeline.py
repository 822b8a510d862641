"""The simulated calendar: the history window, its months, and vectorised date arithmetic.

Dates are held as int64 day numbers (days since 1970-01-01) so that whole columns of dates
move through numpy at once; contract anniversaries fall on days 1-28 of a month, so adding
months never has to clip a day to a shorter month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)
SECONDS_PER_DAY = 86_400
LAST_ANCHOR_DAY = 28  # contract anniversaries fall on days 1..28 of a month
WORKDAY_START_UTC = np.array([14.0, 8.0, 1.0, 12.0])  # UTC hour work starts in NA, EMEA, APAC, LATAM


def day_number(day: dt.date) -> int:
    """The day number of a date."""
    return (day - EPOCH).days


def month_number(days: np.ndarray | int) -> np.ndarray:
    """Months since January 1970 of day numbers (a monotonic month index)."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def month_first_day(months: np.ndarray | int) -> np.ndarray:
    """The day number of the first day of months since January 1970."""
    return np.asarray(months, dtype="int64").astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def day_of_month(days: np.ndarray) -> np.ndarray:
    """1-based day of the month of day numbers."""
    return days - month_first_day(month_number(days)) + 1


def add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Day numbers moved by whole months, keeping the day of the month (which must be ≤ 28)."""
    days = np.asarray(days, dtype="int64")
    return month_first_day(month_number(days) + months) + day_of_month(days) - 1


def last_month_end_before(today: dt.date) -> dt.date:
    """The last day of the month before `today`'s month: the default end of history."""
    return today.replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """The history being simulated: calendar months from the month of `start` to that of `end`.

    `start` is `months` months before the day after `end`, so a month-end `end` gives exactly
    `months` whole calendar months. Every fact (usage, tickets, activities, surveys, new
    accounts) is dated within [start, end]; the installed base's contracts began before it.
    """

    start: int  # day number of the first day of history
    end: int  # day number of the last day of history
    first_month: int  # months since 1970 of the first simulated month

    @classmethod
    def ending(cls, end: dt.date, months: int) -> Window:
        after = end + dt.timedelta(days=1)
        year, month = divmod(after.year * 12 + after.month - 1 - months, 12)
        first = dt.date(year, month + 1, min(after.day, calendar.monthrange(year, month + 1)[1]))
        start = day_number(first)
        return cls(start=start, end=day_number(end), first_month=int(month_number(start)))

    @property
    def n_months(self) -> int:
        return int(month_number(self.end)) - self.first_month + 1

    def month_start(self, m: int | np.ndarray) -> np.ndarray | int:
        """First day of simulated month m, clipped to the start of history."""
        return np.maximum(month_first_day(self.first_month + np.asarray(m)), self.start)

    def month_last(self, m: int | np.ndarray) -> np.ndarray | int:
        """Last day of simulated month m, clipped to the end of history."""
        return np.minimum(month_first_day(self.first_month + np.asarray(m) + 1) - 1, self.end)

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Simulated month index of day numbers (negative before the window)."""
        return month_number(days) - self.first_month

    def anchor_days(self) -> np.ndarray:
        """Every day of history that can anchor a contract (day of month ≤ 28)."""
        days = np.arange(self.start, self.end + 1, dtype="int64")
        return days[day_of_month(days) <= LAST_ANCHOR_DAY]


def business_moments(rng: np.random.Generator, first_day: np.ndarray, last_day: np.ndarray,
                     region: np.ndarray) -> np.ndarray:
    """A moment (seconds since the epoch, UTC) on a day in [first_day, last_day], in working hours."""
    day = first_day + np.floor(rng.random(len(first_day)) * (last_day - first_day + 1)).astype(np.int64)
    hour = np.clip(WORKDAY_START_UTC[region] + rng.normal(4.0, 2.2, len(day)), 0, 23.9)
    return day * SECONDS_PER_DAY + (hour * 3600).astype(np.int64)
