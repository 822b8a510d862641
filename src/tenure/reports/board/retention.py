"""Retention: GRR and NRR over the last eight periods against target, by segment; logo against
dollar churn; and how each start cohort's revenue has held up.

Each period's figures are those of its starting book (views.targets, as the headline), so the
last point of every trend is the headline's figure. Logo churn is the share of the starting
book's accounts no longer paying at the period end, dollar churn the share of its starting ARR
they took with them. Cohorts are start quarters (views.cohorts): revenue retention at age k is
the cohort's ARR k quarters after its own over its starting ARR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tenure.charts.revenue import churn_comparison, cohort_heatmap, rate_trend
from tenure.reports.board.prose import listing
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import percent, points

if TYPE_CHECKING:
    from tenure.reports.board.context import BoardContext

TITLE = "Retention"
PERIODS = 8
COHORTS = 12  # the most recent start cohorts shown in the heat map
YEAR = 4  # a cohort's age in quarters after one year
COMPANY = "company"


def build(ctx: BoardContext) -> Section:
    from tenure.views.cohorts import cohort_table

    trend = company_trend(ctx)
    if trend["grr"].isna().all():
        return Section("retention", TITLE, no_data=f"no account was paying before {ctx.period.label}: "
                                                   "there is no starting book to retain")
    segments = segment_trend(ctx)
    cohorts = cohort_table(ctx.ws, as_of=ctx.period.end, period="quarter")
    recent = cohorts[cohorts["cohort"].isin(list(dict.fromkeys(cohorts["cohort"]))[-COHORTS:])]
    cohort_summary = summarise_cohorts(recent)
    charts = [Chart(f"GRR by {ctx.kind} against target", rate_trend(lines(trend, segments, "grr"), rate="GRR")),
              Chart(f"NRR by {ctx.kind} against target", rate_trend(lines(trend, segments, "nrr"), rate="NRR")),
              Chart("Logo churn and dollar churn of each starting book", churn_comparison(trend))]
    if not recent.empty:
        charts.append(Chart("Revenue retention of each start cohort (quarters since its start)",
                            cohort_heatmap(recent, value="revenue_retention")))
    rates = dict.fromkeys(("grr", "grr_target", "nrr", "nrr_target", "logo_churn", "dollar_churn"), "percent")
    tables = [Table("Company retention by period", trend, {**rates, "grr_gap": "points", "nrr_gap": "points"})]
    for rate, name in (("grr", "GRR"), ("nrr", "NRR")):
        wide = by_period(segments, rate)
        if not wide.empty:
            tables.append(Table(f"{name} by segment and period", wide,
                                {c: "percent" for c in wide.columns if c != "segment"}))
    if not cohort_summary.empty:
        tables.append(Table("Start cohorts: accounts, starting ARR and revenue kept", cohort_summary,
                            {"accounts": "count", "cohort_arr": "money", "after_one_year": "percent",
                             "latest": "percent", "logos_kept": "percent"}))
    narrative = [trend_sentence(trend), segment_sentence(ctx, segments), churn_sentence(ctx, trend),
                 cohort_sentence(cohort_summary)]
    return Section("retention", TITLE, narrative=[s for s in narrative if s], charts=charts, tables=tables)


def company_trend(ctx: BoardContext) -> pd.DataFrame:
    """One row per period: the company's GRR, NRR and their targets and gaps, logo and dollar churn."""
    rows = []
    for period in ctx.periods_back(PERIODS):
        results = ctx.results(period)
        company = results[results["level"] == "company"]
        if company.empty:
            rows.append({"period": period.label})
            continue
        r = company.iloc[0]
        rows.append({"period": period.label, "grr": r["grr"], "grr_target": r["grr_target"],
                     "grr_gap": r["grr_gap_pp"] / 100, "nrr": r["nrr"], "nrr_target": r["nrr_target"],
                     "nrr_gap": r["nrr_gap_pp"] / 100, "logo_churn": 1 - r["logo_retention"],
                     "dollar_churn": r["churned_arr"] / r["arr_start"] if r["arr_start"] else None})
    columns = ["period", "grr", "grr_target", "grr_gap", "nrr", "nrr_target", "nrr_gap", "logo_churn", "dollar_churn"]
    return pd.DataFrame(rows).reindex(columns=columns)


def segment_trend(ctx: BoardContext) -> pd.DataFrame:
    """One row per (period, segment): the segment's GRR and NRR and their targets."""
    parts = []
    for period in ctx.periods_back(PERIODS):
        results = ctx.results(period)
        rows = results[results["level"] == "segment"]
        parts.append(pd.DataFrame({"period": period.label, "series": rows["book"], "grr": rows["grr"],
                                   "grr_target": rows["grr_target"], "nrr": rows["nrr"],
                                   "nrr_target": rows["nrr_target"]}))
    return pd.concat(parts, ignore_index=True)


