"""The renewal pipeline, forecast calls and call accuracy against hand-made companies.

Pipeline company, as of 2026-03-31 (ARR = 12 × MRR; `ownership.renewal: renewal`, contraction depth 0.25):

    account  segment     owner  ARR      term  next renewal            account team
    A1       Enterprise  C1     120,000  12    2026-05-01 (31 days)    renewal specialist R1 → owner R1
    A2       Mid-Market  C1      30,000  12    2026-06-15 (76 days)    — → owner C1 (csm, no specialist)
    A3       Mid-Market  C2      60,000  12    2026-05-20 (50 days)    — → owner C2
    A4       SMB         C2      12,000  12    2026-09-30 (183 days)   beyond the 180-day window
    A5       SMB         C2       6,000   1    2026-04-xx (monthly)    monthly plans are not in the pipeline
    A6       SMB         —       12,000  12    2026-07-01 (92 days)    owner (unassigned)
    A7       SMB         C1      24,000  12    churned 2026-01-01      not paying

Stored predictions (p_churn, p_contraction): 2026-02-28 A1 (0.9, 0); 2026-03-15 A1 (0.10, 0.20),
A2 (0.50, 0.10), A3 (0.20, 0); 2026-04-15 A1 (0.99, 0) — after the date, never read.
Expected renewed ARR = ARR × (1 − p_churn) − ARR × p_contraction × 0.25:
A1 120,000 × 0.9 − 120,000 × 0.2 × 0.25 = 102,000; A2 15,000 − 750 = 14,250; A3 48,000; A6 none.

Calls: A1 (renewal 2026-05-01) at-risk 2026-02-10, commit 2026-03-20, lost 2026-04-02 (after the date) →
commit; A2 best-case 2026-03-01; A3 at-risk 2026-03-25, and commit on its *previous* renewal (2025-05-20)
which does not apply; A6 none.
Open work at the end of 2026-03-31: A1 one open CTA (a second closed on 2026-03-10); A3 one open
escalation (a CTA opened 2026-04-05 is not open yet); A2's escalation was resolved on 2026-03-20.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from cli.helpers import assert_error, strict_json, tenure
from operating.tables import account, line, person, workspace_with
from tenure.desk.accuracy import ACCURACY_COLUMNS, accuracy, judge
from tenure.desk.renewals import (
    CALL_WORDS,
    current_calls,
    expected_renewed,
    in_pipeline,
    rollup,
    why_not_in_pipeline,
)
from tenure.errors import TenureError
from tenure.views.desk_renewals import (
    judged_calls,
    renewal_of,
    renewal_pipeline,
    renewals_at,
    risk_thresholds,
)
from tenure.workflow.calls import call_history, check_call, import_calls, open_work, record_call
from tenure.workflow.models import FORECAST_CALLS, ForecastCall, TimelineEntry
from tenure.workflow.store import WorkflowStore

from .renewal_fixtures import at, cta, escalation, store_predictions

AS_OF = dt.date(2026, 3, 31)
CONFIG = """
ownership:
  renewal: renewal
desk:
  contraction_depth: 0.25
