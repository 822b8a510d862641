"""`tenure spend`: the return on CS spend — team and programme cost against the ARR served, and the
cost to serve per segment or motion."""

from __future__ import annotations

from enum import StrEnum

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


class By(StrEnum):
    segment = "segment"
    motion = "motion"


BREAKDOWN_COLUMNS = ["accounts", "arr", "csm_cost", "shared_cost", "programme_cost", "cost", "cost_per_account",
                     "cost_to_arr"]


def register(app: typer.Typer) -> None:
    @app.command("spend")
    def spend(
        ctx: typer.Context,
        as_of: str = AS_OF,
        by: By = typer.Option(By.segment, "--by", help="Cost to serve per segment or per motion."),
        fmt: Format = FORMAT,
    ) -> None:
        """CS cost ÷ ARR, ARR and accounts per CSM, and the yearly cost to serve per segment or motion.

        Cost: the yearly loaded cost of each role (costs.roles) for everyone on staff at the date.
        Plus the digital programme (costs.programme_per_year).
        A CSM's cost goes to their accounts by effort hours; other roles' cost by ARR share.
        The programme cost goes to the accounts on a digital (non-dedicated) motion.
        """
        from tenure.cli.render import clean, console, dump_json, frame
        from tenure.cli.workflow_common import owner_overrides_of
        from tenure.views.spend import spend_at

        ws = options(ctx).open()
        when = parse_date(as_of)
        view = spend_at(ws, as_of=when, owners=owner_overrides_of(ws))
        breakdown = (view.segments if by is By.segment else view.motions)[[by.value, *BREAKDOWN_COLUMNS]]
        if fmt is Format.json:
            records = lambda data: [{k: clean(v) for k, v in r.items()} for r in data.to_dict("records")]  # noqa: E731
            dump_json({"as_of": when, **{k: clean(v) for k, v in view.summary.items()},
                       "roles": records(view.roles), "uncosted_roles": view.uncosted_roles, "by": by.value,
                       "breakdown": records(breakdown)})
            return
        if fmt is Format.csv:
            frame(breakdown, fmt=fmt)
            return
        s = view.summary
        console.print(f"Return on CS spend as of {when}")
        console.print(f"  CS cost {s['cost']:,.0f} a year (team {s['team_cost']:,.0f} + programme "
                      f"{s['programme_cost']:,.0f}) against {s['arr']:,.0f} ARR served: "
                      f"{_percent(s['cost_to_arr'])} of ARR")
        console.print(f"  {s['csms']:,} CSMs: {_number(s['arr_per_csm'])} ARR and {_number(s['accounts_per_csm'], 1)} "
                      f"accounts per CSM; {s['accounts']:,} accounts at {_number(s['cost_per_account'])} "
                      "a year each")
        frame(_shown(view.roles), fmt=fmt, title="Team cost by role (people on staff × yearly loaded cost)")
        if view.uncosted_roles:
            console.print(f"  Not CS spend (no cost in costs.roles): {', '.join(view.uncosted_roles)}")
        frame(_shown(breakdown), fmt=fmt, title=f"Cost to serve per {by.value} (a year)")


def _shown(data):
    """Costs to the unit and cost ÷ ARR as a percentage, for the table (ARR the renderer formats)."""
    shown = data.copy()
    for column in shown.columns:
        if column == "cost_to_arr":
            shown[column] = [_percent(v) for v in shown[column]]
        elif column.endswith("cost") or column in ("cost_per_person", "cost_per_account"):
            shown[column] = [_number(v) for v in shown[column]]
    return shown


def _percent(value) -> str:
    return "—" if value is None or value != value else f"{value * 100:.1f}%"


def _number(value, digits: int = 0) -> str:
    return "—" if value is None or value != value else f"{value:,.{digits}f}"
