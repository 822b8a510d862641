"""My book and Team on the small company (tests/web/company.py) with the CTAs of test_ctas.

As of 2026-06-30 the paying accounts are A1 (c1, 60,000 ARR), A3 (c2, 18,000), A4 (c3, 10,800) and
the restricted A5 (c1, 84,000); A2 (c1) stopped paying in May. Every account scores 80 (green).
"""

from __future__ import annotations

import pytest

from tenure.workflow.credentials import issue_token
from tenure.workflow.models import User
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.test_ctas import add_ctas


@pytest.fixture(scope="module")
def company(company):
    add_ctas(company)
    return company




def accounts(response) -> list[str]:
    return [item["account_id"] for item in response.json()["items"]]


def test_a_csm_book_is_their_paying_accounts_with_totals(signed_in):
    response = signed_in("csm").get("/api/v1/book")
    assert response.status_code == 200
    body = response.json()
    assert accounts(response) == ["A1"]  # not A3 (c2), not the restricted A5
    assert body["totals"] == {"accounts": 1, "arr": 60000.0, "red_arr": 0.0, "red_accounts": 0, "renewals_90d": 0,
                              "renewals_90d_arr": 0.0, "open_ctas": 2, "overdue_ctas": 1}
    assert body["not_paying"] == [{"account_id": "A2", "name": "A2 Inc"}]
    row = body["items"][0]
    assert {k: row[k] for k in ("band", "score", "score_change_30d", "churn_probability", "renewal_date",
                                "days_to_renewal", "owner_name", "open_ctas", "overdue_ctas")} == {
        "band": "green", "score": 80.0, "score_change_30d": 0.0, "churn_probability": None,
        "renewal_date": "2027-01-01T00:00:00", "days_to_renewal": 185, "owner_name": "Person c1", "open_ctas": 2,
        "overdue_ctas": 1}


def test_the_book_page_shows_only_the_users_accounts(signed_in):
    page = signed_in("csm2").get("/book")
    assert page.status_code == 200
    assert "A3 Inc" in page.text and "A1 Inc" not in page.text and "A5 Inc" not in page.text
    assert '<div class="value">18.0K</div>' in page.text  # book ARR
    page = signed_in("csm").get("/book")
    assert '<div class="value">60.0K</div>' in page.text and "A2 Inc" in page.text  # A2 listed as not paying
    assert "A3 Inc" not in page.text and "A5 Inc" not in page.text


def test_each_role_sees_its_scope(signed_in):
    assert accounts(signed_in("manager").get("/api/v1/book")) == ["A1", "A3"]
    assert accounts(signed_in("sales").get("/api/v1/book")) == ["A1"]
    director = signed_in("director").get("/api/v1/book").json()
    assert [i["account_id"] for i in director["items"]] == ["A1", "A3", "A4"]
    assert director["totals"]["arr"] == 88800.0
    admin = signed_in("admin").get("/api/v1/book").json()  # cleared for restricted accounts
    assert [i["account_id"] for i in admin["items"]] == ["A5", "A1", "A3", "A4"]
    assert admin["totals"]["arr"] == 172800.0 and admin["totals"]["overdue_ctas"] == 3


def test_sorting_and_one_owners_book(signed_in):
    admin = signed_in("admin")
    assert accounts(admin.get("/api/v1/book", params={"sort": "name"})) == ["A1", "A3", "A4", "A5"]
    assert accounts(admin.get("/api/v1/book", params={"sort": "renewal"})) == ["A5", "A1", "A3", "A4"]
    assert accounts(admin.get("/api/v1/book", params={"owner": "c1"})) == ["A5", "A1"]
    assert accounts(signed_in("manager").get("/api/v1/book", params={"owner": "c3"})) == []  # c3 is not their team
    wrong = admin.get("/api/v1/book", params={"sort": "colour"})
    assert wrong.status_code == 400 and "sort must be one of risk" in wrong.json()["error"]["message"]
    assert accounts(admin.get("/api/v1/book", params={"per_page": 3, "page": 2})) == ["A4"]


def _token_for(root, email: str, role: str, person_id: str | None) -> dict[str, str]:
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        session.add(User(email=email, name=email, role=role, person_id=person_id))
        session.flush()
        token = issue_token(session, email, "test")
    store.dispose()
    ws.close()
    return {"Authorization": f"Bearer {token}"}


def test_a_user_without_a_book_is_told_why(company, client):
    unlinked = client.get("/api/v1/book", headers=_token_for(company, "lost@example.com", "csm", None)).json()
    assert unlinked["items"] == [] and "not linked to a team person" in unlinked["message"]
    empty = client.get("/api/v1/book", headers=_token_for(company, "new@example.com", "csm", "c9")).json()
    assert empty["message"] == "There are no accounts in your scope."
    assert empty["totals"]["arr"] == 0.0


def test_a_managers_team_is_their_reports(signed_in):
    response = signed_in("manager").get("/api/v1/team")
    assert response.status_code == 200
    body = response.json()
    rows = {r["person_id"]: r for r in body["items"]}
    assert set(rows) == {"c1", "c2"}  # not c3, who reports to nobody
    assert {k: rows["c1"][k] for k in ("csm", "accounts", "arr", "red_arr", "open_ctas", "overdue_ctas", "flag")} == {
        "csm": "Person c1", "accounts": 1, "arr": 60000.0, "red_arr": 0.0, "open_ctas": 2, "overdue_ctas": 1,
        "flag": "idle"}
    assert rows["c1"]["utilisation"] == pytest.approx(20 / (30 * 52 / 12))  # two high-touch accounts, 10 h each
    assert (rows["c2"]["accounts"], rows["c2"]["arr"], rows["c2"]["overdue_ctas"]) == (1, 18000.0, 1)
    assert body["hidden_restricted_accounts"] == 1  # A5 stays out of c1's book for an uncleared manager
    page = signed_in("manager").get("/team")
    assert "Person c2" in page.text and "Person c3" not in page.text
    assert "1 restricted account you are not cleared for is" in page.text


def test_directors_see_every_csm_and_the_cleared_see_restricted_books(signed_in):
    director = {r["person_id"]: r for r in signed_in("director").get("/api/v1/team").json()["items"]}
    assert set(director) == {"c1", "c2", "c3"}
    assert director["c3"]["open_ctas"] == 1
    admin = signed_in("admin").get("/api/v1/team").json()
    c1 = next(r for r in admin["items"] if r["person_id"] == "c1")
    assert (c1["accounts"], c1["arr"], c1["open_ctas"], c1["overdue_ctas"]) == (2, 144000.0, 3, 2)
    assert admin["hidden_restricted_accounts"] == 0


def test_csms_and_sales_have_no_team_page(signed_in):
    assert signed_in("csm").get("/team").status_code == 403
    assert signed_in("sales").get("/api/v1/team").status_code == 403
