"""The book of business at a date: every paying account with its segment, owner, health and motion.

This is the table every operating-model view starts from (coverage, capacity, balancing,
scorecards, compensation). Health comes from the stored snapshot of the date when `tenure run`
stored one, else it is computed; churn probability only from a stored score (a model never
scores a past date it may have learned from). The owner is the effective one: a reassignment
made in tenure overrides the loaded `owner_csm_id` (DESIGN.md, ownership); callers pass the
overrides read from the workflow store, so this view never touches it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import ibis

from tenure.history import HEALTH_HISTORY, stored_day
from tenure.metrics.columns import join_on_account
from tenure.metrics.renewals import next_renewals
from tenure.operating.motions import assign_motions
from tenure.operating.segments import segment_accounts
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from tenure.workspace import Workspace

PREDICTIONS = "prediction_history"  # predict.score's table; read here without importing the model stack


def book_at(ws: Workspace, *, as_of: dt.date, owners: Mapping[str, str] | None = None,
            health: bool = True) -> ir.Table:
    """One row per account paying at `as_of` (an expression).

    Columns: account_id, name, arr, renewal_date, days_to_renewal, segment, segment_source,
    owner (effective CSM), loaded_owner, score, band, churn_probability, expansion_probability,
    motion, cadence_days, effort_hours, dedicated. With `health=False` the band is empty and the
    motion is the segment's default (cheaper, for past periods).
    """
    config = ws.config
    renewals = next_renewals(paying_lines(ws, as_of=as_of), as_of=as_of,
                             default_term_months=config.revenue.default_term_months)
    base = renewals.select("account_id", "arr", "renewal_date", "days_to_renewal")
    accounts = ws.warehouse.table("accounts")
    segments = segment_accounts(accounts, base.select("account_id", "arr"), config.segments)
    parts = [segments.select("account_id", "segment", "segment_source")]
    if accounts is not None:
        parts.append(accounts.select("account_id", "name", loaded_owner=_text(accounts, "owner_csm_id")))
    if health:
        parts.append(health_on(ws, as_of).select("account_id", "score", "band"))
    scores = stored_day(ws, PREDICTIONS, as_of)
    if scores is not None:
        parts.append(scores.select("account_id", "churn_probability", "expansion_probability"))
    if owners:
        table = ibis.memtable({"account_id": list(owners), "_override": list(owners.values())})
        parts.append(table)
    book = join_on_account(base, *parts)
    defaults = {"name": ibis.null("string"), "loaded_owner": ibis.null("string"), "score": ibis.null("float64"),
                "band": ibis.null("string"), "churn_probability": ibis.null("float64"),
                "expansion_probability": ibis.null("float64"), "_override": ibis.null("string")}
    book = book.mutate(**{k: v for k, v in defaults.items() if k not in book.columns})
    book = book.mutate(owner=ibis.coalesce(book._override, book.loaded_owner)).drop("_override")
    return assign_motions(book, config.engagement)


def health_on(ws: Workspace, as_of: dt.date) -> ir.Table:
    """Health of every paying account on a day: the stored snapshot when `tenure run` stored one, else computed."""
    stored = stored_day(ws, HEALTH_HISTORY, as_of)
    if stored is not None:
        return stored
    from tenure.views.health import health_at

    return health_at(ws, as_of=as_of)


def _text(table: ir.Table, column: str) -> ir.StringValue:
    return table[column].cast("string") if column in table.columns else ibis.null("string")
