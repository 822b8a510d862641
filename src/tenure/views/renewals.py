"""The renewals view: next renewal and ACV per paying account, soonest first."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tenure.metrics.renewals import next_renewals
from tenure.views.revenue import paying_lines

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace


def renewal_table(ws: Workspace, *, as_of: dt.date, within_days: int | None = None) -> pd.DataFrame:
    expr = next_renewals(paying_lines(ws, as_of=as_of), as_of=as_of,
                         default_term_months=ws.config.revenue.default_term_months)
    if within_days is not None:
        expr = expr.filter(expr.days_to_renewal <= within_days)
    table = ws.warehouse.execute(expr.order_by(["renewal_date", "account_id"]))
    for column in ("acv", "arr"):
        table[column] = table[column].astype(float).round(2)
    return table
