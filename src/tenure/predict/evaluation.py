"""How well a risk score separates the accounts that churned: the figures every backtest reports.

ROC-AUC (0.5 is chance), PR-AUC (against the churn rate, which is what it equals by chance),
Brier score (for probabilities only, beside the Brier of always predicting the base rate),
and lift in the riskiest decile (churn rate of the 10% riskiest ÷ the overall churn rate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def separation(churned: np.ndarray | pd.Series, risk: np.ndarray | pd.Series, *,
               probability: bool = True) -> dict[str, float | int | None]:
    """The figures for one risk score; rows where the score is empty are left out (and counted)."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    y = np.asarray(churned, dtype=bool)
    p = np.asarray(risk, dtype="float64")
    scored = ~np.isnan(p)
    y, p = y[scored], p[scored]
    out: dict[str, float | int | None] = {
        "rows": int(len(y)), "unscored": int((~scored).sum()), "churned": int(y.sum()),
        "churn_rate": float(y.mean()) if len(y) else None,
        "roc_auc": None, "pr_auc": None, "brier": None, "brier_base_rate": None, "lift_top_decile": None,
    }
    if len(y) == 0 or y.all() or not y.any():
        return out  # one class only: separation is undefined
    out["roc_auc"] = float(roc_auc_score(y, p))
    out["pr_auc"] = float(average_precision_score(y, p))
    if probability:
        out["brier"] = float(brier_score_loss(y, p))
        out["brier_base_rate"] = float(brier_score_loss(y, np.full(len(y), y.mean())))
    riskiest = np.argsort(-p, kind="stable")[: max(1, len(p) // 10)]
    out["lift_top_decile"] = float(y[riskiest].mean() / y.mean())
    return out