"""
PIPELINE_TABLES = {
    "team": [person("C1"), person("C2"), person("R1", role="renewal")],
    "accounts": [account("A1", segment="Enterprise", owner_csm_id="C1"),
                 account("A2", segment="Mid-Market", owner_csm_id="C1"),
                 account("A3", segment="Mid-Market", owner_csm_id="C2"),
                 account("A4", segment="SMB", owner_csm_id="C2"), account("A5", segment="SMB", owner_csm_id="C2"),
                 account("A6", segment="SMB"), account("A7", segment="SMB", owner_csm_id="C1")],
    "account_team": [{"account_id": "A1", "person_id": "R1", "role": "renewal", "since": "2025-01-01"}],
    "subscriptions": [line("S1", "A1", "2025-05-01", 10_000, term_months=12),
                      line("S2", "A2", "2025-06-15", 2_500, term_months=12),
                      line("S3", "A3", "2025-05-20", 5_000, term_months=12),
                      line("S4", "A4", "2025-09-30", 1_000, term_months=12),
                      line("S5", "A5", "2025-01-10", 500, term_months=1),
                      line("S6", "A6", "2025-07-01", 1_000, term_months=12),
                      line("S7", "A7", "2025-01-01", 2_000, term_months=12, end_date="2026-01-01")],
}
PIPELINE_CALLS = [  # account, renewal date, call, called at
    ("A1", "2026-05-01", "at-risk", "2026-02-10T10:00:00"), ("A1", "2026-05-01", "commit", "2026-03-20T10:00:00"),
    ("A1", "2026-05-01", "lost", "2026-04-02T10:00:00"), ("A2", "2026-06-15", "best-case", "2026-03-01T10:00:00"),
    ("A3", "2026-05-20", "at-risk", "2026-03-25T10:00:00"), ("A3", "2025-05-20", "commit", "2025-04-01T10:00:00"),
]


def calls_frame(rows) -> pd.DataFrame:
    return pd.DataFrame([{"id": i, "account_id": a, "renewal_date": dt.date.fromisoformat(d), "call": c,
                          "arr": 1.0, "owner": None, "note": None, "called_at": at(t)}
                         for i, (a, d, c, t) in enumerate(rows, start=1)])


@pytest.fixture(scope="module")
def pipe(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("pipeline"), PIPELINE_TABLES, CONFIG)
    store_predictions(ws, "2026-02-28", [("A1", 0.9, 0.0, 0.0)])
    store_predictions(ws, "2026-03-15", [("A1", 0.10, 0.20, 0.30), ("A2", 0.50, 0.10, 0.05),
                                         ("A3", 0.20, 0.0, 0.40)])
    store_predictions(ws, "2026-04-15", [("A1", 0.99, 0.0, 0.0)])
    store = WorkflowStore.of(ws)
    with store.session() as session:
        session.add_all([cta("A1", opened="2026-03-01T09:00:00"),
                         cta("A1", opened="2026-02-01T09:00:00", closed="2026-03-10T09:00:00"),
                         cta("A3", opened="2026-04-05T09:00:00"),
                         escalation("A3", opened="2026-03-02T09:00:00"),
                         escalation("A2", opened="2026-03-01T09:00:00", resolved="2026-03-20T09:00:00")])
    with store.session() as session:
        work = open_work(session, as_of=AS_OF)
    store.dispose()
    yield ws, work
    ws.close()


@pytest.fixture(scope="module")
def every(pipe):
    """Every paying account's next renewal as of the date."""
    ws, _work = pipe
    return renewals_at(ws, as_of=AS_OF)


def renewal(every, account_id: str) -> dict | None:
    """What views.desk_renewals.renewal_of gives: the account's row, None when it is not paying."""
    found = every[every["account_id"] == account_id]
    return found.iloc[0].to_dict() if len(found) else None


@pytest.fixture(scope="module")
def pipeline(pipe):
    ws, work = pipe
    return renewal_pipeline(ws, as_of=AS_OF, days=180, calls=calls_frame(PIPELINE_CALLS), work=work,
                            depth=lambda: ws.config.desk.contraction_depth)  # asked for: renewals were scored


def test_call_words_are_the_stores():
    assert set(CALL_WORDS) == set(FORECAST_CALLS)


def test_pipeline_rows(pipeline):
    rows = pipeline.set_index("account_id")
    assert list(pipeline["account_id"]) == ["A1", "A3", "A2", "A6"]  # soonest first; A4, A5, A7 are out
    assert rows.loc["A1", "days_to_renewal"] == 31 and rows.loc["A6", "days_to_renewal"] == 92
    assert list(rows["owner"]) == ["R1", "C2", "C1", "(unassigned)"]
    assert rows.loc["A2", "owner_source"] == "csm (no renewal specialist)"
    assert rows.loc["A1", "churn_probability"] == pytest.approx(0.10)  # 2026-03-15, not 02-28 nor 04-15
    assert rows.loc["A1", "scored_on"] == dt.date(2026, 3, 15)
    assert rows.loc["A1", "expected_renewed_arr"] == pytest.approx(102_000)
    assert rows.loc["A2", "expected_renewed_arr"] == pytest.approx(14_250)
    assert rows.loc["A3", "expected_renewed_arr"] == pytest.approx(48_000)
    assert math.isnan(rows.loc["A6", "expected_renewed_arr"])
    assert list(rows["call"].fillna("-")) == ["commit", "at-risk", "best-case", "-"]
    assert rows.loc["A1", "called_at"] == pd.Timestamp("2026-03-20T10:00:00")
    assert (rows.loc["A1", "open_ctas"], rows.loc["A1", "open_escalations"]) == (1, 0)
    assert (rows.loc["A3", "open_ctas"], rows.loc["A3", "open_escalations"]) == (0, 1)
    assert (rows.loc["A2", "open_ctas"], rows.loc["A2", "open_escalations"]) == (0, 0)


def test_pipeline_window(every):
    assert set(in_pipeline(every, days=76)["account_id"]) == {"A1", "A3", "A2"}  # A2 is 76 days away: in
    assert set(in_pipeline(every, days=75)["account_id"]) == {"A1", "A3"}
    assert set(in_pipeline(every, days=183)["account_id"]) == {"A1", "A2", "A3", "A4", "A6"}  # never monthly A5


