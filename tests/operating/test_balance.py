"""Book balancing: hand-made books with known optima, every constraint, a generated company, and `--apply`.

Unit books give each CSM a monthly capacity of 10 hours, so an account of effort 4 is 40 points
of utilisation. The CLI workspace (TABLES below) is worked out in its docstring.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from cli.helpers import tenure
from tenure.errors import NotFound, TenureError
from tenure.operating.balance import ANY, BOOK_COLUMNS, csms_on_record, propose_moves
from tenure.operating.config import WEEKS_PER_MONTH
from tenure.views.balance import balance_at, record_moves
from tenure.views.book import book_at
from tenure.workflow.models import AuditEntry, OwnerAssignment
from tenure.workflow.plans import owner_overrides
from tenure.workflow.store import WorkflowStore
from workflow.conftest import _empty, postgres_database  # noqa: F401  (the PostgreSQL fixture of the store tests)

from .tables import account, line, person, workspace_with

# ---------------------------------------------------------------------------- hand-made books


def make_book(*rows: tuple) -> pd.DataFrame:
    """Rows of (account_id, segment, owner, effort_hours, arr, days_to_renewal)."""
    frame = pd.DataFrame(rows, columns=["account_id", "segment", "owner", "effort_hours", "arr", "days_to_renewal"])
    frame["name"] = frame["account_id"] + " Inc"
    return frame[list(BOOK_COLUMNS)]


def make_csms(*rows: tuple) -> pd.DataFrame:
    """Rows of (person_id, segment) or (person_id, segment, monthly capacity); capacity 10 hours a month."""
    rows = [(r + (10.0,))[:3] for r in rows]
    frame = pd.DataFrame(rows, columns=["person_id", "segment", "monthly_capacity"])
    frame["name"] = "CSM " + frame["person_id"]
    frame["capacity_hours"] = frame["monthly_capacity"] / WEEKS_PER_MONTH
    return frame


def by(frame: pd.DataFrame, key: str) -> dict:
    return {r[key]: r for r in frame.to_dict("records")}


def test_one_move_of_four_hours_evens_ten_and_two():
    # A carries 10 of 10 hours (100%), B 2 (20%): one 4-hour account from A to B gives 60% each.
    # Of A's two 4-hour accounts, the later renewal (a2, 300 days) goes.
    book = make_book(("a1", "S", "A", 4, 100, 200), ("a2", "S", "A", 4, 200, 300), ("a3", "S", "A", 2, 50, 400),
                     ("b1", "S", "B", 2, 10, 100))
    plan = propose_moves(book, make_csms(("A", "S"), ("B", "S")), max_moves=5, freeze_days=90)
    assert plan.status == "optimal"
    assert plan.moves[["account_id", "from_owner", "to_owner", "effort_hours", "arr"]].values.tolist() == [
        ["a2", "A", "B", 4.0, 200.0]]
    assert plan.moves.loc[0, "reason"] == "A 100% → 60%, B 20% → 60% of capacity (S mean 60%)"
    pool = plan.segments.iloc[0]
    assert pool["segment"] == "S" and pool["csms"] == 2 and pool["moves"] == 1
    assert pool["spread_before"] == pytest.approx(0.8) and pool["spread_after"] == pytest.approx(0.0)
    assert pool["std_before"] == pytest.approx(0.4) and pool["std_after"] == pytest.approx(0.0)
    assert pool["max_before"] == pytest.approx(1.0) and pool["max_after"] == pytest.approx(0.6)
    csms = by(plan.csms, "person_id")
    assert (csms["A"]["accounts_before"], csms["A"]["accounts_after"]) == (3, 2)
    assert csms["B"]["effort_after"] == pytest.approx(6.0) and csms["B"]["utilisation_after"] == pytest.approx(0.6)


def test_of_equally_balanced_books_the_one_with_fewer_moves_wins():
    # A: 4 + 2 + 2 + 2 = 10, B: 2. One 4-hour move or two 2-hour moves both reach 6 and 6.
    book = make_book(("a1", "S", "A", 4, 1, 200), ("a2", "S", "A", 2, 1, 200), ("a3", "S", "A", 2, 1, 200),
                     ("a4", "S", "A", 2, 1, 200), ("b1", "S", "B", 2, 1, 200))
    plan = propose_moves(book, make_csms(("A", "S"), ("B", "S")), max_moves=5, freeze_days=90)
    assert plan.moves["account_id"].tolist() == ["a1"]
    assert plan.spread_after == pytest.approx(0.0)


def test_at_most_max_moves_accounts_move():
    # A owns ten 1-hour accounts (100%), B none: five moves balance them; two moves get to 80% / 20%.
    book = make_book(*[(f"a{i}", "S", "A", 1, 100 + i, 200) for i in range(10)])
    csms = make_csms(("A", "S"), ("B", "S"))
    assert len(propose_moves(book, csms, max_moves=20, freeze_days=90).moves) == 5
    plan = propose_moves(book, csms, max_moves=2, freeze_days=90)
    assert len(plan.moves) == 2 and plan.spread_after == pytest.approx(0.6)
    assert sorted(plan.moves["account_id"]) == ["a0", "a1"]  # same renewal: the smallest ARR first
    none = propose_moves(book, csms, max_moves=0, freeze_days=90)
    assert none.moves.empty and none.spread_after == pytest.approx(1.0) and "max_moves is 0" in none.status


def test_accounts_renewing_within_the_freeze_window_never_move():
    # a1 and a2 (4 hours) renew in 30 and 90 days: frozen at 90 days (≤ 90), so only a3 (2 hours, 91 days) can go.
    book = make_book(("a1", "S", "A", 4, 1, 30), ("a2", "S", "A", 4, 1, 90), ("a3", "S", "A", 2, 1, 91),
                     ("b1", "S", "B", 2, 1, 100))
    csms = make_csms(("A", "S"), ("B", "S"))
    plan = propose_moves(book, csms, max_moves=5, freeze_days=90)
    assert plan.moves["account_id"].tolist() == ["a3"]
    assert plan.spread_after == pytest.approx(0.4)  # 8 and 4 hours
    assert any("2 account(s) renewing within 90 days" in note for note in plan.notes)
    thawed = propose_moves(book, csms, max_moves=5, freeze_days=89)
    assert thawed.moves["account_id"].tolist() == ["a2"] and thawed.spread_after == pytest.approx(0.0)


def test_an_account_only_moves_to_a_csm_of_its_segment():
    # Enterprise: A 4+4+2 = 100%, C 6 = 60%; SMB: B 1 = 10%. B is the least loaded, but only C may take
    # Enterprise accounts: moving a3 (2 hours) gives A and C 80% each.
    book = make_book(("a1", "Enterprise", "A", 4, 1, 200), ("a2", "Enterprise", "A", 4, 1, 200),
                     ("a3", "Enterprise", "A", 2, 1, 200), ("c1", "Enterprise", "C", 6, 1, 200),
                     ("s1", "SMB", "B", 1, 1, 200))
    plan = propose_moves(book, make_csms(("A", "Enterprise"), ("B", "SMB"), ("C", "Enterprise")),
                         max_moves=5, freeze_days=90)
    assert plan.moves[["account_id", "from_owner", "to_owner"]].values.tolist() == [["a3", "A", "C"]]
    pools = by(plan.segments, "segment")
    assert set(pools) == {"Enterprise", "SMB"}
    assert pools["Enterprise"]["spread_before"] == pytest.approx(0.4)
    assert pools["Enterprise"]["spread_after"] == pytest.approx(0.0)
    assert pools["SMB"]["spread_after"] == pytest.approx(0.0) and pools["SMB"]["csms"] == 1


def test_a_csm_with_no_segment_may_take_any_account():
    # G has no segment: it is in both pools (Enterprise: A 100%, C 60%, G 0%; SMB: B 10%, G 0%).
    book = make_book(("a1", "Enterprise", "A", 4, 1, 200), ("a2", "Enterprise", "A", 4, 1, 200),
                     ("a3", "Enterprise", "A", 2, 1, 200), ("c1", "Enterprise", "C", 6, 1, 200),
                     ("s1", "SMB", "B", 1, 1, 200))
    csms = make_csms(("A", "Enterprise"), ("B", "SMB"), ("C", "Enterprise"), ("G", None))
    plan = propose_moves(book, csms, max_moves=5, freeze_days=90)
    assert "G" in set(plan.moves["to_owner"])
    segments = dict(zip(book["account_id"], book["segment"], strict=True))
    for move in plan.moves.to_dict("records"):
        assert move["to_owner"] == "G" or csms.set_index("person_id").at[move["to_owner"], "segment"] == \
            segments[move["account_id"]]
    pools = by(plan.segments, "segment")
    assert pools["Enterprise"]["csms"] == 3 and pools["SMB"]["csms"] == 2
    assert plan.spread_after < plan.spread_before
    # G's utilisation is one figure, whole, in both pools
    g_after = by(plan.csms, "person_id")["G"]["utilisation_after"]
    assert pools["SMB"]["max_after"] >= g_after and pools["Enterprise"]["max_after"] >= g_after


def test_with_no_segments_on_the_team_every_csm_is_in_one_pool():
    book = make_book(("a1", "Enterprise", "A", 6, 1, 200), ("a2", "SMB", "A", 4, 1, 200), ("b1", "SMB", "B", 2, 1, 200))
    plan = propose_moves(book, make_csms(("A", None), ("B", None)), max_moves=5, freeze_days=90)
    assert plan.segments["segment"].tolist() == [ANY]
    assert plan.moves[["account_id", "to_owner"]].values.tolist() == [["a2", "B"]]  # 6 and 6
    assert plan.spread_after == pytest.approx(0.0)


def test_no_move_when_already_balanced():
    even = make_book(("a1", "S", "A", 5, 1, 200), ("b1", "S", "B", 5, 1, 200))
    plan = propose_moves(even, make_csms(("A", "S"), ("B", "S")), max_moves=5, freeze_days=90)
    assert plan.moves.empty and plan.status == "no move: already balanced"
    # 6 against 3 in 3-hour accounts: moving one only swaps who is higher, so nothing moves
    lumpy = make_book(("a1", "S", "A", 3, 1, 200), ("a2", "S", "A", 3, 1, 200), ("b1", "S", "B", 3, 1, 200))
    plan = propose_moves(lumpy, make_csms(("A", "S"), ("B", "S")), max_moves=5, freeze_days=90)
    assert plan.moves.empty and plan.spread_after == pytest.approx(plan.spread_before) == pytest.approx(0.3)
    assert plan.status.startswith("no move: none lowers the spread")


def test_accounts_without_a_csm_on_record_are_reported_not_moved():
    team = pd.DataFrame({
        "person_id": ["A", "B", "L", "M", "N"], "role": ["csm", "csm", "csm", "manager", "csm"],
        "left_at": [pd.NaT, pd.NaT, pd.Timestamp("2025-06-01"), pd.NaT, pd.NaT],
        "hired_at": [pd.NaT, pd.NaT, pd.NaT, pd.NaT, pd.Timestamp("2026-02-01")]})
    book = make_book(("a1", "S", "A", 4, 1, 200), ("x1", "S", "L", 4, 300, 200), ("x2", "S", "M", 4, 200, 200),
                     ("x3", "S", None, 4, 100, 200), ("x4", "S", "Q", 4, 50, 200), ("x5", "S", "N", 4, 20, 200))
    plan = propose_moves(book, make_csms(("A", "S"), ("B", "S")), max_moves=5, freeze_days=90, team=team,
                         as_of=dt.date(2025, 12, 31))
    assert plan.unowned[["account_id", "reason"]].values.tolist() == [
        ["x1", "owner L left on 2025-06-01"], ["x2", "owner M has role manager, not csm"], ["x3", "no owner"],
        ["x4", "owner Q is not in the team table"], ["x5", "owner N starts on 2026-02-01"]]
    assert set(plan.moves["account_id"]) <= {"a1"}
    assert by(plan.csms, "person_id")["A"]["effort_before"] == pytest.approx(4.0)  # theirs count for nobody


def test_segment_option_moves_only_that_segments_accounts():
    book = make_book(("e1", "Enterprise", "A", 4, 1, 200), ("e2", "Enterprise", "A", 4, 1, 200),
                     ("s1", "SMB", "C", 4, 1, 200), ("s2", "SMB", "C", 4, 1, 200))
    csms = make_csms(("A", "Enterprise"), ("B", "Enterprise"), ("C", "SMB"), ("D", "SMB"))
    assert len(propose_moves(book, csms, max_moves=5, freeze_days=90).moves) == 2
    plan = propose_moves(book, csms, max_moves=5, freeze_days=90, segment="SMB")
    assert plan.moves[["account_id", "to_owner"]].values.tolist() == [["s1", "D"]]  # same renewal and ARR: by id
    assert plan.segments["segment"].tolist() == ["SMB"] and set(plan.csms["person_id"]) == {"C", "D"}
    with pytest.raises(NotFound, match="no account of segment 'Mid' in the book; segments: Enterprise, SMB"):
        propose_moves(book, csms, max_moves=5, freeze_days=90, segment="Mid")


def test_clear_errors():
    book = make_book(("a1", "S", "A", 4, 1, 200))
    with pytest.raises(NotFound, match="no CSM on record"):
        propose_moves(book, make_csms()[:0], max_moves=5, freeze_days=90)
    zero = make_csms(("A", "S", 0.0))
    with pytest.raises(TenureError, match="CSM A has capacity_hours 0.0"):
        propose_moves(book, zero, max_moves=5, freeze_days=90)
    with pytest.raises(TenureError, match="max_moves must be 0 or more, not -1"):
        propose_moves(book, make_csms(("A", "S")), max_moves=-1, freeze_days=90)


def test_a_workspace_without_a_team_table_says_so(tmp_path):
    ws = workspace_with(tmp_path, {"accounts": [account("A1")], "subscriptions": [line("L1", "A1", "2025-01-01", 100)]})
    with pytest.raises(NotFound, match="book balancing needs the team table"):
        balance_at(ws, as_of=AS_OF)
    ws.close()


def test_csms_on_record_from_the_team_table():
    import ibis

    team = ibis.memtable(pd.DataFrame({
        "person_id": ["P1", "P2", "P3", "P4", "P5"], "name": ["a", "b", "c", "d", "e"],
        "role": ["csm", "csm", "csm", "ae", "csm"], "segment": ["Enterprise", " ", None, "SMB", "SMB"],
        "capacity_hours": [20.0, None, 30.0, 30.0, 30.0],
        "hired_at": pd.to_datetime(["2020-01-01", None, None, None, "2026-01-01"]),
        "left_at": pd.to_datetime([None, None, "2025-12-31", None, None])}))
    found = csms_on_record(team, as_of=dt.date(2025, 12, 31), default_capacity=25).to_pandas()
    assert found["person_id"].tolist() == ["P1", "P2"]  # P3 left on the day, P4 an AE, P5 not hired yet
    assert found["segment"].isna().tolist() == [False, True]  # a blank segment: any
    assert found["capacity_hours"].tolist() == [20.0, 25.0]
    assert found["monthly_capacity"].tolist() == pytest.approx([20 * 52 / 12, 25 * 52 / 12])


# ---------------------------------------------------------------------------- a generated company


def check_plan(plan, book: pd.DataFrame, csms: pd.DataFrame, *, max_moves: int, freeze_days: int) -> None:
    """Every constraint, and the before/after figures recomputed here from the book and the moves."""
    moves = plan.moves
    assert len(moves) <= max_moves
    assert moves["account_id"].is_unique
    rows = book.set_index("account_id")
    people = csms.set_index("person_id")
    for move in moves.to_dict("records"):
        account = rows.loc[move["account_id"]]
        assert move["from_owner"] == account["owner"] and account["owner"] in people.index
        assert move["to_owner"] in people.index and move["to_owner"] != move["from_owner"]
        assert account["days_to_renewal"] > freeze_days
        specialism = people.at[move["to_owner"], "segment"]
        assert specialism is None or pd.isna(specialism) or specialism == account["segment"]
        assert move["effort_hours"] == pytest.approx(account["effort_hours"])
    assert not set(moves["account_id"]) & set(plan.unowned["account_id"])
    assert set(plan.unowned["account_id"]) == set(book.loc[~book["owner"].isin(people.index), "account_id"])
    owners = rows["owner"].copy()
    owners.loc[moves["account_id"].to_numpy()] = moves["to_owner"].to_numpy()
    for when, who in (("before", rows["owner"]), ("after", owners)):
        load = rows["effort_hours"].groupby(who).sum().reindex(people.index, fill_value=0.0)
        utilisation = load / people["monthly_capacity"]
        shown = plan.csms.set_index("person_id")[f"utilisation_{when}"]
        assert shown.to_dict() == pytest.approx(utilisation[shown.index].to_dict())
        for pool in plan.segments.to_dict("records"):
            members = people.index[people["segment"] == pool["segment"]]
            u = utilisation[members]
            assert pool[f"spread_{when}"] == pytest.approx(u.max() - u.min())
            assert pool[f"std_{when}"] == pytest.approx(u.std(ddof=0))
            assert pool[f"max_{when}"] == pytest.approx(u.max())
    for pool in plan.segments.to_dict("records"):  # no CSM without a segment here: pools are independent
        assert pool["spread_after"] <= pool["spread_before"] + 1e-9


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """The 300-account demo company of the prediction tests, its book and CSMs at the end of its history."""
    from predict.conftest import END, loaded
    from tenure.demo.simulator import generate

    root = tmp_path_factory.mktemp("balance-company")
    generate(root / "company", end=END, accounts=300, months=24, seed=11)
    ws = loaded(root / "ws", root / "company")
    team = ws.warehouse.table("team")
    csms = ws.warehouse.execute(csms_on_record(team, as_of=END, default_capacity=ws.config.coverage.capacity_hours))
    book = ws.warehouse.execute(book_at(ws, as_of=END).select(*BOOK_COLUMNS))
    yield ws, END, book, csms, ws.warehouse.execute(team)
    ws.close()


@pytest.mark.slow
def test_generated_company_balance_respects_every_constraint(company):
    ws, end, book, csms, _team = company
    plan = balance_at(ws, as_of=end, max_moves=10, freeze_days=90)
    assert plan.status == "optimal"
    check_plan(plan, book, csms, max_moves=10, freeze_days=90)
    assert plan.spread_after < plan.spread_before


@pytest.mark.slow
def test_generated_company_after_a_departure_is_rebalanced(company):
    """The book of one CSM per segment handed to a colleague, and a few accounts left with no CSM on record."""
    _ws, end, book, csms, team = company
    skewed = book.copy()
    for _segment, group in csms.groupby("segment"):
        if len(group) >= 2:
            leaving, taking = group["person_id"].iloc[0], group["person_id"].iloc[1]
            skewed.loc[skewed["owner"] == leaving, "owner"] = taking
    ae = team.loc[team["role"] == "ae", "person_id"].iloc[0]
    skewed.loc[skewed.index[:3], "owner"] = [ae, None, "P999"]
    for max_moves, freeze_days in ((15, 90), (5, 30), (40, 180)):
        plan = propose_moves(skewed, csms, max_moves=max_moves, freeze_days=freeze_days, team=team, as_of=end)
        check_plan(plan, skewed, csms, max_moves=max_moves, freeze_days=freeze_days)
        assert plan.spread_after < plan.spread_before * 0.8, plan.segments
        assert len(plan.unowned) == 3 and plan.unowned["reason"].str.len().gt(0).all()


@pytest.mark.slow
def test_a_hundred_thousand_accounts_stay_tractable():
    """700 CSMs in three segments with uneven books: the proposal comes well inside the time limit."""
    rng = np.random.default_rng(1)
    segments = ["Enterprise", "Mid-Market", "SMB"]
    homes = np.repeat(segments, [150, 250, 300])
    ids = [f"C{i:04d}" for i in range(len(homes))]
    csms = make_csms(*[(p, s, 35 * WEEKS_PER_MONTH) for p, s in zip(ids, homes, strict=True)])
    n = 100_000
    segment = rng.choice(segments, n, p=[0.05, 0.25, 0.70])
    owner = np.empty(n, dtype=object)
    for s in segments:
        pool = [p for p, h in zip(ids, homes, strict=True) if h == s]
        weights = rng.gamma(4, size=len(pool))
        owner[segment == s] = rng.choice(pool, (segment == s).sum(), p=weights / weights.sum())
    book = make_book(*zip([f"A{i:06d}" for i in range(n)], segment, owner, rng.choice([10.0, 3.0, 0.25], n),
                          rng.lognormal(10, 1, n), rng.integers(0, 365, n), strict=True))
    plan = propose_moves(book, csms, max_moves=20, freeze_days=90, time_limit=30)
    assert plan.seconds < 30 and len(plan.moves) == 20
    assert plan.variables < 5_000  # classes and receivers, not accounts
    check_plan(plan, book, csms, max_moves=20, freeze_days=90)
    assert plan.spread_after < plan.spread_before


# ---------------------------------------------------------------------------- the command and --apply

AS_OF = dt.date(2025, 12, 31)
CONFIG = """
engagement:
  motions:
    heavy: {cadence_days: 14, hours_per_month: 13}
    light: {cadence_days: 30, hours_per_month: 6.5}
  matrix:
    Enterprise: {"*": heavy}
    "*": {"*": light}
