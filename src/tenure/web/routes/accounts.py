"""The accounts area: the filterable list, the account 360, and the notes and CTAs people add from it.

The list is one company-wide frame (`tenure.web.account_list`) cut to the user's scope per
request; the 360 cuts the account from company-wide frames read once per data version
(`tenure.web.account_frames`, `tenure.web.account_page`) and reads what people recorded fresh
from the workflow store; its charts are drawn when the browser asks for them.
Changes — a note, a CTA opened or closed — need the `write` permission and the account in
the user's scope; from a page they are forms (CSRF-checked, POST then redirect back), from
scripts JSON under `/api/v1`. Every change is made as the signed-in user, who is the audit
log's actor and the timeline's author.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from tenure.web.access import WHOLE_COMPANY, Principal, may_change
from tenure.web.account_frames import AccountsAt, accounts_at
from tenure.web.account_list import (
    PAGE_SIZE,
    AccountFilters,
    account_filters,
    api_rows,
    choices,
    company_accounts,
    in_scope,
    page_rows,
    select_accounts,
)
from tenure.web.account_page import (
    AccountFacts,
    AccountWork,
    account_facts,
    account_record,
    account_work,
)
from tenure.web.deps import allow, directory, directory_of, require_account, state, visible
from tenure.web.pages import render
from tenure.web.paging import Paging
from tenure.web.state import AppState
from tenure.workflow.models import CTA_KINDS, PRIORITIES, Cta

if TYPE_CHECKING:
    import pandas as pd

router = APIRouter()


def _accounts(request: Request) -> pd.DataFrame:
    return account_list_of(state(request))


def account_list_of(app: AppState) -> pd.DataFrame:
    """Every account's row of the list, built once per data version."""
    as_of = app.as_of()
    return app.cached(("accounts", as_of), lambda: company_accounts(app.ws, directory_of(app), as_of=as_of))


def account_frames_of(app: AppState) -> AccountsAt:
    """The company-wide frames every account page is cut from, read once per data version."""
    as_of = app.as_of()
    return app.cached(("accounts at", as_of), lambda: accounts_at(app.ws, as_of=as_of))


