"""Who may do what: each role's permissions, and which accounts a user sees and may change.

Every route names one permission (see `tenure.web.deps.allow`); the account scope then narrows
what the permission reaches. A CSM's scope is their book (the accounts they own, after the
reassignments made in tenure), a manager's the books of the CSMs who report to them (and their
own), a sales user's the accounts where they sit on the account team or own an opportunity;
directors, admins and viewers see every account. Accounts marked `restricted` are outside every
scope unless the user is cleared for them, whatever their role.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

# what each permission lets a user do
PERMISSIONS = {
    "accounts": "read the accounts in their scope (lists, account 360, renewals, CTAs)",
    "company": "read company-wide figures (dashboard, operating model, desk, product feedback, reports)",
    "team": "read each CSM's book and workload (the team page)",
    "write": "add notes, open, close and assign CTAs on accounts in their scope",
    "assign": "assign CTAs to other people (bulk assign)",
    "handoffs": "edit the handoff and success criteria of accounts in their scope",
    "reports": "generate the board pack and account briefs",
    "users": "manage users and their API tokens",
    "self": "their own profile and API tokens",
}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "director": frozenset({"accounts", "company", "team", "write", "assign", "handoffs", "reports", "self"}),
    "manager": frozenset({"accounts", "company", "team", "write", "assign", "handoffs", "reports", "self"}),
    "csm": frozenset({"accounts", "write", "handoffs", "self"}),
    "sales": frozenset({"accounts", "handoffs", "self"}),
    "viewer": frozenset({"accounts", "company", "team", "self"}),
}
WHOLE_COMPANY = frozenset({"admin", "director", "viewer"})


@dataclass(frozen=True)
class Principal:
    """The signed-in user, as the request sees them (a detached copy of the store's row)."""

    user_id: int
    email: str
    name: str
    role: str
    person_id: str | None
    cleared_restricted: bool
    csrf_token: str | None = None  # None for API-token requests, which carry no cookie

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


@dataclass(frozen=True)
class Directory:
    """Every account with its effective owner, restriction and the people around it; built once per data version.

    `accounts` columns: account_id, name, owner (person_id after reassignments), restricted (bool).
    `reports_to`: person_id → manager_id. `sales_people`: account_id → set of person_ids (account
    team members and opportunity owners).
    """

    accounts: pd.DataFrame
    reports_to: dict[str, str]
    sales_people: dict[str, frozenset[str]]
    names: dict[str, str]  # person_id → name

    @cached_property
    def index(self) -> dict[str, tuple[str | None, bool]]:
        """account_id → (owner, restricted): one account's scope is decided without scanning them all."""
        return dict(zip(self.accounts["account_id"],
                        zip(self.accounts["owner"], self.accounts["restricted"].astype(bool), strict=True),
                        strict=True))

    def team_of(self, manager: str) -> set[str]:
        """The manager and the people who report to them."""
        return {manager} | {p for p, boss in self.reports_to.items() if boss == manager}


def scope(principal: Principal, directory: Directory) -> pd.DataFrame:
    """The accounts this user may see (a slice of `directory.accounts`)."""
    accounts = directory.accounts
    if not principal.cleared_restricted:
        accounts = accounts[~accounts["restricted"]]
    if principal.role in WHOLE_COMPANY:
        return accounts
    person = principal.person_id
    if person is None:
        return accounts.iloc[0:0]
    if principal.role == "manager":
        return accounts[accounts["owner"].isin(directory.team_of(person))]
    if principal.role == "csm":
        return accounts[accounts["owner"] == person]
    if principal.role == "sales":
        mine = {a for a, people in directory.sales_people.items() if person in people}
        return accounts[accounts["account_id"].isin(mine)]
    return accounts.iloc[0:0]


def may_see(principal: Principal, directory: Directory, account_id: str) -> bool:
    """Whether the account is in the user's scope (the same rule as `scope`, for one account)."""
    found = directory.index.get(account_id)
    if found is None:
        return False
    owner, restricted = found
    if restricted and not principal.cleared_restricted:
        return False
    if principal.role in WHOLE_COMPANY:
        return True
    person = principal.person_id
    if person is None:
        return False
    if principal.role == "manager":
        return owner in directory.team_of(person)
    if principal.role == "csm":
        return owner == person
    if principal.role == "sales":
        return person in directory.sales_people.get(account_id, ())
    return False


def may_change(principal: Principal, directory: Directory, account_id: str, permission: str = "write") -> bool:
    """Whether the user may make this kind of change to this account (permission and scope both)."""
    return principal.can(permission) and may_see(principal, directory, account_id)
