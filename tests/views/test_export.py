"""`tenure export crm`: the write-back rows, formatted by hand from a made-up book, and the command end
to end on a small workspace.

The workspace (as of 2025-06-30):

    team           P1 Dana Park (dana@vendor.example), P2 Sam Lee (no e-mail)
    accounts       A1 owned by P1, A2 owned by P2, A3 owned by nobody, A4 (churned: not paying)
    subscriptions  S1 A1 1,000/month from 2024-01-01, 12-month term        -> renews 2026-01-01
                   S2 A2 500/month from 2024-09-15, 12-month term          -> renews 2025-09-15
                   S3 A3 250/month from 2025-03-01, 12-month term          -> renews 2026-03-01
                   S4 A4 100/month 2024-01-01 -> 2025-01-01 (ended)
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd
import pytest

from cli.helpers import tenure
from operating.tables import account, line, person, workspace_with
from tenure.errors import ConfigError
from tenure.views.book import book_at
from tenure.views.export import crm_rows
from tenure.workspace import Workspace

AS_OF = dt.date(2025, 6, 30)
BOOK = pd.DataFrame({
    "account_id": ["B2", "A1", "C3", "D4"],
    "score": [72.46, 35.0, float("nan"), 90.04],
    "band": ["green", "red", None, "green"],
    "churn_probability": [0.1234, 0.62, float("nan"), 0.0],
    "renewal_date": [dt.date(2025, 9, 15), pd.Timestamp("2026-01-01"), None, dt.date(2025, 12, 31)],
    "owner": ["P2", "P1", None, "P9"],
})
TEAM = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["Dana Park", "Sam Lee"],
                     "email": ["dana@vendor.example", None]})


def test_salesforce_rows_carry_the_account_id_and_custom_fields():
    rows = crm_rows(BOOK, TEAM, crm="salesforce", as_of=AS_OF)

    assert list(rows.columns) == ["Id", "Health_Score__c", "Health_Band__c", "Churn_Probability__c",
                                  "Next_Renewal_Date__c", "CSM_Owner__c", "Health_As_Of__c"]
    assert rows.astype(object).where(rows.notna(), None).values.tolist() == [
        ["A1", 35.0, "red", 62.0, "2026-01-01", "dana@vendor.example", "2025-06-30"],  # e-mail when known
        ["B2", 72.5, "green", 12.3, "2025-09-15", "Sam Lee", "2025-06-30"],  # else the name; 0.1234 -> 12.3 %
        ["C3", None, None, None, None, None, "2025-06-30"],  # unknown values stay empty, never 0
        ["D4", 90.0, "green", 0.0, "2025-12-31", "P9", "2025-06-30"],  # a person not in the team: the id
    ]


def test_hubspot_rows_use_the_record_id_and_tenure_properties():
    rows = crm_rows(BOOK, None, crm="hubspot", as_of=AS_OF)

    assert list(rows.columns) == ["Record ID", "tenure_health_score", "tenure_health_band",
                                  "tenure_churn_probability", "tenure_next_renewal_date", "tenure_csm_owner",
                                  "tenure_health_as_of"]
    assert rows["Record ID"].tolist() == ["A1", "B2", "C3", "D4"]
    assert rows["tenure_csm_owner"].tolist()[:2] == ["P1", "P2"]  # no team table: person ids


def test_an_unknown_crm_is_refused():
    with pytest.raises(ConfigError, match="unknown CRM 'pipedrive'; known: salesforce, hubspot"):
        crm_rows(BOOK, TEAM, crm="pipedrive", as_of=AS_OF)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """The workspace folder, closed: the command opens it itself."""
    workspace = workspace_with(tmp_path_factory.mktemp("crm"), {
        "team": [person("P1", name="Dana Park", email="dana@vendor.example"), person("P2", name="Sam Lee")],
        "accounts": [account("A1", owner_csm_id="P1"), account("A2", owner_csm_id="P2"), account("A3"),
                     account("A4")],
        "subscriptions": [line("S1", "A1", "2024-01-01", 1000, term_months=12),
                          line("S2", "A2", "2024-09-15", 500, term_months=12),
                          line("S3", "A3", "2025-03-01", 250, term_months=12),
                          line("S4", "A4", "2024-01-01", 100, end_date="2025-01-01", term_months=12)],
    })
    workspace.close()
    return workspace.root


def test_the_command_writes_a_salesforce_file_of_the_paying_accounts(root, tmp_path):
    out = tmp_path / "salesforce.csv"

    result = tenure("export", "crm", "--format", "salesforce", "--as-of", "2025-06-30", "--out", out, cwd=root)

    assert result.returncode == 0, result
    assert "wrote 3 accounts" in result.stderr
    with out.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert [(r["Id"], r["Next_Renewal_Date__c"], r["CSM_Owner__c"], r["Health_As_Of__c"]) for r in written] == [
        ("A1", "2026-01-01", "dana@vendor.example", "2025-06-30"),
        ("A2", "2025-09-15", "Sam Lee", "2025-06-30"),
        ("A3", "2026-03-01", "", "2025-06-30"),
    ]
    ws = Workspace.open(root)
    try:
        book = ws.warehouse.execute(book_at(ws, as_of=AS_OF)).set_index("account_id")
    finally:
        ws.close()
    for row in written:  # health as book_at computes it, rounded to one decimal
        score, band = book.loc[row["Id"], "score"], book.loc[row["Id"], "band"]
        assert row["Health_Score__c"] == ("" if pd.isna(score) else str(round(float(score), 1)))
        assert row["Health_Band__c"] == ("" if band is None or pd.isna(band) else band)
    assert {r["Churn_Probability__c"] for r in written} == {""}  # no churn model has scored this workspace


def test_the_command_prints_a_hubspot_file_without_out(root):
    result = tenure("export", "crm", "--format", "hubspot", "--as-of", "2025-06-30", cwd=root)

    assert result.returncode == 0, result
    written = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["Record ID"], r["tenure_next_renewal_date"]) for r in written] == [
        ("A1", "2026-01-01"), ("A2", "2025-09-15"), ("A3", "2026-03-01")]
