"""The CRM's opportunities, written from the contract movements, and why customers left.

- new (won): each account's first contract, with what was known at signature (use case,
  promised integrations, whether success criteria were agreed); also win-backs of churned
  accounts; and a few open deals with prospects.
- renewal: won at each renewal of an annual or multi-year term (amount = the renewed ARR);
  lost at every churn (monthly plans included, so every churn has a reason), with a churn
  reason drawn from what actually happened (a champion who left, poor adoption, ...); open
  for the renewals due in the next quarter or so.
- expansion: won for mid-term seat expansions and add-on upsells; open for some healthy accounts.

Amounts are ARR in the base currency (USD), converted at the rate in force on the close date.
"""

from __future__ import annotations

import numpy as np

from tenure.demo.company import ENTERPRISE, MEDIAN_ARR_USD, SLOW_ONBOARDING_DAYS, SMB, Customers
from tenure.demo.contracts import ACTIVE, ContractHistory, Movements
from tenure.demo.fx import FxRates
from tenure.demo.team import Team
from tenure.demo.timeline import Window

CHURN_REASONS = ("budget", "poor adoption", "missing feature", "champion left", "acquired",
                 "switched to competitor", "price")
REASON_WEIGHTS = np.array([0.18, 0.18, 0.12, 0.04, 0.05, 0.17, 0.15])
DAY_KEY = 1 << 20  # account × DAY_KEY + day sorts departures by account, then day
CHAMPION_MEMORY_DAYS = 270  # a champion who left this long before a churn is remembered as its reason
OPEN_RENEWAL_HORIZON = 120  # days after the end of history for which renewal opportunities are open
OPEN_EXPANSION_RATE = 0.10  # healthy accounts with an expansion in the pipeline
STAGES = ("discovery", "proposal", "negotiation")
STAGE_PROBABILITY = np.array([0.2, 0.45, 0.7])


def book_opportunities(rng: np.random.Generator, window: Window, customers: Customers,
                       history: ContractHistory, team: Team, fx: FxRates) -> dict[str, np.ndarray]:
    """All opportunities as columns (account index, days, USD amounts, text), by account and close date."""
    c = customers
    first, back = history.arrivals, history.reactivations
    renewed, grown = history.renewals, history.expansions
    parts = [
        _won("new", first, c.created_at[first.account], first.arr_after, team.ae, c, fx),
        _won("new", back, back.day - rng.integers(30, 120, len(back.day)), back.arr_after, team.ae, c, fx),
        _won("renewal", renewed, renewed.day - 90, renewed.arr_after, team.renewal_owner, c, fx),
        _won("expansion", grown, grown.day - rng.integers(14, 60, len(grown.day)),
             grown.arr_after - grown.arr_before, team.ae, c, fx),
        _lost_renewals(rng, history, c, fx, team),
        *_pipeline(rng, window, history, c, fx, team),
    ]
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    order = np.lexsort((columns["close"], columns["account"]))
    return {key: value[order] for key, value in columns.items()}


def _won(kind: str, moves: Movements, created: np.ndarray, arr: np.ndarray, owner: np.ndarray, c: Customers,
         fx: FxRates) -> dict[str, np.ndarray]:
    """Won opportunities closing on each movement's day."""
    return _columns(kind, moves.account, moves.day, created, _usd(fx, c, moves.account, moves.day, arr),
                    "closed won", 1.0, "won", owner[moves.account], c)


def _lost_renewals(rng: np.random.Generator, history: ContractHistory, c: Customers, fx: FxRates,
                   team: Team) -> dict[str, np.ndarray]:
    """A lost renewal for every churn, with the reason the customer gave."""
    churn = history.churns
    account, day = churn.account, churn.day
    lead = np.where(churn.detail == 1, 30, 90)
    out = _columns("renewal", account, day, day - lead, _usd(fx, c, account, day, churn.arr_before),
                   "closed lost", 0.0, "lost", team.renewal_owner[account], c)
    out["churn_reason"] = _churn_reasons(rng, account, day, history, c)
    return out


