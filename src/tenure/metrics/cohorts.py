"""Retention cohorts: how much of each start cohort's accounts and MRR is still here.

An entity's cohort is the month (or fiscal quarter) of its first paying month-end. At age k
the cohort is observed at the end of the k-th period after its own (age 0 is its own period's
end): logo retention = paying entities ÷ cohort size; revenue retention = their MRR ÷ the
cohort's starting MRR (each entity's MRR at its first paying month-end). Returns after churn
count again; only periods that have ended by `as_of` are shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.metrics.calendar import fiscal_shift, last_closed_month
from tenure.metrics.revenue import ACCOUNT

PERIOD_MONTHS = {"month": 1, "quarter": 3}


def cohort_retention(mrr: ir.Table, *, as_of: dt.date, period: str = "month", by: Sequence[str] = ACCOUNT,
                     fiscal_year_start_month: int = 1) -> ir.Table:
    """Long-form cohort matrix: cohort (first month index of the period), age, sizes and rates."""
    if period not in PERIOD_MONTHS:
        raise ValueError(f"period must be one of {', '.join(PERIOD_MONTHS)}")
    size = PERIOD_MONTHS[period]
    shift = fiscal_shift(fiscal_year_start_month) if size > 1 else 0
    last = last_closed_month(as_of)

    def period_start(month: ir.IntegerValue) -> ir.IntegerValue:
        return month - (month + shift) % size

    first = mrr.group_by(list(by)).aggregate(_first=mrr.month.min())
    base = mrr.join(first, list(by)).filter(lambda t: t.month == t._first)
    base = base.select(*by, cohort=period_start(base.month), mrr_base=base.mrr)
    sizes = base.group_by("cohort").aggregate(cohort_accounts=base.count(), cohort_mrr=base.mrr_base.sum())

    observed = mrr.join(base, list(by))
    observed = observed.filter(((observed.month + shift) % size == size - 1) & (observed.month <= last))
    observed = observed.mutate(age=(period_start(observed.month) - observed.cohort) // size)
    active = observed.group_by(["cohort", "age"]).aggregate(accounts=observed.count(), mrr=observed.mrr.sum())

    # every age whose period has ended, including those where no member pays (0%, not missing)
    ended = last if (last + shift) % size == size - 1 else last - (last + shift) % size - 1
    last_start = ended - (ended + shift) % size
    grid = sizes.mutate(age=ibis.range(0, (last_start - sizes.cohort) // size + 1).unnest())
    joined = grid.left_join(active, ["cohort", "age"])
    accounts = ibis.coalesce(joined.accounts, 0)
    mrr_now = ibis.coalesce(joined.mrr, 0)
    return joined.select(
        "cohort", "age", "cohort_accounts", accounts=accounts, cohort_mrr=joined.cohort_mrr, mrr=mrr_now,
        logo_retention=accounts.cast("float64") / joined.cohort_accounts.cast("float64"),
        revenue_retention=mrr_now.cast("float64") / joined.cohort_mrr.cast("float64"),
    )
