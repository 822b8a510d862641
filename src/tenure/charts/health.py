"""Health charts: ARR per health band, and how much ARR moved from one band to another.

Bands keep their colour everywhere (green, yellow, red from `COLOURS`; any other band name
takes the primary colour), in the order the frame lists them — lowest band first, as
`tenure.yaml` orders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SHORT = ".3~s"


def band_colours(bands: list[str]) -> list[str]:
    return [COLOURS.get(band, COLOURS["primary"]) for band in bands]


def arr_by_band(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """ARR per health band, one bar each, labelled with its ARR.

    `frame` has `band` (in the order to draw) and `arr`.
    """
    import altair as alt

    bands = list(dict.fromkeys(frame["band"]))
    base = alt.Chart(chart_data(frame[["band", "arr"]])).encode(
        x=alt.X("band:N", sort=bands, title=None, axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=60).encode(
        y=alt.Y("arr:Q", title="ARR", axis=alt.Axis(format=SHORT)),
        color=alt.Color("band:N", sort=bands, legend=None, scale=alt.Scale(domain=bands, range=band_colours(bands))),
        tooltip=["band", alt.Tooltip("arr:Q", format=",.0f")])
    labels = base.mark_text(dy=-6, fontSize=11, color="#212529").encode(y="arr:Q", text=alt.Text("arr:Q", format=SHORT))
    return (bars + labels).properties(width=WIDTH, height=HEIGHT, title=title)


def band_movement(frame: pd.DataFrame, *, title: str = "") -> alt.LayerChart:
    """ARR by the band an account started in (rows) and the band it ended in (columns).

    `frame` has `from_band`, `to_band` and `arr`; the diagonal is ARR that stayed in its band.
    Band order follows the order of first appearance in `from_band`, then `to_band`.
    """
    import altair as alt

    bands = list(dict.fromkeys([*frame["from_band"], *frame["to_band"]]))
    data = chart_data(frame[["from_band", "to_band", "arr"]])
    side = min(WIDTH, 90 * len(bands))
    base = alt.Chart(data).encode(
        x=alt.X("to_band:N", sort=bands, title="band at the end", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("from_band:N", sort=bands, title="band at the start"))
    cells = base.mark_rect().encode(
        color=alt.Color("arr:Q", title=None, scale=alt.Scale(scheme="greys"), legend=None),
        tooltip=["from_band", "to_band", alt.Tooltip("arr:Q", format=",.0f")])
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("arr:Q", format=SHORT),
        color=alt.condition(f"datum.arr > {float(frame['arr'].max()) * 0.5}", alt.value("white"), alt.value("#212529")))
    return (cells + text).properties(width=side, height=min(HEIGHT, 60 * len(bands)), title=title)
