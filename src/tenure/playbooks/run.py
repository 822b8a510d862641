"""Running the playbooks for a workspace at a date: state, rules, one transaction, then webhooks."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tenure.playbooks.engine import Outcome, evaluate
from tenure.playbooks.messages import deliver
from tenure.playbooks.state import account_state
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
            if dry_run:
                session.rollback()
        if not dry_run:
            with store.session() as session:
                outcome.delivered = deliver(session, ws.config.playbooks.rules)
        return outcome
    finally:
        store.dispose()


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
