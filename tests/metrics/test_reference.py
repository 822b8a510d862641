"""The engine against an independent plain-pandas reference, on a demo company of 2,000 accounts.

The reference below is written from the README's "Metric definitions" only (FX, month-end MRR,
movements, GRR/NRR/churn, quick ratio), reading the contract tables as loaded; it shares no
code with `tenure.metrics`. Money is carried as integers of 0.0001 so every sum is exact.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from tenure.contract.load import load
from tenure.demo.simulator import generate
from tenure.metrics import revenue
from tenure.views.revenue import paying_lines, revenue_summary
from tenure.workspace import Workspace

pytestmark = pytest.mark.slow

ACCOUNTS = 2000
END = dt.date(2025, 12, 31)
AS_OF = dt.date(2025, 11, 20)  # mid-month: the last snapshot is 2025-10-31; later lines and rates are unknown
UNIT = Decimal("0.0001")
KINDS = ("new", "expansion", "contraction", "churn", "reactivation", "flat")


# -- the reference -----------------------------------------------------------------------------------


def units(value) -> int:
    """An exact decimal amount as an integer number of 0.0001."""
    return int((Decimal(value) / UNIT).to_integral_value())


def reference_lines(subscriptions: pd.DataFrame, fx_rates: pd.DataFrame, base: str, as_of: dt.date) -> pd.DataFrame:
    """Lines known at as_of, mrr in base-currency units: converted once at the rate of the latest
    fx date on or before start_date (the earliest rate if it starts before all), rounded to 4 places."""
    lines = subscriptions[subscriptions.start_date <= pd.Timestamp(as_of)].copy()
    rates = fx_rates[fx_rates.date <= pd.Timestamp(as_of)]
    by_currency = {c: part.sort_values("date") for c, part in rates.groupby("currency")}
    values = []
    for currency, start, mrr in zip(lines.currency, lines.start_date, lines.mrr, strict=True):
        if currency == base:
            values.append(units(mrr))
            continue
        table = by_currency[currency]
        before = table[table.date <= start]
        rate = before.rate_to_base.iloc[-1] if len(before) else table.rate_to_base.iloc[0]
        values.append(units((Decimal(mrr) * Decimal(rate)).quantize(UNIT, rounding=ROUND_HALF_UP)))
    lines["units"] = np.array(values, dtype=np.int64)
    return lines


def month_ends(first: pd.Timestamp, as_of: dt.date) -> pd.DatetimeIndex:
    """Every month-end from first's month up to the last one on or before as_of."""
    return pd.date_range(first + pd.offsets.MonthEnd(0), pd.Timestamp(as_of), freq="ME")


def reference_mrr(lines: pd.DataFrame, as_of: dt.date, keys: list[str]) -> pd.DataFrame:
    """MRR (units) of each entity at each month-end: Σ mrr of lines with start ≤ e < end; paying rows only."""
    ends = pd.DataFrame({"month_end": month_ends(lines.start_date.min(), as_of)})
    grid = lines[[*keys, "start_date", "end_date", "units"]].merge(ends, how="cross")
    active = (grid.start_date <= grid.month_end) & (grid.end_date.isna() | (grid.month_end < grid.end_date))
    mrr = grid[active].groupby([*keys, "month_end"], as_index=False)["units"].sum()
    mrr = mrr[mrr.units > 0].copy()
    mrr["month"] = mrr.month_end.dt.year * 12 + mrr.month_end.dt.month - 1
    return mrr[[*keys, "month", "units"]].sort_values([*keys, "month"]).reset_index(drop=True)


def reference_movements(mrr: pd.DataFrame, keys: list[str], last: int, window: int | None = None) -> pd.DataFrame:
    """Month by month per entity: start = previous month-end, end = this one; classified as the README says."""
    rows = []
    for entity, part in mrr.groupby(keys, sort=True):
        entity = entity if isinstance(entity, tuple) else (entity,)
        by_month = dict(zip(part.month, part.units, strict=True))
        last_paying = None
        for month in range(min(by_month), last + 1):
            start, end = by_month.get(month - 1, 0), by_month.get(month, 0)
            if start == 0 and end == 0:
                continue
            if start == 0:
                came_back = last_paying is not None and (window is None or month - (last_paying + 1) <= window)
                kind = "reactivation" if came_back else "new"
            elif end == 0:
                kind = "churn"
            elif end > start:
                kind = "expansion"
            elif end < start:
                kind = "contraction"
            else:
                kind = "flat"
            rows.append((*entity, month, start, end, kind, end - start))
            if end > 0:
                last_paying = month
    return pd.DataFrame(rows, columns=[*keys, "month", "start", "end", "movement", "change"])


