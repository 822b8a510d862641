"""The health view: account metrics and scorecards for a workspace at a date, with the 30-day change.

The change is the score recomputed point-in-time at `as_of − 30 days` from the loaded data,
not looked up from whichever snapshot happens to exist, so it is the same on every run.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis

from tenure.metrics import adoption
from tenure.metrics.accounts import account_metrics, registered
from tenure.metrics.columns import join_on_account
from tenure.metrics.health import account_scores, measure_scores
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.workspace import Workspace

ACCOUNT_COLUMNS = ("name", "segment", "region", "owner_csm_id")
CHANGE_DAYS = 30


def metrics_at(ws: Workspace, *, as_of: dt.date, first_uses: ir.Table | None = None) -> ir.Table:
    """Every registered metric for each account paying at `as_of` (an expression; `.cache()` to reuse it).

    `first_uses` may carry a cached `adoption.first_uses(events)` shared by many dates.
    """
    config = ws.config
    return account_metrics(
        ws.warehouse.tables(), paying_lines(ws, as_of=as_of), as_of=as_of, adoption=config.adoption.rules(),
        value=config.value_drivers(), default_term_months=config.revenue.default_term_months,
        first_uses=first_uses,
    )


def shared_first_uses(ws: Workspace) -> ir.Table | None:
    """Each account's first use of each feature, materialised once for all the dates a command computes."""
    events = ws.warehouse.table("events")
    return adoption.first_uses(events).cache() if events is not None else None


def unavailable_metrics(ws: Workspace) -> set[str]:
    """Metrics whose input table is not loaded in this workspace."""
    loaded = ws.warehouse.tables()
    return {m.name for m in registered(ws.config.value_drivers()) if m.needs not in loaded}


def measures_at(ws: Workspace, *, as_of: dt.date, metrics: ir.Table | None = None) -> ir.Table:
    """Each account's measures: value, score, weight, points and points lost."""
    metrics = metrics if metrics is not None else metrics_at(ws, as_of=as_of).cache()
    return measure_scores(metrics, ws.warehouse.table("accounts"), ws.config.health,
                          unavailable=unavailable_metrics(ws))


def scores_with_change(ws: Workspace, now: ir.Table, earlier: ir.Table) -> tuple[ir.Table, ir.Table]:
    """Score the metrics of a date and of 30 days before in one pass.

    Returns the scores of `now` with `score_change_30d`, and the measures of `now`. `now` and
    `earlier` are account tables (`metrics_at`) for the same accounts or a filter of them.
    """
    both = now.mutate(_now=True).union(earlier.mutate(_now=False)).cache()
    keys = ("_now", "account_id")
    measures = measure_scores(both, ws.warehouse.table("accounts"), ws.config.health, keys=keys,
                              unavailable=unavailable_metrics(ws))
    scored = account_scores(measures, ws.config.health, keys=keys)
    before = scored.filter(~scored._now)
    scores = join_on_account(scored.filter(scored._now).drop("_now"),
                             before.select("account_id", _score_before=before.score))
    scores = scores.mutate(score_change_30d=scores.score - scores._score_before).drop("_score_before")
    return scores, measures.filter(measures._now).drop("_now")


def health_at(ws: Workspace, *, as_of: dt.date, metrics: ir.Table | None = None,
              first_uses: ir.Table | None = None) -> ir.Table:
    """One row per paying account: who it is, ARR, renewal, score, band, 30-day change and top drivers."""
    if first_uses is None:
        first_uses = shared_first_uses(ws)
    if metrics is None:
        metrics = metrics_at(ws, as_of=as_of, first_uses=first_uses).cache()  # every measure reads it
    earlier = metrics_at(ws, as_of=as_of - dt.timedelta(days=CHANGE_DAYS), first_uses=first_uses)
    scores, _measures = scores_with_change(ws, metrics, earlier)
    accounts = ws.warehouse.table("accounts")
    attributes = [c for c in ACCOUNT_COLUMNS if accounts is not None and c in accounts.columns]
    out = join_on_account(scores, metrics.select("account_id", "arr", "renewal_date", "days_to_renewal", "zombie"),
                          *([accounts.select("account_id", *attributes)] if attributes else []))
    for column in ACCOUNT_COLUMNS:
        if column not in out.columns:
            out = out.mutate(**{column: ibis.null("string")})
    return out.select(
        "account_id", "name", "segment", "region", "owner_csm_id", "scorecard", "score", "band",
        "score_change_30d", "arr", "renewal_date", "days_to_renewal", "zombie",
        "driver_1", "driver_1_points", "driver_2", "driver_2_points",
    )


def band_summary(ws: Workspace, *, as_of: dt.date) -> pd.DataFrame | None:
    """Accounts and ARR per band from the stored snapshot of `as_of` (None when none is stored).

    `at_risk` marks the lowest band: its ARR is the ARR at risk.
    """
    from tenure.history import HEALTH_HISTORY, history

    stored = history(ws, HEALTH_HISTORY)
    if stored is None:
        return None
    day = stored.filter(stored.as_of == as_of)
    counts = ws.warehouse.execute(day.group_by("band").aggregate(accounts=day.count(), arr=day.arr.sum()))
    bands = list(ws.config.health.bands)
    frame = counts.set_index("band").reindex([*bands, None]).reset_index()
    frame = frame[frame["band"].notna() | frame["accounts"].notna()]
    frame["band"] = frame["band"].fillna("(no data)")
    frame["accounts"] = frame["accounts"].fillna(0).astype(int)
    frame["arr"] = frame["arr"].fillna(0.0).astype(float)
    frame["at_risk"] = frame["band"] == ws.config.health.lowest_band
    return frame
