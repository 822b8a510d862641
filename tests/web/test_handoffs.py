"""Handoffs and success criteria on the small company (tests/web/company.py).

The AE s1 sits on A1's account team, so the sales user edits A1's handoff and nothing else; a CSM
edits the handoffs of their book; a viewer has no handoffs to open.
"""

from __future__ import annotations

from sqlalchemy import select

from tenure.workflow.models import HANDOFF_FIELDS, TimelineEntry
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import csrf_of

FOUR = {"power_users": "Ops team (Dana, Lee)", "pain_point": "Manual month-end reporting",
        "gotchas": "Promised SSO by September", "success_criteria": "Close the books in 3 days"}




def timeline_texts(root, account_id: str) -> list[str]:
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        texts = list(session.scalars(select(TimelineEntry.text).where(TimelineEntry.account_id == account_id)))
    store.dispose()
    ws.close()
    return texts


def test_the_sales_user_fills_in_a1s_handoff_from_the_page(company, signed_in):
    sales = signed_in("sales")
    page = sales.get("/handoffs/A1")
    assert page.status_code == 200 and "0 of 6" in page.text
    assert sales.post("/handoffs/A1", data=FOUR).status_code == 403  # no CSRF token
    saved = sales.post("/handoffs/A1", data={**FOUR, "csrf_token": csrf_of(sales, "/handoffs/A1")})
    assert saved.status_code == 303 and saved.headers["location"] == "/handoffs/A1?saved=true"
    body = sales.get("/api/v1/handoffs/A1").json()
    assert (body["filled"], body["required"], body["complete"]) == (4, 6, False)
    assert body["missing"] == ["stakeholders", "promised_integrations"]
    assert body["fields"]["gotchas"] == "Promised SSO by September"
    assert body["updated_by"] == "sales@example.com"
    page = sales.get("/handoffs/A1?saved=true")
    assert "4 of 6" in page.text and "Stakeholders, Promised integrations" in page.text


def test_the_sales_user_is_refused_other_accounts(signed_in):
    sales = signed_in("sales")
    assert sales.get("/handoffs/A3").status_code == 403
    token = csrf_of(sales, "/handoffs")
    assert sales.post("/handoffs/A3", data={"pain_point": "x", "csrf_token": token}).status_code == 403
    refused = sales.put("/api/v1/handoffs/A3", json={"pain_point": "x"}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "account 'A3' is not in your scope"
    listed = sales.get("/api/v1/handoffs").json()
    assert [i["account_id"] for i in listed["items"]] == ["A1"]


def test_a_csm_completes_the_handoff_and_it_goes_on_the_timeline(company, signed_in):
    csm = signed_in("csm")
    response = csm.put("/api/v1/handoffs/A1", json={"stakeholders": "CFO Ana (sponsor)",
                                                    "promised_integrations": "NetSuite"},
                       headers={"X-CSRF-Token": csrf_of(csm)})
    assert response.status_code == 200
    assert (response.json()["filled"], response.json()["complete"], response.json()["missing"]) == (6, True, [])
    assert "Sales-to-CS handoff complete" in timeline_texts(company, "A1")
    cleared = csm.put("/api/v1/handoffs/A1", json={"gotchas": ""}, headers={"X-CSRF-Token": csrf_of(csm)})
    assert (cleared.json()["filled"], cleared.json()["missing"]) == (5, ["gotchas"])
    unknown = csm.put("/api/v1/handoffs/A1", json={"budget": "1"}, headers={"X-CSRF-Token": csrf_of(csm)})
    assert unknown.status_code == 422 and "budget" in unknown.json()["error"]["message"]
    empty = csm.put("/api/v1/handoffs/A1", json={}, headers={"X-CSRF-Token": csrf_of(csm)})
    assert empty.status_code == 400 and "nothing to change" in empty.json()["error"]["message"]
    assert signed_in("csm2").get("/api/v1/handoffs/A1").status_code == 403


def test_the_list_puts_incomplete_handoffs_first(signed_in):
    director = signed_in("director").get("/api/v1/handoffs").json()
    rows = [(i["account_id"], i["filled"], i["started"], i["complete"]) for i in director["items"]]
    assert rows == [("A1", 5, True, False), ("A2", 0, False, False), ("A3", 0, False, False),
                    ("A4", 0, False, False)]  # the restricted A5 is not listed for an uncleared director
    assert director["items"][1]["missing"] == list(HANDOFF_FIELDS)
    assert director["items"][0]["missing"] == ["gotchas"]
    assert signed_in("director").get("/api/v1/handoffs", params={"status": "complete"}).json()["total"] == 0
    page = signed_in("director").get("/handoffs", params={"status": "incomplete"})
    assert "5 of 6" in page.text and "not started" in page.text and "A5 Inc" not in page.text


def test_a_viewer_opens_no_handoff(signed_in):
    viewer = signed_in("viewer")
    assert viewer.get("/handoffs").status_code == 403
    assert viewer.get("/api/v1/handoffs/A1").status_code == 403


def test_success_criteria_start_a_plan_and_flag_agreement_before_signature(signed_in):
    sales = signed_in("sales")
    headers = {"X-CSRF-Token": csrf_of(sales)}
    url = "/api/v1/accounts/A1/success-criteria"
    first = sales.post(url, json={"criterion": "Month-end close in 3 days", "agreed_before_signature": True},
                       headers=headers)
    assert first.status_code == 400 and "no success plan yet" in first.json()["error"]["message"]
    started = sales.post(url, json={"criterion": "Month-end close in 3 days", "agreed_before_signature": True,
                                    "objective": "Faster month-end"}, headers=headers)
    assert started.status_code == 201
    plan_id = started.json()["plan_id"]
    assert started.json()["agreed_before_signature"] is True and started.json()["status"] == "open"
    second = sales.post(url, json={"criterion": "Ten weekly users"}, headers=headers)
    assert (second.status_code, second.json()["plan_id"]) == (201, plan_id)
    assert sales.post(url, json={"criterion": "x", "plan_id": 999}, headers=headers).status_code == 404
    assert sales.post(url, json={"criterion": "  "}, headers=headers).status_code == 400
    assert sales.post("/api/v1/accounts/A3/success-criteria", json={"criterion": "x", "objective": "y"},
                      headers=headers).status_code == 403
    plans = sales.get("/api/v1/handoffs/A1").json()["success_plans"]
    assert [(p["objective"], [(c["criterion"], c["agreed_before_signature"]) for c in p["criteria"]])
            for p in plans] == [("Faster month-end", [("Month-end close in 3 days", True),
                                                      ("Ten weekly users", False)])]


def test_the_page_adds_a_criterion_with_a_csrf_token(signed_in):
    csm = signed_in("csm")
    form = {"criterion": "Dashboards adopted by finance", "agreed_before_signature": "true"}
    assert csm.post("/handoffs/A1/success-criteria", data=form).status_code == 403
    added = csm.post("/handoffs/A1/success-criteria", data={**form, "csrf_token": csrf_of(csm, "/handoffs/A1")})
    assert added.status_code == 303
    page = csm.get("/handoffs/A1")
    assert "Dashboards adopted by finance" in page.text
    assert page.text.count("agreed before signature</span>") == 2
