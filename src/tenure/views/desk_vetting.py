"""Deal vetting for a workspace: open new-business deals with a fit score and flags, and what became of
the deals vetting flagged (desk/vetting.py has the definitions).

Point in time: the fit model learns only from won new-business deals whose year was up by `as_of`,
their outcome measured on subscription lines known at `as_of`; a deal's inputs are its attributes
at signature. The known-gaps list (feature requests) and the recorded flags come from the workflow
store; callers read them and pass them in, so this view never touches it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import ibis

from tenure.desk.expansions import open_on
from tenure.desk.vetting import (
    LIVE_AFTER_DAYS,
    OUTCOME_COLUMNS,
    PENDING,
    RETAINED,
    DealFit,
    anniversary,
    arr_on_days,
    cross_validated_auc,
    deal_features,
    flag_deals,
    known_gaps,
    outcome_of,
    vetting_outcomes,
)
from tenure.errors import TenureError
from tenure.metrics.calendar import to_date
from tenure.operating.segments import segment_accounts
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

DEAL_COLUMNS = ["opportunity_id", "account_id", "name", "segment", "industry", "region", "employees", "amount",
                "stage", "created_at", "close_date", "status", "owner_id", "use_case", "promised_integrations",
                "success_criteria_agreed"]
VET_COLUMNS = ["opportunity_id", "account_id", "name", "segment", "amount", "stage", "close_date", "owner_id",
               "use_case", "promised_integrations", "success_criteria_agreed", "fit_score", "fit_drivers", "flags"]


@dataclass
class Vetting:
    """Open new-business deals on `as_of` with their fit score and flags, and the model behind the scores."""

    as_of: dt.date
    deals: pd.DataFrame  # VET_COLUMNS, flagged first, lowest fit first
    flags: pd.DataFrame  # desk.vetting.FLAG_COLUMNS
    model: dict = field(default_factory=dict)  # trained_on, retained_rate, cv_auc, note


def new_business(ws: Workspace) -> pd.DataFrame:
    """Every new-business opportunity (DEAL_COLUMNS) with its account's attributes.

    The segment is the account's loaded one, else the first `segments.rules` rule that holds with
    the deal's amount as its ARR (what the account would be at signature).
    """
    import pandas as pd

    opportunities = ws.warehouse.table("opportunities")
    if opportunities is None:
        return pd.DataFrame(columns=DEAL_COLUMNS)
    deals = opportunities.filter(opportunities.type == "new")
    deals = deals.mutate(**{c: ibis.null(t) for c, t in (
        ("status", "string"), ("owner_id", "string"), ("created_at", "date"),
        ("use_case", "string"), ("promised_integrations", "string"), ("success_criteria_agreed", "boolean"))
        if c not in deals.columns})
    frame = ws.warehouse.execute(deals.select(
        "opportunity_id", "account_id", "stage", "status", "owner_id", "use_case", "promised_integrations",
        "success_criteria_agreed", amount=deals.amount.cast("float64"), created_at=deals.created_at.cast("date"),
        close_date=deals.close_date.cast("date")))
    accounts = ws.warehouse.table("accounts")
    attributes = [c for c in ("name", "segment", "industry", "region", "employees") if c in accounts.columns]
    known = ws.warehouse.execute(accounts.select("account_id", *attributes))
    frame = frame.merge(known, on="account_id", how="left")
    if len(frame):  # segment each deal as its account would be at signature: the deal's amount is its ARR
        keep = [c for c in ("segment", "industry", "region", "employees") if c in attributes]
        by_deal = frame[["opportunity_id", *keep]].rename(columns={"opportunity_id": "account_id"})
        amounts = frame[["opportunity_id", "amount"]].rename(columns={"opportunity_id": "account_id", "amount": "arr"})
        segments = ws.warehouse.execute(segment_accounts(ibis.memtable(by_deal), ibis.memtable(amounts),
                                                         ws.config.segments).select("account_id", "segment"))
        segments = segments.rename(columns={"account_id": "opportunity_id"})
        frame = frame.drop(columns=["segment"], errors="ignore").merge(segments, on="opportunity_id", how="left")
    for column in DEAL_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    for column in ("created_at", "close_date"):
        frame[column] = [to_date(v) for v in frame[column]]
    return frame[DEAL_COLUMNS].sort_values("opportunity_id").reset_index(drop=True)


def deal_outcomes(ws: Workspace, deals: pd.DataFrame, *, as_of: dt.date) -> pd.Series:
    """The outcome of each won deal a year on (churned, contracted, flat, expanded), `pending` while the
    anniversary plus `predict.grace_days` is after `as_of`, empty for deals not won; indexed like `deals`."""
    import pandas as pd

    grace = dt.timedelta(days=ws.config.predict.grace_days)
    out = pd.Series(None, index=deals.index, dtype=object)
    won = deals[deals["status"] == "won"]
    if won.empty:
        return out
    later = {i: anniversary(d) + grace for i, d in won["close_date"].items()}
    known = [i for i in won.index if later[i] <= as_of]
    out[[i for i in won.index if later[i] > as_of]] = PENDING
    if not known:
        return out
    days = pd.DataFrame(
        [{"key": f"{i}:live", "account_id": won.at[i, "account_id"],
          "day": won.at[i, "close_date"] + dt.timedelta(days=LIVE_AFTER_DAYS)} for i in known]
        + [{"key": f"{i}:later", "account_id": won.at[i, "account_id"], "day": later[i]} for i in known])
    table = ibis.memtable(days, schema={"key": "string", "account_id": "string", "day": "date"})
    arr = ws.warehouse.execute(arr_on_days(paying_lines(ws, as_of=as_of), table))
    values = dict(zip(arr["key"], arr["arr"].astype(float), strict=True))
    tolerance = ws.config.predict.flat_tolerance
    for i in known:
        out[i] = outcome_of(values.get(f"{i}:live", 0.0), values.get(f"{i}:later", 0.0), tolerance=tolerance)
    return out


def vet(ws: Workspace, *, as_of: dt.date, requests: pd.DataFrame) -> Vetting:
    """Score and flag the new-business deals open on `as_of`; `requests` are the workflow store's feature
    requests (title, status), whose unshipped ones make the known-gaps list."""
    deals = new_business(ws)
    model, summary = train_fit(ws, deals, as_of=as_of)
    opportunities = ws.warehouse.table("opportunities")
    ids = set() if opportunities is None else set(ws.warehouse.execute(
        open_on(opportunities, kind="new", as_of=as_of).select("opportunity_id"))["opportunity_id"])
    open_ = deals[deals["opportunity_id"].isin(ids)].copy()
    features = deal_features(open_)
    if model is not None and len(open_):
        open_["fit_score"] = model.probability(features)
        open_["fit_drivers"] = model.drivers(features)
    else:
        open_["fit_score"] = float("nan")
        open_["fit_drivers"] = None
    flags = flag_deals(open_, known_gaps(requests), min_fit=ws.config.desk.vet_min_fit)
    rules = flags.groupby("opportunity_id")["rule"].agg(", ".join)
    open_["flags"] = open_["opportunity_id"].map(rules).fillna("")
    open_["_flagged"] = open_["flags"] != ""
    open_ = open_.sort_values(["_flagged", "fit_score", "opportunity_id"], ascending=[False, True, True],
                              na_position="last")
    return Vetting(as_of=as_of, deals=open_[VET_COLUMNS].reset_index(drop=True), flags=flags, model=summary)


def train_fit(ws: Workspace, deals: pd.DataFrame, *, as_of: dt.date) -> tuple[DealFit | None, dict]:
    """The fit model trained on won new-business deals whose outcome is known on `as_of` (None when too few)."""
    outcomes = deal_outcomes(ws, deals, as_of=as_of)
    known = deals[outcomes.notna() & (outcomes != PENDING)]
    retained = outcomes[known.index].isin(RETAINED)
    summary = {"trained_on": len(known), "retained": int(retained.sum()),
               "retained_rate": float(retained.mean()) if len(known) else None, "cv_auc": None, "note": None,
               "closed_through": max(known["close_date"]) if len(known) else None}
    features = deal_features(known)
    try:
        model = DealFit().fit(features, retained)
    except TenureError as exc:
        summary["note"] = f"{exc}: fit scores are empty and the low-fit rule does not fire"
        return None, summary
    summary["cv_auc"] = cross_validated_auc(features, retained)
    return model, summary


def flagged_outcomes(ws: Workspace, *, as_of: dt.date, flags: pd.DataFrame) -> pd.DataFrame:
    """What became of the deals vetting flagged against the deals it passed (OUTCOME_COLUMNS).

    `flags` are the recorded flags (opportunity_id, rule, flagged_at); those recorded after `as_of`
    do not count. A day on which flags were recorded is a vetting day; the deals vetting passed are
    the new-business deals without a flag that were open on a vetting day. Status and outcome are as
    known on `as_of` (a deal won or lost after it is still open).
    """
    import pandas as pd

    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    flags = flags[pd.to_datetime(flags["flagged_at"]) < end] if len(flags) else flags
    if flags.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    days = sorted({stamp.date() for stamp in pd.to_datetime(flags["flagged_at"])})
    deals = new_business(ws)
    status = deals["status"].fillna("open")
    decided_after = deals["close_date"].map(lambda d: d is not None and d > as_of)
    deals["status"] = status.where(~(status.isin(["won", "lost"]) & decided_after), "open")
    vetted = [_open_on_any(created, close, state, days) for created, close, state in
              zip(deals["created_at"], deals["close_date"], status, strict=True)]
    flagged = deals["opportunity_id"].isin(set(flags["opportunity_id"]))
    population = deals[flagged | pd.Series(vetted, index=deals.index)].copy()
    population["outcome"] = deal_outcomes(ws, population, as_of=as_of)
    return vetting_outcomes(population, flags[["opportunity_id", "rule"]])


def _open_on_any(created: dt.date | None, close: dt.date | None, status: str, days: list[dt.date]) -> bool:
    """Whether a deal was open on one of `days`: created by then and not yet won or lost (CRM status now)."""
    return any((created is None or created <= day) and (status == "open" or (close is not None and close > day))
               for day in days)

