"""`tenure sources check|suggest|presets`: exports from other systems, mapped to the data contract.

`check` is a dry run of `tenure load --mapping/--preset`: the same reading, mapping and
checks, the first rows as they would be stored, every problem, and what a load would change;
nothing is loaded. `suggest` writes a first mapping for an unknown export to standard output.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from tenure.cli.context import FORMAT, Format, options
from tenure.cli.load import MAPPING, PRESET, changes_table
from tenure.cli.problems import describe, show_warnings
from tenure.cli.render import console, dump_json, errors
from tenure.errors import DataContractError, TenureError

app = typer.Typer(help="Exports from other systems: check a mapping without loading, suggest one, list presets.",
                  no_args_is_help=True)



class CheckFailed(TenureError):
    """The files have problems: a load would be rejected (the exit code of a rejected load)."""

    exit_code = DataContractError.exit_code


@app.command("check")
def check(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="Export files, or folders of them."),
    mapping: list[Path] = MAPPING,
    preset: list[str] = PRESET,
    table: str = typer.Option(None, "--table", "-t", help="Table of files no mapping matches."),
    timezone: str = typer.Option(None, "--timezone", help="Zone of timestamps written without an offset."),
    rows: int = typer.Option(5, "--rows", min=0, max=100, help="How many rows of each file to show mapped."),
    fmt: Format = FORMAT,
) -> None:
    """Read the files through the mapping and check them as a load would, without loading anything."""
    from tenure.contract.mapping.files import choose
    from tenure.contract.mapping.loading import check as dry_run
    from tenure.contract.mapping.plan import plan
    from tenure.errors import NotFound
    from tenure.warehouse import Warehouse

    opts = options(ctx)
    try:
        ws = opts.open()
    except NotFound:
        if opts.workspace is not None:
            raise
        ws = None  # no workspace here: check against an empty warehouse
    chosen = choose(mapping_files=mapping, preset_names=preset, configured=ws.config.sources if ws else None,
                    workspace=ws.root if ws else None)
    planned = plan(files, chosen, table=table)
    warehouse = ws.warehouse if ws else Warehouse("duckdb://")
    report = dry_run(planned, warehouse=warehouse, timezone=timezone,
                     base_currency=ws.config.base_currency if ws else "USD", rows=rows)
    if fmt is Format.json:
        dump_json({
            "workspace": str(ws.root) if ws else None,
            "files": [asdict(f) for f in report.files],
            "problems": [asdict(p) for p in report.problems],
            "problem_totals": report.totals,
            "warnings": [asdict(w) for w in report.warnings],
            "changes": {name: asdict(c) for name, c in report.changes.items()} if report.changes is not None
            else None,
        })
    else:
        if ws is None:
            errors.print("no workspace here: references are checked against the files given only")
        for found in report.files:
            _show_file(found, rows)
        if report.problems:
            _show_problems(report.problems, report.totals)
        else:
            if report.warnings:
                show_warnings(report.warnings, report.warning_totals)
            console.print(changes_table(report.changes or {}, title="A load would change (nothing was loaded)"))
    if report.problems:
        count = sum(report.totals.values()) or len(report.problems)
        raise CheckFailed(f"{count:,} problem(s): a load would be rejected. Nothing was loaded.")


def _show_file(found, rows: int) -> None:
    how = f"read by {found.mapping}" if found.mapping else "in the data contract's format"
    console.print(f"\n[bold]{escape(found.file)}[/] → {found.table}  ({escape(how)})", highlight=False)
    columns = Table(title=f"Columns of the file ({len(found.columns)})", title_justify="left")
    columns.add_column("column")
    columns.add_column("fills")
    for column in found.columns:
        columns.add_row(escape(column), ", ".join(found.used.get(column, [])) or "[dim]not used[/]")
    console.print(columns)
    filled = Table(title=f"{found.table} columns filled", title_justify="left")
    filled.add_column("column")
    filled.add_column("from")
    for column, source in found.filled.items():
        filled.add_row(column, escape(source))
    console.print(filled)
    if found.preview:
        shown = ["row"] + [c for c in found.preview[0] if c != "row" and (c in found.filled or any(
            r[c] is not None for r in found.preview))]
        preview = Table(title=f"First {min(rows, len(found.preview))} rows, as they would be stored",
                        title_justify="left")
        for column in shown:
            preview.add_column(column)
        for row in found.preview:
            preview.add_row(*(escape(row[c]) if row[c] is not None else "[dim]—[/]" for c in shown))
        console.print(preview)


def _show_problems(problems, totals: dict[str, int]) -> None:
    grouped = defaultdict(list)
    for problem in problems:
        grouped[problem.rule].append(problem)
    for rule, found in grouped.items():
        errors.print(f"[bold]rule {rule}[/]:")
        for problem in found:
            errors.print("  " + escape(describe(problem)), highlight=False, soft_wrap=True)
    if totals:
        errors.print("[bold]rows per rule[/] (the first 10 of each are listed above):")
        for where, n in totals.items():
            errors.print(f"  {escape(where)}: {n:,}", highlight=False)


@app.command("suggest")
def suggest(
    file: Path = typer.Argument(..., help="An export file (CSV, Parquet or JSON)."),
    table: str = typer.Option(None, "--table", "-t", help="The contract table it feeds (default: the best fit)."),
    rows: int = typer.Option(500, "--rows", min=1, max=100_000, help="How many rows to sample."),
) -> None:
    """Print a first mapping for an export, from its column names and sampled values, to edit."""
    from tenure.contract.mapping.suggest import suggest as propose
    from tenure.errors import NotFound

    if not file.is_file():
        raise NotFound(f"{file}: no such file")
    console.out(propose(file, table=table, rows=rows).text, end="", highlight=False)


@app.command("presets")
def presets(fmt: Format = FORMAT) -> None:
    """The mappings shipped with tenure, for `--preset NAME`."""
    from tenure.contract.mapping.files import preset_description
    from tenure.contract.mapping.files import presets as known

    listed = [{"preset": name, "description": preset_description(name), "file": str(path)}
              for name, path in known().items()]
    if fmt is Format.json:
        dump_json({"presets": listed})
        return
    shown = Table(title="Presets (tenure load --preset NAME FILE...)", title_justify="left")
    shown.add_column("preset")
    shown.add_column("description")
    for item in listed:
        shown.add_row(item["preset"], escape(item["description"]))
    console.print(shown)
