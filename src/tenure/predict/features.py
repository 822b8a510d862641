"""Point-in-time features: what was known about each paying account at a cutoff date.

Every column is computed from data dated on or before the cutoff, so a model trained on past
cutoffs is evaluated honestly (DESIGN.md, principle 1). One subtlety: an `end_date` after the
cutoff is not yet known at the cutoff (a cancellation is recorded when it happens), so lines
are read as open and the renewal date comes from the term; otherwise a monthly plan that was
later cancelled would reveal its end through its days to renewal.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis
import pandas as pd

from tenure.metrics.accounts import account_metrics
from tenure.metrics.columns import join_on_account, ratio
from tenure.metrics.renewals import next_renewals
from tenure.views.health import CHANGE_DAYS, scores_with_change
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.workspace import Workspace

# metrics whose change against 30 days earlier is a feature of its own ("active users down 42%")
CHANGED = ("active_users_30d", "feature_breadth_30d", "events_per_active_user_30d", "stickiness",
           "seat_utilisation", "tickets_30d")
ATTRIBUTES = ("segment", "region", "industry", "employees")


def known_lines(ws: Workspace, cutoff: dt.date) -> ir.Table:
    """The subscription lines as they stood at the cutoff: started by then, end dates after it unknown."""
    lines = paying_lines(ws, as_of=cutoff)
    return lines.mutate(end_date=ibis.ifelse(lines.end_date > cutoff, ibis.null("date"), lines.end_date))


def features_at(ws: Workspace, cutoff: dt.date, *, first_uses: ir.Table | None = None) -> pd.DataFrame:
    """One row per account paying at the cutoff: every metric, its health, trends and contract attributes.

    Columns: `account_id`, `cutoff`, `renewal_date`, the registered metrics, `<metric>_change_30d`
    for the metrics in CHANGED, `health_score`, `health_band`, `score_change_30d`, one
    `health_<metric>` score (0–100) per scorecard measure, the account attributes present
    (segment, region, industry, employees), `term_months`, `acv`, `products`, `tenure_days`.
    """
    config = ws.config
    lines = known_lines(ws, cutoff)
    tables = ws.warehouse.tables()

    def metrics(day: dt.date) -> ir.Table:
        return account_metrics(tables, lines, as_of=day, adoption=config.adoption.rules(),
                               value=config.value_drivers(), default_term_months=config.revenue.default_term_months,
                               first_uses=first_uses)

    now = metrics(cutoff).cache()
    earlier = metrics(cutoff - dt.timedelta(days=CHANGE_DAYS))
    scores, measures = scores_with_change(ws, now, earlier)
    measured = sorted({m.metric for card in config.health.scorecards for _g, m in card.measures()})
    per_measure = measures.group_by("account_id").aggregate(**{
        f"health_{name}": measures.score.max(where=measures.metric == name) for name in measured
    })
    before = earlier.select("account_id", **{f"_{name}_before": earlier[name] for name in CHANGED})
    contract = _contract(lines, cutoff, config.revenue.default_term_months)
    accounts = ws.warehouse.table("accounts")
    attributes = [c for c in ATTRIBUTES if accounts is not None and c in accounts.columns]
    joined = join_on_account(
        now, before, contract, per_measure,
        scores.select("account_id", health_score=scores.score, health_band=scores.band,
                      score_change_30d=scores.score_change_30d),
        *([accounts.select("account_id", *attributes)] if attributes else []),
    )
    joined = joined.mutate(
        cutoff=ibis.literal(cutoff, type="date"),
        tenure_days=ibis.literal(cutoff).delta(joined.customer_since, unit="day").cast("float64"),
        **{f"{name}_change_30d": ratio(joined[name], joined[f"_{name}_before"]) - 1 for name in CHANGED},
    ).drop(*(f"_{name}_before" for name in CHANGED), "customer_since")
    frame = ws.warehouse.execute(joined)
    for column in ATTRIBUTES:
        if column not in frame.columns:
            frame[column] = None
    return frame.sort_values("account_id", ignore_index=True)


def _contract(lines: ir.Table, cutoff: dt.date, default_term_months: int) -> ir.Table:
    """Term, ACV up for renewal and number of products of each account at the cutoff."""
    renewals = next_renewals(lines, as_of=cutoff, default_term_months=default_term_months)
    active = lines.filter((lines.mrr > 0) & (lines.start_date <= cutoff)
                          & (lines.end_date.isnull() | (lines.end_date > cutoff)))
    products = active.group_by("account_id").aggregate(products=active["product"].nunique().cast("float64"))
    return renewals.select("account_id", term_months=renewals.term_months.cast("float64"),
                           acv=renewals.acv.cast("float64")).join(products, "account_id", how="left") \
        .select("account_id", "term_months", "acv", "products")
