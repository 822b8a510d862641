"""The CTA queue: the calls to action on the accounts in the user's scope, filtered in the URL, and bulk assign.

A user sees the CTAs of the accounts they may see (their book, their team's books, the company),
whoever owns the CTA; overdue counts from the day the pages describe (the latest `tenure run`).
Bulk assign is all or none: every CTA must exist, be open and sit on an account in the user's
scope, and the new owner must be a person of the loaded team, or nothing changes.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from tenure.errors import NotFound
from tenure.web.access import WHOLE_COMPANY, Principal
from tenure.web.deps import allow, directory, state, visible
from tenure.web.pages import render
from tenure.web.paging import Paging
from tenure.workflow import ctas
from tenure.workflow.models import CTA_KINDS

router = APIRouter()
STATUSES = ("open", "closed", "all")
FILTERS = ("owner", "kind", "overdue", "status")  # the query parameters a saved view of the queue keeps
WORK_COLUMNS = ["account_id", "open_ctas", "overdue_ctas", "open_risk_ctas", "open_renewal_ctas"]


class QueueFilters:
    """The queue's filters, from the URL: a filtered queue is a link someone can save or share."""

    def __init__(self, owner: str | None = Query(None, description="Only CTAs of this team person_id."),
                 kind: str | None = Query(None, description=f"One of {', '.join(CTA_KINDS)}."),
                 overdue: bool = Query(False, description="Only open CTAs past their due date."),
                 status: str = Query("open", description=f"One of {', '.join(STATUSES)}.")):
        self.owner = owner or None
        self.kind = kind or None
        self.overdue = overdue
        self.status = status
        if self.kind is not None and self.kind not in CTA_KINDS:
            raise HTTPException(400, f"kind must be one of {', '.join(CTA_KINDS)}, not {self.kind!r}")
        if status not in STATUSES:
            raise HTTPException(400, f"status must be one of {', '.join(STATUSES)}, not {status!r}")

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (those set)."""
        values = {"owner": self.owner, "kind": self.kind, "overdue": "true" if self.overdue else None,
                  "status": self.status if self.status != "open" else None}
        return {k: v for k, v in values.items() if v is not None}


def scoped_queue(principal: Principal, request: Request, filters: QueueFilters) -> pd.DataFrame:
    """The queue (most overdue, then most urgent first) on the accounts the user may see, with names."""
    app = state(request)
    with app.store.session() as session:
        frame = ctas.queue(session, today=app.as_of(), owner=filters.owner, kind=filters.kind,
                           overdue=filters.overdue, status=filters.status)
    seen = visible(principal, request)
    frame = frame[frame["account_id"].isin(seen["account_id"])]
    return frame.assign(name=frame["account_id"].map(seen.set_index("account_id")["name"]),
                        owner_name=frame["owner"].map(directory(request).names)).reset_index(drop=True)


def open_work(request: Request) -> pd.DataFrame:
    """Per account with open CTAs (WORK_COLUMNS): open, overdue, open risk and open renewal CTAs.

    Company-wide; callers merge it onto the accounts the user may see.
    """
    app = state(request)
    with app.store.session() as session:
        work = ctas.open_counts(session, today=app.as_of())
    return work.astype({c: int for c in WORK_COLUMNS[1:]})[WORK_COLUMNS]


def with_open_work(frame: pd.DataFrame, request: Request) -> pd.DataFrame:
    """`frame` (one row per account) with its open-work counts, zero where an account has none."""
    merged = frame.merge(open_work(request), on="account_id", how="left")
    return merged.fillna({c: 0 for c in WORK_COLUMNS[1:]}).astype({c: int for c in WORK_COLUMNS[1:]})


def assign_in_scope(principal: Principal, request: Request, cta_ids: list[int], owner: str) -> list[int]:
    """Assign the CTAs to `owner`, all or none: each must exist, be open and be on an account the user may see."""
    wanted = list(dict.fromkeys(cta_ids))
    if not wanted:
        raise HTTPException(400, "choose at least one CTA to assign")
    if owner not in directory(request).names:
        raise HTTPException(400, f"owner {owner!r} is not a person_id of the loaded team table")
    seen = set(visible(principal, request)["account_id"])
    with state(request).store.session(actor=principal.email) as session:
        for cta_id in wanted:
            try:
                account_id = ctas.get(session, cta_id).account_id
            except NotFound:
                if principal.role in WHOLE_COMPANY:
                    raise HTTPException(404, f"no CTA with id {cta_id}") from None
                account_id = None
            if account_id not in seen:
                raise HTTPException(403, f"CTA #{cta_id} is not on an account in your scope: nothing was assigned")
        done = ctas.assign(session, wanted, owner, actor=principal.email)
        return [c.id for c in done]


def owners(request: Request) -> list[tuple[str, str]]:
    """The people a CTA can go to (person_id, name), by name."""
    return sorted(directory(request).names.items(), key=lambda pair: (str(pair[1]), pair[0]))


@router.get("/ctas", include_in_schema=False)
def ctas_page(request: Request, filters: QueueFilters = Depends(), paging: Paging = Depends(),
              assigned: int | None = None, to: str | None = None,
              principal: Principal = Depends(allow("accounts"))):
    queue = scoped_queue(principal, request, filters)
    return render(request, "ctas.html", principal, rows=paging.slice(queue).to_dict("records"), total=len(queue),
                  overdue=int((queue["days_overdue"] > 0).sum()), paging=paging,
                  pages=max(1, -(-len(queue) // paging.per_page)), filters=filters, kinds=CTA_KINDS,
                  statuses=STATUSES, people=owners(request), names=directory(request).names,
                  back=urlencode(filters.query()), as_of=state(request).as_of(), assigned=assigned, to=to,
                  may_assign=principal.can("assign"))


@router.post("/ctas/assign", include_in_schema=False)
def ctas_assign(request: Request, cta_id: list[int] = Form([]), owner: str = Form(...), back: str = Form(""),
                principal: Principal = Depends(allow("assign"))):
    """Bulk assign from the queue page; back to the same filtered queue, saying what was done."""
    done = assign_in_scope(principal, request, cta_id, owner)
    kept = {k: v for k, v in parse_qsl(back) if k in FILTERS}
    return RedirectResponse("/ctas?" + urlencode({**kept, "assigned": len(done), "to": owner}), status_code=303)


@router.get("/api/v1/ctas", tags=["ctas"])
def ctas_api(request: Request, filters: QueueFilters = Depends(), paging: Paging = Depends(),
             principal: Principal = Depends(allow("accounts"))) -> dict:
    """The CTA queue on the accounts in your scope: most overdue, then most urgent first.

    `days_overdue` counts from `as_of`, the day the data describes (the latest `tenure run`).
    """
    queue = scoped_queue(principal, request, filters)
    return {"as_of": state(request).as_of().isoformat(), **paging.envelope(queue)}


class Assignment(BaseModel):
    cta_ids: list[int] = Field(min_length=1, description="The CTAs to assign: all must be open and in your scope.")
    owner: str = Field(min_length=1, description="The team person_id who takes them.")


class Assigned(BaseModel):
    assigned: list[int]
    owner: str


@router.post("/api/v1/ctas/assign", response_model=Assigned, tags=["ctas"])
def assign_api(request: Request, body: Assignment, principal: Principal = Depends(allow("assign"))) -> Assigned:
    """Assign CTAs to a team member, all or none: one CTA closed, unknown or outside your scope and nothing changes."""
    return Assigned(assigned=assign_in_scope(principal, request, body.cta_ids, body.owner), owner=body.owner)