def lines(trend: pd.DataFrame, segments: pd.DataFrame, rate: str) -> pd.DataFrame:
    """The chart's frame: the company line, then each segment's, with their targets."""
    company = trend.assign(series=COMPANY)[["period", "series", rate, f"{rate}_target"]]
    both = pd.concat([company, segments[["period", "series", rate, f"{rate}_target"]]], ignore_index=True)
    return both.rename(columns={rate: "rate", f"{rate}_target": "target"}).dropna(subset=["rate"])


def by_period(segments: pd.DataFrame, rate: str) -> pd.DataFrame:
    """Segments as rows, periods as columns, the rate in each cell."""
    if segments.empty:
        return pd.DataFrame()
    periods = list(dict.fromkeys(segments["period"]))
    wide = segments.pivot(index="series", columns="period", values=rate).reindex(columns=periods)
    return wide.rename_axis(None, axis=1).rename_axis("segment").reset_index()


def summarise_cohorts(cohorts: pd.DataFrame) -> pd.DataFrame:
    """Per start cohort: size, starting ARR, revenue kept after one year (when it is that old) and now."""
    if cohorts.empty:
        return pd.DataFrame()
    latest = cohorts.sort_values("age").groupby("cohort", sort=False).tail(1).set_index("cohort")
    year = cohorts[cohorts["age"] == YEAR].set_index("cohort")["revenue_retention"]
    order = list(dict.fromkeys(cohorts["cohort"]))
    return pd.DataFrame({
        "cohort": order,
        "accounts": latest.loc[order, "cohort_accounts"].to_numpy(),
        "cohort_arr": latest.loc[order, "cohort_arr"].to_numpy(),
        "after_one_year": year.reindex(order).to_numpy(),
        "latest": latest.loc[order, "revenue_retention"].to_numpy(),
        "logos_kept": latest.loc[order, "logo_retention"].to_numpy(),
    })


def trend_sentence(trend: pd.DataFrame) -> str:
    known = trend.dropna(subset=["grr"])
    first, last = known.iloc[0], known.iloc[-1]
    text = (f"GRR was {percent(last['grr'])} in {last['period']} against a target of {percent(last['grr_target'])}, "
            f"from {percent(first['grr'])} in {first['period']}; NRR {percent(last['nrr'])} against "
            f"{percent(last['nrr_target'])}, from {percent(first['nrr'])}.")
    low = known.loc[known["grr"].idxmin()]
    if low["period"] != last["period"]:
        text += f" The weakest GRR of the span was {percent(low['grr'])} in {low['period']} " \
                f"({points(low['grr_gap'])} against target)."
    return text


def segment_sentence(ctx: BoardContext, segments: pd.DataFrame) -> str | None:
    now = segments[segments["period"] == ctx.period.label].dropna(subset=["grr"])
    if len(now) < 2:
        return None
    best, worst = now.loc[now["grr"].idxmax()], now.loc[now["grr"].idxmin()]
    growth = now.loc[now["nrr"].idxmax()]
    return (f"In {ctx.period.label} {best['series']} kept the most (GRR {percent(best['grr'])}) and "
            f"{worst['series']} the least ({percent(worst['grr'])}); NRR was highest in {growth['series']} "
            f"({percent(growth['nrr'])}).")


def churn_sentence(ctx: BoardContext, trend: pd.DataFrame) -> str | None:
    now = trend[trend["period"] == ctx.period.label].iloc[0]
    if pd.isna(now["logo_churn"]) or pd.isna(now["dollar_churn"]):
        return None
    if now["logo_churn"] > now["dollar_churn"]:
        reading = "the accounts lost were smaller than the average account"
    elif now["logo_churn"] < now["dollar_churn"]:
        reading = "the accounts lost were larger than the average account"
    else:
        reading = "the accounts lost were of average size"
    return (f"Logo churn was {percent(now['logo_churn'])} and dollar churn {percent(now['dollar_churn'])} in "
            f"{ctx.period.label}: {reading}.")


def cohort_sentence(summary: pd.DataFrame) -> str | None:
    aged = summary.dropna(subset=["after_one_year"])
    if aged.empty:
        return None
    best = aged.loc[aged["after_one_year"].idxmax()]
    worst = aged.loc[aged["after_one_year"].idxmin()]
    if best["cohort"] == worst["cohort"]:
        return f"The {best['cohort']} cohort kept {percent(best['after_one_year'])} of its revenue after one year."
    named = [f"{best['cohort']} kept the most ({percent(best['after_one_year'])})",
             f"{worst['cohort']} the least ({percent(worst['after_one_year'])})"]
    return f"Of the start cohorts a year old or more, {listing(named)} of their revenue after one year."
