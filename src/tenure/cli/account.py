"""`tenure account ID`: the account 360 in the terminal: revenue, renewal, health and why."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def register(app: typer.Typer) -> None:
    @app.command("account")
    def account(ctx: typer.Context, account_id: str = typer.Argument(..., help="The account_id."),
                as_of: str = AS_OF, fmt: Format = FORMAT) -> None:
        """One account: ARR and its history, renewal, health score with each measure's points, every metric."""
        from tenure.cli.render import clean, console, dump_json, frame, show_value
        from tenure.views.account import account_360

        view = account_360(options(ctx).open(), account_id, as_of=parse_date(as_of))
        if fmt is Format.json:
            dump_json({
                "as_of": view.as_of, "account": {k: clean(v) for k, v in view.profile.items()},
                "health": {k: clean(v) for k, v in view.health.items()} if view.health else None,
                "arr_history": [{k: clean(v) for k, v in row.items()} for row in view.arr_history.to_dict("records")],
                "measures": [{k: clean(v) for k, v in row.items()} for row in view.measures.to_dict("records")],
                "metrics": {row["metric"]: clean(row["value"]) for row in view.metrics.to_dict(orient="records")},
                "prediction": {k: clean(v) for k, v in view.prediction.items()} if view.prediction else None,
            })
            return
        if fmt is Format.csv:
            frame(view.metrics[["family", "metric", "value", "unit"]], fmt=fmt)
            return
        p = view.profile
        console.print(f"[bold]{p.get('name')}[/] ({account_id}) as of {view.as_of}")
        facts = [("Segment", p.get("segment")), ("Region", p.get("region")), ("CSM", p.get("owner_csm_id")),
                 ("Customer since", p.get("customer_since")), ("ARR", show_value("arr", p.get("arr"))),
                 ("Next renewal", f"{clean(p.get('renewal_date'))} (in {clean(p.get('days_to_renewal'))} days)"
                  if p.get("renewal_date") is not None else None)]
        for label, value in facts:
            console.print(f"  {label:<15}{clean(value) if value is not None else '—'}")
        if view.health is None:
            console.print("  Not a paying customer at this date: no health score.")
        else:
            h = view.health
            change = clean(h["score_change_30d"])
            trend = f"{change:+.1f} in 30 days" if change is not None else "no score 30 days ago"
            colour = {"red": "red", "yellow": "yellow", "green": "green"}.get(h["band"], "white")
            console.print(f"  {'Health':<15}[bold {colour}]{show_value('score', h['score'])} {h['band']}[/] "
                          f"({trend}; scorecard {h['scorecard']})")
            if view.prediction is not None:
                q = view.prediction
                drivers = "; ".join(d for d in (q["driver_1"], q["driver_2"], q["driver_3"]) if d)
                console.print(f"  {'Churn risk':<15}[bold]{q['churn_probability']:.0%}[/] at the next renewal "
                              f"(contraction {q['contraction_probability']:.0%}, expansion "
                              f"{q['expansion_probability']:.0%}; model v{q['model_version']}, scored "
                              f"{clean(q['scored_on'])})")
                if drivers:
                    console.print(f"  {'Why':<15}{drivers}")
            frame(view.measures, fmt=fmt, title="Why: each measure's points (points lost against 100)")
        if not view.arr_history.empty:
            frame(view.arr_history, fmt=fmt, title="ARR at month-ends")
        shown = view.metrics[view.metrics["family"] != "financial"][["family", "metric", "value", "unit"]]
        frame(shown, fmt=fmt, title="Adoption, engagement, support, sentiment, value")
        _workflow(ctx, account_id, fmt)


def _workflow(ctx: typer.Context, account_id: str, fmt: Format) -> None:
    """Open CTAs and the latest timeline entries, from the workflow store (when it has been created)."""
    from tenure.cli.render import frame
    from tenure.errors import TenureError
    from tenure.workflow.store import WorkflowStore
    from tenure.workflow.timeline import open_ctas, timeline

    store = WorkflowStore.of(options(ctx).open())
    try:
        store.check()
    except TenureError:  # a workspace whose store was never migrated has no workflow yet
        return
    with store.session() as session:
        ctas, entries = open_ctas(session, account_id), timeline(session, account_id, limit=10)
    if not ctas.empty:
        frame(ctas, fmt=fmt, title="Open calls to action")
    if not entries.empty:
        frame(entries, fmt=fmt, title="Timeline (latest 10)")
