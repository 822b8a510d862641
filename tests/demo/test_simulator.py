"""The demo company obeys the data contract, is deterministic, and carries real signals.

Contract rules are read from `tenure.contract.schemas`, so a rule added there is checked
here without a new test. The company is small (200 accounts × 24 months) and generated once.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.contract.currencies import ISO_4217
from tenure.contract.load import load
from tenure.contract.schemas import TABLES, Kind
from tenure.demo.catalog import EVENT_NAMES, IS_BASIC
from tenure.demo.simulator import generate
from tenure.warehouse import Warehouse

END = dt.date(2025, 6, 30)
ACCOUNTS, MONTHS = 200, 24
ARROW = {Kind.STRING: pa.string(), Kind.DATE: pa.date32(), Kind.TIMESTAMP: pa.timestamp("us", tz="UTC"),
         Kind.DECIMAL: pa.float64(), Kind.INTEGER: pa.int64(), Kind.BOOLEAN: pa.bool_()}
BASIC_EVENTS = tuple(name for name, basic in zip(EVENT_NAMES, IS_BASIC, strict=True) if basic)


def files(folder: Path, name: str, suffix: str = "parquet") -> str:
    """The duckdb glob of a table's files."""
    return str(folder / "events" / f"part-*.{suffix}" if name == "events" else folder / f"{name}.{suffix}")


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("company")
    return out, generate(out, accounts=ACCOUNTS, months=MONTHS, seed=7, end=END)


@pytest.fixture(scope="module")
def con(company: tuple[Path, dict[str, int]]) -> duckdb.DuckDBPyConnection:
    folder, _ = company
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'").fetchall()
    for name in TABLES:
        connection.execute(f"CREATE VIEW {name} AS FROM read_parquet('{files(folder, name)}')").fetchall()
    return connection


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


def rows_where(con: duckdb.DuckDBPyConnection, table: str, condition: str) -> int:
    """How many rows of a table meet a condition (a rule's violations)."""
    return scalar(con, f"SELECT count(*) FROM {table} WHERE {condition}")


def test_every_table_is_written_with_the_rows_reported(company, con):
    folder, rows = company
    assert set(rows) == set(TABLES)
    for name, count in rows.items():
        assert count > 0, name
        assert scalar(con, f"SELECT count(*) FROM {name}") == count, name
    assert sorted(p.name for p in (folder / "events").iterdir())[0] == "part-00000.parquet"


def test_same_seed_gives_identical_files_and_another_seed_does_not(company, tmp_path):
    folder, _ = company
    again, other = tmp_path / "again", tmp_path / "other"
    generate(again, accounts=ACCOUNTS, months=MONTHS, seed=7, end=END)
    generate(other, accounts=ACCOUNTS, months=MONTHS, seed=8, end=END)
    written = sorted(p.relative_to(folder) for p in folder.rglob("*.parquet"))
    assert written == sorted(p.relative_to(again) for p in again.rglob("*.parquet"))
    for path in written:
        assert (folder / path).read_bytes() == (again / path).read_bytes(), path
    for path in (Path("subscriptions.parquet"), Path("events/part-00000.parquet")):
        assert (folder / path).read_bytes() != (other / path).read_bytes(), path


def test_files_hold_exactly_the_contract_columns_with_their_types(company):
    folder, _ = company
    for name, spec in TABLES.items():
        parts = sorted((folder / "events").glob("part-*.parquet"))
        for path in parts if name == "events" else [folder / f"{name}.parquet"]:
            schema = pq.read_schema(path)
            assert schema.names == [c.name for c in spec.columns], path
            for column in spec.columns:
                assert schema.field(column.name).type == ARROW[column.kind], (path, column.name)


def test_keys_are_unique(con):
    for name, spec in TABLES.items():
        if spec.key:
            key = ", ".join(spec.key)
            assert scalar(con, f"SELECT count(*) - count(DISTINCT ({key})) FROM {name}") == 0, name


