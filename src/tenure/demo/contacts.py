"""People at the customer, and what they say in surveys.

Every account has a champion; all but most SMB accounts an executive sponsor; then admins,
power users and users (2-12 contacts in all, more for larger segments). When the contract
simulation had a champion or sponsor leave (a health shock, likelier in unhappy accounts),
that contact gets `left_at` and a successor joins — so departures cluster before churn.
NPS goes out twice a year and CSAT after onboarding and now and then; scores follow health.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo import names
from tenure.demo.company import SMB, Customers
from tenure.demo.contracts import ContractHistory
from tenure.demo.engagement import CustomerMonths
from tenure.demo.lines import OPEN
from tenure.demo.timeline import SECONDS_PER_DAY, Window, business_moments

ROLES = ("champion", "exec_sponsor", "admin", "power_user", "user")
CHAMPION, SPONSOR, ADMIN, POWER_USER, USER = range(5)
CONTACTS = np.array([[6, 12], [3, 7], [2, 4]])  # (fewest, most) contacts by segment
SMB_SPONSOR = 0.3
OTHERS_LEAVE_PER_YEAR = 0.08
NPS_EVERY = 6  # months
NPS_RESPONSE = np.array([0.5, 0.35, 0.25, 0.3, 0.2])  # by role
CSAT_AFTER_ONBOARDING = 2  # months after the first day
CSAT_RANDOM = 0.06  # monthly chance of an ad-hoc CSAT response
COMMENT_RATE = 0.3


@dataclass(frozen=True)
class Contacts:
    """Contacts sorted by account, then role; `first` indexes each account's first contact."""

    account: np.ndarray
    role: np.ndarray  # index into ROLES
    left_at: np.ndarray  # day number or OPEN
    name: np.ndarray
    title: np.ndarray
    email: np.ndarray
    first: np.ndarray  # (accounts + 1) offsets into the arrays


def meet_contacts(rng: np.random.Generator, window: Window, customers: Customers,
                  history: ContractHistory) -> Contacts:
    """The contacts of every account (a prospect has a champion and one other contact so far)."""
    c = customers
    segment = c.segment
    is_customer = np.arange(c.size) < c.customers
    low, high = CONTACTS[segment].T
    size = np.where(is_customer, rng.integers(low, high + 1), 2)
    sponsor = is_customer & ((segment != SMB) | (rng.random(c.size) < SMB_SPONSOR))
    others = size - 1 - sponsor
    draw = rng.random(others.sum())
    role_of_others = np.select([draw < 0.25, draw < 0.50], [ADMIN, POWER_USER], USER)
    champions = _successions(np.ones(c.size, dtype=bool), history.champion_left)
    sponsors = _successions(sponsor, history.sponsor_left)
    others_account = np.repeat(np.arange(c.size), others)
    joined = np.maximum(c.relationship_start[others_account], window.start)
    years = (window.end - joined) / 365.25
    leaves = is_customer[others_account] & (rng.random(len(joined)) < OTHERS_LEAVE_PER_YEAR * years)
    left = np.where(leaves, joined + np.floor(rng.random(len(joined)) * (window.end - joined + 1)), OPEN)

    account = np.concatenate([champions[0], sponsors[0], others_account])
    role = np.concatenate([np.full(len(champions[0]), CHAMPION), np.full(len(sponsors[0]), SPONSOR),
                           role_of_others])
    left_at = np.concatenate([champions[1], sponsors[1], left]).astype(np.int64)
    order = np.lexsort((np.arange(len(account)), role, account))
    account, role, left_at = account[order], role[order], left_at[order]

    first = names.pick(rng, names.FIRST_NAMES, len(account))
    last = names.pick(rng, names.LAST_NAMES, len(account))
    domain = np.array([names.slug(name) + ".example" for name in c.name], dtype=object)
    titles = np.empty(len(role), dtype=object)
    for code, label in enumerate(ROLES):
        titles[role == code] = names.pick(rng, names.CONTACT_TITLES[label], int((role == code).sum()))
    return Contacts(account=account, role=role, left_at=left_at,
                    name=first + " " + last, title=titles, email=_emails(first, last, domain[account]),
                    first=np.searchsorted(account, np.arange(c.size + 1)))


