"""The customer base at signature: who each account is, what it bought first, and how well it fits.

Everything here is known when a deal closes — segment, size, currency, first contract,
the use case and integrations promised in the sales cycle, whether success criteria were
agreed, how fast onboarding will go — and sets the account's long-run health ("fit"). The
hidden fit is what later drives renewals, usage and engagement (see `contracts`, `usage`).
Prospects (a few open new-business deals) are accounts with no contract yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo import names
from tenure.demo.lines import MONTHLY, QUARTERLY, YEARLY
from tenure.demo.timeline import LAST_ANCHOR_DAY, Window, add_months, day_of_month

SEGMENTS = ("Enterprise", "Mid-Market", "SMB")
ENTERPRISE, MID_MARKET, SMB = 0, 1, 2
SEGMENT_SHARE = (0.10, 0.30, 0.60)
MEDIAN_ARR_USD = np.array([120_000.0, 30_000.0, 4_000.0])
ARR_SIGMA = np.array([0.65, 0.55, 0.60])
SEAT_LIST_PRICE_USD = np.array([60.0, 45.0, 30.0])  # per seat per month
MAX_DISCOUNT = np.array([0.25, 0.15, 0.10])
MAX_SEATS = 5_000
EMPLOYEES_MEDIAN = np.array([6_000.0, 600.0, 45.0])

REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.50, 0.30, 0.12, 0.08)
CURRENCIES = ("USD", "EUR", "GBP")
EMEA_FOREIGN_BILLING = 0.42  # share of EMEA accounts billed in EUR or GBP (≈ 12 % of all)

USE_CASES = ("revenue operations", "customer onboarding", "service analytics", "field operations",
             "compliance reporting")
INTEGRATIONS = ("salesforce", "slack", "hubspot", "snowflake", "jira", "zendesk")
MEAN_INTEGRATIONS = np.array([2.0, 1.2, 0.5])
SUCCESS_CRITERIA_RATE = np.array([0.75, 0.60, 0.40])
SALES_CYCLE_DAYS = np.array([[60, 240], [30, 120], [0, 30]])
ONBOARDING_MEDIAN_DAYS = np.array([45.0, 25.0, 10.0])
SLOW_ONBOARDING_DAYS = 60  # a first key event later than this is slow onboarding: a churn risk

INSTALLED_BASE_SHARE = 0.25
INSTALLED_BASE_MAX_YEARS = 6
TRIAL_RATE_SMB = 0.15
ZOMBIE_RATE = 0.065
SUBSIDIARY_RATE = 0.02
PROSPECT_RATE = 0.01
GROWTH = 1.0  # new logos per month grow by this fraction over the window


@dataclass(frozen=True)
class Customers:
    """Accounts as signed. Arrays are indexed by account; prospects come after the customers."""

    customers: int  # accounts 0 .. customers-1 have contracts; the rest are prospects
    name: np.ndarray
    segment: np.ndarray  # 0 Enterprise, 1 Mid-Market, 2 SMB
    industry: np.ndarray
    region: np.ndarray  # index into REGIONS
    employees: np.ndarray
    currency: np.ndarray  # index into CURRENCIES
    created_at: np.ndarray  # day the CRM account was created
    parent: np.ndarray  # parent account index or -1
    restricted: np.ndarray
    # the first contract (customers only)
    paid_start: np.ndarray  # first paid line's start day (an anchor day, ≤ 28th)
    trial_days: np.ndarray  # days of free trial before it (0 = none)
    term_months: np.ndarray
    billing_period: np.ndarray  # index into lines.BILLING_PERIODS
    auto_renew: np.ndarray
    seats: np.ndarray
    seat_price_usd: np.ndarray
    # what the sales cycle promised (all accounts, prospects included) ...
    use_case: np.ndarray
    integrations: np.ndarray  # "salesforce;slack" or ""
    success_criteria: np.ndarray
    # ... and the fit it implies (customers only)
    onboarding_days: np.ndarray  # days from the first line to the first key event
    zombie: np.ndarray
    fit: np.ndarray  # long-run health level in [0, 1]

    @property
    def size(self) -> int:
        return len(self.name)

    @property
    def customer_start(self) -> np.ndarray:
        """First day of any line (trial included): when users arrive."""
        return self.paid_start - self.trial_days

    @property
    def relationship_start(self) -> np.ndarray:
        """Every account's first day with us: its first line, or for a prospect its CRM record."""
        return np.concatenate([self.customer_start, self.created_at[self.customers:]])


