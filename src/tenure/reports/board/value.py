"""Value delivered: what customers got out of the product in the period, in the units the value config names.

Each driver of `value:` in tenure.yaml values an event (`per_event` `unit` each: half an hour
saved per report, ten dollars per automated invoice). A driver's value in a period is the
events of that name from its first to its last day × per_event (`operating.scorecards.
value_delivered`, the same figure the CSM scorecards show), in total and per segment. Segments
are the accounts' segments at the period end; accounts no longer paying then are shown apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.operating.scorecards import value_delivered
from tenure.reports.board.prose import listing
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import count, percent
from tenure.views.book import book_at

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.metrics.accounts import ValueDriver
    from tenure.operating.periods import Period
    from tenure.reports.board.context import BoardContext

KEY = "value"
TITLE = "Value delivered to customers"
NOT_PAYING = "(not paying at the period end)"


def build(ctx: BoardContext) -> Section:
    ws = ctx.ws
    drivers = ws.config.value_drivers()
    if not drivers:
        return Section(KEY, TITLE, no_data="no value driver is configured (`value:` in tenure.yaml names the events "
                                           "that deliver value and what each is worth)")
    events = ws.warehouse.table("events")
    if events is None:
        return Section(KEY, TITLE, no_data="no product usage is loaded (the events table): value is counted from it")
    segments = book_at(ws, as_of=ctx.period.end, health=False).select("account_id", "segment").cache()
    now = ws.warehouse.execute(value_by_segment(events, drivers, segments, period=ctx.period))
    before = ws.warehouse.execute(value_by_segment(events, drivers, segments, period=ctx.prior))
    totals = total_table(drivers, now, before, ctx.period.label, ctx.prior.label)
    by_segment = segment_table(drivers, now)
    from tenure.charts.value import value_by_segment as chart

    charts = [Chart(f"{label_of(d)} by segment, {ctx.period.label} ({d.unit})",
                    chart(by_segment[["segment", f"value_{d.name}"]].rename(columns={f"value_{d.name}": "value"})
                          .sort_values("value", ascending=False), unit=d.unit))
              for d in drivers if not by_segment.empty]
    formats = {"value": "count", "prior_value": "count", "change": "percent"}
    segment_formats = {"accounts": "count", **{f"value_{d.name}": "count" for d in drivers},
                       **{f"share_{d.name}": "percent" for d in drivers}}
    return Section(KEY, TITLE, narrative=narrative(drivers, totals, by_segment, ctx.period.label, ctx.prior.label),
                   charts=charts,
                   tables=[Table("Value delivered, against the period before", totals, formats),
                           Table(f"Value delivered by segment, {ctx.period.label}", by_segment, segment_formats)])


def value_by_segment(events: ir.Table, drivers: Sequence[ValueDriver], segments: ir.Table, *,
                     period: Period) -> ir.Table:
    """Per segment: accounts that realised value in the period and each driver's total (`value_<name>`)."""
    per_account = value_delivered(events, drivers, start=period.start, end=period.end)
    joined = per_account.left_join(segments, "account_id")
    joined = joined.mutate(segment=ibis.coalesce(joined.segment, ibis.literal(NOT_PAYING)))
    return joined.group_by("segment").aggregate(
        accounts=joined.count(), **{f"value_{d.name}": joined[f"value_{d.name}"].sum() for d in drivers})


def total_table(drivers: Sequence[ValueDriver], now: pd.DataFrame, before: pd.DataFrame, label: str,
                prior: str) -> pd.DataFrame:
    rows = []
    for d in drivers:
        column = f"value_{d.name}"
        value, earlier = float(now[column].sum()), float(before[column].sum())
        rows.append({"driver": label_of(d), "counted_as": f"{d.per_event:g} {d.unit} per {d.event}", "period": label,
                     "value": value, "prior_period": prior, "prior_value": earlier,
                     "change": value / earlier - 1 if earlier else None})
    return pd.DataFrame(rows)


def segment_table(drivers: Sequence[ValueDriver], now: pd.DataFrame) -> pd.DataFrame:
    table = now.copy()
    for d in drivers:
        total = table[f"value_{d.name}"].sum()
        table[f"share_{d.name}"] = table[f"value_{d.name}"] / total if total else None
    first = f"value_{drivers[0].name}"
    columns = ["segment", "accounts", *(c for d in drivers for c in (f"value_{d.name}", f"share_{d.name}"))]
    return table.sort_values([first, "segment"], ascending=[False, True], ignore_index=True)[columns]


def narrative(drivers: Sequence[ValueDriver], totals: pd.DataFrame, by_segment: pd.DataFrame, period: str,
              prior: str) -> list[str]:
    paragraphs = []
    for d in drivers:
        row = totals[totals["driver"] == label_of(d)].iloc[0]
        now, before, change = row["value"], row["prior_value"], row["change"]
        text = f"{label_of(d)}: {count(now)} {d.unit} in {period} ({row['counted_as']})"
        if pd.isna(change):
            text += f", where {prior} had none."
        else:
            direction = "up" if change >= 0 else "down"
            text += f", {direction} {percent(abs(change))} on {prior} ({count(before)} {d.unit})."
        ranked = by_segment.sort_values(f"value_{d.name}", ascending=False).head(3)
        ranked = ranked[ranked[f"value_{d.name}"] > 0]
        if not ranked.empty:
            shares = [f"{r['segment']} ({count(r[f'value_{d.name}'])}, {percent(r[f'share_{d.name}'])})"
                      for _, r in ranked.iterrows()]
            text += f" By segment: {listing(shares)}."
        paragraphs.append(text)
    return paragraphs


def label_of(driver: ValueDriver) -> str:
    """'hours_saved' → 'Hours saved'."""
    return driver.name.replace("_", " ").capitalize()