def _successions(holds: np.ndarray,
                 departures: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Holders of a role over time: one per account holding it, plus a successor per departure.

    Returns (account, left_at) per holder, in account order: holder i of an account left on
    the account's i-th departure day; the last holder is still there.
    """
    gone, day = departures
    keep = holds[gone]
    order = np.lexsort((day[keep], gone[keep]))
    gone, day = gone[keep][order], day[keep][order]
    account = np.concatenate([np.flatnonzero(holds), gone])
    position = np.concatenate([np.zeros(int(holds.sum()), dtype=np.int64), _rank_within(gone) + 1])
    order = np.lexsort((position, account))
    account, position = account[order], position[order]
    if len(gone) == 0:
        return account, np.full(len(account), OPEN, dtype=np.int64)
    departure = np.minimum(np.searchsorted(gone, account) + position, len(gone) - 1)
    left = np.where(gone[departure] == account, day[departure], OPEN)
    return account, left


def _rank_within(sorted_groups: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values of a sorted array."""
    if len(sorted_groups) == 0:
        return sorted_groups.astype(np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    return np.arange(len(sorted_groups)) - np.repeat(starts, np.diff(np.r_[starts, len(sorted_groups)]))


def _emails(first: np.ndarray, last: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """first.last@domain, numbered when two contacts would share an address (maria.lopez2@...)."""
    seen: dict[str, int] = {}
    out = np.empty(len(first), dtype=object)
    for i, (f, s, d) in enumerate(zip(first, last, domain, strict=True)):
        local = f"{f}.{s}".lower()
        key = f"{local}@{d}"
        seen[key] = seen.get(key, 0) + 1
        out[i] = key if seen[key] == 1 else f"{local}{seen[key]}@{d}"
    return out


def collect_surveys(rng: np.random.Generator, months: CustomerMonths, customers: Customers,
                    contacts: Contacts) -> dict[str, np.ndarray]:
    """NPS (0-10) and CSAT (1-5) responses as columns: account, contact, seconds, type, score, comment.

    NPS asks every contact of an account twice a year and some answer (champions most);
    CSAT is answered by one contact after onboarding and now and then.
    """
    per_account = contacts.first[months.account + 1] - contacts.first[months.account]
    phase = rng.integers(0, NPS_EVERY, customers.size)
    wave = np.flatnonzero((months.month + phase[months.account]) % NPS_EVERY == 0)
    asked = np.repeat(wave, per_account[wave])
    asked_contact = contacts.first[months.account[asked]] + _rank_within(asked)
    answers = rng.random(len(asked)) < NPS_RESPONSE[contacts.role[asked_contact]]
    ad_hoc = rng.random(len(months.account)) < CSAT_RANDOM
    csat = np.flatnonzero((months.tenure == CSAT_AFTER_ONBOARDING) | ad_hoc)
    csat_contact = contacts.first[months.account[csat]] + np.floor(rng.random(len(csat)) * per_account[csat])
    parts = [_responses(rng, "nps", asked[answers], asked_contact[answers], months, customers, contacts),
             _responses(rng, "csat", csat, csat_contact.astype(np.int64), months, customers, contacts)]
    columns = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    order = np.lexsort((columns["seconds"], columns["account"]))
    return {key: value[order] for key, value in columns.items()}


def _responses(rng: np.random.Generator, kind: str, row: np.ndarray, contact: np.ndarray,
               months: CustomerMonths, customers: Customers, contacts: Contacts) -> dict[str, np.ndarray]:
    """Responses of contacts still at the account on the day they answer, scored from its health."""
    region = customers.region[months.account[row]]
    seconds = business_moments(rng, months.first_day[row], months.last_day[row], region)
    left = contacts.left_at[contact]
    there = (left == OPEN) | (seconds // SECONDS_PER_DAY < left)
    row, contact, seconds = row[there], contact[there], seconds[there]
    h = months.health[row]
    noise = rng.normal(0, 1.6 if kind == "nps" else 0.7, len(row))
    if kind == "nps":
        champion = contacts.role[contact] == CHAMPION
        score = np.clip(np.round(10 * (0.15 + 0.9 * h) + 0.5 * champion + noise), 0, 10) + 0.0  # no -0.0
    else:
        score = np.clip(np.round(1 + 4 * (0.1 + 0.85 * h) + noise), 1, 5)
    return {"account": months.account[row], "contact": contact, "seconds": seconds,
            "type": np.full(len(row), kind, dtype=object), "score": score,
            "comment": _comments(rng, score if kind == "nps" else 2 * score)}


def _comments(rng: np.random.Generator, nps_like: np.ndarray) -> np.ndarray:
    """A comment on some responses, in the words of a detractor (≤6), passive or promoter (≥9).

    CSAT scores are doubled onto the same 0-10 scale first."""
    band = np.where(nps_like <= 6, "detractor", np.where(nps_like >= 9, "promoter", "passive"))
    out = np.full(len(band), None, dtype=object)
    say = rng.random(len(band)) < COMMENT_RATE
    for label, words in names.NPS_COMMENTS.items():
        chosen = say & (band == label)
        out[chosen] = names.pick(rng, words, int(chosen.sum()))
    return out
