"""Hand-made customer bases for the operating-model tests, loaded through the data contract."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tenure.contract.load import load
from tenure.contract.schemas import TABLES
from tenure.workspace import Workspace


def write_tables(folder: Path, tables: Mapping[str, Iterable[Mapping[str, Any]]]) -> Path:
    """Each table as `<name>.csv` with every contract column (empty cells for missing values)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = [c.name for c in TABLES[name].columns]
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                unknown = set(row) - set(columns)
                assert not unknown, f"unknown columns {unknown} for {name}"
                writer.writerow(["" if row.get(c) is None else str(row[c]).lower() if isinstance(row[c], bool)
                                 else str(row[c]) for c in columns])
    return folder


def workspace_with(root: Path, tables: Mapping[str, Iterable[Mapping[str, Any]]], config: str = "") -> Workspace:
    """A new workspace in root/ws with `config` appended to its tenure.yaml and `tables` loaded."""
    folder = root / "ws"
    Workspace.init(folder).close()
    path = folder / "tenure.yaml"
    path.write_text(path.read_text(encoding="utf-8") + config, encoding="utf-8")
    ws = Workspace.open(folder)
    load([write_tables(root / "data", tables)], warehouse=ws.warehouse, base_currency=ws.config.base_currency)
    ws.warehouse.forget()
    return ws


def account(account_id: str, **extra: Any) -> dict[str, Any]:
    return {"account_id": account_id, "name": extra.pop("name", f"{account_id} Inc"),
            "created_at": extra.pop("created_at", "2024-01-01"), **extra}


def line(subscription_id: str, account_id: str, start: str, mrr: float, **extra: Any) -> dict[str, Any]:
    return {"subscription_id": subscription_id, "account_id": account_id, "product": extra.pop("product", "core"),
            "start_date": start, "mrr": mrr, "currency": "USD", **extra}


def person(person_id: str, role: str = "csm", **extra: Any) -> dict[str, Any]:
    return {"person_id": person_id, "name": extra.pop("name", f"Person {person_id}"), "role": role, **extra}
