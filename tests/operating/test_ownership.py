"""Account teams and ownership against hand-made team, account_team and activities tables.

The book at 2026-03-31 (every account's segment is loaded; ARR = 12 × MRR):

    account  segment     ARR      owner  account team (role person since)                       exec activities
    A1       Enterprise  300,000  C1     renewal R1, ae S1, executive X1, tam T1, csm C1         2026-03-01 (30 days)
    A2       Mid-Market   60,000  C1     renewal R2 (left 2026-02-15), renewal R1 from 2026-06-01,
                                         ae S1 (leaves 2026-06-30)                               —
    A3       Enterprise   24,000  C1     —                                                        —
    A4       SMB          12,000  —      csm C1, ae S1                                            —
    A5       Mid-Market  400,008  C1     executive X2 (left 2025-12-31)                          2025-11-01 (150 days);
                                                                                                 2026-03-20 without an
                                                                                                 executive; 2026-04-05
                                                                                                 (after the date)
    A6       SMB          12,000  C1     renewal R1 since 2025-01-01, renewal R3 since 2026-01-01 —
    A7       SMB           6,000  —      —                                                        —
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from cli.helpers import assert_error, strict_json, tenure
from tenure.contract.load import load
from tenure.demo.simulator import generate
from tenure.operating.config import Ownership
from tenure.operating.ownership import account_people, account_teams, last_executive_touch
from tenure.playbooks.config import Playbooks
from tenure.playbooks.engine import evaluate
from tenure.playbooks.run import run_playbooks
from tenure.views.book import book_at
from tenure.views.ownership import members_of, people_at, routed_owners
from tenure.workflow.models import Cta
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace

from .tables import write_tables

AS_OF = dt.date(2026, 3, 31)

ACCOUNTS = {  # account: (segment, MRR, owner)
    "A1": ("Enterprise", 25_000, "C1"), "A2": ("Mid-Market", 5_000, "C1"), "A3": ("Enterprise", 2_000, "C1"),
    "A4": ("SMB", 1_000, None), "A5": ("Mid-Market", 33_334, "C1"), "A6": ("SMB", 1_000, "C1"),
    "A7": ("SMB", 500, None),
}
TEAM = [
    {"person_id": "C1", "name": "Cleo", "role": "csm", "hired_at": "2024-01-01"},
    {"person_id": "C2", "name": "Cato", "role": "csm", "hired_at": "2024-01-01", "left_at": "2026-01-31"},
    {"person_id": "R1", "name": "Rita", "role": "renewal", "hired_at": "2024-01-01"},
    {"person_id": "R2", "name": "Rolf", "role": "renewal", "hired_at": "2024-01-01", "left_at": "2026-02-15"},
    {"person_id": "R3", "name": "Rosa", "role": "renewal", "hired_at": "2025-12-01"},
    {"person_id": "S1", "name": "Sam", "role": "ae", "hired_at": "2020-01-01", "left_at": "2026-06-30"},
    {"person_id": "T1", "name": "Tess", "role": "tam", "hired_at": "2020-01-01"},
    {"person_id": "X1", "name": "Xena", "role": "executive"},
    {"person_id": "X2", "name": "Xavi", "role": "executive", "left_at": "2025-12-31"},
]
ACCOUNT_TEAM = [
    ("A1", "R1", "renewal", "2025-01-01"), ("A1", "S1", "ae", "2025-01-01"), ("A1", "X1", "executive", "2025-01-01"),
    ("A1", "T1", "tam", None), ("A1", "C1", "csm", "2025-01-01"),
    ("A2", "R2", "renewal", "2025-01-01"), ("A2", "R1", "renewal", "2026-06-01"), ("A2", "S1", "ae", "2025-01-01"),
    ("A4", "C1", "csm", "2025-01-01"), ("A4", "S1", "ae", "2025-01-01"),
    ("A5", "X2", "executive", "2025-01-01"),
    ("A6", "R1", "renewal", "2025-01-01"), ("A6", "R3", "renewal", "2026-01-01"),
]
ACTIVITIES = [
    ("V1", "A1", "2026-03-01T10:00:00Z", "ebr", True), ("V2", "A5", "2025-11-01T10:00:00Z", "qbr", True),
    ("V3", "A5", "2026-03-20T10:00:00Z", "meeting", False), ("V4", "A5", "2026-04-05T10:00:00Z", "ebr", True),
    ("V5", "A2", "2026-03-30T10:00:00Z", "call", False),
]


def tables(*, activities: bool = True, account_team: bool = True) -> dict[str, list[dict]]:
    rows = {
        "accounts": [{"account_id": a, "name": f"Account {a}", "created_at": "2024-06-01", "segment": seg,
                      "owner_csm_id": owner} for a, (seg, _, owner) in ACCOUNTS.items()],
        "subscriptions": [{"subscription_id": f"S-{a}", "account_id": a, "product": "core", "start_date": "2025-07-01",
                           "mrr": mrr, "currency": "USD"} for a, (_, mrr, _) in ACCOUNTS.items()],
        "team": TEAM,
    }
    if account_team:
        rows["account_team"] = [{"account_id": a, "person_id": p, "role": r, "since": s} for a, p, r, s in ACCOUNT_TEAM]
    if activities:
        rows["activities"] = [{"activity_id": i, "account_id": a, "occurred_at": t, "type": k, "exec_present": e,
                               "person_id": "C1"} for i, a, t, k, e in ACTIVITIES]
    return rows


def workspace(root: Path, rows: dict[str, list[dict]], config: dict | None = None) -> Workspace:
    """A workspace in `root/ws` with `rows` loaded through the data contract; `config` keys replace tenure.yaml's."""
    data = write_tables(root / "data", rows)
    ws = Workspace.init(root / "ws")
    if config:
        path = root / "ws" / "tenure.yaml"
        path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text(encoding="utf-8")), **config}),
                        encoding="utf-8")
        ws.close()
        ws = Workspace.open(root / "ws")
    load([data], warehouse=ws.warehouse, base_currency="USD")
    ws.warehouse.forget()
    return ws


