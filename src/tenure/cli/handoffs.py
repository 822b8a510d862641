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
    from sqlalchemy import select

    from tenure.cli.render import console
    from tenure.errors import NotFound, TenureError
    from tenure.workflow.handoffs import edit as edit_handoff
    from tenure.workflow.handoffs import may_edit
    from tenure.workflow.models import User
    from tenure.workflow.store import SYSTEM, WorkflowStore

    ws = options(ctx).open()
    changes = {k: v for k, v in {"power_users": power_users, "pain_point": pain_point, "gotchas": gotchas,
                                 "success_criteria": success_criteria, "stakeholders": stakeholders,
                                 "promised_integrations": promised_integrations}.items() if v is not None}
    if not changes:
        raise TenureError("nothing to change: give at least one field (see --help)")
    owner, executives = _account_people(ws, account_id)
    store = WorkflowStore.of(ws)
    store.check()
    with store.session(actor=user or SYSTEM) as session:
        person = None
        if user is not None:
            person = session.scalar(select(User).where(User.email == user))
            if person is None:
                raise NotFound(f"no user {user!r}")
        if not may_edit(person, account_id, owner=owner, executives=executives):
            raise TenureError(f"{user} ({person.role}) may not edit the handoff of {account_id}")
        handoff = edit_handoff(session, account_id, changes, actor=user or SYSTEM)
        state = "complete" if not handoff.missing else f"still missing {', '.join(handoff.missing)}"
        console.print(f"Handoff of {account_id} updated ({', '.join(changes)}); {state}.")


def _account_people(ws, account_id: str) -> tuple[str | None, set[str]]:
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
