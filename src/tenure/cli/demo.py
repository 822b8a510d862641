"""`tenure demo generate`: write a simulated B2B SaaS company in the data contract; `tenure demo logins`: its users."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tenure.cli.context import FORMAT, Format, options, parse_date
from tenure.cli.render import console, errors

app = typer.Typer(help="The demo company simulator.", no_args_is_help=True)


@app.command("generate")
def generate(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the company's files into."),
    accounts: int = typer.Option(1000, "--accounts", min=1, help="Number of customer accounts."),
    months: int = typer.Option(36, "--months", min=1, max=240, help="Months of history."),
    seed: int = typer.Option(7, "--seed", help="Random seed; the same seed gives the same company."),
    end: str = typer.Option(None, "--end", help="Last day of history (default: last month-end before today)."),
    file_format: str = typer.Option("parquet", "--file-format", help="parquet or csv."),
    requests: Path = typer.Option(None, "--requests", help="Also write the customers' feature requests to this CSV "
                                                           "(for `tenure feature-requests import`)."),
    references: Path = typer.Option(None, "--references", help="Also write past advocacy records (reference calls, "
                                                               "referrals, ...) to this CSV (for `tenure desk "
                                                               "advocacy import`)."),
    calls: Path = typer.Option(None, "--calls", help="Also write the renewal owners' forecast calls to this CSV "
                                                     "(for `tenure desk calls import`)."),
) -> None:
    """Generate a deterministic demo company (accounts, subscriptions, usage, team, CRM)."""
    from tenure.demo.simulator import generate as simulate
    from tenure.errors import TenureError

    if file_format not in ("parquet", "csv"):
        raise TenureError(f"--file-format must be parquet or csv, not {file_format!r}")
    last_day = parse_date(end, name="--end") if end else None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=errors, transient=True) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        rows = simulate(out, accounts=accounts, months=months, seed=seed, end=last_day,
                        file_format=file_format, progress=report)
    summary = ", ".join(f"{name} {count:,}" for name, count in rows.items())
    console.print(f"Wrote a demo company to {out} ({summary}).")
    if requests is not None:
        from tenure.demo.requests import write_requests

        written = write_requests(out, requests, seed=seed)
        console.print(f"Wrote {written:,} feature requests to {requests}.")
    if references is not None:
        from tenure.demo.references import write_references

        written = write_references(out, references, seed=seed)
        console.print(f"Wrote {written:,} advocacy records to {references}.")
    if calls is not None:
        import datetime as dt

        from tenure.demo.calls import write_calls
        from tenure.demo.timeline import last_month_end_before

        written = write_calls(out, calls, end=last_day or last_month_end_before(dt.date.today()), seed=seed)
        console.print(f"Wrote {written:,} forecast calls to {calls}.")


@app.command("logins")
def logins(ctx: typer.Context,
           url: str = typer.Option("http://127.0.0.1:8000", "--url", help="Where `tenure serve` answers."),
           fmt: Format = FORMAT) -> None:
    """Create one web login per role on the loaded demo company (idempotent) and print them with their start pages."""
    import pandas as pd

    from tenure.cli.render import frame
    from tenure.demo.logins import demo_logins
    from tenure.web.access import ROLE_PERMISSIONS

    rows = demo_logins(options(ctx).open())
    base = url.rstrip("/")
    table = pd.DataFrame([{"role": r.role, "name": r.name, "person_id": r.person_id, "email": r.email,
                           "password": r.password, "opens": base + ("/" if "company" in ROLE_PERMISSIONS[r.role]
                                                                    else "/book"), "status": r.status}
                          for r in rows])
    frame(table, fmt=fmt, title=f"Demo logins: sign in at {base}/login")
