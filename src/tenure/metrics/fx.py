"""Subscription lines in the workspace's base currency.

Each line is converted once, at the rate in force on its start date (the latest
`fx_rates.date` on or before `start_date`; the earliest rate if the line predates them all).
A line's value is then fixed for its life, so exchange-rate swings never show up as
expansion or contraction: movements are what customers bought.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir


def lines_in_base_currency(subscriptions: ir.Table, fx_rates: ir.Table | None, *, base_currency: str,
                           as_of: dt.date) -> ir.Table:
    """Subscription lines known at `as_of` (all their columns), with `mrr` in the base currency."""
    lines = subscriptions.filter(subscriptions.start_date <= as_of)
    columns = subscriptions.columns
    in_base = lines.filter(lines.currency == base_currency)
    if fx_rates is None:
        return in_base
    foreign = lines.filter(lines.currency != base_currency)
    rates = fx_rates.filter(fx_rates.date <= as_of)
    joined = foreign.join(rates, foreign.currency == rates.currency)
    later = ibis.ifelse(joined.date > joined.start_date, 1, 0)
    distance = joined.date.delta(joined.start_date, unit="day").abs()
    ranked = joined.mutate(
        _rank=ibis.row_number().over(group_by=joined.subscription_id, order_by=[later, distance])
    )
    converted = ranked.filter(ranked._rank == 0).mutate(
        mrr=(ranked.mrr * ranked.rate_to_base).round(4).cast("decimal(18, 4)")
    )
    return in_base.union(converted.select(*columns))
