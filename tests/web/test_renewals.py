"""The renewals page and API on the small company (tests/web/company.py) with the CTAs of test_ctas.

As of 2026-06-30 the annual contracts renew on 2027-01-01 (A1, 60,000 ARR; the restricted A5, 84,000:
185 days ahead), 2027-02-01 (A3, 18,000: 216 days) and 2027-06-01 (A4, 10,800: 336 days); A2's
monthly plan ended. No model scored the company, so there are no probabilities.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.views.desk_renewals import renewal_of
from tenure.workflow.calls import record_call
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import AS_OF
from web.test_ctas import add_ctas


@pytest.fixture(scope="module")
def company(company):
    add_ctas(company)
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session() as session:  # the owner commits A1's renewal the day before
        record_call(session, account_id="A1", call="commit", renewal=renewal_of(ws, "A1", as_of=AS_OF), as_of=AS_OF,
                    window_days=200, actor="csm1@example.com", called_at=dt.datetime(2026, 6, 29, 12))
    store.dispose()
    ws.close()
    return company




def accounts(response) -> list[str]:
    return [item["account_id"] for item in response.json()["items"]]


def test_the_default_window_is_180_days(signed_in):
    body = signed_in("admin").get("/api/v1/renewals").json()
    assert (body["days"], body["total"], body["months"]) == (180, 0, [])  # A1 and A5 renew in 185 days
    assert body["totals"]["renewals"] == 0
    page = signed_in("admin").get("/renewals")
    assert "No renewal of a contract longer than a month falls in these 180 days." in page.text


def test_a_csm_sees_their_renewals_with_cta_status_and_call(signed_in):
    response = signed_in("csm").get("/api/v1/renewals", params={"days": 200})
    assert response.status_code == 200
    body = response.json()
    assert accounts(response) == ["A1"]  # not the restricted A5 renewing the same day
    row = body["items"][0]
    assert {k: row[k] for k in ("month", "arr", "owner", "churn_probability", "expected_renewed_arr", "call",
                                "open_ctas", "overdue_ctas", "open_risk_ctas", "open_renewal_ctas")} == {
        "month": "2027-01", "arr": 60000.0, "owner": "c1", "churn_probability": None, "expected_renewed_arr": None,
        "call": "commit", "open_ctas": 2, "overdue_ctas": 1, "open_risk_ctas": 1, "open_renewal_ctas": 1}
    assert body["months"] == [{"month": "2027-01", "renewals": 1, "arr": 60000.0, "scored_renewals": 0,
                               "expected_renewed_arr": None, "called_renewals": 1, "committed_arr": 60000.0,
                               "best_case_arr": 60000.0, "at_risk_arr": 0.0, "lost_arr": 0.0, "uncalled_arr": 0.0,
                               "with_open_ctas": 1}]
    assert accounts(signed_in("csm2").get("/api/v1/renewals", params={"days": 200})) == []


def test_months_and_totals_follow_the_scope(signed_in):
    admin = signed_in("admin").get("/api/v1/renewals", params={"days": 220}).json()
    assert [i["account_id"] for i in admin["items"]] == ["A5", "A1", "A3"]  # soonest, then largest first
    assert [(m["month"], m["renewals"], m["arr"]) for m in admin["months"]] == [("2027-01", 2, 144000.0),
                                                                                 ("2027-02", 1, 18000.0)]
    assert (admin["totals"]["arr"], admin["totals"]["uncalled_arr"]) == (162000.0, 102000.0)
    director = signed_in("director").get("/api/v1/renewals", params={"days": 220}).json()
    assert [i["account_id"] for i in director["items"]] == ["A1", "A3"]
    assert director["totals"]["arr"] == 78000.0
    assert accounts(signed_in("admin").get("/api/v1/renewals", params={"days": 220, "owner": "c2"})) == ["A3"]
    assert accounts(signed_in("admin").get("/api/v1/renewals", params={"days": 365, "segment": "SMB"})) == ["A3", "A4"]


def test_the_page_groups_by_month_with_a_chart(signed_in):
    page = signed_in("manager").get("/renewals", params={"days": 220})
    assert page.status_code == 200
    assert 'id="month-2027-01"' in page.text and 'id="month-2027-02"' in page.text
    assert "A1 Inc" in page.text and "A3 Inc" in page.text and "A5 Inc" not in page.text
    assert "<svg" in page.text  # ARR up for renewal per month, drawn on the server
    assert "1 open, <span class=\"flag\">1 overdue</span>; 1 risk" in page.text  # A3's CTA status


def test_a_window_outside_a_year_is_refused(signed_in):
    response = signed_in("admin").get("/api/v1/renewals", params={"days": 400})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "days must be from 1 to 365, not 400"
