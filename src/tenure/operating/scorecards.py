"""Team scorecards for performance reviews: what each CSM's and each manager team's book did in a period.

A scorecard row is a book of the period (the accounts an owner held at the period start; see
`book_results`) with, beside its GRR/NRR against target and its renewals:

* **Touch cadence kept**: of the book's accounts on a dedicated motion, the share that had at
  least ⌊period days ÷ the motion's cadence days⌋ touches (at least one) in the period. A touch
  is an activity of type meeting, qbr, ebr or call (an email is not a touch). The motion is the
  one at the period start. Empty when the book has no dedicated account or no activities
  are loaded ("no data", never 0%).
* **CTAs done on time**: of the CTAs due in the period and owned by the person (their current
  owner), the share closed on or before the due date.
* **Red ARR and its trend**: ARR of the book's accounts in the lowest health band at the start
  (their start ARR) and at the end (their end ARR), and the change.
* **Value delivered**: each configured value driver's total over the period for the book's
  accounts (`value:` in tenure.yaml; events × per_event).

Engine expressions except `cta_timeliness`, which reads a small frame from the workflow store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from tenure.metrics.columns import join_on_account, ratio

if TYPE_CHECKING:
    import pandas as pd

    from tenure.metrics.accounts import ValueDriver

TOUCH_TYPES = ("meeting", "qbr", "ebr", "call")


def touches(activities: ir.Table, *, start: dt.date, end: dt.date) -> ir.Table:
    """Touches per account from `start` to `end` (both days included)."""
    stop = end + dt.timedelta(days=1)
    kept = activities.filter(activities.type.isin(TOUCH_TYPES) & (activities.occurred_at >= start)
                             & (activities.occurred_at < stop))
    return kept.group_by("account_id").aggregate(touches=kept.count())


def value_delivered(events: ir.Table, drivers: Sequence[ValueDriver], *, start: dt.date, end: dt.date) -> ir.Table:
    """Each value driver's total per account over the period (`value_<name>` columns)."""
    stop = end + dt.timedelta(days=1)
    recent = events.filter((events.timestamp >= start) & (events.timestamp < stop)
                           & events.event.isin([d.event for d in drivers]))
    uses = ibis.coalesce(recent["count"], 1)
    return recent.group_by("account_id").aggregate(**{
        f"value_{d.name}": (uses.sum(where=recent.event == d.event).cast("float64") * d.per_event) for d in drivers})


def with_activity(accounts: ir.Table, *, motions: ir.Table, bands_end: ir.Table, touched: ir.Table | None,
                  value: ir.Table | None, period_days: int, lowest_band: str) -> ir.Table:
    """Add to the period's accounts (`period_accounts`): cadence kept, red ARR at start and end, value.

    `motions`: account_id, motion, cadence_days, dedicated, band (all at the period start);
    `bands_end`: account_id, `band_end` (at the measured end).
    """
    parts = [motions.select("account_id", "cadence_days", "dedicated", band_start="band"),
             bands_end.select("account_id", "band_end")]
    if touched is not None:
        parts.append(touched)
    if value is not None:
        parts.append(value)
    out = join_on_account(accounts, *parts)
    required = ibis.greatest((ibis.literal(period_days) / out.cadence_days).floor(), 1).cast("int64")
    cadence_kept = ibis.coalesce(out.touches, 0) >= required if touched is not None else ibis.null("boolean")
    dedicated = ibis.coalesce(out.dedicated, False)
    return out.mutate(
        cadence_measured=dedicated & ibis.literal(touched is not None),
        cadence_kept=ibis.ifelse(dedicated, cadence_kept, ibis.null("boolean")),
        red_arr_start=ibis.ifelse(out.band_start == lowest_band, out.arr_start, 0.0),
        red_arr_end=ibis.ifelse(out.band_end == lowest_band, out.arr_end, 0.0),
    )


def activity_results(accounts: ir.Table, *, by: Sequence[str], value_columns: Sequence[str]) -> ir.Table:
    """Per book: cadence kept (share of measured dedicated accounts), red ARR start/end/change, value sums."""
    t = accounts
    out = t.group_by(list(by)).aggregate(
        _measured=t.cadence_measured.sum().cast("int64"),
        _kept=t.cadence_kept.sum().cast("int64"),
        red_arr_start=t.red_arr_start.sum(),
        red_arr_end=t.red_arr_end.sum(),
        **{c: t[c].sum() for c in value_columns},
    )
    return out.mutate(cadence_kept=ratio(out._kept, out._measured),
                      red_arr_change=out.red_arr_end - out.red_arr_start).drop("_measured", "_kept")


def cta_timeliness(ctas: pd.DataFrame, *, owner_of: pd.Series | None = None) -> pd.DataFrame:
    """Per owner: CTAs due in the period, closed on or before their due date, and the share.

    `ctas` has owner, due_date, closed_at (empty while open); `owner_of` maps a person to the
    book they count in (their manager, for team scorecards); without it the owner's own.
    """
    import pandas as pd

    frame = ctas.copy()
    closed = pd.to_datetime(frame["closed_at"]).dt.date
    frame["on_time"] = closed.notna() & (closed <= frame["due_date"])
    frame["book"] = frame["owner"].map(owner_of) if owner_of is not None else frame["owner"]
    out = frame.groupby("book", dropna=True).agg(ctas_due=("on_time", "size"), ctas_on_time=("on_time", "sum"))
    out["ctas_on_time_share"] = out["ctas_on_time"] / out["ctas_due"]
    return out.reset_index()
