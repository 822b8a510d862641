"""Renewal charts: the ARR up for renewal each month beside what the model expects to renew."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SERIES = {"ARR up for renewal": ("arr", COLOURS["start"]),
          "expected renewed (model)": ("expected_renewed_arr", COLOURS["primary"])}


def renewals_by_month(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Per month, the ARR renewing and the model's expected renewed ARR side by side.

    `frame` has `month` (YYYY-MM, in time order), `arr` and `expected_renewed_arr` (empty where the
    model scored none of the month's renewals: that bar is left out rather than drawn at zero).
    """
    import altair as alt

    months = list(dict.fromkeys(frame["month"]))
    columns = {column: name for name, (column, _colour) in SERIES.items()}
    long = frame[["month", *columns]].rename(columns=columns).melt("month", var_name="series", value_name="value")
    long = long[long["value"].notna()]
    names = [name for name in SERIES if name in set(long["series"])]
    colours = [SERIES[name][1] for name in names]
    return alt.Chart(chart_data(long)).mark_bar().encode(
        x=alt.X("month:N", sort=months, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("series:N", sort=names),
        y=alt.Y("value:Q", title="ARR", axis=alt.Axis(format=".3~s")),
        color=alt.Color("series:N", sort=names, title=None,
                        scale=alt.Scale(domain=names, range=colours)),
        tooltip=["month", "series", alt.Tooltip("value:Q", format=",.0f")],
    ).properties(width=WIDTH, height=HEIGHT, title=title)
