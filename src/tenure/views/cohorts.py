"""The cohort view: the long-form retention matrix with readable cohort labels."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tenure.errors import TenureError
from tenure.metrics.calendar import period_label
from tenure.metrics.cohorts import PERIOD_MONTHS, cohort_retention
from tenure.views.revenue import account_mrr

if TYPE_CHECKING:
    import pandas as pd

    from tenure.workspace import Workspace


def cohort_table(ws: Workspace, *, as_of: dt.date, period: str = "quarter") -> pd.DataFrame:
    """Cohort, age, sizes, logo and revenue retention, ARR in the base currency."""
    if period not in PERIOD_MONTHS:
        raise TenureError(f"--period must be month or quarter, not {period!r}")
    fy_start = ws.config.fiscal_year_start_month
    expr = cohort_retention(account_mrr(ws, as_of=as_of), as_of=as_of, period=period,
                            fiscal_year_start_month=fy_start)
    table = ws.warehouse.execute(expr).sort_values(["cohort", "age"]).reset_index(drop=True)
    table["cohort"] = [period_label(int(c), period, fy_start) for c in table["cohort"]]
    table["cohort_arr"] = (table.pop("cohort_mrr").astype(float) * 12).round(2)
    table["arr"] = (table.pop("mrr").astype(float) * 12).round(2)
    return table[["cohort", "age", "cohort_accounts", "accounts", "cohort_arr", "arr",
                  "logo_retention", "revenue_retention"]]
