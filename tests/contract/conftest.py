"""Shared fixtures of the data-contract tests: a workspace with a small valid baseline loaded.

The baseline (`tests/data/good/baseline/`) is three tables a real user would start with:

    team           P1 Dana Park (csm), P2 Sam Lee (manager)
    accounts       A1 Acme, A2 Beta, A3 Gamma (A3 has no subscription line)
    subscriptions  S1 A1 core 100.00 USD from 2023-01-01 (annual, open)
                   S2 A2 core 200.50 USD 2023-03-15 -> 2024-03-15 (monthly)

Every test loads through `tenure.contract.load.load`, exactly as `tenure load` does, into a
fresh DuckDB workspace of its own (a load that wrongly changed something cannot leak into
another test). The baseline is loaded once per session and its workspace folder copied.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tenure.contract.load import LoadReport
from tenure.workspace import Workspace

from .helpers import BASELINE, load_paths

Loader = Callable[..., LoadReport]


@pytest.fixture
def empty_workspace(tmp_path: Path) -> Iterator[Workspace]:
    """A new workspace (base currency USD) with nothing loaded."""
    ws = Workspace.init(tmp_path / "ws")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def baseline_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed workspace folder (tenure.yaml and warehouse.duckdb) with the baseline loaded."""
    ws = Workspace.init(tmp_path_factory.mktemp("baseline") / "ws")
    report = load_paths(ws, BASELINE)
    assert {name: change.total for name, change in report.changes.items()} == {
        "team": 2, "accounts": 3, "subscriptions": 2}
    ws.close()
    return ws.root


@pytest.fixture
def baseline(baseline_folder: Path, tmp_path: Path) -> Iterator[Workspace]:
    """A new workspace with the valid baseline (team, accounts, subscriptions) loaded."""
    ws = Workspace.open(shutil.copytree(baseline_folder, tmp_path / "ws"))
    yield ws
    ws.close()


@pytest.fixture
def load_into() -> Loader:
    """`load_paths` as a fixture: load_into(ws, path, ..., table=None, timezone=None)."""
    return load_paths
