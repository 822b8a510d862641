"""`tenure load PATH...`: validate files and load them into the warehouse, all or nothing."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tenure.cli.context import options
from tenure.cli.problems import show_warnings
from tenure.cli.render import console, errors

MAPPING = typer.Option(None, "--mapping", "-m", help="A mapping file (docs/sources.md) that reads exports "
                       "not in the data contract's format; repeatable.")
PRESET = typer.Option(None, "--preset", "-p", help="A mapping shipped with tenure, by name (see `tenure sources "
                      "presets`); repeatable.")


def register(app: typer.Typer) -> None:
    @app.command("load")
    def load(
        ctx: typer.Context,
        paths: list[Path] = typer.Argument(..., help="CSV, Parquet or JSON files, or folders of them."),
        table: str = typer.Option(None, "--table", "-t", help="Load every file into this table."),
        timezone: str = typer.Option(None, "--timezone", help="Zone of timestamps written without an offset."),
        mapping: list[Path] = MAPPING,
        preset: list[str] = PRESET,
    ) -> None:
        """Load data-contract files, or exports through a mapping; every problem is listed and nothing
        changes if any is found."""
        from tenure.contract.load import steps
        from tenure.contract.mapping.files import choose
        from tenure.contract.mapping.loading import load_planned
        from tenure.contract.mapping.plan import plan

        ws = options(ctx).open()
        chosen = choose(mapping_files=mapping, preset_names=preset, configured=ws.config.sources, workspace=ws.root)
        planned = plan(paths, chosen, table=table)
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      console=errors, transient=True) as progress:
            task = progress.add_task("loading", total=steps(planned.sources))

            def tick(step: str) -> None:
                progress.update(task, description=step, advance=1)

            report = load_planned(planned, warehouse=ws.warehouse, timezone=timezone,
                                  base_currency=ws.config.base_currency, progress=tick)
        if report.warnings:
            show_warnings(report.warnings, report.warning_totals)
        console.print(changes_table(report.changes, title="Loaded"))


def changes_table(changes: dict, *, title: str) -> Table:
    """Rows read, inserted, updated and unchanged per table."""
    summary = Table(title=title)
    for column in ("table", "rows read", "inserted", "updated", "unchanged", "rows in table"):
        summary.add_column(column, justify="left" if column == "table" else "right")
    for name, change in changes.items():
        summary.add_row(name, f"{change.read:,}", f"{change.inserted:,}", f"{change.updated:,}",
                        f"{change.unchanged:,}", f"{change.total:,}")
    return summary
