"""A small company for the web tests: two CSMs under one manager, a sales user, a restricted account.

Books (as of 2026-06-30): CSM c1 owns A1, A2 and the restricted A5; CSM c2 (reports to manager m1,
as does c1) owns A3; A4 belongs to c3, who reports to nobody. The AE s1 sits on A1's account team.
Every role has a user whose password is PASSWORD.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from operating.tables import account, line, person, workspace_with
from tenure.history import snapshot
from tenure.pipeline import run_pipeline
from tenure.web.app import create_app
from tenure.web.state import AppState
from tenure.workflow.credentials import set_password
from tenure.workflow.store import WorkflowStore
from tenure.workflow.users import add_user

AS_OF = dt.date(2026, 6, 30)
PASSWORD = "correct horse battery"
# role → (email, person_id, cleared for restricted accounts)
USERS = {
    "admin": ("admin@example.com", None, True),
    "director": ("director@example.com", None, False),
    "manager": ("manager@example.com", "m1", False),
    "csm": ("csm1@example.com", "c1", False),
    "csm2": ("csm2@example.com", "c2", False),
    "sales": ("sales@example.com", "s1", False),
    "viewer": ("viewer@example.com", None, False),
}


def build_company(root: Path) -> Path:
    tables = {
        "accounts": [account("A1", owner_csm_id="c1", segment="Enterprise"),
                     account("A2", owner_csm_id="c1", segment="SMB"),
                     account("A3", owner_csm_id="c2", segment="SMB"),
                     account("A4", owner_csm_id="c3", segment="SMB"),
                     account("A5", owner_csm_id="c1", segment="Enterprise", restricted=True)],
        "subscriptions": [line("S1", "A1", "2025-01-01", 5000, billing_period="year"),
                          line("S2", "A2", "2025-03-01", 800, end_date="2026-05-01"),
                          line("S3", "A3", "2025-02-01", 1200, billing_period="year"),
                          line("S3b", "A3", "2026-02-01", 300),
                          line("S4", "A4", "2025-06-01", 900),
                          line("S5", "A5", "2025-01-01", 7000, billing_period="year")],
        "team": [person("m1", "manager"), person("c1", manager_id="m1"), person("c2", manager_id="m1"),
                 person("c3"), person("s1", "ae")],
        "account_team": [{"account_id": "A1", "person_id": "s1", "role": "ae"}],
    }
    ws = workspace_with(root, tables)
    run_pipeline(ws, as_of=AS_OF)
    snapshot(ws, as_of=AS_OF)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        for role, (email, person_id, cleared) in USERS.items():
            add_user(session, email=email, name=role.title(), role=role.rstrip("2"), person_id=person_id,
                     cleared_restricted=cleared)
            session.flush()
            set_password(session, email, PASSWORD)
    store.dispose()
    root_path = ws.root
    ws.close()
    return root_path


def client_for(root: Path) -> TestClient:
    """A client of a fresh app over the workspace (HTTPS, so the Secure cookies travel)."""
    return TestClient(create_app(AppState.open(root)), base_url="https://testserver", follow_redirects=False)


def sign_in(client: TestClient, role: str) -> TestClient:
    """Sign `client` in through the login form as the user of `role`; returns it with the session cookie."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"email": USERS[role][0], "password": PASSWORD, "csrf_token": token,
                                           "next": "/"})
    assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient, path: str = "/book") -> str:
    """The session's CSRF token, as a page carries it."""
    page = client.get(path)
    return page.text.split('name="csrf-token" content="')[1].split('"')[0]


@contextmanager
def shared_app(root: Path) -> Iterator[Callable[[str], TestClient]]:
    """`make(role)`: a client signed in as that role, every one over the same app, so the company-wide
    results the app caches are built once for a whole test module."""
    app = create_app(AppState.open(root))
    made: dict[str, TestClient] = {}

    def make(role: str) -> TestClient:
        if role not in made:
            made[role] = sign_in(TestClient(app, base_url="https://testserver", follow_redirects=False), role)
        return made[role]

    yield make
    for client in made.values():
        client.close()
    app.state.tenure.close()
