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