def test_rollup_totals(pipeline):
    total = rollup(pipeline).iloc[0]
    assert total["renewals"] == 4 and total["arr"] == pytest.approx(222_000)
    assert total["scored_renewals"] == 3 and total["expected_renewed_arr"] == pytest.approx(164_250)
    assert total["called_renewals"] == 3
    assert total["committed_arr"] == pytest.approx(120_000)
    assert total["best_case_arr"] == pytest.approx(150_000)  # commit + best-case
    assert total["at_risk_arr"] == pytest.approx(60_000) and total["lost_arr"] == 0
    assert total["uncalled_arr"] == pytest.approx(12_000)


def test_rollup_by_month_segment_owner(pipeline):
    month = rollup(pipeline, by="month").set_index("month")
    assert list(month.index) == ["2026-05", "2026-06", "2026-07"]
    assert month.loc["2026-05", "arr"] == pytest.approx(180_000)
    assert month.loc["2026-05", "expected_renewed_arr"] == pytest.approx(150_000)
    assert (month.loc["2026-05", "committed_arr"], month.loc["2026-05", "best_case_arr"],
            month.loc["2026-05", "at_risk_arr"]) == (120_000, 120_000, 60_000)
    assert (month.loc["2026-06", "committed_arr"], month.loc["2026-06", "best_case_arr"]) == (0, 30_000)
    assert math.isnan(month.loc["2026-07", "expected_renewed_arr"])  # nothing scored
    assert month.loc["2026-07", "uncalled_arr"] == pytest.approx(12_000)
    segment = rollup(pipeline, by="segment").set_index("segment")
    assert segment.loc["Mid-Market", "renewals"] == 2
    assert segment.loc["Mid-Market", "expected_renewed_arr"] == pytest.approx(62_250)
    assert segment.loc["Mid-Market", "best_case_arr"] == pytest.approx(30_000)
    owner = rollup(pipeline, by="owner").set_index("owner")
    assert owner["arr"].to_dict() == {"(unassigned)": 12_000, "C1": 30_000, "C2": 60_000, "R1": 120_000}
    assert owner.loc["R1", "committed_arr"] == pytest.approx(120_000)
    with pytest.raises(ValueError, match="by must be one of month, segment, owner"):
        rollup(pipeline, by="csm")


def test_rollup_of_an_empty_pipeline(pipeline):
    total = rollup(pipeline.iloc[0:0]).iloc[0]
    assert total["renewals"] == 0 and total["arr"] == 0 and math.isnan(total["expected_renewed_arr"])


def test_current_call_is_the_latest_on_or_before_the_day():
    calls = calls_frame(PIPELINE_CALLS)
    now = current_calls(calls, as_of=AS_OF).set_index(["account_id", "renewal_date"])["call"]
    assert now[("A1", dt.date(2026, 5, 1))] == "commit"
    later = current_calls(calls, as_of=dt.date(2026, 4, 2)).set_index(["account_id", "renewal_date"])["call"]
    assert later[("A1", dt.date(2026, 5, 1))] == "lost"
    earlier = current_calls(calls, as_of=dt.date(2026, 2, 28)).set_index(["account_id", "renewal_date"])["call"]
    assert earlier[("A1", dt.date(2026, 5, 1))] == "at-risk" and ("A2", dt.date(2026, 6, 15)) not in earlier
    same_time = calls_frame([("A1", "2026-05-01", "commit", "2026-03-20T10:00:00"),
                             ("A1", "2026-05-01", "lost", "2026-03-20T10:00:00")])  # a tie: the later id counts
    assert current_calls(same_time, as_of=AS_OF)["call"].tolist() == ["lost"]


def test_expected_renewed_formula():
    out = expected_renewed(pd.Series([100.0, 100.0]), pd.Series([0.2, None]), pd.Series([0.5, 0.5]), 0.4)
    assert out[0] == pytest.approx(100 * 0.8 - 100 * 0.5 * 0.4) and math.isnan(out[1])
    assert expected_renewed(pd.Series([100.0]), pd.Series([0.2]), pd.Series([0.5]), None).isna().all()


# --- recording calls ---------------------------------------------------------------------------------------


def test_record_call_takes_the_pipelines_renewal_and_goes_on_the_timeline(pipe):
    ws, _work = pipe
    store = WorkflowStore.of(ws)
    with store.session(actor="rita@example.com") as session:
        renewal = renewal_of(ws, "A1", as_of=AS_OF)  # the view the CLI uses
        first = record_call(session, account_id="A1", call="at-risk", renewal=renewal, as_of=AS_OF, window_days=180,
                            actor="rita@example.com", called_at=at("2026-03-30T09:00:00"))
        second = record_call(session, account_id="A1", call="commit", renewal=renewal, as_of=AS_OF, window_days=180,
                             actor="rita@example.com", note="PO received", called_at=at("2026-03-31T09:00:00"))
        assert (second.renewal_date, second.arr, second.owner_person_id) == (dt.date(2026, 5, 1), 120_000, "R1")
        assert first.id < second.id
        history = call_history(session, account_id="A1")
        entries = [(e.text, e.author) for e in session.query(TimelineEntry)
                   .filter_by(account_id="A1", kind="forecast_call").order_by(TimelineEntry.id)]
        session.rollback()  # leave the module's company as it was
    store.dispose()
    assert list(history["call"]) == ["at-risk", "commit"]
    assert current_calls(history, as_of=AS_OF)["call"].tolist() == ["commit"]
    assert entries[-1] == ("Forecast call on the renewal of 2026-05-01 (120,000 ARR): commit (was at-risk) by "
                           "R1: PO received", "rita@example.com")


