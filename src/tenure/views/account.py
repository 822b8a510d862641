"""The account 360: one account's revenue, renewal, health and every metric, with why it scores as it does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ibis

from tenure.errors import NotFound
from tenure.metrics.accounts import registered
from tenure.metrics.calendar import month_end
from tenure.predict.score import PREDICTIONS
from tenure.views.health import CHANGE_DAYS, metrics_at, scores_with_change
from tenure.views.revenue import account_mrr

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.workspace import Workspace

ARR_MONTHS = 12


@dataclass
class Account360:
    """Everything the terminal, the web and a brief show about one account at a date."""

    as_of: dt.date
    profile: dict
    arr_history: pd.DataFrame  # month_end, arr
    health: dict | None  # score, band, scorecard, score_change_30d; None when not paying at as_of
    measures: pd.DataFrame  # group, metric, value, score, weight, points, points_lost
    metrics: pd.DataFrame  # family, metric, value, unit, description
    prediction: dict | None = None  # the latest stored churn score on or before as_of, with its drivers


def account_360(ws: Workspace, account_id: str, *, as_of: dt.date) -> Account360:
    accounts = ws.warehouse.table("accounts")
    if accounts is None:
        raise NotFound("no accounts are loaded in this workspace; run `tenure load` first")
    found = ws.warehouse.execute(accounts.filter(accounts.account_id == account_id))
    if found.empty:
        raise NotFound(f"no account with account_id {account_id!r}")
    profile = found.iloc[0].to_dict()

    mrr = account_mrr(ws, as_of=as_of)
    mine = mrr.filter(mrr.account_id == account_id)
    history = ws.warehouse.execute(
        mine.select(month_end=month_end(mine.month), arr=mine.mrr.cast("float64") * 12).order_by(ibis.desc("month_end"))
        .limit(ARR_MONTHS).order_by("month_end")
    )

    def mine_at(day: dt.date) -> ir.Table:
        metrics = metrics_at(ws, as_of=day)
        return metrics.filter(metrics.account_id == account_id)

    metrics = mine_at(as_of).cache()
    row = ws.warehouse.execute(metrics)
    scores, measures = scores_with_change(ws, metrics, mine_at(as_of - dt.timedelta(days=CHANGE_DAYS)))
    scored = ws.warehouse.execute(scores)
    table = ws.warehouse.execute(measures.order_by([ibis.desc("points_lost"), "metric"]))
    health = None
    if not scored.empty:
        first = scored.iloc[0]
        health = {"score": first["score"], "band": first["band"], "scorecard": first["scorecard"],
                  "score_change_30d": first["score_change_30d"]}
    if not row.empty:
        profile.update(arr=row.iloc[0]["arr"], customer_since=row.iloc[0]["customer_since"],
                       renewal_date=row.iloc[0]["renewal_date"], days_to_renewal=row.iloc[0]["days_to_renewal"])
    values = row.iloc[0].to_dict() if not row.empty else {}
    import pandas as pd

    described = pd.DataFrame([
        {"family": m.family, "metric": m.name, "value": values.get(m.name), "unit": m.unit,
         "description": m.description}
        for m in registered(ws.config.value_drivers())
    ])
    return Account360(as_of, profile, history, health,
                      table[["group", "metric", "value", "score", "weight", "points", "points_lost"]], described,
                      _prediction(ws, account_id, as_of))


def _prediction(ws: Workspace, account_id: str, as_of: dt.date) -> dict | None:
    """The account's most recent stored score (`tenure predict score` or `tenure run`) up to `as_of`."""
    backend = ws.warehouse.backend
    if PREDICTIONS not in backend.list_tables():
        return None
    table = backend.table(PREDICTIONS)
    mine = table.filter((table.account_id == account_id) & (table.as_of <= ibis.literal(as_of, type="date")))
    found = ws.warehouse.execute(mine.order_by(ibis.desc("as_of")).limit(1))
    if found.empty:
        return None
    row = found.iloc[0]
    return {"scored_on": row["as_of"], "model_version": int(row["model_version"]),
            **{k: row[k] for k in ("churn_probability", "contraction_probability", "expansion_probability",
                                   "driver_1", "driver_2", "driver_3")}}
