"""The prediction commands end to end on a small demo company, as a user runs them."""

from __future__ import annotations

import json

import pytest

from cli.helpers import assert_error, tenure

from .conftest import END, loaded

pytestmark = pytest.mark.slow
AS_OF = END.isoformat()


@pytest.fixture(scope="module")
def workspace(small_company, tmp_path_factory):
    root = tmp_path_factory.mktemp("predict-cli") / "ws"
    loaded(root, small_company).close()
    return root


def test_scoring_before_training_says_what_to_do(workspace):
    done = tenure("-w", workspace, "predict", "score", "--as-of", AS_OF, cwd=workspace)
    assert_error(done, 3, "no model", "tenure predict train")


def test_train_score_run_and_forecast(workspace):
    done = tenure("-w", workspace, "predict", "train", "--as-of", AS_OF, "--format", "json", cwd=workspace)
    assert done.returncode == 0, str(done)
    first = json.loads(done.stdout)
    assert first["version"] == 1 and first["rows"] > 100 and "churned" in first["outcomes"]
    assert first["training_window"][1] <= "2025-07-04"  # outcomes of later cutoffs were not known at END
    assert (workspace / "models" / "renewal-v1.joblib").is_file()

    again = json.loads(tenure("-w", workspace, "predict", "train", "--as-of", AS_OF, "--format", "json",
                              cwd=workspace).stdout)
    assert again["version"] == 2 and again["rows"] == first["rows"]

    done = tenure("-w", workspace, "predict", "score", "--as-of", AS_OF, cwd=workspace)
    assert done.returncode == 0, str(done)
    assert "Riskiest renewals in the next 90 days" in done.stdout and "model v2" in done.stdout

    scored = json.loads(tenure("-w", workspace, "predict", "score", "--as-of", AS_OF, "--format", "json",
                               cwd=workspace).stdout)
    assert all(0 <= row["churn_probability"] <= 1 for row in scored)
    total = [row["churn_probability"] + row["contraction_probability"] + row["flat_probability"]
             + row["expansion_probability"] for row in scored]
    assert all(abs(t - 1) < 1e-6 for t in total)
    assert any(row["driver_1"] for row in scored)

    done = tenure("-w", workspace, "run", "--as-of", AS_OF, cwd=workspace)
    assert done.returncode == 0, str(done)
    assert "churn and expansion scores of" in done.stdout and "by model v2" in done.stdout

    riskiest = max(scored, key=lambda row: row["churn_probability"])
    shown = json.loads(tenure("-w", workspace, "account", riskiest["account_id"], "--as-of", AS_OF, "--format",
                              "json", cwd=workspace).stdout)
    assert shown["prediction"]["churn_probability"] == pytest.approx(riskiest["churn_probability"])
    assert shown["prediction"]["driver_1"] == riskiest["driver_1"]

    done = tenure("-w", workspace, "forecast", "--as-of", AS_OF, "--by", "segment", "--draws", "200",
                  "--format", "json", cwd=workspace)
    assert done.returncode == 0, str(done)
    forecast = json.loads(done.stdout)
    periods = [row["period"] for row in forecast["forecast"]]
    assert periods == ["2026-01..2026-03", "2026-04..2026-06", "2026-07..2026-09", "2026-10..2026-12",
                       "next 12 months"]
    for row in forecast["forecast"]:
        assert row["grr_low"] <= row["grr"] <= row["grr_high"] <= 1
        assert row["nrr_low"] <= row["nrr"] <= row["nrr_high"]
    assert {row["group"] for row in forecast["by_segment"]} <= {"SMB", "Mid-Market", "Enterprise"}
    assert len(forecast["renewals_by_month"]) == 12


def test_forecast_rejects_an_unknown_grouping(workspace):
    done = tenure("-w", workspace, "forecast", "--as-of", AS_OF, "--by", "region", cwd=workspace)
    assert_error(done, 1, "--by must be one of segment, csm")


def test_backtest_needs_outcomes_known_by_then(workspace):
    done = tenure("-w", workspace, "predict", "backtest", "--as-of", "2024-03-31", cwd=workspace)
    assert_error(done, 1, "no cutoff has a known outcome")


def test_train_needs_history(workspace):
    done = tenure("-w", workspace, "predict", "train", "--as-of", "2024-06-30", cwd=workspace)
    assert_error(done, 1, "not enough history to train")
