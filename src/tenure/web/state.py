"""What the server holds between requests: the workspace, the workflow store and cached results.

The warehouse is opened read-only (the web app never writes analytics) and queried under one
lock: a DuckDB connection serves one query at a time. Results that are the same for every user
(the account directory, the company's figures) are cached per data version — the warehouse
file's modification time and the newest owner reassignment — so a page costs a query only
after `tenure load` or `tenure run` changed the data.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from tenure.warehouse import Warehouse
from tenure.workflow.models import OwnerAssignment
from tenure.workflow.store import WorkflowStore
from tenure.workspace import WAREHOUSE_FILE, Workspace

T = TypeVar("T")


@dataclass
class AppState:
    ws: Workspace
    store: WorkflowStore
    secure_cookies: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: dict[Hashable, object] = field(default_factory=dict)
    _version: tuple | None = None

    @classmethod
    def open(cls, root: Path, *, secure_cookies: bool = True) -> AppState:
        ws = Workspace.open(root)
        if not ws.config.warehouse:  # the default DuckDB file: read-only, so `tenure` commands may read too
            ws.warehouse = Warehouse(f"duckdb://{ws.root / WAREHOUSE_FILE}?read_only=true")
        store = WorkflowStore.of(ws)
        store.check()
        return cls(ws=ws, store=store, secure_cookies=secure_cookies)

    def version(self) -> tuple:
        """Changes whenever data the pages show may have changed outside the app."""
        path = self.ws.root / WAREHOUSE_FILE
        stamp = path.stat().st_mtime_ns if not self.ws.config.warehouse and path.exists() else 0
        with self.store.session() as session:
            latest = session.scalar(select(func.max(OwnerAssignment.id)))
        return stamp, latest

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` once per data version (under the warehouse lock: one query at a time)."""
        version = self.version()
        with self.lock:
            if version != self._version:
                self._cache.clear()
                self._version = version
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[return-value]

    def query(self, build: Callable[[], T]) -> T:
        """Run uncached analytics under the warehouse lock."""
        with self.lock:
            return build()

    def as_of(self) -> dt.date:
        """The day the pages describe: the latest day `tenure run` stored health for, else today."""
        return self.cached("as_of", lambda: _latest_run(self.ws) or dt.date.today())

    def close(self) -> None:
        self.ws.close()
        self.store.dispose()


def _latest_run(ws: Workspace) -> dt.date | None:
    from tenure.history import history

    table = history(ws)
    if table is None:
        return None
    latest = ws.warehouse.execute(table.as_of.max())
    return None if latest is None else dt.date.fromisoformat(str(latest)[:10])
