"""Running the playbooks for a workspace at a date: state, rules, one transaction, then webhooks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from tenure.playbooks.engine import Outcome, evaluate
from tenure.playbooks.messages import deliver
from tenure.playbooks.state import account_state
from tenure.workflow.churn import EXIT_RULE, open_exit_interviews
from tenure.workflow.store import WorkflowStore

if TYPE_CHECKING:
    from tenure.workspace import Workspace


def run_playbooks(ws: Workspace, *, as_of: dt.date, dry_run: bool = False) -> Outcome:
    """Evaluate every rule at `as_of` and apply the result (or only report it, in a dry run)."""
    store = WorkflowStore.of(ws)
    try:
        store.upgrade()
        managers, director = _chain(ws)
        with store.session() as session:
            state = account_state(ws, session, as_of=as_of)
            outcome = evaluate(ws.config.playbooks, state, session, as_of=as_of, managers=managers,
                               director=director, dry_run=dry_run)
            owners = dict(zip(state["account_id"], state["owner"], strict=True))
            interviews = open_exit_interviews(session, _losses(ws, as_of), as_of=as_of, owners=owners,
                                              due_days=ws.config.churn_reasons.exit_interview_days, dry_run=dry_run)
            outcome.count(EXIT_RULE, "opened", interviews)
            if dry_run:
                session.rollback()
        if not dry_run:
            with store.session() as session:
                outcome.delivered = deliver(session, ws.config.playbooks.rules)
        return outcome
    finally:
        store.dispose()


def _losses(ws: Workspace, as_of: dt.date) -> pd.DataFrame:
    """Churns and contractions of the last month-end on or before `as_of`, with the ARR each lost."""
    from tenure.metrics import revenue
    from tenure.metrics.calendar import last_closed_month, month_end_of_index
    from tenure.views.revenue import account_mrr

    month = last_closed_month(as_of)
    moves = revenue.movements(account_mrr(ws, as_of=as_of), as_of=as_of,
                              reactivation_window_months=ws.config.revenue.reactivation_window_months)
    lost = moves.filter((moves.month == month) & moves.movement.isin(["churn", "contraction"]))
    frame = ws.warehouse.execute(lost.select("account_id", "movement", arr_lost=(-lost.change * 12).cast("float64")))
    return frame.assign(month_end=month_end_of_index(month))


def _chain(ws: Workspace) -> tuple[dict[str, str | None], str | None]:
    """Each team member's manager, and the director escalations end with (from the `team` table)."""
    team = ws.warehouse.table("team")
    if team is None:
        return {}, None
    people = ws.warehouse.execute(team)
    current = people[people["left_at"].isna()] if "left_at" in people.columns else people
    managers = dict(zip(current["person_id"], current.get("manager_id", [None] * len(current)), strict=True))
    directors = current[current["role"] == "director"]["person_id"].tolist()
    return {k: (None if v is None or v != v else v) for k, v in managers.items()}, (directors[0] if directors else None)
