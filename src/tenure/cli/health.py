"""`tenure health`: accounts with score, band, 30-day trend, ARR and what costs them most points."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("health")
    def health(
        ctx: typer.Context,
        as_of: str = AS_OF,
        band: str = typer.Option(None, "--band", help="Only this band (red, yellow, green as configured)."),
        segment: str = typer.Option(None, "--segment", help="Only accounts of this segment."),
        csm: str = typer.Option(None, "--csm", help="Only the book of this CSM (owner_csm_id)."),
        top: int = typer.Option(None, "--top", min=1, help="Only the N lowest scores (largest ARR first on ties)."),
        fmt: Format = FORMAT,
    ) -> None:
        """Health of every paying account, lowest score first, with the two measures that cost most points."""
        import ibis

        from tenure.cli.render import console, frame
        from tenure.errors import TenureError
        from tenure.views.health import health_at

        ws = options(ctx).open()
        when = parse_date(as_of)
        if band is not None and band not in ws.config.health.bands:
            raise TenureError(f"--band {band!r} is not a configured band; bands: {', '.join(ws.config.health.bands)}")
        table = health_at(ws, as_of=when)
        for column, value in (("band", band), ("segment", segment), ("owner_csm_id", csm)):
            if value is not None:
                table = table.filter(table[column] == value)
        table = table.order_by([ibis.asc("score", nulls_first=False), ibis.desc("arr"), "account_id"])
        if top is not None:
            table = table.limit(top)
        data = ws.warehouse.execute(table)
        if fmt is not Format.table:
            frame(data, fmt=fmt)
            return
        shown = data[["account_id", "name", "segment", "owner_csm_id", "score", "band", "score_change_30d", "arr",
                      "renewal_date", "driver_1", "driver_1_points", "driver_2", "driver_2_points"]].copy()
        shown = shown.rename(columns={"owner_csm_id": "csm", "score_change_30d": "change_30d",
                                      "driver_1_points": "pts_lost_1", "driver_2_points": "pts_lost_2"})
        frame(shown, fmt=fmt, title=f"Health as of {when} ({len(shown):,} accounts)")
        counts = data["band"].value_counts()
        console.print("  Shown by band: " + "   ".join(f"{name} {int(counts.get(name, 0)):,}"
                                                       for name in ws.config.health.bands))
