"""The expansion pipeline shared with Sales: open opportunities, expansion signals and bookings.

Pure builders: Ibis expressions over the loaded tables, and pandas over small per-account frames.
`views/desk_expansions.py` composes them for a workspace.

Definitions (as implemented; docs/desk-sales.md has worked examples):

- **Open on a date.** An opportunity is open on `as_of` when it was created by then (an empty
  `created_at` counts) and it is still open, or it was won or lost after `as_of`: the CRM table is
  today's copy, and a deal closed since was open then.
- **Signals** of a paying account at `as_of` (each one a lead of its own):
  `utilisation` — seat utilisation above `desk.expansion_utilisation_above`;
  `probability` — the stored expansion probability above `desk.expansion_probability_above`;
  `new-team` — active users in the last 30 days up by at least `desk.expansion_user_growth_min`
  against the 30 days before, with at least `desk.expansion_new_users_min` of them active at the
  account for the first time ever (a new team or department arriving, not the same people coming
  back); an account with no active user in the 30 days before has no growth to measure.
  A champion's promotion is not a signal: `contacts` holds one title per person with no history,
  so the data cannot show one.
- **Bookings** are won expansion opportunities by close date; credit splits each booking between
  CS (`desk.expansion_credit_cs_share`) and Sales (the rest).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

    from tenure.desk.config import Desk

SIGNALS = ("utilisation", "probability", "new-team")
SIGNAL_COLUMNS = ["account_id", "signal", "value", "threshold", "detail"]
RULE_PREFIX = "desk:"
WINDOW_DAYS = 30
# a ratio computed in floating point may land a hair under its threshold (1.3 × 10 = 13.000000000000002)
EPSILON = 1e-9


def rule_of(signal: str) -> str:
    """The CTA rule name of a signal's leads: one open CTA per account and rule."""
    return f"{RULE_PREFIX}{signal}"


def open_on(opportunities: ir.Table, *, kind: str, as_of: dt.date) -> ir.Table:
    """Opportunities of `kind` (renewal, expansion, new) open on `as_of` (see the module docstring)."""
    day = ibis.literal(as_of, type="date")
    rows = opportunities.filter(opportunities.type == kind)
    created = rows.created_at.cast("date") if "created_at" in rows.columns else ibis.null("date")
    status = rows.status if "status" in rows.columns else ibis.literal("open")
    rows = rows.filter(created.isnull() | (created <= day))
    still_open = status.isnull() | (status == "open")
    return rows.filter(still_open | (rows.close_date.cast("date") > day))


def won_by(opportunities: ir.Table, *, kind: str, as_of: dt.date) -> ir.Table:
    """Opportunities of `kind` won with a close date on or before `as_of`."""
    if "status" not in opportunities.columns:
        return opportunities.filter(ibis.literal(False))
    rows = opportunities.filter((opportunities.type == kind) & (opportunities.status == "won"))
    return rows.filter(rows.close_date.cast("date") <= ibis.literal(as_of, type="date"))


def user_growth(events: ir.Table, *, as_of: dt.date, days: int = WINDOW_DAYS) -> ir.Table:
    """Per account with events: active users in the last `days` days (`as_of` included), in the `days`
    days before them, and how many of the recent ones were never active at the account before.

    Columns: account_id, active_users_30d, active_users_prior_30d, new_users_30d (named for the
    default 30 days).
    """
    end = _midnight(as_of + dt.timedelta(days=1))
    start = _midnight(as_of - dt.timedelta(days=days - 1))
    prior = _midnight(as_of - dt.timedelta(days=2 * days - 1))
    known = events.filter(events.timestamp < end)
    first = known.group_by(["account_id", "user_id"]).aggregate(_first=known.timestamp.min())
    windows = known.filter(known.timestamp >= prior)
    users = windows.group_by(["account_id", "user_id"]).aggregate(
        _recent=(windows.timestamp >= start).any(), _before=(windows.timestamp < start).any())
    users = users.join(first, ["account_id", "user_id"])
    return users.group_by("account_id").aggregate(
        active_users_30d=users._recent.sum().cast("int64"),
        active_users_prior_30d=users._before.sum().cast("int64"),
        new_users_30d=(users._recent & (users._first >= start)).sum().cast("int64"),
    )


