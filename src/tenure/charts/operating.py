"""Operating-model charts: the CSMs a capacity plan needs quarter by quarter, the base beside a what-if."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

PLAN_COLOURS = {"base": COLOURS["start"], "what-if": COLOURS["primary"]}


def csms_needed(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """CSMs needed (bars) and the headcount the hiring plan reaches (dots) per quarter, for each plan.

    `frame` has `quarter` (in time order), `plan` (base, what-if), `csms_needed` and `headcount`:
    the company totals of each quarter. A gap between a bar and its dot is capacity the plan lacks
    (dot below) or carries spare (dot above).
    """
    import altair as alt

    quarters = list(dict.fromkeys(frame["quarter"]))
    plans = [p for p in PLAN_COLOURS if p in set(frame["plan"])]
    data = chart_data(frame[["quarter", "plan", "csms_needed", "headcount"]])
    x = alt.X("quarter:N", sort=quarters, title=None, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("plan:N", sort=plans)
    colour = alt.Color("plan:N", sort=plans, title=None,
                       scale=alt.Scale(domain=plans, range=[PLAN_COLOURS[p] for p in plans]))
    bars = alt.Chart(data).mark_bar(opacity=0.8).encode(
        x=x, xOffset=offset, y=alt.Y("csms_needed:Q", title="CSMs"), color=colour,
        tooltip=["quarter", "plan", alt.Tooltip("csms_needed:Q", format=",.1f", title="CSMs needed"),
                 alt.Tooltip("headcount:Q", format=",.1f")])
    dots = alt.Chart(data).mark_point(filled=True, size=60, color="#212529").encode(
        x=x, xOffset=offset, y="headcount:Q",
        tooltip=["quarter", "plan", alt.Tooltip("headcount:Q", format=",.1f")])
    return (bars + dots).properties(width=WIDTH, height=HEIGHT, title=title)
