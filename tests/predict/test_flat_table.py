"""Flat-table mode on an export the test builds with every common mess.

The table has a semicolon delimiter, an id column, money as "$1,234.50", blanks and "N/A" in
numbers, percentages, yes/no flags, US-style dates, text categories, a constant column, a
free-text column filled only for churned customers (a leak), and a "Yes"/"No" label. Churn
truly depends on usage hours, the plan and tenure; the evaluation must find them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cli.helpers import assert_error, tenure
from tenure.errors import TenureError
from tenure.predict.flat import _number, churn_label, evaluate, read_table


def _export(n=2500, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    usage = rng.gamma(2, 10, n)
    months = rng.integers(1, 60, n)
    plan = rng.choice(["Basic", "Pro", "Enterprise"], n)
    logit = -0.5 - 0.1 * usage + 1.2 * (plan == "Basic") - 0.03 * months
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    usage_text = [("" if rng.random() < 0.05 else "N/A" if rng.random() < 0.03 else f"{u:.1f}") for u in usage]
    return pd.DataFrame({
        "Customer ID": [f"CUS-{i:05d}" for i in range(n)],
        "Monthly Charges": [f"${x:,.2f}" for x in rng.uniform(20, 3000, n)],
        "Usage Hours": usage_text,
        "Tenure (months)": months.astype(str),
        "Plan": plan,
        "Has Support?": rng.choice(["Yes", "No"], n),
        "Signup Date": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), unit="D"),
        "Discount": [f"{x:.0f}%" for x in rng.uniform(0, 30, n)],
        "Country": "US",
        "Cancellation Note": np.where(churned, rng.choice(["Too expensive", "Moved to a competitor"], n), ""),
        "Churn": np.where(churned, "Yes", "No"),
    })


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path = tmp_path_factory.mktemp("flat") / "customers.csv"
    frame = _export()
    frame["Signup Date"] = frame["Signup Date"].dt.strftime("%m/%d/%Y")
    frame.to_csv(path, sep=";", index=False)
    return path


def test_messy_export_is_read_and_evaluated(export):
    result = evaluate(read_table(export), label="churn", id_column="customer id")
    assert result.rows == 2500 and result.positive_label == "Yes"
    assert result.figures["roc_auc"] > 0.75
    assert result.figures["brier"] < result.figures["brier_base_rate"]
    top = list(result.importance.index[:3])
    assert set(top) == {"Usage Hours", "Plan", "Tenure (months)"}
    notes = "\n".join(result.notes)
    assert "Country: dropped, the same value in every row" in notes
    assert "Cancellation Note: dropped, alone it tells churned from retained" in notes
    assert "Customer ID" not in result.importance.index


def test_the_cli_reports_figures_as_json(export):
    done = tenure("predict", "evaluate", "--table", export, "--label", "Churn", "--id", "Customer ID",
                  "--format", "json", cwd=export.parent)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["rows"] == 2500 and payload["roc_auc"] > 0.75
    assert payload["importance"][0]["column"] in {"Usage Hours", "Plan", "Tenure (months)"}


def test_the_cli_names_a_missing_label_column(export):
    done = tenure("predict", "evaluate", "--table", export, "--label", "Churned?", cwd=export.parent)
    assert_error(done, 1, "label column 'Churned?' is not in the table")


@pytest.mark.parametrize(("values", "positive", "chosen"), [
    (["0", "1", "1", ""], None, "1"),
    (["Existing Customer", "Attrited Customer"], None, "Attrited Customer"),
    (["Stayed", "Churned", "Stayed"], None, "Churned"),
    (["TRUE", "FALSE"], None, "TRUE"),
    (["active", "inactive", "paused"], "inactive", "inactive"),
])
def test_the_churn_value_is_recognised(values, positive, chosen):
    label, got = churn_label(pd.Series(values), positive)
    assert got == chosen
    assert label.dropna().tolist() == [v == chosen for v in values if v]


def test_an_ambiguous_label_asks_for_positive():
    with pytest.raises(TenureError, match="--positive"):
        churn_label(pd.Series(["red", "blue"]), None)
    with pytest.raises(TenureError, match="3 distinct values"):
        churn_label(pd.Series(["a", "b", "c"]), None)


@pytest.mark.parametrize(("text", "number"), [
    ("$1,234.50", 1234.5), ("12%", 0.12), ("(300)", -300.0), ("€ 5", 5.0), ("1,5", 1.5), ("1 234", 1234.0),
    ("-2.5e3", -2500.0),
])
def test_numbers_as_exports_write_them(text, number):
    assert _number(text) == pytest.approx(number)


def test_text_that_is_not_a_number():
    assert np.isnan(_number("twelve")) and np.isnan(_number("1.2.3"))