BOOKS: dict[tuple[int, dt.date], object] = {}  # cached books of the module's workspaces, by date


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = workspace(tmp_path_factory.mktemp("ownership"), tables())
    yield ws
    BOOKS.clear()  # drop the cached books while the warehouse is open
    ws.close()


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The same accounts without account_team and activities tables."""
    ws = workspace(tmp_path_factory.mktemp("ownership-bare"), tables(activities=False, account_team=False))
    yield ws
    BOOKS.clear()
    ws.close()


def teams(ws: Workspace, as_of: dt.date = AS_OF, **ownership):
    """The account-team table with an `ownership:` config given here (engine expressions, executed)."""
    if (id(ws), as_of) not in BOOKS:  # the book does not depend on `ownership:`; build it once per date
        BOOKS[id(ws), as_of] = book_at(ws, as_of=as_of, health=False).cache()
    current = people_at(ws, as_of=as_of)
    people = account_people(current) if current is not None else None
    touches = last_executive_touch(ws.warehouse.table("activities"), as_of=as_of)
    table = account_teams(BOOKS[id(ws), as_of], people, Ownership(**ownership), as_of=as_of, touches=touches)
    return plain(ws.warehouse.execute(table).set_index("account_id").sort_index())


def plain(frame):
    """Dates as dates and empty cells as None, so rows compare with hand-written values."""
    import pandas as pd

    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.date
    return frame.astype(object).where(frame.notna(), None)


ROLES = ["csm", "tam", "onboarding", "renewal_specialist", "ae", "executive_sponsor"]


def test_each_account_has_its_people_by_role_at_the_date(ws):
    found = teams(ws)
    assert list(found.index) == list(ACCOUNTS)
    assert found.loc["A1", ROLES].tolist() == ["C1", "T1", None, "R1", "S1", "X1"]
    # R2 left before the date and R1 joins A2 only from June: no renewal specialist yet
    assert found.loc["A2", ROLES].tolist() == ["C1", None, None, None, "S1", None]
    assert found.loc["A4", "csm"] == "C1"  # no owner_csm_id: the account team's CSM
    assert found.loc["A5", "executive_sponsor"] is None  # X2 left on 2025-12-31
    assert found.loc["A6", "renewal_specialist"] == "R3"  # the latest `since` holds the role
    assert found.loc["A7", ROLES].tolist() == [None] * 6
    later = teams(ws, dt.date(2026, 7, 1))
    assert later.loc["A2", ["renewal_specialist", "ae"]].tolist() == ["R1", None]  # R1 from June, S1 left in June


def test_one_accounts_members_with_names(ws):
    members = members_of(ws, "A1", as_of=AS_OF)
    assert members[["role", "person_id", "name"]].values.tolist() == [
        ["ae", "S1", "Sam"], ["csm", "C1", "Cleo"], ["executive", "X1", "Xena"], ["renewal", "R1", "Rita"],
        ["tam", "T1", "Tess"]]
    a6 = plain(members_of(ws, "A6", as_of=AS_OF))
    assert a6[["person_id", "since"]].values.tolist() == [["R3", dt.date(2026, 1, 1)]]
    assert members_of(ws, "A7", as_of=AS_OF).empty


FALLBACK_RENEWAL, FALLBACK_AE = "csm (no renewal specialist)", "csm (no ae)"
RENEWAL_OWNERS = {
    "cs": {"A1": ("C1", "csm"), "A2": ("C1", "csm"), "A3": ("C1", "csm"), "A4": ("C1", "csm"), "A5": ("C1", "csm"),
           "A6": ("C1", "csm"), "A7": (None, "none")},
    "renewal": {"A1": ("R1", "renewal"), "A2": ("C1", FALLBACK_RENEWAL), "A3": ("C1", FALLBACK_RENEWAL),
                "A4": ("C1", FALLBACK_RENEWAL), "A5": ("C1", FALLBACK_RENEWAL), "A6": ("R3", "renewal"),
                "A7": (None, "none")},
    "sales": {"A1": ("S1", "ae"), "A2": ("S1", "ae"), "A3": ("C1", FALLBACK_AE), "A4": ("S1", "ae"),
              "A5": ("C1", FALLBACK_AE), "A6": ("C1", FALLBACK_AE), "A7": (None, "none")},
}


@pytest.mark.parametrize("choice", ["cs", "renewal", "sales"])
def test_the_renewal_owner_follows_the_config_and_falls_back_to_the_csm(ws, choice):
    found = teams(ws, renewal=choice)
    assert {a: (r.renewal_owner, r.renewal_owner_source) for a, r in found.iterrows()} == RENEWAL_OWNERS[choice]


@pytest.mark.parametrize("choice", ["cs", "sales"])
def test_the_expansion_owner_follows_the_config(ws, choice):
    found = teams(ws, expansion=choice)
    got = {a: (r.expansion_owner, r.expansion_owner_source) for a, r in found.iterrows()}
    assert got == RENEWAL_OWNERS[choice]  # expansion to sales is the AE, with the same fallbacks


def test_without_an_account_team_table_every_motion_falls_back_to_the_owner(bare):
    found = teams(bare, renewal="renewal", expansion="sales")
    assert found.loc["A1", ["renewal_owner", "renewal_owner_source"]].tolist() == ["C1", FALLBACK_RENEWAL]
    assert found.loc["A1", ["expansion_owner", "expansion_owner_source"]].tolist() == ["C1", FALLBACK_AE]
    assert found.loc["A4", ["csm", "renewal_owner", "renewal_owner_source"]].tolist() == [None, None, "none"]
    assert found[ROLES[1:]].isna().all().all()


def test_strategic_accounts_by_arr_or_segment_and_their_sponsor(ws):
    by_arr = teams(ws, strategic_arr_min=250_000)
    assert by_arr.index[by_arr.strategic.astype(bool)].tolist() == ["A1", "A5"]
    assert by_arr.loc[["A1", "A5"], "sponsor_missing"].tolist() == [False, True]  # A5's sponsor left
    assert not by_arr.loc[["A2", "A3", "A4", "A6", "A7"], "sponsor_missing"].any()
    both = teams(ws, strategic_arr_min=250_000, strategic_segments=["Enterprise"])
    strategic = both[both.strategic.astype(bool)]
    assert strategic.strategic_reason.to_dict() == {"A1": "arr and segment", "A3": "segment", "A5": "arr"}
    assert strategic.sponsor_missing.to_dict() == {"A1": False, "A3": True, "A5": True}
    at_least = lambda arr: teams(ws, strategic_arr_min=arr).strategic.astype(bool)  # noqa: E731
    assert at_least(400_008).index[at_least(400_008)].tolist() == ["A5"]  # the bound is inclusive
    assert not at_least(400_009).any()
    assert not teams(ws, strategic_arr_min=None).strategic.astype(bool).any()


def test_executive_touch_of_strategic_accounts(ws):
    found = teams(ws, strategic_arr_min=250_000, strategic_segments=["Enterprise"], executive_touch_days=90)
    columns = ["last_executive_touch", "days_since_executive_touch", "executive_touch", "executive_touch_overdue"]
    assert found.loc["A1", columns].tolist() == [dt.date(2026, 3, 1), 30, "ok", False]
    # the meeting without an executive and the one after the date do not count
    assert found.loc["A5", columns].tolist() == [dt.date(2025, 11, 1), 150, "overdue", True]
    assert found.loc["A3", columns].tolist() == [None, None, "never", True]
    assert found.loc["A2", ["executive_touch", "executive_touch_overdue"]].tolist() == [None, None]  # not strategic
    status = lambda day: teams(ws, day, executive_touch_days=90).loc["A1", columns[1:]].tolist()  # noqa: E731
    assert status(dt.date(2026, 5, 30)) == [90, "ok", False]  # 90 days is on time; 91 is not
    assert status(dt.date(2026, 5, 31)) == [91, "overdue", True]
    assert teams(ws, executive_touch_days=20).loc["A1", "executive_touch"] == "overdue"


def test_without_activities_executive_touch_is_no_data_not_overdue(bare):
    found = teams(bare, strategic_arr_min=250_000)
    assert found.loc["A1", ["last_executive_touch", "executive_touch", "executive_touch_overdue"]].tolist() == [
        None, "no data", None]
    assert found.loc["A1", "sponsor_missing"]  # no account team: no sponsor on record


def test_routed_owners_take_the_effective_owner(ws):
    import pandas as pd

    owners = pd.DataFrame({"account_id": ["A1", "A2", "A7"], "owner": ["C1", "Z9", None]})
    ws.config.ownership = Ownership(renewal="renewal", expansion="cs")
    try:
        routed = plain(routed_owners(ws, owners, as_of=AS_OF).set_index("account_id").sort_index())
    finally:
        ws.config.ownership = Ownership()
    assert routed.renewal_owner.tolist() == ["R1", "Z9", None]
    assert routed.renewal_owner_source.tolist() == ["renewal", FALLBACK_RENEWAL, "none"]
    assert routed.expansion_owner.tolist() == ["C1", "Z9", None]


def test_a_ctas_owner_is_picked_by_the_kind_of_its_rule(tmp_path):
    import pandas as pd

    store = WorkflowStore(f"sqlite:///{tmp_path / 'workflow.sqlite'}")
    store.upgrade()
    config = Playbooks.model_validate({"rules": [
        {"name": "renewal-due", "when": {"renewal_within_days": 90}, "kind": "renewal"},
        {"name": "grow", "when": {"renewal_within_days": 90}, "kind": "expansion"},
        {"name": "watch", "when": {"renewal_within_days": 90}, "kind": "lifecycle"}]})
    state = pd.DataFrame([
        {"account_id": "A1", "days_to_renewal": 30, "owner": "C1", "renewal_owner": "R1", "expansion_owner": "S1"},
        {"account_id": "A2", "days_to_renewal": 30, "owner": "C2", "renewal_owner": None, "expansion_owner": None}])
    with store.session() as session:
        preview = evaluate(config, state, session, as_of=AS_OF, dry_run=True)
        evaluate(config, state, session, as_of=AS_OF)
    with store.session() as session:
        owners = {(c.rule, c.account_id): c.owner_person_id for c in session.scalars(select(Cta))}
    store.dispose()
    assert owners == {("renewal-due", "A1"): "R1", ("grow", "A1"): "S1", ("watch", "A1"): "C1",
                      ("renewal-due", "A2"): "C2", ("grow", "A2"): "C2", ("watch", "A2"): "C2"}  # empty: the CSM
    assert {(f["rule"], f["account_id"]): f["owner"] for f in preview.fired} == owners  # a dry run shows the same


PLAYBOOKS = yaml.safe_load("""
ownership:
  renewal: renewal
  expansion: sales
