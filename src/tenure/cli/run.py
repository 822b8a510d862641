"""`tenure run`: materialise revenue tables and store the day's metrics and health; or backfill history."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

RISK_DAYS = 90


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        ctx: typer.Context,
        as_of: str = AS_OF,
        start: str = typer.Option(None, "--from", help="Backfill history from this date (YYYY-MM-DD)."),
        end: str = typer.Option(None, "--to", help="Backfill up to this date (default: --as-of or today)."),
        every: str = typer.Option("week", "--every", help="Backfill step: week or day."),
        fmt: Format = FORMAT,
    ) -> None:
        """Compute revenue tables, account metrics and health as of a date and store the snapshot.

        When a model has been trained (`tenure predict train`), also store churn and expansion
        scores for the date. Then run the playbooks: open CTAs, write digital touches, close
        CTAs whose condition cleared and escalate overdue ones.

        With --from, store a snapshot for every week (or day) from --from to --to: history is
        keyed by date, so re-running a day replaces it.
        """
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from tenure.cli.metrics import show_summary
        from tenure.cli.playbooks import show_playbooks
        from tenure.cli.render import console, errors
        from tenure.history import backfill, dates, snapshot
        from tenure.pipeline import run_pipeline
        from tenure.playbooks.run import run_playbooks
        from tenure.predict.score import score
        from tenure.predict.store import latest
        from tenure.views.health import band_summary
        from tenure.views.revenue import revenue_summary

        ws = options(ctx).open()
        if start is None and end is not None:
            raise typer.BadParameter("--to needs --from")
        when = parse_date(end if end is not None else as_of, name="--to" if end is not None else "--as-of")
        days = dates(parse_date(start, name="--from"), when, every) if start is not None else []
        written = run_pipeline(ws, as_of=when)  # after every option is checked: a rejected run changes nothing
        if start is not None:
            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=errors, transient=True) as bar:
                task = bar.add_task("health history", total=len(days))
                for day, _rows in backfill(ws, days):
                    bar.update(task, advance=1, description=f"health history: stored {day}")
            stored = f"health history: {len(days)} snapshots from {days[0]} to {days[-1]}, every {every}"
        else:
            rows = snapshot(ws, as_of=when)
            stored = f"health history for {when}: " + ", ".join(f"{n} ({r:,} rows)" for n, r in rows.items())
        model = latest(ws, required=False)
        if model is not None:  # only the run's own date: a model must never score days it learned from
            version, scored = score(ws, as_of=when)
            due = scored[scored["days_to_renewal"] <= RISK_DAYS]
            stored += (f"; churn and expansion scores of {len(scored):,} accounts by model v{version} "
                       f"({len(due):,} renewals in {RISK_DAYS} days, expected churn "
                       f"{(due['arr'] * due['churn_probability']).sum():,.0f} ARR)")
        outcome = run_playbooks(ws, as_of=when)  # rules act on the run's own date only
        if fmt is Format.table:
            console.print("Stored: " + ", ".join(f"{name} ({rows:,} rows)" for name, rows in written.items()))
            console.print(f"Stored: {stored}")
            show_playbooks(outcome)
        show_summary(revenue_summary(ws, as_of=when), fmt, health=band_summary(ws, as_of=when))
