"""`tenure run`: compute the derived tables as of a date and print the headline numbers."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(ctx: typer.Context, as_of: str = AS_OF, fmt: Format = FORMAT) -> None:
        """Run the pipeline: materialise revenue tables as of a date, then show the headline."""
        from tenure.cli.metrics import show_summary
        from tenure.cli.render import console
        from tenure.pipeline import run_pipeline

        ws = options(ctx).open()
        when = parse_date(as_of)
        written = run_pipeline(ws, as_of=when)
        if fmt is Format.table:
            console.print("Derived tables: " + ", ".join(f"{name} ({rows:,} rows)" for name, rows in written.items()))
        from tenure.views.revenue import revenue_summary

        show_summary(revenue_summary(ws, as_of=when), fmt)
