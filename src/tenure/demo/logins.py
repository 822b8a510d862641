"""Demo logins: one web user per role over a loaded demo company, so `make demo` can be tried at once.

Each login is a real person of the demo team where the role works a book — the manager is a
manager whose CSMs own accounts, the CSM the current CSM with the largest book, the sales user
the account executive on the most account teams — so every page shows what that role would see
on a Monday morning. The director is the team's director; the admin (cleared for restricted
accounts) and the viewer are not team people. All share one known password: these accounts are
for a demo workspace on loopback, never for real data.

Running it again changes nothing: a login that already exists with its role, person and password
is left alone (its password is not even re-hashed, so open browser sessions survive).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis
from sqlalchemy import select

from tenure.errors import TenureError
from tenure.workflow.credentials import check_password, set_password
from tenure.workflow.models import User
from tenure.workflow.store import WorkflowStore
from tenure.workflow.users import add_user

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.workspace import Workspace

DEMO_PASSWORD = "tenure-demo"
DEMO_DOMAIN = "tenure-demo.example"
ACTOR = "tenure demo logins"  # who the audit log names for these changes


@dataclass(frozen=True)
class DemoLogin:
    """A login to the demo: `status` says what this run did (created, updated or unchanged)."""

    role: str
    email: str
    password: str
    name: str
    person_id: str | None
    status: str


@dataclass(frozen=True)
class _Persona:
    role: str
    name: str
    person_id: str | None
    cleared_restricted: bool = False

    @property
    def email(self) -> str:
        return f"{self.role}@{DEMO_DOMAIN}"


def demo_logins(ws: Workspace) -> list[DemoLogin]:
    """Create (or confirm) one user per role with the demo password; returns the logins in role order."""
    personas = _personas(ws)
    people = set(ws.warehouse.execute(ws.warehouse.table("team").select("person_id"))["person_id"])
    store = WorkflowStore.of(ws)
    try:
        store.check()
        with store.session(actor=ACTOR) as session:
            return [_ensure(session, persona, people) for persona in personas]
    finally:
        store.dispose()


def _ensure(session: Session, persona: _Persona, people: set[str]) -> DemoLogin:
    user = session.scalar(select(User).where(User.email == persona.email))
    if user is None:
        add_user(session, email=persona.email, name=persona.name, role=persona.role, person_id=persona.person_id,
                 known_people=people, cleared_restricted=persona.cleared_restricted)
        session.flush()
        set_password(session, persona.email, DEMO_PASSWORD)
        status = "created"
    else:
        wanted = {"name": persona.name, "role": persona.role, "person_id": persona.person_id,
                  "cleared_restricted": persona.cleared_restricted, "active": True}
        changed = {key: value for key, value in wanted.items() if getattr(user, key) != value}
        for key, value in changed.items():
            setattr(user, key, value)
        session.flush()
        if check_password(session, persona.email, DEMO_PASSWORD) is None:
            set_password(session, persona.email, DEMO_PASSWORD)
            changed["password"] = True
        status = "updated" if changed else "unchanged"
    return DemoLogin(role=persona.role, email=persona.email, password=DEMO_PASSWORD, name=persona.name,
                     person_id=persona.person_id, status=status)


def _personas(ws: Workspace) -> list[_Persona]:
    """Who plays each role, chosen in the warehouse from the loaded team, books and account teams."""
    warehouse = ws.warehouse
    team, accounts, account_team = (warehouse.table(name) for name in ("team", "accounts", "account_team"))
    if team is None or accounts is None or account_team is None or not {"manager_id", "left_at"} <= set(
            team.columns) or "owner_csm_id" not in accounts.columns:
        raise TenureError("demo logins need a loaded demo company: the team (with manager_id and left_at), "
                          "accounts with owner_csm_id and account_team tables; run `tenure demo generate` "
                          "and `tenure load` first")
    current = team.filter(team.left_at.isnull())
    books = accounts.filter(accounts.owner_csm_id.notnull()).group_by(person_id=accounts.owner_csm_id).agg(
        accounts=ibis._.count())
    csm = _first(warehouse, current.filter((current.role == "csm") & current.manager_id.notnull())
                 .join(books, "person_id"), by="accounts", needed="CSM who owns accounts and reports to a manager")
    manager = _first(warehouse, current.filter((current.role == "manager") & (current.person_id == csm["manager_id"])),
                     needed=f"manager of CSM {csm['person_id']}")
    seats = account_team.filter(account_team.role == "ae").group_by("person_id").agg(seats=ibis._.count())
    sales = _first(warehouse, current.filter(current.role == "ae").join(seats, "person_id"), by="seats",
                   needed="account executive on an account team")
    director = _first(warehouse, current.filter(current.role == "director"))
    return [
        _Persona("admin", "Demo Admin", None, cleared_restricted=True),
        _Persona("director", director["name"] if director else "Demo Director",
                 director["person_id"] if director else None),
        _Persona("manager", manager["name"], manager["person_id"]),
        _Persona("csm", csm["name"], csm["person_id"]),
        _Persona("sales", sales["name"], sales["person_id"]),
        _Persona("viewer", "Demo Viewer", None),
    ]


def _first(warehouse, people: ibis.Table, *, by: str | None = None, needed: str | None = None) -> dict | None:
    """The person with the largest `by` (ties, or no `by`: the lowest person_id); a clear error if none and `needed`."""
    order = [ibis.desc(by), "person_id"] if by else ["person_id"]
    found = warehouse.execute(people.order_by(order).select("person_id", "name", "manager_id").limit(1))
    if found.empty:
        if needed is None:
            return None
        raise TenureError(f"demo logins need a {needed} in the loaded team; is this a demo company?")
    return found.iloc[0].to_dict()
