"""Write-back to the CRM: each paying account's health, churn risk, next renewal and CSM in the
CRM's import format, so the numbers reach the people who live in the CRM.

The rows are the book of business at a date (`views.book.book_at`): every account paying then,
with its effective owner (a reassignment made in tenure overrides the loaded owner; callers pass
the overrides). Each CRM gets one CSV whose first column is the CRM's own record id — tenure's
`account_id`, which is the Salesforce Account ID or HubSpot Record ID when accounts were loaded
with the `salesforce-accounts` or `hubspot-companies` preset — and whose other columns are
fields to create once in the CRM (their API or internal names):

    field            Salesforce (Data Loader, update)   HubSpot (companies import)
    account id       Id                                 Record ID
    health score     Health_Score__c                    tenure_health_score        0-100, 1 decimal
    health band      Health_Band__c                     tenure_health_band         green, yellow or red
    churn risk       Churn_Probability__c               tenure_churn_probability   percent 0-100, 1 decimal
    next renewal     Next_Renewal_Date__c               tenure_next_renewal_date   YYYY-MM-DD
    CSM              CSM_Owner__c                       tenure_csm_owner           e-mail, else name, else id
    as of            Health_As_Of__c                    tenure_health_as_of        YYYY-MM-DD

An unknown value (no score stored, no churn model run) is an empty cell, which both CRMs' import
tools leave as "no value" rather than overwriting with zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import ConfigError
from tenure.views.book import book_at

if TYPE_CHECKING:
    from tenure.workspace import Workspace

FIELDS = ("account_id", "score", "band", "churn_probability", "renewal_date", "owner", "as_of")
COLUMNS: dict[str, tuple[str, ...]] = {
    "salesforce": ("Id", "Health_Score__c", "Health_Band__c", "Churn_Probability__c", "Next_Renewal_Date__c",
                   "CSM_Owner__c", "Health_As_Of__c"),
    "hubspot": ("Record ID", "tenure_health_score", "tenure_health_band", "tenure_churn_probability",
                "tenure_next_renewal_date", "tenure_csm_owner", "tenure_health_as_of"),
}


def crm_export(ws: Workspace, *, crm: str, as_of: dt.date, owners: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The write-back rows for `crm` ("salesforce" or "hubspot"): one per account paying at `as_of`."""
    _check(crm)
    book = ws.warehouse.execute(book_at(ws, as_of=as_of, owners=owners).select(
        "account_id", "score", "band", "churn_probability", "renewal_date", "owner"))
    team = ws.warehouse.table("team")
    people = ws.warehouse.execute(team.select("person_id", "name", "email")) if team is not None else None
    return crm_rows(book, people, crm=crm, as_of=as_of)


def crm_rows(book: pd.DataFrame, team: pd.DataFrame | None, *, crm: str, as_of: dt.date) -> pd.DataFrame:
    """Format book rows (account_id, score, band, churn_probability 0-1, renewal_date, owner person id)."""
    _check(crm)
    contact: dict[str, str] = {}
    if team is not None:
        for person in team.itertuples(index=False):
            contact[person.person_id] = _text(person.email) or _text(person.name) or person.person_id
    rows = pd.DataFrame({
        "account_id": book["account_id"].astype(str),
        "score": [_rounded(v) for v in book["score"]],
        "band": [_text(v) for v in book["band"]],
        "churn_probability": [_rounded(None if _missing(v) else float(v) * 100) for v in book["churn_probability"]],
        "renewal_date": [None if _missing(v) else pd.Timestamp(v).date().isoformat() for v in book["renewal_date"]],
        "owner": [None if _missing(v) else contact.get(str(v), str(v)) for v in book["owner"]],
        "as_of": as_of.isoformat(),
    }, columns=list(FIELDS))
    rows = rows.sort_values("account_id", kind="stable").reset_index(drop=True)
    return rows.rename(columns=dict(zip(FIELDS, COLUMNS[crm], strict=True)))


def _check(crm: str) -> None:
    if crm not in COLUMNS:
        raise ConfigError(f"unknown CRM {crm!r}; known: {', '.join(COLUMNS)}")


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: object) -> str | None:
    return None if _missing(value) or not str(value).strip() else str(value).strip()


def _rounded(value: object) -> float | None:
    return None if _missing(value) else round(float(value), 1)
