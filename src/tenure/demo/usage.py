"""Product usage: one event row per (user, active day, feature), generated a month and a chunk at a time.

Each month, for the accounts that were customers on some day of it, in chunks of about
`SEATS_PER_CHUNK` seats: every seat's user is active with a chance that follows the
account's health (power users, the low user numbers, more than others); an active user
works on a weekday-heavy set of days; on each day they log in and touch the features their
account has adopted (see `adoption`), more of them when the account is healthy. Zombie
accounts log in at a steady rate whatever their health, with a frozen, narrow feature set.
A chunk becomes an Arrow table at once and is handed to the part writer, so memory is
bounded by one chunk and one part, however many events there are.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from tenure.demo.catalog import EVENT_NAMES, IS_BASIC, NEEDS_ADDON, POPULARITY, REPEATS
from tenure.demo.company import Customers
from tenure.demo.contracts import ContractHistory
from tenure.demo.ids import account_digits, fixed_width_ids, width_for
from tenure.demo.timeline import SECONDS_PER_DAY, WORKDAY_START_UTC, Window, month_first_day
from tenure.demo.writer import EventParts, schema

EVENT_DENSITY = 1.0  # scales how many days users are active: event rows grow about in proportion
SEATS_PER_CHUNK = 30_000
WEEKEND_ACTIVITY = 0.15  # a B2B product: weekend days are this much less likely than weekdays
SESSION_SECONDS = 5_400  # a day's events fall within this long after the session starts
ZOMBIE_LOGIN = (0.50, 0.13)  # (chance a seat is active in a month, chance of a day) for zombies


def write_events(parts: EventParts, seed: int, stream: int, window: Window, customers: Customers,
                 history: ContractHistory, available: np.ndarray, tick: Callable[[int, int], None]) -> None:
    """Generate every month's usage into `parts`; `tick(done, total)` after each month."""
    widths = (account_digits(customers.size), width_for(int(history.seats.max(initial=1)), 4))
    for m in range(window.n_months):
        live = np.flatnonzero(history.first_day[:, m] <= history.last_day[:, m])
        chunk = np.cumsum(history.seats[live, m]) // SEATS_PER_CHUNK
        for k, accounts in enumerate(np.split(live, np.flatnonzero(np.diff(chunk)) + 1)):
            if len(accounts):
                rng = np.random.default_rng([seed, stream, m, k])
                parts.add(_usage(rng, window, m, accounts, customers, history, available, widths))
        tick(m + 1, window.n_months)


def _usage(rng: np.random.Generator, window: Window, m: int, acc: np.ndarray, customers: Customers,
           history: ContractHistory, available: np.ndarray, widths: tuple[int, int]) -> pa.Table:
    """The event rows of one month for a chunk of accounts."""
    month_first = int(month_first_day(window.first_month + m))
    n_days = int(month_first_day(window.first_month + m + 1)) - month_first
    health = history.health[acc, m].astype(np.float64)
    seats = history.seats[acc, m].astype(np.int64)
    zombie = customers.zombie[acc]
    settled = (month_first + 15 - customers.customer_start[acc]) / (customers.onboarding_days[acc] + 30)
    ramp = np.clip(settled, 0.3, 1.0)  # usage builds up while the account onboards
    noise = rng.lognormal(0, 0.15, len(acc))
    p_user = np.where(zombie, ZOMBIE_LOGIN[0], np.clip(0.05 + 0.9 * health**1.5 * ramp * noise, 0.03, 0.95))
    p_day = np.where(zombie, ZOMBIE_LOGIN[1], (0.02 + 0.20 * health) * ramp) * EVENT_DENSITY

    # which seats' users are active this month (low user numbers are the power users)
    owner = np.repeat(np.arange(len(acc)), seats)
    user_no = np.arange(len(owner)) - np.repeat(np.cumsum(seats) - seats, seats)
    weight = 1.4 - 0.8 * user_no / seats[owner]
    active = rng.random(len(owner)) < p_user[owner] * weight
    owner, user_no, weight = owner[active], user_no[active], weight[active]

    # on which days
    day = np.arange(n_days)
    weekday = (month_first + day + 3) % 7 < 5  # day 0 (1970-01-01) was a Thursday
    chance = (p_day[owner] * weight)[:, None] * np.where(weekday, 1.0, WEEKEND_ACTIVITY)[None, :]
    first = history.first_day[acc, m] - month_first
    last = history.last_day[acc, m] - month_first
    in_span = (day[None, :] >= first[owner][:, None]) & (day[None, :] <= last[owner][:, None])
    works = rng.random(chance.shape, dtype=np.float32) < np.minimum(chance, 0.95)
    user, on_day = np.nonzero(in_span & works)
    account = owner[user]

    # which features that day: adopted ones (from their day), the add-on's only while it is held
    adopted_from = np.clip(available[acc] - month_first, -1, n_days).astype(np.int8)
    held = (history.addons[acc, m][:, None] >> np.maximum(NEEDS_ADDON, 0)[None, :]) & 1
    usable = np.where(NEEDS_ADDON[None, :] >= 0, held.astype(bool), True)
    breadth = np.where(zombie, 0.7, 0.35 + health)
    feature_chance = POPULARITY[None, :] * np.where(IS_BASIC[None, :], 1.0, breadth[:, None])
    draw = rng.random((len(user), len(EVENT_NAMES)), dtype=np.float32)
    use = (adopted_from[account] <= on_day[:, None]) & usable[account] & (draw < feature_chance[account])
    row, feature = np.nonzero(use)
    row_account = account[row]

    count = 1 + rng.poisson(REPEATS[feature] * (0.5 + health[row_account]))
    session = (WORKDAY_START_UTC[customers.region[acc[account]]] + rng.normal(4.5, 2.5, len(user))) * 3600
    session = np.clip(session, 0, SECONDS_PER_DAY - SESSION_SECONDS).astype(np.int64)
    seconds = ((month_first + on_day[row]) * SECONDS_PER_DAY + session[row]
               + rng.integers(0, SESSION_SECONDS, len(row)))
    number = acc[row_account] + 1
    return pa.Table.from_arrays(
        [
            fixed_width_ids("A", (number, widths[0])),
            fixed_width_ids("A", (number, widths[0]), "-U", (user_no[user][row] + 1, widths[1])),
            pa.array(EVENT_NAMES).take(pa.array(feature)),
            pa.array(seconds * 1_000_000, type=pa.timestamp("us", tz="UTC")),
            pa.array(count, type=pa.int64()),
        ],
        schema=schema("events"),
    )
