"""The prediction views: backtests, at-risk renewals and the forecast for a workspace at a date.

Each builds the training rows it needs (cached per cutoff), runs the engines of
`tenure.predict` and returns small frames the CLI, the web and reports render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import TenureError
from tenure.metrics.calendar import index_of, last_closed_month, month_end_of_index
from tenure.predict import store
from tenure.predict.backtest import lead_times, report, rolling_scores
from tenure.predict.dataset import first_cutoff, month_ends, training_cutoffs, training_rows
from tenure.predict.features import features_at
from tenure.predict.forecast import (
    CLASSES,
    Experience,
    forecast_backtest,
    quarter_windows,
    renewals_by_month,
    simulate,
)
from tenure.predict.score import predict
from tenure.predict.train import risk_threshold
from tenure.predict.validation import health_report, suggested_weights

if TYPE_CHECKING:
    from tenure.workspace import Workspace

Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass
class BacktestResult:
    cutoffs: list[dt.date]
    model: pd.DataFrame  # separation figures by group
    lead: dict
    health: pd.DataFrame  # health score and each measure alone
    weights: pd.DataFrame  # configured vs suggested measure weights
    forecast: pd.DataFrame  # next-quarter GRR/NRR forecast against what happened


def backtest(ws: Workspace, *, as_of: dt.date, start: dt.date | None = None, end: dt.date | None = None,
             progress: Progress | None = None) -> BacktestResult:
    """Rolling-origin backtest of the model, the health score and the GRR/NRR forecast over [start, end]."""
    settings = ws.config.predict
    lag = settings.horizon_days + settings.grace_days
    known = as_of - dt.timedelta(days=lag)
    end = min(end or known, known)
    if end < first_cutoff(ws):
        raise TenureError(f"no cutoff has a known outcome by {as_of}: outcomes take {lag} days "
                          f"and the history starts at {first_cutoff(ws)}")
    start = start or month_end_of_index(last_closed_month(end) - 11)
    tests = [pd.Timestamp(c) for c in month_ends(start, end)]
    if not tests:
        raise TenureError(f"no month-end between --from {start} and --to {end} (outcomes are known up to {known})")
    quarter_tests = [c for c in month_ends(start, month_end_of_index(index_of(as_of) - 3))
                     if (index_of(c) - index_of(tests[0])) % 3 == 0]
    earliest = month_end_of_index(index_of(tests[0].date()) - settings.training_months - lag // 28)
    cutoffs = month_ends(max(first_cutoff(ws), earliest), max(tests[-1].date(), *quarter_tests))
    rows = _rows(ws, cutoffs, progress)
    steps = len(tests) + len(quarter_tests)
    counter = iter(range(1, steps + 1))

    def tick(cutoff) -> None:
        if progress:
            progress(f"backtest at {pd.Timestamp(cutoff).date()}", next(counter), steps)

    months = settings.training_months
    scored = rolling_scores(rows, tests, horizon_days=lag, training_months=months, progress=tick)
    forecast = forecast_backtest(rows, [pd.Timestamp(c) for c in quarter_tests], horizon_days=lag,
                                 training_months=months) if quarter_tests else pd.DataFrame()
    for c in quarter_tests:
        tick(c)
    return BacktestResult(
        cutoffs=[t.date() for t in tests],
        model=report(scored),
        lead=lead_times(scored, threshold=risk_threshold(settings.risk_threshold, rows), horizon_days=lag),
        health=health_report(scored),
        weights=suggested_weights(rows, tests, ws.config.health, horizon_days=lag),
        forecast=forecast,
    )


def _rows(ws: Workspace, cutoffs: list[dt.date], progress: Progress | None) -> pd.DataFrame:
    done = iter(range(1, len(cutoffs) + 1))
    return training_rows(ws, cutoffs, progress=(lambda c: progress(f"features at {c}", next(done), len(cutoffs)))
                         if progress else None)


@dataclass
class Outlook:
    """Today's book scored by the latest model and walked forward."""

    model_version: int
    scores: pd.DataFrame  # one row per paying account: probabilities, drivers, renewal, arr, segment, owner
    renewals: pd.DataFrame  # per month: renewals due and expected ARR outcomes
    forecast: dict[str, pd.DataFrame]  # "all", "segment", "owner_csm_id": GRR/NRR per quarter with intervals


def outlook(ws: Workspace, *, as_of: dt.date, quarters: int = 4, draws: int | None = None,
            progress: Progress | None = None) -> Outlook:
    """Score the book at `as_of` with the latest model and forecast renewals, GRR and NRR."""
    stored = store.latest(ws)
    settings = ws.config.predict
    history = _rows(ws, training_cutoffs(ws, as_of), progress)
    features = features_at(ws, as_of)
    scores = predict(stored.model, features, version=stored.version)
    scores["segment"] = features["segment"].to_numpy()
    scores["owner_csm_id"] = _owners(ws, scores["account_id"])
    book = scores.assign(**{f"p_{c}": scores[f"{_probability(c)}"] for c in CLASSES})
    experience = Experience.learn(history)
    windows = quarter_windows(as_of, quarters)
    groups = {"segment": book["segment"], "owner_csm_id": book["owner_csm_id"]}
    forecast = simulate(book, experience, windows, horizon_days=settings.horizon_days + settings.grace_days,
                        groups=groups, **({"draws": draws} if draws else {}))
    return Outlook(stored.version, scores, renewals_by_month(book, experience, as_of), forecast)


def _probability(outcome: str) -> str:
    return {"churned": "churn_probability", "contracted": "contraction_probability", "flat": "flat_probability",
            "expanded": "expansion_probability"}[outcome]


def _owners(ws: Workspace, accounts: pd.Series) -> pd.Series:
    table = ws.warehouse.table("accounts")
    if table is None or "owner_csm_id" not in table.columns:
        return pd.Series([None] * len(accounts), index=accounts.index)
    owners = ws.warehouse.execute(table.select("account_id", "owner_csm_id")).set_index("account_id")["owner_csm_id"]
    return accounts.map(owners)
