"""`tenure users add EMAIL --name --role [--person]` and `tenure users list`."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format, options

app = typer.Typer(help="Users of the workflow store and the web app.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="users")


@app.command("add")
def add(ctx: typer.Context, email: str = typer.Argument(...), name: str = typer.Option(..., "--name"),
        role: str = typer.Option(..., "--role", help="admin, director, manager, csm, sales or viewer."),
        person: str = typer.Option(None, "--person", help="The team person_id this user is (their book).")) -> None:
    """Add a user (the first one is usually the admin)."""
    from tenure.cli.render import console
    from tenure.workflow.store import WorkflowStore
    from tenure.workflow.users import add_user

    ws = options(ctx).open()
    team = ws.warehouse.table("team")
    people = set(ws.warehouse.execute(team.select("person_id"))["person_id"]) if team is not None else None
    store = WorkflowStore.of(ws)
    store.check()
    with store.session() as session:
        user = add_user(session, email=email, name=name, role=role, person_id=person, known_people=people)
        console.print(f"Added {user.role} {user.name} <{user.email}>"
                      + (f", team person {user.person_id}" if user.person_id else "") + ".")


@app.command("list")
def list_users(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    """Every user with role and team person."""
    import pandas as pd
    from sqlalchemy import select

    from tenure.cli.render import frame
    from tenure.workflow.models import User
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(options(ctx).open())
    store.check()
    with store.session() as session:
        rows = [{"email": u.email, "name": u.name, "role": u.role, "person_id": u.person_id, "active": u.active}
                for u in session.scalars(select(User).order_by(User.email))]
    frame(pd.DataFrame(rows, columns=["email", "name", "role", "person_id", "active"]), fmt=fmt, title="Users")
