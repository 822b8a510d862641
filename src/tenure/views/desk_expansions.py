"""The expansion desk for a workspace: open expansion opportunities beside health, utilisation,
expansion probability and the account team; expansion leads from signals; expansion bookings.

Health comes from the stored snapshot of the date when `tenure run` stored one (else it is
computed); seat utilisation likewise from the stored account metrics; the expansion probability
only from a stored score (`tenure predict score`). The expansion owner follows `ownership:`
(views/ownership.py). Callers pass the owner reassignments read from the workflow store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis

from tenure.desk.expansions import (
    bookings,
    expansion_signals,
    open_on,
    rule_of,
    user_growth,
    won_by,
)
from tenure.history import METRICS_HISTORY, stored_day
from tenure.metrics import revenue
from tenure.metrics.calendar import index_of, period_first_index, period_label
from tenure.views.book import book_at
from tenure.views.ownership import account_teams_at
from tenure.views.revenue import account_mrr

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

ACCOUNT_COLUMNS = ["account_id", "name", "segment", "arr", "score", "band", "seat_utilisation",
                   "expansion_probability", "csm", "ae", "expansion_owner", "expansion_owner_source",
                   "active_users_30d", "active_users_prior_30d", "new_users_30d"]
PIPELINE_COLUMNS = ["opportunity_id", "account_id", "name", "segment", "arr", "band", "score", "seat_utilisation",
                    "expansion_probability", "amount", "stage", "probability", "close_date", "opportunity_owner",
                    "csm", "ae", "expansion_owner", "expansion_owner_source", "signals"]
LEAD_COLUMNS = ["account_id", "name", "segment", "arr", "band", "signal", "rule", "value", "threshold", "detail",
                "expansion_owner", "expansion_owner_source", "csm", "ae", "open_pipeline"]
# the CSV handed to the CRM (`tenure desk expansions --export FILE`), one row per lead
EXPORT_COLUMNS = ["as_of", "account_id", "account_name", "segment", "arr", "health_band", "signal", "detail",
                  "value", "threshold", "expansion_owner", "csm", "ae", "open_expansion_pipeline"]
QUARTERS = 8


def expansion_accounts(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every account paying at `as_of` with health, utilisation, expansion probability, user growth and team."""
    book = ws.warehouse.execute(book_at(ws, as_of=as_of, owners=owners).select(
        "account_id", "name", "segment", "arr", "score", "band", "expansion_probability"))
    teams = ws.warehouse.execute(account_teams_at(ws, as_of=as_of, owners=owners).select(
        "account_id", "csm", "ae", "expansion_owner", "expansion_owner_source"))
    frame = book.merge(teams, on="account_id", how="left").merge(_utilisation(ws, as_of), on="account_id", how="left")
    events = ws.warehouse.table("events")
    if events is not None:
        growth = ws.warehouse.execute(user_growth(events, as_of=as_of))
        frame = frame.merge(growth, on="account_id", how="left")
    for column in ACCOUNT_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    frame["arr"] = frame["arr"].astype(float)
    return frame[ACCOUNT_COLUMNS].sort_values("account_id").reset_index(drop=True)


