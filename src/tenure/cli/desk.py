"""`tenure desk ...`: the renewal and expansion desk shared with Sales (one module per part, registered here)."""

from __future__ import annotations

import typer

app = typer.Typer(help="The renewal and expansion desk: renewals and forecast calls, expansions, the joint "
                       "review list, deal vetting, advocates.", no_args_is_help=True)

from tenure.cli import desk_sales  # noqa: E402

desk_sales.register(app)

from tenure.cli import desk_renewals  # noqa: E402

desk_renewals.register(app)
