"""The forecast simulation on hand-made books whose answers are known."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tenure.predict.forecast import Experience, quarter_windows, renewal_dates, simulate

AS_OF = dt.date(2025, 12, 31)
WINDOWS = quarter_windows(AS_OF, 4)  # 2026-01..03, 04..06, 07..09, 10..12


def _book(rows):
    return pd.DataFrame(rows, columns=["account_id", "arr", "renewal_date", "term_months", "p_churned",
                                       "p_contracted", "p_flat", "p_expanded", "segment"])


def _experience(contracted=0.8, expanded=1.2, mid=(1.0,), sd=0.0):
    return Experience({"churned": np.zeros(1), "contracted": np.array([contracted]), "flat": np.ones(1),
                       "expanded": np.array([expanded])}, np.array(mid), sd)


def test_quarter_windows_follow_the_month_end():
    assert WINDOWS[0] == (dt.date(2025, 12, 31), dt.date(2026, 3, 31))
    assert WINDOWS[3][1] == dt.date(2026, 12, 31)
    assert quarter_windows(dt.date(2026, 1, 15), 1)[0] == (dt.date(2025, 12, 31), dt.date(2026, 3, 31))


def test_renewals_roll_forward_by_their_term():
    book = _book([
        ("annual", 100, "2026-02-15", 12, 0, 0, 1, 0, "x"),
        ("quarterly", 100, "2026-01-10", 3, 0, 0, 1, 0, "x"),
        ("later", 100, "2027-03-01", 12, 0, 0, 1, 0, "x"),
    ])
    got = renewal_dates(book, WINDOWS)
    assert got[0].tolist() == [True, False, False, False]
    assert got[1].tolist() == [True, True, True, True]
    assert got[2].tolist() == [False, False, False, False]


def test_certain_churn_at_renewal_takes_exactly_the_renewing_arr():
    book = _book([
        ("renews", 300, "2026-02-01", 12, 1, 0, 0, 0, "a"),
        ("quiet", 700, "2026-11-01", 12, 0, 0, 1, 0, "b"),
    ])
    out = simulate(book, _experience(), WINDOWS, horizon_days=180, draws=200,
                   groups={"segment": book["segment"]})
    q1 = out["all"].iloc[0]
    assert q1["grr"] == pytest.approx(0.7) and q1["grr_low"] == pytest.approx(0.7)
    assert q1["expected_churn"] == pytest.approx(300)
    year = out["all"].iloc[-1]
    assert year["window"] == "total" and year["grr"] == pytest.approx(0.7)
    by = out["segment"].set_index(["group", "window"])
    assert by.loc[("a", "total"), "grr"] == pytest.approx(0.0)
    assert by.loc[("b", "total"), "grr"] == pytest.approx(1.0)


def test_expansion_counts_in_nrr_not_grr():
    book = _book([("grows", 1000, "2026-05-01", 12, 0, 0, 0, 1, "a")])
    out = simulate(book, _experience(expanded=1.25), WINDOWS, horizon_days=180, draws=100)["all"]
    q2 = out.iloc[1]
    assert q2["grr"] == pytest.approx(1.0) and q2["nrr"] == pytest.approx(1.25)
    assert q2["expected_expansion"] == pytest.approx(250)


def test_monthly_plans_churn_with_their_horizon_probability_scaled_to_a_quarter():
    book = _book([(f"m{i}", 100, "2026-01-15", 1, 0.5, 0, 0.5, 0, "a") for i in range(2000)])
    out = simulate(book, _experience(), WINDOWS, horizon_days=182.6, draws=200)["all"]
    # half churn within 182.6 days → 1 − 0.5 ** 0.5 ≈ 29.3% churn a quarter
    assert out.iloc[0]["grr"] == pytest.approx(0.5 ** 0.5, abs=0.01)
    assert out.iloc[-1]["grr"] == pytest.approx(0.25, abs=0.01)


def test_intervals_widen_with_period_to_period_swings():
    book = _book([(f"r{i}", 100, "2026-02-01", 12, 0.1, 0, 0.9, 0, "a") for i in range(3000)])
    calm = simulate(book, _experience(sd=0.0), WINDOWS, horizon_days=180, draws=400)["all"].iloc[0]
    swinging = simulate(book, _experience(sd=0.5), WINDOWS, horizon_days=180, draws=400)["all"].iloc[0]
    assert calm["grr"] == pytest.approx(0.9, abs=0.005)
    assert calm["grr_low"] < calm["grr"] < calm["grr_high"]
    assert (swinging["grr_high"] - swinging["grr_low"]) > 2 * (calm["grr_high"] - calm["grr_low"])
