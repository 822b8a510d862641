"""Every rule of the data contract rejects a bad file, names where the problem is, and changes nothing.

Each case is one file under `tests/data/bad/` with exactly one problem, loaded on top of the
valid baseline (`tests/data/good/baseline/`, see conftest.py). The table below holds what the
load must report: the rule, every row it names (data rows from 1, the header is row 0, None for
a problem of the whole file), the column and the value as the problem shows it (typed values
are shown as parsed: decimals with 4 places, enum values lower-cased, currency codes
upper-cased, timestamps in UTC). The warehouse's fingerprint must be exactly the same after
the rejected load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tenure.contract.load import load
from tenure.errors import DataContractError, Problem

from .helpers import BAD, fingerprint

# Rules found by checking the staged rows (validate.py): they carry a count per rule in
# DataContractError.total_by_rule, keyed "<table>.<column>: <rule>" (naive_timestamp is also a
# rule of a whole Parquet column, found while reading the file).
ROW_RULES = {"required", "type", "naive_timestamp", "enum", "currency", "range", "future", "formula_injection",
             "date_order", "duplicate_key", "unknown_reference", "fx_missing"}


@dataclass(frozen=True)
class Case:
    path: str  # under tests/data/bad; the folder is <table>__<problem>
    rule: str
    rows: tuple[int | None, ...]  # every row the rule names, in order
    column: str | None
    value: str | None
    table: str | None = None  # the table_name argument (--table)
    timezone: str | None = None  # the timezone argument (--timezone)
    file: str | None = None  # what the problem names instead of the path ("--table", "--timezone")

    @property
    def id(self) -> str:
        return self.path.split("/")[0]


S, A, E = "subscriptions", "accounts", "events"

CASES = [
    # -- type: a value that does not parse as its column's type -----------------------------------------------
    Case(f"{S}__text_in_decimal/{S}.csv", "type", (2,), "mrr", "forty"),
    Case(f"{S}__thousands_separator/{S}.csv", "type", (2,), "mrr", "1,200.00"),
    Case(f"{S}__currency_symbol_in_decimal/{S}.csv", "type", (2,), "mrr", "$40"),
    Case(f"{S}__impossible_date/{S}.csv", "type", (2,), "start_date", "2024-02-30"),
    Case(f"{S}__date_not_iso/{S}.csv", "type", (2,), "start_date", "15/01/2024"),
    Case(f"{E}__bad_timestamp/{E}.csv", "type", (2,), "timestamp", "2024-03-01T25:00:00Z"),
    Case(f"{S}__bad_integer/{S}.csv", "type", (2,), "quantity", "3.5"),
    Case(f"{S}__bad_boolean/{S}.csv", "type", (2,), "auto_renew", "yes"),
    # -- naive_timestamp: no UTC offset and no --timezone ----------------------------------------------------
    Case(f"{E}__naive_timestamp/{E}.csv", "naive_timestamp", (2,), "timestamp", "2024-03-01 10:30:00"),
    Case(f"{E}__naive_timestamp_parquet/{E}.parquet", "naive_timestamp", (None,), "timestamp", "TIMESTAMP"),
    # -- header: missing_column, duplicate_column -------------------------------------------------------------
    Case(f"{S}__missing_column/{S}.csv", "missing_column", (0,), "currency", None),
    Case(f"{A}__duplicate_column/{A}.csv", "duplicate_column", (0,), "Name", None),
    Case(f"{A}__duplicate_unknown_column/{A}.csv", "duplicate_column", (0,), "notes", None),
    # -- required: an empty value in a required column --------------------------------------------------------
    Case(f"{A}__missing_value/{A}.csv", "required", (2,), "name", None),
    # -- duplicate_key: reported on every row holding the key; the column is the key's last ------------------
    Case(f"{S}__duplicate_key/{S}.csv", "duplicate_key", (1, 3), "subscription_id", "S10"),
    Case("fx_rates__duplicate_composite_key/fx_rates.csv", "duplicate_key", (1, 3), "date", "2024-01-01"),
    Case("account_team__duplicate_composite_key/account_team.csv", "duplicate_key", (1, 3), "role", "csm"),
    # -- unknown_reference: neither in the warehouse nor in the load -----------------------------------------
    Case(f"{S}__unknown_account/{S}.csv", "unknown_reference", (2,), "account_id", "A404"),
    Case("activities__unknown_person/activities.csv", "unknown_reference", (2,), "person_id", "P404"),
    Case(f"{A}__unknown_owner_csm/{A}.csv", "unknown_reference", (2,), "owner_csm_id", "P404"),
    Case(f"{A}__unknown_parent_account/{A}.csv", "unknown_reference", (2,), "parent_account_id", "A404"),
    # -- date_order -------------------------------------------------------------------------------------------
    Case(f"{S}__end_before_start/{S}.csv", "date_order", (2,), "end_date", "2024-01-31"),
    Case(f"{S}__end_equals_start/{S}.csv", "date_order", (2,), "end_date", "2024-02-01"),
    Case(f"{S}__renewal_before_start/{S}.csv", "date_order", (2,), "renewal_date", "2023-02-01"),
    # resolved 10:29:59+01:00 is 09:29:59 UTC, one second before created_at 09:30:00Z (equal is allowed: row 1)
    Case("tickets__resolved_before_created/tickets.csv", "date_order", (2,), "resolved_at", "2024-03-01 09:29:59"),
    Case("opportunities__close_before_created/opportunities.csv", "date_order", (2,), "close_date", "2024-05-31"),
    Case("team__left_before_hired/team.csv", "date_order", (2,), "left_at", "2023-03-31"),
    # -- range ------------------------------------------------------------------------------------------------
    Case(f"{S}__negative_mrr/{S}.csv", "range", (2,), "mrr", "-120.5000"),
    Case(f"{S}__zero_term_months/{S}.csv", "range", (2,), "term_months", "0"),
    Case(f"{A}__negative_employees/{A}.csv", "range", (2,), "employees", "-3"),
    Case("opportunities__probability_above_one/opportunities.csv", "range", (2,), "probability", "1.5000"),
    Case(f"{E}__zero_count/{E}.csv", "range", (2,), "count", "0"),
    Case("fx_rates__zero_rate/fx_rates.csv", "range", (2,), "rate_to_base", "0.0000"),
    # -- currency, enum, fx_missing ---------------------------------------------------------------------------
    Case(f"{S}__unknown_currency/{S}.csv", "currency", (2,), "currency", "XYZ"),
    Case(f"{S}__billing_period_not_allowed/{S}.csv", "enum", (2,), "billing_period", "weekly"),
    Case("surveys__type_not_allowed/surveys.csv", "enum", (2,), "type", "ces"),
    Case(f"{S}__currency_without_fx_rates/{S}.csv", "fx_missing", (2,), "currency", "EUR"),
    # -- future: facts dated more than a day after the load ---------------------------------------------------
    Case(f"{A}__created_in_future/{A}.csv", "future", (2,), "created_at", "2099-01-01"),
    Case(f"{E}__timestamp_in_future/{E}.csv", "future", (2,), "timestamp", "2099-03-01 09:30:00"),
    # -- formula_injection ------------------------------------------------------------------------------------
    Case(f"{A}__formula_injection/{A}.csv", "formula_injection", (2,), "name",
         '=HYPERLINK("http://evil.example","x")'),
    Case(f"{S}__formula_in_product/{S}.csv", "formula_injection", (2,), "product", "-2+3+cmd|' /C calc'!A0"),
    # -- the file itself --------------------------------------------------------------------------------------
    Case(f"{A}__latin1_in_row/{A}.csv", "encoding", (2,), None, None),
    Case(f"{A}__latin1_in_header/{A}.csv", "encoding", (0,), None, None),
    Case(f"{A}__latin1_after_8kb/{A}.csv", "encoding", (301,), None, None),
    Case(f"{A}__utf16/{A}.csv", "encoding", (None,), None, None),
    Case(f"{A}__empty_file/{A}.csv", "empty_file", (None,), None, None),
    Case(f"{A}__blank_header/{A}.csv", "empty_file", (None,), None, None),
    Case(f"{A}__header_only/{A}.csv", "no_rows", (None,), None, None),
    Case(f"{A}__semicolon_delimiter/{A}.csv", "delimiter", (0,), None, "account_id;name;created_at"),
    Case(f"{A}__extra_field/{A}.csv", "column_count", (2,), None, None),
    Case(f"{A}__short_row/{A}.csv", "column_count", (2,), None, None),
    Case(f"{A}__unterminated_quote/{A}.csv", "truncated", (2,), None, None),
    Case(f"{S}__parquet_wrong_type/{S}.parquet", "parquet_type", (None,), "start_date", "VARCHAR"),
    Case(f"{S}__not_parquet/{S}.parquet", "unreadable", (None,), None, None),
    # -- placing files in tables, and the load's options ------------------------------------------------------
    Case("widgets__unknown_table/widgets.csv", "unknown_table", (None,), None, None),
    Case("table_option__unknown_table/export.csv", "unknown_table", (None,), None, "widgets", table="widgets",
         file="--table"),
    Case(f"{A}__file_type/{A}.xlsx", "file_type", (None,), None, None),
    Case("folder__no_data_files", "empty_folder", (None,), None, None),
    Case(f"{E}__unknown_timezone/{E}.csv", "timezone", (None,), None, "Mars/Olympus", timezone="Mars/Olympus",
         file="--timezone"),
]


def test_every_case_file_exists_and_every_bad_file_has_a_case():
    paths = {case.path for case in CASES}
    assert len(paths) == len(CASES)
    assert all((BAD / path).exists() for path in paths)
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert folders == {case.id for case in CASES}


def test_every_rule_of_the_contract_has_a_case():
    covered = {case.rule for case in CASES}
    # csv_syntax is the reader's fallback for a CSV error DuckDB does not classify; no small file reaches it.
    assert covered == ROW_RULES | {
        "missing_column", "duplicate_column", "parquet_type", "encoding", "empty_file", "no_rows", "delimiter",
        "column_count", "truncated", "unreadable", "unknown_table", "file_type", "empty_folder", "timezone",
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_file_is_rejected_with_its_location_and_changes_nothing(case, baseline, load_into):
    path = BAD / case.path
    before = fingerprint(baseline)
    assert set(before) == {"team", "accounts", "subscriptions"}

    with pytest.raises(DataContractError) as caught:
        load_into(baseline, path, table=case.table, timezone=case.timezone)

    problems = caught.value.problems
    found = [(p.rule, p.file, p.row, p.column, p.value) for p in problems]
    expected = [(case.rule, case.file or str(path), row, case.column, case.value) for row in case.rows]
    assert found == expected
    assert all(p.message for p in problems)
    if case.rule in ROW_RULES and None not in case.rows:
        table = case.id.split("__")[0]
        assert caught.value.total_by_rule == {f"{table}.{case.column}: {case.rule}": len(case.rows)}
    assert fingerprint(baseline) == before


def test_a_rejected_load_leaves_no_staging_behind_and_the_next_load_applies(baseline, load_into, tmp_path):
    with pytest.raises(DataContractError):
        load_into(baseline, BAD / f"{S}__negative_mrr/{S}.csv")
    temporary = baseline.warehouse.raw().execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    assert temporary == []

    fixed = tmp_path / "fixed" / "subscriptions.csv"
    fixed.parent.mkdir()
    fixed.write_text("subscription_id,account_id,product,start_date,mrr,currency\n"
                     "S10,A1,addon,2024-01-01,40.00,USD\nS11,A2,addon,2024-02-01,120.50,USD\n", encoding="utf-8")
    report = load_into(baseline, fixed)
    assert (report.changes["subscriptions"].inserted, report.changes["subscriptions"].total) == (2, 4)


def test_a_missing_path_is_named_and_nothing_is_read(baseline, load_into):
    before = fingerprint(baseline)
    missing = BAD / "no_such_folder" / "accounts.csv"
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, BAD / f"{A}__created_in_future/{A}.csv", missing)
    assert [(p.rule, p.file, p.row) for p in caught.value.problems] == [("missing_file", str(missing), None)]
    assert fingerprint(baseline) == before


def test_each_rule_lists_its_first_ten_rows_and_counts_them_all(baseline, load_into, tmp_path):
    path = tmp_path / "subscriptions.csv"
    rows = [f"S{i},A1,seat-{i},2024-01-01,{-i}.5,USD" for i in range(100, 125)]
    path.write_text("subscription_id,account_id,product,start_date,mrr,currency\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    before = fingerprint(baseline)
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, path)
    assert [(p.rule, p.row, p.value) for p in caught.value.problems] == [
        ("range", row, f"-{99 + row}.5000") for row in range(1, 11)
    ]
    assert caught.value.total_by_rule == {"subscriptions.mrr: range": 25}
    assert str(caught.value).startswith(f"25 problem(s) in the input; first: {path}, row 1, column mrr:")
    assert fingerprint(baseline) == before


def test_every_problem_of_every_file_is_reported_together(baseline, load_into, tmp_path):
    """Row-level problems of several files and tables come back in one error, each in its own file."""
    (tmp_path / "accounts.csv").write_text("account_id,name,created_at\nA4,Delta,2023-05-02\nA5,,2023-05-03\n",
                                           encoding="utf-8")
    (tmp_path / "subscriptions.csv").write_text(
        "subscription_id,account_id,product,start_date,mrr,currency\n"
        "S10,A4,core,2024-01-01,40,USD\nS11,A5,core,2024-01-01,40,GBP\n", encoding="utf-8")
    before = fingerprint(baseline)
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, tmp_path)
    assert sorted((Path(p.file).name, p.row, p.column, p.rule) for p in caught.value.problems) == [
        ("accounts.csv", 2, "name", "required"),
        ("subscriptions.csv", 2, "currency", "fx_missing"),
    ]
    assert fingerprint(baseline) == before


def test_a_key_repeated_across_two_files_names_both_files(baseline, load_into, tmp_path):
    folder = tmp_path / "subscriptions"
    folder.mkdir()
    header = "subscription_id,account_id,product,start_date,mrr,currency\n"
    (folder / "part-1.csv").write_text(header + "S10,A1,addon,2024-01-01,40,USD\n", encoding="utf-8")
    (folder / "part-2.csv").write_text(header + "S11,A2,addon,2024-01-01,40,USD\nS10,A2,api,2024-02-01,9,USD\n",
                                       encoding="utf-8")
    before = fingerprint(baseline)
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, folder)
    assert caught.value.problems == [
        Problem(str(folder / "part-1.csv"), 1, "subscription_id", "S10", "duplicate_key",
                "the key (subscription_id) appears more than once in this load"),
        Problem(str(folder / "part-2.csv"), 2, "subscription_id", "S10", "duplicate_key",
                "the key (subscription_id) appears more than once in this load"),
    ]
    assert fingerprint(baseline) == before


def test_references_to_accounts_need_accounts_loaded(empty_workspace, tmp_path):
    path = tmp_path / "subscriptions.csv"
    path.write_text("subscription_id,account_id,product,start_date,mrr,currency\nS1,A1,core,2024-01-01,40,USD\n",
                    encoding="utf-8")
    with pytest.raises(DataContractError) as caught:
        load([path], warehouse=empty_workspace.warehouse)
    assert [(p.rule, p.row, p.column, p.value) for p in caught.value.problems] == [
        ("unknown_reference", 1, "account_id", "A1")
    ]
    assert fingerprint(empty_workspace) == {}


def test_a_csv_error_after_a_multi_line_value_names_the_row_and_the_files_line(baseline, load_into, tmp_path):
    """Rows count records; a quoted value may span lines, so the file's line number is told apart (README)."""
    path = tmp_path / "accounts.csv"
    path.write_text('account_id,name,created_at\nA4,"Delta\nLogistics\nGroup",2023-05-02\nA5,Epsilon,2023-05-03,x\n',
                    encoding="utf-8")
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.row) == ("column_count", 2)
    assert problem.message == "Expected Number of Columns: 3 Found: 4 (line 5 of the file)"
