"""Churn reasons and feature gaps ranked by ARR: what the product team should hear from the board pack.

The figures are `tenure.reports.gaps` over the period (its months, to the period's last day),
beside the same for the period before: lost ARR is the churn and contraction movements of the
period; reasons and their ARR are what exit interviews and CSMs recorded; a feature request
ranks by the ARR lost and at risk among the accounts that asked for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tenure.reports.board.prose import listing, plural
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import money, percent
from tenure.reports.gaps import Gaps, gaps

if TYPE_CHECKING:
    from tenure.operating.periods import Period
    from tenure.reports.board.context import BoardContext

KEY = "gaps"
TITLE = "Churn reasons and feature gaps, ranked by ARR"
TOP = 8
MENTIONED = 3


def build(ctx: BoardContext) -> Section:
    if ctx.store is None:
        return Section(KEY, TITLE, no_data="no workflow store: churn reasons and feature requests are recorded there")
    with ctx.store.session() as session:
        now = gaps(ctx.ws, session, as_of=ctx.period.end, months=ctx.period.months)
        before = gaps(ctx.ws, session, as_of=ctx.prior.end, months=ctx.prior.months)
    if now.reasons.empty and now.features.empty and not now.lost_arr:
        return Section(KEY, TITLE, no_data=f"no ARR was lost and no churn reason or feature request is recorded "
                                           f"for {ctx.period.label}")
    summary = summary_table([(ctx.period, now), (ctx.prior, before)])
    reasons = reason_table(now)
    features = feature_table(now)
    from tenure.charts.gaps import ranked_arr

    charts = []
    if not reasons.empty:
        charts.append(Chart(f"ARR lost by churn reason, {ctx.period.label}",
                            ranked_arr(reasons, label="reason", parts={"arr_lost": "ARR lost"})))
    if not features.empty:
        charts.append(Chart("Feature requests by the ARR of the accounts that asked",
                            ranked_arr(features, label="feature",
                                       parts={"arr_lost": "ARR lost", "arr_at_risk": "ARR at risk",
                                              "pipeline": "open pipeline"})))
    tables = [Table("ARR lost and why", summary,
                    {"arr_lost": "money", "arr_with_reason": "money", "voluntary_share": "percent",
                     "interviewed_share": "percent"})]
    if not reasons.empty:
        tables.append(Table(f"Churn reasons, {ctx.period.label}", reasons,
                            {"records": "count", "arr_lost": "money", "share": "percent"}))
    if not features.empty:
        tables.append(Table("Feature gaps", features, {"accounts": "count", "arr_lost": "money",
                                                       "arr_at_risk": "money", "pipeline": "money"}))
    return Section(KEY, TITLE, narrative=narrative(summary, reasons, features), charts=charts, tables=tables)


def summary_table(periods: list[tuple[Period, Gaps]]) -> pd.DataFrame:
    """Per period: ARR lost, the ARR whose reason is recorded, its voluntary share, the interviewed share."""
    rows = []
    for period, result in periods:
        recorded = float(result.reasons["arr_lost"].sum())
        voluntary = float(result.reasons.loc[result.reasons["voluntary"].astype(bool), "arr_lost"].sum())
        rows.append({"period": period.label, "arr_lost": result.lost_arr, "arr_with_reason": recorded,
                     "voluntary_share": voluntary / recorded if recorded else None,
                     "interviewed_share": result.interviewed_arr / result.lost_arr if result.lost_arr else None})
    return pd.DataFrame(rows)


def reason_table(result: Gaps) -> pd.DataFrame:
    reasons = result.reasons.head(TOP).copy()
    total = float(result.reasons["arr_lost"].sum())
    reasons["share"] = reasons["arr_lost"] / total if total else None
    reasons["voluntary"] = reasons["voluntary"].map({True: "voluntary", False: "involuntary"})
    return reasons[["reason", "voluntary", "records", "arr_lost", "share", "competitors"]]


def feature_table(result: Gaps) -> pd.DataFrame:
    features = result.features.head(TOP).rename(columns={"title": "feature"})
    return features[["feature", "status", "accounts", "arr_lost", "arr_at_risk", "pipeline"]].reset_index(drop=True)


def narrative(summary: pd.DataFrame, reasons: pd.DataFrame, features: pd.DataFrame) -> list[str]:
    now, before = summary.iloc[0], summary.iloc[1]
    lost = (f"{money(now['arr_lost'])} of ARR was lost to churn and contraction in {now['period']}, against "
            f"{money(before['arr_lost'])} in {before['period']}.")
    if reasons.empty:
        lost += " No churn reason was recorded for it: run the exit interviews to learn why."
    else:
        top = [f"{r.reason} ({money(r.arr_lost)}, {percent(r.share)})" for r in reasons.head(MENTIONED).itertuples()]
        lost += (f" Reasons are recorded for {money(now['arr_with_reason'])}, "
                 f"{percent(now['voluntary_share'])} of it voluntary; the largest are {listing(top)}.")
        if pd.notna(now["interviewed_share"]) and now["interviewed_share"] > 0:
            lost += f" {percent(now['interviewed_share'])} of the lost ARR was heard in an exit interview."
        elif pd.notna(now["interviewed_share"]):
            lost += " None of it was heard in an exit interview: these are the CSMs' reasons, not the customers'."
    paragraphs = [lost]
    if not features.empty:
        ranked = [f"{f.feature} ({_behind(f)})" for f in features.head(MENTIONED).itertuples()]
        paragraphs.append(f"The feature gaps with the most ARR behind them are {listing(ranked)}.")
    return paragraphs


def _behind(feature) -> str:
    """'85.8K lost, 12.0K at risk and 81.1K in open pipeline across 10 accounts': the ARR parts that are not zero."""
    parts = [f"{money(value)} {what}" for value, what in ((feature.arr_lost, "lost"), (feature.arr_at_risk, "at risk"),
                                                          (feature.pipeline, "in open pipeline")) if value > 0]
    return f"{listing(parts)} across {plural(feature.accounts, 'account')}" if parts else \
        f"asked by {plural(feature.accounts, 'account')}"
