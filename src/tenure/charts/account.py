"""One account's charts: its ARR month by month, and its health score over time against the bands.

Each function takes a small pandas frame (the columns its docstring names) and returns an Altair
chart in the house style of `tenure.charts.render`; the account page and an account brief can share them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SHORT = ".3~s"
HEIGHT = 180


def arr_history(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """ARR at each month-end as a stepped area, so a renewal's change shows where it happened.

    `frame` has `month_end` (a date) and `arr`.
    """
    import altair as alt

    base = alt.Chart(chart_data(frame[["month_end", "arr"]])).encode(
        x=alt.X("month_end:T", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)))
    area = base.mark_area(interpolate="step-after", opacity=0.25, color=COLOURS["primary"]).encode(
        y=alt.Y("arr:Q", title="ARR", axis=alt.Axis(format=SHORT)))
    line = base.mark_line(interpolate="step-after", point=True, color=COLOURS["primary"]).encode(
        y="arr:Q", tooltip=[alt.Tooltip("month_end:T", title="month end", format="%Y-%m-%d"),
                            alt.Tooltip("arr:Q", title="ARR", format=",.0f")])
    return (area + line).properties(width=WIDTH, height=HEIGHT, title=title)


def health_trend(frame: pd.DataFrame, bands: dict[str, tuple[float, float]], *, title: str = "") -> alt.LayerChart:
    """The health score at each stored date over the bands it moved through (shaded in the band's colour).

    `frame` has `as_of` (a date) and `score` (0–100); `bands` maps a band to its [low, high) range.
    """
    import altair as alt
    import pandas as pd

    ranges = pd.DataFrame([{"band": b, "low": float(low), "high": float(high)} for b, (low, high) in bands.items()])
    names = list(ranges["band"])
    shades = alt.Chart(ranges).mark_rect(opacity=0.12).encode(
        y=alt.Y("low:Q", scale=alt.Scale(domain=[0, 100]), title="health score"), y2="high:Q",
        color=alt.Color("band:N", legend=None, scale=alt.Scale(
            domain=names, range=[COLOURS.get(b, COLOURS["primary"]) for b in names])))
    line = alt.Chart(chart_data(frame[["as_of", "score"]])).mark_line(point=True, color="#212529").encode(
        x=alt.X("as_of:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)), y="score:Q",
        tooltip=[alt.Tooltip("as_of:T", title="date", format="%Y-%m-%d"), alt.Tooltip("score:Q", format=".1f")])
    return alt.layer(shades, line).properties(width=WIDTH, height=HEIGHT, title=title)
