"""My book and Team: a user's accounts as a worklist, and each CSM's book and workload for their manager.

*My book* is the user's scope (a CSM's book, a manager's team's books, the whole company for
directors) as one list: ARR, health band and its 30-day change, churn probability, next renewal
and open or overdue CTAs, with the totals a CSM watches (book ARR, red ARR, renewals in 90 days).
*Team* shows, per CSM, the book the viewer may see (accounts, ARR, red ARR), their open and
overdue CTAs and their coverage (utilisation of capacity and its flag, from `tenure coverage`).
Books count only accounts the viewer may see: restricted accounts stay out unless they are cleared.
"""

from __future__ import annotations

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request

from tenure.web.access import WHOLE_COMPANY, Principal
from tenure.web.deps import allow, directory, state, visible
from tenure.web.pages import render
from tenure.web.paging import Paging, records
from tenure.web.routes.ctas import QueueFilters, scoped_queue, with_open_work
from tenure.web.routes.renewals import renewals_due

router = APIRouter()
BOOK_COLUMNS = ["account_id", "name", "segment", "owner", "arr", "score", "band", "score_change_30d",
                "churn_probability", "renewal_date", "days_to_renewal", "motion"]
SORTS = {  # name → (columns, ascending); empty values sort last
    "risk": (["_band_rank", "churn_probability", "arr"], [True, False, False]),
    "arr": (["arr", "account_id"], [False, True]),
    "renewal": (["renewal_date", "arr"], [True, False]),
    "change": (["score_change_30d", "arr"], [True, False]),
    "name": (["name", "account_id"], [True, True]),
}
RENEWAL_DAYS = 90  # the renewals a book's totals count
TEAM_COLUMNS = ["person_id", "csm", "segment", "accounts", "arr", "red_arr", "open_ctas", "overdue_ctas",
                "effort_hours", "capacity_hours", "utilisation", "flag"]


def company_book(request: Request) -> pd.DataFrame:
    """Every paying account at the day the pages describe (BOOK_COLUMNS), read once per data version."""
    app = state(request)

    def build() -> pd.DataFrame:
        from tenure.views.book import book_at, health_on
        from tenure.workflow.plans import owner_overrides

        as_of = app.as_of()
        with app.store.session() as session:
            owners = owner_overrides(session)
        book = app.ws.warehouse.execute(book_at(app.ws, as_of=as_of, owners=owners))
        change = app.ws.warehouse.execute(health_on(app.ws, as_of))[["account_id", "score_change_30d"]]
        frame = book.merge(change, on="account_id", how="left")[BOOK_COLUMNS]
        frame["renewal_date"] = pd.to_datetime(frame["renewal_date"]).dt.date
        return frame.astype({"arr": float, "score": float, "score_change_30d": float, "churn_probability": float})

    return app.cached("book:accounts", build)


def scoped_book(principal: Principal, request: Request, *, owner: str | None = None) -> pd.DataFrame:
    """The paying accounts the user may see (of one owner, when given)."""
    book = company_book(request)
    rows = book[book["account_id"].isin(visible(principal, request)["account_id"])]
    return rows[rows["owner"] == owner] if owner else rows


