"""The hidden health of an account, and how it turns into renewals, churn and growth.

Health is a number in [0, 1] that nobody in the demo company can see. Each month it takes
a step of a random walk pulled towards the account's long-run level (its fit at signature,
which itself drifts), and it drops when a champion or executive sponsor leaves. Every
outcome the CS team cares about is a noisy function of it: churn at a renewal (or in any
month on a monthly plan), contraction, expansion and add-on upsells; and every signal tenure
reads (usage, support, engagement, surveys) follows it with noise of its own, so the signals
are real but imperfect — as they are in a real customer base.
"""

from __future__ import annotations

import numpy as np

from tenure.demo.company import SMB

REVERSION = 0.15  # share of the gap to the long-run level closed each month
VOLATILITY = 0.06
DRIFT_SD = 0.006  # per-account trend of the long-run level, per month
FLOOR, CEILING = 0.02, 0.98
NEUTRAL = 0.55  # the health at which outcomes are at their base rates
SENSITIVITY = 7.0  # log-odds per unit of health

CHAMPION_LEAVES = 0.011  # monthly hazard at neutral health (higher when unhealthy)
SPONSOR_LEAVES = 0.008  # monthly hazard for accounts with an executive sponsor (not SMB)
CHAMPION_SHOCK = (0.15, 0.12)  # (health, long-run level) lost when the champion leaves
SPONSOR_SHOCK = (0.08, 0.06)

# log-odds of the outcomes at neutral health, by segment (Enterprise, Mid-Market, SMB)
CHURN_AT_RENEWAL = np.array([-3.4, -2.9, -2.4])
CHURN_PER_MONTH = np.array([-5.4, -4.9, -4.55])
ZOMBIE_CHURN = 0.9  # extra log-odds of churn for zombie accounts
SLOW_ONBOARDING_CHURN = 0.4  # extra log-odds when the first key event took over 60 days
CONTRACT_AT_RENEWAL = -2.5
EXPAND_AT_RENEWAL = np.array([-0.3, -0.5, -1.2])
UPLIFT_AT_RENEWAL = 0.4  # chance a renewal that does not contract carries a list-price uplift
EXPAND_MID_TERM = np.array([0.040, 0.030, 0.010])  # monthly chance at health 0.6
ADDON_PER_MONTH = np.array([0.035, 0.025, 0.006])  # monthly chance at health 0.6
SEAT_CHANGE_MONTHLY_PLAN = (0.06, 0.04)  # (up, down) chance at a monthly renewal, at neutral health
REACTIVATE_PER_MONTH = 0.012  # monthly chance a churned account returns (after three months away)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def starting_health(rng: np.random.Generator, fit: np.ndarray) -> np.ndarray:
    """Health on the first day: a little below the account's fit, since value is not yet proven."""
    return np.clip(fit - 0.05 + rng.normal(0, 0.05, len(fit)), FLOOR, CEILING)


def step(rng: np.random.Generator, health: np.ndarray, level: np.ndarray, drift: np.ndarray) -> np.ndarray:
    """One month of the random walk: pull towards the long-run level, drift, noise."""
    moved = health + REVERSION * (level - health) + drift + rng.normal(0, VOLATILITY, len(health))
    return np.clip(moved, FLOOR, CEILING)


def leaves(rng: np.random.Generator, health: np.ndarray, hazard: float) -> np.ndarray:
    """Whether a key contact leaves this month; people leave unhappy accounts more often."""
    return rng.random(len(health)) < hazard * (2.0 - 1.8 * health)


def churn_probability(health: np.ndarray, segment: np.ndarray, *, monthly: np.ndarray, zombie: np.ndarray,
                      slow_onboarding: np.ndarray) -> np.ndarray:
    """Chance the account leaves at this renewal (or, on a monthly plan, at this month's renewal)."""
    base = np.where(monthly, CHURN_PER_MONTH[segment], CHURN_AT_RENEWAL[segment])
    logit = (base + SENSITIVITY * (NEUTRAL - health) + ZOMBIE_CHURN * zombie
             + SLOW_ONBOARDING_CHURN * slow_onboarding)
    return sigmoid(logit)


def contraction_probability(health: np.ndarray) -> np.ndarray:
    """Chance a renewing account cuts seats or drops an add-on."""
    return sigmoid(CONTRACT_AT_RENEWAL + SENSITIVITY * (NEUTRAL - health))


def expansion_probability(health: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Chance a renewing account adds seats."""
    return sigmoid(EXPAND_AT_RENEWAL[segment] + SENSITIVITY * (health - NEUTRAL))


def monthly_plan_changes(health: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Chances a monthly plan drops or adds seats at its monthly renewal (base rates at neutral health)."""
    up, down = SEAT_CHANGE_MONTHLY_PLAN
    return down * (1 - health) / (1 - NEUTRAL), up * growth_factor(health)


def growth_factor(health: np.ndarray) -> np.ndarray:
    """How much more (or less) than usual a healthy (unhealthy) account buys mid-term: 1 at 0.6."""
    return (health / 0.6) ** 2


def sponsored(segment: np.ndarray) -> np.ndarray:
    """Accounts that have an executive sponsor on the customer side (all but most SMB)."""
    return segment != SMB
