"""Product feedback: churn reasons and feature requests ranked by ARR (`tenure report gaps`), page and API.

Churn reasons rank by the ARR lost for them in the window (`months` in the URL, as `--months`);
feature requests by the ARR of the accounts that asked — lost, at risk, expected churn and open
pipeline (tenure.reports.gaps defines each). The figures are company-wide: they are the dollars a
director takes to the product team, so they count every account, restricted ones included; no
account is listed.

Who may move a feature request (under review, planned, beta, shipped, declined): the users with the
`assign` permission — directors, managers and admins, who own the conversation with the product
team. Each requesting account's timeline hears of the move, so its CSM can close the loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from tenure.web.access import Principal
from tenure.web.deps import allow, state
from tenure.web.pages import chart_svg, render
from tenure.web.paging import Paging, records
from tenure.workflow.models import FEATURE_STATUSES

router = APIRouter()

MAX_MONTHS = 36  # as `tenure report gaps --months`
CHARTED = 12  # bars in each chart: the top of each ranking
MONTHS = Query(3, ge=1, le=MAX_MONTHS, description="The window of lost ARR, in months up to the last closed month.")
STATUS = Query(None, description=f"Only feature requests with this status ({', '.join(FEATURE_STATUSES)}).")


class StatusChange(BaseModel):
    status: str = Field(description=", ".join(FEATURE_STATUSES))


def product_gaps(request: Request, months: int):
    """The gaps of the `months` before the day the pages describe, cached until the data or the store changes."""
    from tenure.reports.gaps import gaps

    app = state(request)
    as_of = app.as_of()

    def build():
        with app.store.session() as session:
            return gaps(app.ws, session, as_of=as_of, months=months)

    return app.cached_with_workflow(("feedback", as_of, months), build)


def _features(result, status: str | None):
    return result.features if not status else result.features[result.features["status"] == status]


def move_request(request: Request, principal: Principal, request_id: int, status: str) -> dict:
    """Set a feature request's status (audited with the user); each requesting account's timeline hears of it."""
    from tenure.workflow.requests import set_status

    with state(request).store.session(actor=principal.email) as session:
        moved, accounts = set_status(session, request_id, status, actor=principal.email)
        return {"id": moved.id, "title": moved.title, "status": moved.status, "accounts_notified": accounts}


@router.get("/api/v1/feedback", tags=["feedback"])
def feedback_api(request: Request, principal: Principal = Depends(allow("company")), months: int = MONTHS,
                 status: str | None = STATUS, paging: Paging = Depends()) -> dict:
    """Churn reasons by ARR lost in the window, and feature requests (paginated) by the ARR behind them.

    `lost_arr`: churned and contracted ARR in the window (revenue movements); `interviewed_arr`: of it,
    the ARR whose churn reason came from an exit interview. Per request: `arr_lost` (the requesting
    accounts' lost ARR in the window), `arr_at_risk`, `expected_churn` (ARR × churn probability) and
    `pipeline` (their open opportunities).
    """
    result = product_gaps(request, months)
    return {"since": result.since.isoformat(), "as_of": result.as_of.isoformat(), "months": months,
            "lost_arr": result.lost_arr, "interviewed_arr": result.interviewed_arr,
            "reasons": records(result.reasons), "features": paging.envelope(_features(result, status))}


@router.patch("/api/v1/feedback/requests/{request_id}", tags=["feedback"])
def feature_request_api(request: Request, request_id: int, body: StatusChange,
                        principal: Principal = Depends(allow("assign"))) -> dict:
    """Move a feature request to another status; every requesting account's timeline gets an entry."""
    return move_request(request, principal, request_id, body.status)


@router.get("/feedback", include_in_schema=False)
def feedback_page(request: Request, principal: Principal = Depends(allow("company")), months: int = MONTHS,
                  status: str | None = STATUS, paging: Paging = Depends(), moved: str | None = None):
    from tenure.charts.gaps import ranked_arr

    result = product_gaps(request, months)
    features = _features(result, status)
    charts = []
    if not result.reasons.empty:
        charts.append(chart_svg(ranked_arr(result.reasons.head(CHARTED), label="reason",
                                           parts={"arr_lost": "ARR lost"}, title="ARR lost by churn reason")))
    if not features.empty:
        charts.append(chart_svg(ranked_arr(features.head(CHARTED), label="title",
                                           parts={"arr_lost": "ARR lost", "arr_at_risk": "ARR at risk"},
                                           title="Feature requests by the ARR of the accounts that asked")))
    return render(request, "feedback.html", principal, result=result, reasons=records(result.reasons),
                  features=records(paging.slice(features)), total=len(features), paging=paging,
                  pages=max(1, -(-len(features) // paging.per_page)), months=months, status=status,
                  statuses=FEATURE_STATUSES, charts=charts, may_move=principal.can("assign"), moved=moved,
                  interviewed=result.interviewed_arr / result.lost_arr if result.lost_arr else None)


@router.post("/feedback/requests/{request_id}/status", include_in_schema=False)
def feature_request_form(request: Request, request_id: int, principal: Principal = Depends(allow("assign")),
                         status: str = Form(...), back: str = Form("/feedback")):
    moved = move_request(request, principal, request_id, status)
    target = back if back.startswith("/feedback") and not back.startswith("//") else "/feedback"
    joiner = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{joiner}moved={moved['id']}#request-{moved['id']}", status_code=303)
