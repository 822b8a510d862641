"""Product feedback on the small company of company.py, with two feature requests and one churn reason.

A2 (MRR 800) churned in May 2026: 9,600 ARR lost, recorded as `price` (lost to Acme) after an exit
interview. A2 and A3 asked for "SSO", A4 for "Audit log". As of 2026-06-30 a 3-month window
(April to June) holds the churn; a 1-month window (June) holds none.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tenure.workflow.churn import record
from tenure.workflow.models import AuditEntry, FeatureRequest, TimelineEntry
from tenure.workflow.requests import request_feature
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import USERS, client_for, csrf_of, sign_in


@pytest.fixture(scope="module")
def requests(company):
    """The feedback of the module's company: the ids of the SSO and Audit log requests."""
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session(actor="setup") as session:
        sso = request_feature(session, "SSO", "A2", actor="setup")
        request_feature(session, "SSO", "A3", actor="setup")
        audit = request_feature(session, "Audit log", "A4", actor="setup")
        record(session, ws.config.churn_reasons, account_id="A2", occurred_on=dt.date(2026, 5, 1), movement="churn",
               arr_lost=9600, primary="price", competitor="Acme", interviewed=True, actor="setup")
        session.flush()
        found = {"SSO": sso.id, "Audit log": audit.id}
    store.dispose()
    ws.close()
    return found


@pytest.fixture(scope="module")
def director(company, requests):
    with client_for(company) as client:
        yield sign_in(client, "director")


def test_churn_reasons_and_feature_requests_are_ranked_by_arr(director, requests):
    found = director.get("/api/v1/feedback", params={"months": 3}).json()
    assert (found["since"], found["as_of"]) == ("2026-04-01", "2026-06-30")
    assert found["lost_arr"] == 9600 and found["interviewed_arr"] == 9600
    assert found["reasons"] == [{"reason": "price", "voluntary": True, "records": 1, "arr_lost": 9600.0,
                                 "competitors": "Acme"}]
    features = found["features"]["items"]
    assert [(f["title"], f["accounts"], f["arr_lost"]) for f in features] == [("SSO", 2, 9600.0), ("Audit log", 1, 0.0)]
    assert features[0]["id"] == requests["SSO"]


def test_the_window_is_in_the_url(director):
    june = director.get("/api/v1/feedback", params={"months": 1}).json()
    assert (june["since"], june["lost_arr"], june["reasons"]) == ("2026-06-01", 0.0, [])
    assert director.get("/api/v1/feedback", params={"months": 0}).status_code == 422
    page = director.get("/feedback", params={"months": 1})
    assert "2026-06-01 to 2026-06-30" in page.text and "No churn reason recorded in the window" in page.text


def test_the_page_ranks_with_charts_and_lets_a_director_move_a_request(director, requests):
    page = director.get("/feedback", params={"months": 3})
    assert page.status_code == 200
    assert "price" in page.text and "Acme" in page.text and "9,600" in page.text
    assert page.text.count("<svg") == 2
    assert f'action="/feedback/requests/{requests["SSO"]}/status"' in page.text


def test_a_viewer_reads_the_statuses_but_may_not_move_them(as_role, requests):
    viewer = as_role("viewer")
    page = viewer.get("/feedback")
    assert page.status_code == 200 and "SSO" in page.text
    assert "/status\"" not in page.text
    moved = viewer.post(f"/feedback/requests/{requests['SSO']}/status",
                        data={"status": "planned", "csrf_token": csrf_of(viewer, "/feedback")})
    assert moved.status_code == 403


def test_moving_a_request_tells_each_requesting_account_and_is_audited(director, company, requests):
    sso = requests["SSO"]
    token = csrf_of(director, "/feedback")
    assert director.post(f"/feedback/requests/{sso}/status", data={"status": "planned"}).status_code == 403  # no CSRF
    moved = director.post(f"/feedback/requests/{sso}/status",
                          data={"status": "planned", "csrf_token": token, "back": "/feedback?months=3"})
    assert moved.status_code == 303
    assert moved.headers["location"] == f"/feedback?months=3&moved={sso}#request-{sso}"
    statuses = {f["title"]: f["status"] for f in director.get("/api/v1/feedback").json()["features"]["items"]}
    assert statuses == {"SSO": "planned", "Audit log": "under review"}  # shown at once, not from a stale cache
    only_planned = director.get("/api/v1/feedback", params={"status": "planned"}).json()["features"]
    assert [f["title"] for f in only_planned["items"]] == ["SSO"]
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        told = session.scalars(select(TimelineEntry.account_id).where(TimelineEntry.kind == "feature_status")).all()
        actors = session.scalars(select(AuditEntry.actor).where(AuditEntry.table_name == "feature_requests",
                                                                AuditEntry.row_id == sso)).all()
        assert session.get(FeatureRequest, sso).status == "planned"
    store.dispose()
    ws.close()
    assert sorted(told) == ["A2", "A3"]
    assert USERS["director"][0] in actors


def test_a_redirect_after_a_move_stays_on_the_feedback_page(director, requests):
    audit = requests["Audit log"]
    moved = director.post(f"/feedback/requests/{audit}/status", data={
        "status": "beta", "csrf_token": csrf_of(director, "/feedback"), "back": "https://evil.example/"})
    assert moved.headers["location"].startswith("/feedback?moved=")


def test_the_api_moves_requests_with_a_clear_error_for_a_bad_status(as_role, requests):
    manager = as_role("manager")
    headers = {"X-CSRF-Token": csrf_of(manager, "/feedback")}
    bad = manager.patch(f"/api/v1/feedback/requests/{requests['Audit log']}", json={"status": "someday"},
                        headers=headers)
    assert bad.status_code == 400
    assert "status must be one of under review, planned, beta, shipped, declined" in bad.json()["error"]["message"]
    done = manager.patch(f"/api/v1/feedback/requests/{requests['Audit log']}", json={"status": "shipped"},
                         headers=headers)
    assert done.json() == {"id": requests["Audit log"], "title": "Audit log", "status": "shipped",
                           "accounts_notified": 1}
