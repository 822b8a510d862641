"""What a user sees when something is wrong: a message naming the problem, the documented exit code, never a traceback.

Exit codes (README, src/tenure/errors.py): 1 general, 2 configuration, 3 not found, 5 data
contract (load rejected), 6 workspace busy. Every command runs as a separate `tenure` process;
the warehouse is compared before and after with `Warehouse.fingerprint()`, the workspace
closed before each command (DuckDB allows one writer).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tenure.workspace import Workspace

from .helpers import Result, all_tables, assert_error, fingerprint, tenure

ACCOUNTS = (
    "account_id,name,created_at,segment,region\n"
    "A1,Acme,2024-01-01,SMB,EMEA\n"
    "A2,Beta,2024-02-01,Enterprise,NA\n"
    "A3,Gamma,2024-03-01,Mid-Market,APAC\n"
)
SUBSCRIPTIONS = (
    "subscription_id,account_id,product,start_date,mrr,currency\n"
    "S1,A1,core,2024-01-01,100,USD\n"
    "S2,A2,core,2024-03-01,250.50,USD\n"
    "S3,A3,core,2024-04-01,80,USD\n"
)
HEADER = "subscription_id,account_id,product,start_date,mrr,currency\n"


def problem_lines(result: Result) -> list[str]:
    """The lines of a rejected load's report that locate one problem in a row."""
    return [line.strip() for line in result.stderr.splitlines() if ", row " in line]


def copy_workspace(source: Path, into: Path) -> Path:
    root = into / "ws"
    shutil.copytree(source, root)
    return root


@pytest.fixture(scope="module")
def accounts_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed workspace made with `tenure init`, a valid accounts file loaded with `tenure load`."""
    base = tmp_path_factory.mktemp("accounts_only")
    root = base / "ws"
    made = tenure("init", root, cwd=base)
    assert made.returncode == 0, str(made)
    (base / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    loaded = tenure("--workspace", root, "load", base / "accounts.csv", cwd=base)
    assert loaded.returncode == 0, str(loaded)
    assert {name: rows for name, (rows, _hash) in fingerprint(root).items()} == {"accounts": 3}
    return root


@pytest.fixture(scope="module")
def with_subscriptions(accounts_only: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same workspace with three valid subscription lines as well."""
    base = tmp_path_factory.mktemp("with_subscriptions")
    root = copy_workspace(accounts_only, base)
    (base / "subscriptions.csv").write_text(SUBSCRIPTIONS, encoding="utf-8")
    loaded = tenure("--workspace", root, "load", base / "subscriptions.csv", cwd=base)
    assert loaded.returncode == 0, str(loaded)
    assert fingerprint(root)["subscriptions"][0] == 3
    return root


# -- the acceptance case ------------------------------------------------------------------------------


def test_negative_mrr_and_unknown_account_are_both_named_and_nothing_changes(accounts_only: Path, tmp_path: Path):
    root = copy_workspace(accounts_only, tmp_path)
    bad = tmp_path / "subscriptions.csv"
    bad.write_text(
        HEADER
        + "S1,A1,core,2024-01-01,100,USD\n"  # row 1: valid
        + "S2,A2,core,2024-03-01,-5,USD\n"  # row 2: negative mrr
        + "S3,NO-SUCH-ACCOUNT,core,2024-04-01,80,USD\n"  # row 3: unknown account
        + "S4,A3,core,2024-04-01,60,USD\n",  # row 4: valid
        encoding="utf-8",
    )
    before = fingerprint(root)

    out = tenure("--workspace", root, "load", bad, cwd=tmp_path)

    assert_error(out, 5, "rejected", "unchanged")
    lines = problem_lines(out)
    assert len(lines) == 2, out.stderr  # the two bad rows, and nothing about the valid ones
    negative = next((line for line in lines if "row 2" in line), None)
    assert negative is not None, out.stderr
    for words in (str(bad), "row 2", "column mrr", "value '-5", "range"):
        assert words in negative, (words, negative)
    unknown = next((line for line in lines if "row 3" in line), None)
    assert unknown is not None, out.stderr
    for words in (str(bad), "row 3", "column account_id", "'NO-SUCH-ACCOUNT'", "unknown_reference"):
        assert words in unknown, (words, unknown)
    assert "Loaded" not in out.stdout
    assert fingerprint(root) == before
    assert "subscriptions" not in all_tables(root)


