"""`tenure handoffs list [--incomplete] | show ACCOUNT | edit ACCOUNT --field value ...`."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format, options

app = typer.Typer(help="Sales-to-CS handoffs: what was promised in the sale.", no_args_is_help=True)
ACTOR = typer.Option(None, "--as", help="Your user email: decides what you may edit, recorded in the audit log.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="handoffs")


@app.command("list")
def list_handoffs(ctx: typer.Context, incomplete: bool = typer.Option(False, "--incomplete"),
                  fmt: Format = FORMAT) -> None:
    """Every recorded handoff, complete or with the fields it still misses."""
    from tenure.cli.render import frame
    from tenure.workflow.handoffs import listing
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(options(ctx).open())
    store.check()
    with store.session() as session:
        data = listing(session, incomplete=incomplete)
    frame(data, fmt=fmt, title=f"{len(data):,} {'incomplete ' if incomplete else ''}handoff(s)")


@app.command("show")
def show(ctx: typer.Context, account_id: str = typer.Argument(...), fmt: Format = FORMAT) -> None:
    """One account's handoff, field by field."""
    import pandas as pd

    from tenure.cli.render import frame
    from tenure.workflow.handoffs import get
    from tenure.workflow.models import HANDOFF_FIELDS
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(options(ctx).open())
    store.check()
    with store.session() as session:
        handoff = get(session, account_id)
        data = pd.DataFrame([{"field": f, "value": getattr(handoff, f) or "(missing)"} for f in HANDOFF_FIELDS])
    frame(data, fmt=fmt, title=f"Handoff of {account_id}: {'complete' if not handoff.missing else 'incomplete'}")


@app.command("edit")
def edit(
    ctx: typer.Context,
    account_id: str = typer.Argument(...),
    power_users: str = typer.Option(None, "--power-users"),
    pain_point: str = typer.Option(None, "--pain-point"),
    gotchas: str = typer.Option(None, "--gotchas", help="What was promised in the sale that CS must know."),
    success_criteria: str = typer.Option(None, "--success-criteria"),
    stakeholders: str = typer.Option(None, "--stakeholders"),
    promised_integrations: str = typer.Option(None, "--promised-integrations"),
    user: str = ACTOR,
) -> None:
    """Fill or change handoff fields (a handoff is complete when all six are filled)."""
    from tenure.cli.render import console
    from tenure.cli.workflow_common import check_edit
    from tenure.errors import TenureError
    from tenure.workflow.handoffs import edit as edit_handoff
    from tenure.workflow.store import SYSTEM, WorkflowStore

    ws = options(ctx).open()
    changes = {k: v for k, v in {"power_users": power_users, "pain_point": pain_point, "gotchas": gotchas,
                                 "success_criteria": success_criteria, "stakeholders": stakeholders,
                                 "promised_integrations": promised_integrations}.items() if v is not None}
    if not changes:
        raise TenureError("nothing to change: give at least one field (see --help)")
    store = WorkflowStore.of(ws)
    store.check()
    with store.session(actor=user or SYSTEM) as session:
        check_edit(ws, session, user, account_id, "handoff")
        handoff = edit_handoff(session, account_id, changes, actor=user or SYSTEM)
        state = "complete" if not handoff.missing else f"still missing {', '.join(handoff.missing)}"
        console.print(f"Handoff of {account_id} updated ({', '.join(changes)}); {state}.")
