"""The capacity view: a workspace's headcount plan at a date, and a what-if against it.

It measures what the plan needs from the data — the book by segment and motion (`book_at`), the
CSMs on the team, the last 12 months' logo churn and new logos per segment from the revenue
engine — reads the ARR plan (a CSV file) or builds one from a growth rate, and runs
`operating.capacity` for the base and the what-if. The measurements run in the engine; only the
few rows per segment and quarter come back to Python.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tenure.errors import DataContractError, NotFound, Problem, TenureError
from tenure.metrics import revenue
from tenure.metrics.calendar import last_closed_month, month_end_of_index
from tenure.operating.capacity import (
    CapacityPlan,
    PlanInputs,
    Scenario,
    compare,
    first_plan_quarter,
    growth_plan,
    plan_capacity,
    quarter_index,
    quarter_label,
)
from tenure.operating.segments import segment_accounts
from tenure.views.book import book_at
from tenure.views.revenue import account_mrr

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.workspace import Workspace

PLAN_COLUMNS = ("quarter", "segment", "arr", "new_logos")
WINDOW_MONTHS = 12  # logo churn and new logos are measured over the last 12 closed months
MIN_COHORT = 10  # a segment with fewer accounts a year ago takes the company's logo churn


@dataclass
class CapacityReport:
    """The plan as computed: where the ARR plan came from, the starting book, base and what-if."""

    as_of: dt.date
    source: str
    book: pd.DataFrame
    plan: pd.DataFrame
    base: CapacityPlan
    what_if: CapacityPlan | None = None
    comparison: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def quarters(self) -> list[str]:
        return list(dict.fromkeys(self.plan["quarter"]))


def capacity_report(ws: Workspace, *, as_of: dt.date, plan_file: Path | None = None,
                    arr_growth: float | None = None, quarters: int | None = None,
                    scenario: Scenario | None = None) -> CapacityReport:
    """The headcount plan for the ARR plan in `plan_file`, or for ARR growing by `arr_growth` (default 0)
    over `quarters` (default 4); with `scenario`, the what-if and its comparison with the base."""
    if plan_file is not None and (arr_growth is not None or quarters is not None):
        raise TenureError("--plan gives the quarters and the ARR; --arr-growth and --quarters go without it")
    if scenario is not None:  # a mistyped motion or ratio fails before anything is computed
        scenario.check(engagement=ws.config.engagement, segments=None)
    first = first_plan_quarter(as_of)
    plan = None if plan_file is None else parse_plan(*read_plan(plan_file), source=str(plan_file),
                                                     first_quarter=first, as_of=as_of, segments=known_segments(ws))
    book = book_at(ws, as_of=as_of)
    mix = ws.warehouse.execute(book.group_by("segment", "motion").aggregate(accounts=book.count(),
                                                                             arr=book.arr.sum()))
    mix["arr"] = mix["arr"].astype(float)
    notes: list[str] = []
    csms = team_csms(ws, as_of=as_of, book=book, notes=notes)
    by_segment = mix.groupby("segment")[["accounts", "arr"]].sum()
    new_logos, months = new_logos_per_quarter(ws, as_of=as_of)
    if plan is not None:
        check_plan_segments(plan, source=str(plan_file), book=by_segment, as_of=as_of)
        source = str(plan_file)
    else:
        if months is None:
            raise TenureError(f"fewer than 3 months of revenue history before {as_of} to measure new logos; "
                              "give the plan with --plan FILE")
        growth, span = arr_growth or 0.0, 4 if quarters is None else quarters
        segments = list(dict.fromkeys([*by_segment.index, *csms["segment"]]))
        plan = growth_plan({s: float(by_segment["arr"].get(s, 0.0)) for s in segments},
                           {s: new_logos.get(s, 0.0) for s in segments}, growth=growth, quarters=span,
                           first_quarter=first)
        source = f"ARR {growth:+.0%} over {span} quarter{'s' if span != 1 else ''}"
    segments = list(dict.fromkeys(plan["segment"]))
    if not segments:
        raise NotFound(f"no account is paying and no CSM is on the team at {as_of}: there is nothing to plan")
    outside = sorted(set(csms["segment"]) - set(segments))
    for segment in outside:
        notes.append(f"{int((csms['segment'] == segment).sum())} CSM(s) of segment {segment} are not in the plan")
    churn, churn_source = logo_churn(ws, as_of=as_of, segments=segments)
    inputs = PlanInputs(first_quarter=first, mix=mix, csms=csms, plan=plan.drop(columns="row", errors="ignore"),
                        logo_churn=churn, capacity=ws.config.capacity, coverage=ws.config.coverage,
                        engagement=ws.config.engagement)
    base = plan_capacity(inputs)
    start = base.profile.assign(logo_churn_source=[churn_source[s] for s in base.profile["segment"]],
                                new_logos_per_quarter=[new_logos.get(s, None if months is None else 0.0)
                                                       for s in base.profile["segment"]])
    report = CapacityReport(as_of=as_of, source=source, book=start,
                            plan=inputs.plan, base=base, notes=notes)
    if months is not None and months < WINDOW_MONTHS:
        notes.append(f"new logos measured over {months} months (the revenue history is shorter than a year)")
    if scenario is not None and not scenario.is_base:
        report.what_if = plan_capacity(inputs, scenario)
        report.comparison = compare(base, report.what_if)
    return report


def team_csms(ws: Workspace, *, as_of: dt.date, book: ir.Table, notes: list[str]) -> pd.DataFrame:
    """The CSMs on the team at `as_of`: role csm, hired on or before it, not left by it.

    Columns person_id, segment, capacity_hours (hours a week; empty: `coverage.capacity_hours`),
    hired_at. A CSM with no segment takes the segment most of their book is in
    (ties: the first by name), and is left out, with a note, when they have no book.
    """
    import ibis
    import pandas as pd

    team = ws.warehouse.table("team")
    columns = ["person_id", "segment", "capacity_hours", "hired_at"]
    if team is None:
        notes.append("no team table is loaded: the plan starts from no CSMs")
        return pd.DataFrame(columns=columns)
    csm = team.filter(team.role == "csm")
    if "hired_at" in team.columns:
        csm = csm.filter(csm.hired_at.isnull() | (csm.hired_at <= as_of))
    if "left_at" in team.columns:
        csm = csm.filter(csm.left_at.isnull() | (csm.left_at > as_of))

    def column(name: str, kind: str) -> ir.Value:
        return csm[name].cast(kind) if name in team.columns else ibis.null(kind)

    people = ws.warehouse.execute(csm.select(
        person_id=csm.person_id.cast("string"), segment=column("segment", "string").strip().nullif(""),
        capacity_hours=column("capacity_hours", "float64"), hired_at=column("hired_at", "date")))
    default = ws.config.coverage.capacity_hours
    people["capacity_hours"] = [default if pd.isna(h) else float(h) for h in people["capacity_hours"]]
    missing = people["segment"].isna()
    if missing.any():
        ids = list(people.loc[missing, "person_id"])
        owned = book.filter(book.owner.isin(ids))
        books = ws.warehouse.execute(owned.group_by("owner", "segment").aggregate(accounts=owned.count()))
        books = books.sort_values(["owner", "accounts", "segment"], ascending=[True, False, True])
        placed = books.drop_duplicates("owner").set_index("owner")["segment"]
        people.loc[missing, "segment"] = people.loc[missing, "person_id"].map(placed)
        unplaced = people["segment"].isna()
        if unplaced.any():
            notes.append(f"{int(unplaced.sum())} CSM(s) with no segment and no book are left out: "
                         + ", ".join(people.loc[unplaced, "person_id"]))
        people = people[~unplaced]
    return people[columns].sort_values("person_id").reset_index(drop=True)


def logo_churn(ws: Workspace, *, as_of: dt.date, segments: list[str]) -> tuple[dict[str, float], dict[str, str]]:
    """Yearly logo churn per segment and where it comes from.

    `capacity.logo_churn_per_year` when set (`config`); else the last 12 months' logo churn of the
    accounts paying 12 month-ends ago, grouped by their segment then (`measured`), or the company's
    (`company`) for a segment that had fewer than MIN_COHORT of them.
    """
    configured = ws.config.capacity.logo_churn_per_year
    if configured is not None:
        return dict.fromkeys(segments, configured), dict.fromkeys(segments, "config")
    mrr = account_mrr(ws, as_of=as_of)
    last = last_closed_month(as_of)
    start = last - WINDOW_MONTHS
    arr = mrr.filter(mrr.month == start).select("account_id", arr=mrr.mrr * 12)
    cohort = segment_accounts(ws.warehouse.table("accounts"), arr, ws.config.segments).select("account_id", "segment")
    measured = ws.warehouse.execute(revenue.retention(mrr.join(cohort, "account_id"), end_months=[last],
                                                      window_months=WINDOW_MONTHS, group_by=["segment"]))
    if measured.empty:
        raise TenureError(f"no accounts were paying at {month_end_of_index(start)}, 12 months before {as_of}, so "
                          "logo churn cannot be measured; set capacity.logo_churn_per_year in tenure.yaml")
    company = float(measured["accounts_lost"].sum()) / float(measured["accounts_start"].sum())
    rates = {row.segment: float(row.logo_churn) for row in measured.itertuples() if row.accounts_start >= MIN_COHORT}
    return ({s: rates.get(s, company) for s in segments},
            {s: "measured" if s in rates else "company" for s in segments})


def new_logos_per_quarter(ws: Workspace, *, as_of: dt.date) -> tuple[dict[str, float], int | None]:
    """Accounts that started paying (new or reactivated) per quarter over the last 12 closed months, per
    segment (by the rules at the ARR they started with), and the months measured.

    The first month of the revenue history is left out (every account is "new" in it); with fewer
    than 3 months left, nothing is measured (months None).
    """
    mrr = account_mrr(ws, as_of=as_of)
    first = ws.warehouse.execute(mrr.month.min())
    last = last_closed_month(as_of)
    if first is None or (isinstance(first, float) and math.isnan(first)):
        return {}, None
    begin = max(last - WINDOW_MONTHS + 1, int(first) + 1)
    months = last - begin + 1
    if months < 3:
        return {}, None
    moves = revenue.movements(mrr, as_of=as_of, reactivation_window_months=ws.config.revenue.reactivation_window_months)
    added = moves.filter(moves.movement.isin(["new", "reactivation"]) & (moves.month >= begin))
    started = segment_accounts(ws.warehouse.table("accounts"), added.select("account_id", arr=added.mrr_end * 12),
                               ws.config.segments)
    counts = ws.warehouse.execute(started.group_by("segment").aggregate(accounts=started.count()))
    return {row.segment: row.accounts * 3 / months for row in counts.itertuples()}, months


def known_segments(ws: Workspace) -> set[str]:
    """Segments a plan may name: loaded on an account or a team member, or named in the operating config
    (segment rules, the unmatched segment, coverage ratios, the engagement matrix, segment targets)."""
    config = ws.config
    known = {*(r.name for r in config.segments.rules), config.segments.unmatched, *config.coverage.ratios,
             *(s for s in config.engagement.matrix if s != "*"), *config.targets.segments}
    for name in ("accounts", "team"):
        table = ws.warehouse.table(name)
        if table is not None and "segment" in table.columns:
            values = ws.warehouse.execute(table.select(segment=table.segment.cast("string").strip()).distinct())
            known.update(v for v in values["segment"] if isinstance(v, str) and v)
    return known


def read_plan(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows of a plan CSV file, as text, each with its row number (the header is not
    counted, blank lines are); a missing or unreadable file is an error."""
    if not path.is_file():
        raise NotFound(f"plan file {path} does not exist")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            rows = [(reader.line_num - 1, row) for row in reader]
            header = list(reader.fieldnames or [])
    except UnicodeDecodeError as exc:
        raise DataContractError([Problem(str(path), None, None, None, "encoding",
                                         f"is not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    return header, rows


def parse_plan(header: list[str], body: list[tuple[int, dict[str, str]]], *, source: str, first_quarter: int,
               as_of: dt.date, segments: Collection[str] | None = None) -> pd.DataFrame:
    """Validate a plan's header and rows: columns, numbers, quarters in order.

    Rules: the columns are quarter, segment, arr, new_logos; every value is present; a quarter reads
    like 2026Q1; a segment is one of `segments` (when given); arr and new_logos are non-negative
    numbers; each segment's quarters start in the quarter after `as_of` and follow each other with
    none repeated or skipped; every segment runs to the same last quarter. Every problem is reported
    (file, row, column, value, rule); a plan with any problem computes nothing.
    """
    import pandas as pd

    problems: list[Problem] = []
    names = [h.strip() for h in header]
    for name in PLAN_COLUMNS:
        if name not in names:
            problems.append(Problem(source, None, name, None, "columns",
                                    f"the plan needs a column {name!r} (columns: {', '.join(PLAN_COLUMNS)})"))
    for name in names:
        if name not in PLAN_COLUMNS:
            problems.append(Problem(source, None, name, None, "columns",
                                    f"unknown column (columns: {', '.join(PLAN_COLUMNS)})"))
    if not problems and not body:
        problems.append(Problem(source, None, None, None, "rows", "the plan has no rows"))
    if problems:
        raise DataContractError(problems)
    records, last_of = [], {}
    for number, raw in body:
        row = {name.strip(): (value or "").strip() for name, value in raw.items() if name is not None}
        record = {"row": number}
        for name in PLAN_COLUMNS:
            value = row.get(name, "")
            if value == "":
                problems.append(Problem(source, number, name, value, "required", "is empty"))
                continue
            if name == "quarter":
                try:
                    record[name] = quarter_index(value)
                except ValueError:
                    problems.append(Problem(source, number, name, value, "quarter", "is not a quarter like 2026Q1"))
            elif name == "segment":
                record[name] = value
                if segments is not None and value not in segments:
                    problems.append(Problem(source, number, name, value, "known segment",
                                            f"is not a segment of this workspace (segments: "
                                            f"{', '.join(sorted(segments))})"))
            else:
                try:
                    number_value = float(value)
                except ValueError:
                    number_value = math.nan
                if not math.isfinite(number_value):
                    problems.append(Problem(source, number, name, value, "number", "is not a number"))
                elif number_value < 0:
                    problems.append(Problem(source, number, name, value, "non-negative", "must be 0 or more"))
                else:
                    record[name] = number_value
        if "quarter" in record and "segment" in record:
            _check_order(record, last_of, problems, source=source, first_quarter=first_quarter, as_of=as_of)
        records.append(record)
    if last_of and not problems:
        end = max(quarter for quarter, _ in last_of.values())
        for segment, (quarter, number) in last_of.items():
            if quarter != end:
                problems.append(Problem(source, number, "quarter", quarter_label(quarter), "same quarters",
                                        f"segment {segment!r} ends in {quarter_label(quarter)}; the plan runs to "
                                        f"{quarter_label(end)}"))
    if problems:
        raise DataContractError(problems)
    plan = pd.DataFrame(records)
    plan = plan.sort_values(["quarter", "row"]).reset_index(drop=True)
    plan["quarter"] = plan["quarter"].map(quarter_label)
    return plan[["quarter", "segment", "arr", "new_logos", "row"]]


def _check_order(record: dict, last_of: dict, problems: list[Problem], *, source: str, first_quarter: int,
                 as_of: dt.date) -> None:
    """Each segment's quarters: the first is the plan's first, each next one follows the one before."""
    segment, quarter, number = record["segment"], record["quarter"], record["row"]
    label = quarter_label(quarter)
    previous = last_of.get(segment)
    if previous is None:
        if quarter != first_quarter:
            problems.append(Problem(source, number, "quarter", label, "plan start",
                                    f"segment {segment!r} starts in {label}; the plan starts in "
                                    f"{quarter_label(first_quarter)}, the quarter after the book's date {as_of}"))
    elif quarter == previous[0]:
        problems.append(Problem(source, number, "quarter", label, "unique",
                                f"segment {segment!r} has {label} twice (rows {previous[1]} and {number})"))
    elif quarter != previous[0] + 1:
        problems.append(Problem(source, number, "quarter", label, "consecutive quarters",
                                f"segment {segment!r}: after {quarter_label(previous[0])} (row {previous[1]}) comes "
                                f"{quarter_label(previous[0] + 1)}, in order and with none skipped"))
    last_of[segment] = (max(quarter, previous[0]) if previous else quarter, number)


def check_plan_segments(plan: pd.DataFrame, *, source: str, book: pd.DataFrame, as_of: dt.date) -> None:
    """Every segment of the book at `as_of` (accounts, arr by segment) has rows in the plan."""
    problems = []
    planned = set(plan["segment"])
    for segment, accounts, arr in zip(book.index, book["accounts"], book["arr"], strict=True):
        if segment not in planned:
            problems.append(Problem(source, None, "segment", segment, "every segment",
                                    f"no rows for segment {segment!r}, which has {int(accounts):,} paying accounts "
                                    f"and ARR {float(arr):,.0f} at {as_of}"))
    if problems:
        raise DataContractError(problems)



def report_record(report: CapacityReport, rows: Callable[[pd.DataFrame], list[dict]]) -> dict:
    """The report as one JSON-ready record (`tenure capacity --format json` and the web API), each table through
    `rows` (the caller's JSON-safe conversion)."""
    def table(frame: pd.DataFrame | None) -> list[dict] | None:
        return None if frame is None else rows(frame)

    what_if = report.what_if
    return {
        "as_of": report.as_of, "plan_source": report.source, "quarters": report.quarters,
        "book": table(report.book), "plan": table(report.plan),
        "base": {"quarters": table(report.base.quarters), "hiring": table(report.base.hiring)},
        "what_if": None if what_if is None else {
            "scenario": what_if.scenario.describe(), "motions": dict(what_if.scenario.motions),
            "ratios": {k: dict(v) for k, v in what_if.scenario.ratios.items()},
            "quarters": table(what_if.quarters), "hiring": table(what_if.hiring)},
        "comparison": table(report.comparison), "notes": report.notes,
    }
