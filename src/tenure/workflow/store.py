"""Opening the workflow store, migrating it, and sessions that write their audit trail.

The store is `workflow.sqlite` in the workspace unless `workflow_url` in tenure.yaml names a
database (PostgreSQL in production). Every insert, update and delete made through a session
is written to `audit_log` in the same transaction, with the acting user, the row before and
after: a change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, insert, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tenure.errors import TenureError
from tenure.workflow.models import AuditEntry, Base

if TYPE_CHECKING:
    from tenure.workspace import Workspace

MIGRATIONS = Path(__file__).with_name("migrations")
STORE_FILE = "workflow.sqlite"
SYSTEM = "tenure"  # the actor of changes made by rules and `tenure run`


class WorkflowStore:
    """A connection to the workflow store of a workspace."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @classmethod
    def of(cls, ws: Workspace) -> WorkflowStore:
        return cls(ws.config.workflow_url or f"sqlite:///{ws.root / STORE_FILE}")

    def upgrade(self) -> str:
        """Migrate to the newest schema (idempotent); returns the revision now in place."""
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision() or ""
        except OperationalError as exc:
            raise TenureError(f"cannot open the workflow store {self.safe_url}: {exc.orig}") from None

    def check(self) -> None:
        """Fail clearly when the store has not been migrated to the code's schema."""
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            raise TenureError(f"the workflow store {self.safe_url} is at revision {current or 'none'}, the code "
                              f"needs {head}; run `tenure db upgrade`")

    @contextmanager
    def session(self, actor: str = SYSTEM) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back (nothing applied) if it raises."""
        session = self._sessions()
        session.info["actor"] = actor
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@event.listens_for(Session, "after_flush")
def _audit(session: Session, _context) -> None:
    """Write an audit entry for every row this flush inserted, changed or deleted, in the same transaction."""
    actor = session.info.get("actor", SYSTEM)
    entries = []
    for obj, action in ([(o, "insert") for o in session.new] + [(o, "update") for o in session.dirty]
                        + [(o, "delete") for o in session.deleted]):
        if isinstance(obj, AuditEntry) or not isinstance(obj, Base):
            continue
        state = inspect(obj)
        secret = getattr(obj, "__secret__", frozenset())
        before, after = {}, {}
        for attr in state.mapper.column_attrs:
            history = state.attrs[attr.key].history
            now = getattr(obj, attr.key)
            if action == "update":
                if not history.has_changes():
                    continue
                before[attr.key] = _plain(history.deleted[0] if history.deleted else None, attr.key in secret)
                after[attr.key] = _plain(now, attr.key in secret)
            elif action == "insert":
                after[attr.key] = _plain(now, attr.key in secret)
            else:
                before[attr.key] = _plain(now, attr.key in secret)
        if action == "update" and not after:
            continue
        entries.append({"actor": actor, "table_name": obj.__tablename__, "row_id": getattr(obj, "id", None),
                        "action": action, "before": before or None, "after": after or None,
                        "at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    if entries:
        session.connection().execute(insert(AuditEntry.__table__), entries)


def _plain(value, secret: bool = False):
    """A JSON-safe value for the audit log; secrets (hashes, tokens) only say whether they are set."""
    if secret:
        return None if value is None else "(secret)"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
