"""`predict train`: fit the renewal model on past cutoffs, check it on the latest ones, store a version.

The check is honest: the model that is scored on the last cutoffs (the holdout) learned only
from cutoffs whose outcomes were known by then. The stored model then learns from all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd

from tenure.errors import TenureError
from tenure.predict import store
from tenure.predict.dataset import training_cutoffs, training_rows
from tenure.predict.evaluation import separation
from tenure.predict.model import Model, feature_columns

if TYPE_CHECKING:
    from tenure.workspace import Workspace

HOLDOUT_CUTOFFS = 3


def labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows with a known outcome: renewals due within the horizon and monthly contracts."""
    return rows[rows["outcome"].notna()]


def fit(rows: pd.DataFrame, *, seed: int = 0) -> Model:
    """A model of the renewal outcome fitted on labelled rows, each account kept within one fold."""
    rows = labelled(rows)
    return Model.fit(rows, rows["outcome"], groups=rows["account_id"], features=feature_columns(rows), seed=seed)


def known_before(rows: pd.DataFrame, day: pd.Timestamp, horizon_days: int, months: int | None = None) -> pd.DataFrame:
    """Rows whose outcome was known on `day` (their cutoff is at least the horizon before it), from the
    last `months` such cutoffs when given."""
    known = rows[rows["cutoff"] + pd.Timedelta(days=horizon_days) <= day]
    if months is not None:
        kept = sorted(known["cutoff"].unique())[-months:]
        known = known[known["cutoff"].isin(kept)]
    return known


def risk_threshold(configured: float | None, rows: pd.DataFrame) -> float:
    """The configured churn probability that flags a renewal at risk, else twice the churn rate learned from."""
    if configured is not None:
        return configured
    outcomes = rows["outcome"].dropna()
    return min(0.9, 2 * float((outcomes == "churned").mean())) if len(outcomes) else 0.5


def train(ws: Workspace, *, as_of: dt.date, progress: Callable[[str, int, int], None] | None = None,
          seed: int = 0) -> tuple[int, dict]:
    """Train, check on a holdout and store a model; returns its version and metadata.

    `progress(what, done, total)` hears of each cutoff's training rows as they are built.
    """
    settings = ws.config.predict
    cutoffs = training_cutoffs(ws, as_of)
    if len(cutoffs) < 2:
        raise TenureError(f"not enough history to train at {as_of}: outcomes are known for "
                          f"{len(cutoffs)} monthly cutoff(s); a model needs at least 2 (the horizon is "
                          f"{settings.horizon_days} days and the first 3 months warm up the metrics)")
    done = iter(range(1, len(cutoffs) + 1))
    rows = training_rows(ws, cutoffs, progress=(lambda c: progress(f"features at {c}", next(done), len(cutoffs)))
                         if progress else None)
    model = fit(rows, seed=seed)
    holdout = _holdout(rows, settings.horizon_days + settings.grace_days, seed)
    data = labelled(rows)
    metadata = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "as_of": as_of.isoformat(),
        "horizon_days": settings.horizon_days,
        "training_window": [cutoffs[0].isoformat(), cutoffs[-1].isoformat()],
        "cutoffs": len(cutoffs),
        "rows": len(data),
        "accounts": int(data["account_id"].nunique()),
        "outcomes": {k: int(v) for k, v in data["outcome"].value_counts().items()},
        "features": model.features,
        "risk_threshold": risk_threshold(settings.risk_threshold, rows),
        "holdout": holdout,
    }
    version = store.save(ws, model, metadata)
    return version, {"version": version, **metadata}


def _holdout(rows: pd.DataFrame, horizon_days: int, seed: int) -> dict:
    """Churn figures on the last cutoffs, from a model that learned only what was known before them."""
    cutoffs = sorted(rows["cutoff"].unique())
    tested = cutoffs[-HOLDOUT_CUTOFFS:]
    earlier = known_before(rows, pd.Timestamp(tested[0]), horizon_days)
    test = labelled(rows[rows["cutoff"].isin(tested)])
    try:
        model = fit(earlier, seed=seed)
    except TenureError as exc:
        return {"skipped": str(exc)}
    figures = separation(test["outcome"] == "churned", model.probability(test, "churned"))
    return {"cutoffs": [pd.Timestamp(c).date().isoformat() for c in tested], **figures}
