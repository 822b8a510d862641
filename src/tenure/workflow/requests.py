"""Feature requests linked to the accounts that asked, and customer escalations.

When a request's status changes, every requesting account's timeline gets an entry, so the CSM
can close the loop with the customer. An escalation is a record of its own — severity, the
executive and cross-functional owners, opened, resolved, time to resolve — on the timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.errors import NotFound, TenureError
from tenure.workflow.models import (
    FEATURE_STATUSES,
    Escalation,
    FeatureRequest,
    FeatureRequestAccount,
    TimelineEntry,
    utcnow,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEVERITIES = ("low", "medium", "high", "critical")


def request_feature(session: Session, title: str, account_id: str, *, actor: str,
                    beta: bool = False) -> FeatureRequest:
    """Link an account to a feature request, creating the request on first ask."""
    title = title.strip()
    if not title:
        raise TenureError("a feature request needs a title")
    request = session.scalar(select(FeatureRequest).where(FeatureRequest.title == title))
    if request is None:
        request = FeatureRequest(title=title, status="under review")
        session.add(request)
        session.flush()
    if any(link.account_id == account_id for link in request.accounts):
        raise TenureError(f"account {account_id} already asked for {title!r}")
    request.accounts.append(FeatureRequestAccount(account_id=account_id, beta_enrolled=beta))
    session.add(TimelineEntry(account_id=account_id, kind="feature_request", author=actor,
                              text=f"Asked for feature request #{request.id} {title!r} ({request.status})"))
    return request


def set_status(session: Session, request_id: int, status: str, *, actor: str) -> tuple[FeatureRequest, int]:
    """Change a request's status; every requesting account's timeline hears of it. Returns (request, accounts)."""
    if status not in FEATURE_STATUSES:
        raise TenureError(f"status must be one of {', '.join(FEATURE_STATUSES)}, not {status!r}")
    request = session.get(FeatureRequest, request_id)
    if request is None:
        raise NotFound(f"no feature request with id {request_id}")
    before, request.status = request.status, status
    for link in request.accounts:
        session.add(TimelineEntry(account_id=link.account_id, kind="feature_status", author=actor,
                                  text=f"Feature request {request.title!r} moved from {before} to {status}: "
                                       "tell the customer"))
    return request, len(request.accounts)


def import_requests(session: Session, rows: pd.DataFrame, *, known_accounts: set[str], actor: str,
                    source: str) -> tuple[int, int]:
    """Import `title, account_id[, status][, beta]` rows; returns (linked, already linked).

    Every row is checked first (unknown account, unknown status, empty title) and a bad file
    changes nothing; a request an account already made is skipped, so importing again adds nothing.
    """
    missing = {"title", "account_id"} - set(rows.columns)
    if missing:
        raise TenureError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    problems = []
    for i, row in enumerate(rows.to_dict("records"), start=2):
        status = (row.get("status") or "under review") if isinstance(row.get("status"), str) else "under review"
        if not str(row["title"] or "").strip():
            problems.append(f"{source}, row {i}, column title: empty")
        if row["account_id"] not in known_accounts:
            problems.append(f"{source}, row {i}, column account_id, value {row['account_id']!r}: unknown account")
        if status not in FEATURE_STATUSES:
            problems.append(f"{source}, row {i}, column status, value {status!r}: not one of "
                            f"{', '.join(FEATURE_STATUSES)}")
    if problems:
        raise TenureError(f"{len(problems)} problem(s), nothing imported:\n" + "\n".join(problems[:20]))
    linked = skipped = 0
    for row in rows.to_dict("records"):
        title = str(row["title"]).strip()
        request = session.scalar(select(FeatureRequest).where(FeatureRequest.title == title))
        if request is None:
            request = FeatureRequest(title=title, status=row.get("status") or "under review")
            session.add(request)
            session.flush()
        if any(link.account_id == row["account_id"] for link in request.accounts):
            skipped += 1
            continue
        beta = str(row.get("beta", "")).strip().lower() in ("true", "1", "yes")
        request.accounts.append(FeatureRequestAccount(account_id=row["account_id"], beta_enrolled=beta))
        linked += 1
    return linked, skipped


def feature_requests(session: Session) -> pd.DataFrame:
    """Each request with its status and requesting accounts (one row per account)."""
    rows = [{"id": r.id, "title": r.title, "status": r.status, "account_id": link.account_id,
             "beta_enrolled": link.beta_enrolled}
            for r in session.scalars(select(FeatureRequest).order_by(FeatureRequest.id)) for link in r.accounts]
    return pd.DataFrame(rows, columns=["id", "title", "status", "account_id", "beta_enrolled"])


def open_escalation(session: Session, account_id: str, *, severity: str, summary: str, actor: str,
                    executive: str | None = None, cross_functional: str | None = None,
                    opened_at: dt.datetime | None = None) -> Escalation:
    if severity not in SEVERITIES:
        raise TenureError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    escalation = Escalation(account_id=account_id, severity=severity, summary=summary,
                            exec_owner_person_id=executive, cross_functional_owner=cross_functional,
                            opened_at=opened_at or utcnow())
    session.add(escalation)
    session.flush()
    session.add(TimelineEntry(account_id=account_id, kind="escalation_opened", author=actor,
                              occurred_at=escalation.opened_at,
                              text=f"Escalation #{escalation.id} ({severity}) opened: {summary}"))
    return escalation


def resolve_escalation(session: Session, escalation_id: int, *, actor: str,
                       resolved_at: dt.datetime | None = None) -> Escalation:
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound(f"no escalation with id {escalation_id}")
    if escalation.resolved_at is not None:
        raise TenureError(f"escalation #{escalation_id} was resolved on {escalation.resolved_at:%Y-%m-%d}")
    escalation.resolved_at = resolved_at or utcnow()
    hours = (escalation.resolved_at - escalation.opened_at).total_seconds() / 3600
    session.add(TimelineEntry(account_id=escalation.account_id, kind="escalation_resolved", author=actor,
                              occurred_at=escalation.resolved_at,
                              text=f"Escalation #{escalation.id} resolved after {hours:.0f} hours"))
    return escalation


def escalations(session: Session, *, open_only: bool = False) -> pd.DataFrame:
    query = select(Escalation).order_by(Escalation.opened_at.desc())
    if open_only:
        query = query.where(Escalation.resolved_at.is_(None))
    rows = [{"id": e.id, "account_id": e.account_id, "severity": e.severity, "summary": e.summary,
             "executive": e.exec_owner_person_id, "cross_functional": e.cross_functional_owner,
             "opened_at": e.opened_at, "resolved_at": e.resolved_at,
             "hours_to_resolve": (e.resolved_at - e.opened_at).total_seconds() / 3600 if e.resolved_at else None}
            for e in session.scalars(query)]
    return pd.DataFrame(rows, columns=["id", "account_id", "severity", "summary", "executive", "cross_functional",
                                       "opened_at", "resolved_at", "hours_to_resolve"])
