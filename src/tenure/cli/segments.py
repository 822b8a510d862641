"""`tenure segments`: accounts and ARR per segment at a date, from the `segments:` rules and loaded segments."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("segments")
    def segments(
        ctx: typer.Context,
        as_of: str = AS_OF,
        accounts: bool = typer.Option(False, "--accounts", help="List every account's segment and its source."),
        fmt: Format = FORMAT,
    ) -> None:
        """Accounts and ARR per segment: a loaded segment wins, else the first matching rule."""
        from tenure.cli.render import frame
        from tenure.views.coverage import segments_at

        ws = options(ctx).open()
        when = parse_date(as_of)
        summary, listing = segments_at(ws, as_of=when)
        if accounts:
            frame(listing, fmt=fmt, title=f"Segment of each paying account as of {when} ({len(listing):,})")
            return
        frame(summary, fmt=fmt, title=f"Segments as of {when}: {int(summary['accounts'].sum()):,} paying accounts, "
                                       f"{summary['arr'].sum():,.0f} ARR")