def test_every_reference_resolves(con):
    for name, spec in TABLES.items():
        for column in spec.columns:
            if column.references:
                target, key = column.references
                missing = rows_where(con, name, f"{column.name} NOT IN (SELECT {key} FROM {target})")
                assert missing == 0, (name, column.name)


def test_every_column_rule_holds(con):
    codes = ", ".join(f"'{code}'" for code in sorted(ISO_4217))
    for name, spec in TABLES.items():
        for c in spec.columns:
            broken = []
            if c.required:
                broken.append(f"{c.name} IS NULL")
            if c.allowed:
                broken.append(f"{c.name} NOT IN ({', '.join(repr(v) for v in c.allowed)})")
            if c.minimum is not None:
                broken.append(f"{c.name} {'<=' if c.exclusive_minimum else '<'} {c.minimum}")
            if c.maximum is not None:
                broken.append(f"{c.name} > {c.maximum}")
            if c.currency:
                broken.append(f"{c.name} NOT IN ({codes})")
            if c.kind is Kind.STRING:
                broken.append(f"regexp_matches({c.name}, '^\\s*([=@]|[+-].*[(|!])')")
            for condition in broken:
                assert rows_where(con, name, condition) == 0, (name, condition)
        for earlier, later, strict in spec.date_order:
            assert rows_where(con, name, f"{later} {'<=' if strict else '<'} {earlier}") == 0, (name, later)


def test_nothing_happens_after_the_end_of_history(con):
    next_day = END + dt.timedelta(days=1)
    bounds = {Kind.TIMESTAMP: f"TIMESTAMPTZ '{next_day} 00:00:00+00'", Kind.DATE: f"DATE '{next_day}'"}
    facts = [(name, c) for name, spec in TABLES.items() for c in spec.columns if c.not_in_future]
    also = [("tickets", "resolved_at"), ("contacts", "left_at"), ("team", "left_at"), ("team", "hired_at"),
            ("features", "released_at"), ("subscriptions", "start_date"), ("fx_rates", "date")]
    for name, column in facts + [(name, TABLES[name].column(column)) for name, column in also]:
        assert rows_where(con, name, f"{column.name} >= {bounds[column.kind]}") == 0, (name, column.name)


def test_segment_mix_and_installed_base(con):
    shares = dict(con.execute("SELECT segment, count(*) / sum(count(*)) OVER () FROM accounts GROUP BY 1")
                  .fetchall())
    assert abs(shares["Enterprise"] - 0.10) < 0.06
    assert abs(shares["Mid-Market"] - 0.30) < 0.08
    assert abs(shares["SMB"] - 0.60) < 0.08
    start = END.replace(year=END.year - 2) + dt.timedelta(days=1)
    installed = scalar(con, f"SELECT count(DISTINCT account_id) FROM subscriptions "
                            f"WHERE start_date < DATE '{start}'")
    assert 0.15 < installed / ACCOUNTS < 0.35


