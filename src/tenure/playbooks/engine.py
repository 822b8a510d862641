"""The rules engine: account state → calls to action, digital touches, closures and escalations.

Idempotent by construction: a rule opens a CTA only for an account with no open CTA from
that rule (the store also enforces it with a unique index), writes at most one outbox message
per rule, account and day, and closes its open CTAs whose condition has cleared when the rule
says so. Overdue CTAs climb the escalation chain one step per `escalate_after_days` past
their due date, each step on the account's timeline. Everything one evaluation changes is one
transaction: it all applies, or (on any failure) none of it does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import select

from tenure.errors import TenureError
from tenure.playbooks.config import Condition, Playbooks, Rule
from tenure.playbooks.messages import render
from tenure.workflow.models import Cta, OutboxMessage, PlaybookStep, Task, TimelineEntry, utcnow
from tenure.workflow.models import Playbook as PlaybookRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

ACTIONS = ("opened", "already_open", "closed", "messages", "escalated")
# the state column naming who owns a CTA of each kind (ownership: config); other kinds go to the CSM (`owner`)
OWNER_BY_KIND = {"renewal": "renewal_owner", "expansion": "expansion_owner"}


@dataclass
class Outcome:
    """What one evaluation did (or, in a dry run, would do), per rule and in total."""

    as_of: dt.date
    by_rule: dict[str, Counter] = field(default_factory=dict)
    escalated: int = 0
    fired: list[dict] = field(default_factory=list)  # one row per (rule, account) that matched
    delivered: tuple[int, int] = (0, 0)  # webhook messages sent, failed

    def count(self, rule: str, action: str, n: int = 1) -> None:
        self.by_rule.setdefault(rule, Counter())[action] += n

    def table(self) -> pd.DataFrame:
        rows = [{"rule": rule, **{a: counts.get(a, 0) for a in ACTIONS if a != "escalated"}}
                for rule, counts in self.by_rule.items()]
        return pd.DataFrame(rows, columns=["rule", *[a for a in ACTIONS if a != "escalated"]])


def matches(condition: Condition, state: pd.DataFrame) -> pd.Series:
    """Which accounts meet every key of the condition (an empty value never meets a comparison)."""
    mask = pd.Series(True, index=state.index)
    if condition.band is not None:
        bands = [condition.band] if isinstance(condition.band, str) else condition.band
        mask &= state["band"].isin(bands)
    if condition.band_was is not None:
        bands = [condition.band_was] if isinstance(condition.band_was, str) else condition.band_was
        mask &= state["band_30d_ago"].isin(bands) if "band_30d_ago" in state else False
    if condition.score_below is not None:
        mask &= _number(state, "score") < condition.score_below
    if condition.score_drop is not None:
        mask &= _number(state, "score_change_30d") <= -condition.score_drop
    if condition.metric is not None:
        if condition.metric not in state.columns:
            raise TenureError(f"rule metric {condition.metric!r} is not a column of the account state")
        value = _number(state, condition.metric)
        if condition.above is not None:
            mask &= value > condition.above
        if condition.below is not None:
            mask &= value < condition.below
    if condition.renewal_within_days is not None:
        mask &= _number(state, "days_to_renewal") <= condition.renewal_within_days
    if condition.churn_probability_above is not None:
        mask &= _number(state, "churn_probability") > condition.churn_probability_above
    if condition.zombie is not None:
        mask &= _flag(state, "zombie") == condition.zombie
    if condition.sponsor_departed is not None:
        mask &= _flag(state, "sponsor_departed_180d") == condition.sponsor_departed
    if condition.urgent_tickets_open is not None:
        mask &= _number(state, "open_urgent_tickets") >= condition.urgent_tickets_open
    if condition.onboarding_incomplete_after_days is not None:
        age = (pd.Timestamp(state.attrs["as_of"]) - pd.to_datetime(state["customer_since"])).dt.days
        mask &= (age >= condition.onboarding_incomplete_after_days) & ~_flag(state, "onboarding_complete").eq(True)
    if condition.customer_for_at_most_days is not None:
        age = (pd.Timestamp(state.attrs["as_of"]) - pd.to_datetime(state["customer_since"])).dt.days
        mask &= age <= condition.customer_for_at_most_days
    if condition.handoff_incomplete is not None:
        mask &= _flag(state, "handoff_complete").eq(True) != condition.handoff_incomplete
    return mask.fillna(False).astype(bool)


def in_scope(rule: Rule, state: pd.DataFrame) -> pd.Series:
    return state["segment"].isin(rule.segments) if rule.segments else pd.Series(True, index=state.index)


def evaluate(config: Playbooks, state: pd.DataFrame, session: Session, *, as_of: dt.date,
             managers: dict[str, str | None] | None = None, director: str | None = None,
             dry_run: bool = False) -> Outcome:
    """Apply every rule to the account state at `as_of` (nothing is written in a dry run)."""
    state = state.copy()
    state.attrs["as_of"] = as_of
    outcome = Outcome(as_of)
    open_ctas = {(c.rule, c.account_id): c for c in
                 session.scalars(select(Cta).where(Cta.status == "open", Cta.rule.is_not(None)))}
    for rule in config.rules:
        hit = state[in_scope(rule, state) & matches(rule.when, state)]
        outcome.by_rule.setdefault(rule.name, Counter())
        for row in hit.to_dict("records"):
            outcome.fired.append({"rule": rule.name, "account_id": row["account_id"], "name": row.get("name"),
                                  "owner": owner_of(rule.kind, row), "arr": row.get("arr"),
                                  "action": "message" if rule.message else "cta"})
            if rule.message is not None:
                _message(rule, row, session, as_of, outcome, dry_run)
            elif (rule.name, row["account_id"]) in open_ctas:
                outcome.count(rule.name, "already_open")
            else:
                outcome.count(rule.name, "opened")
                if not dry_run:
                    _open(config, rule, row, session, as_of)
        if rule.close_when_clear and rule.message is None:
            matched = set(hit["account_id"])
            for (name, account), cta in open_ctas.items():
                if name == rule.name and account not in matched:
                    outcome.count(rule.name, "closed")
                    if not dry_run:
                        close(cta, session, f"Closed by tenure: the condition of rule {rule.name} cleared on "
                                             f"{as_of}.")
    outcome.escalated = _escalate(config, session, as_of, managers or {}, director, dry_run)
    return outcome


def _open(config: Playbooks, rule: Rule, row: dict, session: Session, as_of: dt.date) -> None:
    reason = rule.reason or describe(rule.when)
    cta = Cta(account_id=row["account_id"], kind=rule.kind, reason=reason, rule=rule.name, priority=rule.priority,
              status="open", owner_person_id=owner_of(rule.kind, row),
              due_date=as_of + dt.timedelta(days=rule.due_days), opened_at=_at(as_of))
    if rule.playbook is not None:
        cta.playbook_id = _playbook_row(session, rule.playbook, config).id
        for i, step in enumerate(config.definitions[rule.playbook].steps):
            cta.tasks.append(Task(position=i + 1, title=step.title, owner_role=step.owner_role,
                                  due_date=as_of + dt.timedelta(days=step.due_days)))
    session.add(cta)
    session.flush()
    session.add(TimelineEntry(account_id=cta.account_id, kind="cta_opened", cta_id=cta.id, occurred_at=_at(as_of),
                              author="tenure", text=f"CTA #{cta.id} opened by rule {rule.name} ({rule.kind}, "
                                                    f"{rule.priority}): {reason}; due {cta.due_date}"))


def owner_of(kind: str, row: dict) -> str | None:
    """Who a CTA of `kind` goes to: the renewal or expansion owner when the state names one, else the CSM."""
    routed = _text(row.get(OWNER_BY_KIND[kind])) if kind in OWNER_BY_KIND else None
    return routed or _text(row.get("owner"))


def _playbook_row(session: Session, name: str, config: Playbooks) -> PlaybookRow:
    """The store's copy of a configured playbook, kept equal to tenure.yaml (the web and reports name it)."""
    definition = config.definitions[name]
    row = session.scalar(select(PlaybookRow).where(PlaybookRow.name == name))
    if row is None:
        row = PlaybookRow(name=name)
        session.add(row)
    wanted = [(s.title, s.owner_role, s.due_days) for s in definition.steps]
    if row.description != definition.description or [(s.title, s.owner_role, s.due_days) for s in row.steps] != wanted:
        row.description = definition.description
        row.steps = [PlaybookStep(position=i + 1, title=t, owner_role=r, due_days=d)
                     for i, (t, r, d) in enumerate(wanted)]
    session.flush()
    return row


