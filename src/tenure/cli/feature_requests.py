"""`tenure feature-requests add TITLE --account A | status ID STATUS | list`."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.context import FORMAT, Format
from tenure.cli.workflow_common import ACTOR, known_account, known_account_ids, open_store

app = typer.Typer(help="Feature requests linked to the accounts that asked.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="feature-requests")


@app.command("add")
def add(ctx: typer.Context, title: str = typer.Argument(...), account_id: str = typer.Option(..., "--account"),
        beta: bool = typer.Option(False, "--beta", help="The account joins the beta."), user: str = ACTOR) -> None:
    """Record that an account asked for a feature (creating the request on first ask)."""
    from tenure.cli.render import console
    from tenure.workflow.requests import request_feature
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    known_account(ws, account_id)
    with store.session(actor=user or SYSTEM) as session:
        request = request_feature(session, title, account_id, actor=user or SYSTEM, beta=beta)
        console.print(f"Feature request #{request.id} {request.title!r} ({request.status}): "
                      f"{len(request.accounts)} account(s) asked.")


@app.command("status")
def status(ctx: typer.Context, request_id: int = typer.Argument(...),
           new_status: str = typer.Argument(..., help="under review, planned, beta, shipped or declined."),
           user: str = ACTOR) -> None:
    """Move a request; every requesting account's timeline gets an entry."""
    from tenure.cli.render import console
    from tenure.workflow.requests import set_status
    from tenure.workflow.store import SYSTEM

    _ws, store = open_store(ctx)
    with store.session(actor=user or SYSTEM) as session:
        request, accounts = set_status(session, request_id, new_status, actor=user or SYSTEM)
        console.print(f"Feature request #{request.id} is now {request.status}; {accounts} account timeline(s) "
                      "updated.")


@app.command("import")
def import_file(ctx: typer.Context, path: Path = typer.Argument(..., help="CSV: title, account_id[, status][, beta]."),
                user: str = ACTOR) -> None:
    """Import feature requests from a CSV (a product-board export); all rows or none."""
    import pandas as pd

    from tenure.cli.render import console
    from tenure.errors import NotFound
    from tenure.workflow.requests import import_requests
    from tenure.workflow.store import SYSTEM

    if not path.is_file():
        raise NotFound(f"{path}: no such file")
    ws, store = open_store(ctx)
    known = known_account_ids(ws)
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    with store.session(actor=user or SYSTEM) as session:
        linked, skipped = import_requests(session, rows, known_accounts=known, actor=user or SYSTEM,
                                          source=str(path))
    console.print(f"Imported {linked:,} feature request(s) from {path}; {skipped:,} were already recorded.")


@app.command("list")
def list_requests(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    """Every request and the accounts that asked."""
    from tenure.cli.render import frame
    from tenure.workflow.requests import feature_requests

    _ws, store = open_store(ctx)
    with store.session() as session:
        data = feature_requests(session)
    frame(data, fmt=fmt, title=f"{data['id'].nunique():,} feature request(s)")
