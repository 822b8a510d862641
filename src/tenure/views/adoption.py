"""The adoption view: per-account adoption metrics, and onboarding by start cohort and segment."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis

from tenure.errors import NotFound, TenureError
from tenure.metrics.adoption import feature_adoption
from tenure.metrics.calendar import month_index
from tenure.metrics.registry import METRICS
from tenure.views.health import metrics_at

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace

ADOPTION = [m.name for m in METRICS if m.family == "adoption"]


def adoption_table(ws: Workspace, *, as_of: dt.date) -> pd.DataFrame:
    """Each paying account's adoption metrics, with its name and segment, largest ARR first."""
    metrics = metrics_at(ws, as_of=as_of)
    accounts = ws.warehouse.table("accounts")
    out = metrics.join(accounts.select("account_id", "name", "segment"), "account_id")
    out = out.select("account_id", "name", "segment", "arr", *ADOPTION).order_by([ibis.desc("arr"), "account_id"])
    return ws.warehouse.execute(out)


def feature_table(ws: Workspace, *, as_of: dt.date, days: int = 30) -> pd.DataFrame:
    """Per feature: share of paying accounts and of active users using it in the last `days` days."""
    events = ws.warehouse.table("events")
    if events is None:
        raise NotFound("feature adoption needs the events table; load it first")
    customers = metrics_at(ws, as_of=as_of).select("account_id")
    return ws.warehouse.execute(feature_adoption(events, ws.warehouse.table("features"), customers, as_of=as_of,
                                                 days=days))


def onboarding_table(ws: Workspace, *, as_of: dt.date, period: str = "quarter") -> pd.DataFrame:
    """Time to value and onboarding completion by start cohort and segment, flagged against the target.

    Counts the accounts paying at `as_of`; `reached_value` is the share with a key event, the
    medians are over those, and `onboarding_complete` is the share of the accounts whose
    onboarding period is over that reached every key event within it.
    """
    if period not in ("month", "quarter"):
        raise TenureError(f"--period must be month or quarter, not {period!r}")
    missing = [name for name in ("events", "features") if ws.warehouse.table(name) is None]
    if missing:
        raise NotFound(f"time to value and onboarding need the {' and '.join(missing)} table(s); "
                       "load them first (features with is_key marks the key events)")
    metrics = metrics_at(ws, as_of=as_of)
    accounts = ws.warehouse.table("accounts")
    out = metrics.join(accounts.select("account_id", "segment"), "account_id")
    index = month_index(out.customer_since)
    year = (index // 12).cast("string")
    cohort = (year + "-Q" + ((index % 12) // 3 + 1).cast("string") if period == "quarter"
              else year + "-" + ((index % 12) + 1).cast("string").lpad(2, "0"))
    out = out.mutate(cohort=cohort, segment=out.segment.fill_null("(none)"))
    ttv = out.time_to_value_days
    decided = out.onboarding_complete.notnull()
    table = out.group_by(["cohort", "segment"]).aggregate(
        accounts=out.count(),
        reached_value=ttv.notnull().mean(),
        median_time_to_value_days=ttv.median(),
        p75_time_to_value_days=ttv.quantile(0.75),
        onboarding_complete=out.onboarding_complete.cast("float64").mean(where=decided),
        onboarding_in_progress=(~decided).sum(),
    ).order_by(["cohort", "segment"])
    frame = ws.warehouse.execute(table)
    target = ws.config.adoption.time_to_value_target_days
    frame["slow_to_value"] = frame["median_time_to_value_days"] > target
    return frame
