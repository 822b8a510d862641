"""The director dashboard's figures: the company's retention business on one page, the same numbers as the CLI.

Every figure comes from an existing view, with the same definitions as the board pack:

- the headline is `views.revenue.revenue_summary` at the app's date (ARR at the last closed
  month-end; GRR, NRR, logo and dollar churn over the configured trailing window, held to the
  yearly targets of tenure.yaml);
- each of the last eight closed quarters is measured on its starting book (GRR and NRR against
  the yearly targets compounded to a quarter by `operating.targets.period_target`, logo and
  dollar churn: `views.targets`' company row, as the board pack reports it), with the ARR at its
  end and the ARR bridge of the last one from the quarterly `revenue_summary`;
- cohorts are start quarters (`views.cohorts.cohort_table`), the twelve most recent;
- health bands and the ARR at risk (the lowest band) come from the stored snapshot
  (`views.health.band_summary`);
- the forecast is `views.predict.outlook` with the latest trained model (none before
  `tenure predict train`): GRR and NRR of today's book per quarter with 80% intervals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tenure.operating.periods import Period, period_containing
from tenure.operating.targets import period_target

if TYPE_CHECKING:
    from tenure.workspace import Workspace

QUARTERS = 8
COHORTS = 12
FORECAST_QUARTERS = 4
BRIDGE_STEPS = ("start", "new", "expansion", "reactivation", "contraction", "churn", "end")
NO_MODEL = "no model trained yet — run `tenure predict train`"


@dataclass
class Dashboard:
    """Company-wide figures at one date; the same for every user who may see them."""

    as_of: dt.date
    currency: str
    headline: dict  # arr, paying_accounts, grr, nrr, logo_churn, dollar_churn, quick_ratio, window_months, targets
    quarters: pd.DataFrame  # period, accounts_start, arr_start, arr_end, grr, grr_target, nrr, nrr_target,
    #                         logo_churn, dollar_churn
    bridge_period: str | None
    bridge: pd.DataFrame  # step, arr (start and end levels, signed movements)
    cohorts: pd.DataFrame  # cohort, age, cohort_accounts, cohort_arr, logo_retention, revenue_retention
    bands: pd.DataFrame | None  # band, accounts, arr, at_risk, account_share, arr_share (None: no stored health)
    at_risk_arr: float | None
    forecast: pd.DataFrame | None  # period, window, arr_start, grr, grr_low, grr_high, grr_target, nrr, ...
    model_version: int | None
    forecast_note: str | None


def dashboard(ws: Workspace, *, as_of: dt.date) -> Dashboard:
    """The company's figures at `as_of` (the module docstring defines each)."""
    from tenure.views.cohorts import cohort_table
    from tenure.views.revenue import revenue_summary

    summary = revenue_summary(ws, as_of=as_of)
    targets = summary.targets
    headline = {**summary.headline, "window_months": summary.window_months, "period_end": summary.period_end,
                "grr_target": targets["grr"], "nrr_target": targets["nrr"]}
    periods = closed_quarters(ws, as_of)
    quarterly = revenue_summary(ws, as_of=periods[-1].end, period="quarter", periods=QUARTERS).bridge
    quarters = quarter_results(ws, periods, as_of=as_of, bridge=quarterly, targets=targets)
    last = quarterly[quarterly["period"] == periods[-1].label]
    cohorts = cohort_table(ws, as_of=as_of, period="quarter")
    recent = list(dict.fromkeys(cohorts["cohort"]))[-COHORTS:]
    bands, at_risk = health_bands(ws, as_of)
    forecast, version, note = outlook_figures(ws, as_of, targets)
    return Dashboard(
        as_of=as_of, currency=ws.config.base_currency, headline=headline, quarters=quarters,
        bridge_period=periods[-1].label if not last.empty else None,
        bridge=waterfall(last.iloc[0]) if not last.empty else pd.DataFrame(columns=["step", "arr"]),
        cohorts=cohorts[cohorts["cohort"].isin(recent)].reset_index(drop=True),
        bands=bands, at_risk_arr=at_risk, forecast=forecast, model_version=version, forecast_note=note)


