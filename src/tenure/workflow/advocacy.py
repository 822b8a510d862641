"""Advocacy records: reference calls, referrals, case studies and reviews, with dates and outcomes.

Recording an ask the guard refuses (desk/advocacy.py: too soon after another, or too many in a
year) fails with the reason and the first day it would be allowed, unless forced; a forced record
says so on the account's timeline, and the list marks every record that broke the guard. An
import loads past records as they happened (the guard is not applied, the list marks breaches);
the same record imported twice is kept once. Keyword-only service functions; they flush, the CLI
command commits.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.desk.advocacy import broke_guard, guard
from tenure.errors import TenureError
from tenure.workflow.models import ADVOCACY_KINDS, AdvocacyRecord, Escalation, TimelineEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

RECORD_COLUMNS = ["id", "account_id", "contact_id", "kind", "occurred_on", "outcome", "referred_account_id",
                  "recorded_by", "recorded_at"]
IMPORT_COLUMNS = ("account_id", "kind", "occurred_on")


def kind_of(value: str) -> str:
    """An advocacy kind from what a user typed (`reference-call` and `Reference call` are `reference_call`)."""
    kind = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in ADVOCACY_KINDS:
        raise TenureError(f"kind {value!r} is not an advocacy kind; use one of {', '.join(ADVOCACY_KINDS)}")
    return kind


def create(*, session: Session, account_id: str, kind: str, occurred_on: dt.date, actor: str, min_days: int,
           max_per_year: int, today: dt.date, outcome: str | None = None, contact_id: str | None = None,
           referred_account_id: str | None = None, force: bool = False) -> tuple[AdvocacyRecord, str | None]:
    """Record an advocacy ask; returns the record and, when forced past the guard, the guard's reason.

    Refused (nothing recorded) when the guard refuses the ask and `force` is not set.
    """
    kind = kind_of(kind)
    _check(kind=kind, account_id=account_id, occurred_on=occurred_on, today=today,
           referred_account_id=referred_account_id)
    mine = select(AdvocacyRecord.occurred_on).where(AdvocacyRecord.account_id == account_id)
    asks = list(session.scalars(mine))
    refusal = guard(asks, occurred_on, min_days=min_days, max_per_year=max_per_year)
    if refusal is not None and not force:
        raise TenureError(f"not recorded: {account_id} should not be asked for advocacy on {occurred_on}: "
                          f"{refusal.message}. The next ask is allowed on {refusal.next_allowed}; use --force to "
                          "record this one anyway")
    record = AdvocacyRecord(account_id=account_id, contact_id=contact_id or None, kind=kind, occurred_on=occurred_on,
                            outcome=(outcome or "").strip() or None, referred_account_id=referred_account_id or None,
                            recorded_by=actor)
    session.add(record)
    session.flush()
    text = f"Advocacy #{record.id}: {kind.replace('_', ' ')} on {occurred_on}"
    if referred_account_id:
        text += f", referred {referred_account_id}"
    if record.outcome:
        text += f" ({record.outcome})"
    if refusal is not None:
        text += f"; recorded with --force although the advocacy guard refused it: {refusal.message}"
    session.add(TimelineEntry(account_id=account_id, kind="advocacy", author=actor, text=text))
    return record, refusal.message if refusal is not None else None


def get_all(*, session: Session) -> pd.DataFrame:
    """Every advocacy record (RECORD_COLUMNS), oldest first."""
    rows = [{c: getattr(r, c) for c in RECORD_COLUMNS} for r in session.scalars(
        select(AdvocacyRecord).order_by(AdvocacyRecord.occurred_on, AdvocacyRecord.id))]
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def with_guard(records: pd.DataFrame, *, min_days: int, max_per_year: int) -> pd.DataFrame:
    """The records with `broke_guard`: whether the guard would have refused each, given those before it."""
    flags = broke_guard(records, min_days=min_days, max_per_year=max_per_year) if len(records) else []
    return records.assign(broke_guard=list(flags))


def import_records(*, session: Session, rows: pd.DataFrame, known_accounts: set[str], today: dt.date, actor: str,
                   source: str, contacts: dict[str, str] | None = None) -> tuple[int, int]:
    """Import `account_id, kind, occurred_on[, outcome][, contact_id][, referred_account_id]` rows; returns
    (imported, already recorded). Every row is checked first and a bad file changes nothing.

    `contacts` maps each loaded contact_id to its account (None: no contacts table, contacts unchecked).
    """
    missing = [c for c in IMPORT_COLUMNS if c not in rows.columns]
    if missing:
        raise TenureError(f"{source}: missing column(s) {', '.join(missing)} (needs {', '.join(IMPORT_COLUMNS)}; "
                          "optional outcome, contact_id, referred_account_id)")
    problems, parsed = [], []
    for number, row in enumerate(rows.to_dict("records"), start=2):
        where = f"{source}, row {number}"
        try:
            kind = kind_of(row["kind"])
        except TenureError as exc:
            problems.append(f"{where}, column kind: {exc}")
            continue
        try:
            day = dt.date.fromisoformat(str(row["occurred_on"]).strip())
        except ValueError:
            problems.append(f"{where}, column occurred_on, value {row['occurred_on']!r}: not an ISO date (YYYY-MM-DD)")
            continue
        referred = _text(row.get("referred_account_id"))
        for column, value in (("account_id", row["account_id"]), ("referred_account_id", referred)):
            if value is not None and value not in known_accounts:
                problems.append(f"{where}, column {column}, value {value!r}: unknown account")
        contact = _text(row.get("contact_id"))
        if contact is not None and contacts is not None and contacts.get(contact) != row["account_id"]:
            problems.append(f"{where}, column contact_id, value {contact!r}: not a contact of account "
                            f"{row['account_id']!r}")
        try:
            _check(kind=kind, account_id=row["account_id"], occurred_on=day, today=today,
                   referred_account_id=referred)
        except TenureError as exc:
            problems.append(f"{where}: {exc}")
            continue
        parsed.append((row["account_id"], kind, day, _text(row.get("outcome")), contact, referred))
    if problems:
        raise TenureError(f"{len(problems)} problem(s), nothing imported:\n" + "\n".join(problems[:20]))
    seen = {(r.account_id, r.kind, r.occurred_on, r.referred_account_id)
            for r in session.scalars(select(AdvocacyRecord))}
    imported = 0
    for account_id, kind, day, outcome, contact, referred in parsed:
        key = (account_id, kind, day, referred)
        if key in seen:
            continue
        seen.add(key)
        session.add(AdvocacyRecord(account_id=account_id, kind=kind, occurred_on=day, outcome=outcome,
                                   contact_id=contact, referred_account_id=referred, recorded_by=actor))
        imported += 1
    session.flush()
    return imported, len(parsed) - imported


def open_escalations(*, session: Session, as_of: dt.date) -> set[str]:
    """Accounts with an escalation open at the end of `as_of` (opened by then, not resolved by then)."""
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    query = select(Escalation.account_id).where(Escalation.opened_at < end) \
        .where((Escalation.resolved_at.is_(None)) | (Escalation.resolved_at >= end))
    return set(session.scalars(query))


def _check(*, kind: str, account_id: str, occurred_on: dt.date, today: dt.date,
           referred_account_id: str | None) -> None:
    if occurred_on > today:
        raise TenureError(f"date {occurred_on} is in the future (today is {today}); record asks once made")
    if kind == "referral" and not referred_account_id:
        raise TenureError("a referral needs the referred account (--referred ACCOUNT, column referred_account_id)")
    if kind != "referral" and referred_account_id:
        raise TenureError(f"only a referral names a referred account; this is a {kind}")
    if referred_account_id and referred_account_id == account_id:
        raise TenureError(f"account {account_id} cannot refer itself")


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None
