"""`tenure success-plans add|criterion|done|list` and `tenure owners assign`."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format
from tenure.cli.workflow_common import ACTOR, check_edit, known_account, open_store

app = typer.Typer(help="Success plans: objectives and success criteria tracked to done.", no_args_is_help=True)
owners = typer.Typer(help="Account ownership set in tenure (overrides the loaded owner).", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="success-plans")
    root.add_typer(owners, name="owners")


@app.command("add")
def add(ctx: typer.Context, account_id: str = typer.Argument(...), objective: str = typer.Option(..., "--objective"),
        user: str = ACTOR) -> None:
    """Start a success plan for an account."""
    from tenure.cli.render import console
    from tenure.workflow.plans import add_plan
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    with store.session(actor=user or SYSTEM) as session:
        check_edit(ws, session, user, account_id, "success plans")
        plan = add_plan(session, account_id, objective, actor=user or SYSTEM)
        console.print(f"Success plan #{plan.id} for {account_id}: {plan.objective}")


@app.command("criterion")
def criterion(ctx: typer.Context, plan_id: int = typer.Argument(...), text: str = typer.Option(..., "--text"),
              before_signature: bool = typer.Option(False, "--agreed-before-signature"), user: str = ACTOR) -> None:
    """Add a success criterion to a plan."""
    from tenure.cli.render import console
    from tenure.workflow.plans import add_criterion
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    with store.session(actor=user or SYSTEM) as session:
        row = add_criterion(session, plan_id, text, before_signature=before_signature)
        check_edit(ws, session, user, row.plan.account_id, "success plans")
        console.print(f"Criterion #{row.id} added to plan #{plan_id}.")


@app.command("done")
def done(ctx: typer.Context, criterion_id: int = typer.Argument(...), evidence: str = typer.Option(..., "--evidence"),
         user: str = ACTOR) -> None:
    """Mark a criterion met, with the evidence."""
    from tenure.cli.render import console
    from tenure.workflow.plans import complete
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    with store.session(actor=user or SYSTEM) as session:
        row = complete(session, criterion_id, evidence, actor=user or SYSTEM)
        check_edit(ws, session, user, row.plan.account_id, "success plans")
        console.print(f"Criterion #{row.id} met; plan #{row.plan.id} is {row.plan.status}.")


@app.command("list")
def list_plans(ctx: typer.Context, account_id: str = typer.Option(None, "--account"), fmt: Format = FORMAT) -> None:
    from tenure.cli.render import frame
    from tenure.workflow.plans import plans

    _ws, store = open_store(ctx)
    with store.session() as session:
        data = plans(session, account_id)
    frame(data, fmt=fmt, title=f"{data['plan'].nunique():,} success plan(s)")


@owners.command("assign")
def assign(ctx: typer.Context, account_id: str = typer.Argument(...), to: str = typer.Option(..., "--to"),
           reason: str = typer.Option(None, "--reason"), user: str = ACTOR) -> None:
    """Make a team member the account's owner (rules, CTAs and books follow it)."""
    from tenure.cli.render import console
    from tenure.errors import TenureError
    from tenure.workflow.plans import reassign
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    known_account(ws, account_id)
    team = ws.warehouse.table("team")
    if team is not None and to not in set(ws.warehouse.execute(team.select("person_id"))["person_id"]):
        raise TenureError(f"--to {to!r} is not a person_id of the loaded team table")
    with store.session(actor=user or SYSTEM) as session:
        reassign(session, account_id, to, reason=reason, actor=user or SYSTEM)
    console.print(f"{account_id} is now owned by {to} in tenure (the loaded owner is overridden).")
