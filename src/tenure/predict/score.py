"""`predict score`: churn, contraction and expansion probability per account at a date, with drivers.

Scores are stored in `prediction_history`, keyed by date like the health history, so the
account 360, playbooks and the forecast read the same numbers, and lead times can be traced.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from tenure.history import store_snapshot
from tenure.predict import store
from tenure.predict.drivers import top_drivers
from tenure.predict.features import features_at

if TYPE_CHECKING:
    from tenure.predict.model import Model
    from tenure.workspace import Workspace

PREDICTIONS = "prediction_history"
COLUMNS = ("account_id", "model_version", "churn_probability", "contraction_probability", "flat_probability",
           "expansion_probability", "driver_1", "driver_2", "driver_3", "renewal_date", "days_to_renewal",
           "term_months", "arr")


def predict(model: Model, features: pd.DataFrame, *, version: int = 0) -> pd.DataFrame:
    """Probabilities and churn drivers for each row of a feature frame."""
    p = model.probabilities(features)
    drivers = top_drivers(features, model.contributions(features, "churned"), model.typical)
    out = pd.DataFrame({
        "account_id": features["account_id"],
        "model_version": version,
        "churn_probability": p.get("p_churned", 0.0),
        "contraction_probability": p.get("p_contracted", 0.0),
        "flat_probability": p.get("p_flat", 0.0),
        "expansion_probability": p.get("p_expanded", 0.0),
    }, index=features.index)
    out = out.join(drivers)
    for column in ("renewal_date", "days_to_renewal", "term_months", "arr"):
        out[column] = features[column]
    return out[list(COLUMNS)].reset_index(drop=True)


def score(ws: Workspace, *, as_of: dt.date) -> tuple[int, pd.DataFrame]:
    """Score every account paying at `as_of` with the latest model and store the result under that date."""
    stored = store.latest(ws)
    features = features_at(ws, as_of)
    scored = predict(stored.model, features, version=stored.version)
    dated = scored.assign(as_of=as_of, renewal_date=pd.to_datetime(scored["renewal_date"]).dt.date)
    table = pa.Table.from_pandas(dated, preserve_index=False)
    store_snapshot(ws.warehouse, {PREDICTIONS: table}, as_of)
    return stored.version, scored
