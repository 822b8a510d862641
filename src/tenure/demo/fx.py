"""Exchange rates of the currencies the demo company bills in, to its base currency (USD).

One rate per month (dated the 1st) for EUR and GBP, a gentle random walk, from the month of
the earliest subscription line to the end of history: every line's start date has a rate
in force, which is how tenure converts a line (at its start date, fixed for its life).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.timeline import month_first_day, month_number

OPENING_RATE = np.array([1.10, 1.27])  # USD per EUR and per GBP (company.CURRENCIES[1:])
MONTHLY_VOLATILITY = 0.015


@dataclass(frozen=True)
class FxRates:
    """Monthly rates: rate[c, i] is one unit of currency c (1 EUR, 2 GBP; 0 USD) in USD in month i."""

    first_month: int  # months since 1970 of rate column 0
    rate: np.ndarray  # shape (3, months); row 0 (USD) is all ones

    @property
    def days(self) -> np.ndarray:
        """The day each monthly rate is dated (the 1st of its month)."""
        return month_first_day(self.first_month + np.arange(self.rate.shape[1]))

    def on(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Rate in force on each day (the latest on or before it; the last one after the end)."""
        column = np.clip(month_number(day) - self.first_month, 0, self.rate.shape[1] - 1)
        return self.rate[currency, column]


def simulate_rates(rng: np.random.Generator, first_day: int, last_day: int) -> FxRates:
    """A rate per month from the month of `first_day` to that of `last_day`, rounded to 4 decimals."""
    first = int(month_number(first_day))
    months = int(month_number(last_day)) - first + 1
    steps = rng.normal(0, MONTHLY_VOLATILITY, size=(len(OPENING_RATE), months))
    steps[:, 0] = 0
    walk = OPENING_RATE[:, None] * np.exp(np.cumsum(steps, axis=1))
    return FxRates(first, np.round(np.vstack([np.ones(months), walk]), 4))
