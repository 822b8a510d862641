"""`tenure forecast`: renewals due, expected ARR outcomes and GRR/NRR per quarter with 80% intervals."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

GROUPS = {"segment": "segment", "csm": "owner_csm_id"}


def total_label(quarters: int) -> str:
    return f"next {3 * quarters} months"


def register(app: typer.Typer) -> None:
    @app.command("forecast")
    def forecast(
        ctx: typer.Context,
        as_of: str = AS_OF,
        quarters: int = typer.Option(4, "--quarters", min=1, max=8, help="Quarters to forecast."),
        by: str = typer.Option(None, "--by", help="Also by segment or csm."),
        draws: int = typer.Option(1000, "--draws", min=100, max=20000, help="Simulated futures of the book."),
        fmt: Format = FORMAT,
    ) -> None:
        """Forecast renewals and GRR/NRR of today's book with the latest model (run `tenure predict train` first)."""
        from tenure.cli.predict import _records
        from tenure.cli.render import console, dump_json, frame, progress_bar
        from tenure.errors import TenureError
        from tenure.views.predict import outlook

        if by is not None and by not in GROUPS:
            raise TenureError(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
        ws = options(ctx).open()
        when = parse_date(as_of)
        with progress_bar("forecast") as update:
            result = outlook(ws, as_of=when, quarters=quarters, draws=draws, progress=update)
        columns = ["period", "arr_start", "expected_churn", "expected_contraction", "expected_expansion",
                   "grr", "grr_low", "grr_high", "nrr", "nrr_low", "nrr_high"]
        if fmt is not Format.table:
            payload = {"as_of": when, "model_version": result.model_version,
                       "renewals_by_month": _records(result.renewals),
                       "forecast": _records(result.forecast["all"].drop(columns="group"))}
            if by is not None:
                payload[f"by_{by}"] = _records(result.forecast[GROUPS[by]])
            dump_json(payload)
            return
        frame(result.renewals, fmt=fmt, title=f"Renewals due by month after {when} (model v{result.model_version})")
        frame(result.forecast["all"][columns], fmt=fmt,
              title="GRR and NRR of today's book per quarter, mean and 80% interval (new logos not included)")
        if by is not None:
            data = result.forecast[GROUPS[by]]
            frame(data[data["window"] == "total"][["group", *columns[1:]]], fmt=fmt,
                  title=f"By {by}, over the {total_label(quarters)}")
        total = result.forecast["all"].iloc[-1]
        console.print(f"  Over the {total['period']}: GRR {total['grr']:.1%} (80% interval {total['grr_low']:.1%} to "
                      f"{total['grr_high']:.1%}), NRR {total['nrr']:.1%} ({total['nrr_low']:.1%} to "
                      f"{total['nrr_high']:.1%}); targets GRR {ws.config.targets.grr:.0%}, NRR "
                      f"{ws.config.targets.nrr:.0%}.")