def _listed(request: Request, principal: Principal, filters: AccountFilters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The user's accounts, and those of them that pass the filters."""
    mine = in_scope(_accounts(request), visible(principal, request))
    return mine, select_accounts(mine, filters)


@router.get("/accounts", include_in_schema=False)
def accounts_page(request: Request, principal: Principal = Depends(allow("accounts")),
                  filters: AccountFilters = Depends(account_filters), page: int = Query(1, ge=1)):
    mine, rows = _listed(request, principal, filters)
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    filters = filters.with_page(min(page, pages))
    shown = rows.iloc[(filters.page - 1) * PAGE_SIZE:filters.page * PAGE_SIZE]
    app = state(request)
    options = choices(mine, directory(request).names, bands=list(app.ws.config.health.bands))
    return render(request, "accounts.html", principal, rows=page_rows(shown), total=len(rows), pages=pages,
                  f=filters, options=options, as_of=app.as_of(), link=str(request.url))


@router.get("/api/v1/accounts", tags=["accounts"])
def accounts_api(request: Request, principal: Principal = Depends(allow("accounts")),
                 filters: AccountFilters = Depends(account_filters), paging: Paging = Depends()) -> dict:
    """The accounts in your scope with segment, health, churn probability, renewal, CSM, ARR and motion.

    The same filters and sort as the accounts page (`segment`, `band`, `csm` person_id, `motion`,
    `renewal_within` days, `q` search, `sort`, `order`); accounts no longer paying are listed with
    `paying` false and no ARR. Paginated: `items`, `page`, `per_page`, `total`, `pages`.
    """
    _mine, rows = _listed(request, principal, filters)
    return {"as_of": state(request).as_of(), **paging.envelope(api_rows(rows))}


def _facts(request: Request, account_id: str) -> AccountFacts:
    """The account's analytics, cut from the company-wide frames (read once per data version)."""
    from tenure.metrics.accounts import registered

    app = state(request)
    return account_facts(account_frames_of(app), account_id, registered(app.ws.config.value_drivers()))


CHARTS = ("arr", "health", "usage")


def _chart(request: Request, facts: AccountFacts, name: str) -> str | None:
    """One of the account's charts as an SVG document, or None when it has nothing to draw."""
    from tenure.charts.account import arr_history, health_trend
    from tenure.charts.adoption import weekly_usage
    from tenure.charts.render import to_svg

    if name == "arr" and not facts.view.arr_history.empty:
        return to_svg(arr_history(facts.view.arr_history))
    if name == "health" and not facts.health_trend.empty:
        return to_svg(health_trend(facts.health_trend, state(request).ws.config.health.bands))
    if name == "usage" and facts.weekly_usage is not None and facts.weekly_usage["events"].sum() > 0:
        return to_svg(weekly_usage(facts.weekly_usage, height=180))
    return None


def _drawn(facts: AccountFacts) -> dict[str, bool]:
    """Which charts the account has data for (the page links only those)."""
    return {"arr": not facts.view.arr_history.empty, "health": not facts.health_trend.empty,
            "usage": facts.weekly_usage is not None and bool(facts.weekly_usage["events"].sum() > 0)}


@router.get("/accounts/{account_id}/charts/{name}.svg", include_in_schema=False)
def account_chart(request: Request, account_id: str, name: str, principal: Principal = Depends(allow("accounts"))):
    """A chart of the account page, drawn when the browser asks for it: the page itself answers without waiting
    for its charts, and the browser keeps each one for the rest of the day's data."""
    require_account(principal, request, account_id)
    if name not in CHARTS:
        raise HTTPException(404, f"no chart {name!r}; charts: {', '.join(CHARTS)}")
    svg = _chart(request, _facts(request, account_id), name)
    if svg is None:
        raise HTTPException(404, f"account {account_id} has no data for the {name} chart")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=600"})


@router.get("/accounts/{account_id}", include_in_schema=False)
def account_page(request: Request, account_id: str, principal: Principal = Depends(allow("accounts")),
                 done: str | None = None):
    require_account(principal, request, account_id)
    facts, work = _account(request, principal, account_id)
    found = directory(request)
    return render(request, "account.html", principal, r=account_record(facts, work), account_id=account_id,
                  charts=_drawn(facts), owner=_owner(request, account_id), names=found.names,
                  may_write=may_change(principal, found, account_id, "write"), kinds=CTA_KINDS, priorities=PRIORITIES,
                  today=dt.date.today().isoformat(), done=done)


@router.get("/api/v1/accounts/{account_id}", tags=["accounts"])
def account_api(request: Request, account_id: str, principal: Principal = Depends(allow("accounts"))) -> dict:
    """One account's 360 at the app's date: `account` (profile, ARR, renewal), `arr_history`, `health` with
    `measures` (each measure's value, score, weight and points) and `health_trend` (stored scores), the stored
    churn score with its drivers (`prediction`), `usage`, `weekly_usage` and per-feature adoption (`features`),
    `zombie`, `contacts`, `open_ctas`, `open_escalations`, the `timeline` (notes, CTAs, escalations, meetings,
    tickets; newest first), `success_plans` and the `handoff`."""
    require_account(principal, request, account_id)
    return account_record(*_account(request, principal, account_id))


def _account(request: Request, principal: Principal, account_id: str) -> tuple[AccountFacts, AccountWork]:
    facts = _facts(request, account_id)
    with state(request).store.session(actor=principal.email) as session:
        return facts, account_work(session, account_id)


# changes: notes and CTAs


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000, description="The note.")


class NoteOut(BaseModel):
    id: int
    account_id: str
    text: str
    author: str | None
    occurred_at: dt.datetime


class CtaIn(BaseModel):
    title: str = Field(min_length=1, max_length=300, description="What to do.")
    kind: str = Field(description=", ".join(CTA_KINDS))
    priority: str = Field("medium", description=", ".join(PRIORITIES))
    due_date: dt.date


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=10_000, description="What was done.")


class CtaOut(BaseModel):
    id: int
    account_id: str
    kind: str
    reason: str
    priority: str
    status: str
    owner: str | None
    due_date: dt.date
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    close_note: str | None


def _cta_out(cta: Cta) -> CtaOut:
    return CtaOut(id=cta.id, account_id=cta.account_id, kind=cta.kind, reason=cta.reason, priority=cta.priority,
                  status=cta.status, owner=cta.owner_person_id, due_date=cta.due_date, opened_at=cta.opened_at,
                  closed_at=cta.closed_at, close_note=cta.close_note)


