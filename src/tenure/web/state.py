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
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from tenure.warehouse import Warehouse
from tenure.workflow.models import AuditEntry, OwnerAssignment
from tenure.workflow.store import WorkflowStore
from tenure.workspace import WAREHOUSE_FILE, Workspace

T = TypeVar("T")
CACHE_ENTRIES = 2_000
VERSION_CHECK_SECONDS = 1.0  # a change made elsewhere shows on the next page after at most this long


@dataclass
class AppState:
    ws: Workspace
    store: WorkflowStore
    secure_cookies: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)
    _cache: OrderedDict[Hashable, object] = field(default_factory=OrderedDict)
    _cache_lock: threading.Lock = field(default_factory=threading.Lock)
    _version: tuple | None = None
    _checked_at: float = float("-inf")

    @classmethod
    def open(cls, root: Path, *, secure_cookies: bool = True) -> AppState:
        ws = _read_only(Workspace.open(root))
        store = WorkflowStore.of(ws)
        store.check()
        return cls(ws=ws, store=store, secure_cookies=secure_cookies)

    def reader(self) -> Workspace:
        """A workspace with a warehouse connection of its own, for long work on another thread (reports)."""
        return _read_only(Workspace.open(self.ws.root))

    def version(self) -> tuple:
        """Changes whenever data the pages show may have changed outside the app (looked at once a second)."""
        if self._version is not None and time.monotonic() - self._checked_at < VERSION_CHECK_SECONDS:
            return self._version
        self._checked_at = time.monotonic()
        path = self.ws.root / WAREHOUSE_FILE
        stamp = path.stat().st_mtime_ns if not self.ws.config.warehouse and path.exists() else 0
        with self.store.session() as session:
            latest = session.scalar(select(func.max(OwnerAssignment.id)))
        return stamp, latest

    def cached(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` once per data version (under the warehouse lock: one query at a time).

        A hit never waits for another request's query; the least recently used results are
        dropped beyond CACHE_ENTRIES, so per-account entries cannot grow the server without bound.
        """
        version = self.version()
        with self._cache_lock:
            if version != self._version:
                self._cache.clear()
                self._version = version
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]  # type: ignore[return-value]
        with self.lock:
            if key in self._cache:  # built by another request while this one waited
                return self._cache[key]  # type: ignore[return-value]
            value = build()
        with self._cache_lock:
            if version == self._version:
                self._cache[key] = value
                while len(self._cache) > CACHE_ENTRIES:
                    self._cache.popitem(last=False)
        return value

    def cached_with_workflow(self, key: Hashable, build: Callable[[], T]) -> T:
        """`build()` cached per data version and per change to the workflow store (its newest audit entry).

        Views that read calls, CTAs, feature requests or advocacy records must show a change made a
        moment ago; only the latest result per key is kept, so the cache does not grow with the changes.
        """
        with self.store.session() as session:
            stamp = session.scalar(select(func.max(AuditEntry.id)))
        slot: dict = self.cached(("workflow", key), dict)
        with self.lock:
            if "value" not in slot or slot["stamp"] != stamp:
                slot.pop("value", None)
                slot["value"], slot["stamp"] = build(), stamp
            return slot["value"]

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


def _read_only(ws: Workspace) -> Workspace:
    """The default DuckDB file opened read-only: the app never writes analytics, and `tenure` commands may read."""
    if not ws.config.warehouse:
        ws.warehouse = Warehouse(f"duckdb://{ws.root / WAREHOUSE_FILE}?read_only=true")
    return ws


def _latest_run(ws: Workspace) -> dt.date | None:
    from tenure.history import history

    table = history(ws)
    if table is None:
        return None
    latest = ws.warehouse.execute(table.as_of.max())
    return None if latest is None else dt.date.fromisoformat(str(latest)[:10])
