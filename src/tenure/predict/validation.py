"""Does the health score predict churn? The backtest of the configured score and of each measure alone.

A health score is a hypothesis about what matters; this checks it against outcomes. Each
measure's score (0–100, higher is healthier) is used on its own as a predictor of churn,
and measure weights are fitted on past outcomes (logistic regression on the measure scores)
and shown beside the configured ones, with the ROC-AUC each set of weights gives on the
backtest cutoffs: weights learned before each test cutoff never see its outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tenure.metrics.scorecard import Health
from tenure.predict.evaluation import separation
from tenure.predict.train import known_before, labelled


def health_report(scored: pd.DataFrame) -> pd.DataFrame:
    """ROC-AUC and friends of the health score and of every measure alone, on the backtest rows."""
    data = labelled(scored)
    churned = data["outcome"] == "churned"
    records = [{"predictor": "health score", **separation(churned, 100 - data["health_score"], probability=False)}]
    for column in measure_columns(data):
        figures = separation(churned, 100 - data[column], probability=False)
        records.append({"predictor": column.removeprefix("health_"), **figures})
    return pd.DataFrame(records)


def suggested_weights(rows: pd.DataFrame, test_cutoffs: Sequence[pd.Timestamp], health: Health, *,
                      horizon_days: int) -> pd.DataFrame:
    """Configured and fitted weights per measure (each set adding up to 100) and the ROC-AUC each gives.

    Weights are fitted on the outcomes known before the first test cutoff and evaluated on the
    test cutoffs. A measure whose fitted effect runs the wrong way (healthier scores, more churn)
    gets weight 0. The AUC rows have `measure` = "(ROC-AUC on the backtest)".
    """
    from sklearn.linear_model import LogisticRegression

    data = labelled(rows)
    columns = measure_columns(data)
    train = known_before(data, min(test_cutoffs), horizon_days)
    test = data[data["cutoff"].isin(test_cutoffs)]
    configured = _configured(health, [c.removeprefix("health_") for c in columns])
    fill = train[columns].median()
    fitted = np.zeros(len(columns))
    if (train["outcome"] == "churned").nunique() == 2:
        regression = LogisticRegression(max_iter=1000).fit(train[columns].fillna(fill).fillna(50),
                                                            train["outcome"] == "churned")
        fitted = np.clip(-regression.coef_[0], 0, None)
    fitted = 100 * fitted / fitted.sum() if fitted.sum() > 0 else fitted
    table = pd.DataFrame({"measure": [c.removeprefix("health_") for c in columns],
                          "configured_weight": configured, "suggested_weight": fitted})
    churned = test["outcome"] == "churned"
    x = test[columns].fillna(fill).fillna(50).to_numpy()
    auc = {}
    for name, weights in (("configured_weight", np.asarray(configured)), ("suggested_weight", fitted)):
        score = x @ weights / weights.sum() if weights.sum() > 0 else np.full(len(x), np.nan)
        auc[name] = separation(churned, 100 - score, probability=False)["roc_auc"]
    return pd.concat([table, pd.DataFrame([{"measure": "(ROC-AUC on the backtest)", **auc}])], ignore_index=True)


def measure_columns(rows: pd.DataFrame) -> list[str]:
    """The per-measure score columns of a feature frame (`health_<metric>`), with any data."""
    return [c for c in rows.columns if c.startswith("health_") and c not in ("health_score", "health_band")
            and rows[c].notna().any()]


def _configured(health: Health, metrics: list[str]) -> list[float]:
    """Each measure's weight in the default scorecard (the one for accounts no segment rule takes), out of 100."""
    card = next((c for c in health.scorecards if not c.segments), health.scorecards[0])
    weights = {m.metric: g.weight * m.weight / 100 for g, m in card.measures()}
    return [float(weights.get(name, 0.0)) for name in metrics]