def _add_note(request: Request, principal: Principal, account_id: str, text: str) -> NoteOut:
    from tenure.workflow.timeline import add_note

    require_account(principal, request, account_id, change="write")
    with state(request).store.session(actor=principal.email) as session:
        entry = add_note(session, account_id, text, actor=principal.email)
        session.flush()
        return NoteOut(id=entry.id, account_id=entry.account_id, text=entry.text, author=entry.author,
                       occurred_at=entry.occurred_at)


def _owner(request: Request, account_id: str) -> str | None:
    """The account's CSM after tenure's reassignments (the directory's owner)."""
    accounts = directory(request).accounts
    found = accounts.loc[accounts["account_id"] == account_id, "owner"]
    return found.iloc[0] if len(found) else None


def _open_cta(request: Request, principal: Principal, account_id: str, *, title: str, kind: str, priority: str,
              due_date: dt.date) -> CtaOut:
    """Open a CTA for the account's CSM; the workflow checks the title, kind, priority and due date."""
    from tenure.workflow.ctas import open_cta

    require_account(principal, request, account_id, change="write")
    owner = _owner(request, account_id)
    with state(request).store.session(actor=principal.email) as session:
        cta = open_cta(session, account_id=account_id, title=title, kind=kind, priority=priority, due_date=due_date,
                       owner=owner, actor=principal.email, today=dt.date.today())
        return _cta_out(cta)


def _close_cta(request: Request, principal: Principal, cta_id: int, note: str, *,
               account_id: str | None = None) -> CtaOut:
    """Close a CTA of an account in the user's scope; an id outside it gets the answer an unknown id gets."""
    from tenure.workflow.ctas import close_cta

    if account_id is not None:
        require_account(principal, request, account_id, change="write")
    with state(request).store.session(actor=principal.email) as session:
        cta = session.get(Cta, cta_id)
        if cta is None or (account_id is not None and cta.account_id != account_id):
            if account_id is None and principal.role not in WHOLE_COMPANY:
                raise HTTPException(403, f"CTA #{cta_id} is not in your scope")
            raise HTTPException(404, f"no CTA #{cta_id}" + (f" on account {account_id}" if account_id else ""))
        require_account(principal, request, cta.account_id, change="write")
        return _cta_out(close_cta(session, cta_id, note, actor=principal.email))


def _back(account_id: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/accounts/{quote(account_id, safe='')}?done={done}#work", status_code=303)


@router.post("/accounts/{account_id}/notes", include_in_schema=False)
def note_form(request: Request, account_id: str, principal: Principal = Depends(allow("write")),
              text: str = Form(...)):
    _add_note(request, principal, account_id, text)
    return _back(account_id, "note")


@router.post("/accounts/{account_id}/ctas", include_in_schema=False)
def cta_form(request: Request, account_id: str, principal: Principal = Depends(allow("write")),
             title: str = Form(...), kind: str = Form(...), priority: str = Form("medium"),
             due_date: dt.date = Form(...)):
    _open_cta(request, principal, account_id, title=title, kind=kind, priority=priority, due_date=due_date)
    return _back(account_id, "cta")


@router.post("/accounts/{account_id}/ctas/{cta_id}/close", include_in_schema=False)
def close_form(request: Request, account_id: str, cta_id: int, principal: Principal = Depends(allow("write")),
               note: str = Form(...)):
    _close_cta(request, principal, cta_id, note, account_id=account_id)
    return _back(account_id, "closed")


@router.post("/api/v1/accounts/{account_id}/notes", response_model=NoteOut, status_code=201, tags=["accounts"])
def note_api(request: Request, account_id: str, body: NoteIn,
             principal: Principal = Depends(allow("write"))) -> NoteOut:
    """Add a note to the account's timeline (you are its author)."""
    return _add_note(request, principal, account_id, body.text)


@router.post("/api/v1/accounts/{account_id}/ctas", response_model=CtaOut, status_code=201, tags=["accounts"])
def cta_api(request: Request, account_id: str, body: CtaIn, principal: Principal = Depends(allow("write"))) -> CtaOut:
    """Open a CTA on the account, owned by its CSM, due on `due_date` (today or later)."""
    return _open_cta(request, principal, account_id, title=body.title, kind=body.kind, priority=body.priority,
                     due_date=body.due_date)


@router.post("/api/v1/ctas/{cta_id}/close", response_model=CtaOut, tags=["ctas"])
def close_api(request: Request, cta_id: int, body: CloseIn, principal: Principal = Depends(allow("write"))) -> CtaOut:
    """Close an open CTA of an account in your scope with a note saying what was done (it goes on the timeline)."""
    return _close_cta(request, principal, cta_id, body.note)