def sign_customers(rng: np.random.Generator, window: Window, count: int) -> Customers:
    """Draw `count` customer accounts plus a few prospects with open new-business deals."""
    prospects = max(2, round(count * PROSPECT_RATE))
    total = count + prospects
    segment = rng.choice(3, size=total, p=SEGMENT_SHARE).astype(np.int64)
    region = rng.choice(len(REGIONS), size=total, p=REGION_SHARE)
    foreign = (region == 1) & (rng.random(total) < EMEA_FOREIGN_BILLING)
    currency = np.where(foreign, rng.choice([1, 2], size=total, p=[0.6, 0.4]), 0)
    employees = np.maximum(2, rng.lognormal(np.log(EMPLOYEES_MEDIAN[segment]), 0.7)).astype(np.int64)

    paid_start, trial_days = _first_contract_days(rng, window, segment[:count])
    customer_start = paid_start - trial_days
    cycle = SALES_CYCLE_DAYS[segment[:count]]
    created_at = np.concatenate([
        customer_start - rng.integers(cycle[:, 0], cycle[:, 1] + 1),
        window.end - rng.integers(0, 120, prospects),
    ])
    term, billing, auto_renew = _contract_terms(rng, segment[:count])

    arr = rng.lognormal(np.log(MEDIAN_ARR_USD[segment[:count]]), ARR_SIGMA[segment[:count]])
    seg = segment[:count]
    price = SEAT_LIST_PRICE_USD[seg] * (1 - rng.random(count) * MAX_DISCOUNT[seg])
    seats = np.clip(np.round(arr / 12 / price), 1, MAX_SEATS).astype(np.int64)

    n_integrations = np.minimum(rng.poisson(MEAN_INTEGRATIONS[segment]), len(INTEGRATIONS))
    integrations = _integration_lists(rng, n_integrations)
    success = rng.random(total) < SUCCESS_CRITERIA_RATE[segment]
    n_integrations, agreed = n_integrations[:count], success[:count]
    onboarding = rng.lognormal(np.log(ONBOARDING_MEDIAN_DAYS[seg]), 0.9)
    onboarding *= np.where(agreed, 0.8, 1.25) * (1 + 0.25 * n_integrations)
    onboarding = np.clip(np.round(onboarding), 1, 300).astype(np.int64)
    zombie = rng.random(count) < ZOMBIE_RATE
    # bad-fit deals start lower: no agreed success criteria, many promised integrations, slow onboarding
    fit = (0.70 - 0.12 * ~agreed - 0.08 * np.maximum(n_integrations - 1, 0)
           - 0.10 * (onboarding > SLOW_ONBOARDING_DAYS) - 0.06 * zombie + rng.normal(0, 0.08, count))

    name = names.distinct(names.company_names(rng, total))
    industry = names.pick(rng, names.INDUSTRIES, total)
    parent = _subsidiaries(rng, segment, count)
    has_parent = parent >= 0
    industry[has_parent] = industry[parent[has_parent]]
    name[has_parent] = [f"{name[p]} {names.SUBSIDIARY_SUFFIX[REGIONS[r]]}"
                        for p, r in zip(parent[has_parent], region[has_parent], strict=True)]
    return Customers(
        customers=count, name=names.distinct(name), segment=segment, industry=industry, region=region,
        employees=employees, currency=currency, created_at=created_at, parent=parent,
        restricted=(segment == ENTERPRISE) & (rng.random(total) < 0.05),
        paid_start=paid_start, trial_days=trial_days, term_months=term, billing_period=billing,
        auto_renew=auto_renew, seats=seats, seat_price_usd=price, use_case=names.pick(rng, USE_CASES, total),
        integrations=integrations, success_criteria=success, onboarding_days=onboarding, zombie=zombie,
        fit=np.clip(fit, 0.15, 0.92),
    )


