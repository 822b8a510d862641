"""Forecast: GRR and NRR of the book over the next four quarters with 80% intervals, and how the
forecast for the quarter just ended compared with what happened.

The outlook is views.predict's: the book at the pack's date scored by the latest stored model
and simulated forward (new logos are not forecast). The look back is predict.forecast's
backtest: a model trained only on what was known at the start of the last quarter of the
period, forecasting that quarter, beside the quarter's actual GRR and NRR of the same book.
Targets are the yearly ones compounded to a quarter (and whole for the four-quarter window).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from tenure.charts.revenue import forecast_band
from tenure.errors import TenureError
from tenure.metrics.calendar import index_of, month_end_of_index
from tenure.operating.periods import period_containing
from tenure.operating.targets import period_target
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import money, percent, points

if TYPE_CHECKING:
    from tenure.reports.board.context import BoardContext

TITLE = "Forecast"
QUARTERS = 4
RATES = ("grr", "nrr")


def build(ctx: BoardContext) -> Section:
    from tenure.predict import store
    from tenure.views.predict import outlook

    stored = store.latest(ctx.ws, required=False)
    if stored is None:
        return Section("forecast", TITLE, no_data="no renewal model is trained; `tenure predict train` trains one")
    result = outlook(ctx.ws, as_of=ctx.as_of, quarters=QUARTERS)
    ahead = with_targets(ctx, relabel(ctx, result.forecast["all"]))
    quarters = ahead[ahead["window"] == "quarter"]
    total = ahead[ahead["window"] == "total"].iloc[0]
    segments = segment_table(ctx, result.forecast.get("segment"))
    model = pd.DataFrame([{"model_version": stored.version, "trained_as_of": stored.metadata.get("as_of"),
                           "learned_from": " to ".join(stored.metadata.get("training_window", [])),
                           "forecast_from": ctx.as_of}])
    looked_back = look_back(ctx)
    rate_formats = {f"{r}{s}": "percent" for r in RATES for s in ("", "_low", "_high", "_target")}
    tables = [Table(f"GRR and NRR of the book after {ctx.as_of}, mean and 80% interval", ahead.drop(columns="window"),
                    {**rate_formats, "arr_start": "money", "expected_churn": "money"}),
              Table("The model behind the forecast", model, {"forecast_from": "date"})]
    if not segments.empty:
        tables.append(Table(f"By segment, over the {total['period']}", segments,
                            {**rate_formats, "arr_start": "money"}))
    if looked_back is not None:
        tables.append(Table("Last quarter: the forecast made at its start against what happened", looked_back,
                            {"forecast_made": "date", "forecast": "percent", "low": "percent", "high": "percent",
                             "actual": "percent", "miss": "points"}))
    charts = [Chart(f"{name} forecast per quarter: mean, 80% interval and target",
                    forecast_band(quarters.rename(columns={rate: "forecast", f"{rate}_low": "low",
                                                           f"{rate}_high": "high", f"{rate}_target": "target"}),
                                  rate=name))
              for rate, name in (("grr", "GRR"), ("nrr", "NRR"))]
    narrative = [total_sentence(total), quarter_sentence(quarters), segment_sentence(segments),
                 look_back_sentence(ctx, looked_back)]
    return Section("forecast", TITLE, narrative=[s for s in narrative if s], charts=charts, tables=tables)


def relabel(ctx: BoardContext, forecast: pd.DataFrame) -> pd.DataFrame:
    """Name each simulated three-month window by its quarter (2026Q4) when it is one."""
    fiscal = ctx.ws.config.fiscal_year_start_month
    labels = []
    for period, window in zip(forecast["period"], forecast["window"], strict=True):
        if window != "quarter":
            labels.append(period)
            continue
        first, last = (dt.date.fromisoformat(f"{part}-01") for part in period.split(".."))
        quarter = period_containing(first, "quarter", fiscal_year_start_month=fiscal)
        labels.append(quarter.label if quarter.start == first and quarter.end.replace(day=1) == last else period)
    return forecast.assign(period=labels)


def with_targets(ctx: BoardContext, forecast: pd.DataFrame) -> pd.DataFrame:
    """The forecast's columns a board reads, with each window's targets (quarterly or over the whole window)."""
    targets = ctx.ws.config.targets
    months = forecast["window"].map({"quarter": 3}).fillna(3 * QUARTERS)
    out = forecast.assign(**{f"{rate}_target": [period_target(getattr(targets, rate), rate, int(m)) for m in months]
                             for rate in RATES})
    return out[["period", "window", "arr_start", "expected_churn", "grr", "grr_low", "grr_high", "grr_target",
                "nrr", "nrr_low", "nrr_high", "nrr_target"]].reset_index(drop=True)


def segment_table(ctx: BoardContext, by_segment: pd.DataFrame | None) -> pd.DataFrame:
    """Each segment's forecast over the whole window against its own yearly targets, largest first."""
    from tenure.operating.targets import segment_target

    if by_segment is None or by_segment.empty:
        return pd.DataFrame()
    total = by_segment[by_segment["window"] == "total"].sort_values("arr_start", ascending=False)
    targets = ctx.ws.config.targets
    out = total.rename(columns={"group": "segment"}).assign(**{
        f"{rate}_target": [segment_target(targets, s, rate) for s in total["group"]] for rate in RATES})
    return out[["segment", "arr_start", "grr", "grr_low", "grr_high", "grr_target", "nrr", "nrr_low", "nrr_high",
                "nrr_target"]].reset_index(drop=True)


