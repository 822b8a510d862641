"""The operating-model page and API on the small company of company.py (as of 2026-06-30).

Paying then: Enterprise A1 (ARR 60,000) and the restricted A5 (84,000); SMB A3 (18,000) and A4
(10,800); A2 churned in May. The team's CSMs c1, c2, c3 carry no segment, so the capacity plan
places each by their book (c1 Enterprise; c2 and c3 SMB) and coverage flags all three idle.
"""

from __future__ import annotations

import pytest

from web.company import client_for, sign_in


@pytest.fixture(scope="module")
def director(company):
    """One director's session for the module: the app's cache carries from test to test, as in use."""
    with client_for(company) as client:
        yield sign_in(client, "director")


def test_segments_count_every_paying_account(director):
    found = director.get("/api/v1/operating/segments").json()
    assert found["as_of"] == "2026-06-30"
    rows = {row["segment"]: row for row in found["segments"]}
    assert (rows["Enterprise"]["accounts"], rows["Enterprise"]["arr"]) == (2, 144_000)
    assert (rows["SMB"]["accounts"], rows["SMB"]["arr"]) == (2, 28_800)
    assert rows["Enterprise"]["arr_share"] == pytest.approx(144_000 / 172_800)
    assert rows["SMB"]["loaded"] == 2


def test_coverage_per_csm_with_flags_filters_and_pages(director):
    found = director.get("/api/v1/operating/coverage", params={"per_page": 2}).json()
    assert found["csms"]["total"] == 3 and found["csms"]["pages"] == 2
    first = found["csms"]["items"][0]
    assert (first["person_id"], first["accounts"], first["arr"], first["flag"]) == ("c1", 2, 144_000, "idle")
    assert first["utilisation"] == pytest.approx(20 / 130, abs=1e-6)  # two high-touch accounts, 10 hours each
    assert director.get("/api/v1/operating/coverage", params={"flagged": "true"}).json()["csms"]["total"] == 3
    assert director.get("/api/v1/operating/coverage", params={"segment": "SMB"}).json()["csms"]["total"] == 0


def test_the_capacity_what_if_recomputes_the_headcount(director):
    base = director.get("/api/v1/operating/capacity").json()
    assert base["plan_source"] == "ARR +0% over 4 quarters"
    assert base["quarters"] == ["2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    assert base["what_if"] is None
    enterprise = [q for q in base["base"]["quarters"] if q["segment"] == "Enterprise"]
    assert all(q["binding"] == "effort" and q["csms_needed"] < 0.2 for q in enterprise)

    found = director.get("/api/v1/operating/capacity", params={"arr_growth": "30%", "accounts_per_csm.Enterprise": "1"})
    assert found.status_code == 200
    plan = found.json()
    assert plan["plan_source"] == "ARR +30% over 4 quarters"
    assert plan["what_if"]["ratios"] == {"Enterprise": {"accounts_per_csm": 1.0}}
    last = [p for p in plan["plan"] if p["quarter"] == "2027Q2" and p["segment"] == "Enterprise"][0]
    assert last["arr"] == pytest.approx(144_000 * 1.3)
    # one dedicated account per CSM: Enterprise needs as many CSMs as it keeps accounts
    for quarter in (q for q in plan["what_if"]["quarters"] if q["segment"] == "Enterprise"):
        assert quarter["binding"] == "accounts"
        assert quarter["csms_needed"] == pytest.approx(quarter["accounts"])
    totals = [row for row in plan["comparison"] if row["segment"] == "Total"]
    assert sum(row["base_hires"] for row in totals) == 0
    assert sum(row["hires"] for row in totals) == 2  # 1.9 CSMs needed in 2026Q3 against the one c1
    assert all(row["csms_freed"] < -1 for row in totals)


def test_moving_a_segment_to_digital_frees_its_effort(director):
    plan = director.get("/api/v1/operating/capacity", params=[("digital", "Enterprise")]).json()
    assert plan["what_if"]["motions"] == {"Enterprise": "digital"}
    first = [row for row in plan["comparison"] if row["quarter"] == "2026Q3" and row["segment"] == "Enterprise"][0]
    assert first["csms_needed"] < first["base_csms_needed"]
    assert first["binding"] == "arr"  # with no dedicated account left, ARR per CSM binds
    page = director.get("/operating", params=[("digital", "Enterprise")]).text
    assert page.count("<option selected>digital</option>") == 1  # the form shows the move, to edit it further
    assert "What-if: Enterprise → digital." in page


@pytest.mark.parametrize(("params", "message"), [
    ({"arr_growth": "lots"}, "arr_growth must be a number, not 'lots'"),
    ({"arr_growth": "-2"}, "arr_growth must be above -1"),
    ({"quarters": "0"}, "quarters must be a whole number from 1 to 20, not 0"),
    ({"accounts_per_csm.SMB": "many"}, "accounts_per_csm.SMB must be a number"),
    ({"accounts_per_csm.SMB": "0"}, "SMB: accounts_per_csm must be at least 1, not 0"),
    ({"accounts_per_csm.Nowhere": "5"}, "segment 'Nowhere' is not in the plan"),
    ({"motion.SMB": "carrier pigeon"}, "SMB: unknown motion 'carrier pigeon'"),
    ({"seats_per_csm.SMB": "5"}, "unknown what-if parameter 'seats_per_csm.SMB'"),
])
def test_bad_what_if_input_is_a_400_naming_it(director, params, message):
    response = director.get("/api/v1/operating/capacity", params=params)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_the_page_shows_segments_coverage_and_the_what_if_beside_the_base(director):
    page = director.get("/operating", params={"accounts_per_csm.Enterprise": "1", "flagged": "true"})
    assert page.status_code == 200
    text = page.text
    assert "144K" in text and "28.8K" in text  # the segments' ARR
    assert text.count('class="flag">idle<') == 3
    assert "What-if: Enterprise accounts_per_csm 1." in text
    assert "hires over the plan 2 instead of 0" in text
    assert 'name="accounts_per_csm.Enterprise" value="1"' in text  # the form keeps the what-if
    assert "<svg" in text


def test_bad_input_on_the_page_is_a_message_beside_the_base_plan(director):
    page = director.get("/operating", params={"arr_growth": "lots", "accounts_per_csm.SMB": "2"})
    assert page.status_code == 400
    assert "what-if: arr_growth must be a number, not &#39;lots&#39;" in page.text
    assert "Hiring plan" in page.text and "Plan: ARR +0% over 4 quarters" in page.text
    assert 'name="arr_growth" value="lots"' in page.text
    assert "Traceback" not in page.text


def test_a_csm_may_not_open_the_operating_model(as_role):
    assert as_role("csm").get("/operating").status_code == 403
