"""The desk on the small company of company.py, as of 2026-06-30.

Renewals (yearly contracts): A1 (ARR 60,000, c1) and the restricted A5 (84,000, c1) on 2027-01-01,
185 days out; A3 (18,000, c2) on 2027-02-01; A4 (10,800, c3) on 2027-06-01. A2 no longer pays. No
model has scored them, no opportunity is loaded, nobody answered an NPS survey.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tenure.workflow.calls import record_call
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import AS_OF, client_for, sign_in

YEAR = {"days": 365}


@pytest.fixture(scope="module")
def director(company):
    with client_for(company) as client:
        yield sign_in(client, "director")


def renewals(client, **params) -> dict:
    response = client.get("/api/v1/desk/renewals", params={**YEAR, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_renewal_pipeline_rolls_up_the_accounts_in_scope(director, as_role):
    found = renewals(director)
    assert [r["account_id"] for r in found["items"]] == ["A1", "A3", "A4"]  # A5 is restricted
    assert found["summary"]["totals"]["arr"] == 88_800 and found["summary"]["totals"]["uncalled_arr"] == 88_800
    assert [(m["month"], m["arr"]) for m in found["rollup"]] == [("2027-01", 60_000), ("2027-02", 18_000),
                                                                  ("2027-06", 10_800)]
    assert renewals(as_role("admin"))["summary"]["totals"]["arr"] == 172_800  # cleared: A5 too
    assert [r["account_id"] for r in renewals(as_role("manager"))["items"]] == ["A1", "A3"]  # m1's team: c1, c2
    by_segment = renewals(director, by="segment")["rollup"]
    assert [(r["segment"], r["renewals"], r["arr"]) for r in by_segment] == [("Enterprise", 1, 60_000),
                                                                              ("SMB", 2, 28_800)]


def test_the_window_defaults_to_the_desk_setting(director):
    found = director.get("/api/v1/desk/renewals").json()
    assert found["summary"]["days"] == 180 and found["total"] == 0  # the first renewal is 185 days out
    assert director.get("/api/v1/desk/renewals", params={"by": "quarter"}).status_code == 400


def test_a_call_shows_at_once_in_the_review_list(director, company):
    review = director.get("/api/v1/desk/review", params={"min_arr": 10_000}).json()
    assert [(r["account_id"], r["call"]) for r in review["items"]] == [("A1", None), ("A3", None), ("A4", None)]
    assert review["summary"]["arr"] == 88_800
    renewal = renewals(director)["items"][0]
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session(actor="desk test") as session:
        record_call(session, account_id="A1", call="commit", renewal=renewal, as_of=AS_OF, window_days=365,
                    actor="desk test", called_at=dt.datetime(2026, 6, 30, 9))
    store.dispose()
    ws.close()
    review = director.get("/api/v1/desk/review", params={"min_arr": 10_000}).json()
    assert review["items"][0]["call"] == "commit"
    assert renewals(director)["summary"]["totals"]["committed_arr"] == 60_000
    higher = director.get("/api/v1/desk/review", params={"min_arr": 20_000}).json()
    assert [r["account_id"] for r in higher["items"]] == ["A1"]


def test_advocates_check_each_criterion(director):
    found = director.get("/api/v1/desk/advocates", params={"all": "true"}).json()
    assert found["total"] == 3 and found["summary"]["candidates"] == 0
    assert found["summary"]["failing"]["promoter"] == 3  # no NPS answer anywhere
    assert {r["why_not"] for r in found["items"]} == {"high adoption, promoter"}
    assert director.get("/api/v1/desk/advocates").json()["total"] == 0  # only candidates by default


def test_views_without_their_data_say_so(director):
    expansions = director.get("/api/v1/desk/expansions").json()
    assert expansions["summary"]["opportunities_loaded"] is False and expansions["total"] == 0
    assert director.get("/api/v1/desk/leads").json()["total"] == 0
    vetting = director.get("/api/v1/desk/vetting").json()
    assert vetting["total"] == 0 and "cannot train the fit model" in vetting["summary"]["model"]["note"]
    assert director.get("/api/v1/desk/forecasts").status_code == 404


def test_each_view_is_its_own_page(director):
    page = director.get("/desk", params={"view": "review", "min_arr": 0})
    assert page.status_code == 200
    assert "A1 Inc" in page.text and "A5 Inc" not in page.text and "88.8K ARR" in page.text
    pipeline = director.get("/desk", params={"days": 365, "by": "owner", "per_page": 2})
    assert "page 1 of 2" in pipeline.text and "By owner" in pipeline.text
    assert "/desk?days=365&amp;by=owner&amp;page=2&amp;per_page=2" in pipeline.text  # the next page keeps the query
    for view in ("expansions", "leads", "vetting", "advocates"):
        assert director.get("/desk", params={"view": view}).status_code == 200
    assert director.get("/desk", params={"view": "nothing"}).status_code == 404
