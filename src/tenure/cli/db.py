"""`tenure db upgrade`: migrate the workflow store to the schema of this version of tenure."""

from __future__ import annotations

import typer

from tenure.cli.context import options

app = typer.Typer(help="The workflow store (CTAs, notes, handoffs, users): migrations.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply every pending migration to the workflow store (safe to run again)."""
    from tenure.cli.render import console
    from tenure.workflow.store import WorkflowStore

    store = WorkflowStore.of(options(ctx).open())
    revision = store.upgrade()
    console.print(f"Workflow store {store.safe_url} is at revision {revision}.")
