"""Sales-to-CS handoffs: the form a sales user fills in before an account reaches CS, and its success criteria.

A handoff is complete when its six fields (tenure.workflow.models.HANDOFF_FIELDS) are filled. The
list shows every account in the user's scope with how many fields are filled and which are missing,
incomplete first. Editing needs the `handoffs` permission on an account in scope: a sales user edits
the accounts where they sit on the account team or own an opportunity, a CSM their book; a viewer
changes nothing. Success criteria agreed with the customer (flagged when agreed before signature)
belong to the account's success plan; the first criterion can start the plan.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from tenure.errors import NotFound
from tenure.web.access import Principal
from tenure.web.deps import allow, directory, require_account, state, visible
from tenure.web.pages import render
from tenure.web.paging import Paging
from tenure.workflow import handoffs
from tenure.workflow.models import HANDOFF_FIELDS
from tenure.workflow.plans import add_criterion, add_plan, plans

router = APIRouter()
LABELS = {
    "power_users": ("Power users", "Who will use the product most, by name and team."),
    "pain_point": ("Pain point", "The problem the customer bought the product to solve."),
    "gotchas": ("Gotchas", "What was promised in the sale that CS must know (discounts, timelines, exceptions)."),
    "success_criteria": ("Success criteria", "How the customer will judge that the purchase worked."),
    "stakeholders": ("Stakeholders", "The executive sponsor, champion and decision makers."),
    "promised_integrations": ("Promised integrations", "Integrations the customer was told they would have."),
}
STATUSES = ("all", "incomplete", "complete")
LIST_COLUMNS = ["account_id", "name", "owner", "owner_name", "started", "filled", "missing", "complete", "updated_by",
                "updated_at"]


def handoff_list(principal: Principal, request: Request, status: str = "all") -> pd.DataFrame:
    """Every account in the user's scope with its handoff's completeness (LIST_COLUMNS), incomplete first:
    the most filled of those started, then those not started, then the complete ones."""
    if status not in STATUSES:
        raise HTTPException(400, f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    seen = visible(principal, request)
    with state(request).store.session() as session:
        recorded = handoffs.listing(session)
    rows = seen.merge(recorded, on="account_id", how="left")
    started = rows["complete"].notna()
    missing = rows["missing"].where(started, ", ".join(HANDOFF_FIELDS)).fillna("")
    rows = rows.assign(started=started, missing=missing, complete=rows["complete"].fillna(False).astype(bool),
                       filled=len(HANDOFF_FIELDS) - missing.str.count(", ") - (missing != "").astype(int),
                       owner_name=rows["owner"].map(directory(request).names))
    if status != "all":
        rows = rows[rows["complete"] == (status == "complete")]
    return rows.sort_values(["complete", "filled", "name", "account_id"], ascending=[True, False, True, True]) \
        [LIST_COLUMNS].reset_index(drop=True)


class CriterionOut(BaseModel):
    id: int
    plan_id: int
    criterion: str
    agreed_before_signature: bool
    status: str
    evidence: str | None = None


class PlanOut(BaseModel):
    id: int
    objective: str
    status: str
    criteria: list[CriterionOut]


class HandoffOut(BaseModel):
    account_id: str
    name: str | None
    fields: dict[str, str | None] = Field(description=f"The six fields: {', '.join(HANDOFF_FIELDS)}.")
    filled: int
    required: int = len(HANDOFF_FIELDS)
    missing: list[str]
    complete: bool
    updated_by: str | None
    updated_at: dt.datetime | None
    success_plans: list[PlanOut]


def handoff_of(principal: Principal, request: Request, account_id: str) -> HandoffOut:
    """The account's handoff (empty fields before anyone starts it) and its success plans."""
    require_account(principal, request, account_id)
    names = directory(request).accounts.set_index("account_id")["name"]
    with state(request).store.session() as session:
        try:
            found = handoffs.get(session, account_id)
        except NotFound:
            found = None
        fields = {f: getattr(found, f) if found else None for f in HANDOFF_FIELDS}
        missing = found.missing if found else list(HANDOFF_FIELDS)
        updated = (found.updated_by, found.updated_at) if found else (None, None)
        success = plans(session, account_id)
    return HandoffOut(account_id=account_id, name=names.get(account_id), fields=fields,
                      filled=len(HANDOFF_FIELDS) - len(missing), missing=missing, complete=not missing,
                      updated_by=updated[0], updated_at=updated[1], success_plans=_plans(success))


