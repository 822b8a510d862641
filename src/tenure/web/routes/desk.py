"""The renewal and expansion desk shared with Sales: one view per URL (`/desk?view=...`), page and API.

The views are those of `tenure desk`, called as the CLI calls them, as of the day the pages describe:
`renewals` (the renewal pipeline, the model's expected renewed ARR beside the owners' calls, rolled up
by month, segment or owner), `expansions` (open expansion opportunities with health, utilisation and
signals), `leads` (expansion signals per account), `review` (the joint CS and Sales review list),
`vetting` (open new-business deals with fit score and flags, and what became of the flagged ones) and
`advocates` (advocate candidates with each criterion). Only the view asked for is computed. Its
company-wide result is cached per data version, and — when it reads calls, CTAs, feature requests
or advocacy records — per change to the workflow store; every list is then cut to the accounts the
user may see, and its totals are taken from what is left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from tenure.web.access import Principal
from tenure.web.deps import allow, directory, state, visible
from tenure.web.pages import render
from tenure.web.paging import Paging, records
from tenure.web.state import AppState

router = APIRouter()
T = TypeVar("T")

VIEWS = {"renewals": "Renewal pipeline", "expansions": "Expansion pipeline", "leads": "Expansion leads",
         "review": "Joint review", "vetting": "Deal vetting", "advocates": "Advocates"}
ROLLUPS = ("month", "segment", "owner")


@dataclass
class DeskView:
    """What a desk view shows: its list (cut to the user's scope), the figures above it and any small tables."""

    name: str
    as_of: dt.date
    rows: pd.DataFrame
    summary: dict = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def json(self, paging: Paging) -> dict:
        return {"view": self.name, "as_of": self.as_of.isoformat(), "summary": self.summary,
                **{name: records(table) for name, table in self.tables.items()}, **paging.envelope(self.rows)}


@dataclass(frozen=True)
class DeskQuery:
    """The parameters of the desk views (each view reads its own; the rest are ignored)."""

    days: int | None = Query(None, description="renewals: the window in days (default desk.renewal_days).")
    owner: str | None = Query(None, description="renewals: only this renewal owner (person_id).")
    segment: str | None = Query(None, description="renewals: only this segment.")
    by: str = Query("month", description="renewals: roll up by month, segment or owner.")
    signal: str | None = Query(None, description="leads: only this signal.")
    min_arr: float | None = Query(None, ge=0, description="review: the ARR tier (default desk.review_min_arr).")
    every: bool = Query(False, alias="all", description="advocates: every paying account, not only candidates.")


def _in_scope(frame: pd.DataFrame, principal: Principal, request: Request) -> pd.DataFrame:
    return frame[frame["account_id"].isin(visible(principal, request)["account_id"])].reset_index(drop=True)


def _owners(app: AppState) -> dict[str, str]:
    from tenure.workflow.plans import owner_overrides

    with app.store.session() as session:
        return owner_overrides(session)


def renewals_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """The renewal pipeline of the Renewals page, rolled up the desk's way: the model beside the calls."""
    from tenure.desk.renewals import rollup
    from tenure.web.routes.renewals import renewal_inputs, scoped_pipeline, window

    if query.by not in ROLLUPS:
        raise HTTPException(400, f"by must be one of {', '.join(ROLLUPS)}, not {query.by!r}")
    days = window(request, query.days)
    data = scoped_pipeline(principal, request, days=days, owner=query.owner, segment=query.segment)
    totals = records(rollup(data))[0]
    return DeskView("renewals", state(request).as_of(), data,
                    {"days": days, "by": query.by, "contraction_depth": renewal_inputs(request).depth,
                     "totals": totals}, {"rollup": rollup(data, by=query.by)})


def _expansion_accounts(app: AppState, as_of: dt.date) -> pd.DataFrame:
    from tenure.views.desk_expansions import expansion_accounts

    return app.cached(("desk", "expansion_accounts", as_of),
                      lambda: expansion_accounts(app.ws, as_of=as_of, owners=_owners(app)))


def expansions_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """Open expansion opportunities beside the account's health, utilisation, probability and signals."""
    from tenure.views.desk_expansions import expansion_pipeline

    app = state(request)
    as_of = app.as_of()
    every = app.cached(("desk", "expansions", as_of), lambda: expansion_pipeline(
        app.ws, as_of=as_of, owners=_owners(app), accounts=_expansion_accounts(app, as_of)))
    data = _in_scope(every, principal, request)
    weighted = (data["amount"] * data["probability"].astype(float)).sum(min_count=1)
    return DeskView("expansions", as_of, data, {
        "opportunities_loaded": app.ws.warehouse.table("opportunities") is not None,
        "opportunities": len(data), "pipeline": float(data["amount"].sum()),
        "weighted_pipeline": None if pd.isna(weighted) else float(weighted)})


def leads_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """One row per paying account and expansion signal; `open_pipeline` 0 marks a lead nobody works yet."""
    from tenure.views.desk_expansions import expansion_leads

    app = state(request)
    as_of = app.as_of()
    every = app.cached(("desk", "leads", as_of), lambda: expansion_leads(
        app.ws, as_of=as_of, owners=_owners(app), accounts=_expansion_accounts(app, as_of)))
    data = _in_scope(every, principal, request)
    signals = data["signal"].value_counts().to_dict()
    if query.signal:
        data = data[data["signal"] == query.signal].reset_index(drop=True)
    return DeskView("leads", as_of, data, {
        "signals": {str(k): int(v) for k, v in signals.items()}, "accounts": int(data["account_id"].nunique()),
        "unworked_accounts": int(data.loc[data["open_pipeline"] <= 0, "account_id"].nunique()),
        "expansion_owned_by": app.ws.config.ownership.expansion})


def review_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """The accounts at or above the ARR tier, renewal and expansion side by side, with risks and the next step.

    The list of every paying account is built once; each tier is the cut `arr ≥ tier` of it, as
    desk.review defines the list."""
    from tenure.views.desk_review import joint_review
    from tenure.workflow.calls import call_history, open_work

    app = state(request)
    as_of = app.as_of()

    def build():
        with app.store.session() as session:
            calls, work = call_history(session), open_work(session, as_of=as_of)
        return joint_review(app.ws, as_of=as_of, min_arr=0, owners=_owners(app), calls=calls, work=work)

    review = app.cached_with_workflow(("desk", "review", as_of), build)
    tier = app.ws.config.desk.review_min_arr if query.min_arr is None else query.min_arr
    data = _in_scope(review.accounts[review.accounts["arr"] >= tier], principal, request)
    soon = data[(data["days_to_renewal"] <= 90) & (data["term_months"] > 1)]
    return DeskView("review", as_of, data, {
        "min_arr": float(tier), "accounts": len(data), "arr": float(data["arr"].sum()),
        "renewing_90d": len(soon), "renewing_90d_arr": float(soon["arr"].sum()),
        "renewing_90d_not_called": int(soon["call"].isna().sum()),
        "expansion_pipeline": float(data["expansion_amount"].sum()),
        "with_risk": int(((data["open_risk_ctas"] > 0) | (data["open_escalations"] > 0)).sum())},
        {"expansions": review.expansions[review.expansions["account_id"].isin(data["account_id"])]})


def vetting_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """Open new-business deals with fit score and flags, and what became of the deals flagged before."""
    from tenure.views.desk_vetting import flagged_outcomes, vet
    from tenure.workflow.deals import feature_request_statuses, get_all_flags

    app = state(request)
    as_of = app.as_of()

    def build():
        with app.store.session() as session:
            requests, flags = feature_request_statuses(session=session), get_all_flags(session=session)
        return vet(app.ws, as_of=as_of, requests=requests), flagged_outcomes(app.ws, as_of=as_of, flags=flags)

    result, outcomes = app.cached_with_workflow(("desk", "vetting", as_of), build)
    data = _in_scope(result.deals, principal, request)
    flags = result.flags[result.flags["opportunity_id"].isin(data["opportunity_id"])]
    return DeskView("vetting", as_of, data, {
        "min_fit": app.ws.config.desk.vet_min_fit, "model": records(pd.DataFrame([result.model]))[0],
        "flagged_deals": int((data["flags"] != "").sum()),
        "flags": {str(k): int(v) for k, v in flags["rule"].value_counts().items()}}, {"outcomes": outcomes})


def advocates_view(principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    """Advocate candidates: every criterion checked per paying account, candidates first."""
    from tenure.desk.advocacy import CRITERIA
    from tenure.views.desk_advocacy import advocate_candidates, referral_sourced, risk_threshold, top_band
    from tenure.workflow.advocacy import get_all, open_escalations

    app = state(request)
    as_of = app.as_of()

    def build():
        with app.store.session() as session:
            asks, escalated = get_all(session=session), open_escalations(session=session, as_of=as_of)
        candidates = advocate_candidates(app.ws, as_of=as_of, asks=asks[["account_id", "occurred_on"]],
                                         escalated=escalated, owners=_owners(app))
        return candidates, referral_sourced(app.ws, as_of=as_of, records=asks), len(asks)

    every, referrals, asks = app.cached_with_workflow(("desk", "advocates", as_of), build)
    data = _in_scope(every, principal, request)
    threshold, source = risk_threshold(app.ws)
    summary = {"candidates": int(data["candidate"].sum()), "paying_accounts": len(data),
               "failing": {c: int((~data[c].astype(bool)).sum()) for c in CRITERIA}, "top_band": top_band(app.ws),
               "risk_threshold": threshold, "risk_threshold_source": source, "advocacy_records": asks,
               "referrals": len(referrals), "referral_sourced_arr": float(referrals["referred_arr"].sum())}
    return DeskView("advocates", as_of, data if query.every else data[data["candidate"]].reset_index(drop=True),
                    summary)


BUILDERS: dict[str, Callable[[Principal, Request, DeskQuery], DeskView]] = {
    "renewals": renewals_view, "expansions": expansions_view, "leads": leads_view, "review": review_view,
    "vetting": vetting_view, "advocates": advocates_view}


def desk_view(view: str, principal: Principal, request: Request, query: DeskQuery) -> DeskView:
    if view not in BUILDERS:
        raise HTTPException(404, f"no desk view {view!r} (views: {', '.join(VIEWS)})")
    return BUILDERS[view](principal, request, query)


@router.get("/api/v1/desk/{view}", tags=["desk"])
def desk_api(request: Request, view: str = Path(description=", ".join(VIEWS)),
             principal: Principal = Depends(allow("company")), query: DeskQuery = Depends(),
             paging: Paging = Depends()) -> dict:
    """One desk view: renewals, expansions, leads, review, vetting or advocates (see each view's parameters).

    The list is paginated and holds the accounts in your scope; `summary` and the small tables (the
    renewals' `rollup`, the review's `expansions`, the vetting's `outcomes`) are taken from the same rows.
    """
    return desk_view(view, principal, request, query).json(paging)


@router.get("/desk", include_in_schema=False)
def desk_page(request: Request, principal: Principal = Depends(allow("company")), view: str = "renewals",
              query: DeskQuery = Depends(), paging: Paging = Depends()):
    found = desk_view(view, principal, request, query)
    rows = paging.slice(found.rows)
    others = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
    return render(request, "desk.html", principal, views=VIEWS, view=view, found=found, rows=records(rows),
                  tables={name: records(table) for name, table in found.tables.items()}, query=query, paging=paging,
                  total=len(found.rows), pages=max(1, -(-len(found.rows) // paging.per_page)), others=others,
                  names=directory(request).names)
