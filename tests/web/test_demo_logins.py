"""`tenure demo logins` on a tiny generated demo company: one working login per role, and a second run changes nothing.

The company is the simulator's (30 accounts, 6 months to 2026-06-30, seed 7), loaded into a fresh
workspace. The people behind the logins are checked against the loaded tables themselves: the CSM
owns the largest book, the manager is that CSM's manager, the sales user sits on account teams as AE.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cli.helpers import strict_json, tenure
from tenure.contract.load import load
from tenure.demo.logins import DEMO_PASSWORD, demo_logins
from tenure.demo.simulator import generate
from tenure.errors import TenureError
from tenure.web.app import create_app
from tenure.web.state import AppState
from tenure.workflow.models import AuditEntry, User
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace

pytestmark = pytest.mark.slow
ROLES = ["admin", "director", "manager", "csm", "sales", "viewer"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-logins")
    generate(folder / "data", accounts=30, months=6, seed=7, end=dt.date(2026, 6, 30))
    ws = Workspace.init(folder / "ws")
    load([folder / "data"], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.close()
    return folder / "ws"


@pytest.fixture(scope="module")
def tables(demo):
    ws = Workspace.open(demo)
    found = {name: ws.warehouse.execute(ws.warehouse.table(name)) for name in ("team", "accounts", "account_team")}
    ws.close()
    return found


@pytest.fixture(scope="module")
def first_run(demo):
    ws = Workspace.open(demo)
    try:
        return demo_logins(ws)
    finally:
        ws.close()


def store_state(root) -> tuple[list[tuple], int]:
    """Every user row (password hash included) and the number of audit entries."""
    ws = Workspace.open(root)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        users = [(u.email, u.name, u.role, u.person_id, u.active, u.cleared_restricted, u.password_hash)
                 for u in session.scalars(select(User).order_by(User.email))]
        audit = session.scalar(select(func.count()).select_from(AuditEntry))
    store.dispose()
    ws.close()
    return users, audit


def test_one_login_per_role_with_the_demo_password(first_run):
    assert [row.role for row in first_run] == ROLES
    assert [row.status for row in first_run] == ["created"] * 6
    assert {row.email for row in first_run} == {f"{role}@tenure-demo.example" for role in ROLES}
    assert all(row.password == DEMO_PASSWORD for row in first_run)


def test_the_people_behind_the_logins_work_the_books_of_their_role(first_run, tables):
    team, accounts, account_team = tables["team"], tables["accounts"], tables["account_team"]
    by_role = {row.role: row for row in first_run}
    current = team[team["left_at"].isna()].set_index("person_id")
    books = accounts["owner_csm_id"].value_counts()
    csm = by_role["csm"].person_id
    assert current.loc[csm, "role"] == "csm"
    assert books[csm] == books[books.index.isin(current.index[current["role"] == "csm"])].max() > 0
    manager = by_role["manager"].person_id
    assert current.loc[manager, "role"] == "manager" and current.loc[csm, "manager_id"] == manager
    sales = by_role["sales"].person_id
    assert current.loc[sales, "role"] == "ae"
    assert ((account_team["person_id"] == sales) & (account_team["role"] == "ae")).sum() > 0
    assert current.loc[by_role["director"].person_id, "role"] == "director"
    assert by_role["csm"].name == current.loc[csm, "name"]
    assert by_role["admin"].person_id is None and by_role["viewer"].person_id is None


def test_a_second_run_changes_nothing(demo, first_run):
    before = store_state(demo)
    ws = Workspace.open(demo)
    again = demo_logins(ws)
    ws.close()
    assert [row.status for row in again] == ["unchanged"] * 6
    assert [(r.role, r.email, r.person_id) for r in again] == [(r.role, r.email, r.person_id) for r in first_run]
    assert store_state(demo) == before


def test_each_login_signs_in_and_a_csm_sees_their_book(demo, first_run, tables):
    books = tables["accounts"]["owner_csm_id"].value_counts()
    with TestClient(create_app(AppState.open(demo)), base_url="https://testserver", follow_redirects=False) as client:
        for row in first_run:
            client.cookies.clear()
            page = client.get("/login")
            token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
            response = client.post("/login", data={"email": row.email, "password": row.password,
                                                   "csrf_token": token, "next": "/"})
            assert response.status_code == 303, (row.role, response.text)
            assert response.headers["location"] == ("/book" if row.role in ("csm", "sales") else "/")
            me = client.get("/api/v1/me").json()
            assert (me["role"], me["person_id"]) == (row.role, row.person_id)
    csm = next(row for row in first_run if row.role == "csm")
    assert books[csm.person_id] >= 1


def test_a_changed_login_is_put_back(demo, first_run):
    ws = Workspace.open(demo)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        user = session.scalar(select(User).where(User.email == "viewer@tenure-demo.example"))
        user.role, user.active = "admin", False
    store.dispose()
    rows = {row.role: row.status for row in demo_logins(ws)}
    ws.close()
    assert rows == {**dict.fromkeys(ROLES, "unchanged"), "viewer": "updated"}
    users, _audit = store_state(demo)
    viewer = next(u for u in users if u[0] == "viewer@tenure-demo.example")
    assert (viewer[2], viewer[4]) == ("viewer", True)


def test_the_command_prints_the_logins_with_their_start_pages(demo, first_run, tmp_path):
    result = tenure("--workspace", demo, "demo", "logins", "--url", "http://127.0.0.1:8765/", "--format", "json",
                    cwd=tmp_path)
    assert result.returncode == 0, str(result)
    rows = pd.DataFrame(strict_json(result.stdout))
    assert list(rows["role"]) == ROLES
    assert set(rows["status"]) == {"unchanged"}
    assert list(rows["opens"]) == ["http://127.0.0.1:8765/"] * 3 + ["http://127.0.0.1:8765/book"] * 2 + [
        "http://127.0.0.1:8765/"]


def test_a_workspace_without_a_team_is_refused_clearly(tmp_path):
    ws = Workspace.init(tmp_path / "empty")
    with pytest.raises(TenureError, match="demo logins need a loaded demo company"):
        demo_logins(ws)
    ws.close()
