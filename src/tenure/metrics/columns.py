"""Small column helpers the per-account metric families share."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir


def join_on_account(left: ir.Table, right: ir.Table) -> ir.Table:
    """Left join on account_id keeping one account_id column: every left account stays."""
    return left.left_join(right, "account_id").drop("account_id_right")


def ratio(numerator: ir.NumericValue, denominator: ir.NumericValue) -> ir.FloatingValue:
    """numerator ÷ denominator as a float; empty when the denominator is empty or zero."""
    return ibis.ifelse(denominator > 0, numerator.cast("float64") / denominator.cast("float64"),
                       ibis.null("float64"))
