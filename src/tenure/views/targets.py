"""The targets view: each book's results for a period against its cascaded targets.

Books are the company, each segment, each manager's team (`team.manager_id` of the CSM who
owned the account at the period start) and each CSM. `period_book` is the per-account table of
a period for a workspace (book at the period start, start and end ARR, renewals): the
scorecards and compensation views build on it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.operating.book_results import measured_to, period_accounts, with_manager
from tenure.operating.targets import results_against_targets
from tenure.views.book import book_at
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.operating.periods import Period
    from tenure.workspace import Workspace

LEVELS = {"company": (), "segment": ("segment",), "manager": ("manager",), "csm": ("owner",)}
COLUMNS = (
    "level", "book", "name", "accounts_start", "arr_start", "grr", "grr_target", "grr_gap_pp", "nrr", "nrr_target",
    "nrr_gap_pp", "expansion_arr", "expansion_rate", "expansion_target", "expansion_gap_pp", "logo_retention",
    "churned_arr", "renewals_due", "renewals_renewed",
)


@dataclass
class TargetsView:
    period: Period
    measured_to: dt.date
    rows: pd.DataFrame  # COLUMNS, one row per book, levels in the order asked

    @property
    def complete(self) -> bool:
        return self.measured_to >= self.period.end


def period_book(ws: Workspace, *, period: Period, as_of: dt.date | None = None,
                owners: Mapping[str, str] | None = None, book: ir.Table | None = None) -> ir.Table:
    """One row per account of the period's starting book (an expression): `period_accounts` plus `manager`.

    `owners` are the reassignments made in tenure before the period start (account → person);
    they override the loaded owner, later ones must not be passed (moves do not change books).
    `book` may carry `book_at(ws, as_of=period.book_date, owners=owners)` already built by the caller.
    """
    end = measured_to(period, as_of)
    if book is None:
        book = book_at(ws, as_of=period.book_date, owners=owners, health=False)
    book = book.select("account_id", "name", "arr", "owner", "segment")
    settings = ws.config
    accounts = period_accounts(book, paying_lines(ws, as_of=end), period=period, as_of=end,
                               default_term_months=settings.revenue.default_term_months,
                               grace_days=settings.predict.grace_days)
    return with_manager(accounts, ws.warehouse.table("team"))


def targets_view(ws: Workspace, *, period: Period, as_of: dt.date | None = None,
                 owners: Mapping[str, str] | None = None, levels: Sequence[str] = tuple(LEVELS)) -> TargetsView:
    """Actual against target for the period, per book at each of `levels` (company, segment, manager, csm)."""
    import pandas as pd

    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        kinds = ", ".join(name for name in LEVELS if name != "company")
        raise TenureError(f"--by must be one of {kinds}, not {unknown[0]!r}")
    accounts = period_book(ws, period=period, as_of=as_of, owners=owners).cache()
    names = person_names(ws)
    parts = []
    for level in levels:
        by = LEVELS[level]
        data = ws.warehouse.execute(results_against_targets(accounts, ws.config.targets, period=period, by=by))
        if data.empty:
            continue
        data.insert(0, "level", level)
        data.insert(1, "book", data[by[0]].astype(str) if by else "company")
        data.insert(2, "name", data["book"].map(names) if level in ("manager", "csm") else None)
        parts.append(data.sort_values(["arr_start", "book"], ascending=[False, True]))
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(COLUMNS))
    return TargetsView(period=period, measured_to=measured_to(period, as_of), rows=rows[list(COLUMNS)])


def person_names(ws: Workspace) -> dict[str, str]:
    """Each team member's name by person_id (empty without a team table)."""
    team = ws.warehouse.table("team")
    if team is None or "name" not in team.columns:
        return {}
    data = ws.warehouse.execute(team.select(person_id=team.person_id.cast("string"), name=team.name.cast("string")))
    return dict(zip(data["person_id"], data["name"], strict=True))
