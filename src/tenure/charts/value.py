"""Value charts: the value customers realised per segment, one bar chart per value driver."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SHORT = ".3~s"


def value_by_segment(frame: pd.DataFrame, *, unit: str, title: str = "") -> alt.LayerChart:
    """Horizontal bars of one driver's value per segment, largest first, labelled.

    `frame` has `segment` (in the order to draw) and `value`.
    """
    import altair as alt

    segments = list(dict.fromkeys(frame["segment"]))
    base = alt.Chart(chart_data(frame[["segment", "value"]])).encode(
        y=alt.Y("segment:N", sort=segments, title=None), x=alt.X("value:Q", title=unit, axis=alt.Axis(format=SHORT)))
    bars = base.mark_bar(color=COLOURS["new"]).encode(tooltip=["segment", alt.Tooltip("value:Q", format=",.0f")])
    labels = base.mark_text(align="left", dx=4, fontSize=11, color="#212529").encode(
        text=alt.Text("value:Q", format=SHORT))
    return (bars + labels).properties(width=WIDTH - 160, height=26 * max(len(segments), 2), title=title)
