"""Each account's next renewal and the ACV up for renewal, as DESIGN.md defines them.

A line's next renewal as of d: its explicit `renewal_date` if given (rolled forward by whole
terms if that date has passed), else its `end_date` if given, else the first anniversary of
`start_date` by `term_months` after d. The term is `term_months`, else 1, 3 or 12 from
`billing_period`, else the configured default. An account's next renewal is the earliest over
its active lines; its ACV is 12 × the MRR of the lines renewing on that date.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

BILLING_TERMS = {"month": 1, "quarter": 3, "year": 12}


def _next_anniversary(base: ir.DateValue, term: ir.IntegerValue, as_of: dt.date) -> ir.DateValue:
    """The first date base + k × term months (k ≥ 0) that falls after as_of."""
    elapsed = ibis.literal(as_of).delta(base, unit="month")
    terms = (elapsed // term) * term
    candidate = base + terms.as_interval("M")
    later = base + (terms + term).as_interval("M")  # from the start, not the clamped candidate: Jan 31 → Mar 31
    rolled = ibis.ifelse(candidate > as_of, candidate, later)
    return ibis.ifelse(base > as_of, base, rolled)


def next_renewals(lines: ir.Table, *, as_of: dt.date, default_term_months: int = 12) -> ir.Table:
    """One row per paying account: next renewal date, days to it, term, ACV up for renewal, ARR."""
    active = lines.filter((lines.start_date <= as_of) & (lines.end_date.isnull() | (lines.end_date > as_of)))
    term = ibis.coalesce(
        active.term_months,
        active.billing_period.cases(*BILLING_TERMS.items(), else_=None),
        ibis.literal(default_term_months),
    ).cast("int64")
    renewal = ibis.coalesce(
        _next_anniversary(active.renewal_date, term, as_of),
        active.end_date,
        _next_anniversary(active.start_date, term, as_of),
    )
    dated = active.mutate(_renewal=renewal, _term=term)
    first = dated.group_by("account_id").aggregate(
        renewal_date=dated._renewal.min(), arr=(dated.mrr.sum() * 12),
    )
    on_date = dated.join(first, [dated.account_id == first.account_id, dated._renewal == first.renewal_date])
    acv = on_date.group_by(on_date.account_id).aggregate(acv=on_date.mrr.sum() * 12, term_months=on_date._term.max())
    out = first.join(acv, "account_id")
    out = out.filter(out.arr > 0)
    return out.select(
        "account_id", "renewal_date",
        days_to_renewal=out.renewal_date.delta(ibis.literal(as_of), unit="day"),
        term_months=out.term_months, acv=out.acv, arr=out.arr,
    )