playbooks:
  rules:
    - {name: renewal-due, when: {renewal_within_days: 120}, kind: renewal}
    - {name: grow, when: {renewal_within_days: 120}, kind: expansion}
    - {name: watch, when: {renewal_within_days: 120}, kind: risk}
""")


@pytest.mark.slow
def test_playbooks_route_renewal_and_expansion_ctas_to_their_owners(tmp_path):
    ws = workspace(tmp_path, tables(), PLAYBOOKS)
    try:
        outcome = run_playbooks(ws, as_of=AS_OF)
        assert outcome.by_rule["renewal-due"]["opened"] == len(ACCOUNTS)  # every account renews on 2026-07-01
        store = WorkflowStore.of(ws)
        with store.session() as session:
            owners = {(c.rule, c.account_id): c.owner_person_id for c in session.scalars(select(Cta))}
        store.dispose()
    finally:
        ws.close()
    renewal = {a: owners[("renewal-due", a)] for a in ACCOUNTS}
    assert renewal == {a: owner for a, (owner, _) in RENEWAL_OWNERS["renewal"].items()}
    assert renewal["A1"] == "R1" and renewal["A6"] == "R3"  # the renewal specialists
    assert {a: owners[("grow", a)] for a in ACCOUNTS} == {a: o for a, (o, _) in RENEWAL_OWNERS["sales"].items()}
    assert {a: owners[("watch", a)] for a in ACCOUNTS} == {
        "A1": "C1", "A2": "C1", "A3": "C1", "A4": None, "A5": "C1", "A6": "C1", "A7": None}  # the owner


@pytest.mark.slow
def test_the_teams_command(tmp_path):
    workspace(tmp_path, tables()).close()  # the command opens the workspace itself
    root = tmp_path / "ws"
    run = lambda *args: tenure("-w", root, "teams", "--as-of", AS_OF.isoformat(), *args, cwd=root)  # noqa: E731
    listed = run("--format", "json")
    assert listed.returncode == 0, str(listed)
    rows = {r["account_id"]: r for r in strict_json(listed.stdout)}
    assert set(rows) == set(ACCOUNTS)
    # the workspace's defaults: renewal and expansion to the CSM
    assert {a: (r["renewal_owner"], r["renewal_owner_source"]) for a, r in rows.items()} == RENEWAL_OWNERS["cs"]
    assert (rows["A1"]["expansion_owner"], rows["A1"]["expansion_owner_source"]) == ("C1", "csm")
    strategic = strict_json(run("--strategic", "--format", "json").stdout)
    assert [(r["account_id"], r["flags"]) for r in strategic] == [
        ("A5", "no executive sponsor; executive touch overdue"), ("A1", "")]  # largest ARR first
    one = strict_json(run("--account", "A1", "--format", "json").stdout)
    assert one["renewal_owner"] == "C1" and one["executive_touch"] == "ok" and one["paying"] is True
    assert {p["role"]: p["person_id"] for p in one["people"]} == {
        "ae": "S1", "csm": "C1", "executive": "X1", "renewal": "R1", "tam": "T1"}
    table = run("--strategic")
    assert table.returncode == 0 and "without an executive sponsor: 1" in table.stdout, str(table)
    assert "Renewals owned by cs" in run().stdout
    assert_error(run("--account", "NOPE"), 3, "no account with account_id 'NOPE'")
    assert_error(run("--account", "A1", "--strategic"), 1, "do not go together")


END = dt.date(2025, 12, 31)


@pytest.fixture(scope="session")
def generated_company(tmp_path_factory) -> Path:
    """A workspace with a generated company of 150 accounts over 12 months ending 2025-12-31 (closed)."""
    root = tmp_path_factory.mktemp("generated-company")
    generate(root / "data", end=END, accounts=150, months=12, seed=5)
    ws = Workspace.init(root / "ws")
    load([root / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.close()
    return root / "ws"


@pytest.mark.slow
def test_teams_on_a_generated_company(generated_company):
    root = generated_company
    listed = tenure("-w", root, "teams", "--as-of", END.isoformat(), "--format", "json", cwd=root)
    assert listed.returncode == 0, str(listed)
    rows = strict_json(listed.stdout)
    ws = Workspace.open(root)
    try:
        book = ws.warehouse.execute(book_at(ws, as_of=END, health=False))
    finally:
        ws.close()
    assert sorted(r["account_id"] for r in rows) == sorted(book["account_id"])
    for row in rows:  # the defaults: renewal and expansion both the CSM's
        assert row["renewal_owner"] == row["csm"] and row["renewal_owner_source"] == "csm"
        assert row["expansion_owner"] == row["csm"] and row["expansion_owner_source"] == "csm"
    strategic = strict_json(tenure("-w", root, "teams", "--as-of", END.isoformat(), "--strategic", "--format",
                                   "json", cwd=root).stdout)
    assert {r["account_id"] for r in strategic} == {r["account_id"] for r in rows if r["arr"] >= 250_000}
    for row in strategic:
        assert row["sponsor_missing"] == (row["executive_sponsor"] is None)
        assert row["executive_touch_overdue"] == (row["days_since_executive_touch"] is None
                                                  or row["days_since_executive_touch"] > 90)
