"""Contracts over time: a month-by-month simulation of every account's lines, driven by its health.

Each month, vectorised over all accounts: new logos arrive (some after a free trial), health
takes a step, contracts reaching their renewal churn, contract, expand or renew flat (with a
list-price uplift), mid-term seat expansions and add-on upsells are sold co-termed with the
core line, and some churned accounts come back. Every change opens new subscription lines
(see `lines`) and is logged as a movement, from which the CRM's opportunities are written.
Money is in each account's own currency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tenure.demo import health as hz
from tenure.demo.catalog import ADDON_PRICE_SHARE, ADDONS
from tenure.demo.company import SLOW_ONBOARDING_DAYS, SMB, Customers
from tenure.demo.fx import FxRates
from tenure.demo.lines import MONTHLY, OPEN, YEARLY, LineBook
from tenure.demo.timeline import LAST_ANCHOR_DAY, Window, add_months, month_first_day, month_number

PENDING, ACTIVE, CHURNED = 0, 1, 2
FIRST_ADDONS = np.array([0.30, 0.15, 0.02])  # chance the first contract includes each add-on, by segment
ADDON_AFTER_DAYS = 90  # add-ons are sold once the core product has been live this long
REACTIVATE_AFTER_DAYS = 90


@dataclass(frozen=True)
class Movements:
    """A log of one kind of contract event: who, when, ARR before and after (own currency)."""

    account: np.ndarray
    day: np.ndarray
    arr_before: np.ndarray
    arr_after: np.ndarray
    detail: np.ndarray  # renewals: term months; churn: 1 if on a monthly plan; expansions: product


class _Log:
    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, account: np.ndarray, day: np.ndarray, before: np.ndarray, after: np.ndarray,
            detail: np.ndarray | int = 0) -> None:
        if len(account):
            self._parts.append((account, np.broadcast_to(day, account.shape), before, after,
                                np.broadcast_to(detail, account.shape)))

    def movements(self) -> Movements:
        if not self._parts:
            return Movements(*(np.empty(0, dtype=np.int64) for _ in range(5)))
        return Movements(*(np.concatenate(column) for column in zip(*self._parts, strict=True)))


@dataclass(frozen=True)
class ContractHistory:
    """The contract simulation's output: lines, per account-month state, and logged movements.

    Per account-month arrays are (accounts × months); `first_day` > `last_day` marks a month
    in which the account was not a customer (no trial or paid line live on any day of it).
    """

    lines: dict[str, np.ndarray]
    health: np.ndarray  # float32, NaN outside customer months
    seats: np.ndarray  # int32, core seats
    addons: np.ndarray  # uint8 bit mask of add-ons held (bit i = ADDONS[i])
    first_day: np.ndarray  # int64 day numbers of the customer span within each month
    last_day: np.ndarray
    arrivals: Movements  # first contracts (the paid start and the ARR signed)
    renewals: Movements  # renewals of annual and multi-year terms (won)
    churns: Movements
    expansions: Movements  # mid-term seat expansions and add-on upsells
    reactivations: Movements
    champion_left: tuple[np.ndarray, np.ndarray]  # (account, day)
    sponsor_left: tuple[np.ndarray, np.ndarray]
    status: np.ndarray  # at the end of history
    next_renewal: np.ndarray
    term: np.ndarray
    arr: np.ndarray


def simulate_contracts(rng: np.random.Generator, window: Window, customers: Customers, fx: FxRates,
                       tick: Callable[[int, int], None]) -> ContractHistory:
    """Run the customer base month by month through the window; `tick(done, total)` after each month."""
    simulation = _Simulation(rng, window, customers, fx)
    for m in range(window.n_months):
        simulation.run_month(m)
        tick(m + 1, window.n_months)
    return simulation.history()


class _Simulation:
    def __init__(self, rng: np.random.Generator, window: Window, customers: Customers, fx: FxRates):
        n = customers.customers
        c = customers
        self.rng, self.window, self.c = rng, window, c
        self.segment = c.segment[:n]
        self.status = np.full(n, PENDING, dtype=np.int8)
        self.health = np.zeros(n)
        self.level = c.fit.copy()
        self.drift = rng.normal(0, hz.DRIFT_SD, n)
        self.seats = c.seats.copy()
        self.price = np.round(c.seat_price_usd / fx.on(c.currency[:n], c.paid_start), 2)
        self.core_mrr = np.zeros(n)
        self.addon_mrr = np.zeros((n, len(ADDONS)))
        self.line = np.full((n, 1 + len(ADDONS)), OPEN, dtype=np.int64)
        self.term = c.term_months.copy()
        self.billing = c.billing_period.copy()
        self.auto_renew = c.auto_renew.copy()
        self.next_renewal = np.zeros(n, dtype=np.int64)
        self.last_line_day = np.zeros(n, dtype=np.int64)
        self.spell_start = c.customer_start.copy()
        self.churn_day = np.full(n, OPEN, dtype=np.int64)
        self.arrival = np.maximum(window.month_of(c.customer_start), 0)
        self.slow = c.onboarding_days > SLOW_ONBOARDING_DAYS
        shape = (n, window.n_months)
        self.h_hist = np.full(shape, np.nan, dtype=np.float32)
        self.seat_hist = np.zeros(shape, dtype=np.int32)
        self.addon_hist = np.zeros(shape, dtype=np.uint8)
        self.first_hist = np.zeros(shape, dtype=np.int64)
        self.last_hist = np.full(shape, -1, dtype=np.int64)
        self.book = LineBook(capacity=4 * n + 16)
        self.arrivals, self.renewals, self.churns = _Log(), _Log(), _Log()
        self.expansions, self.reactivations = _Log(), _Log()
        self.champion_left: list[tuple[np.ndarray, np.ndarray]] = []
        self.sponsor_left: list[tuple[np.ndarray, np.ndarray]] = []

    # -- the month -----------------------------------------------------------------------------

    def run_month(self, m: int) -> None:
        first, last = int(self.window.month_start(m)), int(self.window.month_last(m))
        veterans = np.flatnonzero(self.status == ACTIVE)
        self._arrive(np.flatnonzero((self.status == PENDING) & (self.arrival == m)))
        self._age(veterans, first, last)
        self._renew(m, np.flatnonzero((self.status == ACTIVE) & (self.next_renewal <= last)))
        self._expand_mid_term(m, first)
        self._reactivate(m, first, last)
        self._record(m, first, last)

    def _arrive(self, idx: np.ndarray) -> None:
        """New customers (and, in the first month, the installed base) sign their first contract."""
        c, rng, n = self.c, self.rng, len(idx)
        start = c.paid_start[idx]
        installed = start < self.window.start
        settled = np.clip(self.level[idx] + rng.normal(0, 0.08, n), hz.FLOOR, hz.CEILING)
        self.health[idx] = np.where(installed, settled, hz.starting_health(rng, self.level[idx]))
        trial = idx[c.trial_days[idx] > 0]
        self.book.open(trial, 0, c.customer_start[trial], end=c.paid_start[trial], seats=self.seats[trial],
                       mrr=np.zeros(len(trial)), billing=MONTHLY, term=1, auto_renew=False)
        self.core_mrr[idx] = np.round(self.seats[idx] * self.price[idx], 2)
        self.line[idx, 0] = self._open(idx, 0, start, self.core_mrr[idx])
        # the installed base has had years to buy add-ons: twice the chance of holding each
        odds = FIRST_ADDONS[self.segment[idx], None] * (1 + installed[:, None])
        first_addons = rng.random((n, len(ADDONS))) < odds
        for a in range(len(ADDONS)):
            buyers = idx[first_addons[:, a]]
            self.addon_mrr[buyers, a] = np.round(self.core_mrr[buyers] * ADDON_PRICE_SHARE[a], 2)
            self.line[buyers, 1 + a] = self._open(buyers, 1 + a, c.paid_start[buyers],
                                                  self.addon_mrr[buyers, a])
        term = self.term[idx]
        elapsed = np.maximum(month_number(self.window.start) - month_number(start), 0)
        k = np.maximum(1, -(-elapsed // term))
        renewal = add_months(start, k * term)
        renewal = np.where(renewal < self.window.start, add_months(start, (k + 1) * term), renewal)
        self.next_renewal[idx] = renewal
        self.last_line_day[idx] = start
        self.status[idx] = ACTIVE
        self.arrivals.add(idx, start, np.zeros(n), self._arr(idx))

    def _age(self, idx: np.ndarray, first: int, last: int) -> None:
        """Health takes its monthly step; champions and sponsors sometimes leave, and it shows."""
        rng = self.rng
        self.level[idx] = np.clip(self.level[idx] + self.drift[idx], 0.05, 0.95)
        self.health[idx] = hz.step(rng, self.health[idx], self.level[idx], self.drift[idx])
        for hazard, shock, log, eligible in (
            (hz.CHAMPION_LEAVES, hz.CHAMPION_SHOCK, self.champion_left, np.ones(len(idx), dtype=bool)),
            (hz.SPONSOR_LEAVES, hz.SPONSOR_SHOCK, self.sponsor_left, hz.sponsored(self.segment[idx])),
        ):
            gone = idx[eligible & hz.leaves(rng, self.health[idx], hazard)]
            self.health[gone] = np.maximum(self.health[gone] - shock[0], hz.FLOOR)
            self.level[gone] = np.maximum(self.level[gone] - shock[1], 0.05)
            log.append((gone, rng.integers(first, last + 1, len(gone))))

    def _renew(self, m: int, idx: np.ndarray) -> None:
        """Contracts reaching their renewal date this month: churn, contract, expand or renew."""
        rng, n = self.rng, len(idx)
        day = self.next_renewal[idx]
        recent = self._recent_health(idx, m)
        monthly = self.term[idx] == 1
        p_churn = hz.churn_probability(recent, self.segment[idx], monthly=monthly, zombie=self.c.zombie[idx],
                                       slow_onboarding=self.slow[idx])
        leaving = rng.random(n) < p_churn
        self._churn(idx[leaving], day[leaving], monthly[leaving])
        idx, day, recent, monthly = idx[~leaving], day[~leaving], recent[~leaving], monthly[~leaving]
        n = len(idx)
        before = self._arr(idx)
        plan_down, plan_up = hz.monthly_plan_changes(recent)
        contract = rng.random(n) < np.where(monthly, plan_down, hz.contraction_probability(recent))
        expand = ~contract & (rng.random(n) < np.where(monthly, plan_up,
                                                        hz.expansion_probability(recent, self.segment[idx])))
        drop_addon = contract & (self.addon_mrr[idx].sum(axis=1) > 0) & (rng.random(n) < 0.35)
        seats = self.seats[idx]
        cut = np.maximum(1, np.floor(seats * rng.uniform(0.6, 0.9, n)))
        seats = np.where(contract & ~drop_addon, cut, seats)
        seats = np.where(expand, np.ceil(seats * (1 + rng.uniform(0.1, 0.5, n))), seats).astype(np.int64)
        uplift = ~monthly & ~contract & (rng.random(n) < hz.UPLIFT_AT_RENEWAL)
        raised = np.round(self.price[idx] * rng.uniform(1.03, 1.07, n), 2)
        self.price[idx] = np.where(uplift, raised, self.price[idx])
        self.seats[idx] = seats
        self._reprice_core(idx, day, renewal=OPEN)
        dropped = idx[drop_addon]
        which = np.argmax(self.addon_mrr[dropped] * rng.random((len(dropped), len(ADDONS))), axis=1)
        self.book.close(self.line[dropped, 1 + which], day[drop_addon])
        self.line[dropped, 1 + which] = OPEN
        self.addon_mrr[dropped, which] = 0
        self.renewals.add(idx[~monthly], day[~monthly], before[~monthly], self._arr(idx[~monthly]),
                          self.term[idx[~monthly]])
        self.next_renewal[idx] = add_months(day, self.term[idx])
        self.last_line_day[idx] = np.maximum(self.last_line_day[idx], day)

    def _expand_mid_term(self, m: int, first: int) -> None:
        """Seat expansions on term contracts and add-on upsells, co-termed with the core line."""
        rng = self.rng
        active = np.flatnonzero(self.status == ACTIVE)
        growth = hz.growth_factor(self.health[active])
        seat_buyers = active[(self.term[active] >= 12)
                             & (rng.random(len(active)) < hz.EXPAND_MID_TERM[self.segment[active]] * growth)]
        idx, day = self._change_days(seat_buyers, m)
        before = self._arr(idx)
        self.seats[idx] = np.ceil(self.seats[idx] * (1 + rng.uniform(0.05, 0.3, len(idx)))).astype(np.int64)
        self._reprice_core(idx, day, renewal=self.next_renewal[idx])
        self.expansions.add(idx, day, before, self._arr(idx), 0)

        missing = self.addon_mrr[active] == 0
        eligible = missing.any(axis=1) & (first - self.c.paid_start[active] >= ADDON_AFTER_DAYS)
        p = hz.ADDON_PER_MONTH[self.segment[active]] * growth
        addon_buyers = active[eligible & (rng.random(len(active)) < p)]
        idx, day = self._change_days(addon_buyers, m)
        which = np.argmax((self.addon_mrr[idx] == 0) * rng.random((len(idx), len(ADDONS))), axis=1)
        before = self._arr(idx)
        self.addon_mrr[idx, which] = np.round(self.core_mrr[idx] * ADDON_PRICE_SHARE[which], 2)
        self.line[idx, 1 + which] = self._open(idx, 1 + which, day, self.addon_mrr[idx, which],
                                               renewal=self.next_renewal[idx])
        self.last_line_day[idx] = day
        self.expansions.add(idx, day, before, self._arr(idx), 1 + which)

    def _reactivate(self, m: int, first: int, last: int) -> None:
        """Some churned accounts come back on a new contract (win-backs)."""
        rng = self.rng
        gone = np.flatnonzero((self.status == CHURNED) & (self.churn_day <= first - REACTIVATE_AFTER_DAYS))
        back = gone[rng.random(len(gone)) < hz.REACTIVATE_PER_MONTH]
        day = month_first_day(self.window.first_month + m) + rng.integers(0, LAST_ANCHOR_DAY, len(back))
        keep = (day >= first) & (day <= last)
        back, day = back[keep], day[keep]
        n = len(back)
        self.seats[back] = np.ceil(self.seats[back] * rng.uniform(0.5, 1.0, n)).astype(np.int64)
        small = self.segment[back] == SMB
        self.term[back] = np.where(small, 1, 12)
        self.billing[back] = np.where(small, MONTHLY, YEARLY)
        self.auto_renew[back] = True
        self.level[back] = np.maximum(self.c.fit[back], 0.5)
        self.health[back] = hz.starting_health(rng, self.level[back])
        self.core_mrr[back] = np.round(self.seats[back] * self.price[back], 2)
        self.line[back, 0] = self._open(back, 0, day, self.core_mrr[back])
        self.next_renewal[back] = add_months(day, self.term[back])
        self.last_line_day[back] = day
        self.spell_start[back] = day
        self.status[back] = ACTIVE
        self.reactivations.add(back, day, np.zeros(n), self._arr(back))

    def _record(self, m: int, first: int, last: int) -> None:
        churned_now = (self.status == CHURNED) & (self.churn_day >= first) & (self.churn_day <= last)
        live = np.flatnonzero((self.status == ACTIVE) | churned_now)
        self.h_hist[live, m] = self.health[live]
        self.seat_hist[live, m] = self.seats[live]
        self.addon_hist[live, m] = ((self.addon_mrr[live] > 0) * (1 << np.arange(len(ADDONS)))).sum(axis=1)
        self.first_hist[live, m] = np.maximum(first, self.spell_start[live])
        self.last_hist[live, m] = np.where(self.status[live] == ACTIVE, last, self.churn_day[live] - 1)

    # -- helpers -------------------------------------------------------------------------------

    def _open(self, idx: np.ndarray, product: np.ndarray | int, start: np.ndarray, mrr: np.ndarray,
              renewal: np.ndarray | int = OPEN) -> np.ndarray:
        seats = np.where(np.asarray(product) == 0, self.seats[idx], 0)  # add-ons carry no seats
        return self.book.open(idx, product, start, seats=seats, mrr=mrr, billing=self.billing[idx],
                              term=self.term[idx], auto_renew=self.auto_renew[idx], renewal=renewal)

    def _reprice_core(self, idx: np.ndarray, day: np.ndarray, renewal: np.ndarray | int) -> None:
        """Replace the core line where seats or price changed: close the old, open the new."""
        mrr = np.round(self.seats[idx] * self.price[idx], 2)
        changed = mrr != self.core_mrr[idx]
        idx, day, mrr = idx[changed], day[changed], mrr[changed]
        renewal = renewal[changed] if isinstance(renewal, np.ndarray) else renewal
        self.book.close(self.line[idx, 0], day)
        self.core_mrr[idx] = mrr
        self.line[idx, 0] = self._open(idx, 0, day, mrr, renewal=renewal)
        self.last_line_day[idx] = day

    def _change_days(self, idx: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        """A day this month for a mid-term change, kept only if it falls after the account's
        latest line start and before its next renewal (so lines stay ordered and co-termed)."""
        day = month_first_day(self.window.first_month + m) + self.rng.integers(0, LAST_ANCHOR_DAY, len(idx))
        keep = ((day > self.last_line_day[idx]) & (day < self.next_renewal[idx])
                & (day >= self.window.start) & (day <= self.window.end))
        return idx[keep], day[keep]

    def _churn(self, idx: np.ndarray, day: np.ndarray, monthly: np.ndarray) -> None:
        self.churns.add(idx, day, self._arr(idx), np.zeros(len(idx)), monthly.astype(np.int64))
        for product in range(self.line.shape[1]):
            self.book.close(self.line[idx, product], day)
        self.line[idx] = OPEN
        self.addon_mrr[idx] = 0
        self.core_mrr[idx] = 0
        self.status[idx] = CHURNED
        self.churn_day[idx] = day

    def _arr(self, idx: np.ndarray) -> np.ndarray:
        return 12 * (self.core_mrr[idx] + self.addon_mrr[idx].sum(axis=1))

    def _recent_health(self, idx: np.ndarray, m: int) -> np.ndarray:
        """Health over the last three months: decisions follow a trend, not one month's noise."""
        past = self.h_hist[idx, max(0, m - 2):m].astype(np.float64)
        total = self.health[idx] + np.nansum(past, axis=1)
        return total / (1 + (~np.isnan(past)).sum(axis=1))

    def history(self) -> ContractHistory:
        def left(log: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
            return (np.concatenate([a for a, _ in log]), np.concatenate([d for _, d in log]))

        return ContractHistory(
            lines=self.book.columns(), health=self.h_hist, seats=self.seat_hist, addons=self.addon_hist,
            first_day=self.first_hist, last_day=self.last_hist, arrivals=self.arrivals.movements(),
            renewals=self.renewals.movements(),
            churns=self.churns.movements(), expansions=self.expansions.movements(),
            reactivations=self.reactivations.movements(), champion_left=left(self.champion_left),
            sponsor_left=left(self.sponsor_left), status=self.status, next_renewal=self.next_renewal,
            term=self.term, arr=self._arr(np.arange(len(self.status))),
        )
