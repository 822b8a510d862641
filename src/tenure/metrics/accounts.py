"""The point-in-time account table: every registered metric for every paying account at a date.

This is what scorecards score, what history stores and what predictions learn from. A metric
whose input table is not loaded is empty ("no data"), never zero; an account with no rows in
a loaded table gets the metric's `absent` value (no tickets = 0 tickets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from tenure.metrics.adoption import AdoptionRules, adoption_metrics
from tenure.metrics.columns import join_on_account, ratio
from tenure.metrics.engagement import activity_metrics, contact_metrics
from tenure.metrics.registry import METRICS, Metric, value_metric
from tenure.metrics.renewals import next_renewals
from tenure.metrics.support import nps_metrics, ticket_metrics
from tenure.metrics.window import Day


@dataclass(frozen=True)
class ValueDriver:
    """One line of `value:` in tenure.yaml: each `event` is worth `per_event` `unit`."""

    name: str
    event: str
    per_event: float
    unit: str

    @property
    def metric(self) -> Metric:
        return value_metric(self.name, self.unit, self.event, self.per_event)


def registered(value: Sequence[ValueDriver] = ()) -> list[Metric]:
    """Every metric of the account table: the registry's and the configured value metrics."""
    return [*METRICS, *(driver.metric for driver in value)]


def account_metrics(tables: Mapping[str, ir.Table | None], lines: ir.Table, *, as_of: dt.date,
                    adoption: AdoptionRules | None = None, value: Sequence[ValueDriver] = (),
                    default_term_months: int = 12, first_uses: ir.Table | None = None) -> ir.Table:
    """One row per account paying at `as_of`: `account_id`, `customer_since` (first paid start),
    `renewal_date` and every metric.

    `tables` maps contract table names to loaded tables (missing ones absent or None); `lines`
    are the paying lines in base currency; `first_uses` may carry a precomputed `first_uses(events)`.
    Numeric metrics are float64, flags boolean.
    """
    day = Day(as_of)
    out = arr_on(lines, as_of)
    out = out.filter(out.arr > 0)
    paid = lines.filter(lines.mrr > 0)
    active = (paid.start_date <= as_of) & (paid.end_date.isnull() | (paid.end_date > as_of))
    customers = out.select("account_id")
    before = arr_on(lines, as_of - dt.timedelta(days=90)).rename(_arr_before="arr")
    renewals = next_renewals(lines, as_of=as_of, default_term_months=default_term_months)
    starts = paid.group_by("account_id").aggregate(customer_since=paid.start_date.min(),
                                                   seats=paid.quantity.sum(where=active))

    events = tables.get("events")
    families: dict[str, ir.Table | None] = {
        "events": adoption_metrics(events, tables.get("features"), lines, customers, as_of=as_of,
                                   rules=adoption, firsts=first_uses)
        if events is not None else None,
        "activities": _maybe(activity_metrics, tables.get("activities"), as_of),
        "contacts": _maybe(contact_metrics, tables.get("contacts"), as_of),
        "tickets": _maybe(ticket_metrics, tables.get("tickets"), as_of),
        "surveys": _maybe(nps_metrics, tables.get("surveys"), as_of),
        "value": _value(events, value, day) if events is not None and value else None,
    }
    out = join_on_account(out, starts, before, renewals.select("account_id", "renewal_date", "days_to_renewal"),
                          *(family for family in families.values() if family is not None))
    out = out.mutate(arr_change_90d=ratio(out.arr, out._arr_before) - 1)
    if families["events"] is not None:
        out = out.mutate(seat_utilisation=ratio(ibis.coalesce(out.active_users_30d, 0), out.seats))
    metrics = registered(value)
    columns = {}
    for m in metrics:
        if m.name not in out.columns:
            columns[m.name] = ibis.null("boolean" if m.boolean else "float64")
            continue
        column = out[m.name]
        if m.absent is not None and _loaded(m, tables):
            column = ibis.coalesce(column, m.absent)
        columns[m.name] = column.cast("boolean" if m.boolean else "float64")
    return out.select("account_id", "customer_since", "renewal_date", **columns)


def arr_on(lines: ir.Table, day: dt.date) -> ir.Table:
    """Each account's ARR on a day: 12 × the MRR of its lines with start ≤ day < end."""
    active = lines.filter((lines.start_date <= day) & (lines.end_date.isnull() | (lines.end_date > day)))
    return active.group_by("account_id").aggregate(arr=(active.mrr.sum() * 12).cast("float64"))


def _value(events: ir.Table, drivers: Sequence[ValueDriver], day: Day) -> ir.Table:
    """Value realised in the last 90 days per configured driver."""
    recent = events.filter((events.timestamp >= day.since(90)) & (events.timestamp < day.end))
    uses = ibis.coalesce(recent["count"], 1)
    return recent.group_by("account_id").aggregate(**{
        d.metric.name: uses.sum(where=recent.event == d.event).cast("float64") * d.per_event for d in drivers
    })


def _maybe(compute, table: ir.Table | None, as_of: dt.date) -> ir.Table | None:
    return compute(table, as_of=as_of) if table is not None else None


def _loaded(m: Metric, tables: Mapping[str, ir.Table | None]) -> bool:
    return tables.get(m.needs) is not None or m.needs == "subscriptions"