def worklist(principal: Principal, request: Request, *, owner: str | None = None, sort: str = "risk") -> pd.DataFrame:
    """The paying accounts the user may see (of one owner, when given), with open work, sorted."""
    if sort not in SORTS:
        raise HTTPException(400, f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    rows = scoped_book(principal, request, owner=owner)
    bands = {band: rank for rank, band in enumerate(state(request).ws.config.health.bands)}
    rows = with_open_work(rows, request).assign(owner_name=lambda f: f["owner"].map(directory(request).names),
                                                _band_rank=lambda f: f["band"].map(bands))
    columns, ascending = SORTS[sort]
    return rows.sort_values(columns, ascending=ascending, na_position="last", kind="stable") \
        .drop(columns="_band_rank").reset_index(drop=True)


def book_totals(rows: pd.DataFrame, request: Request) -> dict:
    """Book ARR, red ARR (the lowest health band), renewals within 90 days, open and overdue CTAs."""
    lowest = state(request).ws.config.health.lowest_band
    due = renewals_due(request, RENEWAL_DAYS)
    due = due[due["account_id"].isin(rows["account_id"])]
    red = rows["band"] == lowest
    return {"accounts": len(rows), "arr": float(rows["arr"].sum()), "red_arr": float(rows.loc[red, "arr"].sum()),
            "red_accounts": int(red.sum()), "renewals_90d": len(due), "renewals_90d_arr": float(due["arr"].sum()),
            "open_ctas": int(rows["open_ctas"].sum()), "overdue_ctas": int(rows["overdue_ctas"].sum())}


def not_paying(principal: Principal, request: Request, owner: str | None) -> pd.DataFrame:
    """The accounts in the user's scope that are not paying at the day the pages describe."""
    seen = visible(principal, request)
    if owner:
        seen = seen[seen["owner"] == owner]
    return seen[~seen["account_id"].isin(company_book(request)["account_id"])][["account_id", "name"]]


def empty_scope_message(principal: Principal, request: Request) -> str | None:
    """Why the user has no book, or None when they have one."""
    if len(visible(principal, request)):
        return None
    if principal.person_id is None and principal.role not in WHOLE_COMPANY:
        return ("Your user is not linked to a team person, so tenure cannot tell which accounts are yours: "
                "ask an admin to set your team person id.")
    return "There are no accounts in your scope."


@router.get("/book", include_in_schema=False)
def book_page(request: Request, owner: str | None = None, sort: str = "risk", paging: Paging = Depends(),
              principal: Principal = Depends(allow("accounts"))):
    rows = worklist(principal, request, owner=owner, sort=sort)
    names = directory(request).names
    return render(request, "book.html", principal, as_of=state(request).as_of(), rows=paging.slice(rows)
                  .to_dict("records"), totals=book_totals(rows, request), owner=owner or "",
                  owner_name=names.get(owner, owner) if owner else None, sort=sort, sorts=list(SORTS),
                  paging=paging, pages=max(1, -(-len(rows) // paging.per_page)),
                  idle=not_paying(principal, request, owner).to_dict("records"),
                  message=empty_scope_message(principal, request),
                  lowest=state(request).ws.config.health.lowest_band)


@router.get("/api/v1/book", tags=["book"])
def book_api(request: Request,
             owner: str | None = Query(None, description="Only the accounts of this CSM (person_id)."),
             sort: str = Query("risk", description=f"One of {', '.join(SORTS)}; risk: lowest health band first, "
                                                   "then highest churn probability, then largest ARR."),
             paging: Paging = Depends(), principal: Principal = Depends(allow("accounts"))) -> dict:
    """Your book as a worklist: the paying accounts in your scope with ARR, health band and its 30-day change,
    churn probability, next renewal, open and overdue CTAs; with the book's totals."""
    rows = worklist(principal, request, owner=owner, sort=sort)
    return {"as_of": state(request).as_of().isoformat(), "message": empty_scope_message(principal, request),
            "totals": book_totals(rows, request),
            "not_paying": records(not_paying(principal, request, owner)), **paging.envelope(rows)}


def team_members(principal: Principal, request: Request) -> set[str] | None:
    """The people whose books a user's team page shows: a manager's reports and themselves; None for everyone."""
    if principal.role in WHOLE_COMPANY:
        return None
    person = principal.person_id
    reports = {p for p, manager in directory(request).reports_to.items() if manager == person}
    return reports | ({person} if person else set())


def coverage(request: Request) -> pd.DataFrame:
    """Coverage per CSM at the day the pages describe (views.coverage), read once per data version."""
    app = state(request)

    def build() -> pd.DataFrame:
        from tenure.views.coverage import coverage_at
        from tenure.workflow.plans import owner_overrides

        with app.store.session() as session:
            owners = owner_overrides(session)
        return coverage_at(app.ws, as_of=app.as_of(), owners=owners).csms

    return app.cached("team:coverage", build)


def team(principal: Principal, request: Request) -> pd.DataFrame:
    """One row per CSM of the user's team (TEAM_COLUMNS), most utilised first.

    Accounts, ARR and red ARR count the paying accounts the user may see; CTAs are those the CSM
    owns on those accounts; effort, capacity, utilisation and flag come from coverage.
    """
    members = team_members(principal, request)
    rows = scoped_book(principal, request)
    lowest = state(request).ws.config.health.lowest_band
    books = rows.assign(red=rows["arr"].where(rows["band"] == lowest, 0.0)).groupby("owner", as_index=False).agg(
        accounts=("account_id", "size"), arr=("arr", "sum"), red_arr=("red", "sum")).rename(
        columns={"owner": "person_id"})
    queue = scoped_queue(principal, request, QueueFilters(owner=None, kind=None, overdue=False, status="open"))
    work = queue.assign(overdue=queue["days_overdue"] > 0).groupby("owner", as_index=False).agg(
        open_ctas=("id", "size"), overdue_ctas=("overdue", "sum")).rename(columns={"owner": "person_id"})
    found = coverage(request)[["person_id", "csm", "segment", "effort_hours", "capacity_hours", "utilisation", "flag"]]
    out = found.merge(books, on="person_id", how="outer").merge(work, on="person_id", how="left")
    if members is not None:
        out = out[out["person_id"].isin(members)]
    else:
        out = out[out["person_id"].isin(found["person_id"]) | out["person_id"].isin(books["person_id"])]
    names = directory(request).names
    out = out.assign(csm=out["csm"].fillna(out["person_id"].map(names)).fillna(out["person_id"]))
    counts = ["accounts", "open_ctas", "overdue_ctas"]
    out = out.fillna({c: 0 for c in [*counts, "arr", "red_arr"]}).astype({c: int for c in counts})
    return out[TEAM_COLUMNS].sort_values(["utilisation", "arr", "person_id"], ascending=[False, False, True],
                                         na_position="last").reset_index(drop=True)


def hidden_restricted(principal: Principal, request: Request, people: pd.Series) -> int:
    """How many restricted accounts of these people's books the user is not cleared to see."""
    if principal.cleared_restricted:
        return 0
    accounts = directory(request).accounts
    return int((accounts["restricted"] & accounts["owner"].isin(people)).sum())


@router.get("/team", include_in_schema=False)
def team_page(request: Request, principal: Principal = Depends(allow("team"))):
    rows = team(principal, request)
    return render(request, "team.html", principal, as_of=state(request).as_of(), rows=rows.to_dict("records"),
                  totals=rows[["accounts", "arr", "red_arr", "open_ctas", "overdue_ctas"]].sum().to_dict(),
                  hidden=hidden_restricted(principal, request, rows["person_id"]),
                  manager=team_members(principal, request) is not None)


@router.get("/api/v1/team", tags=["book"])
def team_api(request: Request, paging: Paging = Depends(), principal: Principal = Depends(allow("team"))) -> dict:
    """Each CSM's book and workload: a manager's reports (and their own book), everyone's for directors.

    accounts, arr and red_arr count the paying accounts you may see; open_ctas and overdue_ctas the
    CTAs the CSM owns on them; utilisation is monthly effort ÷ capacity and flag its verdict
    (overloaded, idle, ...), as `tenure coverage` computes them.
    """
    rows = team(principal, request)
    return {"as_of": state(request).as_of().isoformat(),
            "hidden_restricted_accounts": hidden_restricted(principal, request, rows["person_id"]),
            **paging.envelope(rows)}
