"""The accounts list, the account 360 and the changes made from it, on the small company of company.py.

As of 2026-06-30: A1 (Enterprise, c1) 60,000 ARR renewing 2027-01-01 (185 days); A3 (SMB, c2) 18,000 renewing
2027-02-01 (216 days; its monthly line's first anniversary); A4 (SMB, c3) 10,800 renewing 2027-06-01 (336 days);
A2 (SMB, c1) stopped paying on 2026-05-01; the restricted A5 (Enterprise, c1) 84,000, seen only by cleared users.
Enterprise accounts are high-touch whatever their band; SMB accounts outside the red band are digital.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.workflow.models import AuditEntry, Cta, TimelineEntry
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import USERS, csrf_of

DUE = (dt.date.today() + dt.timedelta(days=14)).isoformat()





@pytest.fixture(scope="module")
def store(company):
    ws = Workspace.open(company)
    found = WorkflowStore.of(ws)
    yield found
    found.dispose()
    ws.close()


def listed(client: TestClient, **params) -> list[str]:
    response = client.get("/api/v1/accounts", params=params)
    assert response.status_code == 200, response.text
    return [row["account_id"] for row in response.json()["items"]]


def test_the_list_shows_each_account_with_its_figures(signed_in):
    body = signed_in("director").get("/api/v1/accounts").json()
    assert body["as_of"] == "2026-06-30" and body["total"] == 4
    rows = {row["account_id"]: row for row in body["items"]}
    assert [row["account_id"] for row in body["items"]] == ["A1", "A3", "A4", "A2"]  # ARR, largest first
    a1 = rows["A1"]
    assert (a1["arr"], a1["segment"], a1["renewal_date"], a1["days_to_renewal"]) == (60_000, "Enterprise",
                                                                                     "2027-01-01", 185)
    assert (a1["owner"], a1["csm"], a1["motion"], a1["paying"]) == ("c1", "Person c1", "high-touch", True)
    assert a1["band"] in ("green", "yellow", "red") and a1["score"] is not None
    assert (rows["A3"]["arr"], rows["A3"]["renewal_date"], rows["A4"]["renewal_date"]) == (18_000, "2027-02-01",
                                                                                           "2027-06-01")
    a2 = rows["A2"]
    assert (a2["paying"], a2["arr"], a2["band"], a2["segment"], a2["csm"]) == (False, 0, None, "SMB", "Person c1")


def test_each_user_sees_their_scope_and_restricted_accounts_only_when_cleared(signed_in):
    assert listed(signed_in("admin")) == ["A5", "A1", "A3", "A4", "A2"]
    assert listed(signed_in("csm")) == ["A1", "A2"]  # c1's book without the restricted A5
    assert listed(signed_in("csm2")) == ["A3"]
    assert listed(signed_in("manager")) == ["A1", "A3", "A2"]  # c1's and c2's books
    assert listed(signed_in("sales")) == ["A1"]  # the AE's account team
    page = signed_in("csm").get("/accounts")
    assert "A1 Inc" in page.text and "A5" not in page.text and "Person c2" not in page.text


@pytest.mark.parametrize(("params", "expected"), [
    ({"segment": "SMB"}, ["A3", "A4", "A2"]),
    ({"csm": "c2"}, ["A3"]),
    ({"motion": "digital"}, ["A3", "A4"]),
    ({"renewal_within": "200"}, ["A1"]),
    ({"renewal_within": ""}, ["A1", "A3", "A4", "A2"]),  # an empty form field is no filter
    ({"q": "a3"}, ["A3"]),
    ({"q": "INC", "segment": "SMB", "sort": "account", "order": "asc"}, ["A2", "A3", "A4"]),
    ({"sort": "arr", "order": "asc"}, ["A2", "A4", "A3", "A1"]),
    ({"sort": "renewal", "order": "asc"}, ["A1", "A3", "A4", "A2"]),  # no renewal date: last either way
    ({"sort": "renewal", "order": "desc"}, ["A4", "A3", "A1", "A2"]),
    ({"sort": "csm", "order": "desc"}, ["A4", "A3", "A1", "A2"]),
])
def test_filters_and_sorting(signed_in, params, expected):
    assert listed(signed_in("director"), **params) == expected


def test_pages(signed_in):
    body = signed_in("director").get("/api/v1/accounts", params={"per_page": 3, "page": 2}).json()
    assert (body["total"], body["pages"], [r["account_id"] for r in body["items"]]) == (4, 2, ["A2"])


@pytest.mark.parametrize(("params", "message"), [
    ({"sort": "colour"}, "sort must be one of"),
    ({"order": "up"}, "order must be asc or desc"),
    ({"renewal_within": "soon"}, "renewal_within must be a whole number"),
])
def test_a_bad_filter_is_named(signed_in, params, message):
    response = signed_in("director").get("/api/v1/accounts", params=params)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_the_page_keeps_its_filters_in_a_link_to_share(signed_in):
    page = signed_in("director").get("/accounts", params={"segment": "SMB", "sort": "arr", "order": "asc"})
    assert page.status_code == 200
    text = page.text
    assert text.index("A2 Inc") < text.index("A4 Inc") < text.index("A3 Inc") and "A1 Inc" not in text
    assert 'value="https://testserver/accounts?segment=SMB&amp;sort=arr&amp;order=asc"' in text  # copy link
    header = text.split('href="/accounts?')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(header) == {"segment": ["SMB"], "sort": ["account"], "order": ["asc"]}
    assert '<option value="SMB" selected>' in text


def test_the_account_360(signed_in):
    body = signed_in("csm").get("/api/v1/accounts/A1").json()
    assert body["account"]["name"] == "A1 Inc" and body["account"]["arr"] == 60_000
    assert body["account"]["renewal_date"].startswith("2027-01-01") and body["account"]["days_to_renewal"] == 185
    assert [row["arr"] for row in body["arr_history"]] == [60_000] * 12
    assert body["health"]["band"] in ("green", "yellow", "red")
    assert body["health_trend"][-1]["score"] == pytest.approx(body["health"]["score"])
    measures = body["measures"]
    assert sum(m["points"] for m in measures if m["points"] is not None) == pytest.approx(body["health"]["score"])
    assert body["prediction"] is None and body["features"] is None and body["contacts"] is None
    page = signed_in("csm").get("/accounts/A1")
    assert page.status_code == 200
    assert "60.0K" in page.text and "2027-01-01" in page.text and "/accounts/A1/charts/arr.svg" in page.text
    chart = signed_in("csm").get("/accounts/A1/charts/arr.svg")
    assert chart.headers["content-type"] == "image/svg+xml" and "<svg" in chart.text
    assert signed_in("csm").get("/accounts/A1/charts/usage.svg").status_code == 404  # no events loaded


def test_an_account_outside_the_scope_is_refused(signed_in):
    assert signed_in("csm2").get("/accounts/A1").status_code == 403
    assert signed_in("csm").get("/api/v1/accounts/A5").status_code == 403  # restricted, even in c1's book
    assert signed_in("director").get("/accounts/A5").status_code == 404
    assert signed_in("admin").get("/api/v1/accounts/A5").json()["account"]["arr"] == 84_000


def test_a_note_from_the_page_goes_on_the_timeline_with_its_author(signed_in, store):
    client = signed_in("csm")
    token = csrf_of(client, "/accounts/A1")
    response = client.post("/accounts/A1/notes", data={"text": "Champion wants the SSO rollout", "csrf_token": token})
    assert response.status_code == 303 and response.headers["location"].startswith("/accounts/A1?done=note")
    page = client.get(response.headers["location"])
    assert "Note added." in page.text and "Champion wants the SSO rollout" in page.text
    with store.session() as session:
        entry = session.scalar(select(TimelineEntry).where(TimelineEntry.text == "Champion wants the SSO rollout"))
        assert (entry.account_id, entry.kind, entry.author) == ("A1", "note", USERS["csm"][0])
        audit = session.scalar(select(AuditEntry).where(AuditEntry.table_name == "timeline",
                                                        AuditEntry.row_id == entry.id))
        assert audit.actor == USERS["csm"][0] and audit.action == "insert"


def test_a_cta_opened_and_closed_from_the_page(signed_in, store):
    client = signed_in("manager")
    token = csrf_of(client, "/accounts/A1")
    response = client.post("/accounts/A1/ctas", data={"title": "Plan the renewal call", "kind": "renewal",
                                                      "priority": "high", "due_date": DUE, "csrf_token": token})
    assert response.status_code == 303
    with store.session() as session:
        cta = session.scalar(select(Cta).where(Cta.reason == "Plan the renewal call"))
        assert (cta.account_id, cta.kind, cta.priority, cta.status, cta.owner_person_id, cta.rule) == (
            "A1", "renewal", "high", "open", "c1", None)
        assert cta.due_date.isoformat() == DUE
    page = client.get("/accounts/A1")
    assert "Plan the renewal call" in page.text and f"/accounts/A1/ctas/{cta.id}/close" in page.text
    closed = client.post(f"/accounts/A1/ctas/{cta.id}/close", data={"note": "Call booked for May",
                                                                    "csrf_token": token})
    assert closed.status_code == 303
    timeline = client.get("/api/v1/accounts/A1").json()["timeline"]
    texts = [t["text"] for t in timeline]
    assert f"CTA #{cta.id} closed: Call booked for May" in texts
    assert any(t.startswith(f"CTA #{cta.id} opened by {USERS['manager'][0]}") for t in texts)
    with store.session() as session:
        assert session.get(Cta, cta.id).status == "closed"
        audit = session.scalar(select(AuditEntry).where(AuditEntry.table_name == "ctas", AuditEntry.row_id == cta.id,
                                                        AuditEntry.action == "update"))
        assert audit.actor == USERS["manager"][0] and audit.after["status"] == "closed"
    again = client.post(f"/accounts/A1/ctas/{cta.id}/close", data={"note": "twice", "csrf_token": token})
    assert again.status_code == 400 and "already closed" in again.text


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(signed_in, store):
    client = signed_in("csm")
    response = client.post("/accounts/A1/notes", data={"text": "forged note"})
    assert response.status_code == 403 and "CSRF" in response.text
    with store.session() as session:
        assert session.scalar(select(TimelineEntry).where(TimelineEntry.text == "forged note")) is None


def test_a_viewer_sees_no_forms_and_cannot_post(signed_in):
    client = signed_in("viewer")
    page = client.get("/accounts/A1")
    assert page.status_code == 200 and "Add a note" not in page.text and 'action="/accounts/A1/ctas"' not in page.text
    token = csrf_of(client, "/accounts/A1")
    assert client.post("/accounts/A1/notes", data={"text": "viewer note", "csrf_token": token}).status_code == 403


def test_the_api_opens_and_closes_ctas_in_scope_only(signed_in):
    csm, csm2 = signed_in("csm"), signed_in("csm2")
    opened = csm2.post("/api/v1/accounts/A3/ctas", json={"title": "Adoption review", "kind": "risk",
                                                         "due_date": DUE}, headers={"X-CSRF-Token": csrf_of(csm2)})
    assert opened.status_code == 201, opened.text
    cta = opened.json()
    assert (cta["account_id"], cta["priority"], cta["owner"], cta["status"]) == ("A3", "medium", "c2", "open")
    refused = csm.post(f"/api/v1/ctas/{cta['id']}/close", json={"note": "not mine"},
                       headers={"X-CSRF-Token": csrf_of(csm)})
    assert refused.status_code == 403
    closed = csm2.post(f"/api/v1/ctas/{cta['id']}/close", json={"note": "Reviewed with the admin"},
                       headers={"X-CSRF-Token": csrf_of(csm2)})
    assert closed.status_code == 200 and closed.json()["close_note"] == "Reviewed with the admin"


@pytest.mark.parametrize(("body", "message"), [
    ({"title": "x", "kind": "party", "due_date": DUE}, "kind must be one of risk, expansion"),
    ({"title": "x", "kind": "risk", "priority": "asap", "due_date": DUE}, "priority must be one of"),
    ({"title": "x", "kind": "risk", "due_date": "2020-01-01"}, "is before today"),
])
def test_a_bad_cta_is_refused_with_its_reason(signed_in, body, message):
    client = signed_in("director")
    response = client.post("/api/v1/accounts/A4/ctas", json=body, headers={"X-CSRF-Token": csrf_of(client, "/")})
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_a_bad_cta_from_the_form_is_a_page_naming_the_problem(signed_in, store):
    client = signed_in("director")
    token = csrf_of(client, "/accounts/A4")
    response = client.post("/accounts/A4/ctas", data={"title": "x" * 301, "kind": "risk", "priority": "low",
                                                      "due_date": DUE, "csrf_token": token})
    assert response.status_code == 400 and "at most 300 characters" in response.text
    with store.session() as session:
        assert session.scalar(select(Cta).where(Cta.account_id == "A4", Cta.reason == "x" * 301)) is None


def test_a_link_to_the_list_round_trips(signed_in):
    page = signed_in("director").get("/accounts", params={"band": "green", "sort": "churn", "order": "asc"})
    link = page.text.split('class="copy-link" type="text" readonly value="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlparse(link).query) == {"band": ["green"], "sort": ["churn"], "order": ["asc"]}


@pytest.mark.slow
def test_usage_features_contacts_and_activity_of_an_account(tmp_path):
    """The account page's usage, feature adoption, contacts and warehouse timeline, on a workspace with events.

    As of 2026-06-30 (no `tenure run`: the frames are computed): u1 and u2 logged in during the last week, u1
    created a report the week before, u3 exported on 2026-05-01 (inside the 26 weeks, outside the 30 days).
    """
    from operating.tables import account, line, person, workspace_with
    from tenure.metrics.accounts import registered
    from tenure.web.account_frames import accounts_at
    from tenure.web.account_page import account_facts

    ws = workspace_with(tmp_path, {
        "accounts": [account("B1")],
        "subscriptions": [line("L1", "B1", "2026-01-01", 1000)],
        "team": [person("p1")],
        "events": [{"account_id": "B1", "user_id": "u1", "event": "login", "timestamp": "2026-06-29T10:00:00Z"},
                   {"account_id": "B1", "user_id": "u2", "event": "login", "timestamp": "2026-06-28T10:00:00Z"},
                   {"account_id": "B1", "user_id": "u1", "event": "report_created",
                    "timestamp": "2026-06-20T10:00:00Z"},
                   {"account_id": "B1", "user_id": "u3", "event": "export", "timestamp": "2026-05-01T10:00:00Z"}],
        "features": [{"event": "login"}, {"event": "report_created", "is_key": True}, {"event": "export"},
                     {"event": "api_call"}],
        "contacts": [{"contact_id": "k1", "account_id": "B1", "email": "zed@b1.example", "name": "Zed",
                      "role": "user"},
                     {"contact_id": "k2", "account_id": "B1", "email": "amy@b1.example", "name": "Amy",
                      "role": "champion"},
                     {"contact_id": "k3", "account_id": "B1", "email": "bob@b1.example", "name": "Bob",
                      "role": "exec_sponsor"}],
        "activities": [{"activity_id": "a1", "account_id": "B1", "occurred_at": "2026-06-15T09:00:00Z", "type": "qbr",
                        "exec_present": True, "person_id": "p1"},
                       {"activity_id": "a2", "account_id": "B1", "occurred_at": "2025-10-01T09:00:00Z",
                        "type": "meeting"}],
        "tickets": [{"ticket_id": "t1", "account_id": "B1", "created_at": "2026-06-10T08:00:00Z", "priority": "high",
                     "status": "open"}],
    })
    try:
        frames = accounts_at(ws, as_of=dt.date(2026, 6, 30))
        facts = account_facts(frames, "B1", registered(ws.config.value_drivers()))
    finally:
        ws.close()
    weekly = facts.weekly_usage
    assert len(weekly) == 26 and str(weekly["week"].iloc[-1])[:10] == "2026-06-24"
    assert weekly[["events", "active_users"]].iloc[-1].tolist() == [2, 2]
    assert weekly[["events", "active_users"]].iloc[-2].tolist() == [1, 1]
    assert weekly["events"].sum() == 4
    features = facts.features.set_index("event")
    assert features["users"].to_dict() == {"login": 2, "report_created": 1, "api_call": 0, "export": 0}
    assert features["user_share"].to_dict() == {"login": 1.0, "report_created": 0.5, "api_call": 0.0, "export": 0.0}
    assert bool(features.loc["report_created", "is_key"]) and list(facts.features["event"])[:2] == [
        "login", "report_created"]
    assert list(facts.contacts["name"]) == ["Bob", "Amy", "Zed"]  # sponsor, champion, then the rest
    assert facts.activity["text"].tolist() == ["Ticket t1 (high), open", "QBR with an executive present"]
    assert facts.usage.set_index("metric")["value"]["active_users_30d"] == 2
    assert facts.view.profile["arr"] == 12_000 and facts.view.health is not None
