"""`tenure report gaps [--months 3]`: churn reasons and feature requests ranked by ARR."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, parse_date
from tenure.cli.workflow_common import open_store

app = typer.Typer(help="Reports.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")


@app.command("gaps")
def gaps(ctx: typer.Context, as_of: str = AS_OF,
         months: int = typer.Option(3, "--months", min=1, max=36, help="Window of lost ARR, in months."),
         top: int = typer.Option(15, "--top", min=1), fmt: Format = FORMAT) -> None:
    """The list a director takes to the product team: churn reasons and requested features, with dollars."""
    from tenure.cli.predict import _records
    from tenure.cli.render import console, dump_json, frame
    from tenure.reports.gaps import gaps as build

    ws, store = open_store(ctx)
    with store.session() as session:
        result = build(ws, session, as_of=parse_date(as_of), months=months)
    if fmt is not Format.table:
        dump_json({"since": result.since, "as_of": result.as_of, "lost_arr": result.lost_arr,
                   "interviewed_arr": result.interviewed_arr, "reasons": _records(result.reasons),
                   "features": _records(result.features)})
        return
    span = f"{result.since} to {result.as_of}"
    frame(result.reasons.head(top), fmt=fmt, title=f"Churn reasons by ARR lost, {span}")
    share = result.interviewed_arr / result.lost_arr if result.lost_arr else 0.0
    console.print(f"  Lost ARR in the window {result.lost_arr:,.0f}; {share:.0%} of it was exit-interviewed.")
    frame(result.features.head(top), fmt=fmt, title="Feature requests by ARR lost and at risk among the accounts "
                                                    "that asked (with open pipeline)")