def test_subscription_lines_are_immutable_price_periods(con):
    overlapping = scalar(con, """
        SELECT count(*) FROM (
            SELECT end_date, lead(start_date) OVER w AS next_start FROM subscriptions
            WINDOW w AS (PARTITION BY account_id, product ORDER BY start_date))
        WHERE next_start IS NOT NULL AND (end_date IS NULL OR next_start < end_date)""")
    assert overlapping == 0
    assert rows_where(con, "subscriptions", "product <> 'platform' AND quantity IS NOT NULL") == 0
    assert rows_where(con, "subscriptions", "product = 'platform' AND quantity IS NULL") == 0
    trials = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE p.start_date = t.end_date) FROM subscriptions t
        JOIN subscriptions p ON p.account_id = t.account_id AND p.mrr > 0 AND p.start_date = t.end_date
        WHERE t.mrr = 0""").fetchall()[0]
    assert trials[0] > 0 and trials[0] == trials[1]


def test_first_contracts_are_won_new_deals_with_their_sales_promises(con):
    unmatched = scalar(con, """
        WITH first_paid AS (
            SELECT account_id, min(start_date) AS day FROM subscriptions WHERE mrr > 0 GROUP BY 1)
        SELECT count(*) FROM first_paid f WHERE NOT EXISTS (
            SELECT 1 FROM opportunities o WHERE o.account_id = f.account_id AND o.type = 'new'
            AND o.status = 'won' AND o.close_date = f.day AND o.success_criteria_agreed IS NOT NULL)""")
    assert unmatched == 0
    assert rows_where(con, "opportunities", "status = 'lost' AND churn_reason IS NULL") == 0
    assert rows_where(con, "opportunities", f"status = 'open' AND close_date <= DATE '{END}'") == 0


def test_foreign_currency_lines_have_a_rate_in_force(con):
    assert scalar(con, "SELECT count(DISTINCT currency) FROM subscriptions") >= 2
    assert scalar(con, """
        SELECT count(*) FROM subscriptions s WHERE currency <> 'USD' AND NOT EXISTS (
            SELECT 1 FROM fx_rates f WHERE f.currency = s.currency AND f.date <= s.start_date)""") == 0


def test_no_feature_is_used_before_its_release(con):
    early = scalar(con, "SELECT count(*) FROM events e JOIN features f USING (event) "
                        "WHERE CAST(e.timestamp AS DATE) < f.released_at")
    assert early == 0
    released_in_window = scalar(con, f"SELECT count(*) FROM features WHERE released_at > DATE '{END}' - 365")
    assert released_in_window >= 2


def test_churned_accounts_used_less_in_the_months_before_churn(con):
    """Active users per seat in the 4 months before churn are well below retained accounts'."""
    before, retained, churned = con.execute("""
        WITH churned AS (
            SELECT account_id, max(end_date) AS churn_day FROM subscriptions WHERE mrr > 0 GROUP BY 1
            HAVING count(*) FILTER (WHERE end_date IS NULL) = 0),
        monthly AS (
            SELECT account_id, date_trunc('month', timestamp)::DATE AS month, count(DISTINCT user_id) AS users
            FROM events GROUP BY ALL),
        share AS (
            SELECT m.account_id, m.month, any_value(m.users) / max(s.quantity) AS active_share FROM monthly m
            JOIN subscriptions s ON s.account_id = m.account_id AND s.product = 'platform'
            AND s.start_date <= m.month + 14 AND (s.end_date IS NULL OR s.end_date > m.month + 14)
            GROUP BY m.account_id, m.month)
        SELECT
            avg(active_share) FILTER (WHERE c.churn_day IS NOT NULL
                AND s.month >= date_trunc('month', c.churn_day) - INTERVAL 4 MONTH
                AND s.month < date_trunc('month', c.churn_day)),
            avg(active_share) FILTER (WHERE c.churn_day IS NULL),
            count(DISTINCT c.account_id)
        FROM share s LEFT JOIN churned c USING (account_id)""").fetchall()[0]
    assert churned >= 15
    assert before < 0.85 * retained


def test_zombie_accounts_log_in_steadily_but_never_go_beyond_the_basics(con):
    basics = ", ".join(f"'{name}'" for name in BASIC_EVENTS)
    zombies, long_lived = con.execute(f"""
        WITH months AS (
            SELECT account_id, count(DISTINCT date_trunc('month', timestamp)) AS active_months,
                   datediff('month', min(timestamp), max(timestamp)) + 1 AS span,
                   count(*) FILTER (WHERE event NOT IN ({basics})) AS deeper
            FROM events GROUP BY 1)
        SELECT count(*) FILTER (WHERE deeper = 0 AND active_months >= 0.8 * span), count(*)
        FROM months WHERE span >= 9""").fetchall()[0]
    assert zombies >= 3
    assert zombies / long_lived < 0.15


