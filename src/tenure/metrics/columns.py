"""Small column helpers the per-account metric families share."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def join_on_account(left: ir.Table, *others: ir.Table) -> ir.Table:
    """Left join each of `others` on account_id, keeping every left account and one account_id column.

    The joins form one chain with one projection: Ibis compiles that much faster than a
    nest of joins each dropping its duplicate key, which matters when a backfill compiles
    the account table for every date. Column names other than account_id must not repeat.
    """
    chain = left
    for i, other in enumerate(others):
        chain = chain.left_join(other, "account_id", rname=f"{{name}}__{i}")
    return chain.select(*left.columns, *(c for other in others for c in other.columns if c != "account_id"))


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator ÷ denominator as a float; empty when the denominator is empty or zero."""
    return ibis.ifelse(denominator > 0, numerator.cast("float64") / denominator.cast("float64"),
                       ibis.null("float64"))