def _plans(frame: pd.DataFrame) -> list[PlanOut]:
    """Success plans from `plans()` rows (one per criterion; a plan without criteria has an empty one)."""
    out = []
    for plan_id, rows in frame.groupby("plan", sort=True):
        first = rows.iloc[0]
        criteria = [CriterionOut(id=int(r["criterion"]), plan_id=int(plan_id), criterion=r["text"],
                                 agreed_before_signature=bool(r["before_signature"]), status=r["status"],
                                 evidence=r["evidence"]) for _, r in rows.iterrows() if pd.notna(r["criterion"])]
        out.append(PlanOut(id=int(plan_id), objective=first["objective"], status=first["plan_status"],
                           criteria=criteria))
    return out


def save_handoff(principal: Principal, request: Request, account_id: str, changes: dict[str, str | None]) -> None:
    """Set the given fields (None or empty clears one); the account must be in the user's scope to change."""
    require_account(principal, request, account_id, change="handoffs")
    if not changes:
        raise HTTPException(400, f"nothing to change: give at least one of {', '.join(HANDOFF_FIELDS)}")
    with state(request).store.session(actor=principal.email) as session:
        handoffs.edit(session, account_id, {k: v or "" for k, v in changes.items()}, actor=principal.email)


class NewCriterion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    criterion: str = Field(description="What the customer will judge success by.")
    agreed_before_signature: bool = Field(False, description="Agreed with the customer before the contract was "
                                                             "signed.")
    plan_id: int | None = Field(None, description="The account's success plan to add it to (default: its latest).")
    objective: str | None = Field(None, description="Start a new success plan with this objective instead.")


def add_success_criterion(principal: Principal, request: Request, account_id: str, body: NewCriterion) -> CriterionOut:
    """Add a criterion to the account's success plan: the one named, else a new one with the objective given,
    else the latest."""
    require_account(principal, request, account_id, change="handoffs")
    text = body.criterion.strip()
    objective = (body.objective or "").strip()
    if not text:
        raise HTTPException(400, "a success criterion needs text")
    if body.plan_id is not None and objective:
        raise HTTPException(400, "give either plan_id (an existing plan) or objective (a new plan), not both")
    with state(request).store.session(actor=principal.email) as session:
        existing = plans(session, account_id)
        if objective:
            plan_id = add_plan(session, account_id, objective, actor=principal.email).id
        elif body.plan_id is not None:
            if body.plan_id not in set(existing["plan"]):
                raise HTTPException(404, f"account {account_id} has no success plan #{body.plan_id}")
            plan_id = body.plan_id
        elif len(existing):
            plan_id = int(existing["plan"].max())
        else:
            raise HTTPException(400, f"account {account_id} has no success plan yet: give an objective to start one")
        row = add_criterion(session, plan_id, text, before_signature=body.agreed_before_signature)
        return CriterionOut(id=row.id, plan_id=plan_id, criterion=row.criterion,
                            agreed_before_signature=bool(row.agreed_before_signature), status=row.status or "open")


