"""What the workflow commands share: opening the migrated store, the acting user, known accounts."""

from __future__ import annotations

import typer

from tenure.cli.context import options

ACTOR = typer.Option(None, "--as", help="Your user email, recorded in the audit log (default: the system user).")


def open_store(ctx: typer.Context):
    """The workspace and its workflow store, checked to be at the code's schema."""
    from tenure.workflow.store import WorkflowStore

    ws = options(ctx).open()
    store = WorkflowStore.of(ws)
    store.check()
    return ws, store


def known_account(ws, account_id: str) -> None:
    """A clear error when the account is not in the loaded accounts table."""
    from tenure.errors import NotFound

    accounts = ws.warehouse.table("accounts")
    if accounts is None or not ws.warehouse.execute(accounts.filter(accounts.account_id == account_id).count()):
        raise NotFound(f"no account with account_id {account_id!r}")


def known_account_ids(ws) -> set[str]:
    """Every loaded account_id (empty before accounts are loaded): what imports check their rows against."""
    accounts = ws.warehouse.table("accounts")
    return set(ws.warehouse.execute(accounts.select("account_id"))["account_id"]) if accounts is not None else set()


def account_people(ws, account_id: str) -> tuple[str | None, set[str]]:
    """The account's loaded owner and its account executives; a clear error for an unknown account."""
    from tenure.errors import NotFound

    accounts = ws.warehouse.table("accounts")
    found = ws.warehouse.execute(accounts.filter(accounts.account_id == account_id)) if accounts is not None else None
    if found is None or found.empty:
        raise NotFound(f"no account with account_id {account_id!r}")
    owner = found.iloc[0].get("owner_csm_id")
    team = ws.warehouse.table("account_team")
    executives = set()
    if team is not None:
        mine = team.filter((team.account_id == account_id) & (team.role == "ae"))
        executives = set(ws.warehouse.execute(mine.select("person_id"))["person_id"])
    return owner, executives


def check_edit(ws, session, user: str | None, account_id: str, what: str) -> None:
    """Refuse when the acting user may not change this account's handoff or success plans."""
    from sqlalchemy import select

    from tenure.errors import NotFound, TenureError
    from tenure.workflow.handoffs import may_edit
    from tenure.workflow.models import User

    owner, executives = account_people(ws, account_id)
    if user is None:
        return
    person = session.scalar(select(User).where(User.email == user))
    if person is None:
        raise NotFound(f"no user {user!r}")
    if not may_edit(person, account_id, owner=owner, executives=executives):
        raise TenureError(f"{user} ({person.role}) may not edit the {what} of {account_id}")


def owner_overrides_of(ws, *, before=None) -> dict[str, str]:
    """The owner reassignments made in tenure (before `before`, when given): they override loaded owners."""
    from tenure.workflow.plans import owner_overrides
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(ws)
    try:
        store.check()
        with store.session() as session:
            return owner_overrides(session, before=before)
    finally:
        store.dispose()
