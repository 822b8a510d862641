"""The same revenue expressions on PySpark (local[2]) and DuckDB give the same numbers.

This is the proof of DESIGN.md's "one expression, many engines": nothing in the metrics is
DuckDB-specific. Starting Spark takes ~12 s, so the test is marked slow and spark.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pandas as pd
import pytest

from tenure.metrics import revenue
from tenure.metrics.cohorts import cohort_retention

pytestmark = [pytest.mark.slow, pytest.mark.spark]

AS_OF = dt.date(2025, 6, 30)


def subscription_lines(n_accounts: int = 60, seed: int = 11) -> pd.DataFrame:
    """Random lines with mid-month starts and ends, several products, churn and returns."""
    rng = random.Random(seed)
    rows = []
    for a in range(n_accounts):
        for line in range(rng.randint(1, 4)):
            start = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 1200))
            end = start + dt.timedelta(days=rng.randint(10, 900)) if rng.random() < 0.6 else None
            rows.append({
                "subscription_id": f"S{a}-{line}", "account_id": f"A{a}", "product": rng.choice(["core", "api"]),
                "start_date": start, "end_date": end, "mrr": Decimal(rng.choice([0, 99, 250, 1200])) / 1,
            })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def spark_backend(tmp_path_factory):
    ibis = pytest.importorskip("ibis")
    pyspark = pytest.importorskip("pyspark.sql")
    warehouse_dir = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        pyspark.SparkSession.builder.master("local[2]").appName("tenure-tests")
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield ibis.pyspark.connect(session)
    session.stop()


def _run_both(spark_backend, build) -> tuple[pd.DataFrame, pd.DataFrame]:
    import ibis

    frame = subscription_lines()
    duck = ibis.duckdb.connect()
    results = []
    for backend in (duck, spark_backend):
        backend.create_table("subscriptions", frame, overwrite=True)
        lines = backend.table("subscriptions").mutate(
            mrr=ibis._.mrr.cast("decimal(18,4)"),
            start_date=ibis._.start_date.cast("date"),
            end_date=ibis._.end_date.cast("date"),
        )
        result = backend.execute(build(lines))
        results.append(result)
    return tuple(_normalise(r) for r in results)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and len(out) and isinstance(out[column].iloc[0], Decimal):
            out[column] = out[column].astype(float)
    return out.sort_values(list(out.columns[:3])).reset_index(drop=True)


def test_movements_equal_on_spark_and_duckdb(spark_backend):
    def build(lines):
        mrr = revenue.month_end_mrr(lines, as_of=AS_OF)
        return revenue.movements(mrr, as_of=AS_OF, reactivation_window_months=6)

    duck, spark = _run_both(spark_backend, build)
    assert len(duck) > 500
    pd.testing.assert_frame_equal(duck, spark, check_dtype=False)


def test_bridge_retention_and_cohorts_equal_on_spark_and_duckdb(spark_backend):
    def bridge(lines):
        mrr = revenue.month_end_mrr(lines, as_of=AS_OF, by=revenue.ACCOUNT_PRODUCT)
        return revenue.monthly_bridge(revenue.movements(mrr, as_of=AS_OF, by=revenue.ACCOUNT_PRODUCT))

    def retention(lines):
        mrr = revenue.month_end_mrr(lines, as_of=AS_OF)
        return revenue.retention(mrr, end_months=[2025 * 12 + 5, 2024 * 12 + 11], window_months=12)

    def cohorts(lines):
        return cohort_retention(revenue.month_end_mrr(lines, as_of=AS_OF), as_of=AS_OF, period="quarter")

    for build in (bridge, retention, cohorts):
        duck, spark = _run_both(spark_backend, build)
        assert len(duck) > 0
        pd.testing.assert_frame_equal(duck, spark, check_dtype=False, rtol=1e-9)