def expansion_pipeline(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None,
                       accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CRM's expansion opportunities open on `as_of`, each beside its account's health, utilisation,
    expansion probability, team and signals; the largest amounts first."""
    import pandas as pd

    opportunities = ws.warehouse.table("opportunities")
    if opportunities is None:
        return pd.DataFrame(columns=PIPELINE_COLUMNS)
    open_ = open_on(opportunities, kind="expansion", as_of=as_of)
    rows = ws.warehouse.execute(open_.select(
        "opportunity_id", "account_id", amount=open_.amount.cast("float64"), stage=open_.stage,
        probability=_column(open_, "probability", "float64"), close_date=open_.close_date,
        opportunity_owner=_column(open_, "owner_id", "string")))
    accounts = accounts if accounts is not None else expansion_accounts(ws, as_of=as_of, owners=owners)
    signals = expansion_signals(accounts, ws.config.desk)
    fired = signals.groupby("account_id")["signal"].agg(", ".join).rename("signals")
    out = rows.merge(accounts, on="account_id", how="left").merge(fired, on="account_id", how="left")
    out = out.sort_values(["amount", "opportunity_id"], ascending=[False, True])
    return out[PIPELINE_COLUMNS].reset_index(drop=True)


def expansion_leads(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None,
                    accounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per paying account and expansion signal at `as_of` (LEAD_COLUMNS), the largest ARR first.

    `open_pipeline` is the amount of the account's expansion opportunities open that day (0: none),
    so Sales sees which leads are already being worked.
    """
    accounts = accounts if accounts is not None else expansion_accounts(ws, as_of=as_of, owners=owners)
    signals = expansion_signals(accounts, ws.config.desk)
    leads = signals.merge(accounts, on="account_id", how="left")
    leads["rule"] = leads["signal"].map(rule_of)
    opportunities = ws.warehouse.table("opportunities")
    if opportunities is not None and len(leads):
        open_ = open_on(opportunities, kind="expansion", as_of=as_of)
        pipeline = ws.warehouse.execute(open_.group_by("account_id").aggregate(
            open_pipeline=open_.amount.sum().cast("float64")))
        leads = leads.merge(pipeline, on="account_id", how="left")
    if "open_pipeline" not in leads.columns:
        leads["open_pipeline"] = 0.0
    leads["open_pipeline"] = leads["open_pipeline"].fillna(0.0).astype(float)
    leads = leads.sort_values(["arr", "account_id", "signal"], ascending=[False, True, True], kind="stable")
    return leads[LEAD_COLUMNS].reset_index(drop=True)


def crm_export(leads: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """The leads as rows for the CRM (EXPORT_COLUMNS)."""
    out = leads.rename(columns={"name": "account_name", "band": "health_band",
                                "open_pipeline": "open_expansion_pipeline"})
    out.insert(0, "as_of", as_of.isoformat())
    return out[EXPORT_COLUMNS]


def expansion_bookings(ws: Workspace, *, as_of: dt.date, quarters: int = QUARTERS) -> pd.DataFrame:
    """Expansion bookings from existing customers per fiscal quarter, the last `quarters` to the one
    holding `as_of` (to date), with the CS/Sales credit split, the year-ago quarter, and the expansion
    ARR movements of the same quarter beside them."""
    import pandas as pd

    fy = ws.config.fiscal_year_start_month
    current = period_first_index(index_of(as_of), "quarter", fy)
    firsts = [current - 3 * k for k in range(quarters + 3, -1, -1)]
    periods = [period_label(i, "quarter", fy) for i in firsts]
    opportunities = ws.warehouse.table("opportunities")
    won = pd.DataFrame(columns=["period", "amount"])
    if opportunities is not None:
        rows = won_by(opportunities, kind="expansion", as_of=as_of)
        rows = rows.filter(rows.close_date.cast("date") >= ibis.literal(_first_day(firsts[0]), type="date"))
        found = ws.warehouse.execute(rows.select(close_date=rows.close_date.cast("date"),
                                                 amount=rows.amount.cast("float64")))
        won = pd.DataFrame({"period": [period_label(index_of(d), "quarter", fy) for d in found["close_date"]],
                            "amount": found["amount"].astype(float)})
    moves = revenue.movements(account_mrr(ws, as_of=as_of), as_of=as_of,
                              reactivation_window_months=ws.config.revenue.reactivation_window_months)
    grown = moves.filter((moves.movement == "expansion") & (moves.month >= firsts[0]))
    monthly = ws.warehouse.execute(grown.group_by("month").aggregate(
        expansion_arr=(grown.change.sum() * 12).cast("float64")))
    moved = pd.DataFrame({"period": [period_label(int(m), "quarter", fy) for m in monthly["month"]],
                          "expansion_arr": monthly["expansion_arr"].astype(float)})
    return bookings(won, moved, periods=periods, shown=quarters, cs_share=ws.config.desk.expansion_credit_cs_share)


def _utilisation(ws: Workspace, as_of: dt.date) -> pd.DataFrame:
    """Seat utilisation of each paying account: the stored metrics of the date, else computed."""
    stored = stored_day(ws, METRICS_HISTORY, as_of)
    if stored is None:
        from tenure.views.health import metrics_at

        stored = metrics_at(ws, as_of=as_of)
    return ws.warehouse.execute(stored.select("account_id", seat_utilisation=stored.seat_utilisation.cast("float64")))


def _column(table, name: str, kind: str):
    return table[name].cast(kind) if name in table.columns else ibis.null(kind)


def _first_day(month_index: int) -> dt.date:
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, 1)

