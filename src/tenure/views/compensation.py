"""The compensation view: each person's attainment and payout for a period, and the plan's cost.

Books come from `views.targets.period_book` (the book at the period start, so moves during
the period do not change whose results count); people from the `team` table (their role picks
the plan); the arithmetic from `operating.compensation`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tenure.errors import NotFound
from tenure.operating import compensation as comp
from tenure.operating.book_results import measured_to
from tenure.operating.targets import results_against_targets
from tenure.views.targets import period_book

if TYPE_CHECKING:
    import pandas as pd

    from tenure.operating.periods import Period
    from tenure.workspace import Workspace

PEOPLE_COLUMNS = ("person_id", "name", "role", "accounts", "arr_start", "arr_retained", "target_variable", "payout",
                  "payout_pct", "note")
LINE_COLUMNS = ("person_id", "metric", "weight", "actual", "target", "threshold", "attainment", "rate", "payout")


@dataclass
class CompensationView:
    period: Period
    measured_to: dt.date
    people: pd.DataFrame  # PEOPLE_COLUMNS (+ whatif_payout, difference with overrides)
    lines: pd.DataFrame  # LINE_COLUMNS (+ whatif_rate, whatif_payout with overrides)
    summary: dict[str, float | int | None]  # comp.summary (+ whatif_cost, difference)
    overrides: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.measured_to >= self.period.end


def compensation_view(ws: Workspace, *, period: Period, as_of: dt.date | None = None,
                      owners: Mapping[str, str] | None = None, overrides: Sequence[str] = (),
                      person: str | None = None) -> CompensationView:
    """Pay per person on a plan (only `person` when given) for the period; with `overrides`, the what-if beside it."""
    import pandas as pd

    plans = ws.config.compensation.plans
    whatif_plans = comp.apply_overrides(plans, overrides) if overrides else None
    team = ws.warehouse.table("team")
    if team is None:
        raise NotFound("compensation needs the team table (person_id, role): it says who is on which plan")
    people = ws.warehouse.execute(comp.people_on_plans(team, list(plans), period)).to_dict(orient="records")
    if person is not None:
        people = [p for p in people if p["person_id"] == person]
        if not people:
            raise NotFound(f"--csm {person!r} is not a team member on a plan ({', '.join(plans)}) "
                           f"during {period.label}")
    accounts = period_book(ws, period=period, as_of=as_of, owners=owners)
    results = ws.warehouse.execute(results_against_targets(accounts, ws.config.targets, period=period,
                                                           by=("owner",)))
    books = {row["owner"]: row for row in results.to_dict(orient="records")}
    pays = comp.pay_all(people, plans, books, period)
    people_frame = pd.DataFrame([_person(p) for p in pays], columns=list(PEOPLE_COLUMNS))
    lines = pd.DataFrame([{"person_id": p.person_id, **vars(line)} for p in pays for line in p.lines],
                         columns=list(LINE_COLUMNS))
    totals = comp.summary(pays)
    if whatif_plans is not None:
        alternative = comp.pay_all(people, whatif_plans, books, period)
        people_frame["whatif_payout"] = [p.payout for p in alternative]
        people_frame["difference"] = (people_frame["whatif_payout"] - people_frame["payout"]).round(2)
        whatif_lines = pd.DataFrame([{"person_id": p.person_id, "metric": line.metric, "whatif_rate": line.rate,
                                      "whatif_payout": line.payout} for p in alternative for line in p.lines])
        lines = lines.merge(whatif_lines, on=["person_id", "metric"], how="left") if len(whatif_lines) else lines
        after = comp.summary(alternative)
        totals = {**totals, "whatif_cost": after["plan_cost"], "difference": round(after["plan_cost"]
                                                                                   - totals["plan_cost"], 2),
                  "whatif_cost_per_retained_dollar": after["cost_per_retained_dollar"]}
    return CompensationView(period=period, measured_to=measured_to(period, as_of), people=people_frame, lines=lines,
                            summary=totals, overrides=tuple(overrides))


def _person(pay: comp.Pay) -> dict:
    return {"person_id": pay.person_id, "name": pay.name, "role": pay.role, "accounts": pay.accounts,
            "arr_start": round(pay.arr_start, 2), "arr_retained": round(pay.arr_retained, 2),
            "target_variable": pay.target_variable, "payout": pay.payout, "payout_pct": pay.payout_pct,
            "note": pay.note}
