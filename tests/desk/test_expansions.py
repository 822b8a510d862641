"""The expansion pipeline, expansion signals and leads, lead CTAs and bookings on a hand-made company.

As of 2026-03-31 (every account Mid-Market, CSM C1; A1 and A2 have the AE S1; ARR = 12 × MRR):

    account  MRR (seats)          active users, 30 days before → last 30 days      expansion p   signals
    A1       1,000 (10)           10 → 10 (the same users)                          0.2           utilisation 100%
    A2       2,000 (100) + 500    10 → 14 (4 first-timers): +40%                    0.6           new-team, probability
             add-on from 2026-01-10
    A3         500 (100)          10 → 13 (3 first-timers): +30%, on the edge       0.5 (not above)  new-team
    A4         300 (100)          10 → 13, but u13 was active in December: 2 first-timers  0.3    —

Opportunities (expansion unless said): O1 A1 open 5,000 (created 2026-02-01); O2 A2 won 2026-04-15, so
open on the date, 4,000; O3 A2 won 2026-01-15 3,000; O4 A1 won 2025-02-10 2,000; O5 A3 created after
the date; O6 A3 lost 2026-03-01; O7 A4 an open renewal.
"""

from __future__ import annotations

import datetime as dt
import math

import ibis
import pandas as pd
import pytest
from sqlalchemy import select

from cli.helpers import assert_error, strict_json, tenure
from tenure.desk.config import Desk
from tenure.desk.expansions import bookings, expansion_signals, open_on, user_growth
from tenure.errors import TenureError
from tenure.operating.config import Ownership
from tenure.views.desk_expansions import (
    EXPORT_COLUMNS,
    crm_export,
    expansion_accounts,
    expansion_bookings,
    expansion_leads,
    expansion_pipeline,
)
from tenure.workflow.deals import open_lead_ctas
from tenure.workflow.models import Cta, TimelineEntry
from tenure.workflow.store import WorkflowStore

from .sales_fixtures import account, line, person, store_health, store_scores, workspace_with

AS_OF = dt.date(2026, 3, 31)
PRIOR, RECENT = "2026-02-15T10:00:00Z", "2026-03-20T10:00:00Z"


def events() -> list[dict]:
    rows = []
    for acc in ("A1", "A2", "A3", "A4"):
        for u in range(1, 11):
            rows += [{"account_id": acc, "user_id": f"u{u}", "event": "login", "timestamp": t} for t in (PRIOR, RECENT)]
    newcomers = {"A2": ["u11", "u12", "u13", "u14"], "A3": ["u11", "u12", "u13"], "A4": ["u11", "u12", "u13"]}
    for acc, users in newcomers.items():
        rows += [{"account_id": acc, "user_id": u, "event": "login", "timestamp": RECENT} for u in users]
    rows.append({"account_id": "A4", "user_id": "u13", "event": "login", "timestamp": "2025-12-01T10:00:00Z"})
    return rows


def opportunity(oid: str, acc: str, status: str, created: str, close: str, amount: float,
                kind: str = "expansion") -> dict:
    return {"opportunity_id": oid, "account_id": acc, "type": kind, "amount": amount, "close_date": close,
            "stage": {"open": "proposal", "won": "closed won", "lost": "closed lost"}[status],
            "probability": {"open": 0.5, "won": 1.0, "lost": 0.0}[status], "status": status, "owner_id": "S1",
            "created_at": created}


TABLES = {
    "team": [person("C1", hired_at="2020-01-01"), person("S1", "ae", hired_at="2020-01-01")],
    "accounts": [account(a, owner_csm_id="C1", segment="Mid-Market") for a in ("A1", "A2", "A3", "A4")],
    "subscriptions": [
        line("L1", "A1", "2024-01-01", 1000, quantity=10), line("L2", "A2", "2024-01-01", 2000, quantity=100),
        line("L2B", "A2", "2026-01-10", 500, product="addon"), line("L3", "A3", "2024-01-01", 500, quantity=100),
        line("L4", "A4", "2024-01-01", 300, quantity=100)],
    "account_team": [{"account_id": a, "person_id": "S1", "role": "ae", "since": "2024-01-01"} for a in ("A1", "A2")],
    "events": events(),
    "opportunities": [
        opportunity("O1", "A1", "open", "2026-02-01", "2026-05-01", 5000),
        opportunity("O2", "A2", "won", "2026-03-01", "2026-04-15", 4000),
        opportunity("O3", "A2", "won", "2025-12-01", "2026-01-15", 3000),
        opportunity("O4", "A1", "won", "2025-01-01", "2025-02-10", 2000),
        opportunity("O5", "A3", "open", "2026-04-10", "2026-06-01", 1000),
        opportunity("O6", "A3", "lost", "2026-01-01", "2026-03-01", 800),
        opportunity("O7", "A4", "open", "2026-01-01", "2026-05-01", 3600, kind="renewal")],
}
CONFIG = "\nownership:\n  expansion: sales\ndesk:\n  expansion_credit_cs_share: 0.4\n"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("expansions"), TABLES, CONFIG)
    store_health(ws, "2026-03-31", dict.fromkeys(("A1", "A2", "A3", "A4"), "green"))
    store_scores(ws, "2026-03-31", {"A1": (0.1, 0.2), "A2": (0.1, 0.6), "A3": (0.1, 0.5), "A4": (0.1, 0.3)})
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def accounts(ws):
    return expansion_accounts(ws, as_of=AS_OF)


