"""The director dashboard on the small company of company.py, with figures computed by hand from its subscriptions.

As of 2026-06-30 the paying book is A1 60,000 (5,000 a month billed yearly), A3 18,000 (1,200 + 300 a month
since 2026-02), A4 10,800 and the restricted A5 84,000: ARR 172,800. A2 (9,600) ended on 2026-05-01.
Trailing 12 months: the book of 2025-06-30 is A1, A2, A3 (14,400), A4, A5 = 178,800; A3's expansion is capped
for GRR, so GRR = 169,200 / 178,800 and NRR = 172,800 / 178,800; one logo of five lost, 9,600 of ARR.
2026Q2's starting book (2026-03-31) is 182,400; it loses A2: GRR = NRR = 172,800 / 182,400. 2026Q1's
(2025-12-31) is 178,800 and ends at 182,400 with A3's expansion: GRR 100%, NRR 182,400 / 178,800.
"""

from __future__ import annotations

import pytest

QUARTER_GRR = 0.9 ** 0.25
QUARTER_NRR = 1.1 ** 0.25





@pytest.fixture(scope="module")
def figures(signed_in):
    response = signed_in("director").get("/api/v1/dashboard")
    assert response.status_code == 200, response.text
    return response.json()


def test_the_headline_is_the_trailing_year_against_the_yearly_targets(figures):
    headline = figures["headline"]
    assert figures["as_of"] == "2026-06-30"
    assert headline["arr"] == 172_800
    assert headline["paying_accounts"] == 4
    assert headline["grr"] == pytest.approx(169_200 / 178_800)
    assert headline["nrr"] == pytest.approx(172_800 / 178_800)
    assert headline["logo_churn"] == pytest.approx(1 / 5)
    assert headline["dollar_churn"] == pytest.approx(9_600 / 178_800)
    assert (headline["grr_target"], headline["nrr_target"]) == (0.9, 1.1)


def test_each_quarter_is_measured_on_its_starting_book_against_the_compounded_target(figures):
    quarters = {q["period"]: q for q in figures["quarters"]}
    assert list(quarters) == ["2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    q2, q1 = quarters["2026Q2"], quarters["2026Q1"]
    assert q2["arr_start"] == 182_400 and q2["arr_end"] == 172_800 and q2["accounts_start"] == 5
    assert q2["grr"] == pytest.approx(172_800 / 182_400) and q2["nrr"] == pytest.approx(172_800 / 182_400)
    assert q2["logo_churn"] == pytest.approx(0.2) and q2["dollar_churn"] == pytest.approx(9_600 / 182_400)
    assert q1["grr"] == pytest.approx(1.0) and q1["nrr"] == pytest.approx(182_400 / 178_800)
    assert q2["grr_target"] == pytest.approx(QUARTER_GRR) and q2["nrr_target"] == pytest.approx(QUARTER_NRR)
    assert quarters["2024Q3"]["grr"] is None  # nobody paid before 2025: no starting book


def test_the_bridge_cohorts_and_health_bands(figures):
    assert figures["bridge_period"] == "2026Q2"
    assert {s["step"]: s["arr"] for s in figures["bridge"]} == {
        "start": 182_400, "new": 0, "expansion": 0, "reactivation": 0, "contraction": 0, "churn": -9_600,
        "end": 172_800}
    first = next(c for c in figures["cohorts"] if c["cohort"] == "2025Q1" and c["age"] == 0)
    assert (first["cohort_accounts"], first["cohort_arr"]) == (4, 168_000)  # A1, A2, A3, A5
    bands = {b["band"]: b for b in figures["bands"]}
    assert sum(b["accounts"] for b in bands.values()) == 4
    assert sum(b["arr"] for b in bands.values()) == pytest.approx(172_800)
    assert figures["at_risk_arr"] == pytest.approx(bands.get("red", {"arr": 0})["arr"])


def test_without_a_model_the_forecast_says_how_to_get_one(figures, signed_in):
    assert figures["forecast"] is None
    assert "tenure predict train" in figures["forecast_note"]
    assert "no model trained yet" in signed_in("viewer").get("/").text


def test_the_page_shows_the_figures_and_draws_the_charts(signed_in):
    page = signed_in("director").get("/")
    assert page.status_code == 200
    text = page.text
    for figure in ("173K", "94.6%", "96.6%", "20.0%", "2026Q2", "94.7%"):
        assert figure in text
    assert text.count("<svg") >= 8  # ARR, bridge, GRR, NRR, churn, cohorts, ARR and accounts per band
    assert "<script>" not in text  # the CSP forbids inline scripts


@pytest.mark.parametrize("role", ["csm", "csm2", "sales"])
def test_users_without_company_figures_are_sent_to_their_book(signed_in, role):
    client = signed_in(role)
    response = client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/book"
    assert client.get("/api/v1/dashboard").status_code == 403