def _first_contract_days(rng: np.random.Generator, window: Window,
                         segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start day of each first paid line, and the free trial some SMB accounts took before it.

    A quarter of accounts are the installed base (signed up to six years before history);
    new logos arrive over the window at a rate that grows with time.
    """
    count = len(segment)
    installed = rng.random(count) < INSTALLED_BASE_SHARE
    months_before = rng.integers(1, INSTALLED_BASE_MAX_YEARS * 12, count)
    first_of_window = window.start - day_of_month(np.array([window.start]))[0] + 1
    past = add_months(np.full(count, first_of_window), -months_before)
    past += rng.integers(0, LAST_ANCHOR_DAY, count)
    anchors = window.anchor_days()
    weights = 1 + GROWTH * (anchors - window.start) / max(1, window.end - window.start)
    future = anchors[rng.choice(len(anchors), size=count, p=weights / weights.sum())]
    paid_start = np.where(installed, past, future)
    trial = ~installed & (segment == SMB) & (rng.random(count) < TRIAL_RATE_SMB)
    trial_days = np.where(trial, rng.choice([14, 30], size=count), 0)
    return paid_start, trial_days


def _contract_terms(rng: np.random.Generator,
                    segment: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Term, billing period and auto-renewal of each first contract, by segment.

    SMB buys monthly plans (a fifth annual), Mid-Market annual (some monthly, some billed
    quarterly), Enterprise one- to three-year terms, rarely on auto-renewal.
    """
    count = len(segment)
    draw = rng.random(count)
    monthly = ((segment == SMB) & (draw < 0.80)) | ((segment == MID_MARKET) & (draw < 0.15))
    years = np.where(segment == ENTERPRISE, rng.choice([1, 2, 3], size=count, p=[0.5, 0.25, 0.25]), 1)
    term = np.where(monthly, 1, 12 * years)
    quarterly = ~monthly & (segment != SMB) & (rng.random(count) < 0.25)
    billing = np.where(monthly, MONTHLY, np.where(quarterly, QUARTERLY, YEARLY)).astype(np.int64)
    auto_renew = monthly | (rng.random(count) < np.where(segment == ENTERPRISE, 0.3, 0.85))
    return term.astype(np.int64), billing, auto_renew


def _integration_lists(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Promised integrations as "salesforce;slack", in catalogue order; "" when none."""
    order = np.argsort(rng.random((len(counts), len(INTEGRATIONS))), axis=1)
    chosen = [sorted(row[:k]) for row, k in zip(order, counts, strict=True)]
    return np.array([";".join(INTEGRATIONS[i] for i in row) for row in chosen], dtype=object)


def _subsidiaries(rng: np.random.Generator, segment: np.ndarray, customers: int) -> np.ndarray:
    """Parent account of each account (-1 for none): some Mid-Market and SMB customers are
    subsidiaries of an Enterprise customer."""
    parent = np.full(len(segment), -1, dtype=np.int64)
    enterprises = np.flatnonzero(segment[:customers] == ENTERPRISE)
    if len(enterprises) == 0:
        return parent
    child = ((np.arange(len(segment)) < customers) & (segment != ENTERPRISE)
             & (rng.random(len(segment)) < SUBSIDIARY_RATE))
    parent[child] = enterprises[rng.integers(0, len(enterprises), child.sum())]
    return parent
