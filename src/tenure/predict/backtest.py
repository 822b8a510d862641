"""Rolling-origin backtest: at each cutoff, train on what was known then, score, compare with what happened.

A model trained at cutoff c learns only from cutoffs whose horizon had passed by c, so every
figure here is one a director could have had on that day. Figures are reported overall, by
segment and by days to renewal, with the lead time between an account first crossing the risk
threshold and its churn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from tenure.errors import TenureError
from tenure.predict.evaluation import separation
from tenure.predict.train import fit, known_before, labelled

RENEWAL_WINDOWS = ((0, 90, "0-90 days"), (91, 180, "91-180 days"))


def rolling_scores(rows: pd.DataFrame, cutoffs: Sequence[pd.Timestamp], *, horizon_days: int,
                   training_months: int | None = None, seed: int = 0,
                   progress: Callable[[pd.Timestamp], None] | None = None) -> pd.DataFrame:
    """Every row at each test cutoff with `churn_probability` from a model trained before it.

    Cutoffs with too little earlier history to train on are skipped.
    """
    scored = []
    for cutoff in cutoffs:
        if progress:
            progress(cutoff)
        earlier = known_before(rows, cutoff, horizon_days, training_months)
        try:
            model = fit(earlier, seed=seed)
        except TenureError:
            continue
        test = rows[rows["cutoff"] == cutoff]
        if test.empty:
            continue
        p = model.probabilities(test)
        scored.append(test.assign(churn_probability=p.get("p_churned", 0.0),
                                  expansion_probability=p.get("p_expanded", 0.0)))
    if not scored:
        raise TenureError("no cutoff in the backtest window has earlier outcomes to learn from; "
                          "start the backtest later or load more history")
    return pd.concat(scored, ignore_index=True)


def report(scored: pd.DataFrame, *, risk_column: str = "churn_probability", probability: bool = True,
           ) -> pd.DataFrame:
    """Separation figures overall, by segment and by days to renewal, one row per group."""
    data = labelled(scored)
    churned = data["outcome"] == "churned"
    groups = [("overall", "all", np.ones(len(data), dtype=bool))]
    for segment in sorted(data["segment"].dropna().astype(str).unique()):
        groups.append(("segment", segment, (data["segment"].astype(str) == segment).to_numpy()))
    days = data["days_to_renewal"]
    for low, high, name in RENEWAL_WINDOWS:
        groups.append(("days to renewal", name, ((days >= low) & (days <= high)).to_numpy()))
    records = []
    for by, group, mask in groups:
        figures = separation(churned[mask], data[risk_column][mask], probability=probability)
        records.append({"by": by, "group": group, **figures})
    return pd.DataFrame(records)


def lead_times(scored: pd.DataFrame, *, threshold: float, horizon_days: int,
               risk_column: str = "churn_probability") -> dict[str, float | int | None]:
    """How long before each churn the account first reached the risk threshold.

    A churn is an account and churn date among the labelled rows; its scores are those at
    test cutoffs within the horizon before that date.
    """
    events = labelled(scored)
    events = events[events["outcome"] == "churned"][["account_id", "churn_date"]].dropna().drop_duplicates()
    if events.empty:
        return {"churns": 0, "flagged": 0, "flagged_share": None, "median_lead_days": None,
                "flagged_90_days_ahead": None}
    pairs = events.merge(scored[["account_id", "cutoff", risk_column]], on="account_id")
    before = pairs[(pairs["cutoff"] < pairs["churn_date"])
                   & (pairs["cutoff"] >= pairs["churn_date"] - pd.Timedelta(days=horizon_days))]
    flagged = before[before[risk_column] >= threshold]
    first = flagged.groupby(["account_id", "churn_date"])["cutoff"].min().reset_index()
    lead = (first["churn_date"] - first["cutoff"]).dt.days
    churns = len(events)
    return {
        "churns": churns,
        "flagged": int(len(first)),
        "flagged_share": len(first) / churns,
        "median_lead_days": float(lead.median()) if len(lead) else None,
        "flagged_90_days_ahead": float((lead >= 90).sum() / churns),
    }