@pytest.fixture
def session(tmp_path):
    store = WorkflowStore(f"sqlite:///{tmp_path / 'workflow.sqlite'}")
    store.upgrade()
    with store.session() as session:
        yield session
    store.dispose()


def test_user_growth_counts_recent_prior_and_first_time_users(accounts):
    growth = accounts.set_index("account_id")[["active_users_30d", "active_users_prior_30d", "new_users_30d"]]
    assert growth.to_dict("index") == {
        "A1": {"active_users_30d": 10, "active_users_prior_30d": 10, "new_users_30d": 0},
        "A2": {"active_users_30d": 14, "active_users_prior_30d": 10, "new_users_30d": 4},
        "A3": {"active_users_30d": 13, "active_users_prior_30d": 10, "new_users_30d": 3},
        "A4": {"active_users_30d": 13, "active_users_prior_30d": 10, "new_users_30d": 2}}


def test_user_growth_window_edges():
    """Last 30 days: 2026-03-02 00:00 to the end of 2026-03-31; the 30 before: from 2026-01-31 00:00."""
    rows = pd.DataFrame({"account_id": ["X"] * 5, "user_id": ["a", "b", "c", "d", "e"],
                         "timestamp": pd.to_datetime(["2026-03-02 00:00:00", "2026-03-01 23:59:59",
                                                      "2026-01-31 00:00:00", "2026-01-30 23:59:59",
                                                      "2026-04-01 00:00:00"])})
    result = ibis.duckdb.connect().execute(user_growth(ibis.memtable(rows), as_of=AS_OF))
    assert result.to_dict("records") == [{"account_id": "X", "active_users_30d": 1, "active_users_prior_30d": 2,
                                          "new_users_30d": 1}]


def test_signals_fire_on_thresholds_and_edges(accounts):
    signals = expansion_signals(accounts, Desk())
    assert list(zip(signals["account_id"], signals["signal"], strict=True)) == [
        ("A1", "utilisation"), ("A2", "probability"), ("A2", "new-team"), ("A3", "new-team")]
    row = signals.iloc[0]
    assert row["value"] == 1.0 and row["threshold"] == 0.9
    assert row["detail"] == "seat utilisation 100% (above 90%)"
    assert signals.iloc[2]["detail"] == ("active users in 30 days 14, up 40% on 10 in the 30 days before; 4 active "
                                         "for the first time")
    assert math.isclose(signals.iloc[3]["value"], 0.3)
    # stricter settings: A3's +30% no longer counts, nor A2's 4 first-timers with a minimum of 5
    stricter = expansion_signals(accounts, Desk(expansion_user_growth_min=0.31, expansion_probability_above=0.6))
    assert list(stricter["signal"]) == ["utilisation", "new-team"]
    assert list(expansion_signals(accounts, Desk(expansion_new_users_min=5))["signal"]) == ["utilisation",
                                                                                           "probability"]


def test_no_growth_without_users_before_and_empty_values_never_fire():
    frame = pd.DataFrame([{"account_id": "N", "seat_utilisation": None, "expansion_probability": float("nan"),
                           "active_users_30d": 12, "active_users_prior_30d": 0, "new_users_30d": 12}])
    assert expansion_signals(frame, Desk()).empty


def test_open_on_a_date():
    rows = pd.DataFrame([opportunity(o["opportunity_id"], o["account_id"], o["status"], o["created_at"],
                                     o["close_date"], o["amount"], o["type"]) for o in TABLES["opportunities"]])
    rows["created_at"] = pd.to_datetime(rows["created_at"]).dt.date
    rows["close_date"] = pd.to_datetime(rows["close_date"]).dt.date
    found = ibis.duckdb.connect().execute(open_on(ibis.memtable(rows), kind="expansion", as_of=AS_OF))
    assert sorted(found["opportunity_id"]) == ["O1", "O2"]


