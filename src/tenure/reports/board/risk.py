"""Risk: the ARR renewing soon that the churn model flags, the largest such renewals with their
drivers, and the playbook CTAs open on them.

Probabilities come only from stored scores (`prediction_history`, written by `tenure predict
score` and `tenure run`): each account's latest score made on or before the pack's date, never
a model scoring a past date it may have learned from. A renewal is *due* when it falls within
the model's horizon (`predict.horizon_days`) after that date on a contract longer than a
month, and *at risk* when its churn probability is at or above the risk threshold of the model
version that scored it (views.desk_renewals.risk_thresholds). Expected churn is Σ ARR ×
churn probability over the renewals due. Where no score is stored for the period (scores are
kept from the day a model is trained), a renewal is at risk when its account sits in the lowest
health band on the period's last stored health day, and its drivers are the health measures
that cost it most points. CTAs are those open on the pack's date in the workflow store (opened
by then, not closed by then).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.reports.board.prose import listing
from tenure.reports.board.section import Section, Table
from tenure.reports.figures import count, days, money, percent

if TYPE_CHECKING:
    from tenure.reports.board.context import BoardContext
    from tenure.workflow.store import WorkflowStore

TITLE = "Risk"
LARGEST = 10
NO_STORE = "no workflow store"


def build(ctx: BoardContext) -> Section:
    from tenure.views.desk_renewals import renewals_at

    horizon = ctx.ws.config.predict.horizon_days
    renewals = renewals_at(ctx.ws, as_of=ctx.as_of)
    due = renewals[(renewals["days_to_renewal"] <= horizon) & (renewals["term_months"].fillna(12) > 1)]
    judged = by_model(ctx, due)
    if judged is None:
        judged = by_health(ctx, due)
    if judged is None:
        return Section("risk", TITLE, no_data=f"neither a churn score nor a health snapshot is stored on or before "
                                              f"{ctx.as_of} (`tenure run` stores both once a model is trained)")
    scored, basis = judged
    at_risk = scored[scored["at_risk"]].sort_values(["arr", "account_id"], ascending=[False, True])
    summary = summary_table(ctx, due, scored, at_risk, horizon)
    segments = segment_table(scored)
    largest = largest_table(ctx, at_risk.head(LARGEST))
    rule = pd.DataFrame({"a_renewal_is_at_risk_on": [basis]})
    tables = [Table(f"Renewals due and at risk ({ctx.currency})", summary,
                    {"as_of": "date", "horizon": "days", "renewals_due": "count", "arr_due": "money",
                     "at_risk_renewals": "count", "at_risk_arr": "money", "share_of_arr_due": "percent",
                     "expected_churn": "money"}),
              Table("How a renewal is judged", rule),
              Table(f"At-risk ARR by segment ({ctx.currency})", segments,
                    {"renewals_due": "count", "at_risk_renewals": "count", "at_risk_arr": "money",
                     "expected_churn": "money"})]
    if not largest.empty:
        tables.append(Table(f"Largest at-risk renewals ({ctx.currency})", largest,
                            {"arr": "money", "renewal_date": "date", "churn_probability": "percent"}))
    narrative = [summary_sentence(summary, basis), segment_sentence(segments), largest_sentence(largest),
                 cta_sentence(ctx, largest)]
    return Section("risk", TITLE, narrative=[s for s in narrative if s], tables=tables)


def by_model(ctx: BoardContext, due: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """The renewals due with their latest stored churn score, flagged at the model version's threshold."""
    from tenure.views.desk_renewals import predictions_on, risk_thresholds

    scores = predictions_on(ctx.ws, due[["account_id"]].assign(day=ctx.as_of))
    if scores.empty:
        return None
    scored = due.merge(scores.drop(columns="day"), on="account_id", how="inner")
    thresholds = risk_thresholds(ctx.ws, scored["model_version"].unique())
    threshold = scored["model_version"].map(lambda v: thresholds[int(v)])
    scored = scored.assign(at_risk=scored["churn_probability"] >= threshold)
    scored = scored.merge(stored_drivers(ctx, scored[["account_id", "scored_on"]]), on=["account_id", "scored_on"],
                          how="left")
    levels = sorted(set(threshold))
    versions = ", ".join(f"v{int(v)}" for v in sorted(scored["model_version"].unique()))
    basis = (f"churn probability of {percent(levels[0])} or more (model {versions})" if len(levels) == 1
             else f"churn probability at or above each model version's threshold ({versions})")
    return scored, basis


