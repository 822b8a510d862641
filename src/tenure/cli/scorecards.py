"""`tenure scorecards`: per CSM or manager's team and period — book GRR/NRR against target, renewals,
touch cadence, CTAs on time, red ARR and value delivered — with the history over periods."""

from __future__ import annotations

import typer

from tenure.cli.context import FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("scorecards")
    def scorecards(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="2026Q3 (a quarter), 2026-07 (a month) or 2026 (a year)."),
        periods: int = typer.Option(1, "--periods", min=1, max=12, help="Also the N−1 periods before it (history)."),
        by: str = typer.Option("csm", "--by", help="csm or manager (the manager's whole team as one book)."),
        book: str = typer.Option(None, "--book", help="Only this CSM or manager (person_id)."),
        as_of: str = typer.Option(None, "--as-of", help="Measure a running period up to this date (default today)."),
        fmt: Format = FORMAT,
    ) -> None:
        """Team scorecards for performance reviews, one row per book and period."""
        import datetime as dt

        from tenure.cli.render import console, frame
        from tenure.cli.workflow_common import owner_overrides_of
        from tenure.operating.periods import parse_period
        from tenure.views.scorecards import scorecards_view
        from tenure.workflow.ctas import due_between
        from tenure.workflow.store import WorkflowStore

        ws = options(ctx).open()
        when = parse_date(as_of)
        asked = parse_period(period, fiscal_year_start_month=ws.config.fiscal_year_start_month)
        store = WorkflowStore.of(ws)
        store.check()

        def owners_before(day: dt.date) -> dict[str, str]:
            return owner_overrides_of(ws, before=dt.datetime.combine(day, dt.time()))

        def ctas_between(start: dt.date, end: dt.date):
            with store.session() as session:
                return due_between(session, start, end)

        try:
            rows = scorecards_view(ws, period=asked, as_of=when, periods=periods, level=by,
                                   owners_before=owners_before, ctas_between=ctas_between)
        finally:
            store.dispose()
        if book is not None:
            rows = rows[rows["book"] == book]
            if rows.empty:
                from tenure.errors import NotFound

                raise NotFound(f"no book {book!r} in {asked.label} (books are {by}s' person_id)")
        if fmt is Format.table:
            shown = rows.drop(columns=["grr_target", "nrr_target", "red_arr_start", "red_arr_end"])
            frame(shown, fmt=fmt, title=f"Scorecards by {by}, {periods} period(s) to {asked.label}")
            console.print("  cadence_kept: share of dedicated-motion accounts touched at their cadence; "
                          "ctas_on_time_share: CTAs due in the period closed by their due date.")
        else:
            frame(rows, fmt=fmt)