def test_pipeline_joins_health_utilisation_probability_team_and_signals(ws, accounts):
    data = expansion_pipeline(ws, as_of=AS_OF, accounts=accounts)
    assert list(data["opportunity_id"]) == ["O1", "O2"]
    first = data.iloc[0].to_dict()
    assert first["arr"] == 12_000 and first["band"] == "green" and first["seat_utilisation"] == 1.0
    assert first["expansion_probability"] == 0.2 and first["amount"] == 5000
    assert (first["csm"], first["ae"], first["expansion_owner"], first["expansion_owner_source"]) == \
        ("C1", "S1", "S1", "ae")
    assert first["signals"] == "utilisation"
    assert data.iloc[1]["signals"] == "probability, new-team"


def test_leads_follow_ownership(ws, accounts):
    leads = expansion_leads(ws, as_of=AS_OF, accounts=accounts)
    assert list(zip(leads["account_id"], leads["signal"], leads["expansion_owner"], strict=True)) == [
        ("A2", "new-team", "S1"), ("A2", "probability", "S1"), ("A1", "utilisation", "S1"), ("A3", "new-team", "C1")]
    assert list(leads["expansion_owner_source"]) == ["ae", "ae", "ae", "csm (no ae)"]
    assert list(leads["open_pipeline"]) == [4000, 4000, 5000, 0]
    assert list(leads["rule"]) == ["desk:new-team", "desk:probability", "desk:utilisation", "desk:new-team"]
    saved = ws.config.ownership
    try:
        ws.config.ownership = Ownership(expansion="cs")
        cs = expansion_leads(ws, as_of=AS_OF)
        assert set(cs["expansion_owner"]) == {"C1"}
    finally:
        ws.config.ownership = saved


def test_lead_ctas_open_once_per_account_for_the_owner(ws, accounts, session):
    """One open expansion CTA per account: A2's second signal is covered by its first lead."""
    leads = expansion_leads(ws, as_of=AS_OF, accounts=accounts)
    first = open_lead_ctas(session=session, leads=leads, as_of=AS_OF, due_days=14)
    assert list(first["action"]) == ["opened", "covered", "opened", "opened"]
    ctas = session.scalars(select(Cta).order_by(Cta.id)).all()
    assert [(c.account_id, c.rule, c.kind, c.owner_person_id, c.due_date) for c in ctas] == [
        ("A2", "desk:new-team", "expansion", "S1", dt.date(2026, 4, 14)),
        ("A1", "desk:utilisation", "expansion", "S1", dt.date(2026, 4, 14)),
        ("A3", "desk:new-team", "expansion", "C1", dt.date(2026, 4, 14))]
    assert list(first["cta_id"]) == [ctas[0].id, ctas[0].id, ctas[1].id, ctas[2].id]
    assert ctas[1].reason == "Expansion lead (utilisation): seat utilisation 100% (above 90%)"
    assert len(session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "cta_opened")).all()) == 3
    again = open_lead_ctas(session=session, leads=leads, as_of=AS_OF + dt.timedelta(days=7), due_days=14)
    assert list(again["action"]) == ["already_open", "covered", "already_open", "already_open"]
    assert len(session.scalars(select(Cta)).all()) == 3
    ctas[1].status = "closed"  # the AE worked the lead; the signal still fires a month later: a new lead
    session.flush()
    later = open_lead_ctas(session=session, leads=leads, as_of=dt.date(2026, 4, 30), due_days=14)
    assert list(later["action"]) == ["already_open", "covered", "opened", "already_open"]
    assert len(session.scalars(select(Cta)).all()) == 4


def test_a_playbook_expansion_cta_covers_the_lead(ws, accounts, session):
    session.add(Cta(account_id="A3", kind="expansion", reason="seats", rule="expansion-utilisation",
                    priority="medium", status="open", owner_person_id="C1", due_date=AS_OF))
    session.flush()
    leads = expansion_leads(ws, as_of=AS_OF, accounts=accounts)
    done = open_lead_ctas(session=session, leads=leads, as_of=AS_OF, due_days=14)
    assert dict(zip(done["account_id"] + " " + done["rule"], done["action"], strict=True))["A3 desk:new-team"] \
        == "covered"


