"""`tenure notes add ACCOUNT --text TEXT`: a note on the account's timeline."""

from __future__ import annotations

import typer

from tenure.cli.workflow_common import ACTOR, known_account, open_store

app = typer.Typer(help="Notes on the account timeline.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="notes")


@app.command("add")
def add(ctx: typer.Context, account_id: str = typer.Argument(...), text: str = typer.Option(..., "--text"),
        user: str = ACTOR) -> None:
    """Write a note on an account (shown by `tenure account ID`)."""
    from tenure.cli.render import console
    from tenure.workflow.store import SYSTEM
    from tenure.workflow.timeline import add_note

    ws, store = open_store(ctx)
    known_account(ws, account_id)
    with store.session(actor=user or SYSTEM) as session:
        add_note(session, account_id, text, actor=user or SYSTEM)
    console.print(f"Note added to {account_id}.")