def closed_quarters(ws: Workspace, as_of: dt.date, count: int = QUARTERS) -> list[Period]:
    """The last `count` quarters that ended on or before `as_of`, oldest first (fiscal quarters when configured)."""
    fiscal = ws.config.fiscal_year_start_month
    quarter = period_containing(as_of, "quarter", fiscal_year_start_month=fiscal)
    if quarter.end > as_of:
        quarter = period_containing(quarter.start - dt.timedelta(days=1), "quarter", fiscal_year_start_month=fiscal)
    quarters = [quarter]
    while len(quarters) < count:
        quarters.insert(0, period_containing(quarters[0].start - dt.timedelta(days=1), "quarter",
                                             fiscal_year_start_month=fiscal))
    return quarters


def quarter_results(ws: Workspace, periods: list[Period], *, as_of: dt.date, bridge: pd.DataFrame,
                    targets: dict[str, float]) -> pd.DataFrame:
    """One row per quarter: its starting book's retention against target, churn, and the ARR at its end.

    A quarter's starting book is the accounts paying at the month-end before it; one retention
    query over three-month windows ending at each quarter's last month measures them all (the
    figures of `views.targets`' company row, which the board pack reports, in one pass).
    """
    from tenure.metrics import revenue
    from tenure.metrics.calendar import index_of
    from tenure.views.revenue import account_mrr

    ends = {index_of(p.end): p.label for p in periods}
    measured = ws.warehouse.execute(revenue.retention(account_mrr(ws, as_of=as_of), end_months=list(ends),
                                                      window_months=3))
    frame = pd.DataFrame({"period": [p.label for p in periods]})
    found = measured.assign(period=measured["month"].map(ends)).set_index("period")
    frame["accounts_start"] = frame["period"].map(found["accounts_start"]).astype("Int64")
    frame["arr_start"] = frame["period"].map(found["mrr_start"].astype(float) * 12)
    frame["arr_end"] = frame["period"].map(bridge.set_index("period")["arr_end"]).astype(float)
    for rate in ("grr", "nrr"):
        frame[rate] = frame["period"].map(found[rate])
        frame[f"{rate}_target"] = period_target(targets[rate], rate, 3)
    for rate in ("logo_churn", "dollar_churn"):
        frame[rate] = frame["period"].map(found[rate])
    return frame


def waterfall(row: pd.Series) -> pd.DataFrame:
    """The bridge's steps: start, each movement (signed, as the bridge holds it), end."""
    values = {"start": row["arr_start"], "end": row["arr_end"]}
    return pd.DataFrame({"step": list(BRIDGE_STEPS), "arr": [float(values.get(s, row.get(s, 0.0)))
                                                             for s in BRIDGE_STEPS]})


def health_bands(ws: Workspace, as_of: dt.date) -> tuple[pd.DataFrame | None, float | None]:
    """Accounts and ARR per band from the stored snapshot with their shares, and the ARR of the lowest band."""
    from tenure.views.health import band_summary

    bands = band_summary(ws, as_of=as_of)
    if bands is None or bands["accounts"].sum() == 0:
        return None, None
    bands = bands.assign(account_share=bands["accounts"] / bands["accounts"].sum(),
                         arr_share=bands["arr"] / bands["arr"].sum() if bands["arr"].sum() else None)
    return bands.reset_index(drop=True), float(bands.loc[bands["at_risk"], "arr"].sum())


def outlook_figures(ws: Workspace, as_of: dt.date,
                    targets: dict[str, float]) -> tuple[pd.DataFrame | None, int | None, str | None]:
    """GRR and NRR of today's book per coming quarter and over the year, with targets; or why there is none
    (no model yet, or the model cannot forecast this book: the rest of the dashboard still shows)."""
    from tenure.errors import TenureError
    from tenure.predict.store import versions
    from tenure.views.predict import outlook

    if not versions(ws):
        return None, None, NO_MODEL
    try:
        result = outlook(ws, as_of=as_of, quarters=FORECAST_QUARTERS)
    except TenureError as exc:
        return None, None, f"no forecast: {exc}"
    frame = result.forecast["all"].drop(columns="group").reset_index(drop=True)
    months = frame["window"].map({"quarter": 3, "total": 3 * FORECAST_QUARTERS})
    for rate in ("grr", "nrr"):
        frame[f"{rate}_target"] = [period_target(targets[rate], rate, m) for m in months]
    return frame, result.model_version, None