def _churn_reasons(rng: np.random.Generator, account: np.ndarray, day: np.ndarray, history: ContractHistory,
                   c: Customers) -> np.ndarray:
    """The reason behind each churn, weighted towards what really happened to the account."""
    gone, left = history.champion_left
    order = np.lexsort((left, gone))
    gone, left = gone[order], left[order]
    recent = np.zeros(len(account), dtype=bool)
    if len(gone):
        found = np.searchsorted(gone * DAY_KEY + left, account * DAY_KEY + day, side="right") - 1
        latest = np.maximum(found, 0)  # the account's last departure on or before the churn, if any
        recent = ((gone[latest] == account) & (left[latest] <= day)
                  & (left[latest] >= day - CHAMPION_MEMORY_DAYS))
    promised = np.array([len(text.split(";")) if text else 0 for text in c.integrations[account]])
    weights = np.tile(REASON_WEIGHTS, (len(account), 1))
    weights[:, 3] *= np.where(recent, 15.0, 1.0)
    struggled = c.zombie[account] | (c.onboarding_days[account] > SLOW_ONBOARDING_DAYS)
    weights[:, 1] *= np.where(struggled, 3.0, 1.0)
    weights[:, 2] *= np.where(promised >= 2, 3.0, 1.0)
    weights[:, [0, 6]] *= np.where(c.segment[account] == SMB, 1.5, 1.0)[:, None]
    weights[:, 4] *= np.where((c.segment[account] == ENTERPRISE) | (c.parent[account] >= 0), 2.0, 1.0)
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    choice = (rng.random(len(account))[:, None] > cumulative[:, :-1]).sum(axis=1)
    return np.asarray(CHURN_REASONS, dtype=object)[choice]


def _pipeline(rng: np.random.Generator, window: Window, history: ContractHistory, c: Customers, fx: FxRates,
              team: Team) -> list[dict[str, np.ndarray]]:
    """Open opportunities at the end of history: renewals due soon, expansions, new business."""
    end = window.end
    active = history.status == ACTIVE
    health = np.nan_to_num(history.health[:, -1], nan=0.5)
    due = np.flatnonzero(active & (history.term >= 12) & (history.next_renewal <= end + OPEN_RENEWAL_HORIZON))
    close = history.next_renewal[due]
    stage = np.where(close - end > 60, 0, np.where(close - end > 30, 1, 2))
    likely = np.clip(0.45 + 0.5 * health[due] + rng.normal(0, 0.08, len(due)), 0.05, 0.95)  # the CSM's call
    renewals = _columns("renewal", due, close, np.minimum(close - 120, end),
                        _usd(fx, c, due, close, history.arr[due]), _stage(stage), likely, "open",
                        team.renewal_owner[due], c)

    keen = np.flatnonzero(active & (health > 0.6) & (rng.random(len(active)) < OPEN_EXPANSION_RATE))
    stage = rng.integers(0, len(STAGES), len(keen))
    close = end + rng.integers(15, 120, len(keen))
    amount = history.arr[keen] * rng.uniform(0.1, 0.3, len(keen))
    expansions = _columns("expansion", keen, close, end - rng.integers(0, 60, len(keen)),
                          _usd(fx, c, keen, close, amount), _stage(stage), STAGE_PROBABILITY[stage], "open",
                          team.ae[keen], c)

    prospects = np.arange(c.customers, c.size)
    stage = rng.integers(0, len(STAGES), len(prospects))
    amount = np.round(rng.lognormal(np.log(MEDIAN_ARR_USD[c.segment[prospects]]), 0.5), 2)
    close = end + rng.integers(20, 150, len(prospects))
    new = _columns("new", prospects, close, c.created_at[prospects], amount, _stage(stage),
                   STAGE_PROBABILITY[stage], "open", team.ae[prospects], c)
    return [renewals, expansions, new]


def _stage(index: np.ndarray) -> np.ndarray:
    return np.asarray(STAGES, dtype=object)[index]


def _usd(fx: FxRates, c: Customers, account: np.ndarray, day: np.ndarray, amount: np.ndarray) -> np.ndarray:
    return np.round(amount * fx.on(c.currency[account], day), 2)


def _columns(kind: str, account: np.ndarray, close: np.ndarray, created: np.ndarray, amount: np.ndarray,
             stage: object, probability: object, status: str, owner: np.ndarray,
             c: Customers) -> dict[str, np.ndarray]:
    """One block of opportunities as columns; new business carries the deal's attributes at signature."""
    n = len(account)
    none = np.full(n, None, dtype=object)
    deal = kind == "new"
    return {
        "account": account, "kind": np.full(n, kind, dtype=object), "amount": amount, "close": close,
        "created": np.minimum(created, close),
        "stage": np.broadcast_to(np.asarray(stage, dtype=object), (n,)).copy(),
        "probability": np.broadcast_to(np.asarray(probability, dtype=np.float64), (n,)).copy(),
        "status": np.full(n, status, dtype=object), "churn_reason": none.copy(), "owner": owner,
        "use_case": c.use_case[account] if deal else none.copy(),
        "integrations": c.integrations[account] if deal else none.copy(),
        "success_criteria": c.success_criteria[account].astype(object) if deal else none.copy(),
    }
