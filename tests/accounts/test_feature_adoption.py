"""Per-feature adoption: share of paying accounts and of active users, known answers."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from tenure.metrics.adoption import feature_adoption

AS_OF = dt.date(2025, 6, 30)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def test_shares_of_paying_accounts_and_active_users():
    con = ibis.duckdb.connect()
    events = ibis.memtable(pd.DataFrame({
        "account_id": ["A1", "A1", "A1", "A2", "A2", "A3", "A9"],
        "user_id": ["u1", "u2", "u1", "u1", "u1", "u7", "x"],
        "event": ["login", "login", "export", "login", "export", "login", "export"],
        "timestamp": [ts("2025-06-30 23:59:59"), ts("2025-06-10"), ts("2025-06-01"), ts("2025-06-15"),
                      ts("2025-05-31 23:59:59"),  # the day before the 30-day window: not counted
                      ts("2025-07-01"),  # after as_of: not counted
                      ts("2025-06-20")],  # A9 is not a paying account
        "count": [1, 1, 2, 1, 1, 1, 1],
    }))
    features = ibis.memtable(pd.DataFrame({
        "event": ["login", "export", "sso"],
        "released_at": [dt.date(2020, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 6, 1)],
        "is_key": [False, True, None],
    }))
    customers = ibis.memtable(pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4"]}))
    out = con.execute(feature_adoption(events, features, customers, as_of=AS_OF)).set_index("event")
    # active users in 30 days among paying accounts: (A1,u1), (A1,u2), (A2,u1) = 3; paying accounts = 4
    assert out.loc["login", "accounts"] == 2 and out.loc["login", "users"] == 3
    assert out.loc["login", "account_share"] == 0.5 and out.loc["login", "user_share"] == 1.0
    assert out.loc["export", "accounts"] == 1 and out.loc["export", "users"] == 1
    assert out.loc["export", "account_share"] == 0.25 and abs(out.loc["export", "user_share"] - 1 / 3) < 1e-12
    assert bool(out.loc["export", "is_key"]) is True
    assert out.loc["sso", "accounts"] == 0 and out.loc["sso", "account_share"] == 0.0  # listed, unused
    assert list(out.index) == ["login", "export", "sso"]
