"""Feature requests of the demo company: what its customers asked the product team for.

Written beside the company (not in the data contract: requests live in the workflow store and
are imported with `tenure feature-requests import`). Accounts whose renewal was lost for a
missing feature asked for one, and so did a share of the others, larger accounts more often;
popular requests are further along the roadmap.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

IDEAS = ("SSO with Okta", "Salesforce two-way sync", "Custom report builder", "Audit log export",
         "Granular user permissions", "Data residency in the EU", "Public API for usage data", "Slack alerts",
         "Offline mobile app", "Multi-currency invoicing", "Sandbox environment", "HubSpot integration")
POPULARITY = np.array([14, 12, 10, 6, 9, 5, 8, 7, 3, 4, 5, 6], dtype=float)
STATUS_BY_RANK = ("shipped", "beta", "planned", "planned", "under review", "under review", "under review",
                  "declined", "under review", "under review", "declined", "under review")
ASKING_SHARE = 0.12


def write_requests(company: Path, path: Path, *, seed: int = 7) -> int:
    """Write `title,account_id,status,beta` rows for the company in `company`; returns the rows written."""
    rng = np.random.default_rng([seed, 9001])
    accounts = pd.read_parquet(company / "accounts.parquet", columns=["account_id", "employees"]) \
        if (company / "accounts.parquet").exists() else pd.read_csv(company / "accounts.csv")
    opportunities = pd.read_parquet(company / "opportunities.parquet") \
        if (company / "opportunities.parquet").exists() else pd.read_csv(company / "opportunities.csv")
    lost = opportunities[opportunities["churn_reason"] == "missing feature"]["account_id"].unique()
    size = np.log1p(pd.to_numeric(accounts["employees"], errors="coerce").fillna(50).to_numpy())
    chance = ASKING_SHARE * size / size.mean()
    asking = set(accounts["account_id"][rng.random(len(accounts)) < chance]) | set(lost)
    order = np.argsort(-POPULARITY)
    status = {IDEAS[i]: STATUS_BY_RANK[rank] for rank, i in enumerate(order)}
    rows = []
    for account in sorted(asking):
        for idea in rng.choice(len(IDEAS), size=rng.integers(1, 3), replace=False, p=POPULARITY / POPULARITY.sum()):
            title = IDEAS[idea]
            rows.append((title, account, status[title], status[title] == "beta" and rng.random() < 0.5))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "account_id", "status", "beta"])
        writer.writerows(rows)
    return len(rows)
