"""Book results and the target cascade on a hand-made company with hand-computed answers.

The company (period 2025Q3: July–September 2025; books as held at the end of 2025-06-30):

| account | segment    | owner at start     | ARR 30 Jun | ARR 30 Sep | in Q3                                     |
| ------- | ---------- | ------------------ | ---------- | ---------- | ----------------------------------------- |
| A1      | Enterprise | C1                 | 12,000     | 18,000     | renews 1 Aug; +6,000 line from 15 Aug     |
| A2      | Enterprise | C1                 | 24,000     | 0          | renewal 10 Sep not signed: churns         |
| A3      | SMB        | C2                 | 6,000      | 3,600      | renews 1 Aug at 3,600 (contraction 2,400) |
| A4      | SMB        | C2 (to C1 1 Aug)   | 3,000      | 3,000      | monthly contract, flat                    |
| A5      | Mid-Market | C1 (from C2 1 Jun) | 18,000     | 18,000     | renews in November: not due               |
| A6      | SMB        | (C1, not paying)   | 0          | 9,600      | new on 15 Jul: in nobody's book           |
| A7      | SMB        | C3                 | 1,200      | 0          | monthly contract ends 20 Aug: churns      |

C1 and C2 report to manager M1, C3 to M2. A4's move on 1 Aug is after the period start, so A4
stays in C2's book; A5's move on 1 Jun was before it, so A5 is in C1's book.

Books (start → retained (capped) / end):
  C1 = A1 + A2 + A5: 54,000 → 12,000 + 0 + 18,000 = 30,000 / 18,000 + 0 + 18,000 = 36,000
       GRR 30/54 = 0.5556, NRR 36/54 = 0.6667, logos 2 of 3, expansion 6,000, churned 24,000,
       renewals due A1, A2; renewed A1.
  C2 = A3 + A4: 9,000 → 6,600 / 6,600: GRR = NRR = 0.7333, logos 2 of 2, contraction 2,400,
       renewal due A3, renewed.
  C3 = A7: 1,200 → 0 / 0: GRR = NRR = logos = 0, churned 1,200 (a monthly contract: no renewal due).
  Company: 64,200 → 36,600 / 42,600: GRR 0.570093, NRR 0.663551, logos 4 of 6, expansion 6,000.

Targets (tenure.yaml): company grr 0.90, nrr 1.10, expansion 0.20; Enterprise grr 0.95 nrr 1.20;
SMB grr 0.80 expansion 0.10.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import ibis
import pytest
import yaml
from pytest import approx

from tenure.errors import TenureError
from tenure.operating.book_results import book_results, period_accounts
from tenure.operating.periods import parse_period, period_containing
from tenure.operating.targets import period_target, segment_target
from tenure.workspace import Workspace

Q3 = parse_period("2025Q3")
QUARTER = 3 / 12
TARGETS = {"grr": 0.90, "nrr": 1.10, "expansion": 0.20,
           "segments": {"Enterprise": {"grr": 0.95, "nrr": 1.20}, "SMB": {"grr": 0.80, "expansion": 0.10}}}
ACCOUNTS = [
    ("A1", "Enterprise", "C1"), ("A2", "Enterprise", "C1"), ("A3", "SMB", "C2"), ("A4", "SMB", "C2"),
    ("A5", "Mid-Market", "C2"), ("A6", "SMB", "C1"), ("A7", "SMB", "C3"),
]
LINES = [  # subscription_id, account_id, start, end, mrr, billing_period, term_months
    ("S1", "A1", "2024-08-01", "", 1000, "year", 12),
    ("S1b", "A1", "2025-08-15", "", 500, "year", 12),
    ("S2", "A2", "2024-09-10", "2025-09-10", 2000, "year", 12),
    ("S3", "A3", "2025-01-01", "2025-08-01", 500, "year", 12),
    ("S3b", "A3", "2025-08-01", "", 300, "year", 12),
    ("S4", "A4", "2025-02-01", "", 250, "month", 1),
    ("S5", "A5", "2023-11-01", "", 1500, "year", 12),
    ("S6", "A6", "2025-07-15", "", 800, "year", 12),
    ("S7", "A7", "2025-03-01", "2025-08-20", 100, "month", 1),
]
TEAM = [  # person_id, name, role, manager_id, hired_at, left_at
    ("M1", "Maya Manager", "manager", "", "2020-01-01", ""),
    ("M2", "Otto Manager", "manager", "", "2020-01-01", ""),
    ("C1", "Cara One", "csm", "M1", "2021-01-01", ""),
    ("C2", "Cole Two", "csm", "M1", "2021-01-01", ""),
    ("C3", "Cleo Three", "csm", "M2", "2021-01-01", ""),
    ("C4", "Cy Four", "csm", "M2", "2025-07-01", ""),  # on the team in Q3 but no book at its start
    ("C5", "Cas Five", "csm", "M2", "2021-01-01", "2025-05-01"),  # gone before Q3
]
MOVES = [("A5", "C1", dt.datetime(2025, 6, 1, 9)), ("A4", "C1", dt.datetime(2025, 8, 1, 9))]


def _write(path: Path, header: tuple[str, ...], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def build_company(root: Path, *, config: dict | None = None) -> Workspace:
    """The hand-made company above, loaded into a workspace in `root` with the two moves in its workflow store."""
    from tenure.contract.load import load
    from tenure.workflow.plans import reassign
    from tenure.workflow.store import WorkflowStore

    data = root / "data"
    data.mkdir(parents=True)
    _write(data / "accounts.csv", ("account_id", "name", "created_at", "segment", "owner_csm_id"),
           [(a, f"Account {a}", "2020-01-01", segment, owner) for a, segment, owner in ACCOUNTS])
    _write(data / "subscriptions.csv", ("subscription_id", "account_id", "product", "start_date", "end_date", "mrr",
                                        "currency", "billing_period", "term_months"),
           [(s, a, "platform", start, end, mrr, "USD", period, term) for s, a, start, end, mrr, period, term in LINES])
    _write(data / "team.csv", ("person_id", "name", "role", "manager_id", "hired_at", "left_at"), TEAM)
    folder = root / "workspace"
    folder.mkdir()
    (folder / "tenure.yaml").write_text(yaml.safe_dump({"targets": TARGETS, **(config or {})}), encoding="utf-8")
    ws = Workspace.open(folder)
    load([data], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.warehouse.forget()
    store = WorkflowStore.of(ws)
    store.upgrade()
    with store.session("manager@example.com") as session:
        for account, owner, when in MOVES:
            reassign(session, account, owner, reason="test move", actor="manager@example.com").assigned_at = when
    store.dispose()
    return ws


def owners_before(ws: Workspace, start: dt.date) -> dict[str, str]:
    from tenure.workflow.plans import owner_overrides
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(ws)
    with store.session() as session:
        found = owner_overrides(session, before=dt.datetime.combine(start, dt.time()))
    store.dispose()
    return found


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return build_company(tmp_path_factory.mktemp("targets-company"))


def by_book(rows, level: str) -> dict[str, dict]:
    part = rows[rows["level"] == level]
    return {row["book"]: row for row in part.to_dict(orient="records")}


# --- periods -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "start", "end", "months", "label"), [
    ("2026Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), 3, "2026Q3"),
    ("2026q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31), 3, "2026Q1"),
    ("2026-07", dt.date(2026, 7, 1), dt.date(2026, 7, 31), 1, "2026-07"),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 1, "2024-02"),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 12, "2026"),
])
def test_a_period_label_is_its_first_and_last_day(text, start, end, months, label):
    period = parse_period(text)
    assert (period.start, period.end, period.months, period.label) == (start, end, months, label)
    assert period.book_date == start - dt.timedelta(days=1)


def test_fiscal_periods_are_named_by_the_year_they_end_in():
    # a February start: FY2027 runs February 2026 – January 2027, its Q1 February – April 2026
    q1 = parse_period("FY2027Q1", fiscal_year_start_month=2)
    assert (q1.start, q1.end, q1.label) == (dt.date(2026, 2, 1), dt.date(2026, 4, 30), "FY2027Q1")
    year = parse_period("FY2027", fiscal_year_start_month=2)
    assert (year.start, year.end, year.months) == (dt.date(2026, 2, 1), dt.date(2027, 1, 31), 12)
    assert period_containing(dt.date(2026, 3, 15), fiscal_year_start_month=2) == q1
    with pytest.raises(TenureError, match="fiscal year starts in February"):
        parse_period("2026Q3", fiscal_year_start_month=2)


@pytest.mark.parametrize("text", ["2026Q5", "2026-13", "Q3 2026", "26Q3", "", "2026-7", "next quarter"])
def test_a_bad_period_is_refused_with_the_forms_it_takes(text):
    with pytest.raises(TenureError, match=r"--period .*2026Q3 \(a quarter\), 2026-07 \(a month\) or 2026 \(a year\)"):
        parse_period(text)


def test_the_default_period_is_the_quarter_of_the_day():
    assert period_containing(dt.date(2025, 8, 10)) == Q3


# --- book results (the engine, on tables in memory) ----------------------------------------------

def _memory_lines() -> ibis.Table:
    rows = [{"subscription_id": s, "account_id": a, "start_date": dt.date.fromisoformat(start),
             "end_date": dt.date.fromisoformat(end) if end else None, "mrr": float(mrr), "billing_period": period,
             "term_months": term, "renewal_date": None} for s, a, start, end, mrr, period, term in LINES]
    schema = {"subscription_id": "string", "account_id": "string", "start_date": "date", "end_date": "date",
              "mrr": "float64", "billing_period": "string", "term_months": "int64", "renewal_date": "date"}
    return ibis.memtable(rows, schema=schema)


def _memory_book() -> ibis.Table:
    # the book at 2025-06-30 as book_at gives it, with A5 already moved to C1 (and A4 not yet)
    return ibis.memtable({"account_id": ["A1", "A2", "A3", "A4", "A5", "A7"],
                          "arr": [12000.0, 24000.0, 6000.0, 3000.0, 18000.0, 1200.0],
                          "owner": ["C1", "C1", "C2", "C2", "C1", "C3"],
                          "segment": ["Enterprise", "Enterprise", "SMB", "SMB", "Mid-Market", "SMB"]})


def test_each_account_of_the_book_has_its_start_end_and_renewal():
    accounts = ibis.duckdb.connect().execute(period_accounts(_memory_book(), _memory_lines(), period=Q3))
    rows = accounts.set_index("account_id")
    assert rows["arr_end"].to_dict() == {"A1": 18000, "A2": 0, "A3": 3600, "A4": 3000, "A5": 18000, "A7": 0}
    assert rows.loc["A1", "expansion_arr"] == 6000 and rows.loc["A3", "contraction_arr"] == 2400
    assert rows.loc["A2", "churned_arr"] == 24000 and rows.loc["A7", "churned_arr"] == 1200
    assert [str(rows.loc[a, "renewal_date"])[:10] for a in ("A1", "A2", "A3", "A5")] == [
        "2025-08-01", "2025-09-10", "2025-08-01", "2025-11-01"]
    # due: a non-monthly renewal inside the quarter; A5 renews 2025-11-01, A4 and A7 are monthly
    assert sorted(rows.index[rows["renewal_due"]]) == ["A1", "A2", "A3"]
    assert sorted(rows.index[rows["renewed"]]) == ["A1", "A3"]  # A2's ARR on 10 Sep is 0
    assert "A6" not in rows.index  # new in the quarter: in no book


def test_book_grr_nrr_logo_retention_and_expansion_per_owner():
    accounts = period_accounts(_memory_book(), _memory_lines(), period=Q3)
    con = ibis.duckdb.connect()
    owners = con.execute(book_results(accounts, by=["owner"])).set_index("owner")
    c1, c2, c3 = owners.loc["C1"], owners.loc["C2"], owners.loc["C3"]
    # C1: 54,000 → capped 30,000, uncapped 36,000
    assert (c1.arr_start, c1.arr_retained, c1.arr_end) == (54000, 30000, 36000)
    assert c1.grr == approx(30000 / 54000) and c1.nrr == approx(36000 / 54000)
    assert c1.logo_retention == approx(2 / 3) and c1.expansion_arr == 6000 and c1.churned_arr == 24000
    assert c1.expansion_rate == approx(6000 / 54000)
    assert (c1.renewals_due, c1.renewals_closed, c1.renewals_renewed, c1.renewal_rate) == (2, 2, 1, 0.5)
    assert c1.renewal_arr_due == 36000  # A1 12,000 + A2 24,000 at the start
    # C2: 9,000 → 6,600 both ways (A3 contracted by 2,400, A4 flat)
    assert (c2.arr_start, c2.arr_retained, c2.arr_end, c2.contraction_arr) == (9000, 6600, 6600, 2400)
    assert c2.grr == approx(6600 / 9000) and c2.nrr == approx(6600 / 9000) and c2.logo_retention == 1
    assert (c3.grr, c3.nrr, c3.logo_retention, c3.churned_arr, c3.renewals_due) == (0, 0, 0, 1200, 0)
    # every book foots: start = retained + contraction + churned; end = retained + expansion
    for row in owners.itertuples():
        assert row.arr_start == approx(row.arr_retained + row.contraction_arr + row.churned_arr)
        assert row.arr_end == approx(row.arr_retained + row.expansion_arr)
    company = con.execute(book_results(accounts)).iloc[0]
    assert (company.arr_start, company.arr_retained, company.arr_end) == (64200, 36600, 42600)
    assert company.grr == approx(36600 / 64200) and company.nrr == approx(42600 / 64200)
    assert company.logo_retention == approx(4 / 6) and company.expansion_arr == 6000


def test_a_running_period_is_measured_to_the_as_of_date():
    # on 10 Aug: A1's extra line (15 Aug) has not started, A2 (10 Sep) and A7 (20 Aug) still pay,
    # A1's and A3's renewals (1 Aug) are closed, A2's is still open
    accounts = period_accounts(_memory_book(), _memory_lines(), period=Q3, as_of=dt.date(2025, 8, 10))
    owners = ibis.duckdb.connect().execute(book_results(accounts, by=["owner"])).set_index("owner")
    c1 = owners.loc["C1"]
    assert (c1.arr_end, c1.grr, c1.nrr, c1.expansion_arr) == (54000, 1, 1, 0)
    assert (c1.renewals_due, c1.renewals_closed, c1.renewals_renewed) == (2, 1, 1)
    assert owners.loc["C3", "logo_retention"] == 1
    with pytest.raises(TenureError, match="starts on 2025-07-01, after the as-of date 2025-06-30"):
        period_accounts(_memory_book(), _memory_lines(), period=Q3, as_of=dt.date(2025, 6, 30))


def test_a_renewal_signed_within_the_grace_days_counts_as_renewed():
    # A2's contract ends 10 Sep; a new line signed 15 Sep is a late renewal with 7 grace days
    late = _memory_lines().union(ibis.memtable(
        [{"subscription_id": "S2b", "account_id": "A2", "start_date": dt.date(2025, 9, 15), "end_date": None,
          "mrr": 2000.0, "billing_period": "year", "term_months": 12, "renewal_date": None}],
        schema=_memory_lines().schema()))
    con = ibis.duckdb.connect()
    strict = con.execute(period_accounts(_memory_book(), late, period=Q3)).set_index("account_id")
    graced = con.execute(period_accounts(_memory_book(), late, period=Q3, grace_days=7)).set_index("account_id")
    assert not strict.loc["A2", "renewed"] and graced.loc["A2", "renewed"]
    assert strict.loc["A2", "arr_end"] == 24000  # paying again at the quarter end either way


# --- the cascade ---------------------------------------------------------------------------------

def test_segment_targets_take_the_override_else_the_company():
    from tenure.config import Targets

    targets = Targets.model_validate(TARGETS)
    assert [segment_target(targets, "Enterprise", m) for m in ("grr", "nrr", "expansion")] == [0.95, 1.20, 0.20]
    assert [segment_target(targets, "SMB", m) for m in ("grr", "nrr", "expansion")] == [0.80, 1.10, 0.10]
    assert [segment_target(targets, "Mid-Market", m) for m in ("grr", "nrr", "expansion")] == [0.90, 1.10, 0.20]


def test_period_targets_compound_retention_and_prorate_expansion():
    # 0.9 a year is 0.9^(1/4) = 0.974004 a quarter and 0.9^(1/12) = 0.991258 a month;
    # NRR 1.10 a year is 1.10^(1/4) = 1.024114 a quarter; expansion 20% a year is 5% a quarter
    assert period_target(0.9, "grr", 3) == approx(0.974004, abs=1e-6)
    assert period_target(0.9, "grr", 1) == approx(0.991258, abs=1e-6)
    assert period_target(1.1, "nrr", 3) == approx(1.024114, abs=1e-6)
    assert period_target(0.2, "expansion", 3) == approx(0.05)
    assert period_target(0.9, "grr", 12) == approx(0.9)


def test_targets_cascade_to_segments_managers_and_csms(company):
    from tenure.views.targets import targets_view

    view = targets_view(company, period=Q3, as_of=dt.date(2025, 12, 31), owners=owners_before(company, Q3.start))
    assert view.complete and view.measured_to == Q3.end
    csms, managers = by_book(view.rows, "csm"), by_book(view.rows, "manager")
    segments, top = by_book(view.rows, "segment"), by_book(view.rows, "company")["company"]

    # C1 holds 36,000 of Enterprise (0.95 / 1.20 / 0.20) and 18,000 of Mid-Market (0.90 / 1.10 / 0.20):
    # yearly GRR target (36,000 × 0.95 + 18,000 × 0.90) ÷ 54,000 = 50,400 ÷ 54,000 = 0.933333,
    # NRR (36,000 × 1.20 + 18,000 × 1.10) ÷ 54,000 = 63,000 ÷ 54,000 = 1.166667, expansion 0.20
    c1 = csms["C1"]
    assert c1["name"] == "Cara One" and c1["accounts_start"] == 3 and c1["arr_start"] == 54000
    assert c1["grr_target"] == approx((50400 / 54000) ** QUARTER)  # 0.982900
    assert c1["nrr_target"] == approx((63000 / 54000) ** QUARTER)  # 1.039289
    assert c1["expansion_target"] == approx(0.20 * QUARTER)  # 0.05
    assert c1["grr"] == approx(30000 / 54000)
    assert c1["grr_gap_pp"] == approx((30000 / 54000 - (50400 / 54000) ** QUARTER) * 100)  # −42.73 points
    assert c1["expansion_gap_pp"] == approx((6000 / 54000 - 0.05) * 100)  # +6.11 points
    # C2: all SMB, so exactly the SMB targets; A4 stays in C2's book although it moved to C1 on 1 Aug
    c2 = csms["C2"]
    assert c2["accounts_start"] == 2 and c2["arr_start"] == 9000
    assert (c2["grr_target"], c2["nrr_target"], c2["expansion_target"]) == (
        approx(0.80 ** QUARTER), approx(1.10 ** QUARTER), approx(0.10 * QUARTER))
    assert set(csms) == {"C1", "C2", "C3"}  # C4 held no account at the start

    # M1's team is C1 + C2: 63,000 → 36,600 / 42,600; its targets weigh all five accounts:
    # GRR (36,000 × 0.95 + 18,000 × 0.90 + 9,000 × 0.80) ÷ 63,000 = 57,600 ÷ 63,000 = 0.914286
    m1 = managers["M1"]
    assert m1["name"] == "Maya Manager" and m1["arr_start"] == 63000
    assert m1["grr"] == approx(36600 / 63000) and m1["nrr"] == approx(42600 / 63000)
    assert m1["grr_target"] == approx((57600 / 63000) ** QUARTER)
    assert managers["M2"]["arr_start"] == 1200

    assert segments["Enterprise"]["grr"] == approx(12000 / 36000) and segments["Enterprise"]["nrr"] == approx(0.5)
    assert segments["Enterprise"]["grr_target"] == approx(0.95 ** QUARTER)
    assert segments["SMB"]["arr_start"] == 10200 and segments["SMB"]["grr"] == approx(6600 / 10200)
    assert segments["Mid-Market"]["grr"] == 1 and segments["Mid-Market"]["nrr_target"] == approx(1.10 ** QUARTER)

    # the company is held to the company's targets, not to the average of its segments
    assert top["grr"] == approx(36600 / 64200) and top["nrr"] == approx(42600 / 64200)
    assert top["grr_target"] == approx(0.90 ** QUARTER) and top["expansion_target"] == approx(0.05)
    assert top["renewals_due"] == 3 and top["renewals_renewed"] == 2


def test_moves_after_the_period_start_do_not_change_books(company):
    from tenure.views.targets import targets_view

    fair = owners_before(company, Q3.start)
    assert fair == {"A5": "C1"}  # A4's move on 1 Aug is not before the start
    every_move = owners_before(company, dt.date(2025, 12, 31))
    gamed = by_book(targets_view(company, period=Q3, owners=every_move, levels=("csm",)).rows, "csm")
    # passing later moves would have handed A4 to C1: the view takes what it is given, the CLI passes `fair`
    assert gamed["C1"]["accounts_start"] == 4 and gamed["C2"]["accounts_start"] == 1


def test_company_retention_is_the_revenue_engines_over_the_same_window(company):
    # the window of GRR and NRR is the quarter: cohort paying at the 30 Jun month-end, ARR at 30 Sep
    from tenure.metrics import revenue
    from tenure.metrics.calendar import index_of
    from tenure.views.revenue import account_mrr
    from tenure.views.targets import targets_view

    view = targets_view(company, period=Q3, levels=("company",))
    ours = view.rows.iloc[0]
    mrr = account_mrr(company, as_of=Q3.end)
    theirs = company.warehouse.execute(revenue.retention(mrr, end_months=[index_of(Q3.end)], window_months=3))
    assert ours["grr"] == approx(theirs["grr"].iloc[0]) and ours["nrr"] == approx(theirs["nrr"].iloc[0])
    assert 1 - ours["logo_retention"] == approx(theirs["logo_churn"].iloc[0])


def test_an_unknown_level_is_refused(company):
    from tenure.views.targets import targets_view

    with pytest.raises(TenureError, match="--by must be one of segment, manager, csm"):
        targets_view(company, period=Q3, levels=("region",))


# --- the command ----------------------------------------------------------------------------------

TENURE = Path(sys.executable).parent / "tenure"


def run(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "160"}
    return subprocess.run([str(TENURE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.slow
def test_tenure_targets_reads_the_moves_from_the_store_and_renders_every_format(tmp_path):
    ws = build_company(tmp_path / "company")
    folder = ws.root
    ws.close()  # the command opens the warehouse itself
    done = run("--workspace", folder, "targets", "--period", "2025Q3", "--by", "csm", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert (payload["period"], payload["start"], payload["end"], payload["complete"]) == (
        "2025Q3", "2025-07-01", "2025-09-30", True)
    books = {row["book"]: row for row in payload["books"]}
    assert set(books) == {"company", "C1", "C2", "C3"}
    assert books["C1"]["accounts_start"] == 3 and books["C2"]["accounts_start"] == 2  # A5 moved in, A4 not out
    assert books["C1"]["grr"] == approx(30000 / 54000) and books["C1"]["grr_target"] == approx((50400 / 54000) ** 0.25)
    table = run("--workspace", folder, "targets", "--period", "2025Q3", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    for text in ("By segment", "By manager's team", "By CSM", "Maya Manager", "Cara One", "55.6%", "98.3%", "-42.7"):
        assert text in table.stdout, text
    rows = list(csv.DictReader(run("--workspace", folder, "targets", "--period", "2025Q3", "--by", "manager",
                                   "--format", "csv", cwd=tmp_path).stdout.splitlines()))
    assert [(r["level"], r["book"]) for r in rows] == [("company", "company"), ("manager", "M1"), ("manager", "M2")]
    bad = run("--workspace", folder, "targets", "--period", "2025Q5", cwd=tmp_path)
    assert bad.returncode == 1 and "--period '2025Q5' is not a period" in bad.stderr and "Traceback" not in bad.stderr
    bad_by = run("--workspace", folder, "targets", "--by", "region", cwd=tmp_path)
    assert bad_by.returncode == 1 and "--by must be one of segment, manager, csm" in bad_by.stderr
