"""The desk's records of deals in the making: expansion-lead CTAs and deal-vetting flags.

An expansion lead becomes a CTA of kind `expansion` for the account's expansion owner (routed by
`ownership:`), under the rule `desk:<signal>`: one open CTA per account and signal, never a second
while it is open (the store's unique index enforces it too); once its owner closes it, a signal
still firing on a later run opens a new one. A vetting flag is recorded once per deal and rule.
Keyword-only service functions; they flush, the CLI command commits.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.desk.expansions import RULE_PREFIX
from tenure.errors import TenureError
from tenure.workflow.models import Cta, DealFlag, TimelineEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

LEAD_PRIORITY = "medium"
FLAG_TABLE_COLUMNS = ["id", "opportunity_id", "account_id", "rule", "detail", "fit_score", "flagged_at"]


def open_lead_ctas(*, session: Session, leads: pd.DataFrame, as_of: dt.date, due_days: int,
                   dry_run: bool = False) -> pd.DataFrame:
    """Open a CTA for each lead (account_id, rule, signal, detail, expansion_owner) that has none open.

    An account already holding an open expansion CTA (a playbook's, or another signal's lead) gets no
    second one: its owner has the expansion conversation open already. Returns the leads with
    `action` (opened, already_open, covered) and `cta_id` (the new, the open or the covering CTA).
    """
    missing = {"account_id", "rule", "signal", "detail", "expansion_owner"} - set(leads.columns)
    if missing:
        raise TenureError(f"expansion leads lack column(s) {', '.join(sorted(missing))}")
    if not all(str(rule).startswith(RULE_PREFIX) for rule in leads["rule"]):
        raise TenureError(f"expansion-lead rules start with {RULE_PREFIX!r}")
    rules = sorted(set(leads["rule"]))
    open_ = {(c.rule, c.account_id): c.id for c in session.scalars(
        select(Cta).where(Cta.status == "open", Cta.rule.in_(rules)))} if rules else {}
    covering = {c.account_id: c.id for c in session.scalars(
        select(Cta).where(Cta.status == "open", Cta.kind == "expansion").order_by(Cta.id))}
    at = dt.datetime.combine(as_of, dt.time(23, 59, 59))
    actions, ids = [], []
    for lead in leads.to_dict("records"):
        key = (lead["rule"], lead["account_id"])
        if key in open_:
            actions.append("already_open")
            ids.append(open_[key])
            continue
        if lead["account_id"] in covering:
            actions.append("covered")
            ids.append(covering[lead["account_id"]])
            continue
        actions.append("opened")
        if dry_run:
            covering[lead["account_id"]] = None  # as the real run would: its next lead is covered
            ids.append(None)
            continue
        owner = lead["expansion_owner"] if isinstance(lead["expansion_owner"], str) else None
        cta = Cta(account_id=lead["account_id"], kind="expansion", rule=lead["rule"], priority=LEAD_PRIORITY,
                  status="open", owner_person_id=owner, due_date=as_of + dt.timedelta(days=due_days), opened_at=at,
                  reason=f"Expansion lead ({lead['signal']}): {lead['detail']}")
        session.add(cta)
        session.flush()
        open_[key] = covering[cta.account_id] = cta.id
        ids.append(cta.id)
        session.add(TimelineEntry(account_id=cta.account_id, kind="cta_opened", cta_id=cta.id, author="tenure",
                                  occurred_at=at, text=f"CTA #{cta.id} opened by {lead['rule']} (expansion lead for "
                                                       f"{owner or 'no owner on record'}): {lead['detail']}; due "
                                                       f"{cta.due_date}"))
    return leads.assign(action=actions, cta_id=ids)


def record_flags(*, session: Session, flags: pd.DataFrame, as_of: dt.date) -> tuple[int, int]:
    """Record each deal's flags (opportunity_id, account_id, rule, detail, fit_score) once per deal and rule,
    stamped at the end of `as_of`; returns (recorded, already recorded)."""
    seen = {(f.opportunity_id, f.rule) for f in session.scalars(select(DealFlag))}
    at = dt.datetime.combine(as_of, dt.time(23, 59, 59))
    recorded = 0
    for flag in flags.to_dict("records"):
        key = (flag["opportunity_id"], flag["rule"])
        if key in seen:
            continue
        seen.add(key)
        score = flag.get("fit_score")
        session.add(DealFlag(opportunity_id=flag["opportunity_id"], account_id=flag["account_id"], rule=flag["rule"],
                             detail=flag["detail"], fit_score=None if score is None or score != score else float(score),
                             flagged_at=at))
        recorded += 1
    session.flush()
    return recorded, len(flags) - recorded


def get_all_flags(*, session: Session) -> pd.DataFrame:
    """Every recorded deal flag (FLAG_TABLE_COLUMNS), oldest first."""
    rows = [{c: getattr(f, c) for c in FLAG_TABLE_COLUMNS}
            for f in session.scalars(select(DealFlag).order_by(DealFlag.flagged_at, DealFlag.id))]
    return pd.DataFrame(rows, columns=FLAG_TABLE_COLUMNS)


def feature_request_statuses(*, session: Session) -> pd.DataFrame:
    """Every feature request's title and status (whether or not an account is linked): the known-gaps source."""
    from tenure.workflow.models import FeatureRequest

    rows = session.execute(select(FeatureRequest.title, FeatureRequest.status).order_by(FeatureRequest.id)).all()
    return pd.DataFrame(rows, columns=["title", "status"])