@pytest.mark.parametrize(("account_id", "words"), [
    ("A4", ["next renewal is on 2026-09-30", "183 days", "beyond the pipeline's 180 days"]),
    ("A5", ["monthly plan"]),
    ("A7", ["not paying on 2026-03-31"]),
])
def test_a_call_needs_a_renewal_in_the_pipeline(pipe, every, account_id, words):
    ws, _work = pipe
    store = WorkflowStore.of(ws)
    with pytest.raises(TenureError) as raised, store.session() as session:
        record_call(session, account_id=account_id, call="commit", renewal=renewal(every, account_id),
                    as_of=AS_OF, window_days=180, actor="tenure")
    with store.session() as session:
        assert session.query(ForecastCall).filter_by(account_id=account_id).count() == 0
    store.dispose()
    for word in words:
        assert word in str(raised.value)


@pytest.mark.parametrize("word", ["maybe", "Commit", "best case", ""])
def test_bad_call_words(word):
    with pytest.raises(TenureError, match="one of commit, best-case, at-risk, lost, not"):
        check_call(word)


def test_why_not_in_pipeline_rules():
    row = {"renewal_date": dt.date(2026, 5, 1), "days_to_renewal": 31, "term_months": 12}
    assert why_not_in_pipeline(row, account_id="A", as_of=AS_OF, days=31) is None
    assert "beyond" in why_not_in_pipeline(row, account_id="A", as_of=AS_OF, days=30)


def test_renewals_at_lists_every_paying_account(every):
    assert set(every["account_id"]) == {"A1", "A2", "A3", "A4", "A5", "A6"}
    assert every.set_index("account_id").loc["A5", "term_months"] == 1


# --- importing calls ---------------------------------------------------------------------------------------


def _import_rows(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "renewal_date", "call", "called_at", "arr", "owner_person_id",
                                       "note"]).astype(str)


def test_import_is_all_or_nothing_and_idempotent(tmp_path):
    store = WorkflowStore(f"sqlite:///{tmp_path / 'workflow.sqlite'}")
    store.upgrade()
    good = _import_rows([("A1", "2026-05-01", "at-risk", "2026-02-10", "120000", "R1", "slow adoption"),
                         ("A1", "2026-05-01", "commit", "2026-03-20T10:00:00Z", "120000", "R1", "")])
    bad = _import_rows([("A1", "2026-05-01", "commit", "2026-03-20", "120000", "", ""),
                        ("NOPE", "2026-05-01", "maybe", "2026-03-20", "-5", "", ""),
                        ("A2", "2026-13-01", "lost", "2026-06-20", "x", "", ""),
                        ("A2", "2026-06-15", "lost", "2026-06-15", "1", "", "")])
    with pytest.raises(TenureError) as raised, store.session() as session:
        import_calls(session, bad, known_accounts={"A1", "A2"}, actor="tenure", source="calls.csv")
    message = str(raised.value)
    for word in ("6 problem(s), nothing imported", "calls.csv, row 3, column account_id, value 'NOPE': unknown account",
                 "row 3, column call, value 'maybe': not one of commit, best-case, at-risk, lost",
                 "row 3, column arr, value '-5': not a number of at least 0",
                 "row 4, column renewal_date, value '2026-13-01': not an ISO date",
                 "row 4, column arr, value 'x'",
                 "row 5, column called_at, value '2026-06-15': a call is made before its renewal date 2026-06-15"):
        assert word in message
    with store.session() as session:
        assert session.query(ForecastCall).count() == 0
        assert import_calls(session, good, known_accounts={"A1"}, actor="tenure", source="calls.csv") == (2, 0)
    with store.session() as session:
        assert import_calls(session, good, known_accounts={"A1"}, actor="tenure", source="calls.csv") == (0, 2)
        history = call_history(session)
        timeline = [e.text for e in session.query(TimelineEntry).order_by(TimelineEntry.id)]
    store.dispose()
    assert list(history["call"]) == ["at-risk", "commit"] and list(history["owner"]) == ["R1", "R1"]
    assert history["called_at"].tolist() == [pd.Timestamp("2026-02-10"), pd.Timestamp("2026-03-20T10:00:00")]
    assert timeline[1].startswith("Forecast call on the renewal of 2026-05-01 (120,000 ARR): commit (was at-risk)")
    with pytest.raises(TenureError, match="missing column"), store.session() as session:
        import_calls(session, good.drop(columns="arr"), known_accounts={"A1"}, actor="tenure", source="x.csv")


