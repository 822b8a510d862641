"""Success plans and account ownership set in tenure.

A success plan holds an account's objectives and the success criteria agreed with it, flagged
when agreed before signature, each tracked to done with its evidence. An owner reassignment
made in tenure (a manager's change, book balancing) overrides the loaded owner until the CRM
agrees (DESIGN.md, ownership), and goes on the account's timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import func, select

from tenure.errors import NotFound, TenureError
from tenure.workflow.models import OwnerAssignment, SuccessCriterion, SuccessPlan, TimelineEntry, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add_plan(session: Session, account_id: str, objective: str, *, actor: str) -> SuccessPlan:
    if not objective.strip():
        raise TenureError("a success plan needs an objective")
    plan = SuccessPlan(account_id=account_id, objective=objective.strip())
    session.add(plan)
    session.flush()
    session.add(TimelineEntry(account_id=account_id, kind="success_plan", author=actor,
                              text=f"Success plan #{plan.id}: {plan.objective}"))
    return plan


def add_criterion(session: Session, plan_id: int, text: str, *, before_signature: bool = False) -> SuccessCriterion:
    plan = session.get(SuccessPlan, plan_id)
    if plan is None:
        raise NotFound(f"no success plan with id {plan_id}")
    criterion = SuccessCriterion(criterion=text.strip(), agreed_before_signature=before_signature)
    plan.criteria.append(criterion)
    session.flush()
    return criterion


def complete(session: Session, criterion_id: int, evidence: str, *, actor: str) -> SuccessCriterion:
    """Mark a criterion done with its evidence; the plan is achieved when every criterion is."""
    criterion = session.get(SuccessCriterion, criterion_id)
    if criterion is None:
        raise NotFound(f"no success criterion with id {criterion_id}")
    if not evidence.strip():
        raise TenureError("a criterion is done with evidence: say what shows it")
    criterion.status, criterion.evidence, criterion.done_at = "done", evidence.strip(), utcnow()
    plan = criterion.plan
    session.add(TimelineEntry(account_id=plan.account_id, kind="success_criterion", author=actor,
                              text=f"Success criterion met: {criterion.criterion} ({criterion.evidence})"))
    if all(c.status == "done" for c in plan.criteria):
        plan.status = "achieved"
    return criterion


def plans(session: Session, account_id: str | None = None) -> pd.DataFrame:
    query = select(SuccessPlan).order_by(SuccessPlan.id)
    if account_id is not None:
        query = query.where(SuccessPlan.account_id == account_id)
    rows = [{"plan": p.id, "account_id": p.account_id, "objective": p.objective, "plan_status": p.status,
             "criterion": c.id, "text": c.criterion, "before_signature": c.agreed_before_signature,
             "status": c.status, "evidence": c.evidence}
            for p in session.scalars(query) for c in (p.criteria or [SuccessCriterion(criterion="")])]
    return pd.DataFrame(rows, columns=["plan", "account_id", "objective", "plan_status", "criterion", "text",
                                       "before_signature", "status", "evidence"])


def owner_overrides(session: Session, *, before: dt.datetime | None = None) -> dict[str, str]:
    """Each account's latest owner set in tenure (made before `before`, when given)."""
    query = select(OwnerAssignment.account_id, func.max(OwnerAssignment.id).label("id"))
    if before is not None:
        query = query.where(OwnerAssignment.assigned_at < before)
    latest = query.group_by(OwnerAssignment.account_id).subquery()
    rows = session.execute(select(OwnerAssignment.account_id, OwnerAssignment.owner_person_id)
                           .join(latest, OwnerAssignment.id == latest.c.id)).all()
    return dict(rows)


def reassign(session: Session, account_id: str, owner: str, *, reason: str | None, actor: str) -> OwnerAssignment:
    """Make `owner` the account's owner in tenure (it overrides the loaded owner_csm_id)."""
    assignment = OwnerAssignment(account_id=account_id, owner_person_id=owner, reason=reason, assigned_by=actor)
    session.add(assignment)
    session.add(TimelineEntry(account_id=account_id, kind="owner_changed", author=actor,
                              text=f"Owner set to {owner}" + (f": {reason}" if reason else "")))
    return assignment