def test_a_rejected_load_leaves_existing_rows_and_the_fixed_file_loads(with_subscriptions: Path, tmp_path: Path):
    root = copy_workspace(with_subscriptions, tmp_path)
    bad = tmp_path / "subscriptions.csv"
    bad.write_text(
        HEADER
        + "S1,A1,core,2024-01-01,999,USD\n"  # a valid change of an existing line
        + "S9,A2,addon,2024-05-01,-1.5,USD\n"
        + "S10,A404,core,2024-05-01,10,USD\n",
        encoding="utf-8",
    )
    before = fingerprint(root)
    out = tenure("--workspace", root, "load", bad, cwd=tmp_path)
    assert_error(out, 5, "row 2, column mrr", "row 3, column account_id", "'A404'")
    assert fingerprint(root) == before  # S1 keeps its mrr

    bad.write_text(HEADER + "S1,A1,core,2024-01-01,999,USD\n", encoding="utf-8")
    fixed = tenure("--workspace", root, "load", bad, cwd=tmp_path)
    assert fixed.returncode == 0, str(fixed)
    after = fingerprint(root)
    assert after["accounts"] == before["accounts"]
    assert after["subscriptions"][0] == 3 and after["subscriptions"] != before["subscriptions"]


# -- no workspace ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ("metrics", "revenue"),
    ("run",),
    ("load", "accounts.csv"),
])
def test_outside_any_workspace(tmp_path: Path, command: tuple[str, ...]):
    (tmp_path / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    out = tenure(*command, cwd=tmp_path)
    assert_error(out, 3, str(tmp_path), "not a tenure workspace", "tenure init", "--workspace")
    assert not (tmp_path / "warehouse.duckdb").exists() and not (tmp_path / "tenure.yaml").exists()


def test_workspace_option_naming_a_missing_folder(tmp_path: Path):
    out = tenure("--workspace", tmp_path / "nowhere", "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 3, str(tmp_path / "nowhere"), "not a tenure workspace")
    assert not (tmp_path / "nowhere").exists()


def test_a_workspace_with_no_subscriptions_says_to_load(accounts_only: Path, tmp_path: Path):
    out = tenure("--workspace", accounts_only, "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 3, "no subscriptions", "tenure load")


# -- tenure.yaml ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "words"), [
    ("fiscal_year_start_month: 13\n", ["key 'fiscal_year_start_month'", "less than or equal to 12", "13"]),
    ("fiscal_year_start_month: 0\n", ["key 'fiscal_year_start_month'", "greater than or equal to 1"]),
    ("fiscal_yaer_start_month: 2\n", ["key 'fiscal_yaer_start_month'", "unknown key"]),
    ("targets:\n  grr: 2\n", ["key 'targets.grr'", "(got 2)"]),
    ("targets:\n  gross: 0.9\n", ["key 'targets.gross'", "unknown key"]),
    ("revenue:\n  retention_window_months: twelve\n", ["key 'revenue.retention_window_months'", "'twelve'"]),
    ("base_currency: EURO\n", ["key 'base_currency'", "ISO 4217"]),
    ("targets:\n  grr: 0.9\n nrr: 1.1\n", ["not valid YAML", "line 3"]),
    ("- base_currency: USD\n", ["mapping"]),
], ids=["month-13", "month-0", "unknown-key", "grr-above-1", "unknown-nested-key", "not-an-integer",
        "bad-currency", "bad-indentation", "top-level-list"])
def test_a_bad_tenure_yaml_names_the_file_and_the_key(tmp_path: Path, text: str, words: list[str]):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "tenure.yaml").write_text(text, encoding="utf-8")
    out = tenure("--workspace", root, "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 2, str(root / "tenure.yaml"), *words)


def test_invalid_yaml_is_quoted_as_written(tmp_path: Path):
    """The YAML error quotes the offending line; here it holds `[usd`, which must reach the user verbatim."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "tenure.yaml").write_text("base_currency: [usd\n", encoding="utf-8")
    out = tenure("--workspace", root, "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 2, "tenure.yaml", "not valid YAML", "base_currency: [usd", "expected ',' or ']'")


def test_invalid_yaml_holding_a_path_in_brackets(tmp_path: Path):
    """`warehouse: [/srv/...` is invalid YAML: a configuration error (2), not a crash of the error printer."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "tenure.yaml").write_text("warehouse: [/srv/tenure/warehouse.duckdb\n", encoding="utf-8")
    out = tenure("--workspace", root, "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 2, "tenure.yaml", "not valid YAML", "/srv/tenure/warehouse.duckdb")


def test_a_key_given_twice_is_an_error(tmp_path: Path):
    """YAML forbids duplicate keys; taking the last one silently would let a stray line change a number."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "tenure.yaml").write_text("fiscal_year_start_month: 1\nfiscal_year_start_month: 7\n", encoding="utf-8")
    out = tenure("--workspace", root, "metrics", "revenue", cwd=tmp_path)
    assert_error(out, 2, "tenure.yaml", "fiscal_year_start_month")


# -- tenure load ----------------------------------------------------------------------------------------


def test_load_of_a_missing_path(accounts_only: Path, tmp_path: Path):
    root = copy_workspace(accounts_only, tmp_path)
    (tmp_path / "subscriptions.csv").write_text(SUBSCRIPTIONS, encoding="utf-8")
    before = fingerprint(root)
    # a valid file next to a missing one: all or nothing, the valid one is not loaded either
    out = tenure("--workspace", root, "load", "subscriptions.csv", "nowhere.csv", cwd=tmp_path)
    assert_error(out, 5, "nowhere.csv", "no such file or folder", "missing_file", "unchanged")
    assert fingerprint(root) == before
    assert "subscriptions" not in all_tables(root)


def test_load_of_a_folder_with_no_data_files(accounts_only: Path, tmp_path: Path):
    root = copy_workspace(accounts_only, tmp_path)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "notes.txt").write_text("nothing to load\n", encoding="utf-8")
    before = fingerprint(root)
    out = tenure("--workspace", root, "load", "exports", cwd=tmp_path)
    assert_error(out, 5, "exports", "no .csv or .parquet files", "empty_folder")
    assert fingerprint(root) == before


def test_load_of_a_file_named_after_no_table(accounts_only: Path, tmp_path: Path):
    root = copy_workspace(accounts_only, tmp_path)
    (tmp_path / "widgets.csv").write_text(SUBSCRIPTIONS, encoding="utf-8")
    before = fingerprint(root)
    out = tenure("--workspace", root, "load", "widgets.csv", cwd=tmp_path)
    assert_error(out, 5, "widgets.csv", "cannot tell the table", "--table", "unknown_table")
    assert fingerprint(root) == before


def test_load_into_an_unknown_table(accounts_only: Path, tmp_path: Path):
    root = copy_workspace(accounts_only, tmp_path)
    (tmp_path / "export.csv").write_text(SUBSCRIPTIONS, encoding="utf-8")
    before = fingerprint(root)
    out = tenure("--workspace", root, "load", "--table", "widgets", "export.csv", cwd=tmp_path)
    assert_error(out, 5, "unknown table 'widgets'", "known tables", "accounts", "subscriptions", "fx_rates")
    assert fingerprint(root) == before


# -- options of the views -------------------------------------------------------------------------------


def test_breakdown_by_an_unknown_column_lists_the_choices(with_subscriptions: Path, tmp_path: Path):
    out = tenure("--workspace", with_subscriptions, "metrics", "revenue", "--by", "nosuchcolumn", cwd=tmp_path)
    assert_error(out, 1, "'nosuchcolumn'", "product", "segment", "region", "industry", "owner_csm_id")
    assert out.stdout == ""


@pytest.mark.parametrize("value", ["not-a-date", "31/12/2025", "2025-02-30"])
def test_as_of_that_is_not_a_date(with_subscriptions: Path, tmp_path: Path, value: str):
    out = tenure("--workspace", with_subscriptions, "metrics", "revenue", "--as-of", value, cwd=tmp_path)
    assert_error(out, 1, "--as-of", repr(value), "YYYY-MM-DD")
    assert out.stdout == ""


def test_run_with_a_bad_as_of_stores_nothing(with_subscriptions: Path, tmp_path: Path):
    root = copy_workspace(with_subscriptions, tmp_path)
    tables = all_tables(root)
    out = tenure("--workspace", root, "run", "--as-of", "not-a-date", cwd=tmp_path)
    assert_error(out, 1, "--as-of", "'not-a-date'", "YYYY-MM-DD")
    assert all_tables(root) == tables
    assert "revenue_mrr" not in tables


@pytest.mark.parametrize(("option", "value"), [
    ("--by", "[/region]"),
    ("--as-of", "[today]"),
])
def test_a_bad_value_is_quoted_verbatim(with_subscriptions: Path, tmp_path: Path, option: str, value: str):
    """Values are echoed as typed, whatever characters they hold (the message is text, not markup)."""
    out = tenure("--workspace", with_subscriptions, "metrics", "revenue", option, value, cwd=tmp_path)
    assert_error(out, 1, option if option == "--as-of" else "break down", repr(value))


def test_a_busy_warehouse_is_refused(with_subscriptions: Path, tmp_path: Path):
    ws = Workspace.open(with_subscriptions)
    try:
        ws.warehouse.fingerprint()  # holds the DuckDB file open, as a running load would
        out = tenure("--workspace", with_subscriptions, "metrics", "revenue", cwd=tmp_path)
    finally:
        ws.close()
    assert_error(out, 6, "in use", "try again")


# -- tenure init ----------------------------------------------------------------------------------------


def test_init_on_an_existing_workspace_changes_nothing(with_subscriptions: Path, tmp_path: Path):
    config = (with_subscriptions / "tenure.yaml").read_bytes()
    before = fingerprint(with_subscriptions)
    out = tenure("init", with_subscriptions, cwd=tmp_path)
    assert_error(out, 2, str(with_subscriptions / "tenure.yaml"), "already")
    assert (with_subscriptions / "tenure.yaml").read_bytes() == config
    assert fingerprint(with_subscriptions) == before


def test_init_in_an_existing_folder_keeps_its_files(tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "accounts.csv").write_text(ACCOUNTS, encoding="utf-8")
    out = tenure("init", folder, cwd=tmp_path)
    assert out.returncode == 0, str(out)
    assert (folder / "tenure.yaml").is_file()
    assert (folder / "accounts.csv").read_text(encoding="utf-8") == ACCOUNTS


def test_init_with_an_unknown_currency_creates_nothing(tmp_path: Path):
    out = tenure("init", tmp_path / "ws", "--base-currency", "XYZ", cwd=tmp_path)
    assert_error(out, 2, "base_currency", "'XYZ'", "ISO 4217")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("command", [
    ("init", "taken"),
    ("init", "taken/ws"),
    ("demo", "generate", "--out", "taken", "--accounts", "5", "--months", "2"),
], ids=["init-onto-a-file", "init-under-a-file", "demo-out-onto-a-file"])
def test_a_path_that_is_a_file(tmp_path: Path, command: tuple[str, ...]):
    """A folder argument naming an existing file: a message naming it (exit 1 or 2), not a traceback."""
    (tmp_path / "taken").write_text("a file\n", encoding="utf-8")
    out = tenure(*command, cwd=tmp_path)
    assert "Traceback" not in out.output, str(out)
    assert out.returncode in (1, 2), str(out)
    assert "taken" in out.stderr, str(out)
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file\n"