def look_back(ctx: BoardContext) -> pd.DataFrame | None:
    """The forecast made at the start of the period's last quarter for that quarter, and what happened;
    None when no model could have been trained then (too little history with known outcomes)."""
    from tenure.predict.dataset import training_cutoffs, training_rows
    from tenure.predict.forecast import forecast_backtest

    settings = ctx.ws.config.predict
    lag = settings.horizon_days + settings.grace_days
    cutoff = month_end_of_index(index_of(ctx.period.end) - 3)
    try:
        rows = training_rows(ctx.ws, [*training_cutoffs(ctx.ws, cutoff), cutoff])
    except TenureError:
        return None
    if rows.empty:
        return None
    result = forecast_backtest(rows, [pd.Timestamp(cutoff)], horizon_days=lag,
                               training_months=settings.training_months)
    if result.empty:
        return None
    r = result.iloc[0]
    quarter = period_containing(cutoff + dt.timedelta(days=1), "quarter",
                                fiscal_year_start_month=ctx.ws.config.fiscal_year_start_month)
    return pd.DataFrame([{"quarter": quarter.label, "forecast_made": cutoff, "rate": name,
                          "forecast": r[f"{rate}_forecast"], "low": r[f"{rate}_low"], "high": r[f"{rate}_high"],
                          "actual": r[f"{rate}_actual"], "miss": r[f"{rate}_actual"] - r[f"{rate}_forecast"],
                          "inside_interval": "yes" if r[f"{rate}_covered"] else "no"}
                         for rate, name in (("grr", "GRR"), ("nrr", "NRR"))])


def total_sentence(total: pd.Series) -> str:
    return (f"Over the {total['period']} the model forecasts GRR of {percent(total['grr'])} (80% interval "
            f"{percent(total['grr_low'])} to {percent(total['grr_high'])}) against the target of "
            f"{percent(total['grr_target'])}, and NRR of {percent(total['nrr'])} ({percent(total['nrr_low'])} to "
            f"{percent(total['nrr_high'])}) against {percent(total['nrr_target'])}; it expects "
            f"{money(total['expected_churn'])} of the book's ARR to churn.")


def quarter_sentence(quarters: pd.DataFrame) -> str | None:
    if quarters.empty:
        return None
    weakest = quarters.loc[quarters["grr"].idxmin()]
    return (f"The weakest quarter is {weakest['period']}, with GRR of {percent(weakest['grr'])} "
            f"({percent(weakest['grr_low'])} to {percent(weakest['grr_high'])}) against "
            f"{percent(weakest['grr_target'])}.")


def segment_sentence(segments: pd.DataFrame) -> str | None:
    if len(segments) < 2:
        return None
    low = segments.loc[segments["grr"].idxmin()]
    return (f"By segment, {low['segment']} has the lowest forecast GRR ({percent(low['grr'])} against its target "
            f"of {percent(low['grr_target'])}).")


def look_back_sentence(ctx: BoardContext, looked_back: pd.DataFrame | None) -> str:
    if looked_back is None:
        return (f"No forecast could have been made at the start of the last quarter of {ctx.period.label}: "
                "too little history with known outcomes came before it.")
    parts = [f"{r['rate']} {percent(r['forecast'])} ({percent(r['low'])} to {percent(r['high'])}) against an actual "
             f"{percent(r['actual'])} ({points(r['miss'])}, {'inside' if r['inside_interval'] == 'yes' else 'outside'} "
             f"the interval)" for _, r in looked_back.iterrows()]
    first = looked_back.iloc[0]
    return f"The forecast made on {first['forecast_made'].isoformat()} for {first['quarter']} was {'; '.join(parts)}."
