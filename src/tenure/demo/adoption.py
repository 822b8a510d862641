"""When each account starts using each feature: onboarding, adoption over time, zombies.

The result is one day per (account, feature) from which the feature may appear in usage:
- basic features and the add-ons' features (gated by the add-on itself) from their release;
- the first key feature after the account's onboarding time (time to value), the other key
  features some weeks later, sooner for healthy accounts;
- every other feature after an exponential amount of "healthy months": the hazard of
  adopting it is proportional to health, so healthy accounts adopt more features, and adopt
  newly released ones sooner;
- zombie accounts never get past the basic features they used in their first days: no key
  event, no add-on they pay for, no newly released feature — their breadth is frozen while
  their logins continue.
Nothing is available before its release, so usage of a feature never precedes its release.
"""

from __future__ import annotations

import numpy as np

from tenure.demo.catalog import IS_BASIC, IS_KEY, IS_NEW, KEY_FEATURES, NEEDS_ADDON
from tenure.demo.company import Customers
from tenure.demo.contracts import ContractHistory
from tenure.demo.timeline import LAST_ANCHOR_DAY, Window, month_first_day

NEVER = np.iinfo(np.int64).max // 2
ADOPTION_RATE = 0.12  # adoptions per healthy month (hazard = rate × health)
NEW_FEATURE_RATE = 0.25  # newly released features draw attention: a higher hazard
PRE_WINDOW_CREDIT_MONTHS = 24  # the installed base adopted over at most this many months before history
KEY_FOLLOW_DAYS = 45.0  # mean days from the first key event to each further key feature, at health 0.6


def availability(rng: np.random.Generator, window: Window, customers: Customers, history: ContractHistory,
                 released: np.ndarray) -> np.ndarray:
    """Day from which each account may use each feature (accounts × features; NEVER if not adopted)."""
    n = customers.customers
    start = customers.customer_start
    zombie = customers.zombie
    first_health = np.nan_to_num(history.health[np.arange(n), np.maximum(window.month_of(start), 0)], nan=0.5)
    avail = np.full((n, len(released)), NEVER, dtype=np.int64)

    plain = IS_BASIC | (NEEDS_ADDON >= 0)
    avail[:, plain] = released[plain]

    first_key = start + customers.onboarding_days
    follow = rng.exponential(KEY_FOLLOW_DAYS * 0.6 / np.maximum(first_health, 0.1)[:, None],
                             (n, len(KEY_FEATURES))).astype(np.int64)
    follow[:, 0] = 0
    avail[:, KEY_FEATURES] = np.maximum(first_key[:, None] + follow, released[KEY_FEATURES])

    adoptable = np.flatnonzero(~plain & ~IS_KEY)
    avail[:, adoptable] = _by_healthy_months(rng, window, start, first_health, history.health,
                                             released[adoptable], IS_NEW[adoptable])
    avail[np.ix_(zombie, ~IS_BASIC)] = NEVER
    return avail


def _by_healthy_months(rng: np.random.Generator, window: Window, start: np.ndarray, first_health: np.ndarray,
                       health: np.ndarray, released: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Adoption day of each feature: the first month in which accumulated health exceeds an
    exponential threshold (a hazard proportional to health), found with one sorted search."""
    n, months = health.shape
    start_month = window.month_of(start)
    cumulative = np.cumsum(np.nan_to_num(health.astype(np.float64), nan=0.0), axis=1)
    rate = np.where(new, NEW_FEATURE_RATE, ADOPTION_RATE)
    need = rng.exponential(1.0, (n, len(released))) / rate

    # months of use before history began count too (the installed base adopted before the window)
    release_month = window.month_of(released)
    before = np.clip(np.minimum(-start_month[:, None], -release_month[None, :]), 0, PRE_WINDOW_CREDIT_MONTHS)
    need -= before * first_health[:, None]

    first = np.clip(np.maximum(release_month[None, :], start_month[:, None]), 0, months)
    base = np.take_along_axis(np.pad(cumulative, ((0, 0), (1, 0))), first, axis=1)  # exposure before `first`
    ceiling = cumulative[:, -1].max() + 1
    rows = np.arange(n)[:, None] * ceiling
    found = np.searchsorted((cumulative + rows).ravel(), (base + np.maximum(need, 1e-9) + rows).ravel())
    month = found.reshape(need.shape) - np.arange(n)[:, None] * months
    month = np.where(need <= 0, first, month)
    never = month >= months
    day = month_first_day(window.first_month + month) + rng.integers(0, LAST_ANCHOR_DAY, month.shape)
    return np.where(never, NEVER, np.maximum(day, released[None, :]))
