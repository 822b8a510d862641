"""On a demo company, the model's backtest beats the health score's and both beat chance clearly.

The demo company's churn follows a hidden health that every signal only partly reveals, so
neither predictor is perfect; what matters is that the ranking is right and the numbers are
honest (each backtest model learned only outcomes known before its cutoff). The figures are
printed (`pytest -s`) so a run shows them.
"""

from __future__ import annotations

import pytest

from tenure.views.predict import backtest

from .conftest import END, loaded

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def result(demo_company, tmp_path_factory):
    ws = loaded(tmp_path_factory.mktemp("demo-backtest") / "ws", demo_company)
    return backtest(ws, as_of=END)


def test_the_model_beats_the_health_score_and_both_beat_chance(result):
    model = result.model.set_index(["by", "group"]).loc[("overall", "all")]
    health = result.health.set_index("predictor").loc["health score"]
    print(f"\nbacktest {result.cutoffs[0]}..{result.cutoffs[-1]}: {model['rows']} renewals, {model['churned']} churned;"
          f" model ROC-AUC {model['roc_auc']:.3f} PR-AUC {model['pr_auc']:.3f} Brier {model['brier']:.4f} "
          f"(base rate {model['brier_base_rate']:.4f}) lift {model['lift_top_decile']:.2f}; "
          f"health score ROC-AUC {health['roc_auc']:.3f}")
    assert model["rows"] > 4000 and model["churned"] > 300
    assert health["roc_auc"] > 0.62
    assert model["roc_auc"] > health["roc_auc"] and model["roc_auc"] > 0.65
    assert model["lift_top_decile"] > 2


def test_probabilities_are_calibrated(result):
    model = result.model.set_index(["by", "group"]).loc[("overall", "all")]
    assert model["brier"] < model["brier_base_rate"]


def test_figures_by_segment_and_days_to_renewal(result):
    groups = set(zip(result.model["by"], result.model["group"], strict=True))
    assert {("segment", "SMB"), ("segment", "Mid-Market"), ("segment", "Enterprise"),
            ("days to renewal", "0-90 days"), ("days to renewal", "91-180 days")} <= groups


def test_lead_time_flags_churns_months_ahead(result):
    lead = result.lead
    print(f"\nlead time: {lead}")
    assert lead["churns"] > 50
    assert lead["flagged_share"] > 0.2 and lead["median_lead_days"] >= 60


def test_each_measure_is_validated_and_weights_are_suggested(result):
    predictors = set(result.health["predictor"])
    assert {"health score", "nps_latest", "seat_utilisation", "zombie"} <= predictors
    weights = result.weights.set_index("measure")
    fitted = weights["suggested_weight"].drop("(ROC-AUC on the backtest)")
    assert fitted.sum() == pytest.approx(100) and (fitted >= 0).all()
    assert weights.loc["(ROC-AUC on the backtest)", "suggested_weight"] > 0.6


def test_forecast_intervals_hold_the_actual_grr_about_as_often_as_they_say(result):
    forecast = result.forecast
    print("\n" + forecast[["period", "grr_forecast", "grr_low", "grr_high", "grr_actual", "grr_error_pp"]]
          .to_string(index=False))
    assert len(forecast) >= 4
    assert forecast["grr_covered"].mean() >= 0.6  # nominal 80%, on a handful of quarters
    assert forecast["nrr_covered"].mean() >= 0.6
    assert forecast["grr_error_pp"].abs().mean() < 3
