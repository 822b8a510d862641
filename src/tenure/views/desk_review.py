"""The joint CS and Sales review list for a workspace (desk/review.py holds the definitions).

Renewals from the loaded subscriptions, owners from `ownership:` routing, the health band from the
stored snapshot of the date (else computed), churn probability and top driver from the latest stored
prediction, expansion opportunities from the CRM's `opportunities` table. Callers pass the calls and
the open work read from the workflow store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tenure.desk.expansions import open_on
from tenure.desk.review import ACCOUNT_COLUMNS, OPPORTUNITY_COLUMNS, review_list
from tenure.views.book import health_on
from tenure.views.desk_renewals import predictions_on, renewals_at

if TYPE_CHECKING:
    from tenure.workspace import Workspace


@dataclass
class Review:
    as_of: dt.date
    min_arr: float
    accounts: pd.DataFrame  # desk.review.REVIEW_COLUMNS, largest ARR first
    expansions: pd.DataFrame  # the open expansion opportunities of the listed accounts (OPPORTUNITY_COLUMNS)


def review_accounts(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every account paying at `as_of` with its renewal, owners, band, churn probability and top driver."""
    accounts = renewals_at(ws, as_of=as_of, owners=owners).rename(columns={"owner": "renewal_owner"})
    health = ws.warehouse.execute(health_on(ws, as_of).select("account_id", "band"))
    accounts = accounts.merge(health, on="account_id", how="left")
    scores = predictions_on(ws, accounts[["account_id"]].assign(day=as_of))
    accounts = accounts.merge(scores[["account_id", "churn_probability", "driver_1"]], on="account_id", how="left")
    return accounts[ACCOUNT_COLUMNS]


def open_expansions(ws: Workspace, *, as_of: dt.date) -> pd.DataFrame:
    """The CRM's expansion opportunities open on `as_of` (OPPORTUNITY_COLUMNS); empty without an opportunities
    table."""
    opportunities = ws.warehouse.table("opportunities")
    if opportunities is None:
        return pd.DataFrame(columns=OPPORTUNITY_COLUMNS)
    rows = open_on(opportunities, kind="expansion", as_of=as_of)
    out = ws.warehouse.execute(rows.select("opportunity_id", "account_id", amount=rows.amount.cast("float64"),
                                           stage=rows.stage.cast("string"), close_date=rows.close_date.cast("date")))
    out["close_date"] = pd.to_datetime(out["close_date"]).dt.date
    return out.sort_values(["account_id", "close_date", "opportunity_id"]).reset_index(drop=True)[OPPORTUNITY_COLUMNS]


def joint_review(ws: Workspace, *, as_of: dt.date, min_arr: float | None = None,
                 owners: Mapping[str, str] | None = None, calls: pd.DataFrame | None = None,
                 work: pd.DataFrame | None = None) -> Review:
    """The review list of the accounts with ARR ≥ `min_arr` (default `desk.review_min_arr`) at `as_of`."""
    tier = ws.config.desk.review_min_arr if min_arr is None else float(min_arr)
    expansions = open_expansions(ws, as_of=as_of)
    listed = review_list(review_accounts(ws, as_of=as_of, owners=owners), min_arr=tier, as_of=as_of, calls=calls,
                         expansions=expansions, work=work)
    kept = expansions[expansions["account_id"].isin(set(listed["account_id"]))].reset_index(drop=True)
    return Review(as_of, tier, listed, kept)
