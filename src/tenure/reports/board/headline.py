"""Headline: ARR, GRR, NRR and logo churn for the period, against target, the prior period and a year ago.

The period's GRR and NRR are those of its starting book (views.targets: the accounts paying
the day before the period, their ARR at its end over their ARR at its start), held to the
yearly targets compounded to the period; the trailing figures are the configured retention
window (12 months by default) ending with the period, held to the yearly targets. ARR is the
total at the period's last month-end, new accounts included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from tenure.metrics import revenue
from tenure.metrics.calendar import index_of
from tenure.operating.targets import period_target
from tenure.reports.board.prose import gain_or_loss, listing, up_or_down
from tenure.reports.board.section import Section, Table
from tenure.reports.figures import count, money, percent, points

if TYPE_CHECKING:
    from tenure.operating.periods import Period
    from tenure.reports.board.context import BoardContext

TITLE = "Headline"


def build(ctx: BoardContext) -> Section:
    compared = [(ctx.period, "reported"), (ctx.prior, "prior period"), (ctx.year_ago, "a year earlier")]
    arr, trailing = month_end_figures(ctx, compared)
    if not arr["paying_accounts"].iloc[0]:
        return Section("headline", TITLE, no_data=f"no account was paying at the end of {ctx.period.label}")
    quarter = period_table(ctx, compared)
    segments = segment_table(ctx)
    tables = [Table(f"ARR at the end of each period ({ctx.currency})", arr,
                    {"arr": "money", "paying_accounts": "count", "net_new_arr": "money",
                     f"growth_to_{ctx.period.label}": "percent"}),
              Table("Retention of each period's starting book against target", quarter,
                    {"accounts_start": "count", "accounts_lost": "count", "logo_churn": "percent", "grr": "percent",
                     "grr_target": "percent", "grr_gap": "points", "nrr": "percent", "nrr_target": "percent",
                     "nrr_gap": "points"}),
              Table("Trailing retention against the yearly targets", trailing,
                    {"window_months": "count", "grr": "percent", "grr_target": "percent", "grr_gap": "points",
                     "nrr": "percent", "nrr_target": "percent", "nrr_gap": "points"})]
    if not segments.empty:
        tables.append(Table(f"By segment, {ctx.period.label}", segments,
                            {"arr_start": "money", "grr": "percent", "grr_target": "percent", "grr_gap": "points",
                             "nrr": "percent", "nrr_target": "percent", "nrr_gap": "points"}))
    narrative = [arr_sentence(ctx, arr), *rate_sentences(ctx, quarter), trailing_sentence(trailing),
                 *segment_sentences(segments)]
    return Section("headline", TITLE, narrative=[s for s in narrative if s], tables=tables)


def month_end_figures(ctx: BoardContext, compared: list[tuple[Period, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per compared period: ARR and paying accounts at its end, net new ARR over it and growth since; and
    the trailing retention window ending with it against the yearly targets (two queries in all)."""
    from tenure.views.revenue import account_mrr

    ws = ctx.ws
    window = ws.config.revenue.retention_window_months
    mrr = account_mrr(ws, as_of=ctx.period.end)
    ends = [index_of(p.end) for p, _ in compared]
    starts = [index_of(p.book_date) for p, _ in compared]
    snapshots = mrr.filter(mrr.month.isin(ends + starts)).group_by("month").aggregate(
        arr=(mrr.mrr.sum() * 12).cast("float64"), paying_accounts=mrr.account_id.nunique())
    sizes = ws.warehouse.execute(snapshots).set_index("month")
    rates = ws.warehouse.execute(revenue.retention(mrr, end_months=ends, window_months=window)).set_index("month")
    labels = {"period": [p.label for p, _ in compared], "compared": [role for _, role in compared]}
    arr = pd.DataFrame({**labels,
                        "arr": [float(sizes["arr"].get(end, 0.0)) for end in ends],
                        "paying_accounts": [int(sizes["paying_accounts"].get(end, 0)) for end in ends],
                        "net_new_arr": [float(sizes["arr"].get(end, 0.0) - sizes["arr"].get(start, 0.0))
                                        for end, start in zip(ends, starts, strict=True)]})
    now = arr["arr"].iloc[0]
    arr[f"growth_to_{ctx.period.label}"] = [None if i == 0 or not then else now / then - 1
                                            for i, then in enumerate(arr["arr"])]
    trailing = pd.DataFrame({**labels, "window_months": window})
    targets = ws.config.targets
    for rate in ("grr", "nrr"):
        target = period_target(getattr(targets, rate), rate, window)
        trailing[rate] = rates[rate].reindex(ends).to_numpy() if len(rates) else None
        trailing[f"{rate}_target"] = target
        trailing[f"{rate}_gap"] = trailing[rate] - target
    return arr, trailing


