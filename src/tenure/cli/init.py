"""`tenure init DIR`: create a workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from tenure.cli.render import console


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        directory: Path = typer.Argument(..., help="Folder to create the workspace in."),
        base_currency: str = typer.Option("USD", "--base-currency", help="ISO 4217 code amounts are reported in."),
        warehouse: str = typer.Option(None, "--warehouse", help="Ibis URL of the warehouse (default: DuckDB file)."),
    ) -> None:
        """Create a workspace: tenure.yaml with defaults, the migrated workflow store, the warehouse on first load."""
        from tenure.workflow.store import WorkflowStore
        from tenure.workspace import Workspace

        ws = Workspace.init(directory, base_currency=base_currency, warehouse_url=warehouse)
        console.print(f"Created workspace {ws.root} (base currency {ws.config.base_currency}, "
                      f"warehouse {ws.warehouse.url}, workflow store {WorkflowStore.of(ws).safe_url}).")
