"""Revenue truth: month-end MRR, monthly movements, the ARR bridge, GRR, NRR and churn.

Definitions (README, "Metric definitions", states them with worked examples):

* MRR of an entity on day d is the sum of `mrr` of its lines with start_date ≤ d < end_date;
  ARR = 12 × MRR. Snapshots are taken at month-ends; an entity is *paying* when MRR > 0.
* A month's movement compares the entity's MRR at the previous month-end with this one:
  new (0 → >0, never paid before), reactivation (0 → >0, paid before), expansion (up, both
  > 0), contraction (down, both > 0), churn (> 0 → 0). Start + movements = end, exactly.
* An entity is an account, or an (account, product) pair for per-product movements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from tenure.metrics.calendar import last_closed_month, month_end, month_index

MOVEMENTS = ("new", "expansion", "contraction", "churn", "reactivation")
ACCOUNT = ("account_id",)
ACCOUNT_PRODUCT = ("account_id", "product")


def month_end_mrr(lines: ir.Table, *, as_of: dt.date, by: Sequence[str] = ACCOUNT) -> ir.Table:
    """MRR per entity at every month-end on or before `as_of` where it is paying.

    Columns: the `by` keys, `month` (month index), `mrr`. Only paying rows (MRR > 0) appear;
    a missing row means MRR 0. Lines with mrr 0 never make an entity paying.
    """
    last = last_closed_month(as_of)
    paid = lines.filter(lines.mrr > 0)
    first_month = month_index(paid.start_date)
    # a line is in the snapshot of a month-end e when start ≤ e < end: the month-end of its
    # end_date's month is ≥ end_date, so its last snapshot is the month before that one.
    end_month = ibis.coalesce(month_index(paid.end_date) - 1, ibis.literal(last, "int64"))
    last_month = ibis.least(end_month, ibis.literal(last, "int64"))
    spans = paid.mutate(_first=first_month, _last=last_month)
    spans = spans.filter(spans._first <= spans._last)
    months = spans.mutate(month=ibis.range(spans._first, spans._last + 1).unnest())
    return months.group_by([*by, "month"]).aggregate(mrr=months.mrr.sum())


def movements(mrr: ir.Table, *, as_of: dt.date, by: Sequence[str] = ACCOUNT,
              reactivation_window_months: int | None = None) -> ir.Table:
    """Each entity's month-over-month MRR change, classified, at every month-end to `as_of`.

    Columns: the `by` keys, `month`, `mrr_start` (previous month-end), `mrr_end`, `movement`
    (one of MOVEMENTS, or "flat"), `change` (= mrr_end − mrr_start). A return more than
    `reactivation_window_months` after the month of churn counts as new.
    """
    last = last_closed_month(as_of)
    order = ibis.window(group_by=list(by), order_by="month")
    current = mrr.mutate(
        _previous_paid=mrr.month.lag().over(order),
        _first_paid=mrr.month.min().over(ibis.window(group_by=list(by))),
    )
    shifted = mrr.select(*by, month=mrr.month + 1, mrr_start=mrr.mrr)
    joined = current.outer_join(shifted, [*by, "month"])
    keys = {k: ibis.coalesce(joined[k], joined[f"{k}_right"]) for k in [*by, "month"]}
    zero = ibis.literal(0).cast(mrr.mrr.type())
    table = joined.select(
        **keys,
        mrr_start=ibis.coalesce(joined.mrr_start, zero),
        mrr_end=ibis.coalesce(joined.mrr, zero),
        _first_paid=joined._first_paid,
        _previous_paid=joined._previous_paid,
    ).filter(lambda t: t.month <= last)
    returned = table._previous_paid.notnull()
    if reactivation_window_months is not None:
        months_since_churn = table.month - (table._previous_paid + 1)
        returned = returned & (months_since_churn <= reactivation_window_months)
    movement = ibis.cases(
        ((table.mrr_start == 0) & returned, "reactivation"),
        (table.mrr_start == 0, "new"),
        (table.mrr_end == 0, "churn"),
        (table.mrr_end > table.mrr_start, "expansion"),
        (table.mrr_end < table.mrr_start, "contraction"),
        else_="flat",
    )
    return table.select(*by, "month", "mrr_start", "mrr_end", movement=movement,
                        change=(table.mrr_end - table.mrr_start))


def monthly_bridge(moves: ir.Table, *, group_by: Sequence[str] = ()) -> ir.Table:
    """MRR bridge per month: starting MRR, each movement's total, ending MRR.

    Columns: `group_by`, `month`, `mrr_start`, one column per movement, `mrr_end`.
    """
    sums = {name: moves.change.sum(where=moves.movement == name) for name in MOVEMENTS}
    return moves.group_by([*group_by, "month"]).aggregate(
        mrr_start=moves.mrr_start.sum(), **sums, mrr_end=moves.mrr_end.sum()
    ).mutate(**{name: ibis.coalesce(ibis._[name], 0) for name in MOVEMENTS})


def retention(mrr: ir.Table, *, end_months: Sequence[int], window_months: int = 12,
              by: Sequence[str] = ACCOUNT, group_by: Sequence[str] = ()) -> ir.Table:
    """GRR, NRR, logo churn and dollar churn over windows ending at each of `end_months`.

    The cohort of a window is the entities paying at its start month-end. GRR = their MRR at
    the end, each capped at its starting MRR, over their starting MRR; NRR the same uncapped;
    logo churn = share of them not paying at the end; dollar churn = their starting MRR of
    those not paying at the end over all starting MRR. `group_by` columns must be on `mrr`.
    """
    starts = [m - window_months for m in end_months]
    start = mrr.filter(mrr.month.isin(starts))
    end = mrr.filter(mrr.month.isin(list(end_months))).select(*by, _end_month=mrr.month, _mrr_end=mrr.mrr)
    start = start.mutate(_end_month=start.month + window_months)
    keep = list(dict.fromkeys([*group_by, *by]))  # grouping by product when entities are (account, product)
    joined = start.left_join(end, [*by, "_end_month"]).select(*keep, "_end_month", "mrr", "_mrr_end")
    ended = ibis.coalesce(joined._mrr_end, 0)
    lost = joined._mrr_end.isnull()
    out = joined.group_by([*group_by, "_end_month"]).aggregate(
        accounts_start=joined.count(),
        accounts_lost=lost.sum(),
        mrr_start=joined.mrr.sum(),
        mrr_retained=ibis.least(ended, joined.mrr).sum(),
        mrr_end=ended.sum(),
        mrr_churned=joined.mrr.sum(where=lost),
    )
    return out.select(
        *group_by,
        month=out._end_month,
        accounts_start=out.accounts_start,
        accounts_lost=out.accounts_lost,
        mrr_start=out.mrr_start,
        mrr_end=out.mrr_end,
        grr=out.mrr_retained.cast("float64") / out.mrr_start.cast("float64"),
        nrr=out.mrr_end.cast("float64") / out.mrr_start.cast("float64"),
        logo_churn=out.accounts_lost.cast("float64") / out.accounts_start.cast("float64"),
        dollar_churn=ibis.coalesce(out.mrr_churned, 0).cast("float64") / out.mrr_start.cast("float64"),
    )


def quick_ratio(moves: ir.Table, *, first_month: int, last_month: int, group_by: Sequence[str] = ()) -> ir.Table:
    """(new + expansion + reactivation) ÷ (contraction + churn) over months first..last."""
    window = moves.filter((moves.month >= first_month) & (moves.month <= last_month))
    gained = ibis.coalesce(window.change.sum(where=window.movement.isin(["new", "expansion", "reactivation"])), 0)
    lost = -ibis.coalesce(window.change.sum(where=window.movement.isin(["contraction", "churn"])), 0)
    out = window.group_by(list(group_by)).aggregate(gained=gained, lost=lost) if group_by else \
        window.aggregate(gained=gained, lost=lost)
    return out.mutate(
        quick_ratio=ibis.ifelse(out.lost > 0, out.gained.cast("float64") / out.lost.cast("float64"), ibis.null())
    )


def with_month_end(table: ir.Table) -> ir.Table:
    """Add the month-end date of the `month` index column."""
    return table.mutate(month_end=month_end(table.month))
