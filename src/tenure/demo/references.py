"""Advocacy records of the demo company: reference calls, referrals, case studies and reviews.

Written beside the company (not in the data contract: advocacy lives in the workflow store and is
imported with `tenure desk advocacy import`). Healthy accounts are asked: some NPS promoters (9 or
10) are asked a week to six weeks after their answer, the contact who answered being the advocate,
never more often than the default advocacy guard allows (`desk:` in tenure.yaml). A referral names
an account that became a customer one to five months later, so referral-sourced ARR is real ARR.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from tenure.desk.advocacy import PROMOTER_MIN, guard
from tenure.desk.config import Desk

ASK_RATE = 0.3  # promoter answers followed by an ask
KINDS = ("reference_call", "referral", "case_study", "review")
KIND_SHARE = (0.5, 0.15, 0.12, 0.23)
OUTCOMES = {
    "reference_call": (("held", "held, prospect signed", "declined: no time this quarter"), (0.55, 0.30, 0.15)),
    "case_study": (("published", "declined by legal"), (0.7, 0.3)),
    "review": (("posted on G2", "posted on Capterra", "posted on TrustRadius"), (0.5, 0.3, 0.2)),
}
ASK_AFTER_DAYS = (7, 45)
REFERRED_AFTER_DAYS = (30, 150)
COLUMNS = ["account_id", "contact_id", "kind", "occurred_on", "outcome", "referred_account_id"]


def write_references(company: Path, path: Path, *, seed: int = 7) -> int:
    """Write advocacy records (COLUMNS) for the company in `company`; returns the rows written."""
    rng = np.random.default_rng([seed, 9002])
    surveys = _read(company, "surveys", ["account_id", "submitted_at", "type", "score", "contact_id"])
    lines = _read(company, "subscriptions", ["account_id", "start_date", "mrr"])
    promoters = surveys[(surveys["type"] == "nps") & (pd.to_numeric(surveys["score"]) >= PROMOTER_MIN)].copy()
    promoters["day"] = _days(promoters["submitted_at"])
    promoters = promoters.sort_values(["day", "account_id"], kind="stable")
    end = max(_days(surveys["submitted_at"]))
    paid = lines[pd.to_numeric(lines["mrr"]) > 0]
    first_paid = pd.to_datetime(paid.groupby("account_id")["start_date"].min()).dt.date
    arrivals = sorted(zip(first_paid.to_numpy(), first_paid.index, strict=True))
    desk = Desk()
    asked: dict[str, list[dt.date]] = {}
    referred: set[str] = set()
    rows = []
    for account, contact, day in zip(promoters["account_id"], promoters["contact_id"], promoters["day"], strict=True):
        if rng.random() >= ASK_RATE:
            continue
        when = day + dt.timedelta(days=int(rng.integers(*ASK_AFTER_DAYS)))
        if when > end or guard(asks := asked.setdefault(account, []), when,
                               min_days=desk.advocate_min_days_between_asks,
                               max_per_year=desk.advocate_max_asks_per_year) is not None:
            continue
        kind = KINDS[rng.choice(len(KINDS), p=KIND_SHARE)]
        newcomer = None
        if kind == "referral":
            newcomer = _newcomer(rng, arrivals, when, exclude=referred | {account})
            if newcomer is None:
                kind = "reference_call"
        if kind == "referral":
            referred.add(newcomer)
            outcome = "introduced; became a customer"
        else:
            labels, weights = OUTCOMES[kind]
            outcome = labels[rng.choice(len(labels), p=weights)]
        asks.append(when)
        rows.append((account, contact if isinstance(contact, str) and contact else "", kind, when.isoformat(),
                     outcome, newcomer or ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(sorted(rows, key=lambda r: (r[3], r[0])))
    return len(rows)


def _newcomer(rng: np.random.Generator, arrivals: list[tuple[dt.date, str]], day: dt.date,
              *, exclude: set[str]) -> str | None:
    """An account whose first paid day falls one to five months after `day`, not referred before."""
    low, high = (day + dt.timedelta(days=d) for d in REFERRED_AFTER_DAYS)
    choices = [account for start, account in arrivals if low <= start <= high and account not in exclude]
    return choices[int(rng.integers(len(choices)))] if choices else None


def _read(company: Path, name: str, columns: list[str]) -> pd.DataFrame:
    parquet = company / f"{name}.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet, columns=columns)
    return pd.read_csv(company / f"{name}.csv", usecols=columns, dtype=str, keep_default_na=False)


def _days(values: pd.Series) -> pd.Series:
    """Timestamps (Parquet) or ISO 8601 text (CSV) as UTC dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values.dt.tz_convert("UTC") if values.dt.tz is not None else values
    else:
        stamps = pd.to_datetime(values, utc=True, format="ISO8601")
    return stamps.dt.date
