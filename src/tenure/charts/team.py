"""CS team charts: each segment's retention against its target, and the CTA workload period by period."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

CTA_COLOURS = {"opened": COLOURS["primary"], "closed": COLOURS["new"], "overdue at the end": COLOURS["churn"]}


def gaps_to_target(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """GRR and NRR against target per book, as bars of the gap in percentage points: above the line is ahead.

    `frame` has `book` (company or a segment, in the order to draw), `measure` (GRR, NRR) and
    `gap` (actual − target, a fraction). Retention rates sit within a few points of each other,
    so the gap shows what bars of the rates themselves would hide.
    """
    import altair as alt
    import pandas as pd

    books = list(dict.fromkeys(frame["book"]))
    measures = list(dict.fromkeys(frame["measure"]))
    data = chart_data(frame[["book", "measure"]].assign(gap_pp=frame["gap"] * 100))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("book:N", sort=books, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=measures),
        y=alt.Y("gap_pp:Q", title="against target (pp)", axis=alt.Axis(format="+.1f")),
        color=alt.Color("measure:N", sort=measures, title=None,
                        scale=alt.Scale(domain=measures, range=[COLOURS["primary"], COLOURS["expansion"]])),
        tooltip=["book", "measure", alt.Tooltip("gap_pp:Q", format="+.1f", title="pp")])
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#212529").encode(y="zero:Q")
    return (bars + zero).properties(width=WIDTH, height=HEIGHT, title=title)


def cta_workload(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """CTAs opened and closed in each period and overdue at its end, side by side.

    `frame` has `period` (in time order), `opened`, `closed` and `overdue` (counts).
    """
    import altair as alt

    periods = list(dict.fromkeys(frame["period"]))
    long = frame.rename(columns={"overdue": "overdue at the end"})[["period", *CTA_COLOURS]].melt(
        "period", var_name="ctas", value_name="count")
    names = list(CTA_COLOURS)
    return alt.Chart(chart_data(long)).mark_bar().encode(
        x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("ctas:N", sort=names),
        y=alt.Y("count:Q", title="CTAs"),
        color=alt.Color("ctas:N", sort=names, title=None,
                        scale=alt.Scale(domain=names, range=list(CTA_COLOURS.values()))),
        tooltip=["period", "ctas", "count"],
    ).properties(width=WIDTH // 2, height=HEIGHT, title=title)
