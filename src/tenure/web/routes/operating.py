"""The operating model: segments, coverage per CSM and segment, and the capacity what-if, as a page and API.

The page and the API call the views `tenure segments`, `tenure coverage` and `tenure capacity` call,
with the same arguments, as of the day the pages describe. The what-if is a GET query so a scenario
is a URL a director can save or send: `arr_growth` (a share, 0.30 = +30%) and `quarters` of the ARR
plan, `digital` (a segment served by the digital motion, repeatable), and per segment
`motion.<segment>`, `accounts_per_csm.<segment>` and `arr_per_csm.<segment>` (an empty value keeps
the configured one). Bad input is a message naming the parameter: on the page beside the baseline,
from the API a 400.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import QueryParams

from tenure.errors import TenureError
from tenure.operating.capacity import RATIO_KEYS, TOTAL, Scenario, digital_motion
from tenure.web.access import Principal
from tenure.web.deps import allow, state
from tenure.web.pages import chart_svg, render
from tenure.web.paging import Paging, records
from tenure.web.state import AppState

router = APIRouter()

PER_SEGMENT = ("motion", *RATIO_KEYS)  # what-if parameters named `<key>.<segment>`
MAX_QUARTERS = 20  # as `tenure capacity --quarters`
KEPT_PLANS = 32  # what-ifs kept computed per data version: a saved scenario URL opens at once
WHAT_IF_PARAMETERS = [
    {"name": "arr_growth", "in": "query", "schema": {"type": "string"},
     "description": "Grow every segment's ARR by this share over the plan (0.30 or 30% = +30%); default 0 (flat)."},
    {"name": "quarters", "in": "query", "schema": {"type": "string"},
     "description": f"Quarters of the plan, 1 to {MAX_QUARTERS} (default 4)."},
    {"name": "digital", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
     "description": "What-if: serve this segment with the digital motion (repeatable)."},
    *({"name": f"{key}.<segment>", "in": "query", "schema": {"type": "string"},
       "description": f"What-if: the segment's {text}, e.g. `{key}.SMB={example}`."}
      for key, text, example in (("motion", "engagement motion", "digital"),
                                 ("accounts_per_csm", "target accounts per CSM", "200"),
                                 ("arr_per_csm", "target ARR per CSM", "2000000"))),
]


@dataclass(frozen=True)
class WhatIf:
    """The capacity plan a request asks for: ARR growth over some quarters, and the scenario against the base."""

    arr_growth: float | None = None
    quarters: int | None = None
    motions: tuple[tuple[str, str], ...] = ()
    ratios: tuple[tuple[str, str, float], ...] = ()

    @property
    def scenario(self) -> Scenario:
        ratios: dict[str, dict[str, float]] = {}
        for segment, key, value in self.ratios:
            ratios.setdefault(segment, {})[key] = value
        return Scenario(motions=dict(self.motions), ratios=ratios)


def parse_what_if(params: QueryParams, digital: Callable[[], str]) -> WhatIf:
    """The what-if of a query; every malformed parameter is named in one TenureError.

    `digital` gives the motion `digital=SEGMENT` means (asked only when the query names one)."""
    problems: list[str] = []
    growth = _number(params.get("arr_growth", ""), "arr_growth", problems, percent=True)
    if growth is not None and not growth > -1:
        problems.append(f"arr_growth must be above -1 (a share: 0.30 is +30%), not {growth:g}")
    quarters = _number(params.get("quarters", ""), "quarters", problems)
    if quarters is not None and (quarters != int(quarters) or not 1 <= quarters <= MAX_QUARTERS):
        problems.append(f"quarters must be a whole number from 1 to {MAX_QUARTERS}, not {quarters:g}")
    motions: dict[str, str] = {}
    for segment in (s.strip() for s in params.getlist("digital") if s.strip()):
        motions[segment] = digital()
    ratios = []
    for key, raw in params.multi_items():
        name, dot, segment = key.partition(".")
        if not dot:
            continue
        if name not in PER_SEGMENT or not segment.strip():
            problems.append(f"unknown what-if parameter {key!r} (per segment: "
                            + ", ".join(f"{k}.<segment>" for k in PER_SEGMENT) + ")")
        elif raw.strip() and name == "motion":
            if motions.get(segment, raw.strip()) != raw.strip():
                problems.append(f"{key}: segment {segment!r} is already moved to {motions[segment]!r}")
            motions[segment] = raw.strip()
        elif raw.strip() and (number := _number(raw, key, problems)) is not None:
            ratios.append((segment, name, number))
    if problems:
        raise TenureError("what-if: " + "; ".join(problems))
    return WhatIf(arr_growth=growth, quarters=None if quarters is None else int(quarters),
                  motions=tuple(sorted(motions.items())), ratios=tuple(sorted(ratios)))


def _number(text: str, name: str, problems: list[str], *, percent: bool = False) -> float | None:
    """A number typed in a form or a URL (1,500,000 and 1_500_000 read as 1500000; with `percent`, 30% as 0.3)."""
    cleaned = text.strip().replace(",", "").replace("_", "")
    if not cleaned:
        return None
    scale = 1.0
    if percent and cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1].strip(), 0.01
    try:
        number = float(cleaned) * scale
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        problems.append(f"{name} must be a number, not {text.strip()!r}")
        return None
    return number


def _segments(app: AppState, as_of: dt.date) -> pd.DataFrame:
    from tenure.views.coverage import segments_at

    def build() -> pd.DataFrame:
        summary = segments_at(app.ws, as_of=as_of)[0]
        return summary.astype({"arr": float, "average_arr": float})

    return app.cached(("operating", "segments", as_of), build)


def _coverage(app: AppState, as_of: dt.date):
    from tenure.views.coverage import coverage_at
    from tenure.workflow.plans import owner_overrides

    def build():
        with app.store.session() as session:
            owners = owner_overrides(session)
        view = coverage_at(app.ws, as_of=as_of, owners=owners)
        view.csms = view.csms.astype({"arr": float, "red_arr": float, "renewals_due_arr": float})
        view.segments = view.segments.astype({"arr": float, "red_arr": float})
        return view

    return app.cached(("operating", "coverage", as_of), build)


def _capacity(app: AppState, as_of: dt.date, what_if: WhatIf):
    """The capacity report of the what-if, cached: the last KEPT_PLANS what-ifs of the data version."""
    from tenure.views.capacity import capacity_report

    plans: dict = app.cached(("operating", "capacity", as_of), dict)
    with app.lock:
        if what_if not in plans:
            report = capacity_report(app.ws, as_of=as_of, arr_growth=what_if.arr_growth, quarters=what_if.quarters,
                                     scenario=what_if.scenario)
            if len(plans) >= KEPT_PLANS:
                plans.pop(next(iter(plans)))
            plans[what_if] = report
        return plans[what_if]


def _what_if(request: Request) -> WhatIf:
    return parse_what_if(request.query_params, lambda: digital_motion(state(request).ws.config.engagement))


def _csms(coverage, segment: str | None, flagged: bool) -> pd.DataFrame:
    csms = coverage.csms
    if segment:
        csms = csms[csms["segment"] == segment]
    if flagged:
        csms = csms[csms["flag"] != ""]
    return csms


def capacity_json(report) -> dict:
    """The capacity report as `tenure capacity --format json` writes it."""
    from tenure.views.capacity import report_record

    return report_record(report, records)


def plan_totals(report) -> pd.DataFrame:
    """Per quarter and plan (base, what-if): the company's CSMs needed and headcount (the chart's rows)."""
    plans = [("base", report.base)] + ([("what-if", report.what_if)] if report.what_if is not None else [])
    parts = [plan.quarters.groupby("quarter", sort=False)[["csms_needed", "headcount"]].sum().reset_index()
             .assign(plan=name) for name, plan in plans]
    return pd.concat(parts, ignore_index=True)


@router.get("/api/v1/operating/segments", tags=["operating"])
def segments_api(request: Request, principal: Principal = Depends(allow("company"))) -> dict:
    """Paying accounts and ARR per segment, with how many took a loaded segment, a rule or none (`tenure segments`)."""
    app = state(request)
    as_of = app.as_of()
    return {"as_of": as_of.isoformat(), "segments": records(_segments(app, as_of))}


@router.get("/api/v1/operating/coverage", tags=["operating"])
def coverage_api(request: Request, principal: Principal = Depends(allow("company")), paging: Paging = Depends(),
                 segment: str | None = Query(None, description="Only the CSMs of this segment."),
                 flagged: bool = Query(False, description="Only CSMs flagged overloaded, idle or unknown.")) -> dict:
    """Coverage per segment against the target ratios, and per CSM (paginated) with flags (`tenure coverage`)."""
    app = state(request)
    as_of = app.as_of()
    coverage = _coverage(app, as_of)
    return {"as_of": as_of.isoformat(), "segments": records(coverage.segments),
            "csms": paging.envelope(_csms(coverage, segment, flagged))}


@router.get("/api/v1/operating/capacity", tags=["operating"], openapi_extra={"parameters": WHAT_IF_PARAMETERS})
def capacity_api(request: Request, principal: Principal = Depends(allow("company"))) -> dict:
    """The headcount plan per quarter and segment, the hiring plan, and the what-if against it (`tenure capacity`).

    CSMs needed: the largest of effort ÷ (CSM hours × target utilisation), dedicated accounts ÷ accounts per
    CSM and ARR ÷ ARR per CSM. A malformed what-if is a 400 naming the parameter.
    """
    app = state(request)
    return capacity_json(_capacity(app, app.as_of(), _what_if(request)))


@router.get("/operating", include_in_schema=False)
def operating_page(request: Request, principal: Principal = Depends(allow("company")),
                   segment: str | None = None, flagged: bool = False):
    app = state(request)
    as_of = app.as_of()
    coverage = _coverage(app, as_of)
    error, status, report = None, 200, None
    chosen = {key.partition(".")[2]: value for key, value in request.query_params.multi_items()
              if key.startswith("motion.")}  # the motions asked for, shown in the form even when refused
    try:
        what_if = _what_if(request)
        chosen = dict(what_if.motions)  # with the segments `digital=` moved
        report = _capacity(app, as_of, what_if)
    except TenureError as exc:  # the base plan stays on the page beside the message
        error, status = str(exc), 400
    if report is None:
        try:
            report = _capacity(app, as_of, WhatIf())
        except TenureError as exc:  # the data cannot carry a plan: not the input's fault when the base fails alike
            base = f"no capacity plan: {exc}"
            error, status = (base, 200) if str(exc) == error else (f"{error}; {base}", 400)
    chart = None
    if report is not None:
        from tenure.charts.operating import csms_needed

        chart = chart_svg(csms_needed(plan_totals(report), title="CSMs needed (bars) and headcount (dots), company"))
    engagement = app.ws.config.engagement
    return render(request, "operating.html", principal, status_code=status, as_of=as_of,
                  segments=records(_segments(app, as_of)), coverage_segments=records(coverage.segments),
                  csms=records(_csms(coverage, segment, flagged)), csm_segments=sorted(
                      {s for s in coverage.csms["segment"] if isinstance(s, str)}),
                  flags=coverage.csms["flag"].value_counts().to_dict(), segment=segment, flagged=flagged,
                  error=error, report=report, plan=None if report is None else _plan_view(report),
                  chart=chart, motions=list(engagement.motions), chosen=chosen)


def _plan_view(report) -> dict:
    """The rows the page's capacity tables show: the start, the hiring plan and the quarters (with the what-if
    beside the base when there is one)."""
    view = {"book": records(report.book), "hiring": records(report.base.hiring), "what_if_hiring": None,
            "quarters": records(report.base.quarters), "totals": None, "last": None, "headline": None,
            "scenario": None}
    if report.what_if is not None:
        comparison = report.comparison
        last = report.quarters[-1]
        hires = {row["segment"]: row for row in records(report.what_if.hiring)}
        view.update(what_if_hiring=hires, scenario=report.what_if.scenario.describe(),
                    totals=records(comparison[comparison["segment"] == TOTAL]),
                    last=records(comparison[(comparison["quarter"] == last) & (comparison["segment"] != TOTAL)]))
        view["headline"] = view["totals"][-1]
    return view
