"""The workflow store on SQLite (a file) and on a real PostgreSQL.

PostgreSQL is the database `TENURE_TEST_POSTGRES_URL` names (`.ci/run` creates a fresh one for
each CI run); without it, a throw-away database on the server at 127.0.0.1:5432. Each test gets
an empty, freshly migrated store.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import MetaData, create_engine

from tenure.workflow.store import WorkflowStore

LOCAL_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


@pytest.fixture(scope="session")
def postgres_database():
    """A PostgreSQL URL for the session's workflow tests."""
    given = os.environ.get("TENURE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    psycopg = pytest.importorskip("psycopg")
    name = f"tenure_workflow_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not running on 127.0.0.1:5432 and TENURE_TEST_POSTGRES_URL is not set: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{LOCAL_SERVER}/{name}"
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    """An empty workflow store migrated to head, on each database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workflow.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_database")
        _empty(url)
    store = WorkflowStore(url)
    store.upgrade()
    yield store
    store.dispose()


def _empty(url: str) -> None:
    """Drop every table a previous test left, so each test starts from nothing."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()
