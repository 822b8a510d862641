"""The renewal model on synthetic rows: calibrated probabilities, drivers, versions, clear refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tenure.errors import TenureError
from tenure.predict.drivers import describe, label, top_drivers
from tenure.predict.evaluation import separation
from tenure.predict.model import Model


def _rows(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    usage = rng.normal(0, 1, n)
    segment = rng.choice(["SMB", "Enterprise"], n)
    zombie = rng.random(n) < 0.2
    logit = -2 - 1.5 * usage + 1.0 * zombie + 0.5 * (segment == "SMB")
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    outcome = np.where(churn, "churned", rng.choice(["flat", "expanded", "contracted"], n, p=[0.5, 0.35, 0.15]))
    rows = pd.DataFrame({"account_id": [f"A{i % 600}" for i in range(n)], "usage_trend_30d": usage,
                         "segment": segment, "zombie": zombie, "noise": rng.normal(0, 1, n)})
    return rows, pd.Series(outcome)


def test_probabilities_are_calibrated_and_sum_to_one():
    rows, outcome = _rows()
    model = Model.fit(rows, outcome, groups=rows["account_id"], features=["usage_trend_30d", "segment", "zombie",
                                                                           "noise"])
    test, truth = _rows(seed=1)
    p = model.probabilities(test)
    assert np.allclose(p.sum(axis=1), 1)
    figures = separation(truth == "churned", p["p_churned"])
    assert figures["roc_auc"] > 0.75
    assert figures["brier"] < figures["brier_base_rate"]
    assert abs(p["p_churned"].mean() - (truth == "churned").mean()) < 0.03


def test_drivers_name_what_raised_the_risk():
    rows, outcome = _rows()
    features = ["usage_trend_30d", "segment", "zombie", "noise"]
    model = Model.fit(rows, outcome, groups=rows["account_id"], features=features)
    risky = pd.DataFrame({"account_id": ["X"], "usage_trend_30d": [-2.5], "segment": ["SMB"], "zombie": [True],
                          "noise": [0.0]})
    drivers = top_drivers(risky, model.contributions(risky, "churned"), model.typical)
    assert drivers.iloc[0]["driver_1"] == "usage down 250% against the prior 30 days"
    assert "zombie account: users log in but adopt nothing new" in drivers.iloc[0].tolist()
    importance = model.importance(rows, "churned")
    assert importance.index[0] == "usage_trend_30d" and importance.index[-1] == "noise"


def test_unknown_categories_and_missing_values_are_scored():
    rows, outcome = _rows()
    model = Model.fit(rows, outcome, features=["usage_trend_30d", "segment", "zombie"])
    odd = pd.DataFrame({"usage_trend_30d": [None], "segment": ["Never seen"], "zombie": [None]})
    assert 0 <= model.probability(odd, "churned")[0] <= 1


def test_a_model_needs_two_outcomes_and_enough_rows():
    rows, _ = _rows(100)
    with pytest.raises(TenureError, match="every outcome is 'flat'"):
        Model.fit(rows, pd.Series(["flat"] * 100), features=["noise"])
    with pytest.raises(TenureError, match="at least 40 rows"):
        Model.fit(rows.head(10), pd.Series(["flat", "churned"] * 5), features=["noise"])


@pytest.mark.parametrize(("feature", "value", "typical", "text"), [
    ("active_users_30d_change_30d", -0.42, None, "active users in 30 days down 42% against the prior 30 days"),
    ("usage_vs_quarter_ago", 0.1, None, "usage up 10% against a quarter ago"),
    ("seat_utilisation", 0.09, 0.48, "seat utilisation 9% (typical 48%)"),
    ("nps_latest", 2.0, 7.0, "latest NPS 2 (typical 7)"),
    ("health_nps_latest", 0.0, None, "health measure 'latest NPS' scored 0 of 100"),
    ("score_change_30d", -12.4, None, "health score down 12 points in 30 days"),
    ("sponsor_departed_180d", True, None, "champion or executive sponsor left in the last 180 days"),
    ("days_since_exec_activity", 200.0, 40.0, "no executive contact for 200 days"),
    ("segment", "SMB", None, "segment: SMB"),
    ("csat_90d", float("nan"), 4.0, "CSAT: no data"),
    ("arr", 52849.08, 24000.0, "ARR 52,849 (typical 24,000)"),
])
def test_drivers_in_plain_words(feature, value, typical, text):
    assert describe(feature, value, typical) == text


def test_labels_fall_back_to_the_column_name():
    assert label("some_export_column") == "some export column"
