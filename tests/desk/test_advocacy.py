"""Advocacy: candidates, the guard against asking too often (exact day edges), records, imports and
referral-sourced ARR, on a hand-made company.

As of 2026-03-31 (bands, feature breadth and churn probability stored for the date; risk threshold 0.3,
the default without a trained model). Each account fails one test, except B1 and B9:

    account  segment     MRR    fails            why
    B1       SMB         1,000  —                last asked 2025-12-31: exactly 90 days before, allowed
    B2       SMB           500  green            yellow
    B3       SMB           500  high adoption    4 features in 30 days; the SMB median is 10
    B4       SMB           500  promoter         latest NPS 8 (2026-03-10), though 10 in January
    B5       SMB           500  no escalation    an escalation open since 2026-03-01
    B6       SMB           500  renewal safe     churn probability 0.30: at the threshold
    B7       Enterprise    500  ask allowed      asked 2026-01-15, 75 days before (its own segment's median: 3 of 3)
    B8       SMB           500  promoter         its 10 was given 2025-03-31, 365 days before: outside the window
    B9       SMB           900  —                NPS 9 on 2025-04-01, the window's first day; no score; referred by B4
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd
import pytest
from sqlalchemy import select

from cli.helpers import assert_error, strict_json, tenure
from tenure.desk.advocacy import CANDIDATE_COLUMNS, broke_guard, candidates, guard, latest_nps, referrals
from tenure.errors import TenureError
from tenure.views.desk_advocacy import advocate_candidates, referral_sourced, risk_threshold, top_band
from tenure.workflow.advocacy import create, get_all, import_records, kind_of, open_escalations, with_guard
from tenure.workflow.models import AdvocacyRecord, Escalation, TimelineEntry
from tenure.workflow.store import WorkflowStore

from .sales_fixtures import account, line, person, store_health, store_metrics, store_scores, workspace_with

AS_OF = dt.date(2026, 3, 31)
TODAY = dt.date(2026, 12, 1)
ACCOUNTS = {f"B{i}": ("Enterprise" if i == 7 else "SMB", {1: 1000, 9: 900}.get(i, 500)) for i in range(1, 10)}
NPS = [("B1", "2026-03-01", 9), ("B2", "2026-03-01", 10), ("B3", "2026-03-01", 9), ("B4", "2026-01-05", 10),
       ("B4", "2026-03-10", 8), ("B5", "2026-03-01", 9), ("B6", "2026-03-01", 9), ("B7", "2026-03-01", 10),
       ("B8", "2025-03-31", 10), ("B9", "2025-04-01", 9)]


def tables() -> dict[str, list[dict]]:
    return {
        "team": [person("C1")],
        "accounts": [account(a, owner_csm_id="C1", segment=s) for a, (s, _) in ACCOUNTS.items()],
        "subscriptions": [line(f"L{a}", a, "2024-01-01", mrr) for a, (_, mrr) in ACCOUNTS.items()],
        "surveys": [{"response_id": f"R{i}", "account_id": a, "submitted_at": f"{d}T12:00:00Z", "type": "nps",
                     "score": s} for i, (a, d, s) in enumerate(NPS)],
    }


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = workspace_with(tmp_path_factory.mktemp("advocacy"), tables())
    store_health(ws, "2026-03-31", {a: "yellow" if a == "B2" else "green" for a in ACCOUNTS})
    store_metrics(ws, "2026-03-31", {a: {"feature_breadth_30d": {"B3": 4.0, "B7": 3.0}.get(a, 10.0)}
                                     for a in ACCOUNTS})
    store_scores(ws, "2026-03-31", {a: ({"B6": 0.3}.get(a, 0.1), 0.2) for a in ACCOUNTS if a != "B9"})
    yield ws
    ws.close()


@pytest.fixture
def session(tmp_path):
    store = WorkflowStore(f"sqlite:///{tmp_path / 'workflow.sqlite'}")
    store.upgrade()
    with store.session("cs@example.com") as session:
        yield session
    store.dispose()


ASKS = pd.DataFrame({"account_id": ["B1", "B7"], "occurred_on": [dt.date(2025, 12, 31), dt.date(2026, 1, 15)]})


def test_candidates_on_the_hand_made_company(ws):
    data = advocate_candidates(ws, as_of=AS_OF, asks=ASKS, escalated={"B5"})
    assert list(data.columns) == CANDIDATE_COLUMNS
    assert list(data[data["candidate"]]["account_id"]) == ["B1", "B9"]
    why = dict(zip(data["account_id"], data["why_not"], strict=True))
    assert why == {"B1": "", "B9": "", "B2": "green", "B3": "high adoption", "B4": "promoter", "B5": "no escalation",
                   "B6": "renewal safe", "B7": "ask allowed", "B8": "promoter"}
    b1 = data.set_index("account_id").loc["B1"]
    assert (b1["nps_score"], b1["nps_on"], b1["last_ask"], b1["asks_365d"]) == (9, dt.date(2026, 3, 1),
                                                                                dt.date(2025, 12, 31), 1)
    assert b1["segment_median_breadth"] == 10 and data.set_index("account_id").at["B7", "segment_median_breadth"] == 3
    assert top_band(ws) == "green" and risk_threshold(ws) == (0.3, "default")


def test_an_ask_a_day_earlier_makes_b1_wait(ws):
    asks = pd.DataFrame({"account_id": ["B1"], "occurred_on": [dt.date(2026, 1, 1)]})  # 89 days before
    data = advocate_candidates(ws, as_of=AS_OF, asks=asks, escalated=set()).set_index("account_id")
    assert not data.at["B1", "ask_allowed"] and data.at["B5", "candidate"]


def test_guard_minimum_days_edges():
    asks = [dt.date(2026, 1, 1)]
    refused = guard(asks, dt.date(2026, 3, 31), min_days=90, max_per_year=4)  # 89 days later
    assert refused is not None and refused.next_allowed == dt.date(2026, 4, 1)
    assert refused.message == ("it was asked on 2026-01-01 (89 days before 2026-03-31); "
                               "desk.advocate_min_days_between_asks is 90")
    assert guard(asks, dt.date(2026, 4, 1), min_days=90, max_per_year=4) is None  # 90 days later
    assert "it was asked on 2026-01-01 (the same day);" in guard(asks, dt.date(2026, 1, 1), min_days=90,
                                                                  max_per_year=4).message
    backdated = guard(asks, dt.date(2025, 12, 15), min_days=90, max_per_year=4)  # before an existing ask
    assert backdated is not None and "17 days after" in backdated.message
    assert guard(asks, dt.date(2025, 10, 3), min_days=90, max_per_year=4) is None  # 90 days before it
    assert guard(asks, dt.date(2026, 1, 1), min_days=0, max_per_year=4) is None


def test_guard_yearly_cap_edges():
    asks = [dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1), dt.date(2026, 1, 1)]
    refused = guard(asks, dt.date(2026, 3, 31), min_days=30, max_per_year=4)  # 2025-04-01 is the window's first day
    assert refused is not None and refused.next_allowed == dt.date(2026, 4, 1)
    assert "already asked 4 times in the 365 days ending 2026-03-31" in refused.message
    assert "desk.advocate_max_asks_per_year is 4" in refused.message
    assert guard(asks, dt.date(2026, 4, 1), min_days=30, max_per_year=4) is None
    both = guard(asks, dt.date(2026, 1, 20), min_days=30, max_per_year=4)  # 19 days after an ask, and 4 in the year
    assert both.next_allowed == dt.date(2026, 4, 1)  # the later of 2026-01-31 and 2026-04-01
    assert "min_days_between_asks is 30" in both.message and "max_asks_per_year is 4" in both.message


def test_broke_guard_replays_records_in_order():
    records = pd.DataFrame({"id": [1, 2, 3, 4], "account_id": ["A", "A", "B", "A"],
                            "occurred_on": [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 1),
                                            dt.date(2026, 5, 2)]})
    # a forced record is still an ask: the fourth is 90 days after the second, which broke the guard itself
    assert broke_guard(records, min_days=90, max_per_year=4).tolist() == [False, True, False, False]
    assert broke_guard(records, min_days=90, max_per_year=2).tolist() == [False, True, False, True]


def test_latest_nps_ties_and_cutoff():
    surveys = pd.DataFrame({"response_id": ["r1", "r2", "r3", "r4"], "account_id": ["X", "X", "X", "Y"],
                            "type": ["nps", "nps", "nps", "csat"], "score": [9.0, 6.0, 10.0, 5.0],
                            "contact_id": ["c1", "c2", "c3", None],
                            "submitted_at": pd.to_datetime(["2026-03-01 10:00", "2026-03-01 10:00",
                                                            "2026-04-01 00:00", "2026-03-01 10:00"])})
    found = ibis.duckdb.connect().execute(latest_nps(ibis.memtable(surveys), as_of=AS_OF))
    found["nps_on"] = pd.to_datetime(found["nps_on"]).dt.date
    assert found.to_dict("records") == [{"account_id": "X", "nps_score": 6.0, "nps_on": dt.date(2026, 3, 1),
                                         "nps_contact_id": "c2"}]  # same moment: the higher response_id


def test_candidates_engine_without_data_fails_the_test_it_needs():
    accounts = pd.DataFrame([{"account_id": "Z", "name": "Z", "segment": None, "owner": None, "arr": 1.0,
                              "band": "green", "feature_breadth_30d": None, "churn_probability": None,
                              "nps_score": None, "nps_on": None, "nps_contact_id": None}])
    out = candidates(accounts, pd.DataFrame(columns=["account_id", "occurred_on"]), as_of=AS_OF, top_band="green",
                     risk_threshold=0.3, escalated=set(), min_days=90, max_per_year=4)
    assert out.iloc[0]["why_not"] == "high adoption, promoter"


def test_record_refused_forced_and_listed(session):
    kwargs = {"min_days": 90, "max_per_year": 4, "today": TODAY, "actor": "cs@example.com"}
    first, broke = create(session=session, account_id="B1", kind="Reference call", occurred_on=dt.date(2026, 3, 31),
                          outcome="held", contact_id="K1", **kwargs)
    assert first.kind == "reference_call" and broke is None
    with pytest.raises(TenureError) as refused:
        create(session=session, account_id="B1", kind="review", occurred_on=dt.date(2026, 4, 15), **kwargs)
    assert str(refused.value) == (
        "not recorded: B1 should not be asked for advocacy on 2026-04-15: it was asked on 2026-03-31 (15 days before "
        "2026-04-15); desk.advocate_min_days_between_asks is 90. The next ask is allowed on 2026-06-29; use --force "
        "to record this one anyway")
    assert len(session.scalars(select(AdvocacyRecord)).all()) == 1
    forced, broke = create(session=session, account_id="B1", kind="review", occurred_on=dt.date(2026, 4, 15),
                           force=True, **kwargs)
    assert broke.startswith("it was asked on 2026-03-31")
    notes = session.scalars(select(TimelineEntry.text).where(TimelineEntry.kind == "advocacy")).all()
    assert "recorded with --force although the advocacy guard refused it" in notes[-1]
    listed = with_guard(get_all(session=session), min_days=90, max_per_year=4)
    assert listed["broke_guard"].tolist() == [False, True]
    assert listed["recorded_by"].tolist() == ["cs@example.com"] * 2


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "testimonial"}, "kind 'testimonial' is not an advocacy kind; use one of reference_call, referral"),
    ({"kind": "referral"}, "a referral needs the referred account"),
    ({"referred_account_id": "B9"}, "only a referral names a referred account; this is a reference_call"),
    ({"kind": "referral", "referred_account_id": "B1"}, "account B1 cannot refer itself"),
    ({"occurred_on": dt.date(2026, 12, 2)}, "date 2026-12-02 is in the future (today is 2026-12-01)"),
])
def test_bad_records_are_refused(session, changes, message):
    record = {"account_id": "B1", "kind": "reference_call", "occurred_on": dt.date(2026, 3, 31), **changes}
    with pytest.raises(TenureError, match=message.replace("(", r"\(").replace(")", r"\)")):
        create(session=session, min_days=90, max_per_year=4, today=TODAY, actor="x", **record)
    assert session.scalars(select(AdvocacyRecord)).all() == []


def test_kind_spellings():
    assert [kind_of(k) for k in ("case-study", "Case Study", "REVIEW")] == ["case_study", "case_study", "review"]


def test_import_all_or_nothing_then_idempotent(session):
    rows = pd.DataFrame({"account_id": ["B1", "B4", "B9"], "kind": ["reference_call", "referral", "review"],
                         "occurred_on": ["2026-01-10", "2026-02-01", "2026-02-20"], "outcome": ["held", "", ""],
                         "referred_account_id": ["", "B9", ""]})
    known = set(ACCOUNTS)
    bad = rows.assign(kind=["reference_call", "referral", "blog"], occurred_on=["2026-01-10", "1/2/2026",
                                                                               "2026-02-20"])
    with pytest.raises(TenureError) as error:
        import_records(session=session, rows=bad, known_accounts=known, today=TODAY, actor="x", source="refs.csv")
    assert str(error.value).splitlines() == [
        "2 problem(s), nothing imported:",
        "refs.csv, row 3, column occurred_on, value '1/2/2026': not an ISO date (YYYY-MM-DD)",
        "refs.csv, row 4, column kind: kind 'blog' is not an advocacy kind; use one of reference_call, referral, "
        "case_study, review"]
    with pytest.raises(TenureError, match="column referred_account_id, value 'Z9': unknown account"):
        import_records(session=session, rows=rows.assign(referred_account_id=["", "Z9", ""]), known_accounts=known,
                       today=TODAY, actor="x", source="refs.csv")
    with pytest.raises(TenureError, match="column contact_id, value 'K2': not a contact of account 'B1'"):
        import_records(session=session, rows=rows.assign(contact_id=["K2", "", ""]), known_accounts=known,
                       today=TODAY, actor="x", source="refs.csv", contacts={"K1": "B1", "K2": "B4"})
    with pytest.raises(TenureError, match="missing column"):
        import_records(session=session, rows=rows.drop(columns="kind"), known_accounts=known, today=TODAY, actor="x",
                       source="refs.csv")
    assert session.scalars(select(AdvocacyRecord)).all() == []
    assert import_records(session=session, rows=rows, known_accounts=known, today=TODAY, actor="x",
                          source="refs.csv") == (3, 0)
    assert import_records(session=session, rows=rows, known_accounts=known, today=TODAY, actor="x",
                          source="refs.csv") == (0, 3)


def test_referral_sourced_arr(ws, session):
    import_records(session=session, rows=pd.DataFrame({
        "account_id": ["B4", "B2"], "kind": ["referral", "referral"], "occurred_on": ["2026-02-01", "2026-02-02"],
        "referred_account_id": ["B9", "Z1"]}), known_accounts={*ACCOUNTS, "Z1"}, today=TODAY, actor="x", source="f")
    sourced = referral_sourced(ws, as_of=AS_OF, records=get_all(session=session))
    assert sourced[["account_id", "referred_account_id", "referred_arr"]].values.tolist() == [
        ["B4", "B9", 10_800.0], ["B2", "Z1", 0.0]]  # Z1 is not paying
    assert referrals(get_all(session=session).iloc[:0], sourced[["referred_account_id"]].rename(
        columns={"referred_account_id": "account_id"}).assign(arr=1.0)).empty


def test_open_escalations_at_a_date(session):
    session.add_all([
        Escalation(account_id="B5", severity="high", summary="s", opened_at=dt.datetime(2026, 3, 1)),
        Escalation(account_id="B1", severity="low", summary="s", opened_at=dt.datetime(2026, 3, 1),
                   resolved_at=dt.datetime(2026, 3, 15)),
        Escalation(account_id="B9", severity="low", summary="s", opened_at=dt.datetime(2026, 4, 5)),
        Escalation(account_id="B2", severity="low", summary="s", opened_at=dt.datetime(2026, 3, 1),
                   resolved_at=dt.datetime(2026, 4, 1, 0, 0))])
    session.flush()
    assert open_escalations(session=session, as_of=AS_OF) == {"B5", "B2"}


@pytest.mark.slow
def test_cli_advocacy_end_to_end(ws, tmp_path):
    root = ws.root
    ws.close()
    run = lambda *args: tenure("-w", root, "desk", *args, cwd=tmp_path)  # noqa: E731
    first = run("advocacy", "add", "B1", "--kind", "reference-call", "--date", "2026-03-31", "--outcome", "held",
                "--as", "cs@example.com")
    assert first.returncode == 0 and "Recorded advocacy #1: reference_call of B1 on 2026-03-31." in first.stdout
    assert_error(run("advocacy", "add", "B1", "--kind", "review", "--date", "2026-05-01"), 1,
                 "B1 should not be asked for advocacy on 2026-05-01", "desk.advocate_min_days_between_asks is 90",
                 "The next ask is allowed on 2026-06-29", "--force")
    forced = run("advocacy", "add", "B1", "--kind", "review", "--date", "2026-05-01", "--force")
    assert forced.returncode == 0 and "Recorded with --force although the guard refused it" in forced.stdout
    assert_error(run("advocacy", "add", "NOPE", "--kind", "review", "--date", "2026-05-01"), 3,
                 "no account with account_id 'NOPE'")
    assert_error(run("advocacy", "add", "B4", "--kind", "referral", "--date", "2026-05-01", "--referred", "Q"), 3,
                 "no account with account_id 'Q'")
    assert_error(run("advocacy", "add", "B4", "--kind", "review", "--date", "2026-05-01", "--contact", "K9"), 3,
                 "no contacts are loaded")
    file = tmp_path / "refs.csv"
    file.write_text("account_id,kind,occurred_on,referred_account_id\nB4,referral,2026-02-01,B9\n", encoding="utf-8")
    assert "Imported 1 advocacy record(s)" in run("advocacy", "import", file).stdout
    listed = strict_json(run("advocacy", "list", "--as-of", "2026-03-31", "--format", "json").stdout)
    assert [(r["account_id"], r["broke_guard"], r["referred_arr"]) for r in listed] == [
        ("B4", False, 10_800.0), ("B1", False, None), ("B1", True, None)]
    advocates = run("advocates", "--as-of", "2026-03-31", "--format", "json")
    assert advocates.returncode == 0, str(advocates)
    # B1 was asked on the date itself: no longer a candidate; this store has no escalation and no ask of B7
    assert [r["account_id"] for r in strict_json(advocates.stdout)] == ["B9", "B5", "B7"]
    assert_error(run("advocacy", "import", tmp_path / "missing.csv"), 3, "no such file")


@pytest.mark.slow
def test_demo_references_are_plausible(tmp_path):
    """`tenure demo generate --references`: promoters' contacts asked after their answer, never against the default
    guard; a referral names an account that started paying one to five months later; the same seed, the same file."""
    from tenure.demo.references import COLUMNS, write_references
    from tenure.workflow.models import ADVOCACY_KINDS

    company, refs = tmp_path / "company", tmp_path / "refs.csv"
    result = tenure("demo", "generate", "--out", company, "--accounts", 150, "--months", 24, "--end", "2026-06-30",
                    "--file-format", "csv", "--references", refs, cwd=tmp_path)
    assert result.returncode == 0 and "advocacy records to" in result.stdout, str(result)
    rows = pd.read_csv(refs, dtype=str, keep_default_na=False)
    assert list(rows.columns) == COLUMNS and len(rows) >= 10
    assert set(rows["kind"]) <= set(ADVOCACY_KINDS) and set(rows["kind"]) >= {"reference_call", "review"}
    rows["occurred_on"] = pd.to_datetime(rows["occurred_on"]).dt.date
    assert rows["occurred_on"].max() <= dt.date(2026, 6, 30)
    assert not broke_guard(rows.assign(id=range(len(rows))), min_days=90, max_per_year=4).any()
    surveys = pd.read_csv(company / "surveys.csv", dtype=str, keep_default_na=False)
    surveys["day"] = pd.to_datetime(surveys["submitted_at"], utc=True, format="ISO8601").dt.date
    promoters = surveys[(surveys["type"] == "nps") & (surveys["score"].astype(float) >= 9)]
    for row in rows.to_dict("records"):  # the advocate answered 9 or 10 a week to six weeks before the ask
        mine = (promoters["account_id"] == row["account_id"]) & (promoters["contact_id"] == row["contact_id"])
        said = promoters[mine]
        gaps = [(row["occurred_on"] - d).days for d in said["day"]]
        assert any(7 <= g < 45 for g in gaps), row
    lines = pd.read_csv(company / "subscriptions.csv", dtype=str, keep_default_na=False)
    first_paid = pd.to_datetime(lines[lines["mrr"].astype(float) > 0].groupby("account_id")["start_date"].min()).dt.date
    for row in rows[rows["kind"] == "referral"].to_dict("records"):
        assert 30 <= (first_paid[row["referred_account_id"]] - row["occurred_on"]).days <= 150
    again = tmp_path / "again.csv"
    write_references(company, again, seed=7)
    assert again.read_text(encoding="utf-8") == refs.read_text(encoding="utf-8")