def expansion_signals(accounts: pd.DataFrame, config: Desk) -> pd.DataFrame:
    """The signals each account shows: one row per account and signal (SIGNAL_COLUMNS), in account order.

    `accounts` has account_id and, where known, seat_utilisation, expansion_probability,
    active_users_30d, active_users_prior_30d and new_users_30d (empty or missing columns never fire).
    """
    import pandas as pd

    rows = []
    for account in accounts.to_dict("records"):
        utilisation = _number(account.get("seat_utilisation"))
        if utilisation is not None and utilisation > config.expansion_utilisation_above + EPSILON:
            rows.append((account["account_id"], "utilisation", utilisation, config.expansion_utilisation_above,
                         f"seat utilisation {utilisation:.0%} (above {config.expansion_utilisation_above:.0%})"))
        probability = _number(account.get("expansion_probability"))
        if probability is not None and probability > config.expansion_probability_above + EPSILON:
            rows.append((account["account_id"], "probability", probability, config.expansion_probability_above,
                         f"expansion probability {probability:.0%} (above {config.expansion_probability_above:.0%})"))
        growth = new_team(account, config)
        if growth is not None:
            rows.append((account["account_id"], "new-team", growth, config.expansion_user_growth_min,
                         f"active users in 30 days {_int(account['active_users_30d'])}, up {growth:.0%} on "
                         f"{_int(account['active_users_prior_30d'])} in the 30 days before; "
                         f"{_int(account['new_users_30d'])} active for the first time"))
    frame = pd.DataFrame(rows, columns=SIGNAL_COLUMNS)
    order = {s: i for i, s in enumerate(SIGNALS)}
    return frame.sort_values(["account_id", "signal"], key=lambda c: c.map(order) if c.name == "signal" else c,
                             kind="stable").reset_index(drop=True)


def new_team(account: dict, config: Desk) -> float | None:
    """The growth in active users when the `new-team` signal fires for this account, else None."""
    recent = _number(account.get("active_users_30d"))
    before = _number(account.get("active_users_prior_30d"))
    first_timers = _number(account.get("new_users_30d"))
    if recent is None or before is None or first_timers is None or before <= 0:
        return None
    growth = recent / before - 1
    if growth + EPSILON >= config.expansion_user_growth_min and first_timers >= config.expansion_new_users_min:
        return growth
    return None


def bookings(won: pd.DataFrame, movements: pd.DataFrame, *, periods: list[str], shown: int,
             cs_share: float) -> pd.DataFrame:
    """Expansion bookings per period with the CS/Sales credit split and the change on a year before.

    `won`: one row per won expansion opportunity with `period` (the label of its close date's
    quarter) and `amount`; `movements`: expansion ARR per `period` (`expansion_arr`). `periods`
    lists consecutive quarter labels, oldest first; the last `shown` are returned, each compared
    with the label four places before it (the same quarter a year earlier).
    """
    import pandas as pd

    booked = won.groupby("period").agg(deals=("amount", "size"), booked=("amount", "sum"))
    moved = movements.groupby("period")["expansion_arr"].sum()
    rows = []
    for i in range(max(0, len(periods) - shown), len(periods)):
        label = periods[i]
        year_ago = periods[i - 4] if i >= 4 else None
        amount = float(booked["booked"].get(label, 0.0))
        before = float(booked["booked"].get(year_ago, 0.0)) if year_ago else None
        arr = float(moved.get(label, 0.0))
        arr_before = float(moved.get(year_ago, 0.0)) if year_ago else None
        rows.append({
            "quarter": label, "deals": int(booked["deals"].get(label, 0)), "booked": amount,
            "cs_credit": amount * cs_share, "sales_credit": amount * (1 - cs_share),
            "booked_year_ago": before, "booked_yoy": _change(amount, before),
            "expansion_arr": arr, "expansion_arr_year_ago": arr_before,
            "expansion_arr_yoy": _change(arr, arr_before),
        })
    return pd.DataFrame(rows, columns=["quarter", "deals", "booked", "cs_credit", "sales_credit", "booked_year_ago",
                                       "booked_yoy", "expansion_arr", "expansion_arr_year_ago", "expansion_arr_yoy"])


def _change(now: float, before: float | None) -> float | None:
    """now ÷ before − 1; empty without a year-ago figure or when it was zero."""
    if before is None or before == 0:
        return None
    return now / before - 1


def _midnight(day: dt.date) -> ir.TimestampScalar:
    return ibis.literal(dt.datetime.combine(day, dt.time()), type="timestamp")


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int(value) -> int:
    return int(float(value))
