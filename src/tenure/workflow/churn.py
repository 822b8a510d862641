"""Churn reasons and exit interviews: why ARR was lost, recorded against the ARR that was lost.

Every churn or contraction (a monthly movement of the revenue engine) opens an exit-interview
CTA, a 15-minute call, once per account and month. Its answer is a churn-reason record —
primary and secondary reason from the taxonomy in tenure.yaml, voluntary or not, competitor,
what would have made them stay — and recording it closes the CTA. Lost renewals in the CRM
(`opportunities` with `churn_reason`) can be imported as reasons too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select

from tenure.errors import TenureError
from tenure.playbooks.engine import close
from tenure.workflow.models import ChurnReason, Cta, TimelineEntry

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.config import ChurnReasons

EXIT_RULE = "exit-interview"


def exit_rule(month_end: dt.date) -> str:
    return f"{EXIT_RULE}:{month_end:%Y-%m}"


def open_exit_interviews(session: Session, losses: pd.DataFrame, *, as_of: dt.date, due_days: int,
                         owners: dict[str, str | None], dry_run: bool = False) -> int:
    """One exit-interview CTA per account and month with a churn or contraction (never twice, even once closed).

    `losses` has `account_id`, `month_end`, `movement` (churn or contraction) and `arr_lost`.
    """
    opened = 0
    for row in losses.to_dict("records"):
        month_end = pd.Timestamp(row["month_end"]).date()
        rule = exit_rule(month_end)
        seen = session.scalar(select(Cta.id).where(Cta.rule == rule, Cta.account_id == row["account_id"]))
        if seen is not None:
            continue
        opened += 1
        if dry_run:
            continue
        cta = Cta(account_id=row["account_id"], kind="lifecycle", rule=rule, priority="medium", status="open",
                  owner_person_id=owners.get(row["account_id"]), due_date=as_of + dt.timedelta(days=due_days),
                  reason=f"Exit interview (15 minutes): {row['movement']} of {row['arr_lost']:,.0f} ARR in "
                         f"{month_end:%B %Y}. Record the answer with `tenure churn-reasons add`.")
        session.add(cta)
        session.flush()
        session.add(TimelineEntry(account_id=cta.account_id, kind="cta_opened", cta_id=cta.id, author="tenure",
                                  text=f"CTA #{cta.id} opened: exit interview after the {row['movement']} of "
                                       f"{month_end:%B %Y}"))
    return opened


def record(session: Session, taxonomy: ChurnReasons, *, account_id: str, occurred_on: dt.date, movement: str,
           arr_lost: float, primary: str, secondary: str | None = None, competitor: str | None = None,
           stay_condition: str | None = None, interviewed: bool = False, actor: str) -> ChurnReason:
    """Record why ARR was lost; closes the account's open exit-interview CTA when the answer is an interview."""
    for name, value in (("reason", primary), ("secondary reason", secondary)):
        if value is not None and value not in taxonomy.reasons:
            raise TenureError(f"{name} {value!r} is not in the churn-reason taxonomy of tenure.yaml; known: "
                              f"{', '.join(taxonomy.reasons)}")
    if movement not in ("churn", "contraction"):
        raise TenureError(f"movement must be churn or contraction, not {movement!r}")
    if arr_lost < 0:
        raise TenureError(f"ARR lost must not be negative, got {arr_lost}")
    reason = ChurnReason(account_id=account_id, occurred_on=occurred_on, movement=movement, arr_lost=arr_lost,
                         primary_reason=primary, secondary_reason=secondary,
                         voluntary=taxonomy.reasons[primary] == "voluntary", competitor=competitor,
                         stay_condition=stay_condition, interviewed=interviewed, recorded_by=actor)
    session.add(reason)
    session.add(TimelineEntry(account_id=account_id, kind="churn_reason", author=actor,
                              text=f"Churn reason recorded for the {movement} of {arr_lost:,.0f} ARR: {primary}"
                                   + (f" / {secondary}" if secondary else "")
                                   + (f"; competitor {competitor}" if competitor else "")))
    if interviewed:
        for cta in session.scalars(select(Cta).where(Cta.account_id == account_id, Cta.status == "open",
                                                     Cta.rule.like(f"{EXIT_RULE}:%"))):
            close(cta, session, f"Exit interview recorded: {primary}", author=actor)
    return reason


def import_from_crm(session: Session, taxonomy: ChurnReasons, lost: pd.DataFrame, *, actor: str) -> tuple[int, int]:
    """Reasons of lost renewals (`opportunities` rows with a churn_reason); returns (imported, already there).

    `lost` has account_id, close_date, amount (ARR lost) and churn_reason. An (account, date)
    already recorded is skipped, so importing again adds nothing.
    """
    unknown = sorted(set(lost["churn_reason"]) - set(taxonomy.reasons))
    if unknown:
        raise TenureError(f"CRM churn reasons not in the taxonomy of tenure.yaml: {', '.join(unknown)}; "
                          "add them under churn_reasons.reasons")
    present = {(r.account_id, r.occurred_on) for r in session.scalars(select(ChurnReason))}
    imported = 0
    for row in lost.to_dict("records"):
        day = pd.Timestamp(row["close_date"]).date()
        if (row["account_id"], day) in present:
            continue
        present.add((row["account_id"], day))
        session.add(ChurnReason(account_id=row["account_id"], occurred_on=day, movement="churn",
                                arr_lost=float(row["amount"] or 0), primary_reason=row["churn_reason"],
                                voluntary=taxonomy.reasons[row["churn_reason"]] == "voluntary",
                                interviewed=False, recorded_by=actor))
        imported += 1
    return imported, len(lost) - imported