def test_owners_are_current_csms_of_the_accounts_segment(con):
    wrong = scalar(con, """
        SELECT count(*) FROM accounts a JOIN team t ON t.person_id = a.owner_csm_id
        WHERE t.role <> 'csm' OR t.segment <> a.segment OR t.left_at IS NOT NULL""")
    assert wrong == 0
    assert scalar(con, "SELECT count(*) FROM accounts WHERE owner_csm_id IS NULL") < 0.05 * ACCOUNTS


CSV_PATTERNS = {
    Kind.DATE: r"\d{4}-\d{2}-\d{2}",
    Kind.TIMESTAMP: r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z",
    Kind.BOOLEAN: r"true|false",
    Kind.INTEGER: r"-?\d+",
    Kind.DECIMAL: r"-?\d+(\.\d+)?",
}
DUCKDB_TYPES = {Kind.STRING: "VARCHAR", Kind.DATE: "DATE", Kind.TIMESTAMP: "TIMESTAMPTZ",
                Kind.DECIMAL: "DOUBLE", Kind.INTEGER: "BIGINT", Kind.BOOLEAN: "BOOLEAN"}


def test_csv_is_the_same_company_in_the_contracts_text_formats(tmp_path):
    parquet, csv = tmp_path / "parquet", tmp_path / "csv"
    small = {"accounts": 60, "months": 6, "seed": 3, "end": END}
    assert generate(parquet, **small) == generate(csv, file_format="csv", **small)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'").fetchall()
    for name, spec in TABLES.items():
        text = f"read_csv('{files(csv, name, 'csv')}', header=true, all_varchar=true)"
        assert [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {text}").fetchall()] == \
            [c.name for c in spec.columns], name
        for c in spec.columns:
            if c.kind in CSV_PATTERNS:
                bad = scalar(con, f"SELECT count(*) FROM {text} WHERE {c.name} IS NOT NULL "
                                  f"AND NOT regexp_full_match({c.name}, '{CSV_PATTERNS[c.kind]}')")
                assert bad == 0, (name, c.name)
        typed = "{" + ", ".join(f"'{c.name}': '{DUCKDB_TYPES[c.kind]}'" for c in spec.columns) + "}"
        from_csv = f"SELECT * FROM read_csv('{files(csv, name, 'csv')}', header=true, columns={typed})"
        from_parquet = f"SELECT * FROM read_parquet('{files(parquet, name)}')"
        for left, right in ((from_csv, from_parquet), (from_parquet, from_csv)):
            assert scalar(con, f"SELECT count(*) FROM ({left} EXCEPT ALL {right})") == 0, name


def test_bad_arguments_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="file_format"):
        generate(tmp_path / "x", file_format="xlsx")
    with pytest.raises(ValueError, match="at least 1"):
        generate(tmp_path / "x", accounts=0)
    assert not (tmp_path / "x").exists()


def test_progress_reports_every_stage_to_completion(tmp_path):
    seen: dict[str, tuple[int, int]] = {}
    generate(tmp_path, accounts=20, months=3, end=END, progress=lambda stage, done, total: seen.update(
        {stage: (done, total)}))
    assert set(seen) >= {"contracts", "tables", "events"}
    assert all(done == total for done, total in seen.values())
    assert re.fullmatch(r"part-\d{5}\.parquet", sorted(p.name for p in (tmp_path / "events").iterdir())[0])


def test_the_loader_accepts_the_company(company):
    """The contract's own loader validates every rule and loads the files without a problem."""
    folder, rows = company
    warehouse = Warehouse.from_backend(ibis.duckdb.connect())
    report = load([folder], warehouse=warehouse)
    assert {name: change.total for name, change in report.changes.items()} == rows
    assert {warning.rule for warning in report.warnings} <= {"zero_mrr"}
