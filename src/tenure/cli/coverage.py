"""`tenure coverage`: each CSM's and each segment's book against the coverage targets, with flags."""

from __future__ import annotations

from enum import StrEnum

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date


class By(StrEnum):
    all = "all"
    csm = "csm"
    segment = "segment"


CSM_COLUMNS = ["person_id", "csm", "segment", "accounts", "dedicated_accounts", "target_accounts", "arr", "target_arr",
               "effort_hours", "capacity_hours", "utilisation", "red_arr", "renewals_due", "renewals_due_arr", "flag"]
SEGMENT_COLUMNS = ["segment", "accounts", "dedicated_accounts", "arr", "effort_hours", "csms", "accounts_per_csm",
                   "target_accounts", "arr_per_csm", "target_arr", "csms_by_ratio", "red_arr", "renewals_due"]


def register(app: typer.Typer) -> None:
    @app.command("coverage")
    def coverage(
        ctx: typer.Context,
        as_of: str = AS_OF,
        by: By = typer.Option(By.all, "--by", help="Per CSM, per segment, or both."),
        flagged: bool = typer.Option(False, "--flagged", help="Only CSMs flagged overloaded, idle or unknown."),
        segment: str = typer.Option(None, "--segment", help="Only CSMs of this segment."),
        fmt: Format = FORMAT,
    ) -> None:
        """Accounts, ARR, effort load, red ARR and renewals due per CSM and segment, against target ratios.

        Effort is the monthly hours of each account's engagement motion; utilisation is effort ÷
        the CSM's capacity (team.capacity_hours a week × 52/12). Owners set in tenure override the
        loaded owner.
        """
        from tenure.cli.render import console, dump_json, frame
        from tenure.cli.workflow_common import owner_overrides_of
        from tenure.views.coverage import coverage_at

        ws = options(ctx).open()
        when = parse_date(as_of)
        view = coverage_at(ws, as_of=when, owners=owner_overrides_of(ws))
        csms = view.csms[CSM_COLUMNS]
        if segment is not None:
            csms = csms[csms["segment"] == segment]
        if flagged:
            csms = csms[csms["flag"] != ""]
        segments = view.segments[SEGMENT_COLUMNS]
        if fmt is Format.json and by is By.all:
            dump_json({"as_of": when, "csms": _records(csms), "segments": _records(segments)})
            return
        if fmt is Format.table:  # the columns that fit a terminal; csv and json carry them all
            csms = csms.drop(columns=["dedicated_accounts", "capacity_hours", "renewals_due_arr"])
            segments = segments.drop(columns=["dedicated_accounts", "effort_hours"])
        if by in (By.all, By.segment):
            frame(segments, fmt=fmt, title=f"Coverage by segment as of {when}")
        if by in (By.all, By.csm):
            frame(csms, fmt=fmt, title=f"Coverage by CSM as of {when} ({len(csms):,} shown)")
        if fmt is Format.table and by in (By.all, By.csm):
            counts = view.csms["flag"].value_counts()
            console.print("  Flags: " + "   ".join(f"{name} {int(n)}" for name, n in counts.items() if name)
                          if (counts.index != "").any() else "  No CSM flagged.")


def _records(data) -> list[dict]:
    from tenure.cli.render import clean

    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]
