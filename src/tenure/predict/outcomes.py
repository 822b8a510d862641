"""What happened after a cutoff: the label a renewal model learns and a backtest checks.

For an account paying at the cutoff whose next renewal (as known then) falls within the
horizon, the outcome compares its ARR the day before that renewal with its ARR on the
renewal date plus a grace period (a renewal signed a few days late is not churn):

- churned: no ARR after; contracted: below `before × (1 − flat_tolerance)`;
- expanded: above `before × (1 + flat_tolerance)`; flat: in between.

Monthly contracts renew every month, so for them the outcome compares ARR at the cutoff
with ARR at the end of the horizon ("churned within the horizon"). Accounts with a longer
term and no renewal in the horizon have no outcome. The churn date (for lead times) is the
renewal date, or for monthly contracts the end of the last paid line that ended in the horizon.

`arr_next_quarter` (ARR three months after the cutoff) is kept for every account: it is
what quarter-by-quarter GRR and NRR forecasts are checked against.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.metrics.accounts import arr_on
from tenure.metrics.calendar import index_of, month_end_of_index
from tenure.metrics.renewals import next_renewals
from tenure.predict.features import known_lines
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.workspace import Workspace

OUTCOMES = ("churned", "contracted", "flat", "expanded")


def quarter_after(cutoff: dt.date) -> dt.date:
    """The month-end three months after the cutoff's month-end: the end of the quarter that follows it."""
    return month_end_of_index(index_of(cutoff) + 3)


def outcomes_after(ws: Workspace, cutoff: dt.date, *, horizon_days: int, grace_days: int = 0,
                   flat_tolerance: float = 0.01) -> pd.DataFrame:
    """One row per account paying at the cutoff: `account_id`, `cutoff`, `renewal_due`, `outcome`
    (None when there is no renewal in the horizon), `arr_before`, `arr_after`, `churn_date`,
    `arr_at_cutoff`, `arr_next_quarter`."""
    horizon_end = cutoff + dt.timedelta(days=horizon_days)
    seen = max(horizon_end + dt.timedelta(days=grace_days), quarter_after(cutoff))
    config = ws.config
    planned = next_renewals(known_lines(ws, cutoff), as_of=cutoff,
                            default_term_months=config.revenue.default_term_months)
    lines = paying_lines(ws, as_of=seen)
    monthly = planned.term_months == 1
    due = planned.mutate(
        monthly=monthly,
        renewal_due=monthly | (planned.renewal_date <= horizon_end),
        _before_day=ibis.ifelse(monthly, ibis.literal(cutoff), planned.renewal_date - ibis.interval(days=1)),
        _after_day=ibis.ifelse(monthly, ibis.literal(horizon_end),
                               planned.renewal_date + ibis.interval(days=grace_days)),
    )
    before = _arr_on_days(lines, due, "_before_day", "arr_before")
    after = _arr_on_days(lines, due, "_after_day", "arr_after")
    at_cutoff = arr_on(lines, cutoff).rename(arr_at_cutoff="arr")
    next_quarter = arr_on(lines, quarter_after(cutoff)).rename(arr_next_quarter="arr")
    ended = lines.filter((lines.mrr > 0) & (lines.end_date > cutoff) & (lines.end_date <= horizon_end))
    last_end = ended.group_by("account_id").aggregate(_last_end=ended.end_date.max())
    joined = due.left_join(before, "account_id").drop("account_id_right") \
        .left_join(after, "account_id").drop("account_id_right") \
        .left_join(at_cutoff, "account_id").drop("account_id_right") \
        .left_join(next_quarter, "account_id").drop("account_id_right") \
        .left_join(last_end, "account_id").drop("account_id_right")
    arr_before = ibis.coalesce(joined.arr_before, 0.0)
    arr_after = ibis.coalesce(joined.arr_after, 0.0)
    outcome = ibis.cases(
        (arr_after <= 0, "churned"),
        (arr_after < arr_before * (1 - flat_tolerance), "contracted"),
        (arr_after > arr_before * (1 + flat_tolerance), "expanded"),
        else_="flat",
    )
    valid = joined.renewal_due & (arr_before > 0)
    out = joined.select(
        "account_id",
        cutoff=ibis.literal(cutoff, type="date"),
        renewal_due=valid,
        outcome=ibis.ifelse(valid, outcome, ibis.null("string")),
        arr_before=arr_before, arr_after=arr_after,
        churn_date=ibis.ifelse(valid & (arr_after <= 0),
                               ibis.ifelse(joined.monthly, joined._last_end, joined.renewal_date), ibis.null("date")),
        arr_at_cutoff=ibis.coalesce(joined.arr_at_cutoff, 0.0),
        arr_next_quarter=ibis.coalesce(joined.arr_next_quarter, 0.0),
    )
    return ws.warehouse.execute(out).sort_values("account_id", ignore_index=True)


def _arr_on_days(lines: ir.Table, days: ir.Table, day_column: str, name: str) -> ir.Table:
    """Each account's ARR on its own day (`days[day_column]`), as column `name`."""
    pairs = lines.join(days.select("account_id", _day=days[day_column]), "account_id")
    live = (pairs.start_date <= pairs._day) & (pairs.end_date.isnull() | (pairs.end_date > pairs._day))
    return pairs.group_by("account_id").aggregate(**{name: (pairs.mrr.sum(where=live) * 12).cast("float64")})
