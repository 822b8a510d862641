"""Point-in-time windows: "the last N days" as of a date, the same for every metric.

`as_of` is a whole day: facts stamped before the end of that day (UTC) are known, later ones
are not. "The last 30 days" are as_of and the 29 days before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir


@dataclass(frozen=True)
class Day:
    """The day a metric is computed for, and the bounds of windows ending on it."""

    as_of: dt.date

    @property
    def end(self) -> ir.TimestampScalar:
        """The first instant after `as_of`: timestamps strictly before it are known."""
        return self.since(0)

    def since(self, days: int) -> ir.TimestampScalar:
        """The first instant of the window of the last `days` days (as_of included)."""
        start = dt.datetime.combine(self.as_of + dt.timedelta(days=1 - days), dt.time())
        return ibis.literal(start, type="timestamp")

    def date_since(self, days: int) -> ir.DateScalar:
        """The first day of the window of the last `days` days, as a date."""
        return ibis.literal(self.as_of + dt.timedelta(days=1 - days), type="date")

    @property
    def date(self) -> ir.DateScalar:
        return ibis.literal(self.as_of, type="date")

    def days_since(self, moment: ir.Value) -> ir.IntegerValue:
        """Whole days from a date or timestamp column to `as_of`."""
        return self.date.delta(moment.cast("date"), unit="day")
