"""Onboarding: how fast new customers reach first value, and how many finish onboarding, by start cohort and segment.

The figures are `tenure.views.adoption.onboarding_table` at the period's last day (accounts
paying then, grouped by the quarter, or for a monthly pack the month, of their first paid
start): the share that reached a key event, the median and 75th percentile days to it, and
the share of those whose onboarding period is over that reached every key event within it.
A cohort is slow when its median time to value is above `adoption.time_to_value_target_days`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import NotFound
from tenure.reports.board.prose import listing, plural
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import count, days, percent
from tenure.views.adoption import onboarding_table

if TYPE_CHECKING:
    from tenure.reports.board.context import BoardContext

KEY = "onboarding"
TITLE = "Onboarding: time to value and completion"
COHORTS = 6
# the view's columns the table shows, under names short enough for a page (the 75th percentile stays in the view)
SHOWN = {"cohort": "cohort", "segment": "segment", "accounts": "accounts", "reached_value": "reached_value",
         "median_time_to_value_days": "median_to_value", "target": "target", "slow_to_value": "slow",
         "onboarding_complete": "complete_in_time", "onboarding_in_progress": "onboarding"}
FORMATS = {"accounts": "count", "reached_value": "percent", "median_to_value": "days", "target": "days",
           "complete_in_time": "percent", "onboarding": "count"}


def build(ctx: BoardContext) -> Section:
    try:
        table = onboarding_table(ctx.ws, as_of=ctx.period.end, period="month" if ctx.period.months == 1 else "quarter")
    except NotFound as exc:
        return Section(KEY, TITLE, no_data=str(exc))
    if table.empty:
        return Section(KEY, TITLE, no_data=f"no account was paying on {ctx.period.end}")
    target = ctx.ws.config.adoption.time_to_value_target_days
    recent = sorted(set(table["cohort"]))[-COHORTS:]
    shown = table[table["cohort"].isin(recent)].reset_index(drop=True)
    shown["slow_to_value"] = shown["slow_to_value"].map({True: "slow", False: ""})
    shown["target"] = target
    from tenure.charts.adoption import time_to_value_by_cohort

    return Section(
        KEY, TITLE, narrative=narrative(shown, target),
        charts=[Chart(f"Median days from first paid start to first value, by start cohort (target {days(target)})",
                      time_to_value_by_cohort(shown.dropna(subset=["median_time_to_value_days"]),
                                              target_days=target))],
        tables=[Table(f"Onboarding by start cohort and segment (time-to-value target {days(target)})",
                      shown.rename(columns=SHOWN)[list(SHOWN.values())], FORMATS)],
    )


def narrative(table: pd.DataFrame, target: int) -> list[str]:
    """The newest cohort as it onboards (against the one before), then the newest cohort whose onboarding is over."""
    cohorts = sorted(set(table["cohort"]))
    latest = cohorts[-1]
    earlier = cohorts[-2] if len(cohorts) > 1 else None
    now = table[table["cohort"] == latest].sort_values(["accounts", "segment"], ascending=[False, True])
    parts = []
    for row in now.itertuples():
        text = f"{row.segment}: {plural(row.accounts, 'account')}"
        if row.onboarding_in_progress:
            text += f", {count(row.onboarding_in_progress)} still onboarding"
        text += f", {percent(row.reached_value)} reached first value"
        if pd.notna(row.median_time_to_value_days):
            text += f" in a median of {days(row.median_time_to_value_days)}"
        before = table[(table["cohort"] == earlier) & (table["segment"] == row.segment)]
        if not before.empty and pd.notna(before.iloc[0]["median_time_to_value_days"]):
            text += f" ({earlier}: {days(before.iloc[0]['median_time_to_value_days'])})"
        parts.append(text)
    paragraphs = [f"Customers who started in {latest}, by segment: {'; '.join(parts)}."]
    settled = table.groupby("cohort")["onboarding_in_progress"].sum()
    settled = [c for c in settled.index[settled == 0] if table.loc[table["cohort"] == c, "onboarding_complete"]
               .notna().any()]
    if settled:
        cohort = max(settled)
        rows = table[table["cohort"] == cohort].sort_values(["accounts", "segment"], ascending=[False, True])
        done = [f"{percent(r.onboarding_complete)} in {r.segment}" for r in rows.itertuples()
                if pd.notna(r.onboarding_complete)]
        medians = [f"{days(r.median_time_to_value_days)} in {r.segment}" for r in rows.itertuples()
                   if pd.notna(r.median_time_to_value_days)]
        text = (f"Of the {cohort} starts, all past onboarding (every key event reached, or the onboarding period "
                f"over), the share that reached every key event in time was {listing(done)}")
        text += f"; median time to value {listing(medians)}, against a target of {days(target)}." if medians else "."
        paragraphs.append(text)
    return paragraphs