# --- call accuracy -----------------------------------------------------------------------------------------

ACCURACY_TABLES = {
    "team": [person("C1"), person("C2")],
    "accounts": [account(a, owner_csm_id=o) for a, o in
                 (("B1", "C1"), ("B2", "C1"), ("B3", "C2"), ("B4", "C2"), ("B5", "C2"), ("B6", "C2"), ("B8", "C2"))],
    "subscriptions": [
        line("L1", "B1", "2024-06-01", 1_000, end_date="2025-06-01"), line("L2", "B1", "2025-06-01", 1_000),
        line("L3", "B2", "2024-09-01", 2_000, end_date="2025-09-01"),  # churned at its renewal
        line("L4", "B3", "2025-01-15", 3_000, end_date="2026-01-15"),
        line("L5", "B3", "2026-01-15", 2_000),  # renewed, contracted
        line("L6", "B4", "2025-03-15", 500, end_date="2026-03-15"), line("L7", "B4", "2026-03-15", 600),  # expanded
        line("L8", "B5", "2024-02-01", 100, end_date="2025-02-01"),  # renewal before the 12-month window
        line("L9", "B6", "2025-05-01", 100),  # renews after the date
        line("L10", "B8", "2025-03-25", 100, end_date="2026-03-25"),  # churned
    ],
}
ACCURACY_CALLS = [  # account, renewal date, call, called at, ARR called on, owner
    ("B1", "2025-06-01", "at-risk", "2025-04-10", 12_000, "C1"),
    ("B1", "2025-06-01", "commit", "2025-05-20", 12_000, "C1"),
    ("B2", "2025-09-01", "commit", "2025-08-01", 24_000, "C1"),
    ("B3", "2026-01-15", "best-case", "2025-12-01", 36_000, "C2"),
    ("B4", "2026-03-15", "lost", "2026-02-20", 6_000, "C2"),
    ("B5", "2025-02-01", "commit", "2025-01-10", 1_200, "C2"),
    ("B6", "2026-05-01", "commit", "2026-03-01", 1_200, "C2"),
    ("B8", "2026-03-25", "at-risk", "2026-03-01", 1_200, "C2"),
]


@pytest.fixture(scope="module")
def past(tmp_path_factory):
    """The accuracy company with its calls imported (the service) and predictions stored.

    B1 also has a call on the renewal day itself (lost), too late to count."""
    ws = workspace_with(tmp_path_factory.mktemp("accuracy"), ACCURACY_TABLES, "desk:\n  contraction_depth: 0.25\n")
    store_predictions(ws, "2025-05-15", [("B1", 0.40, 0.10, 0.0)])
    store_predictions(ws, "2025-07-31", [("B2", 0.60, 0.0, 0.0)])
    store_predictions(ws, "2025-12-05", [("B3", 0.90, 0.0, 0.0)])  # after B3's call: not the model at the call
    store_predictions(ws, "2026-02-15", [("B4", 0.10, 0.20, 0.0)])
    rows = _import_rows([(a, d, c, t, str(arr), o, "") for a, d, c, t, arr, o in ACCURACY_CALLS])
    store = WorkflowStore.of(ws)
    with store.session() as session:
        import_calls(session, rows, known_accounts={a["account_id"] for a in ACCURACY_TABLES["accounts"]},
                     actor="tenure", source="calls.csv")
        # the renewal day itself is too late: a call made on 2025-06-01 never counts
        session.add(ForecastCall(account_id="B1", renewal_date=dt.date(2025, 6, 1), call="lost", arr=12_000,
                                 owner_person_id="C1", called_at=at("2025-06-01T08:00:00")))
    with store.session() as session:
        calls = call_history(session)
    store.dispose()
    yield ws, calls
    ws.close()


@pytest.fixture(scope="module")
def judged(past):
    ws, calls = past
    return judged_calls(ws, as_of=AS_OF, months=12, calls=calls, depth=0.25)


