"""The team scorecards view: per CSM or per manager's team, per period, with the history over periods.

Each period's book is `views.targets.period_book` (the accounts held at the period start, with
the reassignments made before it), so a scorecard never changes because of a later move. The
workflow store is read by the caller and passed in as two functions (owners before a day, CTAs
due between two days), so this view never touches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.operating.book_results import NO_MANAGER, measured_to
from tenure.operating.periods import Period, period_containing
from tenure.operating.scorecards import (
    activity_results,
    cta_timeliness,
    touches,
    value_delivered,
    with_activity,
)
from tenure.operating.targets import results_against_targets
from tenure.views.book import book_at, health_on
from tenure.views.targets import period_book, person_names

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

KINDS = {1: "month", 3: "quarter", 12: "year"}
LEVELS = {"csm": "owner", "manager": "manager"}
COLUMNS = ["period", "book", "name", "accounts_start", "arr_start", "grr", "grr_target", "grr_gap_pp", "nrr",
           "nrr_target", "nrr_gap_pp", "renewals_closed", "renewals_renewed", "cadence_kept", "ctas_due",
           "ctas_on_time_share", "red_arr_start", "red_arr_end", "red_arr_change"]

Owners = Callable[[dt.date], Mapping[str, str]]
Ctas = Callable[[dt.date, dt.date], "pd.DataFrame"]


def history(period: Period, count: int, *, fiscal_year_start_month: int = 1) -> list[Period]:
    """`period` and the `count − 1` periods of the same length before it, oldest first."""
    kind = KINDS[period.months]
    out = [period]
    while len(out) < count:
        out.append(period_containing(out[-1].start - dt.timedelta(days=1), kind,
                                     fiscal_year_start_month=fiscal_year_start_month))
    return out[::-1]


def scorecards_view(ws: Workspace, *, period: Period, as_of: dt.date | None = None, periods: int = 1,
                    level: str = "csm", owners_before: Owners | None = None,
                    ctas_between: Ctas | None = None) -> pd.DataFrame:
    """One row per book (CSM or manager's team) and period: COLUMNS and one `value_<driver>` per value driver."""
    import pandas as pd

    if level not in LEVELS:
        raise TenureError(f"--by must be one of {', '.join(LEVELS)}, not {level!r}")
    frames = []
    for p in history(period, periods, fiscal_year_start_month=ws.config.fiscal_year_start_month):
        if as_of is not None and p.start > as_of:
            continue
        frames.append(_one_period(ws, p, as_of, LEVELS[level], owners_before, ctas_between))
    if not frames:
        raise TenureError(f"period {period.label} starts after the as-of date {as_of}: nothing to score yet")
    out = pd.concat(frames, ignore_index=True)
    names = person_names(ws)
    out.insert(2, "name", out["book"].map(names))
    values = [c for c in out.columns if c.startswith("value_")]
    return out[COLUMNS + values]


def _one_period(ws: Workspace, period: Period, as_of: dt.date | None, key: str, owners_before: Owners | None,
                ctas_between: Ctas | None) -> pd.DataFrame:
    end = measured_to(period, as_of)
    owners = owners_before(period.start) if owners_before is not None else None
    motions = book_at(ws, as_of=period.book_date, owners=owners, health=True).cache()
    accounts = period_book(ws, period=period, as_of=as_of, owners=owners, book=motions)
    ending = health_on(ws, end)
    warehouse, config = ws.warehouse, ws.config
    activities, events = warehouse.table("activities"), warehouse.table("events")
    drivers = config.value_drivers()
    detailed = with_activity(
        accounts, motions=motions.select("account_id", "motion", "cadence_days", "dedicated", "band"),
        bands_end=ending.select("account_id", band_end=ending.band),
        touched=touches(activities, start=period.start, end=end) if activities is not None else None,
        value=value_delivered(events, drivers, start=period.start, end=end) if events is not None and drivers
        else None,
        period_days=(end - period.start).days + 1, lowest_band=config.health.lowest_band,
    ).cache()
    value_columns = [f"value_{d.name}" for d in drivers] if events is not None else []
    results = warehouse.execute(results_against_targets(detailed, config.targets, period=period, by=(key,)))
    activity = warehouse.execute(activity_results(detailed, by=(key,), value_columns=value_columns))
    out = results.merge(activity, on=key, how="left").rename(columns={key: "book"})
    if ctas_between is not None:
        managers = _manager_of(ws) if key == "manager" else None
        timely = cta_timeliness(ctas_between(period.start, end), owner_of=managers)
        out = out.merge(timely, on="book", how="left")
        out["ctas_due"] = out["ctas_due"].fillna(0).astype(int)
    else:
        out["ctas_due"], out["ctas_on_time_share"] = None, None
    out.insert(0, "period", period.label)
    return out.sort_values(["arr_start", "book"], ascending=[False, True])


def _manager_of(ws: Workspace) -> pd.Series:
    import pandas as pd

    team = ws.warehouse.table("team")
    if team is None or "manager_id" not in team.columns:
        return pd.Series(dtype=object)
    data = ws.warehouse.execute(team.select(person=team.person_id.cast("string"),
                                            manager=team.manager_id.cast("string")))
    return data.set_index("person")["manager"].fillna(NO_MANAGER)
