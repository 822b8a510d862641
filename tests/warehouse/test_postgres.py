"""The same load and revenue metrics on a PostgreSQL warehouse as on the DuckDB default.

Uses the PostgreSQL server on 127.0.0.1:5432 (trust auth) and a throw-away database.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from tenure.contract.load import load
from tenure.errors import DataContractError
from tenure.views.revenue import revenue_summary
from tenure.workspace import Workspace

pytestmark = pytest.mark.postgres

ACCOUNTS = "account_id,name,created_at,segment\nA1,Acme,2023-01-01,SMB\nA2,Beta,2023-02-01,Enterprise\n" \
           "A3,Gamma,2023-02-01,SMB\n"
SUBSCRIPTIONS = (
    "subscription_id,account_id,product,start_date,end_date,mrr,currency,billing_period\n"
    "S1,A1,core,2023-01-15,,100,USD,year\n"
    "S2,A2,core,2023-02-01,2024-02-01,500.50,USD,month\n"
    "S3,A3,core,2023-03-01,2024-06-01,50,EUR,year\n"
    "S4,A3,addon,2024-03-01,,80,USD,year\n"
)
FX = "currency,date,rate_to_base\nEUR,2023-01-01,1.10\n"


@pytest.fixture()
def postgres_url():
    psycopg = pytest.importorskip("psycopg")
    name = f"tenure_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not running on 127.0.0.1:5432: {exc}")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


def _files(folder: Path) -> Path:
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS)
    (folder / "subscriptions.csv").write_text(SUBSCRIPTIONS)
    (folder / "fx_rates.csv").write_text(FX)
    return folder


def test_postgres_and_duckdb_warehouses_agree(tmp_path, postgres_url):
    data = _files(tmp_path / "data")
    duck = Workspace.init(tmp_path / "duck")
    pg = Workspace.init(tmp_path / "pg", warehouse_url=postgres_url)
    summaries = []
    for ws in (duck, pg):
        load([data], warehouse=ws.warehouse, base_currency="USD")
        again = load([data], warehouse=ws.warehouse, base_currency="USD")
        assert all(change.inserted == 0 and change.updated == 0 for change in again.changes.values())
        summaries.append(revenue_summary(ws, as_of=dt.date(2024, 6, 30), by="segment"))
    duck_summary, pg_summary = summaries
    assert duck_summary.headline == pg_summary.headline
    # A1 100 + A3's add-on 80 at June 30 2024; A3's EUR core line (50 × 1.10) ended June 1.
    assert duck_summary.headline["arr"] == (100 + 80) * 12
    assert duck_summary.bridge.equals(pg_summary.bridge)
    assert list(duck_summary.groups["segment"]) == list(pg_summary.groups["segment"])


def test_rejected_load_leaves_postgres_unchanged(tmp_path, postgres_url):
    data = _files(tmp_path / "data")
    ws = Workspace.init(tmp_path / "pg", warehouse_url=postgres_url)
    load([data], warehouse=ws.warehouse)
    before = ws.warehouse.fingerprint()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "subscriptions.csv").write_text(
        "subscription_id,account_id,product,start_date,mrr,currency\nS9,A1,core,2024-01-01,-1,USD\n"
        "S10,A404,core,2024-01-01,10,USD\n"
    )
    with pytest.raises(DataContractError) as raised:
        load([bad], warehouse=ws.warehouse)
    found = {(p.rule, p.row) for p in raised.value.problems}
    assert {("range", 1), ("unknown_reference", 2)} <= found
    assert ws.warehouse.fingerprint() == before
