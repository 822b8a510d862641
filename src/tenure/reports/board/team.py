"""The CS team: results per segment against target, coverage, the CTA workload and the return on CS spend.

Definitions (as implemented), for the reported period:

- Results: the company's and each segment's book results (`BoardContext.results`, the figures
  the headline shows) — GRR and NRR of the book held at the period start against the cascaded
  period target.
- Coverage: `views.coverage.coverage_at` on the period's last day — per segment the accounts,
  ARR, CSMs of that segment on staff, ARR per CSM against its target ratio, and how many CSMs
  are flagged overloaded or idle.
- CTAs (workflow store): opened in the period (opened_at), closed in it (closed_at), and
  overdue at its end (opened by then, still open then, due on or before the last day).
- Return on CS spend: the totals of `views.spend` on the last day of the period and of the period
  before — CS cost a year (team and programme), CS cost ÷ ARR, ARR per CSM.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, or_, select

from tenure.operating.spend import cost_to_serve, spend_summary, staff_costs
from tenure.reports.board.prose import listing, plural
from tenure.reports.board.section import Chart, Section, Table
from tenure.reports.figures import count, money, percent, points
from tenure.views.book import book_at
from tenure.views.coverage import coverage_at
from tenure.views.spend import BOOK_COLUMNS
from tenure.workflow.models import Cta
from tenure.workflow.plans import owner_overrides

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.operating.periods import Period
    from tenure.reports.board.context import BoardContext
    from tenure.workspace import Workspace

KEY = "team"
TITLE = "The CS team: results, coverage, workload and return on spend"
ALL = "all"
SPEND = {"CS_cost": "cost", "arr": "arr", "cost_to_arr": "cost_to_arr", "CSMs": "csms", "arr_per_csm": "arr_per_csm"}


def build(ctx: BoardContext) -> Section:
    ws = ctx.ws
    results = results_table(ctx.results(ctx.period), ctx.period.label)
    if results.empty:
        return Section(KEY, TITLE, no_data=f"no account was paying at the start of {ctx.period.label}")
    owners, ctas = {ctx.prior.label: {}, ctx.period.label: {}}, None
    if ctx.store is not None:
        with ctx.store.session() as session:
            owners = {p.label: owner_overrides(session, before=_midnight(p.end + dt.timedelta(days=1)))
                      for p in (ctx.prior, ctx.period)}
            ctas = pd.DataFrame([{"period": p.label, **cta_counts(session, p)} for p in (ctx.prior, ctx.period)])
    has_team = ws.warehouse.table("team") is not None
    coverage = coverage_table(ws, ctx.period.end, owners[ctx.period.label]) if has_team else None
    spend = spend_table(ws, [ctx.prior, ctx.period], owners) if has_team else None
    from tenure.charts.team import cta_workload, gaps_to_target

    charts = [Chart(f"GRR and NRR against their {ctx.period.label} targets, in percentage points",
                    gaps_to_target(_long_gaps(results)))]
    tables = [Table(f"Results against target, {ctx.period.label}", results,
                    {"accounts_start": "count", "arr_start": "money", "grr": "percent", "grr_target": "percent",
                     "grr_vs_target": "points", "nrr": "percent", "nrr_target": "percent",
                     "nrr_vs_target": "points"})]
    if coverage is not None:
        tables.append(Table(f"Coverage on {ctx.period.end} (accounts per CSM: on dedicated motions)", coverage,
                            {"accounts": "count", "arr": "money", "CSMs": "count", "arr_per_csm": "money",
                             "arr_target": "money", "accounts_per_csm": "count", "accounts_target": "count",
                             "overloaded": "count", "idle": "count"}))
    if ctas is not None:
        if ctas[["opened", "closed", "overdue"]].to_numpy().any():
            charts.append(Chart("CTAs opened and closed in each period, and overdue at its end", cta_workload(ctas)))
        tables.append(Table("CTAs", ctas, {"opened": "count", "closed": "count", "overdue": "count"}))
    if spend is not None:
        tables.append(Table("Return on CS spend (a year, at each period end)", spend,
                            {"CS_cost": "money", "arr": "money", "cost_to_arr": "percent", "CSMs": "count",
                             "arr_per_csm": "money"}))
    return Section(KEY, TITLE, narrative=narrative(ctx.period.label, results, coverage, ctas, spend),
                   charts=charts, tables=tables)


def cta_counts(session: Session, period: Period) -> dict[str, int]:
    """CTAs opened and closed in the period, and overdue at its end (open then and due by its last day)."""
    start, stop = _midnight(period.start), _midnight(period.end + dt.timedelta(days=1))

    def counted(*conditions) -> int:
        return int(session.scalar(select(func.count()).select_from(Cta).where(*conditions)) or 0)

    return {"opened": counted(Cta.opened_at >= start, Cta.opened_at < stop),
            "closed": counted(Cta.closed_at >= start, Cta.closed_at < stop),
            "overdue": counted(Cta.opened_at < stop, or_(Cta.closed_at.is_(None), Cta.closed_at >= stop),
                               Cta.due_date <= period.end)}


def results_table(rows: pd.DataFrame, label: str) -> pd.DataFrame:
    """Company then segments: book at the start, GRR and NRR, each against its period target."""
    out = rows.assign(book=rows["book"].where(rows["level"] != "company", "company"), period=label)
    out = out.assign(grr_vs_target=out["grr"] - out["grr_target"], nrr_vs_target=out["nrr"] - out["nrr_target"])
    return out[["period", "book", "accounts_start", "arr_start", "grr", "grr_target", "grr_vs_target", "nrr",
                "nrr_target", "nrr_vs_target"]].reset_index(drop=True)


def coverage_table(ws: Workspace, day: dt.date, owners: dict[str, str]) -> pd.DataFrame:
    """Per segment, then all segments: the book, CSMs on staff, ratios against target, CSMs flagged."""
    view = coverage_at(ws, as_of=day, owners=owners)
    segments = view.segments.rename(columns={"target_arr": "arr_target", "target_accounts": "accounts_target",
                                             "csms": "CSMs"})
    on_record = view.csms[view.csms["on_record"]]
    flags = on_record.groupby("segment")["flag"].agg(overloaded=lambda f: int((f == "overloaded").sum()),
                                                     idle=lambda f: int((f == "idle").sum()))
    segments = segments.merge(flags, left_on="segment", right_index=True, how="left")
    segments[["arr", "arr_per_csm"]] = segments[["arr", "arr_per_csm"]].astype(float)
    total = {"segment": ALL, "accounts": segments["accounts"].sum(), "arr": segments["arr"].sum(),
             "CSMs": len(on_record), "overloaded": int((on_record["flag"] == "overloaded").sum()),
             "idle": int((on_record["flag"] == "idle").sum())}
    total["arr_per_csm"] = total["arr"] / total["CSMs"] if total["CSMs"] else None
    columns = ["segment", "accounts", "arr", "CSMs", "arr_per_csm", "arr_target", "accounts_per_csm",
               "accounts_target", "overloaded", "idle"]
    out = pd.concat([segments[columns], pd.DataFrame([total])], ignore_index=True)[columns]
    return out.fillna({"overloaded": 0, "idle": 0})


def spend_table(ws: Workspace, periods: list[Period], owners: dict[str, dict[str, str]]) -> pd.DataFrame:
    """CS cost against ARR at the end of each period, with the owners set in tenure by then (`owners` by label).

    The totals of `views.spend` (CS cost, ARR served, CSMs and their ratios) do not depend on how
    the cost is spread over accounts, so the book is read without scoring health (motions from the
    segment defaults): the same figures as `tenure spend`, without two health scorings."""
    team, costs, execute = ws.warehouse.table("team"), ws.config.costs, ws.warehouse.execute
    rows = []
    for period in periods:
        book = book_at(ws, as_of=period.end, owners=owners[period.label], health=False).select(*BOOK_COLUMNS)
        staff = staff_costs(team, costs, as_of=period.end)
        s = execute(spend_summary(cost_to_serve(book, staff, costs), staff, costs)).iloc[0]
        rows.append({"period": period.label, **{name: float(s[key]) if s[key] is not None else None
                                                for name, key in SPEND.items()}})
    return pd.DataFrame(rows)


def narrative(label: str, results: pd.DataFrame, coverage: pd.DataFrame | None, ctas: pd.DataFrame | None,
              spend: pd.DataFrame | None) -> list[str]:
    company = results.iloc[0]
    text = (f"GRR was {percent(company['grr'])} in {label} against a target of {percent(company['grr_target'])} "
            f"({points(company['grr_vs_target'])}), NRR {percent(company['nrr'])} against "
            f"{percent(company['nrr_target'])} ({points(company['nrr_vs_target'])}).")
    segments = results.iloc[1:].dropna(subset=["grr_vs_target"])
    if len(segments) > 1:
        best = segments.loc[segments["grr_vs_target"].idxmax()]
        worst = segments.loc[segments["grr_vs_target"].idxmin()]
        text += (f" Against their GRR targets, {best['book']} did best ({points(best['grr_vs_target'])}) and "
                 f"{worst['book']} worst ({points(worst['grr_vs_target'])}).")
    paragraphs = [text]
    if coverage is None:
        paragraphs.append("No team table is loaded: coverage per CSM and the return on CS spend have no data.")
    else:
        total = coverage.iloc[-1]
        rated = coverage.iloc[:-1].dropna(subset=["arr_per_csm", "arr_target"])
        ratios = [f"{r.segment} {money(r.arr_per_csm)} (target {money(r.arr_target)})" for r in rated.itertuples()]
        text = (f"{plural(total['CSMs'], 'CSM')} on staff covered {plural(total['accounts'], 'account')} and "
                f"{money(total['arr'])} of ARR at the period end")
        text += f"; ARR per CSM by segment: {listing(ratios)}." if ratios else "."
        text += f" {count(total['overloaded'])} overloaded, {count(total['idle'])} idle."
        paragraphs.append(text)
    if ctas is not None and not ctas[["opened", "closed", "overdue"]].to_numpy().any():
        paragraphs.append(f"No CTA was opened, closed or overdue in {ctas.iloc[1]['period']} or "
                          f"{ctas.iloc[0]['period']}.")
    elif ctas is not None:
        before, now = ctas.iloc[0], ctas.iloc[1]
        paragraphs.append(
            f"{plural(now['opened'], 'CTA')} opened and {count(now['closed'])} closed in {now['period']} "
            f"({before['period']}: {count(before['opened'])} and {count(before['closed'])}); "
            f"{count(now['overdue'])} overdue at its end ({before['period']}: {count(before['overdue'])}).")
    if spend is not None:
        before, now = spend.iloc[0], spend.iloc[1]
        paragraphs.append(
            f"CS costs {money(now['CS_cost'])} a year, {percent(now['cost_to_arr'])} of the ARR it serves "
            f"({before['period']}: {percent(before['cost_to_arr'])}); a CSM carries {money(now['arr_per_csm'])} "
            f"of ARR ({before['period']}: {money(before['arr_per_csm'])}).")
    return paragraphs


def _long_gaps(results: pd.DataFrame) -> pd.DataFrame:
    """Each book's gap to target as one row per book and measure, for the chart."""
    parts = [results[["book"]].assign(measure=name.upper(), gap=results[f"{name}_vs_target"])
             for name in ("grr", "nrr")]
    return pd.concat(parts, ignore_index=True)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())
