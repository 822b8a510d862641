"""Shared builders for the revenue-metric tests: a real workspace loaded from hand-written lines.

`build_workspace(root, subscriptions=[...])` writes the rows as contract CSV files, creates a
workspace (its `tenure.yaml` from `config`), and loads them with the contract loader, so the
metrics read exactly what a user's `tenure load` would have put in the DuckDB warehouse.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenure.contract.load import load
from tenure.workspace import Workspace

SUBSCRIPTION_COLUMNS = ("subscription_id", "account_id", "product", "start_date", "end_date", "mrr", "currency",
                        "billing_period", "term_months", "renewal_date")
ACCOUNT_COLUMNS = ("account_id", "name", "created_at", "segment")
FX_COLUMNS = ("currency", "date", "rate_to_base")

Row = Mapping[str, Any]


def _write(path: Path, columns: Iterable[str], rows: Iterable[Row]) -> None:
    columns = list(columns)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for row in rows:
            unknown = set(row) - set(columns)
            assert not unknown, f"unknown columns {unknown} for {path.name}"
            writer.writerow(["" if row.get(c) is None else str(row[c]) for c in columns])


def build_workspace(root: Path, *, subscriptions: list[Row], accounts: list[Row] | None = None,
                    fx_rates: list[Row] | None = None, config: Mapping[str, Any] | None = None) -> Workspace:
    """A fresh workspace in `root` with these lines loaded (accounts default to one per account_id)."""
    data = root / "data"
    data.mkdir(parents=True)
    if accounts is None:
        ids = dict.fromkeys(row["account_id"] for row in subscriptions)
        accounts = [{"account_id": a, "name": f"Account {a}", "created_at": "2015-01-01"} for a in ids]
    _write(data / "accounts.csv", ACCOUNT_COLUMNS, accounts)
    _write(data / "subscriptions.csv", SUBSCRIPTION_COLUMNS, subscriptions)
    if fx_rates:
        _write(data / "fx_rates.csv", FX_COLUMNS, fx_rates)
    folder = root / "workspace"
    folder.mkdir()
    (folder / "tenure.yaml").write_text(yaml.safe_dump(dict(config or {})), encoding="utf-8")
    ws = Workspace.open(folder)
    load([data], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    return ws


@pytest.fixture(scope="session")
def workspace_builder() -> Callable[..., Workspace]:
    """`build_workspace` as a fixture, so module-scoped fixtures of any test file can use it."""
    return build_workspace
