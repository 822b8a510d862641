"""`tenure load PATH...`: validate files and load them into the warehouse, all or nothing."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenure.cli.context import options
from tenure.cli.problems import show_warnings
from tenure.cli.render import console, errors


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load(
        ctx: typer.Context,
        paths: list[Path] = typer.Argument(..., help="CSV or Parquet files, or folders of them."),
        table: str = typer.Option(None, "--table", "-t", help="Load every file into this table."),
        timezone: str = typer.Option(None, "--timezone", help="Zone of timestamps written without an offset."),
    ) -> None:
        """Load data-contract files; every problem is listed and nothing changes if any is found."""
        from tenure.contract.load import load_sources, steps
        from tenure.contract.sources import collect

        ws = options(ctx).open()
        sources = collect(paths, table=table)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=errors, transient=True) as progress:
            task = progress.add_task("loading", total=steps(sources))

            def tick(step: str) -> None:
                progress.update(task, description=step, advance=1)

            report = load_sources(sources, warehouse=ws.warehouse, timezone=timezone,
                                  base_currency=ws.config.base_currency, progress=tick)
        if report.warnings:
            show_warnings(report.warnings, report.warning_totals)
        summary = Table(title="Loaded")
        for column in ("table", "rows read", "inserted", "updated", "unchanged", "rows in table"):
            summary.add_column(column, justify="left" if column == "table" else "right")
        for name, change in report.changes.items():
            summary.add_row(name, f"{change.read:,}", f"{change.inserted:,}", f"{change.updated:,}",
                            f"{change.unchanged:,}", f"{change.total:,}")
        console.print(summary)