def test_judged_renewals(judged):
    rows = judged.set_index("account_id")
    assert list(judged["account_id"]) == ["B1", "B2", "B3", "B4", "B8"]  # B5 too old, B6 not yet renewed
    assert list(rows["call"]) == ["commit", "commit", "best-case", "lost", "at-risk"]  # the last before the date
    assert list(rows["renewed"]) == [True, False, True, True, False]
    assert list(rows["call_right"]) == [True, False, True, False, True]
    assert list(rows["model_right"]) == [False, True, None, True, None]  # threshold 0.3 without a model
    assert rows["actual_renewed_arr"].tolist() == [12_000, 0, 24_000, 6_000, 0]  # capped at ARR before
    assert rows["called_renewed_arr"].tolist() == [12_000, 24_000, 36_000, 0, 0]
    assert rows.loc["B1", "model_expected_arr"] == pytest.approx(6_900)  # 12,000 × 0.6 − 12,000 × 0.1 × 0.25
    assert rows.loc["B2", "model_expected_arr"] == pytest.approx(9_600)
    assert rows.loc["B4", "model_expected_arr"] == pytest.approx(5_100)
    assert rows["call_error_arr"].tolist() == [0, 24_000, 12_000, 6_000, 0]
    assert rows.loc["B4", "model_error_arr"] == pytest.approx(900)
    assert rows["closer"].tolist() == ["call", "model", None, "model", None]
    assert rows.loc["B3", "scored_on"] is None or pd.isna(rows.loc["B3", "scored_on"])
    assert (rows.loc["B3", "arr_before"], rows.loc["B3", "arr_after"]) == (36_000, 24_000)


def test_accuracy_per_owner_and_month(judged):
    owner = accuracy(judged, by="owner").set_index("owner")
    c1, c2 = owner.loc["C1"], owner.loc["C2"]
    assert (c1["calls_made"], c1["calls_right"], c1["model_scored"], c1["model_right"]) == (2, 1, 2, 1)
    assert c1["call_accuracy"] == pytest.approx(0.5) and c1["model_accuracy"] == pytest.approx(0.5)
    assert (c1["call_error_arr"], c1["model_error_arr"], c1["closer"]) == (24_000, pytest.approx(14_700), "model")
    assert (c2["calls_made"], c2["calls_right"], c2["model_scored"], c2["model_right"]) == (3, 2, 1, 1)
    assert c2["compared"] == 1
    assert c2["call_accuracy"] == pytest.approx(2 / 3) and c2["model_accuracy"] == pytest.approx(1.0)
    assert (c2["call_error_arr"], c2["model_error_arr"]) == (6_000, pytest.approx(900))
    month = accuracy(judged, by="month").set_index("month")
    assert list(month.index) == ["2025-06", "2025-09", "2026-01", "2026-03"]
    assert month.loc["2025-06", "closer"] == "call" and month.loc["2026-01", "closer"] is None
    assert math.isnan(month.loc["2026-01", "model_accuracy"])
    total = accuracy(judged).iloc[0]
    assert (total["calls_made"], total["calls_right"], total["model_scored"], total["model_right"]) == (5, 3, 3, 2)
    assert total["actual_renewed_arr"] == 42_000 and total["called_renewed_arr"] == 72_000
    assert total["model_expected_arr"] == pytest.approx(21_600)
    assert (total["call_error_arr"], total["model_error_arr"], total["closer"]) == (30_000, pytest.approx(15_600),
                                                                                   "model")
    assert list(accuracy(judged).columns) == ACCURACY_COLUMNS


def test_accuracy_window_and_grace(past):
    ws, calls = past
    assert list(judged_calls(ws, as_of=AS_OF, months=3, calls=calls)["account_id"]) == ["B3", "B4", "B8"]
    graced = ws.config.model_copy(update={"predict": ws.config.predict.model_copy(update={"grace_days": 10})})
    original, ws.config = ws.config, graced
    try:
        late = judged_calls(ws, as_of=AS_OF, months=12, calls=calls)
    finally:
        ws.config = original
    assert "B8" not in set(late["account_id"])  # 2026-03-25 + 10 days is after the date: not measured yet
    assert late.set_index("account_id").loc["B4", "renewed"]  # measured on 2026-03-25


def test_accuracy_of_nothing(past):
    ws, calls = past
    never = lambda: pytest.fail("the depth is learned only when something was scored")  # noqa: E731
    nothing = judged_calls(ws, as_of=AS_OF, months=12, calls=calls.iloc[0:0], depth=never)
    assert nothing.empty
    total = accuracy(nothing).iloc[0]
    assert total["calls_made"] == 0 and total["closer"] is None
    assert accuracy(nothing, by="owner").empty


def test_model_threshold_per_version(past, tmp_path):
    ws, _calls = past
    assert risk_thresholds(ws, [1]) == {1: 0.3}
    folder = ws.root / "models"
    folder.mkdir(exist_ok=True)
    (folder / "renewal-v1.json").write_text('{"risk_threshold": 0.45}', encoding="utf-8")
    try:
        assert risk_thresholds(ws, [1, 2.0]) == {1: 0.45, 2: 0.3}
        configured = ws.config.model_copy(update={"predict": ws.config.predict.model_copy(
            update={"risk_threshold": 0.2})})
        original, ws.config = ws.config, configured
        try:
            assert risk_thresholds(ws, [1]) == {1: 0.2}
        finally:
            ws.config = original
    finally:
        (folder / "renewal-v1.json").unlink()
        folder.rmdir()


