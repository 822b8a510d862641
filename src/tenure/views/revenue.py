"""The revenue view: headline ARR, GRR, NRR and churn, the ARR bridge, retention by group.

This is where the revenue expressions meet the warehouse: it builds them for a workspace,
executes them once, and returns small frames that the CLI, the web and reports render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tenure.errors import NotFound, TenureError
from tenure.metrics import revenue
from tenure.metrics.calendar import (
    last_closed_month,
    month_end_of_index,
    period_first_index,
    period_label,
)
from tenure.metrics.fx import lines_in_base_currency

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.workspace import Workspace

PERIODS = ("month", "quarter", "year")
BRIDGE_COLUMNS = ("arr_start", "new", "expansion", "contraction", "churn", "reactivation", "arr_end")


@dataclass
class RevenueSummary:
    """The numbers a CS Director opens the month with."""

    as_of: dt.date
    period_end: dt.date | None
    base_currency: str
    window_months: int
    headline: dict[str, float | int | None]
    bridge: pd.DataFrame
    groups: pd.DataFrame | None = None
    targets: dict[str, float] = field(default_factory=dict)


def paying_lines(ws: Workspace, *, as_of: dt.date) -> ir.Table:
    """The workspace's subscription lines known at `as_of`, in the base currency."""
    subscriptions = ws.warehouse.table("subscriptions")
    if subscriptions is None:
        raise NotFound("no subscriptions are loaded in this workspace; run `tenure load` first")
    return lines_in_base_currency(subscriptions, ws.warehouse.table("fx_rates"),
                                  base_currency=ws.config.base_currency, as_of=as_of)


def account_mrr(ws: Workspace, *, as_of: dt.date, by_product: bool = False) -> ir.Table:
    by = revenue.ACCOUNT_PRODUCT if by_product else revenue.ACCOUNT
    return revenue.month_end_mrr(paying_lines(ws, as_of=as_of), as_of=as_of, by=by)


def revenue_summary(ws: Workspace, *, as_of: dt.date, by: str | None = None, period: str = "month",
                    periods: int = 12, window_months: int | None = None) -> RevenueSummary:
    """Headline retention over a window (default: the configured one), the ARR bridge and a breakdown."""
    if period not in PERIODS:
        raise TenureError(f"--period must be one of {', '.join(PERIODS)}, not {period!r}")
    rules = ws.config.revenue
    window = window_months or rules.retention_window_months
    if window < 1:
        raise TenureError(f"the retention window must be at least one month, not {window}")
    by_product = by == "product"
    entity = revenue.ACCOUNT_PRODUCT if by_product else revenue.ACCOUNT
    mrr = account_mrr(ws, as_of=as_of, by_product=by_product)
    moves = revenue.movements(mrr, as_of=as_of, by=entity,
                              reactivation_window_months=rules.reactivation_window_months)
    last = last_closed_month(as_of)
    execute = ws.warehouse.execute

    retained = execute(revenue.retention(mrr, end_months=[last], window_months=window, by=entity))
    quick = execute(revenue.quick_ratio(moves, first_month=last - window + 1, last_month=last))
    arr_now = execute(mrr.filter(mrr.month == last).mrr.sum())
    paying = execute(mrr.filter(mrr.month == last).account_id.nunique())
    headline = _headline(retained, quick, arr_now, paying)

    fy_start = ws.config.fiscal_year_start_month
    first_period = period_first_index(last, period, fy_start)
    for _ in range(periods - 1):
        first_period = period_first_index(first_period - 1, period, fy_start)
    monthly = execute(revenue.monthly_bridge(moves.filter(moves.month >= first_period)))
    bridge = _bridge(monthly, period, fy_start)

    groups = None
    if by is not None:
        groups = _by_group(ws, mrr, moves, by=by, entity=entity, last=last, window=window)
    return RevenueSummary(
        as_of=as_of,
        period_end=month_end_of_index(last),
        base_currency=ws.config.base_currency,
        window_months=window,
        headline=headline,
        bridge=bridge,
        groups=groups,
        targets={"grr": ws.config.targets.grr, "nrr": ws.config.targets.nrr},
    )


