"""Deal vetting on a hand-made company: the fit model is point in time, rules flag bad fits, flags are
recorded once, and what became of flagged deals is tallied against the deals vetting passed.

As of 2025-06-30. Forty won new-business deals D01..D40 (accounts T01..T40, 1,200 ARR each, closed
every 10 days from 2023-01-15, created 30 days before): D01..D20 agreed success criteria and kept
paying, except D18 (contracted to 480 at the anniversary) and D19, D20 (churned at it); D21..D40 did
not agree and churned at the anniversary, except D39 and D40. D01 expanded (an add-on of 50 MRR).
So 19 of the 40 were retained. D41 (won 2024-09-01) is still in its first year: pending, not
trained on. D42 was lost. Open on the date: N1 (no success criteria; promises Salesforce and Slack,
both on the known-gaps list) and N2 (criteria agreed; promises Jira, shipped; won after the date);
N3 is created after the date.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from cli.helpers import assert_error, strict_json, tenure
from tenure.desk.vetting import (
    FEATURES,
    DealFit,
    anniversary,
    deal_features,
    flag_deals,
    gap_matches,
    integrations,
    known_gaps,
    outcome_of,
    vetting_outcomes,
)
from tenure.errors import TenureError
from tenure.views.desk_vetting import deal_outcomes, flagged_outcomes, new_business, vet
from tenure.workflow.deals import feature_request_statuses, get_all_flags, record_flags
from tenure.workflow.models import DealFlag, FeatureRequest
from tenure.workflow.store import WorkflowStore

from .sales_fixtures import account, line, person, store_of, workspace_with

AS_OF = dt.date(2025, 6, 30)
FIRST_CLOSE = dt.date(2023, 1, 15)
REQUESTS = pd.DataFrame({"title": ["Salesforce two-way sync", "Slack alerts", "Jira integration"],
                         "status": ["under review", "declined", "shipped"]})
RETAINED_UNAGREED = {39, 40}
CHURNED_AGREED = {19, 20}


def deal(number: int | str, acc: str, close: dt.date, *, status: str = "won", agreed: bool | None = True,
         created: dt.date | None = None, promised: str | None = None, use_case: str = "reporting") -> dict:
    oid = f"D{number:02d}" if isinstance(number, int) else number
    return {"opportunity_id": oid, "account_id": acc, "type": "new", "amount": 1200, "close_date": close.isoformat(),
            "stage": {"won": "closed won", "lost": "closed lost", "open": "proposal"}[status], "status": status,
            "owner_id": "S1", "created_at": (created or close - dt.timedelta(days=30)).isoformat(),
            "use_case": use_case, "promised_integrations": promised, "success_criteria_agreed": agreed}


def tables(*, later: bool = False) -> dict[str, list[dict]]:
    """The company; with `later`, also what happened after the date (and after the training deals closed)."""
    accounts, lines, deals = [], [], []
    for i in range(1, 41):
        acc, close = f"T{i:02d}", FIRST_CLOSE + dt.timedelta(days=10 * (i - 1))
        accounts.append(account(acc, segment="SMB", industry="Retail", region="NA", employees=50))
        deals.append(deal(i, acc, close, agreed=i <= 20))
        churns = (i <= 20 and i in CHURNED_AGREED) or (i > 20 and i not in RETAINED_UNAGREED)
        end = anniversary(close).isoformat() if churns else None
        if i == 18:
            lines += [line("L18A", acc, close.isoformat(), 60, end_date=anniversary(close).isoformat()),
                      line("L18B", acc, close.isoformat(), 40)]
            continue
        if later and i == 2:
            end = "2025-09-01"  # cancelled after the date
        lines.append(line(f"L{i:02d}", acc, close.isoformat(), 100, end_date=end))
    lines.append(line("L01X", "T01", "2023-06-01", 50, product="addon"))
    accounts += [account(a, segment="SMB", industry="Retail", region="NA", employees=50)
                 for a in ("T41", "T42", "P1", "P2", "P3")]
    deals += [deal(41, "T41", dt.date(2024, 9, 1), agreed=False),
              deal(42, "T42", dt.date(2024, 3, 1), status="lost", created=dt.date(2024, 1, 1)),
              deal("N1", "P1", dt.date(2025, 8, 15), status="open", agreed=False, created=dt.date(2025, 5, 1),
                   promised="Salesforce; Slack", use_case="field ops"),
              deal("N2", "P2", dt.date(2025, 8, 1), status="won", created=dt.date(2025, 4, 1), promised="jira"),
              deal("N3", "P3", dt.date(2025, 9, 1), status="open", created=dt.date(2025, 7, 15), agreed=False)]
    lines += [line("L41", "T41", "2024-09-01", 100, end_date="2025-08-01" if later else None),
              line("LP2", "P2", "2025-08-01", 100)]
    rows = {"team": [person("S1", "ae")], "accounts": accounts, "subscriptions": lines, "opportunities": deals}
    if later:
        lines += [line("L05X", "T05", "2025-07-10", 80, product="addon"),  # an upsell after the date
                  line("L03X", "T03", "2024-05-01", 30, product="addon"),  # after D03 closed, before the date
                  line("LP1", "P1", "2025-09-01", 100)]
        accounts.append(account("P4", segment="SMB"))
        deals.append(deal("N4", "P4", dt.date(2025, 10, 1), status="open", created=dt.date(2025, 8, 10)))
        rows["events"] = [{"account_id": "T01", "user_id": "u1", "event": "login", "timestamp": "2025-07-05T09:00:00Z"}]
    return rows


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("vetting"), tables())
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("vetting-later"), tables(later=True))
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def vetted(ws):
    return vet(ws, as_of=AS_OF, requests=REQUESTS)


def test_deal_outcomes_a_year_on(ws):
    deals = new_business(ws).set_index("opportunity_id")
    outcomes = deal_outcomes(ws, deals, as_of=AS_OF)
    assert outcomes["D01"] == "expanded" and outcomes["D02"] == "flat" and outcomes["D18"] == "contracted"
    assert outcomes["D19"] == "churned" and outcomes["D21"] == "churned" and outcomes["D40"] == "flat"
    assert outcomes["D41"] == "pending" and pd.isna(outcomes["D42"]) and pd.isna(outcomes["N1"])
    assert outcomes["N2"] == "pending"  # won after the date: its year is not up either


def test_fit_model_trains_on_known_outcomes_only(vetted):
    assert vetted.model["trained_on"] == 40 and vetted.model["retained"] == 19
    assert vetted.model["retained_rate"] == pytest.approx(19 / 40)
    assert vetted.model["closed_through"] == FIRST_CLOSE + dt.timedelta(days=390)
    assert vetted.model["cv_auc"] > 0.8 and vetted.model["note"] is None


def test_open_deals_are_scored_and_flagged(vetted):
    deals = vetted.deals.set_index("opportunity_id")
    assert list(vetted.deals["opportunity_id"]) == ["N1", "N2"]  # flagged first; N3 is created after the date
    assert deals.at["N1", "fit_score"] < 0.3 < 0.7 < deals.at["N2", "fit_score"]
    assert deals.at["N1", "flags"] == "no-success-criteria, known-gap, low-fit" and deals.at["N2", "flags"] == ""
    assert "success criteria agreed: no" in deals.at["N1", "fit_drivers"]
    flags = vetted.flags.set_index("rule")
    assert flags.at["no-success-criteria", "detail"] == "success criteria not agreed"
    assert flags.at["known-gap", "detail"] == (
        "promised integration 'Salesforce' matches feature request 'Salesforce two-way sync' (under review); "
        "promised integration 'Slack' matches feature request 'Slack alerts' (declined)")
    assert flags.at["low-fit", "detail"] == f"fit score {deals.at['N1', 'fit_score']:.2f} below 0.50"
    assert flags["fit_score"].tolist() == [deals.at["N1", "fit_score"]] * 3


def test_nothing_after_signature_leaks_into_features_or_scores(ws, later, vetted):
    """The later workspace adds what happened after the date (a cancellation and an upsell on training
    accounts, the pending deal's churn, usage, a new deal) and after D03 closed: same features, same scores."""
    before, after = new_business(ws), new_business(later)
    after = after[after["opportunity_id"].isin(before["opportunity_id"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(deal_features(before), deal_features(after))
    again = vet(later, as_of=AS_OF, requests=REQUESTS)
    assert again.model == vetted.model
    np.testing.assert_allclose(again.deals["fit_score"], vetted.deals["fit_score"], rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(again.flags, vetted.flags)


def test_a_later_date_learns_from_more_deals(ws):
    """On 2025-09-15 D41's year is up (it kept paying): 41 deals, 20 retained."""
    result = vet(ws, as_of=dt.date(2025, 9, 15), requests=REQUESTS)
    assert (result.model["trained_on"], result.model["retained"]) == (41, 20)
    assert set(result.deals["opportunity_id"]) == {"N1", "N3"}  # N2 was won on 2025-08-01


def test_too_few_deals_leave_scores_empty(ws):
    result = vet(ws, as_of=dt.date(2024, 3, 1), requests=REQUESTS)
    assert "cannot train the fit model" in result.model["note"]
    assert result.deals["fit_score"].isna().all() and "low-fit" not in set(result.flags["rule"])


def test_fitter_contract():
    """lifelines-style: __init__ holds hyper-parameters only, fit() returns self, learned state ends in _."""
    model = DealFit(c=0.5)
    assert vars(model) == {"c": 0.5, "min_frequency": 3, "max_iter": 2000}
    with pytest.raises(TenureError, match="not trained"):
        model.probability(pd.DataFrame(columns=list(FEATURES)))
    rows = pd.DataFrame({"segment": ["SMB"] * 30, "industry": ["Retail"] * 30, "region": ["NA"] * 30,
                         "use_case": ["ops"] * 30, "employees": [50.0] * 30, "amount": [1200.0] * 30,
                         "integrations": [0.0] * 30, "success_criteria_agreed": [1.0] * 15 + [0.0] * 15})
    retained = pd.Series([True] * 13 + [False] * 2 + [True] * 3 + [False] * 12)
    assert model.fit(rows, retained) is model
    learned = {k for k in vars(model) if k.endswith("_")}
    assert learned == {"encoder_", "model_", "columns_", "center_", "deals_", "retained_rate_"}
    assert model.deals_ == 30 and model.retained_rate_ == pytest.approx(16 / 30)
    p = model.probability(rows.iloc[[0, 29]])
    assert p[0] > 0.5 > p[1]
    with pytest.raises(TenureError, match="it needs at least 20, with 5 of each"):
        DealFit().fit(rows.iloc[:12], retained.iloc[:12])


def test_features_rules_and_matching():
    deals = pd.DataFrame([{"opportunity_id": "X", "account_id": "A", "segment": None, "industry": " Retail ",
                           "employees": "120", "amount": 5000, "use_case": "Jira", "region": None,
                           "promised_integrations": "hubspot | Snowflake,,", "success_criteria_agreed": None}])
    features = deal_features(deals).iloc[0].to_dict()
    assert features["segment"] == "(none)" and features["industry"] == "Retail" and features["integrations"] == 2
    assert features["employees"] == 120 and np.isnan(features["success_criteria_agreed"])
    assert integrations(" a; b ,c|") == ["a", "b", "c"] and integrations(None) == []
    gaps = known_gaps(pd.DataFrame({"title": ["HubSpot integration", "Jira", "Snowflake"],
                                    "status": ["planned", "beta", "shipped"]}))
    assert gap_matches("Jira", "hubspot | Snowflake", gaps) == [
        "promised integration 'hubspot' matches feature request 'HubSpot integration' (planned)",
        "use case 'Jira' matches feature request 'Jira' (beta)"]
    flags = flag_deals(deals.assign(fit_score=0.5), gaps, min_fit=0.5)
    assert list(flags["rule"]) == ["no-success-criteria", "known-gap"]  # 0.5 is not below 0.5
    assert flags.iloc[0]["detail"] == "no record of agreed success criteria"


def test_outcome_and_anniversary_edges():
    assert anniversary(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
    assert outcome_of(1200, 0, tolerance=0.01) == "churned"
    assert outcome_of(1200, 1188, tolerance=0.01) == "flat"  # exactly 1% down
    assert outcome_of(1200, 1187, tolerance=0.01) == "contracted"
    assert outcome_of(1200, 1213, tolerance=0.01) == "expanded"
    assert outcome_of(0, 50, tolerance=0.01) == "flat"  # not live 30 days after the close, paying a year on


def test_flags_are_recorded_once(vetted, tmp_path):
    store = WorkflowStore(f"sqlite:///{tmp_path / 'w.sqlite'}")
    store.upgrade()
    with store.session() as session:
        assert record_flags(session=session, flags=vetted.flags, as_of=AS_OF) == (3, 0)
    with store.session() as session:
        assert record_flags(session=session, flags=vetted.flags, as_of=AS_OF + dt.timedelta(days=7)) == (0, 3)
        flags = get_all_flags(session=session)
        assert len(session.query(DealFlag).all()) == 3
    assert set(flags["rule"]) == {"no-success-criteria", "known-gap", "low-fit"}
    assert set(flags["flagged_at"]) == {dt.datetime(2025, 6, 30, 23, 59, 59)}
    store.dispose()


def test_what_became_of_flagged_deals(ws):
    """Vetting days 2024-01-20 (D40 and D42 flagged; D39 open and passed) and the date (N1 flagged, N2 open and
    passed); a flag recorded after the date does not count."""
    flags = pd.DataFrame({"opportunity_id": ["D40", "D42", "N1", "N2"],
                          "rule": ["no-success-criteria", "known-gap", "known-gap", "low-fit"],
                          "flagged_at": [dt.datetime(2024, 1, 20, 23, 59, 59)] * 2
                          + [dt.datetime(2025, 6, 30, 23, 59, 59), dt.datetime(2025, 7, 10)]})
    out = flagged_outcomes(ws, as_of=AS_OF, flags=flags).set_index("group")
    assert list(out.index) == ["flagged", "not flagged", "flagged: no-success-criteria", "flagged: known-gap"]
    flagged = out.loc["flagged"]  # D40 won and retained, D42 lost, N1 open
    assert (flagged["deals"], flagged["open"], flagged["lost"], flagged["won"]) == (3, 1, 1, 1)
    assert (flagged["retained"], flagged["churned"], flagged["retention_rate"], flagged["win_rate"]) == (1, 0, 1.0, 0.5)
    passed = out.loc["not flagged"]  # D39 (won, retained) and N2 (won after the date: open)
    assert (passed["deals"], passed["open"], passed["won"], passed["retained"]) == (2, 1, 1, 1)
    assert passed["won_amount"] == 1200 and passed["win_rate"] == 1.0
    assert (out.loc["flagged: known-gap", "deals"], out.loc["flagged: known-gap", "open"]) == (2, 1)
    assert flagged_outcomes(ws, as_of=AS_OF, flags=flags.iloc[3:]).empty
    early = flagged_outcomes(ws, as_of=dt.date(2024, 12, 31), flags=flags).set_index("group")
    assert early.loc["flagged", "pending"] == 1 and early.loc["not flagged", "pending"] == 1  # D40, D39: year not up


def test_outcome_tally_known_answers():
    deals = pd.DataFrame({"opportunity_id": list("abcdefg"),
                          "status": ["won", "won", "won", "lost", "open", "won", "won"],
                          "amount": [100.0, 200.0, 300.0, 50.0, 10.0, 400.0, 500.0],
                          "outcome": ["churned", "contracted", "pending", None, None, "flat", "expanded"]})
    flags = pd.DataFrame({"opportunity_id": ["a", "b", "b", "d"], "rule": ["low-fit", "low-fit", "known-gap",
                                                                           "known-gap"]})
    out = vetting_outcomes(deals, flags).set_index("group")
    assert out.loc["flagged"].to_dict() == {"deals": 3, "open": 0, "lost": 1, "won": 2, "win_rate": 2 / 3,
                                            "won_amount": 300.0, "pending": 0, "churned": 1, "contracted": 1,
                                            "retained": 0, "retention_rate": 0.0}
    assert out.loc["not flagged"].to_dict() == {"deals": 4, "open": 1, "lost": 0, "won": 3, "win_rate": 1.0,
                                                "won_amount": 1200.0, "pending": 1, "churned": 0, "contracted": 0,
                                                "retained": 2, "retention_rate": 1.0}
    assert list(out.index[2:]) == ["flagged: known-gap", "flagged: low-fit"]


@pytest.mark.slow
def test_cli_vet_end_to_end(ws, tmp_path):
    store = store_of(ws)
    with store.session() as session:
        for title, status in zip(REQUESTS["title"], REQUESTS["status"], strict=True):
            session.add(FeatureRequest(title=title, status=status))
    with store.session() as session:
        assert len(feature_request_statuses(session=session)) == 3
    store.dispose()
    root = ws.root
    ws.close()
    first = tenure("-w", root, "desk", "vet", "--as-of", "2025-06-30", "--record", "--format", "json", cwd=tmp_path)
    assert first.returncode == 0, str(first)
    payload = strict_json(first.stdout)
    assert payload["recorded"] == 3 and [d["opportunity_id"] for d in payload["deals"]] == ["N1", "N2"]
    assert payload["model"]["trained_on"] == 40
    assert [o["group"] for o in payload["outcomes"]][:2] == ["flagged", "not flagged"]
    second = tenure("-w", root, "desk", "vet", "--as-of", "2025-06-30", "--record", cwd=tmp_path)
    assert second.returncode == 0 and "Recorded 0 flag(s); 3 were already recorded." in second.stdout, str(second)
    assert "What became of vetted deals" in second.stdout
    assert_error(tenure("-w", root, "desk", "vet", "--as-of", "30/06/2025", cwd=tmp_path), 1,
                 "--as-of '30/06/2025' is not an ISO date")