def test_judge_on_its_own():
    called = pd.DataFrame([{"account_id": "X", "renewal_date": "2026-01-10", "owner": None, "call": "at-risk",
                            "called_at": "2025-12-01", "call_arr": 1_000, "arr_before": 1_000, "arr_after": 0,
                            "scored_on": "2025-11-30", "churn_probability": 0.3, "contraction_probability": 0.0,
                            "threshold": 0.3}])
    row = judge(called, contraction_depth=None).iloc[0]
    assert row["owner"] == "(unassigned)" and row["call_right"] and row["model_right"]  # 0.3 ≥ 0.3 calls churn
    assert math.isnan(row["model_expected_arr"]) and row["closer"] is None  # no depth: no expectation in ARR


# --- the command line --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_renewal_commands(tmp_path):
    ws = workspace_with(tmp_path / "pipe", PIPELINE_TABLES, CONFIG)
    store_predictions(ws, "2026-03-15", [("A1", 0.10, 0.20, 0.30), ("A2", 0.50, 0.10, 0.05),
                                         ("A3", 0.20, 0.0, 0.40)])
    root = ws.root
    ws.close()

    def run(*args):
        return tenure("--workspace", root, "desk", *args, cwd=tmp_path)

    assert_error(run("call", "A1", "maybe"), 1,
                 "a forecast call is one of commit, best-case, at-risk, lost, not 'maybe'")
    assert_error(run("call", "NOPE", "commit", "--as-of", "2026-03-31"), 3, "no account with account_id 'NOPE'")
    assert_error(run("call", "A4", "commit", "--as-of", "2026-03-31"), 1, "beyond the pipeline's 180 days")
    assert_error(run("call", "A5", "lost", "--as-of", "2026-03-31"), 1, "monthly plan")
    assert_error(run("call", "A7", "lost", "--as-of", "2026-03-31"), 1, "not paying on 2026-03-31")
    first = run("call", "A1", "at-risk", "--as-of", "2026-03-20", "--as", "rita@example.com")
    assert first.returncode == 0, str(first)
    assert "Called at-risk on the renewal of A1 on 2026-05-01 (120,000 ARR, owner R1)." in first.stdout
    assert run("call", "A1", "commit", "--as-of", "2026-03-31", "--note", "PO received").returncode == 0
    calls_file = tmp_path / "calls.csv"
    calls_file.write_text("account_id,renewal_date,call,called_at,arr,owner_person_id,note\n"
                          "A2,2026-06-15,best-case,2026-03-01,30000,C1,pricing\n"
                          "A3,2026-05-20,at-risk,2026-03-25T10:00:00,60000,C2,\n", encoding="utf-8")
    imported = run("calls", "import", calls_file)
    assert imported.returncode == 0 and "Imported 2 forecast call(s)" in imported.stdout, str(imported)
    assert "0 forecast call(s)" in run("calls", "import", calls_file).stdout  # again: nothing new
    bad_file = tmp_path / "bad.csv"
    bad_file.write_text("account_id,renewal_date,call,called_at,arr\nA2,2026-06-15,maybe,2026-03-01,1\n",
                        encoding="utf-8")
    assert_error(run("calls", "import", bad_file), 1, "1 problem(s), nothing imported",
                 "row 2, column call, value 'maybe'")
    history = strict_json(run("calls", "list", "--account", "A1", "--format", "json").stdout)
    assert [(c["call"], c["current"]) for c in history] == [("at-risk", False), ("commit", True)]
    assert history[1]["note"] == "PO received" and history[1]["owner"] == "R1"

    done = run("renewals", "--as-of", "2026-03-31", "--format", "json")
    assert done.returncode == 0, str(done)
    payload = strict_json(done.stdout)
    assert [r["account_id"] for r in payload["renewals"]] == ["A1", "A3", "A2", "A6"]
    assert payload["contraction_depth"] == 0.25 and payload["rollup"]["by"] == "month"
    totals = payload["totals"]
    assert (totals["arr"], totals["expected_renewed_arr"], totals["committed_arr"], totals["best_case_arr"],
            totals["at_risk_arr"], totals["uncalled_arr"]) == (222_000, 164_250, 120_000, 150_000, 60_000, 12_000)
    owner = run("renewals", "--as-of", "2026-03-31", "--by", "owner", "--format", "csv").stdout.splitlines()
    assert owner[0].startswith("owner,renewals,arr,scored_renewals,expected_renewed_arr") and len(owner) == 5
    mine = strict_json(run("renewals", "--as-of", "2026-03-31", "--owner", "C1", "--days", "90", "--format",
                           "json").stdout)
    assert [r["account_id"] for r in mine["renewals"]] == ["A2"] and mine["totals"]["best_case_arr"] == 30_000
    table = run("renewals", "--as-of", "2026-03-31", "--segment", "Mid-Market")
    assert table.returncode == 0 and "Renewals due in the 180 days after 2026-03-31, segment Mid-Market (2)" \
        in table.stdout
    assert "2 renewals, 90,000 ARR; the model expects 62,250 renewed (2 of 2 scored, contraction depth 25%)" \
        in " ".join(table.stdout.split())
    assert_error(run("renewals", "--by", "csm"), 2)


