"""`tenure balance`: proposed owner reassignments that even out CSM load per segment; `--apply` records them."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, parse_date

ACTOR_FALLBACK = "tenure balance"


def register(app: typer.Typer) -> None:
    @app.command("balance")
    def balance(
        ctx: typer.Context,
        max_moves: int = typer.Option(None, "--max-moves", min=0,
                                      help="Move at most this many accounts (default coverage.balance_max_moves)."),
        segment: str = typer.Option(None, "--segment", help="Only move accounts of this segment."),
        freeze_days: int = typer.Option(None, "--freeze-days", min=0,
                                        help="Never move an account renewing within this many days "
                                             "(default coverage.balance_freeze_days)."),
        as_of: str = AS_OF,
        apply: bool = typer.Option(False, "--apply", help="Record the moves as owner reassignments."),
        fmt: Format = FORMAT,
    ) -> None:
        """Propose reassignments that even out CSM utilisation per segment (an optimisation); --apply records them."""
        from tenure.cli.render import console, dump_json, frame
        from tenure.cli.workflow_common import open_store
        from tenure.views.balance import balance_at, record_moves
        from tenure.workflow.plans import owner_overrides

        when = parse_date(as_of)
        ws, store = open_store(ctx)
        actor = _os_user()
        try:
            with store.session(actor) as session:
                plan = balance_at(ws, as_of=when, owners=owner_overrides(session), max_moves=max_moves,
                                  freeze_days=freeze_days, segment=segment)
                recorded = record_moves(session, plan, as_of=when, actor=actor) if apply else 0
        finally:
            store.dispose()
        if fmt is Format.json:
            dump_json({"as_of": when, "max_moves": plan.max_moves, "freeze_days": plan.freeze_days,
                       "segment": segment, "solver": plan.status, "seconds": round(plan.seconds, 3),
                       "spread_before": plan.spread_before, "spread_after": plan.spread_after,
                       "applied": recorded, "segments": _records(plan.segments), "moves": _records(plan.moves),
                       "csms": _records(plan.csms), "unowned": _records(plan.unowned), "notes": plan.notes})
            return
        if fmt is Format.csv:
            frame(plan.moves, fmt=fmt)
            return
        _show(plan, when=when, segment=segment, console=console, frame=frame)
        if apply:
            console.print(f"  Recorded {recorded:,} owner reassignment(s) as {actor}, reason "
                          f"\"book balancing {when}\"; the next run starts from the new owners.")
        elif len(plan.moves):
            console.print("  Nothing was written: run again with --apply to record these reassignments.")


def _show(plan, *, when, segment, console, frame) -> None:
    from tenure.cli.context import Format

    scope = f" in {segment}" if segment else ""
    pools = plan.segments.copy()
    shown = pools[["segment", "csms", "accounts", "effort_hours"]].copy()
    for name in ("spread", "std", "max", "min"):
        shown[name] = [f"{b:.0%} → {a:.0%}" for b, a in zip(pools[f"{name}_before"], pools[f"{name}_after"],
                                                             strict=True)]
    shown["moves"] = pools["moves"]
    frame(shown, fmt=Format.table,
          title=f"Utilisation per segment as of {when}, before → after (max − min, standard deviation, max, min)")
    if len(plan.moves):
        moves = plan.moves.rename(columns={"from_owner": "from", "to_owner": "to", "effort_hours": "hours"})
        frame(moves, fmt=Format.table, title=f"{len(moves):,} proposed move(s){scope} (at most {plan.max_moves}; "
                                             f"renewals within {plan.freeze_days} days stay)")
        changed = plan.csms[plan.csms["effort_before"] != plan.csms["effort_after"]].copy()
        changed["accounts"] = [f"{b} → {a}" for b, a in zip(changed["accounts_before"], changed["accounts_after"],
                                                            strict=True)]
        changed["hours"] = [f"{b:,.1f} → {a:,.1f}" for b, a in zip(changed["effort_before"], changed["effort_after"],
                                                                   strict=True)]
        changed["utilised"] = [f"{b:.0%} → {a:.0%}" for b, a in zip(changed["utilisation_before"],
                                                                       changed["utilisation_after"], strict=True)]
        frame(changed[["person_id", "name", "segment", "accounts", "hours", "utilised"]], fmt=Format.table,
              title="CSMs whose book changes")
    else:
        console.print(f"  No move proposed{scope}: {plan.status}.")
    if len(plan.unowned):
        top = plan.unowned.head(10)
        frame(top, fmt=Format.table,
              title=f"{len(plan.unowned):,} account(s) ({plan.unowned['arr'].sum():,.0f} ARR) whose owner is not a "
                    "CSM on record: not moved" + (", largest 10 shown" if len(plan.unowned) > 10 else ""))
    for note in plan.notes:
        console.print(f"  Note: {note}.")
    moved_arr = plan.moves["arr"].sum() if len(plan.moves) else 0.0
    console.print(f"  Summed spread {plan.spread_before:.0%} → {plan.spread_after:.0%}; {len(plan.moves):,} move(s), "
                  f"{moved_arr:,.0f} ARR; solver: {plan.status} ({plan.variables:,} variables, "
                  f"{plan.seconds:.2f} s).")


def _records(data) -> list[dict]:
    from tenure.cli.render import clean

    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser() or ACTOR_FALLBACK
    except (KeyError, OSError):
        return ACTOR_FALLBACK
