"""`tenure motions`: each account's engagement motion and expected CSM effort from the risk-tiered model."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("motions")
    def motions(
        ctx: typer.Context,
        as_of: str = AS_OF,
        accounts: bool = typer.Option(False, "--accounts", help="List every account's motion, cadence and effort."),
        segment: str = typer.Option(None, "--segment", help="Only accounts of this segment."),
        motion: str = typer.Option(None, "--motion", help="Only accounts on this motion."),
        fmt: Format = FORMAT,
    ) -> None:
        """Accounts, ARR and monthly effort per segment × motion (engagement.matrix of segment and health band)."""
        from tenure.cli.render import frame
        from tenure.cli.workflow_common import owner_overrides_of
        from tenure.errors import TenureError
        from tenure.views.coverage import motions_at

        ws = options(ctx).open()
        if motion is not None and motion not in ws.config.engagement.motions:
            raise TenureError(f"--motion {motion!r} is not a configured motion; motions: "
                              f"{', '.join(ws.config.engagement.motions)}")
        when = parse_date(as_of)
        summary, listing = motions_at(ws, as_of=when, owners=owner_overrides_of(ws))
        shown = listing if accounts else summary
        if segment is not None:
            shown = shown[shown["segment"] == segment]
        if motion is not None:
            shown = shown[shown["motion"] == motion]
        what = "each paying account" if accounts else "segment × motion"
        frame(shown, fmt=fmt, title=f"Engagement motions of {what} as of {when}: "
                                    f"{shown['effort_hours'].sum():,.0f} CSM hours a month")
