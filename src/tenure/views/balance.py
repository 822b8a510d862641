"""The book-balancing view: a proposal of owner reassignments for a workspace, and recording it.

The book is the effective one — loaded owners with the reassignments already made in tenure
applied (`owners`, read from the workflow store by the caller) — so a proposal recorded with
`record_moves` is the starting point of the next one. Those reassignments are the current
truth of ownership, so they apply whatever `as_of` is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from tenure.errors import NotFound
from tenure.operating.balance import BOOK_COLUMNS, BalancePlan, csms_on_record, propose_moves
from tenure.views.book import book_at

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.workspace import Workspace


def balance_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None,
               max_moves: int | None = None, freeze_days: int | None = None,
               segment: str | None = None) -> BalancePlan:
    """Propose reassignments that even out the CSMs' utilisation in each segment (operating.balance).

    `max_moves` and `freeze_days` default to `coverage.balance_max_moves` and `coverage.balance_freeze_days`.
    """
    config = ws.config.coverage
    team = ws.warehouse.table("team")
    if team is None:
        raise NotFound("book balancing needs the team table (people with role csm, their segment and "
                       "capacity_hours); load a team file first")
    csms = ws.warehouse.execute(csms_on_record(team, as_of=as_of, default_capacity=config.capacity_hours))
    book = ws.warehouse.execute(book_at(ws, as_of=as_of, owners=owners).select(*BOOK_COLUMNS))
    return propose_moves(
        book, csms, team=ws.warehouse.execute(team), as_of=as_of, segment=segment,
        max_moves=config.balance_max_moves if max_moves is None else max_moves,
        freeze_days=config.balance_freeze_days if freeze_days is None else freeze_days,
    )


def record_moves(session: Session, plan: BalancePlan, *, as_of: dt.date, actor: str) -> int:
    """Record every move of `plan` as an owner reassignment (with its timeline entry and audit trail).

    The caller's session is the transaction: all the moves are committed together or none is.
    """
    from tenure.workflow.plans import reassign

    reason = f"book balancing {as_of.isoformat()}"
    for move in plan.moves.itertuples(index=False):
        reassign(session, move.account_id, move.to_owner, reason=reason, actor=actor)
    session.flush()
    return len(plan.moves)
