"""What every section of the board pack is built from: the workspace, the period and its comparisons.

A board pack reports on one closed period (`2026Q3`) against the period before it and the same
period a year earlier, as its board saw them. The context is built once and handed to every
section, so all sections agree on the dates, the currency and whether the workflow store exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.operating.periods import Period, parse_period, period_containing

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workflow.store import WorkflowStore
    from tenure.workspace import Workspace

KINDS = {1: "month", 3: "quarter", 12: "year"}


@dataclass
class BoardContext:
    """The period a board pack reports on, its comparison periods, and where its data lives."""

    ws: Workspace
    store: WorkflowStore | None  # None when the workflow store does not exist or is not migrated
    period: Period
    prior: Period  # the period just before
    year_ago: Period  # the same period a year earlier
    as_of: dt.date  # what the pack knows: the period end unless given (a later day sees later predictions)
    currency: str
    _results: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        """month, quarter or year: the length every comparison and trend of the pack steps by."""
        return KINDS[self.period.months]

    def periods_back(self, count: int) -> list[Period]:
        """The `count` periods ending with the reported one, oldest first (the trend charts' axis)."""
        periods = [self.period]
        while len(periods) < count:
            periods.insert(0, self.before(periods[0]))
        return periods

    def results(self, period: Period) -> pd.DataFrame:
        """The company's and each segment's book results against target for `period` (`views.targets` rows).

        Built once per period and shared: the headline, the retention trend and the team section
        read the same figures, so the pack never shows one period's GRR two ways."""
        if period.label not in self._results:
            from tenure.views.targets import targets_view

            rows = targets_view(self.ws, period=period, as_of=self.as_of, levels=("company", "segment")).rows
            self._results[period.label] = rows.reset_index(drop=True)
        return self._results[period.label]

    def before(self, period: Period) -> Period:
        """The period of the same kind just before `period`."""
        return period_containing(period.start - dt.timedelta(days=1), self.kind,
                                 fiscal_year_start_month=self.ws.config.fiscal_year_start_month)


def board_context(ws: Workspace, period_text: str, *, as_of: dt.date | None = None) -> BoardContext:
    """The context of a board pack for the period named `period_text` (2026Q3, 2026-07, 2026).

    A board pack reports a period that has ended: an `as_of` before the period's last day, or a
    day still to come, is an error naming the dates, not a pack of half-measured figures.
    """
    fiscal_start = ws.config.fiscal_year_start_month
    period = parse_period(period_text, fiscal_year_start_month=fiscal_start)
    day = as_of or period.end
    if day < period.end:
        raise TenureError(f"--period {period.label} ends on {period.end}, after --as-of {day}: a board pack "
                          "reports a period that has ended; choose an earlier period or a later date")
    if day > dt.date.today():
        raise TenureError(f"--period {period.label} ends on {period.end} and --as-of is {day}, after today: "
                          "a board pack reports a period that has ended")
    kind = KINDS[period.months]
    prior = period_containing(period.start - dt.timedelta(days=1), kind, fiscal_year_start_month=fiscal_start)
    year_ago_start = dt.date(period.start.year - 1, period.start.month, 1)
    year_ago = period_containing(year_ago_start, kind, fiscal_year_start_month=fiscal_start)
    return BoardContext(ws=ws, store=migrated_store(ws), period=period, prior=prior, year_ago=year_ago,
                        as_of=day, currency=ws.config.base_currency)


def migrated_store(ws: Workspace) -> WorkflowStore | None:
    """The workspace's workflow store when it exists at the code's schema; None otherwise.

    A SQLite store that was never created is not created here (opening it would leave an empty
    file behind): a workspace loaded without `tenure init` simply has no workflow to report.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from tenure.workflow.store import STORE_FILE, WorkflowStore

    if not ws.config.workflow_url and not (ws.root / STORE_FILE).is_file():
        return None
    store = WorkflowStore.of(ws)
    try:
        store.check()
    except (TenureError, SQLAlchemyError):  # never migrated, or a database that does not answer
        store.dispose()
        return None
    return store
