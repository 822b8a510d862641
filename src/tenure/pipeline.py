"""The pipeline behind `tenure run`: derived tables as of a date, materialised in the warehouse.

Materialising lets BI tools and later stages read MRR, movements and renewals without
recomputing them; each table carries the `as_of` it was computed for.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import ibis

from tenure.metrics import revenue
from tenure.metrics.calendar import month_end
from tenure.metrics.renewals import next_renewals
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    from tenure.workspace import Workspace


def run_pipeline(ws: Workspace, *, as_of: dt.date) -> dict[str, int]:
    """Compute and store the derived revenue tables; return rows written per table."""
    lines = paying_lines(ws, as_of=as_of)
    mrr = revenue.month_end_mrr(lines, as_of=as_of)
    moves = revenue.movements(mrr, as_of=as_of, reactivation_window_months=ws.config.revenue.reactivation_window_months)
    stamp = ibis.literal(as_of).name("as_of")
    derived = {
        "revenue_mrr": mrr.mutate(month_end=month_end(mrr.month), arr=mrr.mrr * 12, as_of=stamp),
        "revenue_movements": moves.mutate(month_end=month_end(moves.month), as_of=stamp),
        "revenue_renewals": next_renewals(lines, as_of=as_of,
                                          default_term_months=ws.config.revenue.default_term_months)
        .mutate(as_of=stamp),
    }
    backend = ws.warehouse.backend
    if ws.warehouse.is_duckdb:
        with ws.warehouse.transaction():
            for name, expr in derived.items():
                backend.create_table(name, expr, overwrite=True)
    else:
        for name, expr in derived.items():
            backend.create_table(name, expr, overwrite=True)
    return {name: int(backend.table(name).count().execute()) for name in derived}