def reference_retention(mrr: pd.DataFrame, moves: pd.DataFrame, keys: list[str], end: int, window: int) -> dict:
    """GRR, NRR, logo and dollar churn of the cohort paying at end − window, and the window's quick ratio."""
    at_start = mrr[mrr.month == end - window].set_index(keys).units
    at_end = mrr[mrr.month == end].set_index(keys).units.reindex(at_start.index, fill_value=0)
    lost = at_end == 0
    in_window = moves[(moves.month > end - window) & (moves.month <= end)]
    gained = in_window[in_window.movement.isin(["new", "expansion", "reactivation"])].change.sum()
    given_up = -in_window[in_window.movement.isin(["contraction", "churn"])].change.sum()
    return {
        "accounts_at_start": len(at_start), "accounts_lost": int(lost.sum()),
        "grr": np.minimum(at_start, at_end).sum() / at_start.sum(), "nrr": at_end.sum() / at_start.sum(),
        "logo_churn": lost.sum() / len(at_start), "dollar_churn": at_start[lost].sum() / at_start.sum(),
        "quick_ratio": gained / given_up if given_up else None,
    }


# -- the company ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    """2,000 accounts over 36 months; only the tables revenue needs are loaded (with the accounts' team)."""
    root = tmp_path_factory.mktemp("reference")
    generate(root / "demo", accounts=ACCOUNTS, months=36, seed=23, end=END)
    ws = Workspace.init(root / "workspace")
    load([root / "demo" / f"{name}.parquet" for name in ("team", "accounts", "subscriptions", "fx_rates")],
         warehouse=ws.warehouse)
    subscriptions = ws.warehouse.execute(ws.warehouse.table("subscriptions"))
    fx_rates = ws.warehouse.execute(ws.warehouse.table("fx_rates"))
    accounts = ws.warehouse.execute(ws.warehouse.table("accounts"))
    lines = reference_lines(subscriptions, fx_rates, ws.config.base_currency, AS_OF)
    yield ws, lines, accounts
    ws.close()


LAST = (AS_OF.year * 12 + AS_OF.month - 1) - 1  # 2025-10


def engine_movements(ws, keys, window=None) -> pd.DataFrame:
    mrr = revenue.month_end_mrr(paying_lines(ws, as_of=AS_OF), as_of=AS_OF, by=keys)
    frame = ws.warehouse.execute(revenue.movements(mrr, as_of=AS_OF, by=keys, reactivation_window_months=window))
    out = pd.DataFrame({**{k: frame[k] for k in keys}, "month": frame.month.astype(int),
                        "start": frame.mrr_start.map(units), "end": frame.mrr_end.map(units),
                        "movement": frame.movement, "change": frame.change.map(units)})
    return out.sort_values([*keys, "month"]).reset_index(drop=True)


def test_the_company_is_big_and_varied_enough(company):
    ws, lines, accounts = company
    assert len(accounts) >= ACCOUNTS
    assert lines.account_id.nunique() >= 0.9 * ACCOUNTS
    assert set(lines.currency) >= {"USD", "EUR", "GBP"}
    assert (lines.units == 0).sum() > 0  # trials
    assert (lines.start_date.dt.day != 1).sum() > 0  # mid-month starts
    assert (lines.end_date.notna() & (lines.end_date.dt.day != 1)).sum() > 0  # mid-month ends
    assert lines.end_date.isna().sum() > 0  # open lines
    assert len(ws.warehouse.execute(ws.warehouse.table("subscriptions"))) > len(lines)  # some start after AS_OF


def test_lines_in_base_currency_match(company):
    ws, lines, _ = company
    engine = ws.warehouse.execute(paying_lines(ws, as_of=AS_OF))
    got = dict(zip(engine.subscription_id, engine.mrr.map(units), strict=True))
    assert got == dict(zip(lines.subscription_id, lines.units, strict=True))


