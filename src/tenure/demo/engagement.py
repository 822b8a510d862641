"""The CS team's touches and the customer's support load, month by month, following health.

Activities: Enterprise accounts get frequent meetings, calls and e-mails, a QBR each quarter
and an EBR each year; Mid-Market fewer and a half-yearly QBR; SMB is mostly digital. When
an account's health falls, business reviews get skipped and executives stop attending,
while calls (firefighting) rise. Tickets: more of them when unhealthy, more urgent, slower
to resolve and rated lower; busier in the first months of onboarding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.company import Customers
from tenure.demo.contracts import ContractHistory
from tenure.demo.team import Team
from tenure.demo.timeline import SECONDS_PER_DAY, Window, business_moments

ACTIVITY_TYPES = ("meeting", "qbr", "ebr", "call", "email")
# monthly rates by segment (Enterprise, Mid-Market, SMB)
MEETINGS = np.array([2.0, 0.6, 0.06])
CALLS = np.array([1.2, 0.7, 0.12])
EMAILS = np.array([4.0, 2.0, 0.4])
QBR_EVERY = np.array([3, 6, 0])  # months between QBRs (0: none)
EBR_SHARE = np.array([1.0, 0.2, 0.0])  # accounts that hold a yearly executive business review
# chance a customer executive attends, by activity type: at health 0, and how much more at health 1
EXEC_PRESENT = np.array([0.05, 0.15, 0.5, 0.0, 0.0])
EXEC_PRESENT_HEALTH = np.array([0.35, 0.6, 0.5, 0.0, 0.0])

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("open", "pending", "solved", "closed")
TICKETS = np.array([2.0, 1.0, 0.25])  # per month for a healthy account of 25 seats
PRIORITY_MIX = np.array([0.35, 0.45, 0.15, 0.05])
PRIORITY_STRESS = np.array([-0.5, 0.0, 1.5, 3.0])  # how each priority's weight grows as health falls
RESOLUTION_HOURS = np.array([72.0, 30.0, 10.0, 4.0])  # median, by priority
TICKET_CSAT_RATE = 0.35


@dataclass(frozen=True)
class CustomerMonths:
    """Every (account, month) in which the account was a customer, with its span and health."""

    account: np.ndarray
    month: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    health: np.ndarray
    tenure: np.ndarray  # whole months since the customer's first day

    @classmethod
    def of(cls, window: Window, customers: Customers, history: ContractHistory) -> CustomerMonths:
        account, month = np.nonzero(history.first_day <= history.last_day)
        tenure = month - window.month_of(customers.customer_start[account])
        return cls(account, month, history.first_day[account, month], history.last_day[account, month],
                   history.health[account, month].astype(np.float64), tenure)

    def repeat(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of each account-month repeated `counts` times: (account-month row, account)."""
        rows = np.repeat(np.arange(len(self.account)), counts)
        return rows, self.account[rows]


def simulate_activities(rng: np.random.Generator, months: CustomerMonths, customers: Customers,
                        team: Team) -> dict[str, np.ndarray]:
    """Activities as columns: account index, seconds, type, exec_present, person index."""
    segment = customers.segment[months.account]
    h = months.health
    part = (months.last_day - months.first_day + 1) / 30.4  # share of the month as a customer
    cadence = months.tenure
    qbr = (QBR_EVERY[segment] > 0) & (cadence % np.maximum(QBR_EVERY[segment], 1) == 1)
    ebr = (cadence % 12 == 10) & (rng.random(len(h)) < EBR_SHARE[segment])
    counts = np.stack([
        rng.poisson(MEETINGS[segment] * (0.5 + h) * part),
        qbr & (rng.random(len(h)) < 0.35 + 0.6 * h),
        ebr & (rng.random(len(h)) < 0.3 + 0.6 * h),
        rng.poisson(CALLS[segment] * (1.3 - 0.5 * h) * part),
        rng.poisson(EMAILS[segment] * part),
    ], axis=1).astype(np.int64)
    rows, account = months.repeat(counts.sum(axis=1))
    kind = np.repeat(np.tile(np.arange(len(ACTIVITY_TYPES)), len(h)), counts.ravel())
    seconds = business_moments(rng, months.first_day[rows], months.last_day[rows], customers.region[account])
    exec_present = rng.random(len(rows)) < EXEC_PRESENT[kind] + EXEC_PRESENT_HEALTH[kind] * h[rows]
    order = np.lexsort((seconds, account))
    account, seconds, kind, exec_present = account[order], seconds[order], kind[order], exec_present[order]
    person = team.csm_on(account, seconds // SECONDS_PER_DAY)
    return {"account": account, "seconds": seconds, "type": np.asarray(ACTIVITY_TYPES, dtype=object)[kind],
            "exec_present": exec_present, "person": person}


def simulate_tickets(rng: np.random.Generator, window: Window, months: CustomerMonths,
                     customers: Customers, history: ContractHistory) -> dict[str, np.ndarray]:
    """Support tickets as columns: account, created and resolved seconds (-1 while open), priority,
    status and csat (NaN when not rated)."""
    segment = customers.segment[months.account]
    h = months.health
    seats = history.seats[months.account, months.month]
    part = (months.last_day - months.first_day + 1) / 30.4
    onboarding = np.where(months.tenure < 3, 1.6, 1.0)
    rate = TICKETS[segment] * (seats / 25) ** 0.3 * (0.5 + 1.5 * (1 - h)) * onboarding * part
    rows, account = months.repeat(rng.poisson(rate))
    stress = 1 - h[rows]
    weights = PRIORITY_MIX[None, :] * np.exp(PRIORITY_STRESS[None, :] * stress[:, None])
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    priority = (rng.random(len(rows))[:, None] > cumulative[:, :-1]).sum(axis=1)
    created = business_moments(rng, months.first_day[rows], months.last_day[rows], customers.region[account])
    hours = RESOLUTION_HOURS[priority] * (0.7 + 1.2 * stress) * rng.lognormal(0, 0.8, len(rows))
    resolved = created + (hours * 3600).astype(np.int64)
    history_end = (window.end + 1) * SECONDS_PER_DAY
    closed = resolved < history_end
    recent = resolved >= history_end - 7 * SECONDS_PER_DAY  # solved tickets close after a week
    waiting = rng.random(len(rows)) < 0.4  # an unresolved ticket waits on the customer (pending) or on us
    status = np.where(closed, np.where(recent, 2, 3), np.where(waiting, 1, 0))  # index into STATUSES
    score = np.round(1 + 4 * (0.2 + 0.7 * h[rows]) - 0.3 * (priority >= 2) - 0.4 * (hours > 72)
                     + rng.normal(0, 0.8, len(rows)))
    rated = closed & (rng.random(len(rows)) < TICKET_CSAT_RATE)
    order = np.lexsort((created, account))
    return {"account": account[order], "created": created[order],
            "resolved": np.where(closed, resolved, -1)[order],
            "priority": np.asarray(PRIORITIES, dtype=object)[priority][order],
            "status": np.asarray(STATUSES, dtype=object)[status][order],
            "csat": np.where(rated, np.clip(score, 1, 5), np.nan)[order]}