def close(cta: Cta, session: Session, note: str, *, author: str = "tenure", when: dt.datetime | None = None) -> None:
    """Close a CTA with a note, on the account's timeline."""
    cta.status, cta.closed_at, cta.close_note = "closed", when or utcnow(), note
    session.add(TimelineEntry(account_id=cta.account_id, kind="cta_closed", cta_id=cta.id, author=author,
                              occurred_at=cta.closed_at, text=f"CTA #{cta.id} closed: {note}"))


def _message(rule: Rule, row: dict, session: Session, as_of: dt.date, outcome: Outcome, dry_run: bool) -> None:
    exists = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.rule == rule.name, OutboxMessage.account_id == row["account_id"],
        OutboxMessage.for_date == as_of))
    if exists is not None:
        outcome.count(rule.name, "already_open")
        return
    outcome.count(rule.name, "messages")
    if dry_run:
        return
    subject, body = render(rule.message, row, rule.name)
    session.add(OutboxMessage(account_id=row["account_id"], rule=rule.name, for_date=as_of, subject=subject,
                              body=body, created_at=_at(as_of)))
    session.add(TimelineEntry(account_id=row["account_id"], kind="digital_touch", author="tenure",
                              occurred_at=_at(as_of), text=f"Digital touch from rule {rule.name}: {subject}"))


