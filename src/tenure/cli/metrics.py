"""`tenure metrics revenue|cohorts|renewals|adoption`: revenue truth and adoption as a table, CSV or JSON."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date
from tenure.cli.render import clean, console, dump_json, frame, show_value

app = typer.Typer(help="Revenue truth (ARR, movements, GRR/NRR, churn, cohorts, renewals) and adoption.",
                  no_args_is_help=True)


def show_summary(summary, fmt: Format, *, health=None) -> None:
    """Headline numbers, the ARR bridge, the optional breakdown and, after a run, the health bands."""
    if fmt is Format.json:
        dump_json({
            "as_of": summary.as_of, "period_end": summary.period_end, "currency": summary.base_currency,
            "window_months": summary.window_months, **summary.headline, "targets": summary.targets,
            "bridge": [{k: v for k, v in row.items()} for row in summary.bridge.to_dict(orient="records")],
            **({"groups": [{k: clean(v) for k, v in row.items()} for row in summary.groups.to_dict("records")]}
               if summary.groups is not None else {}),
            **({"health": health.to_dict(orient="records"),
                "arr_at_risk": float(health.loc[health["at_risk"], "arr"].sum())} if health is not None else {}),
        })
        return
    if fmt is Format.csv:
        frame(summary.groups if summary.groups is not None else summary.bridge, fmt=fmt)
        return
    h = summary.headline
    window = summary.window_months
    console.print(f"[bold]Revenue as of {summary.as_of}[/] (month-end {summary.period_end}, "
                  f"{summary.base_currency}, trailing {window} months)")
    lines = [
        ("ARR", show_value("arr", h["arr"]) + f"  ({h['paying_accounts']:,} paying accounts)"),
        ("GRR", show_value("grr", h["grr"]) + f"  (target {summary.targets['grr']:.0%})"),
        ("NRR", show_value("nrr", h["nrr"]) + f"  (target {summary.targets['nrr']:.0%})"),
        ("Logo churn", show_value("logo_churn", h["logo_churn"])
         + f"  ({h['accounts_lost']:,} of {h['accounts_at_start']:,} accounts)"),
        ("Dollar churn", show_value("dollar_churn", h["dollar_churn"])),
        ("Quick ratio", show_value("quick_ratio", h["quick_ratio"])),
    ]
    for label, value in lines:
        console.print(f"  {label:<13}{value}")
    frame(summary.bridge, fmt=fmt, title="ARR bridge")
    if summary.groups is not None:
        frame(summary.groups, fmt=fmt, title="By group")
    if health is not None:
        at_risk = float(health.loc[health["at_risk"], "arr"].sum())
        frame(health.drop(columns="at_risk"), fmt=fmt, title="Health bands")
        console.print(f"  ARR at risk (lowest band): {show_value('arr', at_risk)} {summary.base_currency}")


@app.command("revenue")
def revenue(
    ctx: typer.Context,
    as_of: str = AS_OF,
    by: str = typer.Option(None, "--by", help="Break down by product or an accounts column (segment, region...)."),
    period: str = typer.Option("month", "--period", help="Bridge periods: month, quarter or year (fiscal)."),
    periods: int = typer.Option(12, "--periods", min=1, help="How many periods of bridge to show."),
    window: int = typer.Option(None, "--window", min=1, help="GRR/NRR/churn window in months (default: config)."),
    fmt: Format = FORMAT,
) -> None:
    """ARR, GRR, NRR, logo and dollar churn, quick ratio, and the ARR bridge."""
    from tenure.views.revenue import revenue_summary

    summary = revenue_summary(options(ctx).open(), as_of=parse_date(as_of), by=by, period=period, periods=periods,
                              window_months=window)
    show_summary(summary, fmt)


@app.command("cohorts")
def cohorts(
    ctx: typer.Context,
    as_of: str = AS_OF,
    period: str = typer.Option("quarter", "--period", help="Cohort by start month or quarter."),
    metric: str = typer.Option("revenue", "--metric", help="revenue or logo retention in the matrix."),
    recent: int = typer.Option(12, "--cohorts", min=1, help="Table: only the most recent N cohorts (csv/json: all)."),
    fmt: Format = FORMAT,
) -> None:
    """Retention cohorts by start month or quarter (table: matrix; csv/json: long form)."""
    from tenure.views.cohorts import cohort_table

    table = cohort_table(options(ctx).open(), as_of=parse_date(as_of), period=period)
    if fmt is not Format.table:
        frame(table, fmt=fmt)
        return
    if metric not in ("revenue", "logo"):
        raise typer.BadParameter("--metric must be revenue or logo")
    column = f"{metric}_retention"
    table = table[table["cohort"].isin(table["cohort"].drop_duplicates().tail(recent))]
    matrix = table.pivot(index=["cohort", "cohort_accounts"], columns="age", values=column).reset_index()
    matrix.columns = [str(c) for c in matrix.columns]
    for age in matrix.columns[2:]:
        matrix[age] = [show_value(column, v) for v in matrix[age]]
    frame(matrix, fmt=fmt, title=f"{metric.capitalize()} retention by start {period} (columns: age in {period}s)")


@app.command("renewals")
def renewals(ctx: typer.Context, as_of: str = AS_OF,
             days: int = typer.Option(None, "--days", help="Only renewals due within this many days."),
             fmt: Format = FORMAT) -> None:
    """Each paying account's next renewal date, days to it, term, ACV and ARR."""
    from tenure.views.renewals import renewal_table

    frame(renewal_table(options(ctx).open(), as_of=parse_date(as_of), within_days=days), fmt=fmt,
          title="Next renewals")


@app.command("adoption")
def adoption(
    ctx: typer.Context,
    as_of: str = AS_OF,
    onboarding: bool = typer.Option(False, "--onboarding", help="Time to value and onboarding by start cohort "
                                    "and segment instead of per account."),
    features: bool = typer.Option(False, "--features", help="Per feature: share of paying accounts and of active "
                                  "users using it in the last 30 days."),
    period: str = typer.Option("quarter", "--period", help="With --onboarding: cohorts by start month or quarter."),
    top: int = typer.Option(None, "--top", min=1, help="Only the N largest accounts by ARR."),
    fmt: Format = FORMAT,
) -> None:
    """Adoption per paying account (users, seats, depth, breadth, trends, time to value, zombies)."""
    from tenure.views.adoption import adoption_table, feature_table, onboarding_table

    ws = options(ctx).open()
    when = parse_date(as_of)
    if features:
        frame(feature_table(ws, as_of=when), fmt=fmt, title=f"Feature adoption, 30 days to {when}")
        return
    if onboarding:
        table = onboarding_table(ws, as_of=when, period=period)
        target = ws.config.adoption.time_to_value_target_days
        frame(table, fmt=fmt, title=f"Onboarding by start {period} and segment (target: median time to value "
                                    f"≤ {target} days)")
        if fmt is Format.table and table["slow_to_value"].any():
            slow = table[table["slow_to_value"]]
            console.print(f"  {len(slow)} cohort(s) above the target: " + ", ".join(
                f"{c} {s}" for c, s in zip(slow["cohort"], slow["segment"], strict=True)))
        return
    table = adoption_table(ws, as_of=when)
    if top is not None:
        table = table.head(top)
    frame(table, fmt=fmt, title=f"Adoption as of {when}")
