"""The account timeline: notes people write and everything tenure did on the account, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.errors import TenureError
from tenure.workflow.models import Cta, TimelineEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_note(session: Session, account_id: str, text: str, *, actor: str) -> TimelineEntry:
    if not text.strip():
        raise TenureError("a note needs text")
    entry = TimelineEntry(account_id=account_id, kind="note", text=text.strip(), author=actor)
    session.add(entry)
    return entry


def timeline(session: Session, account_id: str, *, limit: int = 20) -> pd.DataFrame:
    rows = [{"occurred_at": e.occurred_at, "kind": e.kind, "text": e.text, "author": e.author}
            for e in session.scalars(select(TimelineEntry).where(TimelineEntry.account_id == account_id)
                                     .order_by(TimelineEntry.occurred_at.desc(), TimelineEntry.id.desc())
                                     .limit(limit))]
    return pd.DataFrame(rows, columns=["occurred_at", "kind", "text", "author"])


def open_ctas(session: Session, account_id: str) -> pd.DataFrame:
    rows = [{"id": c.id, "kind": c.kind, "priority": c.priority, "owner": c.owner_person_id, "due_date": c.due_date,
             "reason": c.reason}
            for c in session.scalars(select(Cta).where(Cta.account_id == account_id, Cta.status == "open")
                                     .order_by(Cta.due_date))]
    return pd.DataFrame(rows, columns=["id", "kind", "priority", "owner", "due_date", "reason"])