@pytest.mark.slow
def test_accuracy_command(tmp_path):
    ws = workspace_with(tmp_path / "past", ACCURACY_TABLES, "desk:\n  contraction_depth: 0.25\n")
    store_predictions(ws, "2025-05-15", [("B1", 0.40, 0.10, 0.0)])
    store_predictions(ws, "2025-07-31", [("B2", 0.60, 0.0, 0.0)])
    store_predictions(ws, "2026-02-15", [("B4", 0.10, 0.20, 0.0)])
    root = ws.root
    ws.close()
    calls_file = tmp_path / "calls.csv"
    _import_rows([(a, d, c, t, str(arr), o, "") for a, d, c, t, arr, o in ACCURACY_CALLS]).to_csv(calls_file,
                                                                                               index=False)
    assert tenure("--workspace", root, "desk", "calls", "import", calls_file, cwd=tmp_path).returncode == 0
    done = tenure("--workspace", root, "desk", "accuracy", "--as-of", "2026-03-31", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, str(done)
    payload = strict_json(done.stdout)
    total = payload["total"]
    assert (total["calls_made"], total["calls_right"], total["model_scored"], total["model_right"]) == (5, 3, 3, 2)
    assert (total["call_error_arr"], total["model_error_arr"], total["closer"]) == (30_000, 15_600, "model")
    assert {g["owner"]: g["calls_right"] for g in payload["groups"]} == {"C1": 1, "C2": 2}
    assert [r["account_id"] for r in payload["renewals"]] == ["B1", "B2", "B3", "B4", "B8"]
    month = tenure("--workspace", root, "desk", "accuracy", "--as-of", "2026-03-31", "--by", "month", cwd=tmp_path)
    text = " ".join(month.stdout.split())
    assert month.returncode == 0 and "5 renewals called: 3 calls right (60%)" in text
    assert "the model was closer" in text


# --- the demo's calls --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_calls_are_deterministic_and_informative(tmp_path):
    from tenure.contract.load import load
    from tenure.demo.calls import write_calls
    from tenure.demo.simulator import generate
    from tenure.workspace import Workspace

    end = dt.date(2026, 6, 30)
    company = tmp_path / "company"
    generate(company, accounts=200, months=30, seed=11, end=end)
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    written = write_calls(company, first, end=end, seed=11)
    write_calls(company, again, end=end, seed=11)
    write_calls(company, other, end=end, seed=12)
    assert written > 50 and first.read_bytes() == again.read_bytes() and first.read_bytes() != other.read_bytes()
    calls = pd.read_csv(first, dtype=str, keep_default_na=False)
    renewal, called = pd.to_datetime(calls["renewal_date"]), pd.to_datetime(calls["called_at"])
    assert set(calls["call"]) <= set(FORECAST_CALLS) and (called.dt.date < renewal.dt.date).all()
    lead = (renewal - called).dt.days
    assert (called.dt.date <= end).all() and lead[renewal.dt.date <= end].max() <= 60  # called 30-60 days ahead...
    assert (called[lead > 60].dt.date >= end - dt.timedelta(days=14)).all()  # ... or, further out, lately
    assert renewal.min().date() > dt.date(2025, 6, 30) and renewal.max().date() <= end + dt.timedelta(days=90)
    assert calls.groupby(["account_id", "renewal_date"]).size().max() == 2  # some renewals were called again

    Workspace.init(tmp_path / "ws").close()
    ws = Workspace.open(tmp_path / "ws")
    load([company], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.warehouse.forget()
    store = WorkflowStore.of(ws)
    accounts = set(ws.warehouse.execute(ws.warehouse.table("accounts").select("account_id"))["account_id"])
    with store.session() as session:
        assert import_calls(session, calls, known_accounts=accounts, actor="tenure", source=str(first)) \
            == (written, 0)
    with store.session() as session:
        history = call_history(session)
    store.dispose()
    judged = judged_calls(ws, as_of=end, months=12, calls=history)
    upcoming = renewal_pipeline(ws, as_of=end, days=90, calls=history)
    ws.close()
    assert len(judged) > 30 and (~judged["renewed"]).sum() >= 3
    called_renewal = judged["call"].isin(["commit", "best-case"])
    # informative: renewals called commit or best-case renewed far more often than those called at-risk or lost
    assert judged.loc[called_renewal, "renewed"].mean() > judged.loc[~called_renewal, "renewed"].mean() + 0.3
    assert 0.6 < judged["call_right"].mean() < 1.0  # but noisy
    assert upcoming["call"].notna().all()  # every contract renewal of the next 90 days has a current call