def test_lead_ctas_dry_run_and_bad_leads(ws, accounts, session):
    leads = expansion_leads(ws, as_of=AS_OF, accounts=accounts)
    dry = open_lead_ctas(session=session, leads=leads, as_of=AS_OF, due_days=14, dry_run=True)
    assert list(dry["action"]) == ["opened", "covered", "opened", "opened"]
    assert session.scalars(select(Cta)).all() == []
    with pytest.raises(TenureError, match="lack column"):
        open_lead_ctas(session=session, leads=leads.drop(columns="expansion_owner"), as_of=AS_OF, due_days=14)
    with pytest.raises(TenureError, match="start with 'desk:'"):
        open_lead_ctas(session=session, leads=leads.assign(rule="red-health"), as_of=AS_OF, due_days=14)


def test_crm_export_columns(ws, accounts):
    rows = crm_export(expansion_leads(ws, as_of=AS_OF, accounts=accounts), as_of=AS_OF)
    assert list(rows.columns) == EXPORT_COLUMNS
    assert rows.iloc[0][["as_of", "account_id", "account_name", "health_band", "signal", "expansion_owner"]].tolist() \
        == ["2026-03-31", "A2", "A2 Inc", "green", "new-team", "S1"]


def test_bookings_by_quarter_with_credit_and_year_over_year(ws):
    data = expansion_bookings(ws, as_of=AS_OF, quarters=8)
    assert list(data["quarter"]) == ["2024Q2", "2024Q3", "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    now = data.iloc[-1].to_dict()
    assert now["deals"] == 1 and now["booked"] == 3000  # O2 closes after the date
    assert now["cs_credit"] == pytest.approx(1200) and now["sales_credit"] == pytest.approx(1800)
    assert now["booked_year_ago"] == 2000 and now["booked_yoy"] == pytest.approx(0.5)
    assert now["expansion_arr"] == pytest.approx(6000)  # A2's add-on: +500 MRR at the January month-end
    assert now["expansion_arr_year_ago"] == 0 and pd.isna(now["expansion_arr_yoy"])
    year_ago = data.iloc[3].to_dict()
    assert year_ago["booked"] == 2000 and year_ago["booked_year_ago"] == 0 and pd.isna(year_ago["booked_yoy"])
    assert data.iloc[:3]["booked"].sum() == 0


def test_bookings_engine_year_ago_needs_four_earlier_quarters():
    won = pd.DataFrame({"period": ["2025Q1", "2025Q1", "2026Q1"], "amount": [100.0, 50.0, 300.0]})
    moved = pd.DataFrame({"period": ["2026Q1"], "expansion_arr": [120.0]})
    periods = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"]
    out = bookings(won, moved, periods=periods, shown=2, cs_share=1.0)
    last = out.to_dict("records")[-1]
    assert pd.isna(last.pop("expansion_arr_yoy"))  # no expansion ARR a year before: no rate
    assert last == {"quarter": "2026Q1", "deals": 1, "booked": 300.0, "cs_credit": 300.0, "sales_credit": 0.0,
                    "booked_year_ago": 150.0, "booked_yoy": 1.0, "expansion_arr": 120.0, "expansion_arr_year_ago": 0.0}
    assert pd.isna(out.iloc[0]["booked_year_ago"])  # 2025Q4 has no quarter four places before it


@pytest.mark.slow
def test_cli_expansions_end_to_end(ws, tmp_path):
    root = ws.root
    ws.close()
    export = tmp_path / "leads.csv"
    common = ("-w", root, "desk", "expansions", "--as-of", "2026-03-31")
    pipeline = tenure(*common, "--format", "json", cwd=tmp_path)
    assert pipeline.returncode == 0, str(pipeline)
    assert [r["opportunity_id"] for r in strict_json(pipeline.stdout)] == ["O1", "O2"]
    first = tenure(*common, "--open-ctas", "--export", export, "--format", "json", "--as", "ae@example.com",
                   cwd=tmp_path)
    assert first.returncode == 0, str(first)
    assert [r["action"] for r in strict_json(first.stdout)] == ["opened", "covered", "opened", "opened"]
    assert pd.read_csv(export).columns.tolist() == EXPORT_COLUMNS
    second = tenure(*common, "--leads", "--open-ctas", cwd=tmp_path)
    assert second.returncode == 0, str(second)
    assert "0 opened, 3 already open (rule desk:<signal>), 1 on accounts with another open expansion CTA" \
        in " ".join(second.stdout.split()), str(second)
    booked = tenure(*common, "--bookings", "--format", "json", cwd=tmp_path)
    assert strict_json(booked.stdout)["quarters"][-1]["booked"] == 3000
    assert_error(tenure(*common, "--bookings", "--leads", cwd=tmp_path), 1, "--bookings", "does not go with")
    assert_error(tenure(*common[:-1], "2026-02-30", cwd=tmp_path), 1, "'2026-02-30' is not an ISO date")
