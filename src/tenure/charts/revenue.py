"""Revenue charts: the ARR bridge waterfall, retention against target, churn, cohorts and the forecast.

Each function takes a small pandas frame (the columns its docstring names) and returns an
Altair chart; `tenure.charts.render` draws it to SVG or PNG. The board pack and the web app
call the same functions, so a figure looks the same wherever a director meets it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, HEIGHT, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

BRIDGE_STEPS = ("start", "new", "expansion", "reactivation", "contraction", "churn", "end")
SERIES_PALETTE = ("#1c7ed6", "#ae3ec9", "#f76707", "#0ca678", "#e64980", "#5c940d", "#364fc7", "#868e96")
SHORT = ".3~s"  # 12.3M, 450k: axis and bar labels


def arr_bridge(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """The ARR bridge as a waterfall: start and end as bars, each movement floating from the running total.

    The value axis starts a little below the lowest running total, not at zero, so that movements
    of a few percent of ARR stay visible; every bar is labelled with its amount.

    `frame` has `step` (start, new, expansion, reactivation, contraction, churn, end, in the
    order to draw) and `arr` (the level for start and end, the signed change for a movement).
    """
    import altair as alt

    data = frame[["step", "arr"]].copy()
    order = list(data["step"])
    running = 0.0
    lows, highs = [], []
    for step, value in zip(data["step"], data["arr"], strict=True):
        if step in ("start", "end"):
            lows.append(0.0)
            highs.append(float(value))
            running = float(value)
        else:
            lows.append(running)
            running += float(value)
            highs.append(running)
    # the axis starts below the lowest running total, not at zero: movements are a few percent of ARR
    levels = highs + [low for step, low in zip(order, lows, strict=True) if step not in ("start", "end")]
    span = max(max(levels) - min(levels), 0.05 * max(abs(v) for v in levels)) if levels else 0.0
    floor = max(0.0, min(levels) - span) if levels else 0.0
    lows = [floor if step in ("start", "end") else low for step, low in zip(order, lows, strict=True)]
    data["low"], data["high"] = lows, highs
    data["label_at"] = data[["low", "high"]].max(axis=1)
    colour = alt.Color("step:N", scale=alt.Scale(domain=order, range=[COLOURS.get(s, COLOURS["primary"])
                                                                       for s in order]), legend=None)
    base = alt.Chart(chart_data(data)).encode(x=alt.X("step:N", sort=order, title=None,
                                                       axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar(size=46).encode(
        y=alt.Y("low:Q", title="ARR", axis=alt.Axis(format=SHORT), scale=alt.Scale(zero=False)), y2="high:Q",
        color=colour,
        tooltip=["step", alt.Tooltip("arr:Q", format=",.0f")])
    labels = base.mark_text(dy=-6, fontSize=11, color="#212529").encode(
        y="label_at:Q", text=alt.Text("arr:Q", format=SHORT))
    return (bars + labels).properties(width=WIDTH, height=HEIGHT, title=title)


def rate_trend(frame: pd.DataFrame, *, rate: str = "GRR", title: str = "") -> alt.LayerChart:
    """A retention rate over periods, one line per series, against its target.

    `frame` has `period` (label, in time order), `series` (company, or a segment), `rate`
    (a fraction) and optionally `target` (a fraction). When every series shares one target it
    is drawn once as a grey dashed line; otherwise each series' target is dashed in its colour.
    """
    import altair as alt

    data = chart_data(frame)
    periods = list(dict.fromkeys(frame["period"]))
    series = list(dict.fromkeys(frame["series"]))
    colour = alt.Color("series:N", sort=series, title=None,
                       scale=alt.Scale(domain=series, range=list(SERIES_PALETTE[:len(series)])))
    x = alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("rate:Q", title=rate, axis=alt.Axis(format=".1%"), scale=alt.Scale(zero=False))
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=x, y=y, color=colour, tooltip=["period", "series", alt.Tooltip("rate:Q", format=".1%")])
    layers = [lines]
    if "target" in frame.columns and frame["target"].notna().any():
        shared = frame.groupby("period")["target"].nunique(dropna=True).max() <= 1
        targets = frame.dropna(subset=["target"])
        if shared:
            single = chart_data(targets.drop_duplicates("period").assign(series="target"))
            layers.append(alt.Chart(single).mark_line(strokeDash=[5, 4], color=COLOURS["target"]).encode(
                x=x, y=alt.Y("target:Q"), tooltip=["period", alt.Tooltip("target:Q", format=".1%")]))
        else:
            layers.append(alt.Chart(chart_data(targets)).mark_line(strokeDash=[5, 4], opacity=0.7).encode(
                x=x, y=alt.Y("target:Q"), color=colour))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=title)


def churn_comparison(frame: pd.DataFrame, *, title: str = "") -> alt.Chart:
    """Logo churn beside dollar churn per period: which is higher says whether small or large accounts leave.

    `frame` has `period` (in time order), `logo_churn` and `dollar_churn` (fractions).
    """
    import altair as alt

    periods = list(dict.fromkeys(frame["period"]))
    long = frame[["period", "logo_churn", "dollar_churn"]].melt("period", var_name="measure", value_name="churn")
    long["measure"] = long["measure"].map({"logo_churn": "logo churn", "dollar_churn": "dollar churn"})
    colour = alt.Color("measure:N", title=None, scale=alt.Scale(domain=["logo churn", "dollar churn"],
                                                                range=[COLOURS["primary"], COLOURS["churn"]]))
    return alt.Chart(chart_data(long)).mark_bar().encode(
        x=alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("measure:N", sort=["logo churn", "dollar churn"]),
        y=alt.Y("churn:Q", title="churn", axis=alt.Axis(format=".1%")),
        color=colour, tooltip=["period", "measure", alt.Tooltip("churn:Q", format=".1%")],
    ).properties(width=WIDTH, height=HEIGHT, title=title)


def cohort_heatmap(frame: pd.DataFrame, *, value: str = "revenue_retention", title: str = "") -> alt.LayerChart:
    """Retention of each start cohort by age: a cell per (cohort, age), darker where more is kept.

    `frame` has `cohort` (label, oldest first), `age` (periods since the cohort's own) and
    `value` (a fraction; revenue retention above 100% where expansion outgrew churn). Every
    cell carries its figure, so the colour needs no legend.
    """
    import altair as alt

    cohorts = list(dict.fromkeys(frame["cohort"]))
    data = chart_data(frame[["cohort", "age", value]].rename(columns={value: "retention"}))
    height = max(HEIGHT, 18 * len(cohorts))
    base = alt.Chart(data).encode(
        x=alt.X("age:O", title="periods since start", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("cohort:N", sort=cohorts, title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("retention:Q", legend=None, scale=alt.Scale(scheme="blues", domainMin=0.5, clamp=True)),
        tooltip=["cohort", "age", alt.Tooltip("retention:Q", format=".1%")])
    text = base.mark_text(fontSize=9).encode(
        text=alt.Text("retention:Q", format=".0%"),
        color=alt.condition("datum.retention > 0.85", alt.value("white"), alt.value("#212529")))
    return (cells + text).properties(width=WIDTH, height=height, title=title)


def forecast_band(frame: pd.DataFrame, *, rate: str = "GRR", title: str = "") -> alt.LayerChart:
    """A forecast rate per period with its 80% interval as a band, and its target when given.

    `frame` has `period` (in time order), `forecast`, `low`, `high` (fractions) and optionally
    `target` and `actual` (fractions; actual is drawn as points where it is known).
    """
    import altair as alt

    periods = list(dict.fromkeys(frame["period"]))
    data = chart_data(frame)
    x = alt.X("period:N", sort=periods, title=None, axis=alt.Axis(labelAngle=0))
    scale = alt.Scale(zero=False)
    band = alt.Chart(data).mark_area(opacity=0.25, color=COLOURS["primary"]).encode(
        x=x, y=alt.Y("low:Q", title=rate, axis=alt.Axis(format=".1%"), scale=scale), y2="high:Q")
    line = alt.Chart(data).mark_line(point=True, color=COLOURS["primary"]).encode(
        x=x, y="forecast:Q", tooltip=["period", alt.Tooltip("forecast:Q", format=".1%"),
                                      alt.Tooltip("low:Q", format=".1%"), alt.Tooltip("high:Q", format=".1%")])
    layers = [band, line]
    if "target" in frame.columns and frame["target"].notna().any():
        layers.append(alt.Chart(data).mark_line(strokeDash=[5, 4], color=COLOURS["target"]).encode(
            x=x, y="target:Q"))
    if "actual" in frame.columns and frame["actual"].notna().any():
        layers.append(alt.Chart(data).transform_filter("isValid(datum.actual)").mark_point(
            shape="diamond", filled=True, size=70, color=COLOURS["churn"]).encode(x=x, y="actual:Q"))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=title)