@pytest.mark.parametrize("keys", [["account_id"], ["account_id", "product"]], ids=["account", "account-product"])
def test_month_end_mrr_matches_row_for_row(company, keys):
    ws, lines, _ = company
    expected = reference_mrr(lines, AS_OF, keys)
    frame = ws.warehouse.execute(revenue.month_end_mrr(paying_lines(ws, as_of=AS_OF), as_of=AS_OF, by=keys))
    got = pd.DataFrame({**{k: frame[k] for k in keys}, "month": frame.month.astype(int),
                        "units": frame.mrr.map(units).astype(np.int64)})
    got = got.sort_values([*keys, "month"]).reset_index(drop=True)
    assert expected.month.max() == LAST
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(("keys", "window"), [(["account_id"], None), (["account_id"], 6),
                                              (["account_id", "product"], None)],
                         ids=["account", "account-window-6", "account-product"])
def test_movements_match_row_for_row(company, keys, window):
    ws, lines, _ = company
    expected = reference_movements(reference_mrr(lines, AS_OF, keys), keys, LAST, window)
    got = engine_movements(ws, keys, window)
    assert set(expected.movement) == set(KINDS)
    assert len(expected) > 20 * ACCOUNTS
    if window is not None:  # the window turns some late returns into new business
        unlimited = reference_movements(reference_mrr(lines, AS_OF, keys), keys, LAST)
        assert (expected.movement == "reactivation").sum() < (unlimited.movement == "reactivation").sum()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_headline_retention_matches_for_the_last_month(company):
    ws, lines, _ = company
    mrr = reference_mrr(lines, AS_OF, ["account_id"])
    moves = reference_movements(mrr, ["account_id"], LAST)
    expected = reference_retention(mrr, moves, ["account_id"], LAST, 12)
    headline = revenue_summary(ws, as_of=AS_OF).headline
    assert expected["accounts_at_start"] > 1000 and 0 < expected["accounts_lost"]
    assert {k: headline[k] for k in ("accounts_at_start", "accounts_lost")} == \
        {k: expected[k] for k in ("accounts_at_start", "accounts_lost")}
    for name in ("grr", "nrr", "logo_churn", "dollar_churn", "quick_ratio"):
        assert headline[name] == pytest.approx(float(expected[name]), rel=1e-12), name
    paying = mrr[mrr.month == LAST]
    assert headline["paying_accounts"] == len(paying)
    assert headline["arr"] == pytest.approx(float(Decimal(int(paying.units.sum()) * 12) * UNIT), abs=0.005)


def test_retention_by_segment_and_product_match(company):
    ws, lines, accounts = company
    segments = accounts.set_index("account_id").segment.fillna("(none)")
    by_segment = lines.assign(segment=lines.account_id.map(segments))
    groups = revenue_summary(ws, as_of=AS_OF, by="segment").groups.set_index("segment")
    assert set(groups.index) == set(segments)
    for segment, part in by_segment.groupby("segment"):
        mrr = reference_mrr(part, AS_OF, ["account_id"])
        moves = reference_movements(mrr, ["account_id"], LAST)
        expected = reference_retention(mrr, moves, ["account_id"], LAST, 12)
        for name in ("grr", "nrr", "logo_churn", "dollar_churn", "quick_ratio"):
            assert groups.loc[segment, name] == pytest.approx(float(expected[name]), rel=1e-12), (segment, name)
        assert groups.loc[segment, "accounts_start"] == expected["accounts_at_start"]

    keys = ["account_id", "product"]
    mrr = reference_mrr(lines, AS_OF, keys)
    moves = reference_movements(mrr, keys, LAST)
    summary = revenue_summary(ws, as_of=AS_OF, by="product")
    expected = reference_retention(mrr, moves, keys, LAST, 12)
    for name in ("grr", "nrr", "logo_churn", "dollar_churn", "quick_ratio"):
        assert summary.headline[name] == pytest.approx(float(expected[name]), rel=1e-12), name


def test_monthly_arr_bridge_matches(company):
    ws, lines, _ = company
    moves = reference_movements(reference_mrr(lines, AS_OF, ["account_id"]), ["account_id"], LAST)
    bridge = revenue_summary(ws, as_of=AS_OF, periods=12).bridge
    assert len(bridge) == 12 and bridge.period.iloc[-1] == "2025-10"
    for row in bridge.to_dict("records"):
        year, month = map(int, row["period"].split("-"))
        part = moves[moves.month == year * 12 + month - 1]
        expected = {"arr_start": part.start.sum(), "arr_end": part.end.sum(),
                    **{kind: part.change[part.movement == kind].sum() for kind in KINDS[:-1]}}
        for name, value in expected.items():
            assert row[name] == pytest.approx(float(Decimal(int(value) * 12) * UNIT), abs=0.005), (row["period"], name)
