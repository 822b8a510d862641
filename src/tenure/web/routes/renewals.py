"""Renewals: the renewals of the next months on the accounts in the user's scope, month by month.

Each renewal shows the model's churn probability and expected renewed ARR (tenure.desk.renewals
defines them: the renewal pipeline of `tenure desk renewals`), the owner's current forecast call,
and the CTA status of the account (open, overdue, risk and renewal CTAs). The company's renewals
and stored predictions are read once per data version; calls and CTAs are read on each request,
since people change them in the app.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query, Request

from tenure.desk.renewals import in_pipeline, pipeline, rollup
from tenure.web.access import Principal
from tenure.web.deps import allow, directory, state, visible
from tenure.web.pages import chart_svg, render
from tenure.web.paging import Paging, records
from tenure.web.routes.ctas import with_open_work

router = APIRouter()
MAX_DAYS = 365


def company_renewals(request: Request) -> pd.DataFrame:
    """Every paying account's next renewal (views.desk_renewals.renewals_at), read once per data version."""
    app = state(request)

    def build() -> pd.DataFrame:
        from tenure.views.desk_renewals import renewals_at
        from tenure.workflow.plans import owner_overrides

        with app.store.session() as session:
            owners = owner_overrides(session)
        return renewals_at(app.ws, as_of=app.as_of(), owners=owners)

    return app.cached("renewals:accounts", build)


def renewals_due(request: Request, days: int) -> pd.DataFrame:
    """The company's renewals within `days` days (contracts longer than a month, as the pipeline counts them)."""
    return in_pipeline(company_renewals(request), days=days)


@dataclass(frozen=True)
class RenewalInputs:
    """What the model says about the renewals of the next year, the same for everyone until the data changes."""

    predictions: pd.DataFrame  # the latest stored prediction on or before as_of, per account renewing within MAX_DAYS
    depth: float | None  # the share of ARR a contracted renewal loses; None without a model or setting


def renewal_inputs(request: Request) -> RenewalInputs:
    """Stored predictions and the contraction depth (learned from the latest model's training rows unless
    `desk.contraction_depth` sets it: slow, so done once per data version, and only when something was scored)."""
    app = state(request)

    def build() -> RenewalInputs:
        from tenure.views.desk_renewals import contraction_depth, predictions_on

        due = renewals_due(request, MAX_DAYS)
        predictions = predictions_on(app.ws, due[["account_id"]].assign(day=app.as_of()))
        return RenewalInputs(predictions, contraction_depth(app.ws) if len(predictions) else None)

    return app.cached("renewals:model", build)


def window(request: Request, days: int | None) -> int:
    """The window in days: as asked, else `desk.renewal_days` (180 unless configured)."""
    days = days or state(request).ws.config.desk.renewal_days
    if not 1 <= days <= MAX_DAYS:
        raise HTTPException(400, f"days must be from 1 to {MAX_DAYS}, not {days}")
    return days


def scoped_pipeline(principal: Principal, request: Request, *, days: int, owner: str | None = None,
                    segment: str | None = None) -> pd.DataFrame:
    """The renewal pipeline of the accounts the user may see, soonest first, with each account's open CTAs."""
    from tenure.workflow.calls import call_history

    app = state(request)
    found = renewal_inputs(request)
    due = renewals_due(request, days)
    due = due[due["account_id"].isin(visible(principal, request)["account_id"])]
    with app.store.session() as session:
        calls = call_history(session)
    data = pipeline(due, predictions=found.predictions, calls=calls, work=None, as_of=app.as_of(),
                    contraction_depth=found.depth).drop(columns=["open_ctas", "open_escalations"])
    data = with_open_work(data, request)
    data["owner_name"] = data["owner"].map(directory(request).names).fillna(data["owner"])
    if owner:
        data = data[data["owner"] == owner]
    if segment:
        data = data[data["segment"] == segment]
    return data.reset_index(drop=True)


def months_of(data: pd.DataFrame) -> pd.DataFrame:
    """Per month: rollup's renewals, ARR, expected renewed ARR and calls, and the renewals with an open risk
    or renewal CTA."""
    months = rollup(data, by="month")
    flagged = data.assign(_flag=(data["open_risk_ctas"] + data["open_renewal_ctas"]) > 0) \
        .groupby("month", as_index=False)["_flag"].sum().rename(columns={"_flag": "with_open_ctas"})
    return months.merge(flagged, on="month", how="left").astype({"with_open_ctas": int})


def _chart(months: pd.DataFrame):
    from tenure.charts.renewals import renewals_by_month

    return chart_svg(renewals_by_month(months)) if len(months) else None


@router.get("/renewals", include_in_schema=False)
def renewals_page(request: Request, days: int | None = Query(None), owner: str | None = None,
                  segment: str | None = None, paging: Paging = Depends(),
                  principal: Principal = Depends(allow("accounts"))):
    days = window(request, days)
    data = scoped_pipeline(principal, request, days=days, owner=owner, segment=segment)
    months = months_of(data)
    return render(request, "renewals.html", principal, as_of=state(request).as_of(), days=days, owner=owner or "",
                  segment=segment or "", rows=paging.slice(data).to_dict("records"), total=len(data),
                  months=months.to_dict("records"), totals=rollup(data).iloc[0].to_dict(), paging=paging,
                  pages=max(1, -(-len(data) // paging.per_page)), chart=_chart(months),
                  depth=renewal_inputs(request).depth)


@router.get("/api/v1/renewals", tags=["renewals"])
def renewals_api(request: Request, days: int | None = Query(None, description="The window in days (default "
                                                                                "desk.renewal_days, 180)."),
                 owner: str | None = Query(None, description="Only renewals of this renewal owner (person_id)."),
                 segment: str | None = Query(None, description="Only renewals of this segment."),
                 paging: Paging = Depends(), principal: Principal = Depends(allow("accounts"))) -> dict:
    """Renewals due in the window on the accounts in your scope, soonest first, with totals per month.

    Each renewal: ARR, renewal date, renewal owner, the model's churn probability and expected
    renewed ARR (ARR × (1 − p_churn) − ARR × p_contraction × contraction depth), the owner's current
    forecast call, and open CTAs (open, overdue, risk, renewal). Monthly plans are not renewals here.
    """
    days = window(request, days)
    data = scoped_pipeline(principal, request, days=days, owner=owner, segment=segment)
    return {"as_of": state(request).as_of().isoformat(), "days": days,
            "contraction_depth": renewal_inputs(request).depth, "months": records(months_of(data)),
            "totals": records(rollup(data))[0], **paging.envelope(data)}