@router.get("/handoffs", include_in_schema=False)
def handoffs_page(request: Request, status: str = "all", paging: Paging = Depends(),
                  principal: Principal = Depends(allow("handoffs"))):
    rows = handoff_list(principal, request, status)
    return render(request, "handoffs.html", principal, rows=paging.slice(rows).to_dict("records"), total=len(rows),
                  status=status, statuses=STATUSES, paging=paging, pages=max(1, -(-len(rows) // paging.per_page)),
                  required=len(HANDOFF_FIELDS))


@router.get("/handoffs/{account_id}", include_in_schema=False)
def handoff_page(request: Request, account_id: str, saved: bool = False,
                 principal: Principal = Depends(allow("handoffs"))):
    return render(request, "handoff.html", principal, handoff=handoff_of(principal, request, account_id),
                  labels=LABELS, saved=saved)


@router.post("/handoffs/{account_id}", include_in_schema=False)
def handoff_save(request: Request, account_id: str, power_users: str | None = Form(None),
                 pain_point: str | None = Form(None), gotchas: str | None = Form(None),
                 success_criteria: str | None = Form(None), stakeholders: str | None = Form(None),
                 promised_integrations: str | None = Form(None), principal: Principal = Depends(allow("handoffs"))):
    sent = {"power_users": power_users, "pain_point": pain_point, "gotchas": gotchas,
            "success_criteria": success_criteria, "stakeholders": stakeholders,
            "promised_integrations": promised_integrations}
    save_handoff(principal, request, account_id, {k: v for k, v in sent.items() if v is not None})
    return RedirectResponse(f"/handoffs/{account_id}?saved=true", status_code=303)


@router.post("/handoffs/{account_id}/success-criteria", include_in_schema=False)
def criterion_add(request: Request, account_id: str, criterion: str = Form(...),
                  agreed_before_signature: bool = Form(False), plan_id: int | None = Form(None),
                  objective: str | None = Form(None), principal: Principal = Depends(allow("handoffs"))):
    body = NewCriterion(criterion=criterion, agreed_before_signature=agreed_before_signature, plan_id=plan_id,
                        objective=objective)
    add_success_criterion(principal, request, account_id, body)
    return RedirectResponse(f"/handoffs/{account_id}#success-criteria", status_code=303)


@router.get("/api/v1/handoffs", tags=["handoffs"])
def handoffs_api(request: Request, status: str = Query("all", description=f"One of {', '.join(STATUSES)}."),
                 paging: Paging = Depends(), principal: Principal = Depends(allow("handoffs"))) -> dict:
    """Every account in your scope with its handoff's completeness (`filled` of 6, the `missing` fields),
    incomplete first. `started` is false for an account nobody has written a handoff for yet."""
    listed = paging.envelope(handoff_list(principal, request, status))
    for item in listed["items"]:
        item["missing"] = item["missing"].split(", ") if item["missing"] else []
    return {"required": len(HANDOFF_FIELDS), **listed}


@router.get("/api/v1/handoffs/{account_id}", response_model=HandoffOut, tags=["handoffs"])
def handoff_api(request: Request, account_id: str, principal: Principal = Depends(allow("handoffs"))) -> HandoffOut:
    """One account's handoff, field by field, its completeness and the account's success plans."""
    return handoff_of(principal, request, account_id)


class HandoffChange(BaseModel):
    """The fields to set; fields left out keep their value, an empty string or null clears one."""

    model_config = ConfigDict(extra="forbid")
    power_users: str | None = None
    pain_point: str | None = None
    gotchas: str | None = None
    success_criteria: str | None = None
    stakeholders: str | None = None
    promised_integrations: str | None = None


@router.put("/api/v1/handoffs/{account_id}", response_model=HandoffOut, tags=["handoffs"])
def handoff_put(request: Request, account_id: str, body: HandoffChange,
                principal: Principal = Depends(allow("handoffs"))) -> HandoffOut:
    """Fill or change handoff fields (the handoff is created on the first change); returns the handoff."""
    save_handoff(principal, request, account_id, body.model_dump(exclude_unset=True))
    return handoff_of(principal, request, account_id)


@router.post("/api/v1/accounts/{account_id}/success-criteria", response_model=CriterionOut, status_code=201,
             tags=["handoffs"])
def criterion_api(request: Request, account_id: str, body: NewCriterion,
                  principal: Principal = Depends(allow("handoffs"))) -> CriterionOut:
    """Add a success criterion to the account's success plan (`plan_id`, else a new plan with `objective`,
    else the latest plan), flagged when it was agreed before signature."""
    return add_success_criterion(principal, request, account_id, body)
