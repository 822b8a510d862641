"""The CTA queue page and API: scope, filters in the URL, and bulk assign all or none.

The company (tests/web/company.py) gets six hand-made CTAs; as of 2026-06-30 three open ones are
overdue (#1 by 10 days on A1, #3 by 5 on A3, #5 by 29 on the restricted A5) and #6 is closed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from tenure.web.deps import SESSION_COOKIE
from tenure.workflow.models import Cta, TimelineEntry
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import csrf_of

# id: (account, kind, priority, owner, due date, status)
CTAS = {
    1: ("A1", "risk", "high", "c1", dt.date(2026, 6, 20), "open"),
    2: ("A1", "renewal", "medium", "c1", dt.date(2026, 7, 15), "open"),
    3: ("A3", "risk", "urgent", "c2", dt.date(2026, 6, 25), "open"),
    4: ("A4", "expansion", "low", "c3", dt.date(2026, 7, 30), "open"),
    5: ("A5", "risk", "high", "c1", dt.date(2026, 6, 1), "open"),
    6: ("A2", "lifecycle", "medium", "c1", dt.date(2026, 5, 1), "closed"),
}


def add_ctas(root: Path) -> None:
    """Write CTAS into the company's workflow store (ids as listed)."""
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        for cta_id, (account, kind, priority, owner, due, status) in CTAS.items():
            session.add(Cta(id=cta_id, account_id=account, kind=kind, priority=priority, owner_person_id=owner,
                            due_date=due, status=status, reason=f"{kind} on {account}", rule=None))
    store.dispose()
    ws.close()


def owners_of(root: Path) -> dict[int, str]:
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        found = dict(session.execute(select(Cta.id, Cta.owner_person_id)).all())
    store.dispose()
    ws.close()
    return found


@pytest.fixture(scope="module")
def company(company):
    add_ctas(company)
    return company




def ids(response) -> list[int]:
    return [item["id"] for item in response.json()["items"]]


def test_a_csm_sees_the_ctas_of_their_book_most_overdue_first(signed_in):
    csm = signed_in("csm")
    response = csm.get("/api/v1/ctas")
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2026-06-30"
    assert ids(response) == [1, 2]  # A1's; not A3 (c2's), A4 (c3's) nor the restricted A5
    first = body["items"][0]
    assert (first["account_id"], first["days_overdue"], first["owner_name"], first["name"]) == ("A1", 10, "Person c1",
                                                                                                 "A1 Inc")
    page = csm.get("/ctas")
    assert page.status_code == 200
    assert "A1 Inc" in page.text and "A3 Inc" not in page.text and "A5 Inc" not in page.text
    assert 'name="cta_id"' not in page.text  # a CSM may not bulk assign


def test_filters_are_in_the_url(signed_in):
    director = signed_in("director")
    assert ids(director.get("/api/v1/ctas")) == [1, 3, 2, 4]  # A5 is restricted: the director is not cleared
    assert ids(signed_in("admin").get("/api/v1/ctas")) == [5, 1, 3, 2, 4]
    assert ids(director.get("/api/v1/ctas", params={"overdue": "true"})) == [1, 3]
    assert ids(director.get("/api/v1/ctas", params={"kind": "risk"})) == [1, 3]
    assert ids(director.get("/api/v1/ctas", params={"owner": "c3"})) == [4]
    assert ids(director.get("/api/v1/ctas", params={"status": "closed"})) == [6]
    assert ids(director.get("/api/v1/ctas", params={"status": "all", "per_page": 2, "page": 2})) == [6, 2]
    page = director.get("/ctas", params={"kind": "risk", "overdue": "true"})
    assert "A3 Inc" in page.text and "A4 Inc" not in page.text


def test_bad_filters_are_named(signed_in):
    director = signed_in("director")
    response = director.get("/api/v1/ctas", params={"kind": "urgent"})
    assert response.status_code == 400
    assert "kind must be one of risk, expansion, lifecycle, renewal" in response.json()["error"]["message"]
    assert director.get("/api/v1/ctas", params={"status": "done"}).status_code == 400


def test_bulk_assign_is_all_or_none(company, signed_in):
    manager = signed_in("manager")  # scope: c1's and c2's books (A1, A2, A3)
    refused = manager.post("/api/v1/ctas/assign", json={"cta_ids": [3, 4], "owner": "c1"},
                           headers={"X-CSRF-Token": csrf_of(manager)})
    assert refused.status_code == 403
    assert "CTA #4 is not on an account in your scope" in refused.json()["error"]["message"]
    assert owners_of(company)[3] == "c2"  # nothing changed
    closed = manager.post("/api/v1/ctas/assign", json={"cta_ids": [3, 6], "owner": "c1"},
                          headers={"X-CSRF-Token": csrf_of(manager)})
    assert closed.status_code == 400 and "#6 are closed" in closed.json()["error"]["message"]
    unknown = manager.post("/api/v1/ctas/assign", json={"cta_ids": [3], "owner": "nobody"},
                           headers={"X-CSRF-Token": csrf_of(manager)})
    assert unknown.status_code == 400 and "not a person_id" in unknown.json()["error"]["message"]
    assert owners_of(company)[3] == "c2"

    done = manager.post("/api/v1/ctas/assign", json={"cta_ids": [3, 2], "owner": "c2"},
                        headers={"X-CSRF-Token": csrf_of(manager)})
    assert done.status_code == 200
    assert done.json() == {"assigned": [3, 2], "owner": "c2"}
    assert owners_of(company)[2] == "c2"
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        entry = session.scalar(select(TimelineEntry).where(TimelineEntry.cta_id == 2,
                                                           TimelineEntry.kind == "cta_assigned"))
        assert (entry.author, entry.text) == ("manager@example.com", "CTA #2 assigned to c2 (was c1)")
    store.dispose()
    ws.close()


def test_the_page_assigns_with_a_csrf_token_only(company, signed_in):
    director = signed_in("director")
    form = {"cta_id": ["4"], "owner": "c3", "back": "kind=expansion&evil=1"}
    assert director.post("/ctas/assign", data=form).status_code == 403  # no CSRF token
    token = csrf_of(director, "/ctas")
    response = director.post("/ctas/assign", data={**form, "owner": "c2", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/ctas?kind=expansion&assigned=1&to=c2"
    assert owners_of(company)[4] == "c2"
    page = director.get(response.headers["location"])
    assert "Assigned 1 CTA to Person c2." in page.text


def test_a_director_gets_404_for_an_unknown_cta_and_403_for_a_restricted_one(signed_in):
    director = signed_in("director")
    token = {"X-CSRF-Token": csrf_of(director)}
    assert director.post("/api/v1/ctas/assign", json={"cta_ids": [99], "owner": "c1"}, headers=token).status_code == 404
    assert director.post("/api/v1/ctas/assign", json={"cta_ids": [5], "owner": "c1"}, headers=token).status_code == 403


def test_signed_out_the_page_asks_to_sign_in(client):
    assert SESSION_COOKIE not in client.cookies
    response = client.get("/ctas?kind=risk")
    assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
