"""Rendering Altair charts to SVG with vl-convert: offline, no browser, no network.

The board pack, the account brief and the web app draw every chart through here, so a
chart looks the same in a PDF, an HTML report and a page. Dates are turned into ISO
strings before the data is embedded (vl-convert cannot serialise `datetime.date`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import altair as alt

FONT = "Liberation Sans, Helvetica, Arial, sans-serif"
WIDTH = 560
HEIGHT = 240
# one palette everywhere: movements and bands keep their colour from chart to chart
COLOURS = {"new": "#2b8a3e", "expansion": "#74b816", "reactivation": "#15aabf", "contraction": "#f59f00",
           "churn": "#e03131", "start": "#495057", "end": "#495057", "target": "#868e96",
           "green": "#2b8a3e", "yellow": "#f59f00", "red": "#e03131", "primary": "#1c7ed6"}


def chart_data(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe to embed in a Vega-Lite spec: dates and timestamps as ISO strings, NaN as null."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[column] = series.dt.strftime("%Y-%m-%d")
        elif series.dtype == object and series.map(lambda v: isinstance(v, dt.date)).any():
            out[column] = series.map(lambda v: v.isoformat() if isinstance(v, dt.date) else v)
    return out.astype(object).where(out.notna(), None)


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The house style: one font, quiet axes, no border."""
    return (chart.configure(font=FONT)
            .configure_view(strokeWidth=0)
            .configure_axis(labelFontSize=11, titleFontSize=11, gridColor="#e9ecef")
            .configure_legend(labelFontSize=11, titleFontSize=11))


def spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec with its data inline, however many rows (a cohort matrix can be long)."""
    import altair as alt

    with alt.data_transformers.enable("default", max_rows=None):
        return themed(chart).to_dict()


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (text kept as text, so pages and PDFs stay searchable)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(spec(chart))

