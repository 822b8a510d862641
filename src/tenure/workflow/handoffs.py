"""Sales-to-CS handoffs: what was promised in the sale, complete only when every field is filled.

Who may edit: admins, directors and managers any account; a CSM the accounts they own; a sales
user the accounts where they are the account executive (`account_team` role `ae`); a viewer none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.errors import NotFound, TenureError
from tenure.workflow.models import HANDOFF_FIELDS, Handoff, TimelineEntry, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def may_edit(user: User | None, account_id: str, *, owner: str | None, executives: set[str]) -> bool:
    """Whether `user` may change this account's handoff (None: the local operator, who may)."""
    if user is None or user.role in ("admin", "director", "manager"):
        return True
    if user.role == "csm":
        return user.person_id is not None and user.person_id == owner
    if user.role == "sales":
        return user.person_id in executives
    return False


def edit(session: Session, account_id: str, changes: dict[str, str], *, actor: str) -> Handoff:
    """Set handoff fields (creating the handoff on first edit); unknown fields are an error."""
    unknown = set(changes) - set(HANDOFF_FIELDS)
    if unknown:
        raise TenureError(f"unknown handoff field(s): {', '.join(sorted(unknown))}; "
                          f"fields: {', '.join(HANDOFF_FIELDS)}")
    handoff = session.scalar(select(Handoff).where(Handoff.account_id == account_id))
    if handoff is None:
        handoff = Handoff(account_id=account_id)
        session.add(handoff)
    was_complete = not handoff.missing if handoff.id else False
    for field, value in changes.items():
        setattr(handoff, field, value.strip() or None)
    handoff.updated_by = actor
    if not handoff.missing and not was_complete:
        session.add(TimelineEntry(account_id=account_id, kind="handoff", author=actor,
                                  text="Sales-to-CS handoff complete"))
    return handoff


def get(session: Session, account_id: str) -> Handoff:
    handoff = session.scalar(select(Handoff).where(Handoff.account_id == account_id))
    if handoff is None:
        raise NotFound(f"no handoff recorded for account {account_id!r}; start one with `tenure handoffs edit`")
    return handoff


def listing(session: Session, *, incomplete: bool = False) -> pd.DataFrame:
    rows = [{"account_id": h.account_id, "complete": not h.missing, "missing": ", ".join(h.missing),
             "updated_by": h.updated_by, "updated_at": h.updated_at}
            for h in session.scalars(select(Handoff).order_by(Handoff.account_id))]
    frame = pd.DataFrame(rows, columns=["account_id", "complete", "missing", "updated_by", "updated_at"])
    return frame[~frame["complete"]] if incomplete else frame


def incomplete_accounts(session: Session, accounts: list[str]) -> set[str]:
    """Of these accounts, those whose handoff is missing or incomplete."""
    complete = {h.account_id for h in session.scalars(select(Handoff).where(Handoff.account_id.in_(accounts)))
                if not h.missing}
    return set(accounts) - complete
