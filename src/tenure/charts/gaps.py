"""Product-gap charts: churn reasons and feature requests ranked by the ARR behind them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tenure.charts.render import COLOURS, WIDTH, chart_data

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

SHORT = ".3~s"
ROW_HEIGHT = 22


def ranked_arr(frame: pd.DataFrame, *, label: str, parts: dict[str, str], title: str = "") -> alt.Chart:
    """Horizontal bars, largest first, each split into the ARR `parts` (column → legend name).

    `frame` has the `label` column (in rank order, top first) and one column per part (ARR).
    Parts keep the palette's meaning: lost ARR is churn red, ARR at risk amber.
    """
    import altair as alt

    names = list(parts.values())
    long = frame[[label, *parts]].melt(label, var_name="part", value_name="arr")
    long["part"] = long["part"].map(parts)
    long = long[long["arr"] > 0]
    colours = [COLOURS["churn"], COLOURS["contraction"], COLOURS["primary"]][:len(names)]
    order = list(dict.fromkeys(frame[label]))
    return alt.Chart(chart_data(long)).mark_bar().encode(
        y=alt.Y(f"{label}:N", sort=order, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("arr:Q", title="ARR", axis=alt.Axis(format=SHORT), stack="zero"),
        color=alt.Color("part:N", title=None, sort=names, scale=alt.Scale(domain=names, range=colours),
                        legend=alt.Legend(orient="bottom") if len(names) > 1 else None),
        order=alt.Order("part_order:Q"),
        tooltip=[label, "part", alt.Tooltip("arr:Q", format=",.0f")],
    ).transform_calculate(part_order=f"indexof({names!r}, datum.part)").properties(
        width=WIDTH - 200, height=ROW_HEIGHT * max(len(order), 2), title=title)
