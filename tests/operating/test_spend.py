"""Return on CS spend against hand-computed arithmetic.

The company at 2026-03-31 (costs a year: csm 100,000, tam 150,000, manager 200,000; programme 30,000):

    team: C1 csm, C2 csm (no accounts), C3 csm (left 2026-01-31), C4 csm (hired 2026-05-01),
          T1 tam, M1 manager, E1 ae and X1 executive (no cost: not CS spend)
    on staff: C1, C2, T1, M1 → team cost 550,000; CS cost 580,000; 2 CSMs

    account  segment     motion (hours)   ARR      owner   CSM cost          shared (ARR share of 450,000)  programme
    A1       Enterprise  high (6)         120,000  C1      100,000 × 6/9     0.60 → 270,000                 —
    A2       Mid-Market  low (2)           60,000  C1      100,000 × 2/9     0.30 → 135,000                 —
    A3       SMB         digital (1)       12,000  C1      100,000 × 1/9     0.06 →  27,000                 10,000
    A4       SMB         digital (1)        6,000  C3      — (left)          0.03 →  13,500                 10,000
    A5       SMB         digital (1)        2,000  —       —                 0.01 →   4,500                 10,000

Shared cost = T1 + M1 (350,000) + C2's cost, which no account's effort carries (100,000) = 450,000.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pytest

from cli.helpers import assert_error, strict_json, tenure
from operating.test_ownership import generated_company, workspace  # noqa: F401 (a fixture)
from tenure.errors import NotFound
from tenure.operating.config import Costs
from tenure.operating.spend import cost_by, cost_to_serve, spend_summary, staff_costs
from tenure.views.spend import spend_at
from tenure.workspace import Workspace

AS_OF = dt.date(2026, 3, 31)
COSTS = Costs(roles={"csm": 100_000, "tam": 150_000, "manager": 200_000}, programme_per_year=30_000)
TEAM = [
    {"person_id": "C1", "name": "Cleo", "role": "csm", "hired_at": "2024-01-01"},
    {"person_id": "C2", "name": "Cato", "role": "csm", "hired_at": "2025-06-01"},
    {"person_id": "C3", "name": "Cyra", "role": "csm", "hired_at": "2024-01-01", "left_at": "2026-01-31"},
    {"person_id": "C4", "name": "Cole", "role": "csm", "hired_at": "2026-05-01"},
    {"person_id": "T1", "name": "Tess", "role": "tam"},
    {"person_id": "M1", "name": "Mila", "role": "manager"},
    {"person_id": "E1", "name": "Eli", "role": "ae"},
    {"person_id": "X1", "name": "Xena", "role": "executive"},
]
BOOK = {  # account: segment, motion, effort hours, dedicated, ARR, owner
    "A1": ("Enterprise", "high", 6.0, True, 120_000.0, "C1"),
    "A2": ("Mid-Market", "low", 2.0, True, 60_000.0, "C1"),
    "A3": ("SMB", "digital", 1.0, False, 12_000.0, "C1"),
    "A4": ("SMB", "digital", 1.0, False, 6_000.0, "C3"),
    "A5": ("SMB", "digital", 1.0, False, 2_000.0, None),
}
EXPECTED = {  # account: csm cost, shared cost, programme cost
    "A1": (100_000 * 6 / 9, 270_000, 0), "A2": (100_000 * 2 / 9, 135_000, 0), "A3": (100_000 / 9, 27_000, 10_000),
    "A4": (0, 13_500, 10_000), "A5": (0, 4_500, 10_000),
}
ENGAGEMENT = {
    "motions": {"high": {"cadence_days": 14, "hours_per_month": 6}, "low": {"cadence_days": 45, "hours_per_month": 2},
                "digital": {"cadence_days": 90, "hours_per_month": 1, "dedicated": False}},
    "matrix": {"Enterprise": {"*": "high"}, "Mid-Market": {"*": "low"}, "*": {"*": "digital"}},
}


def run(expr):
    return ibis.duckdb.connect().execute(expr)


def book_table(book: dict = BOOK):
    rows = [{"account_id": a, "segment": s, "motion": m, "effort_hours": h, "dedicated": d, "arr": arr, "owner": o}
            for a, (s, m, h, d, arr, o) in book.items()]
    return ibis.memtable(rows, schema={"account_id": "string", "segment": "string", "motion": "string",
                                       "effort_hours": "float64", "dedicated": "boolean", "arr": "float64",
                                       "owner": "string"})


def team_table():
    columns = ("person_id", "name", "role", "hired_at", "left_at")
    return ibis.memtable({c: [p.get(c) for p in TEAM] for c in columns},
                         schema={"person_id": "string", "name": "string", "role": "string", "hired_at": "date",
                                 "left_at": "date"})


def test_staff_on_the_date_with_the_cost_of_their_role():
    staff = run(staff_costs(team_table(), COSTS, as_of=AS_OF).order_by("person_id"))
    assert staff[["person_id", "cost"]].values.tolist() == [["C1", 100_000], ["C2", 100_000], ["M1", 200_000],
                                                           ["T1", 150_000]]
    later = run(staff_costs(team_table(), COSTS, as_of=dt.date(2026, 5, 1)))
    assert sorted(later.person_id) == ["C1", "C2", "C4", "M1", "T1"]  # C4 starts on 1 May
    assert run(staff_costs(team_table(), Costs(roles={}), as_of=AS_OF)).empty


def test_each_accounts_cost_to_serve_by_hand():
    staff = staff_costs(team_table(), COSTS, as_of=AS_OF)
    accounts = run(cost_to_serve(book_table(), staff, COSTS)).set_index("account_id").sort_index()
    for account, (csm, shared, programme) in EXPECTED.items():
        row = accounts.loc[account]
        assert (row.csm_cost, row.shared_cost, row.programme_cost) == pytest.approx((csm, shared, programme)), account
        assert row.cost == pytest.approx(csm + shared + programme)
    assert accounts.cost.sum() == pytest.approx(580_000)  # every cost lands on an account


def test_cost_per_segment_and_motion_by_hand():
    staff = staff_costs(team_table(), COSTS, as_of=AS_OF)
    accounts = cost_to_serve(book_table(), staff, COSTS)
    segments = run(cost_by(accounts, "segment")).set_index("segment")
    assert list(segments.index) == ["Enterprise", "Mid-Market", "SMB"]  # largest ARR first
    smb = segments.loc["SMB"]
    assert (smb.accounts, smb.arr) == (3, 20_000)
    assert (smb.csm_cost, smb.shared_cost, smb.programme_cost) == pytest.approx((100_000 / 9, 45_000, 30_000))
    assert smb.cost == pytest.approx(86_111.111, abs=0.01)
    assert smb.cost_per_account == pytest.approx(86_111.111 / 3, abs=0.01)
    assert smb.cost_to_arr == pytest.approx(86_111.111 / 20_000)
    assert segments.loc["Enterprise", "cost"] == pytest.approx(336_666.667, abs=0.01)
    motions = run(cost_by(accounts, "motion")).set_index("motion")
    assert motions.loc["low", "cost"] == pytest.approx(157_222.222, abs=0.01)
    assert motions.loc["digital", "programme_cost"] == pytest.approx(30_000)


def test_the_summary_ratios_by_hand():
    staff = staff_costs(team_table(), COSTS, as_of=AS_OF)
    summary = run(spend_summary(cost_to_serve(book_table(), staff, COSTS), staff, COSTS)).iloc[0]
    assert (summary.cost, summary.team_cost, summary.programme_cost) == (580_000, 550_000, 30_000)
    assert (summary.arr, summary.accounts, summary.csms) == (200_000, 5, 2)
    assert summary.cost_to_arr == pytest.approx(2.9)
    assert (summary.arr_per_csm, summary.accounts_per_csm, summary.cost_per_account) == (100_000, 2.5, 116_000)


def test_without_digital_accounts_the_programme_is_shared_by_arr():
    dedicated = {a: (*row[:3], True, *row[4:]) for a, row in BOOK.items()}
    staff = staff_costs(team_table(), COSTS, as_of=AS_OF)
    accounts = run(cost_to_serve(book_table(dedicated), staff, COSTS)).set_index("account_id")
    assert accounts.programme_cost.to_dict() == pytest.approx(
        {"A1": 18_000, "A2": 9_000, "A3": 1_800, "A4": 900, "A5": 300})


def test_a_csm_cost_goes_by_effort_not_by_account_count():
    book = dict(BOOK)
    book["A2"] = ("Mid-Market", "low", 0.0, True, 60_000.0, "C1")  # no effort: no share of C1
    staff = staff_costs(team_table(), COSTS, as_of=AS_OF)
    accounts = run(cost_to_serve(book_table(book), staff, COSTS)).set_index("account_id")
    assert accounts.csm_cost.to_dict() == pytest.approx(
        {"A1": 100_000 * 6 / 7, "A2": 0, "A3": 100_000 / 7, "A4": 0, "A5": 0})


def test_an_empty_team_costs_only_the_programme():
    nobody = team_table().filter(ibis.literal(False))
    staff = staff_costs(nobody, COSTS, as_of=AS_OF)
    summary = run(spend_summary(cost_to_serve(book_table(), staff, COSTS), staff, COSTS)).iloc[0]
    assert (summary.cost, summary.team_cost, summary.csms) == (30_000, 0, 0)
    assert summary.arr_per_csm != summary.arr_per_csm  # no CSM: empty, not a division by zero


TABLES = {
    "accounts": [{"account_id": a, "name": f"Account {a}", "created_at": "2024-06-01", "segment": seg,
                  "owner_csm_id": owner} for a, (seg, _, _, _, _, owner) in BOOK.items()],
    "subscriptions": [{"subscription_id": f"S-{a}", "account_id": a, "product": "core", "start_date": "2025-07-01",
                       "mrr": arr / 12, "currency": "USD"} for a, (_, _, _, _, arr, _) in BOOK.items()],
    "team": TEAM,
}
CONFIG = {"engagement": ENGAGEMENT, "costs": {"roles": dict(COSTS.roles), "programme_per_year": 30_000}}


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The hand-made company loaded into a workspace (closed: commands open it themselves)."""
    root = tmp_path_factory.mktemp("spend")
    workspace(root, TABLES, CONFIG).close()
    return root / "ws"


