"""`tenure capacity`: the CSMs each segment needs per quarter for an ARR plan, the hires, and a what-if."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from tenure.cli.context import AS_OF, FORMAT, Format, options, parse_date
from tenure.errors import TenureError

if TYPE_CHECKING:
    import pandas as pd

    from tenure.operating.capacity import Scenario
    from tenure.views.capacity import CapacityReport

# the table view: (key, header, format: None text, N decimals, "%" a share); csv and json carry every key
START_COLUMNS = [("segment", "segment", None), ("accounts", "accounts", 0), ("arr", "ARR", 0),
                 ("effort_per_account", "hours per account", 2), ("dedicated_share", "dedicated", "%"),
                 ("csms", "CSMs", 0), ("hours_per_csm", "hours per CSM", 0),
                 ("accounts_per_csm", "target accounts per CSM", 0), ("arr_per_csm", "target ARR per CSM", 0),
                 ("logo_churn_per_year", "logo churn a year", "%"), ("logo_churn_source", "churn from", None),
                 ("new_logos_per_quarter", "new logos a quarter", 1)]
QUARTER_COLUMNS = [("quarter", "quarter", None), ("segment", "segment", None), ("accounts", "accounts", 1),
                   ("arr", "ARR", 0), ("effort_hours", "effort hours", 0), ("csms_by_effort", "CSMs by effort", 1),
                   ("csms_by_accounts", "CSMs by accounts", 1), ("csms_by_arr", "CSMs by ARR", 1),
                   ("csms_needed", "CSMs needed", 1), ("binding", "binds", None), ("hires", "hires", 0),
                   ("headcount", "head- count", 1), ("effective_csms", "effect- ive CSMs", 1),
                   ("utilisation", "utili- sation", "%"), ("arr_per_csm", "ARR per CSM", 0),
                   ("accounts_per_csm", "accounts per CSM", 1)]
HIRING_COLUMNS = [("segment", "segment", None), ("csms_now", "CSMs now", 0), ("hires", "hires", 0),
                  ("leavers", "expected leavers", 1), ("headcount_end", "headcount at end", 1),
                  ("csms_needed_end", "CSMs needed at end", 1), ("binding_end", "binds", None),
                  ("arr_per_csm_now", "ARR per CSM now", 0), ("arr_per_csm_end", "ARR per CSM at end", 0),
                  ("accounts_per_csm_now", "accounts per CSM now", 1),
                  ("accounts_per_csm_end", "accounts per CSM at end", 1)]
COMPARISON_COLUMNS = [("quarter", "quarter", None), ("segment", "segment", None),
                      ("base_csms_needed", "CSMs needed base", 1), ("csms_needed", "CSMs needed what-if", 1),
                      ("csms_freed", "CSMs freed", 1), ("base_hires", "hires base", 0), ("hires", "hires what-if", 0),
                      ("base_headcount", "headcount base", 1), ("headcount", "headcount what-if", 1),
                      ("base_accounts_per_csm_needed", "accounts per CSM base", 1),
                      ("accounts_per_csm_needed", "accounts per CSM what-if", 1),
                      ("base_arr_per_csm_needed", "ARR per CSM base", 0),
                      ("arr_per_csm_needed", "ARR per CSM what-if", 0),
                      ("more_accounts_per_csm", "more accounts per CSM", "%")]


class PlanRejected(TenureError):
    """A plan file with problems: the problems are printed first, nothing is computed."""

    exit_code = 5  # as a rejected load (DataContractError)


def register(app: typer.Typer) -> None:
    @app.command("capacity")
    def capacity(
        ctx: typer.Context,
        plan: Path = typer.Option(None, "--plan", help="ARR and new-logo plan: CSV with quarter (2026Q1), segment, "
                                  "arr, new_logos; quarters consecutive from the one after --as-of."),
        arr_growth: float = typer.Option(None, "--arr-growth", help="Instead of --plan: grow every segment's ARR "
                                         "by this share (0.30 = +30%) over --quarters, compounded evenly, with new "
                                         "logos at the last 12 months' rate. Default 0 (flat)."),
        quarters: int = typer.Option(None, "--quarters", min=1, max=20, help="Quarters of an --arr-growth plan "
                                     "(default 4)."),
        as_of: str = AS_OF,
        digital: list[str] = typer.Option(None, "--digital", metavar="SEGMENT",
                                          help="What-if: serve this segment with the digital motion (repeatable)."),
        motion: list[str] = typer.Option(None, "--motion", metavar="SEGMENT=MOTION",
                                         help="What-if: serve this segment with this motion (repeatable)."),
        ratio: list[str] = typer.Option(None, "--ratio", metavar="SEGMENT=accounts_per_csm:N|arr_per_csm:N",
                                        help="What-if: this coverage ratio for the segment (repeatable)."),
        fmt: Format = FORMAT,
    ) -> None:
        """CSMs needed per quarter and segment, the hiring plan, and a what-if against it.

        CSMs needed: the largest of effort ÷ (CSM hours × target utilisation), dedicated accounts ÷ accounts_per_csm
        and ARR ÷ arr_per_csm.

        Hires join at the start of the quarter they are needed and ramp; the team loses capacity.attrition_per_year.
        """
        from tenure.cli.problems import describe
        from tenure.cli.render import errors
        from tenure.errors import DataContractError
        from tenure.views.capacity import capacity_report

        ws = options(ctx).open()
        when = parse_date(as_of)
        scenario = _scenario(ws, digital or [], motion or [], ratio or [])
        try:
            report = capacity_report(ws, as_of=when, plan_file=plan, arr_growth=arr_growth, quarters=quarters,
                                     scenario=scenario)
        except DataContractError as exc:  # every problem of the file, then one error with the exit code
            from rich.markup import escape

            for problem in exc.problems:
                errors.print("  " + escape(describe(problem)), highlight=False, soft_wrap=True)
            raise PlanRejected(f"the plan {plan} was rejected ({len(exc.problems)} problem(s) above); "
                               "nothing was computed") from None
        if fmt is Format.json:
            _json(report)
        elif fmt is Format.csv:
            _csv(report)
        else:
            _tables(report, ws.config.capacity)


def _scenario(ws, digital: list[str], motions: list[str], ratios: list[str]) -> Scenario:
    """The what-if from the options; every malformed option is named in the error."""
    from tenure.operating.capacity import RATIO_KEYS, Scenario, digital_motion

    moved: dict[str, str] = {}

    def move(segment: str, name: str, option: str) -> None:
        if segment in moved and moved[segment] != name:
            raise TenureError(f"{option}: segment {segment!r} is already moved to {moved[segment]!r}")
        moved[segment] = name

    if digital:
        name = digital_motion(ws.config.engagement)
        for segment in digital:
            move(segment.strip(), name, f"--digital {segment}")
    for text in motions:
        segment, _, name = text.partition("=")
        if not segment.strip() or not name.strip():
            raise TenureError(f"--motion {text!r}: expected SEGMENT=MOTION, e.g. SMB=digital")
        move(segment.strip(), name.strip(), f"--motion {text}")
    changed: dict[str, dict[str, float]] = {}
    for text in ratios:
        segment, _, rest = text.partition("=")
        key, _, value = rest.partition(":")
        try:
            number = float(value.replace(",", "").replace("_", ""))
        except ValueError:
            number = None
        if not segment.strip() or key.strip() not in RATIO_KEYS or number is None:
            raise TenureError(f"--ratio {text!r}: expected SEGMENT=accounts_per_csm:N or SEGMENT=arr_per_csm:N, "
                              "e.g. SMB=accounts_per_csm:200")
        changed.setdefault(segment.strip(), {})[key.strip()] = number
    return Scenario(motions=moved, ratios=changed)


def _show(value: Any, kind: Any) -> str:
    import math

    if value is None or isinstance(value, float) and math.isnan(value):
        return "—"
    if kind is None:
        return str(value)
    if kind == "%":
        return f"{float(value) * 100:.1f}%"
    return f"{float(value):,.{kind}f}"


def _table(data: pd.DataFrame, columns: list[tuple[str, str, Any]], title: str) -> None:
    from rich import box
    from rich.table import Table

    from tenure.cli.render import console

    cells = [[_show(row.get(key), kind) for key, _, kind in columns] for row in data.to_dict(orient="records")]
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    for i, (_, header, kind) in enumerate(columns):  # values never wrap; long headers wrap at their spaces
        width = max([len(word) for word in header.split()] + [len(row[i]) for row in cells])
        table.add_column(header, justify="left" if kind is None else "right", width=width)
    for row in cells:
        table.add_row(*row)
    console.print(table)


def _hires_by_quarter(plan: pd.DataFrame, hiring: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, str, Any]]]:
    """The hiring totals with the hires of each quarter before their sum."""
    from tenure.operating.capacity import TOTAL

    labels = list(dict.fromkeys(plan["quarter"]))
    table = hiring.copy()
    for label in labels:
        per = plan[plan["quarter"] == label].set_index("segment")["hires"]
        table[f"hires_{label}"] = [int(per.sum()) if s == TOTAL else int(per[s]) for s in table["segment"]]
    by_quarter = [(f"hires_{label}", f"hires {label}", 0) for label in labels]
    return table, [*HIRING_COLUMNS[:2], *by_quarter, *HIRING_COLUMNS[2:]]


def _tables(report: CapacityReport, capacity) -> None:
    from rich.markup import escape

    from tenure.cli.render import console

    first, last = report.quarters[0], report.quarters[-1]
    ramp = (f"ramp {capacity.ramp_quarters} quarter{'s' if capacity.ramp_quarters != 1 else ''} at "
            f"{capacity.ramp_productivity:.0%}") if capacity.ramp_quarters else "no ramp"
    console.print(f"[bold]Capacity plan as of {report.as_of}[/]: {escape(report.source)}, {first}–{last}; "
                  f"attrition {capacity.attrition_per_year:.0%} a year, {ramp}, "
                  f"target utilisation {capacity.target_utilisation:.0%}", highlight=False)
    _table(report.book, START_COLUMNS, f"Starting point at {report.as_of} (effort and CSM hours a month; ratios "
           "are the coverage targets)")
    _table(report.base.quarters, QUARTER_COLUMNS, "Plan by quarter (base)")
    hiring, columns = _hires_by_quarter(report.base.quarters, report.base.hiring)
    _table(hiring, columns, "Hiring plan (base)")
    if report.what_if is not None and report.comparison is not None:
        what_if = report.what_if
        title = f"What-if: {what_if.scenario.describe()}"
        hiring, columns = _hires_by_quarter(what_if.quarters, what_if.hiring)
        _table(hiring, columns, f"Hiring plan ({title})")
        shown = report.comparison[(report.comparison["segment"] == "Total") | (report.comparison["quarter"] == last)]
        _table(shown, COMPARISON_COLUMNS, f"{title} against the base (per CSM: per CSM needed)")
        for line in headline(report.comparison, last):
            console.print(escape(line), highlight=False)
    for note in report.notes:
        console.print(f"  note: {escape(note)}", highlight=False)


def headline(comparison: pd.DataFrame, last: str) -> list[str]:
    """The what-if in two sentences, from the total row of the last quarter."""
    row = comparison[(comparison["segment"] == "Total") & (comparison["quarter"] == last)].iloc[0]
    freed = row["csms_freed"]
    change = "freed" if freed >= 0 else "more needed"
    lines = [f"By {last} the what-if needs {row['csms_needed']:,.1f} CSMs against {row['base_csms_needed']:,.1f} "
             f"in the base: {abs(freed):,.1f} {change}; hires over the plan "
             f"{int(comparison.loc[comparison['segment'] == 'Total', 'hires'].sum())} instead of "
             f"{int(comparison.loc[comparison['segment'] == 'Total', 'base_hires'].sum())}."]
    more = row["more_accounts_per_csm"]
    if more is not None and more == more:
        lines.append(f"Each CSM needed covers {row['accounts_per_csm_needed']:,.1f} accounts and ARR "
                     f"{row['arr_per_csm_needed']:,.0f} (base {row['base_accounts_per_csm_needed']:,.1f} and "
                     f"{row['base_arr_per_csm_needed']:,.0f}): the same headcount serves {abs(more):.0%} "
                     f"{'more' if more >= 0 else 'fewer'} accounts.")
    return lines


def _records(data: pd.DataFrame | None) -> list[dict] | None:
    from tenure.cli.render import clean

    if data is None:
        return None
    return [{k: clean(v) for k, v in row.items()} for row in data.to_dict(orient="records")]


def _json(report: CapacityReport) -> None:
    from tenure.cli.render import dump_json
    from tenure.views.capacity import report_record

    dump_json(report_record(report, _records))


def _csv(report: CapacityReport) -> None:
    """The plan by quarter, one row per scenario, quarter and segment."""
    import sys

    import pandas as pd

    parts = [report.base.quarters.assign(scenario="base")]
    if report.what_if is not None:
        parts.append(report.what_if.quarters.assign(scenario="what_if"))
    rows = pd.concat(parts, ignore_index=True)
    rows[["scenario", *(c for c in rows.columns if c != "scenario")]].to_csv(sys.stdout, index=False)
