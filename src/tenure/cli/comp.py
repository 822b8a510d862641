"""`tenure comp`: each person's attainment and variable payout for a period, the plan's cost, and what-ifs."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date

RATES = {"grr", "nrr", "logo_retention"}


def register(app: typer.Typer) -> None:
    @app.command("comp")
    def comp(
        ctx: typer.Context,
        period: str = typer.Option(..., "--period", help="The period paid: 2026Q3, 2026-07 or 2026."),
        csm: str = typer.Option(None, "--csm", help="Only this person (team person_id)."),
        settings: list[str] = typer.Option(None, "--set", help="What-if: change a plan parameter, e.g. "
                                           "grr.accelerator=3 or variable_share=0.3 (repeatable)."),
        as_of: str = AS_OF,
        fmt: Format = FORMAT,
    ) -> None:
        """Attainment and payout per person and component from their book at the period start, and the plan's cost."""
        from tenure.cli.targets import owners_at_start, period_option
        from tenure.views.compensation import compensation_view

        ws = options(ctx).open()
        when = parse_date(as_of)
        chosen = period_option(ws, period, when)
        view = compensation_view(ws, period=chosen, as_of=when, owners=owners_at_start(ws, chosen),
                                 overrides=tuple(settings or ()), person=csm)
        show(view, fmt)


def show(view, fmt: Format) -> None:
    from tenure.cli.render import clean, console, dump_json, frame
    from tenure.cli.targets import heading, text_table

    if fmt is Format.json:
        lines = view.lines.to_dict(orient="records")
        people = []
        for person in view.people.to_dict(orient="records"):
            mine = [{k: clean(v) for k, v in line.items() if k != "person_id"}
                    for line in lines if line["person_id"] == person["person_id"]]
            people.append({**{k: clean(v) for k, v in person.items()}, "components": mine})
        dump_json({"period": view.period.label, "start": view.period.start, "end": view.period.end,
                   "months": view.period.months, "measured_to": view.measured_to, "complete": view.complete,
                   "overrides": list(view.overrides), "people": people,
                   "summary": {k: clean(v) for k, v in view.summary.items()}})
        return
    if fmt is Format.csv:
        people = view.people.drop(columns=[c for c in ("payout", "whatif_payout", "difference")
                                           if c in view.people.columns])
        merged = view.lines.merge(people, on="person_id", how="left")
        frame(merged.assign(period=view.period.label)[["period", *merged.columns]], fmt=fmt)
        return
    console.print(f"[bold]Compensation[/] {heading(view)}", highlight=False)
    if not view.complete:
        console.print("  [yellow]The period is still running: these are its results to date, not what it pays.[/]",
                      highlight=False)
    if view.overrides:
        console.print(f"  What-if: {', '.join(view.overrides)}", highlight=False)
    text_table(_lines(view), title="Components: actual against target (targets and thresholds for the period)")
    text_table(_people(view), title="Variable pay per person")
    s = view.summary
    per_dollar = s["cost_per_retained_dollar"]
    console.print(f"  Plan cost {s['plan_cost']:,.2f} for {s['people']} people (target variable "
                  f"{s['target_variable']:,.2f}, paid {_pct(s['payout_pct'])}); ARR retained by their books "
                  f"{s['arr_retained']:,.0f}; cost per retained dollar of ARR "
                  f"{'—' if per_dollar is None else f'{per_dollar:.4f}'}.", highlight=False)
    if view.overrides:
        console.print(f"  What-if cost {s['whatif_cost']:,.2f}: {s['difference']:+,.2f} against the plan.",
                      highlight=False)


def _lines(view):
    data = view.lines.copy()
    shown = data[["person_id", "metric", "weight"]].copy()
    shown["weight"] = [f"{w:.0%}" for w in data["weight"]]
    for column in ("actual", "target", "threshold"):
        shown[column] = [_measure(m, v) for m, v in zip(data["metric"], data[column], strict=True)]
    shown["attainment"] = [_pct(v) for v in data["attainment"]]
    shown["rate"] = [_pct(v) for v in data["rate"]]
    shown["payout"] = [f"{v:,.2f}" for v in data["payout"]]
    if "whatif_payout" in data.columns:
        shown["whatif_rate"] = [_pct(v) for v in data["whatif_rate"]]
        shown["whatif_payout"] = [f"{v:,.2f}" for v in data["whatif_payout"]]
    return shown


def _people(view):
    data = view.people.copy()
    data["payout_pct"] = [_pct(v) for v in data["payout_pct"]]
    for column in ("arr_start", "arr_retained"):
        data[column] = [f"{v:,.0f}" for v in data[column]]
    for column in ("target_variable", "payout", "whatif_payout", "difference"):
        if column in data.columns:
            data[column] = [f"{v:+,.2f}" if column == "difference" else f"{v:,.2f}" for v in data[column]]
    if data["note"].isna().all():
        data = data.drop(columns=["note"])
    return data.drop(columns=["role"]) if data["role"].nunique() == 1 else data


def _measure(metric: str, value) -> str:
    if value is None or value != value:
        return "—"
    return f"{value:.2%}" if metric in RATES else f"{value:,.0f}"


def _pct(value) -> str:
    return "—" if value is None or value != value else f"{value:.1%}"
