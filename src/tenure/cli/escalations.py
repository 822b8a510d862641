"""`tenure escalations [list] [--open] | open ACCOUNT | resolve ID`: customer escalations."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format
from tenure.cli.workflow_common import ACTOR, known_account, open_store

app = typer.Typer(help="Customer escalations: severity, owners, time to resolve.", invoke_without_command=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="escalations")


@app.callback()
def default(ctx: typer.Context) -> None:
    """With no subcommand, list the escalations."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_escalations, ctx=ctx, open_only=False, fmt=Format.table)


@app.command("list")
def list_escalations(ctx: typer.Context, open_only: bool = typer.Option(False, "--open"),
                     fmt: Format = FORMAT) -> None:
    from tenure.cli.render import frame
    from tenure.workflow.requests import escalations

    _ws, store = open_store(ctx)
    with store.session() as session:
        data = escalations(session, open_only=open_only)
    frame(data, fmt=fmt, title=f"{len(data):,} escalation(s)")


@app.command("open")
def open_one(ctx: typer.Context, account_id: str = typer.Argument(...),
             severity: str = typer.Option(..., "--severity", help="low, medium, high or critical."),
             summary: str = typer.Option(..., "--summary"),
             executive: str = typer.Option(None, "--executive", help="The executive owner (team person_id)."),
             cross_functional: str = typer.Option(None, "--cross-functional", help="e.g. 'Engineering: J. Doe'."),
             user: str = ACTOR) -> None:
    """Open an escalation (it goes on the account's timeline)."""
    from tenure.cli.render import console
    from tenure.workflow.requests import open_escalation
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    known_account(ws, account_id)
    with store.session(actor=user or SYSTEM) as session:
        escalation = open_escalation(session, account_id, severity=severity, summary=summary, actor=user or SYSTEM,
                                     executive=executive, cross_functional=cross_functional)
        console.print(f"Opened escalation #{escalation.id} ({escalation.severity}) on {account_id}.")


@app.command("resolve")
def resolve(ctx: typer.Context, escalation_id: int = typer.Argument(...), user: str = ACTOR) -> None:
    """Resolve an escalation; the time to resolve is recorded."""
    from tenure.cli.render import console
    from tenure.workflow.requests import resolve_escalation
    from tenure.workflow.store import SYSTEM

    _ws, store = open_store(ctx)
    with store.session(actor=user or SYSTEM) as session:
        escalation = resolve_escalation(session, escalation_id, actor=user or SYSTEM)
        hours = (escalation.resolved_at - escalation.opened_at).total_seconds() / 3600
        console.print(f"Resolved escalation #{escalation.id} after {hours:.0f} hours.")
