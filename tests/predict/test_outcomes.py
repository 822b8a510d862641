"""Renewal outcomes on a hand-made book, cutoff 2025-01-31, horizon 180 days (to 2025-07-30).

Each account is one case of the definition in `tenure.predict.outcomes`:

    A1  annual, open line, renews 2025-03-01 unchanged ............... flat
    A2  annual, ends 2025-03-01, nothing after ....................... churned on 2025-03-01
    A3  annual, renews 2025-04-01 at 800 instead of 1,000 ............ contracted
    A4  annual, renews 2025-05-01 at 1,300 instead of 1,000 .......... expanded
    A5  annual, renews 2025-09-01: after the horizon ................. no outcome
    A6  monthly, ends 2025-04-15 ..................................... churned on 2025-04-15
    A7  monthly, open ................................................ flat
    A8  annual, ends 2025-03-01, re-signed 2025-03-10 ................ churned; flat with 30 grace days
    A9  annual, an add-on from 2025-02-15 before its 2025-03-01 renewal: compared with the day before the renewal: flat
    A10 annual, renews +0.5% (within the 1% flat tolerance) .......... flat
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from tenure.contract.load import load
from tenure.contract.schemas import TABLES
from tenure.predict.outcomes import outcomes_after
from tenure.workspace import Workspace

CUTOFF = dt.date(2025, 1, 31)


def _line(sid, account, start, mrr, end=None, period="year", product="core"):
    return {"subscription_id": sid, "account_id": account, "product": product, "start_date": start, "mrr": mrr,
            "currency": "USD", "end_date": end, "billing_period": period}


LINES = [
    _line("S1", "A1", "2024-03-01", 1000),
    _line("S2", "A2", "2024-03-01", 1000, "2025-03-01"),
    _line("S3", "A3", "2024-04-01", 1000, "2025-04-01"), _line("S3b", "A3", "2025-04-01", 800),
    _line("S4", "A4", "2024-05-01", 1000, "2025-05-01"), _line("S4b", "A4", "2025-05-01", 1300),
    _line("S5", "A5", "2024-09-01", 1000),
    _line("S6", "A6", "2024-06-01", 100, "2025-04-15", period="month"),
    _line("S7", "A7", "2024-06-01", 100, period="month"),
    _line("S8", "A8", "2024-03-01", 1000, "2025-03-01"), _line("S8b", "A8", "2025-03-10", 1000),
    _line("S9", "A9", "2024-03-01", 1000), _line("S9b", "A9", "2025-02-15", 200, product="addon"),
    _line("S10", "A10", "2024-03-01", 1000, "2025-03-01"), _line("S10b", "A10", "2025-03-01", 1005),
]


def _workspace(root: Path, grace_days: int = 0) -> Workspace:
    data = root / "data"
    data.mkdir(parents=True)
    accounts = sorted({line["account_id"] for line in LINES})
    tables = {"accounts": [{"account_id": a, "name": a, "created_at": "2024-01-01"} for a in accounts],
              "subscriptions": LINES}
    for name, rows in tables.items():
        columns = [c.name for c in TABLES[name].columns]
        with (data / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    ws = Workspace.init(root / "ws")
    config = root / "ws" / "tenure.yaml"
    config.write_text(config.read_text().replace("grace_days: 0", f"grace_days: {grace_days}"))
    ws = Workspace.open(root / "ws")
    load([data], warehouse=ws.warehouse, base_currency="USD")
    return ws


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> pd.DataFrame:
    ws = _workspace(tmp_path_factory.mktemp("outcomes"))
    return outcomes_after(ws, CUTOFF, horizon_days=180).set_index("account_id")


EXPECTED = {"A1": "flat", "A2": "churned", "A3": "contracted", "A4": "expanded", "A5": None, "A6": "churned",
            "A7": "flat", "A8": "churned", "A9": "flat", "A10": "flat"}


@pytest.mark.parametrize(("account", "outcome"), EXPECTED.items())
def test_outcome(outcomes, account, outcome):
    got = outcomes.loc[account, "outcome"]
    assert (None if pd.isna(got) else got) == outcome
    assert bool(outcomes.loc[account, "renewal_due"]) == (outcome is not None)


def test_churn_dates_are_the_renewal_or_the_last_paid_day(outcomes):
    assert pd.Timestamp(outcomes.loc["A2", "churn_date"]) == pd.Timestamp("2025-03-01")
    assert pd.Timestamp(outcomes.loc["A6", "churn_date"]) == pd.Timestamp("2025-04-15")
    assert pd.isna(outcomes.loc["A1", "churn_date"])


def test_arr_before_is_the_day_before_the_renewal(outcomes):
    assert outcomes.loc["A9", "arr_before"] == pytest.approx(12 * 1200)
    assert outcomes.loc["A3", "arr_after"] == pytest.approx(12 * 800)


def test_next_quarter_arr_for_forecast_checks(outcomes):
    # the quarter after 2025-01-31 ends 2025-04-30: A2 gone, A3 contracted, A4 not yet renewed
    assert outcomes.loc["A2", "arr_next_quarter"] == 0
    assert outcomes.loc["A3", "arr_next_quarter"] == pytest.approx(12 * 800)
    assert outcomes.loc["A4", "arr_next_quarter"] == pytest.approx(12 * 1000)


def test_a_late_signature_within_the_grace_period_is_not_churn(tmp_path):
    ws = _workspace(tmp_path, grace_days=30)
    got = outcomes_after(ws, CUTOFF, horizon_days=180, grace_days=30).set_index("account_id")
    assert got.loc["A8", "outcome"] == "flat"
    assert got.loc["A2", "outcome"] == "churned"