def _headline(retained: pd.DataFrame, quick: pd.DataFrame, arr_now, paying) -> dict[str, float | int | None]:
    row = retained.iloc[0] if len(retained) else None
    ratio = quick["quick_ratio"].iloc[0] if len(quick) else None
    return {
        "arr": _money(arr_now * 12) if arr_now is not None else 0.0,
        "paying_accounts": int(paying or 0),
        "grr": _rate(row, "grr"),
        "nrr": _rate(row, "nrr"),
        "logo_churn": _rate(row, "logo_churn"),
        "dollar_churn": _rate(row, "dollar_churn"),
        "quick_ratio": None if ratio is None or ratio != ratio else float(ratio),
        "accounts_at_start": int(row["accounts_start"]) if row is not None else 0,
        "accounts_lost": int(row["accounts_lost"]) if row is not None else 0,
    }


def _bridge(monthly: pd.DataFrame, period: str, fy_start: int) -> pd.DataFrame:
    """Roll the monthly bridge up to periods: start of the first month, sums, end of the last."""
    import pandas as pd

    frame = monthly.sort_values("month").copy()
    for column in ("mrr_start", "mrr_end", *revenue.MOVEMENTS):
        frame[column] = frame[column].astype(float) * 12
    frame["period"] = [period_label(m, period, fy_start) for m in frame["month"]]
    rows = []
    for label, part in frame.groupby("period", sort=False):
        rows.append({
            "period": label,
            "arr_start": _money(part["mrr_start"].iloc[0]),
            **{name: _money(part[name].sum()) for name in revenue.MOVEMENTS},
            "arr_end": _money(part["mrr_end"].iloc[-1]),
        })
    return pd.DataFrame(rows, columns=["period", *BRIDGE_COLUMNS])


def _by_group(ws: Workspace, mrr: ir.Table, moves: ir.Table, *, by: str, entity, last: int,
              window: int) -> pd.DataFrame:
    """Retention and ARR per value of an account attribute, or per product."""
    if by != "product":
        accounts = ws.warehouse.table("accounts")
        if accounts is None or by not in accounts.columns or by == "account_id":
            options = ", ".join(c for c in (accounts.columns if accounts is not None else []) if c != "account_id")
            raise TenureError(f"cannot break down by {by!r}; use product or an accounts column: {options}")
        attribute = accounts.select("account_id", accounts[by].cast("string").fill_null("(none)").name(by))
        mrr = mrr.join(attribute, "account_id")
        moves = moves.join(attribute, "account_id")
    retained = ws.warehouse.execute(revenue.retention(mrr, end_months=[last], window_months=window, by=entity,
                                                      group_by=[by]))
    arr = ws.warehouse.execute(mrr.filter(mrr.month == last).group_by(by).aggregate(
        arr=mrr.mrr.sum() * 12, paying_accounts=mrr.account_id.nunique()))
    quick = ws.warehouse.execute(revenue.quick_ratio(moves, first_month=last - window + 1, last_month=last,
                                                     group_by=[by]))
    table = arr.merge(retained.drop(columns=["month", "mrr_start", "mrr_end"]), on=by, how="outer")
    table = table.merge(quick[[by, "quick_ratio"]], on=by, how="left")
    table["arr"] = table["arr"].astype(float).fillna(0.0).round(2)
    table["paying_accounts"] = table["paying_accounts"].fillna(0).astype(int)
    return table.sort_values("arr", ascending=False).reset_index(drop=True)


def _money(value) -> float:
    return round(float(value), 2)


def _rate(row, name: str) -> float | None:
    if row is None:
        return None
    value = float(row[name])
    return None if value != value else value
