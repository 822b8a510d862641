"""The account 360 as the web shows it: the analytics of one account, and what people recorded about it.

Two halves with two lifetimes. `AccountFacts` is what the warehouse knows, cut from the
company-wide frames of `tenure.web.account_frames` by dictionary lookups (no query per page): the
account 360 of `views.account` (profile, ARR history, health with each measure's points, the
stored churn score with its drivers, every metric), the stored health trend, weekly usage and
per-feature adoption, contacts, and the meetings and tickets of the last months. `AccountWork`
is read from the workflow store on every request — open CTAs, the timeline of notes and
changes, success plans, the handoff, open escalations — so a note shows as soon as it is
written. `account_record` turns both into the JSON-safe record the page and the API show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import NotFound
from tenure.views.account import Account360
from tenure.web.account_frames import MEASURES, SCORE, TIMELINE, AccountsAt, ByAccount

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.metrics.registry import Metric

USAGE = ("active_users_7d", "active_users_30d", "seats", "seat_utilisation", "stickiness", "feature_breadth_30d",
         "feature_breadth_90d", "new_feature_adoption_180d", "usage_trend_30d", "time_to_value_days",
         "onboarding_complete")


def account_360_from(frames: AccountsAt, account_id: str, registered: list[Metric]) -> Account360:
    """One account's 360 cut from the company-wide frames: what `views.account.account_360` computes for it."""
    found = frames.profiles.row(account_id)
    if found is None:
        raise NotFound(f"no account with account_id {account_id!r}")
    profile = {"account_id": account_id, **found}
    values = frames.metrics.row(account_id) or {}
    if values:
        profile.update({k: values.get(k) for k in ("arr", "customer_since", "renewal_date", "days_to_renewal")})
    health = frames.health.row(account_id)
    if health is not None and pd.isna(health["score"]):
        health = None
    score = frames.scores.row(account_id)
    prediction = None if score is None else {"scored_on": score["scored_on"],
                                             "model_version": int(score["model_version"]),
                                             **{k: score[k] for k in SCORE}}
    described = pd.DataFrame([{"family": m.family, "metric": m.name, "value": values.get(m.name), "unit": m.unit,
                               "description": m.description} for m in registered])
    return Account360(frames.as_of, profile, frames.arr.rows(account_id)[["month_end", "arr"]], health,
                      frames.measures.rows(account_id)[MEASURES], described, prediction)


@dataclass
class AccountFacts:
    view: Account360
    health_trend: pd.DataFrame  # as_of, score, band (stored snapshots up to as_of)
    usage: pd.DataFrame  # metric, value, unit, description (adoption metrics of USAGE)
    weekly_usage: pd.DataFrame | None  # week (first day), events, active_users; None without events
    features: pd.DataFrame | None  # event, is_key, users, user_share in the last 30 days; None without events
    contacts: pd.DataFrame | None  # name, title, role, email, left_at (champions and sponsors first)
    activity: pd.DataFrame  # TIMELINE rows from the warehouse: meetings, calls, tickets

    @property
    def zombie(self) -> bool | None:
        """Paying, still logging in, but no new feature in months (metrics.adoption's definition)."""
        value = self.view.metrics.set_index("metric")["value"].get("zombie")
        return None if value is None or pd.isna(value) else bool(value)


def account_facts(frames: AccountsAt, account_id: str, registered: list[Metric]) -> AccountFacts:
    """Everything the warehouse knows about one account, from the frames (NotFound for an unknown account)."""
    view = account_360_from(frames, account_id, registered)
    metrics = view.metrics
    usage = metrics[metrics["metric"].isin(USAGE)][["metric", "value", "unit", "description"]].reset_index(drop=True)
    return AccountFacts(view=view, health_trend=frames.trend.rows(account_id), usage=usage,
                        weekly_usage=_rows(frames.weekly, account_id), features=_rows(frames.features, account_id),
                        contacts=_rows(frames.contacts, account_id), activity=frames.activity.rows(account_id))


def _rows(grouped: ByAccount | None, account_id: str) -> pd.DataFrame | None:
    """The account's rows of a frame that exists only when its table is loaded."""
    return None if grouped is None else grouped.rows(account_id)


@dataclass
class AccountWork:
    ctas: pd.DataFrame  # id, kind, priority, owner, due_date, reason (open, soonest due first)
    notes: pd.DataFrame  # TIMELINE rows from the store: notes, CTAs opened and closed, escalations, plans
    plans: pd.DataFrame  # plan, objective, plan_status, criterion, text, before_signature, status, evidence
    handoff: dict | None  # the handoff's fields, `missing` and `complete`; None when none was recorded
    escalations: pd.DataFrame  # id, severity, summary, opened_at (open ones)


def account_work(session: Session, account_id: str, *, limit: int = 50) -> AccountWork:
    """What people recorded about the account in the workflow store."""
    from sqlalchemy import select

    from tenure.workflow.models import HANDOFF_FIELDS, Escalation, Handoff
    from tenure.workflow.plans import plans
    from tenure.workflow.timeline import open_ctas, timeline

    handoff = session.scalar(select(Handoff).where(Handoff.account_id == account_id))
    found = None
    if handoff is not None:
        found = {**{f: getattr(handoff, f) for f in HANDOFF_FIELDS}, "missing": handoff.missing,
                 "complete": not handoff.missing, "updated_by": handoff.updated_by, "updated_at": handoff.updated_at}
    escalations = pd.DataFrame(
        [{"id": e.id, "severity": e.severity, "summary": e.summary, "opened_at": e.opened_at}
         for e in session.scalars(select(Escalation).where(Escalation.account_id == account_id,
                                                           Escalation.resolved_at.is_(None)))],
        columns=["id", "severity", "summary", "opened_at"])
    return AccountWork(ctas=open_ctas(session, account_id), notes=timeline(session, account_id, limit=limit),
                       plans=plans(session, account_id), handoff=found, escalations=escalations)


def account_record(facts: AccountFacts, work: AccountWork) -> dict:
    """The account 360 as JSON-safe values (dates as ISO strings, missing as None): the API's answer and
    what the page shows, so both say the same."""
    from tenure.web.paging import records

    view = facts.view
    frames = {"arr_history": view.arr_history, "measures": view.measures, "health_trend": facts.health_trend,
              "usage": facts.usage, "weekly_usage": facts.weekly_usage, "features": facts.features,
              "contacts": facts.contacts, "open_ctas": work.ctas, "timeline": merged_timeline(facts, work),
              "success_plans": work.plans, "open_escalations": work.escalations}
    single = {"account": view.profile, "health": view.health, "prediction": view.prediction,
              "handoff": work.handoff}
    return {"as_of": view.as_of.isoformat(), "zombie": facts.zombie,
            **{name: records(pd.DataFrame([values]))[0] if values else None for name, values in single.items()},
            **{name: records(frame) if frame is not None else None for name, frame in frames.items()}}


def merged_timeline(facts: AccountFacts, work: AccountWork, *, limit: int = 50) -> pd.DataFrame:
    """The store's entries and the warehouse's meetings and tickets in one history, newest first."""
    parts = [frame.assign(occurred_at=_utc(frame["occurred_at"])) for frame in (work.notes, facts.activity)
             if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=TIMELINE)
    merged = pd.concat(parts, ignore_index=True)
    return merged.sort_values("occurred_at", ascending=False, kind="stable").head(limit).reset_index(drop=True)


def _utc(moments: pd.Series) -> pd.Series:
    """Moments as naive UTC timestamps: both stores keep UTC, one of them may say so."""
    return pd.to_datetime(moments, utc=True).dt.tz_localize(None)