"""
# Every CSM has 12 hours a week = 52 a month, so a heavy account (13 h) is 25 points, a light one (6.5 h) 12.5.
# On 2025-12-31:  Enterprise  P1 owns E1-E4 (100%; E1 renews on 2026-03-01, within 90 days), P2 owns E5 (25%);
#                 SMB         P3 owns S1-S4 (50%), P4 none (0%);
#                 X1 is P8's (left), X2 is P9's (an AE), X3 has no owner.
# Enterprise: one move (E3, the smallest ARR of E2-E4) gives 75% / 50%; a second would only swap them.
# SMB: two moves (S4 and S2, the smallest ARR; listed by account id) give 25% / 25%. Summed spread 125% → 25%.
TABLES = {
    "team": [person("P1", segment="Enterprise", capacity_hours=12),
             person("P2", segment="Enterprise", capacity_hours=12),
             person("P3", segment="SMB", capacity_hours=12), person("P4", segment="SMB", capacity_hours=12),
             person("P8", segment="SMB", capacity_hours=12, hired_at="2022-01-01", left_at="2025-06-01"),
             person("P9", role="ae")],
    "accounts": [
        *[account(f"E{i}", segment="Enterprise", owner_csm_id="P1") for i in range(1, 5)],
        account("E5", segment="Enterprise", owner_csm_id="P2"),
        *[account(f"S{i}", segment="SMB", owner_csm_id="P3") for i in range(1, 5)],
        account("X1", segment="SMB", owner_csm_id="P8"), account("X2", segment="SMB", owner_csm_id="P9"),
        account("X3", segment="SMB"),
    ],
    "subscriptions": [
        line("L1", "E1", "2025-03-01", 5000), line("L2", "E2", "2025-06-01", 10000),
        line("L3", "E3", "2025-06-01", 5000), line("L4", "E4", "2025-06-01", 7500),
        line("L5", "E5", "2025-06-01", 5000),
        line("L6", "S1", "2025-06-01", 1000), line("L7", "S2", "2025-06-01", 500),
        line("L8", "S3", "2025-06-01", 2000), line("L9", "S4", "2025-06-01", 250),
        line("L10", "X1", "2025-06-01", 300), line("L11", "X2", "2025-06-01", 300),
        line("L12", "X3", "2025-06-01", 300),
    ],
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hand_made(request, tmp_path):
    """The hand-made workspace, its workflow store on SQLite (the workspace file) or PostgreSQL."""
    config = CONFIG
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
        _empty(url)
        config += f"workflow_url: {url}\n"
    ws = workspace_with(tmp_path, TABLES, config)
    store = WorkflowStore.of(ws)
    store.upgrade()
    yield ws, store
    store.dispose()


@pytest.mark.slow
def test_hand_made_workspace_known_answer(hand_made):
    ws, store = hand_made
    plan = balance_at(ws, as_of=AS_OF)
    assert (plan.max_moves, plan.freeze_days) == (20, 90)  # coverage.balance_max_moves, balance_freeze_days
    assert plan.moves[["account_id", "from_owner", "to_owner"]].values.tolist() == [
        ["E3", "P1", "P2"], ["S2", "P3", "P4"], ["S4", "P3", "P4"]]
    assert plan.spread_before == pytest.approx(1.25) and plan.spread_after == pytest.approx(0.25)
    assert plan.unowned[["account_id", "reason"]].values.tolist() == [
        ["X1", "owner P8 left on 2025-06-01"], ["X2", "owner P9 has role ae, not csm"], ["X3", "no owner"]]
    assert balance_at(ws, as_of=AS_OF, max_moves=1).moves["account_id"].tolist() == ["E3"]  # the larger gain
    assert balance_at(ws, as_of=AS_OF, freeze_days=200).moves.empty  # every renewal is within 200 days
    with store.session("tester") as session:
        assert record_moves(session, plan, as_of=AS_OF, actor="tester") == 3
    with store.session() as session:
        overrides = owner_overrides(session)
    assert overrides == {"E3": "P2", "S2": "P4", "S4": "P4"}
    again = balance_at(ws, as_of=AS_OF, owners=overrides)
    assert again.moves.empty and again.spread_before == pytest.approx(0.25)


@pytest.mark.slow
def test_cli_balance_apply_records_reassignments_and_the_next_run_starts_from_them(tmp_path):
    ws = workspace_with(tmp_path, TABLES, CONFIG)
    store = WorkflowStore.of(ws)  # workflow.sqlite in the workspace
    folder = ws.root
    ws.close()
    dry = tenure("balance", "--as-of", AS_OF, "--format", "json", cwd=folder)
    assert dry.returncode == 0, dry
    proposal = json.loads(dry.stdout)
    assert [m["account_id"] for m in proposal["moves"]] == ["E3", "S2", "S4"] and proposal["applied"] == 0
    assert {"as_of", "max_moves", "freeze_days", "segment", "solver", "seconds", "spread_before", "spread_after",
            "applied", "segments", "moves", "csms", "unowned", "notes"} == set(proposal)
    with store.session() as session:  # without --apply nothing is written
        assert session.scalar(select(func.count()).select_from(OwnerAssignment)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0

    applied = tenure("balance", "--as-of", AS_OF, "--apply", cwd=folder)
    assert applied.returncode == 0, applied
    assert "Recorded 3 owner reassignment(s)" in applied.stdout and "Summed spread 125% → 25%" in applied.stdout
    actor = getpass.getuser()
    with store.session() as session:
        rows = session.scalars(select(OwnerAssignment).order_by(OwnerAssignment.id)).all()
        assert [(r.account_id, r.owner_person_id, r.reason, r.assigned_by) for r in rows] == [
            ("E3", "P2", "book balancing 2025-12-31", actor), ("S2", "P4", "book balancing 2025-12-31", actor),
            ("S4", "P4", "book balancing 2025-12-31", actor)]
        audit = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "owner_assignments")).all()
        assert len(audit) == 3 and {a.actor for a in audit} == {actor} and {a.action for a in audit} == {"insert"}

    after = tenure("balance", "--as-of", AS_OF, "--format", "json", cwd=folder)
    assert after.returncode == 0, after
    second = json.loads(after.stdout)
    assert second["moves"] == [] and second["spread_before"] == pytest.approx(proposal["spread_after"])
    assert {c["person_id"]: c["utilisation_before"] for c in second["csms"]} == pytest.approx(
        {c["person_id"]: c["utilisation_after"] for c in proposal["csms"]})

    csv = tenure("balance", "--as-of", AS_OF, "--segment", "SMB", "--max-moves", "1", "--format", "csv", cwd=folder)
    assert csv.stdout.splitlines() == ["account_id,name,segment,from_owner,to_owner,effort_hours,arr,"
                                       "days_to_renewal,reason"], csv  # SMB is even now: no move
    store.dispose()