@pytest.mark.slow
def test_the_spend_view_of_a_workspace(company):
    ws = Workspace.open(company)
    try:
        view = spend_at(ws, as_of=AS_OF)
    finally:
        ws.close()
    assert (view.summary["cost"], view.summary["csms"], view.summary["accounts"]) == (580_000, 2, 5)
    assert view.summary["arr"] == pytest.approx(200_000)
    assert view.roles[["role", "people", "cost"]].values.tolist() == [["csm", 2, 200_000], ["manager", 1, 200_000],
                                                                     ["tam", 1, 150_000]]
    assert view.uncosted_roles == ["ae", "executive"]
    segments = view.segments.set_index("segment")
    assert segments.loc["SMB", "cost"] == pytest.approx(86_111.111, abs=0.01)
    assert view.motions.set_index("motion").loc["high", "csm_cost"] == pytest.approx(100_000 * 6 / 9)


def test_spend_needs_a_team_table(tmp_path):
    ws = workspace(tmp_path, {k: v for k, v in TABLES.items() if k != "team"})
    try:
        with pytest.raises(NotFound, match="needs the team table"):
            spend_at(ws, as_of=AS_OF)
    finally:
        ws.close()


@pytest.mark.slow
def test_the_spend_command(company):
    run_cli = lambda *args: tenure("-w", company, "spend", "--as-of", AS_OF.isoformat(), *args, cwd=company)  # noqa: E731
    done = run_cli("--by", "motion", "--format", "json")
    assert done.returncode == 0, str(done)
    payload = strict_json(done.stdout)
    assert (payload["cost"], payload["csms"], payload["by"]) == (580_000, 2, "motion")
    assert payload["cost_to_arr"] == pytest.approx(2.9)
    assert payload["uncosted_roles"] == ["ae", "executive"]
    breakdown = {r["motion"]: r for r in payload["breakdown"]}
    assert breakdown["digital"]["cost"] == pytest.approx(86_111.111, abs=0.01)
    assert sum(r["cost"] for r in payload["breakdown"]) == pytest.approx(580_000)
    table = run_cli()
    assert table.returncode == 0, str(table)
    assert "CS cost 580,000 a year" in table.stdout and "290.0% of ARR" in table.stdout
    assert "Cost to serve per segment" in table.stdout
    csv = run_cli("--format", "csv").stdout.splitlines()
    assert csv[0] == "segment,accounts,arr,csm_cost,shared_cost,programme_cost,cost,cost_per_account,cost_to_arr"
    assert_error(run_cli("--by", "region"), 2, "region")


@pytest.mark.slow
def test_spend_on_a_generated_company(generated_company):  # noqa: F811
    root = generated_company
    done = tenure("-w", root, "spend", "--as-of", "2025-12-31", "--format", "json", cwd=root)
    assert done.returncode == 0, str(done)
    payload = strict_json(done.stdout)
    ws = Workspace.open(root)
    try:
        team = ws.warehouse.execute(ws.warehouse.table("team"))
    finally:
        ws.close()
    day = dt.date(2025, 12, 31)
    on_staff = team[(team.hired_at.isna() | (team.hired_at.dt.date <= day))
                    & (team.left_at.isna() | (team.left_at.dt.date > day))]
    costs = Costs().roles
    assert payload["csms"] == int((on_staff.role == "csm").sum())
    assert payload["team_cost"] == pytest.approx(sum(costs.get(r, 0) for r in on_staff.role))
    assert sum(r["cost"] for r in payload["breakdown"]) == pytest.approx(payload["cost"])
    assert sum(r["accounts"] for r in payload["breakdown"]) == payload["accounts"]
    assert payload["cost_to_arr"] == pytest.approx(payload["cost"] / payload["arr"])
