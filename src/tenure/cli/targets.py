"""`tenure targets`: GRR, NRR and expansion of each book against its cascaded target for a period."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

BY = ("segment", "manager", "csm")
TITLES = {"company": "Company", "segment": "By segment", "manager": "By manager's team (team.manager_id)",
          "csm": "By CSM (owner at the period start)"}
LEFT = {"book", "name", "person_id", "metric", "note", "role"}
PERIOD = typer.Option(None, "--period", help="2026Q3, 2026-07 or 2026; default: the quarter of --as-of, to date.")


def register(app: typer.Typer) -> None:
    @app.command("targets")
    def targets(
        ctx: typer.Context,
        period: str = PERIOD,
        by: str = typer.Option(None, "--by", help="Only books of this kind: segment, manager or csm."),
        as_of: str = AS_OF,
        fmt: Format = FORMAT,
    ) -> None:
        """Actual against target per book — company, segment, manager's team, CSM — with the gap in points."""
        from tenure.errors import TenureError
        from tenure.views.targets import targets_view

        if by is not None and by not in BY:
            raise TenureError(f"--by must be one of {', '.join(BY)}, not {by!r}")
        ws = options(ctx).open()
        when = parse_date(as_of)
        chosen = period_option(ws, period, when)
        levels = ("company", by) if by else ("company", *BY)
        view = targets_view(ws, period=chosen, as_of=when, owners=owners_at_start(ws, chosen), levels=levels)
        show(view, fmt)


def period_option(ws, text: str | None, as_of):
    """The --period option as a Period (default: the quarter containing as_of)."""
    from tenure.operating.periods import parse_period, period_containing

    fy = ws.config.fiscal_year_start_month
    if text is None:
        return period_containing(as_of, "quarter", fiscal_year_start_month=fy)
    return parse_period(text, fiscal_year_start_month=fy)


def owners_at_start(ws, period) -> dict[str, str]:
    """Reassignments made in tenure before the period start: they, and no later move, decide the books."""
    import datetime as dt

    from tenure.cli.workflow_common import owner_overrides_of

    return owner_overrides_of(ws, before=dt.datetime.combine(period.start, dt.time()))


def heading(view) -> str:
    p = view.period
    state = "complete" if view.complete else f"to {view.measured_to}, still running"
    return f"{p.label} ({p.start} to {p.end}, {state}); books as held at the end of {p.book_date}"


def show(view, fmt: Format) -> None:
    from tenure.cli.render import console, dump_json, frame

    rows = view.rows
    if fmt is Format.json:
        dump_json({"period": view.period.label, "start": view.period.start, "end": view.period.end,
                   "months": view.period.months, "measured_to": view.measured_to, "complete": view.complete,
                   "books": [{k: _plain(v) for k, v in row.items()} for row in rows.to_dict(orient="records")]})
        return
    if fmt is Format.csv:
        frame(rows.assign(period=view.period.label)[["period", *rows.columns]], fmt=fmt)
        return
    console.print(f"[bold]Targets[/] {heading(view)}", highlight=False)
    for level, part in rows.groupby("level", sort=False):
        text_table(_display(part), title=TITLES[level])
    company = rows[rows["level"] == "company"]
    if not company.empty:
        c = company.iloc[0]
        console.print(f"  Company: GRR {c['grr']:.1%} against {c['grr_target']:.1%} ({c['grr_gap_pp']:+.1f} pts), "
                      f"NRR {c['nrr']:.1%} against {c['nrr_target']:.1%} ({c['nrr_gap_pp']:+.1f} pts), expansion "
                      f"{c['expansion_arr']:,.0f} against {c['expansion_target'] * c['arr_start']:,.0f}.",
                      highlight=False)


def _display(part):
    """The table rendering: short headers, values as text (JSON and CSV keep every column, as numbers)."""
    import pandas as pd

    shown = pd.DataFrame({"book": part["book"], "name": part["name"], "accts": part["accounts_start"],
                          "arr_start": [_money(v) for v in part["arr_start"]]})
    if shown["name"].isna().all():
        shown = shown.drop(columns=["name"])
    for metric, actual in (("grr", "grr"), ("nrr", "nrr"), ("exp", "expansion_rate")):
        target = "expansion" if metric == "exp" else metric
        shown[metric] = [_pct(v) for v in part[actual]]
        shown[f"{metric}_tgt"] = [_pct(v) for v in part[f"{target}_target"]]
        shown[f"{metric}_pp"] = [_points(v) for v in part[f"{target}_gap_pp"]]
        if metric == "exp":
            shown.insert(shown.columns.get_loc("exp"), "exp_arr", [_money(v) for v in part["expansion_arr"]])
    shown["logo"] = [_pct(v) for v in part["logo_retention"]]
    shown["renewed"] = [f"{r}/{d}" for r, d in zip(part["renewals_renewed"], part["renewals_due"], strict=True)]
    return shown


def text_table(data, *, title: str) -> None:
    """A Rich table of values already written as text (numbers right-aligned, names left)."""
    from rich.table import Table

    from tenure.cli.render import clean, console

    table = Table(title=title)
    for column in data.columns:
        table.add_column(str(column), justify="left" if column in LEFT else "right")
    for row in data.itertuples(index=False):
        table.add_row(*("—" if clean(v) is None else str(v) for v in row))
    console.print(table)


def _pct(value) -> str:
    return "—" if value is None or value != value else f"{value:.1%}"


def _money(value) -> str:
    return "—" if value is None or value != value else f"{value:,.0f}"


def _points(value) -> str:
    return "—" if value is None or value != value else f"{value:+.1f}"


def _plain(value):
    from tenure.cli.render import clean

    return clean(value)