def by_health(ctx: BoardContext, due: pd.DataFrame) -> tuple[pd.DataFrame, str] | None:
    """Without stored churn scores: the renewals due whose account is in the lowest health band on the last
    stored health day of the period, with the measures that cost it most points as drivers."""
    from tenure.history import HEALTH_HISTORY, history
    from tenure.predict.drivers import label

    stored = history(ctx.ws, HEALTH_HISTORY)
    if stored is None:
        return None
    inside = stored.filter((stored.as_of >= ibis.literal(ctx.period.start, type="date"))
                           & (stored.as_of <= ibis.literal(ctx.as_of, type="date")))
    day = ctx.ws.warehouse.execute(inside.as_of.max())
    if day is None or pd.isna(day):
        return None
    day = pd.Timestamp(day).date()
    rows = stored.filter(stored.as_of == ibis.literal(day, type="date"))
    health = ctx.ws.warehouse.execute(rows.select(
        account_id=rows.account_id.cast("string"), band=rows.band.cast("string"),
        driver_1=rows.driver_1.cast("string"), driver_1_points=rows.driver_1_points.cast("float64"),
        driver_2=rows.driver_2.cast("string"), driver_2_points=rows.driver_2_points.cast("float64")))
    lowest = ctx.ws.config.health.lowest_band
    scored = due.merge(health, on="account_id", how="inner")
    drivers = [[f"{label(name)} (-{points:.0f} points)" for name, points in pair if isinstance(name, str)]
               for pair in zip(zip(scored["driver_1"], scored["driver_1_points"], strict=True),
                               zip(scored["driver_2"], scored["driver_2_points"], strict=True), strict=True)]
    scored = scored.assign(at_risk=scored["band"] == lowest, churn_probability=float("nan"),
                           drivers=["; ".join(d) for d in drivers])
    return scored, f"{lowest} health band on {day.isoformat()} (no churn score is stored for the period)"


def summary_table(ctx: BoardContext, due: pd.DataFrame, scored: pd.DataFrame, at_risk: pd.DataFrame,
                  horizon: int) -> pd.DataFrame:
    arr_due = float(due["arr"].sum())
    expected = (scored["arr"] * scored["churn_probability"]).sum(min_count=1)
    return pd.DataFrame([{
        "as_of": ctx.as_of, "horizon": horizon, "renewals_due": len(due), "arr_due": arr_due,
        "at_risk_renewals": len(at_risk), "at_risk_arr": float(at_risk["arr"].sum()),
        "share_of_arr_due": float(at_risk["arr"].sum()) / arr_due if arr_due else None,
        "expected_churn": None if pd.isna(expected) else float(expected),
    }])


def segment_table(scored: pd.DataFrame) -> pd.DataFrame:
    """Renewals due, at-risk ARR and (with churn scores) expected churn per segment, most at-risk ARR first."""
    frame = scored.assign(segment=scored["segment"].fillna("(none)"),
                          risk_arr=scored["arr"].where(scored["at_risk"], 0.0),
                          expected=scored["arr"] * scored["churn_probability"])
    grouped = frame.groupby("segment").agg(renewals_due=("account_id", "size"), at_risk_renewals=("at_risk", "sum"),
                                           at_risk_arr=("risk_arr", "sum"), expected_churn=("expected", "sum"))
    if frame["expected"].isna().all():
        grouped = grouped.drop(columns="expected_churn")
    return grouped.sort_values(["at_risk_arr", "renewals_due"], ascending=False).reset_index()


def largest_table(ctx: BoardContext, largest: pd.DataFrame) -> pd.DataFrame:
    """The largest at-risk renewals with their drivers and the CTAs open on them."""
    if largest.empty:
        return pd.DataFrame()
    ctas = open_ctas(ctx.store, list(largest["account_id"]), ctx.as_of) if ctx.store is not None else None
    rows = largest.assign(open_ctas=largest["account_id"].map(ctas).fillna("none") if ctas is not None else NO_STORE,
                          account=largest["name"].fillna(largest["account_id"]))
    columns = ["account", "segment", "arr", "renewal_date", "churn_probability", "drivers", "open_ctas"]
    if rows["churn_probability"].isna().all():
        columns.remove("churn_probability")
    return rows[columns].reset_index(drop=True)


