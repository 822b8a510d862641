"""Calls to action as people work them: list a queue, close with a note, assign to someone."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select

from tenure.errors import NotFound, TenureError
from tenure.playbooks.engine import close
from tenure.workflow.models import CTA_KINDS, PRIORITIES, Cta, Task, TimelineEntry, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

COLUMNS = ["id", "account_id", "kind", "priority", "status", "owner", "due_date", "days_overdue", "escalation_level",
           "rule", "reason", "open_tasks", "opened_at"]


def queue(session: Session, *, today: dt.date, owner: str | None = None, kind: str | None = None,
          overdue: bool = False, status: str = "open") -> pd.DataFrame:
    """CTAs, most overdue and most urgent first."""
    if kind is not None and kind not in CTA_KINDS:
        raise TenureError(f"--kind must be one of {', '.join(CTA_KINDS)}, not {kind!r}")
    open_tasks = select(Task.cta_id, func.count().label("n")).where(Task.done_at.is_(None)) \
        .group_by(Task.cta_id).subquery()
    query = select(Cta, open_tasks.c.n).outerjoin(open_tasks, open_tasks.c.cta_id == Cta.id)
    if status != "all":
        query = query.where(Cta.status == status)
    if owner is not None:
        query = query.where(Cta.owner_person_id == owner)
    if kind is not None:
        query = query.where(Cta.kind == kind)
    if overdue:
        query = query.where(Cta.due_date < today, Cta.status == "open")
    rows = [{"id": c.id, "account_id": c.account_id, "kind": c.kind, "priority": c.priority, "status": c.status,
             "owner": c.owner_person_id, "due_date": c.due_date,
             "days_overdue": max(0, (today - c.due_date).days) if c.status == "open" else 0,
             "escalation_level": c.escalation_level, "rule": c.rule, "reason": c.reason, "open_tasks": n or 0,
             "opened_at": c.opened_at} for c, n in session.execute(query)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    rank = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
    return frame.assign(_p=frame["priority"].map(rank)).sort_values(["days_overdue", "_p", "due_date"],
                                                                     ascending=[False, True, True]) \
        .drop(columns="_p").reset_index(drop=True)


def get(session: Session, cta_id: int) -> Cta:
    cta = session.get(Cta, cta_id)
    if cta is None:
        raise NotFound(f"no CTA with id {cta_id}")
    return cta


def close_cta(session: Session, cta_id: int, note: str, *, actor: str) -> Cta:
    cta = get(session, cta_id)
    if cta.status != "open":
        raise TenureError(f"CTA #{cta_id} is already {cta.status} ({cta.close_note or 'no note'})")
    if not note.strip():
        raise TenureError("closing a CTA needs a note saying what was done")
    close(cta, session, note.strip(), author=actor)
    return cta


def assign(session: Session, cta_ids: list[int], owner: str, *, actor: str) -> list[Cta]:
    """Give CTAs to a team member (every id must exist and be open; all or none change)."""
    ctas = [get(session, i) for i in cta_ids]
    closed = [c.id for c in ctas if c.status != "open"]
    if closed:
        raise TenureError(f"CTA(s) {', '.join(f'#{i}' for i in closed)} are closed; only open CTAs are assigned")
    for cta in ctas:
        before = cta.owner_person_id
        cta.owner_person_id = owner
        session.add(TimelineEntry(account_id=cta.account_id, kind="cta_assigned", cta_id=cta.id, author=actor,
                                  text=f"CTA #{cta.id} assigned to {owner} (was {before or 'unassigned'})"))
    return ctas


def person_of(session: Session, email: str | None) -> str | None:
    """The team person a user is, for `--mine`."""
    if email is None:
        return None
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound(f"no user {email!r}; add one with `tenure users add`")
    return user.person_id


def due_between(session: Session, start: dt.date, end: dt.date) -> pd.DataFrame:
    """CTAs due from `start` to `end` (both included): owner, due date, closed at (empty while open)."""
    query = select(Cta.owner_person_id, Cta.due_date, Cta.closed_at).where(Cta.due_date >= start, Cta.due_date <= end)
    return pd.DataFrame(session.execute(query).all(), columns=["owner", "due_date", "closed_at"])


def open_counts(session: Session, *, today: dt.date) -> pd.DataFrame:
    """Per account with open CTAs: open, overdue (due before `today`), open risk and open renewal CTAs.

    One aggregate query, so a page listing thousands of accounts does not load every open CTA.
    """
    from sqlalchemy import case

    def number(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = (select(Cta.account_id, func.count().label("open_ctas"), number(Cta.due_date < today).label("overdue"),
                    number(Cta.kind == "risk").label("risk"), number(Cta.kind == "renewal").label("renewal"))
             .where(Cta.status == "open").group_by(Cta.account_id))
    return pd.DataFrame(session.execute(query).all(),
                        columns=["account_id", "open_ctas", "overdue_ctas", "open_risk_ctas", "open_renewal_ctas"])


TITLE_LENGTH = 300


def open_cta(session: Session, *, account_id: str, title: str, kind: str, priority: str, due_date: dt.date,
             owner: str | None, actor: str, today: dt.date) -> Cta:
    """Open a CTA by hand (from the account page or the API) for `owner` (a team person_id).

    It names what to do (its title, kept as the CTA's reason) and carries no rule, so the
    one-open-CTA-per-rule guard never blocks it; it goes on the timeline with its author.
    A due date before `today` is refused.
    """
    title = title.strip()
    if not title:
        raise TenureError("a CTA needs a title saying what to do")
    if len(title) > TITLE_LENGTH:
        raise TenureError(f"a CTA's title is at most {TITLE_LENGTH} characters, not {len(title)}")
    if kind not in CTA_KINDS:
        raise TenureError(f"kind must be one of {', '.join(CTA_KINDS)}, not {kind!r}")
    if priority not in PRIORITIES:
        raise TenureError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
    if due_date < today:
        raise TenureError(f"the due date {due_date} is before today ({today})")
    cta = Cta(account_id=account_id, kind=kind, reason=title, rule=None, priority=priority, status="open",
              owner_person_id=owner, due_date=due_date)
    session.add(cta)
    session.flush()
    session.add(TimelineEntry(account_id=account_id, kind="cta_opened", cta_id=cta.id, author=actor,
                              text=f"CTA #{cta.id} opened by {actor} ({kind}, {priority}): {title}; due {due_date}"))
    return cta
