"""`tenure ctas [list] | close ID --note | assign ID... --to PERSON`: the calls-to-action queue."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format, options, parse_date

app = typer.Typer(help="Calls to action: the queue, closing with a note, assigning.", invoke_without_command=True)
ACTOR = typer.Option(None, "--as", help="Your user email (recorded in the audit log); default: the system user.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="ctas")


@app.callback()
def default(ctx: typer.Context) -> None:
    """With no subcommand, list the open CTAs."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_ctas, ctx=ctx, mine=False, user=None, owner=None, kind=None, overdue=False, status="open",
                   today=None, fmt=Format.table)


@app.command("list")
def list_ctas(
    ctx: typer.Context,
    mine: bool = typer.Option(False, "--mine", help="Only CTAs owned by the user given with --as."),
    user: str = ACTOR,
    owner: str = typer.Option(None, "--owner", help="Only CTAs of this team person_id."),
    kind: str = typer.Option(None, "--kind", help="risk, expansion, lifecycle or renewal."),
    overdue: bool = typer.Option(False, "--overdue", help="Only open CTAs past their due date."),
    status: str = typer.Option("open", "--status", help="open, closed or all."),
    today: str = typer.Option(None, "--today", help="Date overdue is counted from (default today)."),
    fmt: Format = FORMAT,
) -> None:
    """The queue: most overdue, then most urgent first."""
    from tenure.cli.render import frame
    from tenure.errors import TenureError
    from tenure.workflow.ctas import person_of, queue
    from tenure.workflow.store import WorkflowStore

    if status not in ("open", "closed", "all"):
        raise TenureError(f"--status must be open, closed or all, not {status!r}")
    if mine and user is None:
        raise TenureError("--mine needs --as EMAIL (the user whose CTAs to show)")
    store = WorkflowStore.of(options(ctx).open())
    store.check()
    with store.session() as session:
        if mine:
            owner = person_of(session, user)
        data = queue(session, today=parse_date(today, name="--today"), owner=owner, kind=kind, overdue=overdue,
                     status=status)
    title = f"{len(data):,} {status if status != 'all' else ''} CTA(s)".replace("  ", " ")
    frame(data if fmt is not Format.table else data.drop(columns=["opened_at"]), fmt=fmt, title=title)


@app.command("close")
def close_cta(ctx: typer.Context, cta_id: int = typer.Argument(..., help="The CTA's id."),
              note: str = typer.Option(..., "--note", help="What was done."), user: str = ACTOR) -> None:
    """Close a CTA with a note; the note goes on the account's timeline."""
    from tenure.cli.render import console
    from tenure.workflow.ctas import close_cta as close_one
    from tenure.workflow.store import SYSTEM, WorkflowStore

    store = WorkflowStore.of(options(ctx).open())
    store.check()
    with store.session(actor=user or SYSTEM) as session:
        cta = close_one(session, cta_id, note, actor=user or SYSTEM)
        console.print(f"Closed CTA #{cta.id} on {cta.account_id}: {cta.close_note}")


@app.command("assign")
def assign(ctx: typer.Context, cta_ids: list[int] = typer.Argument(..., help="One or more CTA ids."),
           to: str = typer.Option(..., "--to", help="The team person_id who takes them."), user: str = ACTOR) -> None:
    """Assign CTAs to a team member (all or none)."""
    from tenure.cli.render import console
    from tenure.errors import TenureError
    from tenure.workflow.ctas import assign as assign_all
    from tenure.workflow.store import SYSTEM, WorkflowStore

    ws = options(ctx).open()
    team = ws.warehouse.table("team")
    if team is not None and to not in set(ws.warehouse.execute(team.select("person_id"))["person_id"]):
        raise TenureError(f"--to {to!r} is not a person_id of the loaded team table")
    store = WorkflowStore.of(ws)
    store.check()
    with store.session(actor=user or SYSTEM) as session:
        done = assign_all(session, cta_ids, to, actor=user or SYSTEM)
        console.print(f"Assigned {len(done)} CTA(s) to {to}: {', '.join(f'#{c.id}' for c in done)}")
