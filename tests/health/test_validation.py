"""The default scorecard tells renewals apart: accounts red 90 days out churn far more than green ones.

On a demo company of 1,500 accounts over 24 months, health history is backfilled month-end by
month-end (each snapshot point-in-time). For every renewal 60–120 days after a snapshot date
D, the band stored at D (the snapshot closest to 90 days before the renewal) is compared with
the outcome: the account churned at that renewal when it has no paying line 15 days after
the renewal date. The outcome is read from the subscription lines; the band never sees it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tenure.history import HEALTH_HISTORY, backfill, history

from .conftest import END

pytestmark = pytest.mark.slow

ACCOUNTS, MONTHS, SEED = 1500, 24, 11
AFTER_RENEWAL = pd.Timedelta(days=15)
WINDOW = (60, 120)  # days from the snapshot to the renewal
# Month-ends from seven months into the history until the last one whose renewals are all settled
# (D + 120 + 15 days ≤ END): the earliest snapshots already see 180 days of usage.
SNAPSHOTS = [d.date() for d in pd.date_range("2024-01-31", "2025-01-31", freq="ME")]


@pytest.fixture(scope="module")
def company(tmp_path_factory, workspace_from):
    from tenure.demo.simulator import generate

    root = tmp_path_factory.mktemp("validation")
    generate(root / "demo", accounts=ACCOUNTS, months=MONTHS, seed=SEED, end=END)
    ws = workspace_from(root / "ws", root / "demo")
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def renewals(company) -> pd.DataFrame:
    """One row per (account, renewal): the band at the snapshot nearest 90 days before it, and the outcome."""
    ws = company
    assert SNAPSHOTS[-1] + dt.timedelta(days=WINDOW[1]) + AFTER_RENEWAL.to_pytimedelta() <= END
    list(backfill(ws, SNAPSHOTS))
    stored = history(ws, HEALTH_HISTORY)
    near = stored.filter(stored.days_to_renewal.between(*WINDOW))
    seen = ws.warehouse.execute(near.select("account_id", "as_of", "renewal_date", "days_to_renewal", "score",
                                            "band"))
    assert sorted(seen.as_of.dt.date.unique()) == SNAPSHOTS
    seen["distance"] = (seen.days_to_renewal - 90).abs()
    seen = seen.sort_values(["account_id", "renewal_date", "distance", "as_of"])
    observed = seen.drop_duplicates(["account_id", "renewal_date"]).copy()

    lines = ws.warehouse.execute(ws.warehouse.table("subscriptions").select(
        "account_id", "start_date", "end_date", "mrr"))
    paid = lines[lines.mrr.astype(float) > 0]
    observed["checked_on"] = pd.to_datetime(observed.renewal_date) + AFTER_RENEWAL
    pairs = observed[["account_id", "renewal_date", "checked_on"]].merge(paid, on="account_id")
    start, end = pd.to_datetime(pairs.start_date), pd.to_datetime(pairs.end_date)
    pairs["active"] = (start <= pairs.checked_on) & (end.isna() | (end > pairs.checked_on))
    paying_after = pairs.groupby(["account_id", "renewal_date"]).active.any()
    observed = observed.merge(paying_after.rename("paying_after").reset_index(), on=["account_id", "renewal_date"],
                              how="left")
    observed["churned"] = ~observed.paying_after.fillna(False).astype(bool)
    return observed


def test_renewals_are_observed_point_in_time_about_90_days_out(renewals):
    assert len(renewals) >= 500
    assert renewals.days_to_renewal.between(*WINDOW).all()
    assert abs(renewals.days_to_renewal.median() - 90) <= 10
    gap = (pd.to_datetime(renewals.renewal_date) - pd.to_datetime(renewals.as_of)).dt.days
    assert (gap == renewals.days_to_renewal).all()
    assert renewals.band.notna().mean() > 0.95
    assert 0.03 < renewals.churned.mean() < 0.5


def test_red_accounts_churn_at_renewal_clearly_more_than_green_ones(renewals):
    rates = renewals.groupby("band").churned.agg(["mean", "sum", "count"])
    print("\nchurn at renewal by band 60–120 days before (point-in-time):")
    for band in ("red", "yellow", "green"):
        if band in rates.index:
            row = rates.loc[band]
            print(f"  {band:<7}{row['mean']:6.1%}  ({int(row['sum'])} of {int(row['count'])} renewals)")
    assert rates.loc["red", "count"] >= 50 and rates.loc["green", "count"] >= 100
    red, green = rates.loc["red", "mean"], rates.loc["green", "mean"]
    assert red >= 1.5 * green, f"red churns at {red:.1%}, green at {green:.1%}"
    assert red - green >= 0.05


def test_churn_falls_as_the_score_rises(renewals):
    scored = renewals.dropna(subset=["score"])
    lowest, highest = scored.score.quantile([0.25, 0.75])
    low = scored[scored.score <= lowest].churned.mean()
    high = scored[scored.score >= highest].churned.mean()
    print(f"\nchurn at renewal: lowest score quartile {low:.1%}, highest {high:.1%}")
    assert low >= 1.5 * high