def _escalate(config: Playbooks, session: Session, as_of: dt.date, managers: dict[str, str | None],
              director: str | None, dry_run: bool) -> int:
    """Move each overdue CTA up the chain: one level per `escalate_after_days` past its due date."""
    chain = config.escalation
    escalated = 0
    for cta in session.scalars(select(Cta).where(Cta.status == "open", Cta.due_date < as_of)):
        overdue = (as_of - cta.due_date).days
        level = min(len(chain) - 1, 1 + overdue // config.escalate_after_days)
        while cta.escalation_level < level:
            step = chain[cta.escalation_level + 1]
            owner = _next_owner(step, cta.owner_person_id, managers, director)
            escalated += 1
            if dry_run:
                break
            before = cta.owner_person_id
            cta.escalation_level += 1
            if owner is not None:
                cta.owner_person_id = owner
            session.add(TimelineEntry(
                account_id=cta.account_id, kind="escalation", cta_id=cta.id, author="tenure", occurred_at=_at(as_of),
                text=f"CTA #{cta.id} is {overdue} days overdue: escalated to the {step} "
                     f"({owner or 'no one on record'}; was {before or 'unassigned'})"))
    return escalated


def _next_owner(step: str, current: str | None, managers: dict[str, str | None], director: str | None) -> str | None:
    if step == "manager":
        return managers.get(current or "") or director
    if step in ("director", "executive"):
        return director
    return current


def describe(condition: Condition) -> str:
    """A condition in words, for the CTA's reason when the rule gives none."""
    parts = []
    for key, value in condition.model_dump(exclude_none=True).items():
        if key in ("above", "below"):
            continue
        if key == "metric":
            if condition.above is not None:
                parts.append(f"{value} above {condition.above:g}")
            if condition.below is not None:
                parts.append(f"{value} below {condition.below:g}")
        else:
            parts.append(f"{key.replace('_', ' ')} {value}")
    return "; ".join(parts)


def _number(state: pd.DataFrame, column: str) -> pd.Series:
    if column not in state.columns:
        return pd.Series(np.nan, index=state.index)
    return pd.to_numeric(state[column], errors="coerce")


def _flag(state: pd.DataFrame, column: str) -> pd.Series:
    if column not in state.columns:
        return pd.Series(None, index=state.index, dtype=object)
    return state[column].map(lambda v: None if v is None or v is pd.NA or v != v else bool(v))


def _text(value) -> str | None:
    return None if value is None or value is pd.NA or value != value else str(value)


def _at(day: dt.date) -> dt.datetime:
    """The moment a run for `day` acts: the end of that day (what it knows is everything up to it)."""
    return dt.datetime.combine(day, dt.time(23, 59, 59))