def period_table(ctx: BoardContext, compared: list[tuple[Period, str]]) -> pd.DataFrame:
    """One row per compared period: the company's book results against the period's targets."""
    rows = []
    for period, _role in compared:
        results = ctx.results(period)
        company = results[results["level"] == "company"]
        row = {"period": period.label}
        if company.empty or not company["accounts_start"].iloc[0]:  # no book: nobody was paying before it
            rows.append(row)
            continue
        values = company.iloc[0]
        row |= {"accounts_start": values["accounts_start"],
                "accounts_lost": values["accounts_start"] - round(values["logo_retention"] * values["accounts_start"]),
                "logo_churn": 1 - values["logo_retention"], **against_target(values)}
        rows.append(row)
    columns = ["period", "accounts_start", "accounts_lost", "logo_churn", "grr", "grr_target", "grr_gap",
               "nrr", "nrr_target", "nrr_gap"]
    return pd.DataFrame(rows).reindex(columns=columns)


def segment_table(ctx: BoardContext) -> pd.DataFrame:
    """Each segment's book results in the reported period against its own targets, largest book first."""
    results = ctx.results(ctx.period)
    segments = results[results["level"] == "segment"]
    return pd.DataFrame({"segment": segments["book"], "arr_start": segments["arr_start"],
                         **against_target(segments)}).reset_index(drop=True)


def against_target(results: pd.Series | pd.DataFrame) -> dict:
    """GRR and NRR with their targets and gaps (fractions) from `views.targets` rows (a row or a frame)."""
    return {column: results[source] / scale for rate in ("grr", "nrr")
            for column, source, scale in ((rate, rate, 1), (f"{rate}_target", f"{rate}_target", 1),
                                          (f"{rate}_gap", f"{rate}_gap_pp", 100))}


def arr_sentence(ctx: BoardContext, arr: pd.DataFrame) -> str:
    now = arr.iloc[0]
    text = (f"ARR closed {ctx.period.label} at {money(now['arr'])} across "
            f"{count(now['paying_accounts'])} paying accounts, a net {_change(now['net_new_arr'])} "
            f"over the period.")
    growth = arr[f"growth_to_{ctx.period.label}"]
    comparisons = [f"{up_or_down(growth.iloc[i])} {percent(abs(growth.iloc[i]))} on {arr['period'].iloc[i]} "
                   f"({money(arr['arr'].iloc[i])})" for i in (1, 2) if pd.notna(growth.iloc[i])]
    if comparisons:
        text += f" That is {listing(comparisons)}."
    return text


def rate_sentences(ctx: BoardContext, table: pd.DataFrame) -> list[str]:
    now = table.iloc[0]
    if pd.isna(now["grr"]):
        return [f"No account was paying at the start of {ctx.period.label}, so it has no GRR or NRR."]
    out = [f"{ctx.period.label} kept {percent(now['grr'])} of its starting ARR (GRR) against a target of "
           f"{percent(now['grr_target'])} ({points(now['grr_gap'])}), and NRR was {percent(now['nrr'])} against "
           f"{percent(now['nrr_target'])} ({points(now['nrr_gap'])})."]
    earlier = [f"{percent(row['grr'])} and {percent(row['nrr'])} in {row['period']}"
               for _, row in table.iloc[1:].iterrows() if pd.notna(row["grr"])]
    if earlier:
        out.append("GRR and NRR were " + "; ".join(earlier) + ".")
    lost = f"Logo churn was {percent(now['logo_churn'])}: {count(now['accounts_lost'])} of the " \
           f"{count(now['accounts_start'])} accounts paying at the start left"
    before = [f"{percent(row['logo_churn'])} in {row['period']}" for _, row in table.iloc[1:].iterrows()
              if pd.notna(row["logo_churn"])]
    out.append(lost + (f", against {' and '.join(before)}." if before else "."))
    return out


def trailing_sentence(table: pd.DataFrame) -> str | None:
    now = table.iloc[0]
    if pd.isna(now["grr"]):
        return None
    return (f"Over the trailing {count(now['window_months'])} months GRR was {percent(now['grr'])} against the "
            f"target of {percent(now['grr_target'])} ({points(now['grr_gap'])}) and NRR {percent(now['nrr'])} "
            f"against {percent(now['nrr_target'])} ({points(now['nrr_gap'])}).")


def segment_sentences(segments: pd.DataFrame) -> list[str]:
    """The segment weakest against its target on GRR and on NRR: where a shortfall comes from."""
    if len(segments) < 2:
        return []
    weakest = {}
    for rate, name in (("grr", "GRR"), ("nrr", "NRR")):
        scored = segments.dropna(subset=[f"{rate}_gap"])
        if not scored.empty:
            row = scored.loc[scored[f"{rate}_gap"].idxmin()]
            weakest[name] = (row["segment"], f"{name} ({percent(row[rate])}, {points(row[f'{rate}_gap'])})")
    if not weakest:
        return []
    names = {segment for segment, _ in weakest.values()}
    if len(names) == 1:
        both = " and ".join(text for _, text in weakest.values())
        on = "both " if len(weakest) == 2 else ""
        return [f"Against its own targets, {names.pop()} was the weakest segment on {on}{both}."]
    return ["Against their own targets, the weakest segments were "
            + listing([f"{segment} on {text}" for segment, text in weakest.values()]) + "."]


def _change(value: float | None) -> str:
    if value is None or pd.isna(value):
        return "change of n/a"
    return f"{gain_or_loss(value)} of {money(abs(value))}"