def stored_drivers(ctx: BoardContext, keys: pd.DataFrame) -> pd.DataFrame:
    """The top churn drivers stored with each (account, score date), joined as one text."""
    from tenure.history import history
    from tenure.views.desk_renewals import PREDICTIONS

    table = history(ctx.ws, PREDICTIONS)
    wanted = ibis.memtable(keys.assign(account_id=keys["account_id"].astype(str)),
                           schema={"account_id": "string", "scored_on": "date"})
    stored = table.select(_account=table.account_id.cast("string"), _day=table.as_of.cast("date"),
                          driver_1=table.driver_1.cast("string"), driver_2=table.driver_2.cast("string"))
    joined = wanted.join(stored, (wanted.account_id == stored._account) & (wanted.scored_on == stored._day))
    drivers = ibis.coalesce(joined.driver_1, ibis.literal("")) + ibis.ifelse(
        joined.driver_2.notnull(), "; " + joined.driver_2, ibis.literal(""))
    frame = ctx.ws.warehouse.execute(joined.select("account_id", "scored_on", drivers=drivers))
    frame["scored_on"] = pd.to_datetime(frame["scored_on"]).dt.date
    return frame


def open_ctas(store: WorkflowStore, account_ids: list[str], day: dt.date) -> dict[str, str]:
    """Per account, the CTAs open at the end of `day`: kind, playbook and due date, as one text."""
    from sqlalchemy import or_, select

    from tenure.workflow.models import Cta, Playbook

    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    query = (select(Cta.account_id, Cta.kind, Cta.due_date, Playbook.name)
             .outerjoin(Playbook, Playbook.id == Cta.playbook_id)
             .where(Cta.account_id.in_(account_ids), Cta.opened_at < end,
                    or_(Cta.closed_at.is_(None), Cta.closed_at >= end))
             .order_by(Cta.account_id, Cta.due_date))
    texts: dict[str, list[str]] = {}
    with store.session() as session:
        for account_id, kind, due, playbook in session.execute(query):
            texts.setdefault(account_id, []).append(f"{kind}{f' ({playbook})' if playbook else ''}, due {due}")
    return {account: "; ".join(items) for account, items in texts.items()}


def summary_sentence(summary: pd.DataFrame, basis: str) -> str:
    s = summary.iloc[0]
    text = (f"{count(s['renewals_due'])} renewals worth {money(s['arr_due'])} fall due in the {days(s['horizon'])} "
            f"after {s['as_of'].isoformat()}; {count(s['at_risk_renewals'])} of them, worth "
            f"{money(s['at_risk_arr'])} ({percent(s['share_of_arr_due'])} of the ARR due), are at risk: "
            f"{basis}.")
    if pd.notna(s["expected_churn"]):
        text += f" The model expects {money(s['expected_churn'])} of the ARR due to churn."
    return text


def segment_sentence(segments: pd.DataFrame) -> str | None:
    risky = segments[segments["at_risk_arr"] > 0]
    if risky.empty:
        return None
    top = risky.iloc[0]
    return f"The most at-risk ARR is in {top['segment']} ({money(top['at_risk_arr'])})."


def largest_sentence(largest: pd.DataFrame) -> str | None:
    if largest.empty:
        return None
    top = largest.iloc[0]
    facts = [money(top["arr"]), f"renewing {top['renewal_date'].isoformat()}"]
    if "churn_probability" in largest.columns:
        facts.append(f"churn probability {percent(top['churn_probability'])}")
    text = f"The largest is {top['account']} ({', '.join(facts)})"
    return text + (f": {top['drivers']}." if isinstance(top["drivers"], str) and top["drivers"] else ".")


def cta_sentence(ctx: BoardContext, largest: pd.DataFrame) -> str | None:
    if largest.empty:
        return None
    if ctx.store is None:
        return "The workflow store is not set up, so the CTAs open on these accounts cannot be shown."
    uncovered = list(largest.loc[largest["open_ctas"] == "none", "account"])
    if not uncovered:
        return "Every one of them had a CTA open."
    if len(uncovered) == len(largest):
        return f"None of them had a CTA open on {ctx.as_of.isoformat()}."
    return f"No CTA was open on {listing(uncovered)}."
