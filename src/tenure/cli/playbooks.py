"""`tenure playbooks [--dry-run]`: run the playbook rules now, or show what they would do."""

from __future__ import annotations

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


def show_playbooks(outcome, *, dry_run: bool = False) -> None:
    """A one-line summary per rule of what the playbooks did (or would do)."""
    from tenure.cli.render import console

    verb = "would open" if dry_run else "opened"
    table = outcome.table()
    opened = int(table["opened"].sum()) if not table.empty else 0
    console.print(f"Playbooks as of {outcome.as_of}: {verb} {opened} CTA(s), {int(table['messages'].sum())} "
                  f"digital touch(es); {int(table['already_open'].sum())} already open; "
                  f"{int(table['closed'].sum())} closed as cleared; {outcome.escalated} escalation(s).")
    for row in table.itertuples():
        if row.opened or row.messages or row.closed or row.already_open:
            console.print(f"  {row.rule:<24} opened {row.opened:>4}   messages {row.messages:>4}   "
                          f"already open {row.already_open:>4}   closed {row.closed:>4}")
    sent, failed = outcome.delivered
    if sent or failed:
        console.print(f"  Webhooks: {sent} message(s) sent, {failed} failed (kept in the outbox to retry).")


def register(app: typer.Typer) -> None:
    @app.command("playbooks")
    def playbooks(
        ctx: typer.Context,
        as_of: str = AS_OF,
        dry_run: bool = typer.Option(False, "--dry-run", help="Show what would fire; change nothing."),
        fmt: Format = FORMAT,
    ) -> None:
        """Evaluate the playbook rules of tenure.yaml against account state (as `tenure run` does)."""
        from tenure.cli.render import dump_json, frame
        from tenure.playbooks.run import run_playbooks

        ws = options(ctx).open()
        outcome = run_playbooks(ws, as_of=parse_date(as_of), dry_run=dry_run)
        if fmt is not Format.table:
            import pandas as pd

            dump_json({"as_of": outcome.as_of, "dry_run": dry_run, "by_rule": outcome.table().to_dict("records"),
                       "escalated": outcome.escalated, "fired": pd.DataFrame(outcome.fired).to_dict("records")})
            return
        show_playbooks(outcome, dry_run=dry_run)
        if dry_run and outcome.fired:
            import pandas as pd

            frame(pd.DataFrame(outcome.fired), fmt=fmt, title="Accounts each rule matches")
