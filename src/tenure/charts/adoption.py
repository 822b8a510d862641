"""Adoption charts: feature use against renewal outcome, time to value by start cohort, and an account's usage.

Each function takes a small pandas frame (the columns its docstring names) and returns an
Altair chart; `tenure.charts.render` draws it. The board pack, the account brief and the web
app call the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data
from tenure.charts.revenue import SERIES_PALETTE

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

OUTCOME_ORDER = ("churned", "contracted", "flat", "expanded")


def adoption_by_outcome(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """A heat map of feature use by renewal outcome: a cell per (feature, outcome), darker where more accounts used it.

    `frame` has `feature` (in the order to draw, top first), `outcome` (churned, contracted,
    flat, expanded) and `share` (a fraction; empty where no renewal had that outcome).
    """
    import altair as alt

    features = list(dict.fromkeys(frame["feature"]))
    outcomes = [o for o in OUTCOME_ORDER if o in set(frame["outcome"])]
    data = chart_data(frame[["feature", "outcome", "share"]])
    height = max(HEIGHT, 18 * len(features))
    base = alt.Chart(data).encode(
        x=alt.X("outcome:N", sort=outcomes, title="renewal outcome", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("feature:N", sort=features, title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", title="accounts using it", legend=alt.Legend(format=".0%"),
                        scale=alt.Scale(scheme="blues", domain=[0, 1])),
        tooltip=["feature", "outcome", alt.Tooltip("share:Q", format=".1%")])
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("share:Q", format=".0%"),
        color=alt.condition("datum.share > 0.6", alt.value("white"), alt.value("#212529")))
    return (cells + text).properties(width=min(WIDTH, 110 * len(outcomes)), height=height, title=title)


def time_to_value_by_cohort(frame: pd.DataFrame, *, target_days: float, title: str = "") -> alt.LayerChart:
    """Median days to first value per start cohort, one bar per segment, against the target (dashed).

    `frame` has `cohort` (label, oldest first), `segment` and `median_time_to_value_days`.
    """
    import altair as alt
    import pandas as pd

    cohorts = list(dict.fromkeys(frame["cohort"]))
    segments = sorted(set(frame["segment"]))
    data = chart_data(frame[["cohort", "segment", "median_time_to_value_days"]])
    x = alt.X("cohort:N", sort=cohorts, title="start cohort", axis=alt.Axis(labelAngle=0))
    bars = alt.Chart(data).mark_bar().encode(
        x=x, xOffset=alt.XOffset("segment:N", sort=segments),
        y=alt.Y("median_time_to_value_days:Q", title="median days to value"),
        color=alt.Color("segment:N", sort=segments, title=None,
                        scale=alt.Scale(domain=segments, range=list(SERIES_PALETTE[:len(segments)]))),
        tooltip=["cohort", "segment", alt.Tooltip("median_time_to_value_days:Q", format=",.0f")])
    target = alt.Chart(pd.DataFrame({"target": [float(target_days)]})).mark_rule(
        strokeDash=[5, 4], color=COLOURS["target"]).encode(y="target:Q")
    return (bars + target).properties(width=WIDTH, height=HEIGHT, title=title)


def weekly_usage(frame: pd.DataFrame, *, title: str = "", height: int = HEIGHT) -> alt.LayerChart:
    """An account's weekly usage: events as bars (left axis), active users as a line (right axis).

    `frame` has `week` (its first day), `events` and `active_users`.
    """
    import altair as alt

    data = chart_data(frame[["week", "events", "active_users"]])
    x = alt.X("week:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0))
    bars = alt.Chart(data).mark_bar(color="#a5d8ff").encode(
        x=x, y=alt.Y("events:Q", title="events a week", axis=alt.Axis(titleColor="#1971c2")),
        tooltip=[alt.Tooltip("week:T", format="%Y-%m-%d"), "events"])
    line = alt.Chart(data).mark_line(point=True, color=COLOURS["primary"]).encode(
        x=x, y=alt.Y("active_users:Q", title="active users", axis=alt.Axis(titleColor=COLOURS["primary"])),
        tooltip=[alt.Tooltip("week:T", format="%Y-%m-%d"), "active_users"])
    return alt.layer(bars, line).resolve_scale(y="independent").properties(width=WIDTH, height=height, title=title)
