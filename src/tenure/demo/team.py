"""The demo company's own people and who works on which account.

A CS director with a manager per segment, CSMs sized to a book per segment (Enterprise books
are small, SMB books large and pooled), TAMs for Enterprise, onboarding specialists,
renewal managers, account executives, and the executives who sponsor the largest accounts.
Some CSMs left during the window: their accounts passed to the successor on that day, so
activities before the handover carry the former CSM — a change of owner is itself a risk
signal in customer success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tenure.demo import names
from tenure.demo.company import ENTERPRISE, SEGMENTS, SMB, Customers
from tenure.demo.lines import OPEN
from tenure.demo.timeline import Window

CSM_BOOK = np.array([12, 45, 220])  # accounts per CSM, by segment
AE_BOOK = np.array([40, 120, 400])
MANAGER_SPAN = 7  # CSMs per manager
TAM_BOOK = 25
RENEWAL_BOOK = 300  # Enterprise and Mid-Market accounts per renewal manager
ONBOARDING_BOOK = 400
CSM_TURNOVER = 0.2  # share of CSM seats whose previous holder left during the window
EXECUTIVE_SPONSORED = 0.05  # share of Enterprise accounts (the largest) with an internal executive sponsor
EXECUTIVES = ("Chief Executive Officer", "Chief Revenue Officer", "Chief Customer Officer",
              "Chief Product Officer")


@dataclass
class _Roster:
    """People as they are hired, one list per column."""

    role: list[str] = field(default_factory=list)
    manager: list[int] = field(default_factory=list)
    segment: list[str | None] = field(default_factory=list)
    hired_at: list[int] = field(default_factory=list)
    left_at: list[int] = field(default_factory=list)

    def hire(self, role: str, manager: int, hired_at: int, *, segment: str | None = None,
             left_at: int = OPEN) -> int:
        self.role.append(role)
        self.manager.append(manager)
        self.segment.append(segment)
        self.hired_at.append(hired_at)
        self.left_at.append(left_at)
        return len(self.role) - 1


@dataclass(frozen=True)
class Team:
    """The team table's people (indexed from 0) and each account's people, by role (-1: none)."""

    role: np.ndarray
    manager: np.ndarray
    segment: np.ndarray
    hired_at: np.ndarray
    left_at: np.ndarray
    name: np.ndarray
    email: np.ndarray
    capacity_hours: np.ndarray  # NaN for people who do not carry a book
    csm: np.ndarray  # current owner
    former_csm: np.ndarray  # the CSM who left, before `handover_day`
    handover_day: np.ndarray
    ae: np.ndarray
    renewal_owner: np.ndarray  # renewal manager (Enterprise, Mid-Market) or the AE (SMB)
    tam: np.ndarray
    executive: np.ndarray
    onboarding: np.ndarray

    def csm_on(self, account: np.ndarray, day: np.ndarray) -> np.ndarray:
        """The CSM who owned each account on each day."""
        return np.where(day < self.handover_day[account], self.former_csm[account], self.csm[account])


def staff(rng: np.random.Generator, window: Window, customers: Customers, arr: np.ndarray) -> Team:
    """Hire the team for this customer base and assign every account its people."""
    c = customers
    roster = _Roster()
    long_ago = window.start - 3 * 365

    def tenure() -> int:
        return int(window.start - rng.integers(60, 2_000))

    ceo = roster.hire("executive", -1, long_ago - 1_000)
    executives = [ceo] + [roster.hire("executive", ceo, tenure()) for _ in EXECUTIVES[1:]]
    director = roster.hire("director", executives[2], tenure())
    is_customer = np.arange(c.size) < c.customers
    csm, former, handover = _csm_books(rng, roster, window, c, arr, director, tenure)
    ae = np.full(c.size, OPEN)
    for seg, label in enumerate(SEGMENTS):
        accounts = np.flatnonzero(c.segment == seg)
        sellers = [roster.hire("ae", executives[1], tenure(), segment=label)
                   for _ in range(max(1, -(-len(accounts) // AE_BOOK[seg])))]
        ae[accounts] = np.asarray(sellers)[rng.integers(0, len(sellers), len(accounts))]

    large = is_customer & (c.segment != SMB)
    renewal = _assign(rng, roster, "renewal", director, tenure, large, RENEWAL_BOOK)
    tam = _assign(rng, roster, "tam", director, tenure, is_customer & (c.segment == ENTERPRISE), TAM_BOOK,
                  segment=SEGMENTS[ENTERPRISE])
    onboarding = _assign(rng, roster, "onboarding", director, tenure,
                         is_customer & (c.relationship_start >= window.start), ONBOARDING_BOOK)
    executive = np.full(c.size, OPEN)
    enterprise = np.flatnonzero(is_customer & (c.segment == ENTERPRISE))
    if len(enterprise):
        largest = enterprise[np.argsort(-arr[enterprise], kind="stable")]
        top = largest[: max(1, round(len(enterprise) * EXECUTIVE_SPONSORED))]
        executive[top] = np.asarray(executives)[rng.integers(0, len(executives), len(top))]

    hired = np.asarray(roster.hired_at)
    np.minimum.at(hired, ae, c.created_at - 30)  # account executives were on board before their oldest deal
    people = len(roster.role)
    first = names.pick(rng, names.FIRST_NAMES, people)
    last = names.pick(rng, names.LAST_NAMES, people)
    email = names.distinct(np.array([f"{f.lower()}.{s.lower()}" for f, s in zip(first, last, strict=True)],
                                    dtype=object))
    role = np.asarray(roster.role, dtype=object)
    carries_book = np.isin(role, ["csm", "tam", "onboarding", "renewal"])
    return Team(
        role=role, manager=np.asarray(roster.manager), segment=np.asarray(roster.segment, dtype=object),
        hired_at=hired, left_at=np.asarray(roster.left_at), name=first + " " + last,
        email=np.array([f"{e.replace(' ', '')}@tenure-demo.example" for e in email], dtype=object),
        capacity_hours=np.where(carries_book, rng.integers(30, 37, people).astype(float), np.nan),
        csm=csm, former_csm=former, handover_day=handover, ae=ae,
        renewal_owner=np.where(renewal >= 0, renewal, ae), tam=tam, executive=executive,
        onboarding=onboarding,
    )


def _csm_books(rng: np.random.Generator, roster: _Roster, window: Window, c: Customers, arr: np.ndarray,
               director: int, tenure: Callable[[], int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hire CSMs and their managers per segment and deal each segment's accounts into balanced books.

    Returns each account's current CSM, the CSM who left it (or -1) and the handover day.
    """
    csm, former, handover = (np.full(c.size, OPEN) for _ in range(3))
    for seg, label in enumerate(SEGMENTS):
        book = np.flatnonzero((np.arange(c.size) < c.customers) & (c.segment == seg))
        slots = max(1, -(-len(book) // CSM_BOOK[seg]))
        managers = [roster.hire("manager", director, tenure(), segment=label)
                    for _ in range(max(1, -(-slots // MANAGER_SPAN)))]
        holders, departures = [], []
        for slot in range(slots):
            manager = managers[slot % len(managers)]
            if rng.random() < CSM_TURNOVER:
                left = int(rng.integers(window.start + 30, max(window.start + 31, window.end - 30)))
                departures.append((roster.hire("csm", manager, tenure(), segment=label, left_at=left), left))
                holders.append(roster.hire("csm", manager, left - int(rng.integers(0, 45)), segment=label))
            else:
                departures.append((OPEN, OPEN))
                holders.append(roster.hire("csm", manager, tenure(), segment=label))
        slot = _snake(np.argsort(-arr[book], kind="stable"), slots)
        csm[book] = np.asarray(holders)[slot]
        gone, left = np.asarray(departures).T
        handed = (gone[slot] != OPEN) & (c.customer_start[book] < left[slot])
        former[book[handed]] = gone[slot][handed]
        handover[book[handed]] = left[slot][handed]
    return csm, former, handover


def _snake(order: np.ndarray, slots: int) -> np.ndarray:
    """Slot of each account when accounts, largest first, are dealt 0..k-1, k-1..0, ...: balanced books."""
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    position, cycle = rank % slots, rank // slots
    return np.where(cycle % 2 == 0, position, slots - 1 - position)


def _assign(rng: np.random.Generator, roster: _Roster, role: str, manager: int, tenure: Callable[[], int],
            accounts: np.ndarray, book: int, *, segment: str | None = None) -> np.ndarray:
    """Hire enough people of a role for the selected accounts and deal the accounts to them."""
    who = np.full(len(accounts), OPEN)
    chosen = np.flatnonzero(accounts)
    if len(chosen) == 0:
        return who
    headcount = max(1, -(-len(chosen) // book))
    people = [roster.hire(role, manager, tenure(), segment=segment) for _ in range(headcount)]
    who[chosen] = np.asarray(people)[rng.integers(0, len(people), len(chosen))]
    return who
