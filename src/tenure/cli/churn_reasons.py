"""`tenure churn-reasons add ACCOUNT --reason R ... | list | import-crm`: why ARR was lost."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format, parse_date
from tenure.cli.workflow_common import ACTOR, known_account, open_store

app = typer.Typer(help="Churn reasons and exit interviews.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="churn-reasons")


@app.command("add")
def add(
    ctx: typer.Context,
    account_id: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Primary reason, from churn_reasons.reasons in tenure.yaml."),
    secondary: str = typer.Option(None, "--secondary", help="Secondary reason, from the same taxonomy."),
    movement: str = typer.Option("churn", "--movement", help="churn or contraction."),
    arr_lost: float = typer.Option(..., "--arr-lost", help="ARR lost."),
    on: str = typer.Option(None, "--on", help="When it happened (default today)."),
    competitor: str = typer.Option(None, "--competitor"),
    stay: str = typer.Option(None, "--stay", help="What would have made them stay, in their words."),
    interviewed: bool = typer.Option(False, "--interviewed", help="The answer comes from an exit interview "
                                                                  "(closes the open exit-interview CTA)."),
    user: str = ACTOR,
) -> None:
    """Record a churn or contraction reason."""
    from tenure.cli.render import console
    from tenure.workflow.churn import record
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    known_account(ws, account_id)
    with store.session(actor=user or SYSTEM) as session:
        row = record(session, ws.config.churn_reasons, account_id=account_id, occurred_on=parse_date(on, name="--on"),
                     movement=movement, arr_lost=arr_lost, primary=reason, secondary=secondary, competitor=competitor,
                     stay_condition=stay, interviewed=interviewed, actor=user or SYSTEM)
        console.print(f"Recorded: {row.movement} of {row.arr_lost:,.0f} ARR at {account_id}, {row.primary_reason} "
                      f"({'voluntary' if row.voluntary else 'involuntary'}).")


@app.command("import-crm")
def import_crm(ctx: typer.Context, user: str = ACTOR) -> None:
    """Import the reasons of lost renewals from the loaded opportunities (status lost, churn_reason set)."""
    from tenure.cli.render import console
    from tenure.errors import NotFound
    from tenure.workflow.churn import import_from_crm
    from tenure.workflow.store import SYSTEM

    ws, store = open_store(ctx)
    opportunities = ws.warehouse.table("opportunities")
    if opportunities is None:
        raise NotFound("no opportunities are loaded in this workspace")
    lost = opportunities.filter((opportunities.status == "lost") & opportunities.churn_reason.notnull())
    frame = ws.warehouse.execute(lost.select("account_id", "close_date", "amount", "churn_reason"))
    with store.session(actor=user or SYSTEM) as session:
        imported, present = import_from_crm(session, ws.config.churn_reasons, frame, actor=user or SYSTEM)
    console.print(f"Imported {imported:,} churn reason(s) from lost renewals; {present:,} were already recorded.")


@app.command("list")
def list_reasons(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    """Every recorded reason, newest first."""
    import pandas as pd
    from sqlalchemy import select

    from tenure.cli.render import frame
    from tenure.workflow.models import ChurnReason

    _ws, store = open_store(ctx)
    with store.session() as session:
        rows = [{"account_id": r.account_id, "occurred_on": r.occurred_on, "movement": r.movement,
                 "arr_lost": r.arr_lost, "reason": r.primary_reason, "secondary": r.secondary_reason,
                 "voluntary": r.voluntary, "competitor": r.competitor, "interviewed": r.interviewed}
                for r in session.scalars(select(ChurnReason).order_by(ChurnReason.occurred_on.desc()))]
    frame(pd.DataFrame(rows), fmt=fmt, title=f"{len(rows):,} churn reason(s)")
