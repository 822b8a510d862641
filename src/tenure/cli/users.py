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
        person: str = typer.Option(None, "--person", help="The team person_id this user is (their book)."),
        cleared: bool = typer.Option(False, "--cleared", help="May see accounts marked restricted.")) -> None:
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
        user = add_user(session, email=email, name=name, role=role, person_id=person, known_people=people,
                        cleared_restricted=cleared)
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


@app.command("password")
def password(ctx: typer.Context, email: str = typer.Argument(...),
             stdin: bool = typer.Option(False, "--stdin", help="Read it from standard input.")) -> None:
    """Set a user's password for the web app (asked twice, not echoed); signs out their browsers."""
    import sys

    from tenure.cli.render import console
    from tenure.cli.workflow_common import open_store
    from tenure.workflow.credentials import set_password

    secret = sys.stdin.readline().rstrip("\n") if stdin else typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True)
    _ws, store = open_store(ctx)
    with store.session() as session:
        set_password(session, email, secret)
    console.print(f"Password set for {email}.")


@app.command("token")
def token(ctx: typer.Context, email: str = typer.Argument(...),
          name: str = typer.Option(..., "--name", help="What the token is for (a script's name).")) -> None:
    """Issue an API token for a user's scripts; it is printed once (tenure keeps only its hash)."""
    from tenure.cli.render import console
    from tenure.cli.workflow_common import open_store
    from tenure.workflow.credentials import issue_token

    _ws, store = open_store(ctx)
    with store.session() as session:
        secret = issue_token(session, email, name)
    console.print(f"API token for {email} ({name}); copy it now, it is not shown again:")
    print(secret)
