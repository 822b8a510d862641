"""Invariants of the revenue metrics on any set of subscription lines (hypothesis).

The public expression builders run on a table `lines` in an in-memory DuckDB. Compiling an
Ibis expression costs ~70 ms, far more than running it on a few lines, so each expression is
compiled once per (kind, as_of, entity, option) and every example only swaps the table's rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from decimal import Decimal

import duckdb
import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenure.metrics import revenue
from tenure.metrics.fx import lines_in_base_currency

SCHEMA = ibis.schema({"subscription_id": "string", "account_id": "string", "product": "string",
                      "start_date": "date", "end_date": "date", "mrr": "decimal(18, 4)", "currency": "string"})
ACCOUNTS = ("A", "B", "C", "D", "E", "F")
PRODUCTS = ("core", "api", "seats")
FIRST_DAY, LAST_DAY = dt.date(2023, 1, 1), dt.date(2025, 6, 30)
# month-ends and mid-month days; lines may start after as_of (they are then unknown)
AS_OF_DATES = (dt.date(2024, 2, 29), dt.date(2024, 11, 13), dt.date(2025, 6, 30), dt.date(2025, 9, 15))
ZERO = Decimal(0)
PROPERTY_SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

mrr_values = st.one_of(
    st.just(ZERO),
    st.sampled_from([Decimal("10"), Decimal("99.99"), Decimal("0.0001"), Decimal("1200.5")]),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("50000"), places=4, allow_nan=False,
                allow_infinity=False),
)


@st.composite
def subscription_lines(draw) -> list[dict]:
    """1–30 lines over a few accounts and products; any day of the month, open or closed, mrr ≥ 0."""
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=30))):
        start = draw(st.dates(FIRST_DAY, LAST_DAY))
        days = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=800)))
        rows.append({
            "subscription_id": f"S{number}",
            "account_id": draw(st.sampled_from(ACCOUNTS)),
            "product": draw(st.sampled_from(PRODUCTS)),
            "start_date": start,
            "end_date": None if days is None else start + dt.timedelta(days=days),
            "mrr": draw(mrr_values),
            "currency": "USD",
        })
    return rows


as_of_dates = st.sampled_from(AS_OF_DATES)
entities = st.sampled_from([revenue.ACCOUNT, revenue.ACCOUNT_PRODUCT])


def last_month_index(as_of: dt.date) -> int:
    """The month index (year × 12 + month − 1) of the last month-end on or before as_of."""
    is_month_end = (as_of + dt.timedelta(days=1)).month != as_of.month
    return as_of.year * 12 + as_of.month - 1 - (0 if is_month_end else 1)


def month_end_date(index: int) -> dt.date:
    year, month = divmod(index + 1, 12)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


@functools.cache
def compiled(kind: str, as_of: dt.date, by: tuple[str, ...], option: int | None = None) -> str:
    """The SQL of one metric expression over the table `lines`."""
    lines = lines_in_base_currency(ibis.table(SCHEMA, name="lines"), None, base_currency="USD", as_of=as_of)
    mrr = revenue.month_end_mrr(lines, as_of=as_of, by=by)
    if kind == "mrr":
        expr = mrr
    elif kind == "movements":
        expr = revenue.movements(mrr, as_of=as_of, by=by, reactivation_window_months=option)
    elif kind == "bridge":
        expr = revenue.monthly_bridge(revenue.movements(mrr, as_of=as_of, by=by, reactivation_window_months=option))
    else:
        end_months = list(range(FIRST_DAY.year * 12, last_month_index(as_of) + 1))
        expr = revenue.retention(mrr, end_months=end_months, window_months=option, by=by)
    return str(ibis.to_sql(expr, dialect="duckdb"))


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def run(con: duckdb.DuckDBPyConnection, rows: list[dict], kind: str, as_of: dt.date, by: tuple[str, ...],
        option: int | None = None) -> list[dict]:
    incoming = pa.Table.from_pylist(rows, schema=SCHEMA.to_pyarrow())
    con.register("incoming_lines", incoming)
    con.execute("CREATE OR REPLACE TEMP TABLE lines AS SELECT * FROM incoming_lines")
    con.unregister("incoming_lines")
    return con.execute(compiled(kind, as_of, by, option)).to_arrow_table().to_pylist()


@PROPERTY_SETTINGS
@given(rows=subscription_lines(), as_of=as_of_dates, by=entities)
def test_month_end_mrr_is_the_sum_of_the_lines_in_force(con, rows, as_of, by):
    """Every month-end e: MRR = Σ mrr of the known lines with start ≤ e < end; a row only when > 0."""
    got = {(*(r[k] for k in by), r["month"]): r["mrr"] for r in run(con, rows, "mrr", as_of, by)}
    expected: dict[tuple, Decimal] = defaultdict(Decimal)
    for r in rows:
        if r["start_date"] > as_of:
            continue
        first = r["start_date"].year * 12 + r["start_date"].month - 1
        for month in range(first, last_month_index(as_of) + 1):
            end = month_end_date(month)
            if r["start_date"] <= end and (r["end_date"] is None or end < r["end_date"]):
                expected[(*(r[k] for k in by), month)] += r["mrr"]
    assert got == {key: value for key, value in expected.items() if value > 0}


@PROPERTY_SETTINGS
@given(rows=subscription_lines(), as_of=as_of_dates, by=entities, window=st.sampled_from([None, 0, 2, 6]))
def test_movements_add_up_and_chain_month_to_month(con, rows, as_of, by, window):
    moves = sorted(run(con, rows, "movements", as_of, by, window), key=lambda r: (*(r[k] for k in by), r["month"]))
    last = last_month_index(as_of)
    start: dict[tuple, Decimal] = {}
    end: dict[tuple, Decimal] = {}
    last_paid: dict[tuple, int] = {}
    for r in moves:
        entity, month = tuple(r[k] for k in by), r["month"]
        assert month <= last
        # mrr_start + change = mrr_end, exactly
        assert r["mrr_start"] + r["change"] == r["mrr_end"]
        assert r["mrr_start"] >= 0 and r["mrr_end"] >= 0 and (r["mrr_start"] > 0 or r["mrr_end"] > 0)
        # the movement is what the start, the end and the entity's past say it is
        if r["mrr_start"] == 0:
            returned = entity in last_paid and (window is None or month - (last_paid[entity] + 1) <= window)
            assert r["movement"] == ("reactivation" if returned else "new")
        elif r["mrr_end"] == 0:
            assert r["movement"] == "churn" and r["change"] == -r["mrr_start"]
        else:
            sign = (r["mrr_end"] > r["mrr_start"]) - (r["mrr_end"] < r["mrr_start"])
            assert r["movement"] == {1: "expansion", -1: "contraction", 0: "flat"}[sign]
        if r["mrr_end"] > 0:
            last_paid[entity] = month
        start[entity, month], end[entity, month] = r["mrr_start"], r["mrr_end"]

    # month-over-month continuity: each month starts where the previous one ended (no row = 0)
    if start:
        first = min(month for _, month in start)
        for entity in {entity for entity, _ in start}:
            for month in range(first, last + 1):
                assert start.get((entity, month), ZERO) == end.get((entity, month - 1), ZERO), (entity, month)

    # the bridge: start + Σ movements = end every month, ends are the entities' sums, months chain
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for (_, month), value in end.items():
        totals[month] += value
    bridge = sorted(run(con, rows, "bridge", as_of, by, window), key=lambda r: r["month"])
    assert [r["month"] for r in bridge] == sorted({month for _, month in start})
    previous: tuple[int, Decimal] | None = None
    for r in bridge:
        assert r["mrr_start"] + sum(r[name] for name in revenue.MOVEMENTS) == r["mrr_end"]
        assert r["mrr_end"] == totals[r["month"]]
        if previous is not None and r["month"] == previous[0] + 1:
            assert r["mrr_start"] == previous[1]
        previous = r["month"], r["mrr_end"]


@PROPERTY_SETTINGS
@given(rows=subscription_lines(), as_of=as_of_dates, by=entities, window_months=st.sampled_from([1, 3, 12]))
def test_retention_rates_are_bounded(con, rows, as_of, by, window_months):
    """0 ≤ GRR ≤ 1, GRR ≤ NRR, 0 ≤ logo churn ≤ 1, 0 ≤ dollar churn ≤ 1 − GRR, at every month-end."""
    retained = run(con, rows, "retention", as_of, by, window_months)
    for r in retained:
        assert r["accounts_start"] > 0 and r["mrr_start"] > 0
        assert 0 <= r["accounts_lost"] <= r["accounts_start"]
        assert 0 <= r["grr"] <= 1 + 1e-12
        assert r["grr"] <= r["nrr"] + 1e-12
        assert 0 <= r["logo_churn"] <= 1
        assert 0 <= r["dollar_churn"] <= 1 - r["grr"] + 1e-12
        assert r["nrr"] == pytest.approx(float(r["mrr_end"]) / float(r["mrr_start"]), rel=1e-12)
        assert (r["logo_churn"] == 1) == (r["mrr_end"] == 0)
    # one row per month-end whose window start has a paying entity
    mrr = run(con, rows, "mrr", as_of, by)
    paying_months = {r["month"] for r in mrr}
    expected_months = {m + window_months for m in paying_months
                       if FIRST_DAY.year * 12 <= m + window_months <= last_month_index(as_of)}
    assert {r["month"] for r in retained} == expected_months
