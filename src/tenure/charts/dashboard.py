"""Director dashboard charts the revenue and health modules do not draw: ARR at each period end, accounts per band.

Each function takes a small pandas frame (the columns its docstring names) and returns an Altair
chart in the house style of `tenure.charts.render`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.health import band_colours
from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SHORT = ".3~s"


def arr_by_period(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """ARR at the end of each period, one bar each, labelled with its amount.

    `frame` has `period` (label, in time order) and `arr_end`.
    """
    import altair as alt

    periods = list(dict.fromkeys(frame["period"]))
    base = alt.Chart(chart_data(frame[["period", "arr_end"]])).encode(
        x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=34, color=COLOURS["primary"]).encode(
        y=alt.Y("arr_end:Q", title="ARR", axis=alt.Axis(format=SHORT)),
        tooltip=["period", alt.Tooltip("arr_end:Q", title="ARR", format=",.0f")])
    labels = base.mark_text(dy=-6, fontSize=10, color="#212529").encode(
        y="arr_end:Q", text=alt.Text("arr_end:Q", format=SHORT))
    return (bars + labels).properties(width=WIDTH, height=HEIGHT, title=title)


def accounts_by_band(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """How many accounts sit in each health band, one bar each, labelled with the count.

    `frame` has `band` (in the order to draw, lowest band first) and `accounts`.
    """
    import altair as alt

    bands = list(dict.fromkeys(frame["band"]))
    base = alt.Chart(chart_data(frame[["band", "accounts"]])).encode(
        x=alt.X("band:N", sort=bands, title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=60).encode(
        y=alt.Y("accounts:Q", title="accounts"),
        color=alt.Color("band:N", sort=bands, legend=None, scale=alt.Scale(domain=bands, range=band_colours(bands))),
        tooltip=["band", "accounts"])
    labels = base.mark_text(dy=-6, fontSize=11, color="#212529").encode(y="accounts:Q", text="accounts:Q")
    return (bars + labels).properties(width=WIDTH // 2, height=HEIGHT, title=title)
