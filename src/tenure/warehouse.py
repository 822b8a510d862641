"""The one place that opens the analytics engine and executes expressions (CONVENTIONS rule 2).

Metric functions build Ibis expressions; this module runs them. DuckDB, a file in the
workspace, is the default; any Ibis backend URL (postgres://, pyspark, ...) works instead.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tenure.contract.schemas import SQL_TYPES, TABLES
from tenure.errors import ConfigError, TenureError

if TYPE_CHECKING:
    import duckdb
    import ibis
    import pandas as pd
    from ibis.backends import BaseBackend


DEFAULT_MEMORY_LIMIT = "4GB"


class WorkspaceBusy(TenureError):
    """Another tenure process holds the warehouse; loads and runs never interleave."""

    exit_code = 6


class Warehouse:
    """A connection to the analytics engine holding the contract tables."""

    def __init__(self, url: str):
        self.url = url
        self._backend: BaseBackend | None = None
        self._handles: dict[str, ibis.Table] | None = None

    @classmethod
    def duckdb_file(cls, path: Path) -> Warehouse:
        return cls(f"duckdb://{path}")

    @classmethod
    def from_backend(cls, backend: BaseBackend) -> Warehouse:
        """Wrap a connection made elsewhere (a Spark session, an in-memory DuckDB in tests)."""
        warehouse = cls(f"{backend.name}://")
        warehouse._backend = backend
        return warehouse

    @property
    def is_duckdb(self) -> bool:
        return self.backend.name == "duckdb"

    @property
    def backend(self) -> BaseBackend:
        if self._backend is None:
            self._backend = _connect(self.url)
        return self._backend

    def close(self) -> None:
        if self._backend is not None and self.is_duckdb:
            self._backend.disconnect()
        self._backend = None
        self._handles = None

    # -- reading -------------------------------------------------------------------------------

    def loaded_tables(self) -> list[str]:
        """Contract tables present in the warehouse."""
        return list(self.tables())

    def table(self, name: str) -> ibis.Table | None:
        """The contract table `name`, or None when it has never been loaded."""
        return self.tables().get(name)

    def tables(self) -> dict[str, ibis.Table]:
        """Handles of the loaded contract tables, looked up once: metrics build many expressions on them."""
        if self._handles is None:
            present = set(self.backend.list_tables())
            self._handles = {name: self.backend.table(name) for name in TABLES if name in present}
        return dict(self._handles)

    def forget(self) -> None:
        """Look the tables up again next time (after a load created one)."""
        self._handles = None

    def execute(self, expr: ibis.Expr) -> pd.DataFrame | Any:
        """Run an expression in the engine and return its (small) result."""
        return self.backend.execute(expr)

    def row_counts(self) -> dict[str, int]:
        return {name: int(self.backend.execute(self.backend.table(name).count())) for name in self.loaded_tables()}

    def fingerprint(self) -> dict[str, tuple[int, str]]:
        """Row count and an order-independent content hash of every table: equal iff unchanged."""
        fingerprints = {}
        for name in self.loaded_tables():
            if self.is_duckdb:
                rows, total = self.raw().execute(
                    f'SELECT count(*), coalesce(sum(hash(*COLUMNS(*))::HUGEINT), 0) FROM "{name}"'
                ).fetchall()[0]
                fingerprints[name] = (int(rows), str(total))
            else:
                frame = self.backend.execute(self.backend.table(name)).astype(str)
                rows = sorted(map(tuple, frame.itertuples(index=False)))
                fingerprints[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return fingerprints

    # -- writing -------------------------------------------------------------------------------

    def raw(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection underneath (DuckDB warehouses only)."""
        if not self.is_duckdb:
            raise TenureError("this operation needs a DuckDB warehouse")
        return self.backend.con

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An all-or-nothing transaction on a DuckDB warehouse."""
        con = self.raw()
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK").fetchall()
            raise
        con.execute("COMMIT").fetchall()

    def replace(self, name: str, data: Any) -> None:
        """Replace a whole table on a non-DuckDB backend (used by loads into remote warehouses)."""
        self.backend.create_table(name, data, overwrite=True)
        self.forget()


def create_sql(name: str) -> str:
    """DDL of a contract table, with the contract's column types."""
    columns = ", ".join(f'"{c.name}" {SQL_TYPES[c.kind]}' for c in TABLES[name].columns)
    return f'CREATE TABLE "{name}" ({columns})'


def _connect(url: str) -> BaseBackend:
    import duckdb
    import ibis

    try:
        backend = ibis.connect(url)
    except duckdb.IOException as exc:
        held = re.search(r"PID (\d+)", str(exc))
        if "lock" in str(exc).lower():
            who = f" (process {held.group(1)})" if held else ""
            raise WorkspaceBusy(f"the warehouse {url} is in use by another tenure command{who}; "
                                "wait for it to finish and try again") from None
        raise ConfigError(f"cannot open the warehouse {url}: {exc}") from None
    except Exception as exc:  # any backend's driver error: name the URL, not a traceback
        raise ConfigError(f"cannot connect to the warehouse {url}: {exc}") from None
    if backend.name == "duckdb":
        backend.con.execute("SET TimeZone = 'UTC'").fetchall()
        # DuckDB takes 80% of RAM by default; a bounded limit makes large loads spill to disk
        # instead of crowding out everything else on the machine.
        limit = os.environ.get("TENURE_DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        backend.con.execute(f"SET memory_limit = '{limit}'").fetchall()
    return backend
