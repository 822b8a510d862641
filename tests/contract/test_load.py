"""Loads that succeed: what is stored, idempotence, upserts, appends, time zones, encodings, Parquet,
warnings, and all-or-nothing loads of several tables.

The baseline workspace (conftest.py) holds team P1, P2; accounts A1, A2, A3 (A3 with no
subscription); subscriptions S1 (A1, 100.00 USD) and S2 (A2, 200.50 USD).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tenure.errors import DataContractError, Problem
from tenure.workspace import Workspace

from .helpers import BAD, BASELINE, fingerprint, tables

TENURE = Path(sys.executable).with_name("tenure")

SUBSCRIPTIONS = "subscription_id,account_id,product,start_date,mrr,currency\n"
EVENTS = "account_id,user_id,event,timestamp,count\n"


def write(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding, newline="")
    return path


def rows(ws, sql: str) -> list[tuple]:
    return ws.warehouse.raw().execute(sql).fetchall()


def changes(report) -> dict[str, tuple[int, int, int, int, int]]:
    """read, inserted, updated, unchanged and rows in table, per table."""
    return {name: (c.read, c.inserted, c.updated, c.unchanged, c.total) for name, c in report.changes.items()}


# -- a folder -------------------------------------------------------------------------------------------------


def test_a_folder_loads_every_table_with_typed_values(empty_workspace, load_into):
    report = load_into(empty_workspace, BASELINE)

    assert changes(report) == {"team": (2, 2, 0, 0, 2), "accounts": (3, 3, 0, 0, 3), "subscriptions": (2, 2, 0, 0, 2)}
    assert report.warnings == []
    assert tables(empty_workspace) == ["accounts", "subscriptions", "team"]
    assert rows(empty_workspace, "SELECT * FROM subscriptions ORDER BY subscription_id") == [
        ("S1", "A1", "core", dt.date(2023, 1, 1), Decimal("100.0000"), "USD", None, 10, "year", 12, None, True),
        ("S2", "A2", "core", dt.date(2023, 3, 15), Decimal("200.5000"), "USD", dt.date(2024, 3, 15), 5, "month", 1,
         None, False),
    ]
    assert rows(empty_workspace, "SELECT * FROM accounts ORDER BY account_id") == [
        ("A1", "Acme", dt.date(2020, 1, 15), "software", "EMEA", 250, "P1", None, "mid-market", False),
        ("A2", "Beta", dt.date(2021, 6, 1), "retail", "NA", 40, "P1", None, "smb", None),
        ("A3", "Gamma", dt.date(2022, 3, 10), "finance", "APAC", 1200, "P2", None, "enterprise", True),
    ]
    assert rows(empty_workspace, "SELECT person_id, role, capacity_hours, hired_at FROM team ORDER BY 1") == [
        ("P1", "csm", Decimal("40.0000"), dt.date(2021, 2, 1)),
        ("P2", "manager", Decimal("38.5000"), dt.date(2019, 9, 16)),
    ]


def test_loading_the_same_files_twice_changes_nothing(baseline, load_into):
    before = fingerprint(baseline)

    report = load_into(baseline, BASELINE)

    assert changes(report) == {"team": (2, 0, 0, 2, 2), "accounts": (3, 0, 0, 3, 3), "subscriptions": (2, 0, 0, 2, 2)}
    assert fingerprint(baseline) == before


def test_header_names_enum_values_and_currency_codes_are_case_insensitive(baseline, load_into, tmp_path):
    path = write(tmp_path / "subscriptions.csv",
                 "Subscription_ID,ACCOUNT_ID,Product,Start_Date,MRR,Currency,Billing_Period,Auto_Renew\r\n"
                 "S3,A3,core,2024-01-01,75,usd,Quarter,TRUE\r\n")

    report = load_into(baseline, path)

    assert changes(report)["subscriptions"] == (1, 1, 0, 0, 3)
    assert report.warnings == []
    assert rows(baseline, "SELECT mrr, currency, billing_period, auto_renew FROM subscriptions "
                          "WHERE subscription_id = 'S3'") == [(Decimal("75.0000"), "USD", "quarter", True)]


def test_the_table_option_places_a_file_of_any_name(baseline, load_into, tmp_path):
    path = write(tmp_path / "crm-export-2024.csv", "account_id,name,created_at\nA4,Delta,2023-05-02\n")

    report = load_into(baseline, path, table="accounts")

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4)}
    assert rows(baseline, "SELECT name, created_at FROM accounts WHERE account_id = 'A4'") == [
        ("Delta", dt.date(2023, 5, 2))]


# -- upserts and appends --------------------------------------------------------------------------------------


def test_keyed_tables_upsert_by_key(baseline, load_into, tmp_path):
    before = fingerprint(baseline)
    text = (BASELINE / "subscriptions.csv").read_text(encoding="utf-8")
    changed = text.replace("S1,A1,core,2023-01-01,100.00,", "S1,A1,core,2023-01-01,150.00,")
    assert changed != text
    path = write(tmp_path / "subscriptions.csv", changed + "S3,A3,api,2024-02-01,30,USD,,,,,,\n")

    report = load_into(baseline, path)

    assert changes(report) == {"subscriptions": (3, 1, 1, 1, 3)}
    assert rows(baseline, "SELECT subscription_id, account_id, product, mrr, quantity, billing_period "
                          "FROM subscriptions ORDER BY subscription_id") == [
        ("S1", "A1", "core", Decimal("150.0000"), 10, "year"),
        ("S2", "A2", "core", Decimal("200.5000"), 5, "month"),
        ("S3", "A3", "api", Decimal("30.0000"), None, None),
    ]
    after = fingerprint(baseline)
    assert after["subscriptions"] != before["subscriptions"]
    assert (after["team"], after["accounts"]) == (before["team"], before["accounts"])


def test_an_upsert_replaces_the_whole_row(baseline, load_into, tmp_path):
    """A row with an existing key replaces it: columns absent from the new file become empty."""
    path = write(tmp_path / "subscriptions.csv", SUBSCRIPTIONS + "S2,A2,core,2023-03-15,200.50,USD\n")

    report = load_into(baseline, path)

    assert changes(report) == {"subscriptions": (1, 0, 1, 0, 2)}
    assert rows(baseline, "SELECT end_date, quantity, billing_period, term_months, auto_renew FROM subscriptions "
                          "WHERE subscription_id = 'S2'") == [(None, None, None, None, None)]


def test_events_append_only_rows_not_already_present(baseline, load_into, tmp_path):
    first = write(tmp_path / "first" / "events.csv", EVENTS +
                  "A1,u1,login,2024-03-01T09:30:00Z,\n"
                  "A1,u2,report_created,2024-03-01T10:00:00Z,3\n"
                  "A2,u3,login,2024-03-02T08:15:00+01:00,\n"
                  "A1,u1,login,2024-03-01T09:30:00Z,\n")  # the same as the first row: kept once
    report = load_into(baseline, first)
    assert changes(report) == {"events": (4, 3, 0, 1, 3)}
    stored = rows(baseline, "SELECT * FROM events ORDER BY user_id")
    assert stored == [
        ("A1", "u1", "login", dt.datetime(2024, 3, 1, 9, 30), None),
        ("A1", "u2", "report_created", dt.datetime(2024, 3, 1, 10, 0), 3),
        ("A2", "u3", "login", dt.datetime(2024, 3, 2, 7, 15), None),
    ]
    once = fingerprint(baseline)

    again = load_into(baseline, first)
    assert changes(again) == {"events": (4, 0, 0, 4, 3)}
    assert fingerprint(baseline) == once

    # the same three events (one written with another offset for the same instant) and one new
    second = write(tmp_path / "second" / "events.csv", EVENTS +
                   "A1,u1,login,2024-03-01T10:30:00+01:00,\n"
                   "A1,u2,report_created,2024-03-01T10:00:00Z,3\n"
                   "A2,u3,login,2024-03-02T07:15:00Z,\n"
                   "A2,u3,login,2024-03-03T07:15:00Z,\n")
    report = load_into(baseline, second)
    assert changes(report) == {"events": (4, 1, 0, 3, 4)}
    assert rows(baseline, "SELECT * FROM events ORDER BY user_id, timestamp") == [
        *stored, ("A2", "u3", "login", dt.datetime(2024, 3, 3, 7, 15), None)]


# -- timestamps and time zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "winter", "summer", "date_only"), [
    ("Europe/Paris", dt.datetime(2024, 1, 15, 9, 30), dt.datetime(2024, 7, 1, 8, 30), dt.datetime(2024, 1, 14, 23)),
    ("America/New_York", dt.datetime(2024, 1, 15, 15, 30), dt.datetime(2024, 7, 1, 14, 30),
     dt.datetime(2024, 1, 15, 5)),
    ("Asia/Kolkata", dt.datetime(2024, 1, 15, 5, 0), dt.datetime(2024, 7, 1, 5, 0), dt.datetime(2024, 1, 14, 18, 30)),
    ("UTC", dt.datetime(2024, 1, 15, 10, 30), dt.datetime(2024, 7, 1, 10, 30), dt.datetime(2024, 1, 15)),
])
def test_a_timezone_makes_naive_timestamps_local_times_stored_in_utc(baseline, load_into, tmp_path, zone, winter,
                                                                     summer, date_only):
    path = write(tmp_path / "events.csv", EVENTS +
                 "A1,winter,login,2024-01-15 10:30:00,\n"
                 "A1,summer,login,2024-07-01T10:30,\n"
                 "A1,date_only,login,2024-01-15,\n"
                 "A1,with_offset,login,2024-07-01T10:30:00+02:00,\n")  # an explicit offset wins over the zone

    report = load_into(baseline, path, timezone=zone)

    assert changes(report) == {"events": (4, 4, 0, 0, 4)}
    assert dict(rows(baseline, "SELECT user_id, timestamp FROM events")) == {
        "winter": winter, "summer": summer, "date_only": date_only, "with_offset": dt.datetime(2024, 7, 1, 8, 30)}


def test_the_same_naive_file_is_rejected_without_a_timezone(baseline, load_into, tmp_path):
    path = write(tmp_path / "events.csv", EVENTS + "A1,winter,login,2024-01-15 10:30:00,\n")
    with pytest.raises(DataContractError) as caught:
        load_into(baseline, path)
    assert [(p.rule, p.row, p.column) for p in caught.value.problems] == [("naive_timestamp", 1, "timestamp")]
    assert "events" not in tables(baseline)


def test_a_timezone_applies_to_every_timestamp_column_and_the_rules_see_utc(baseline, load_into, tmp_path):
    path = write(tmp_path / "tickets.csv", "ticket_id,account_id,created_at,priority,resolved_at\n"
                                           "T1,A1,2024-03-31 01:30:00,high,2024-03-31 03:10:00\n")  # across DST

    load_into(baseline, path, timezone="Europe/Paris")

    assert rows(baseline, "SELECT created_at, resolved_at FROM tickets") == [
        (dt.datetime(2024, 3, 31, 0, 30), dt.datetime(2024, 3, 31, 1, 10))]


def test_naive_parquet_timestamps_are_local_times_with_a_timezone(baseline, load_into):
    path = BAD / "events__naive_timestamp_parquet" / "events.parquet"

    report = load_into(baseline, path, timezone="Europe/Paris")

    assert changes(report) == {"events": (2, 2, 0, 0, 2)}
    assert rows(baseline, "SELECT user_id, timestamp FROM events ORDER BY 1") == [
        ("u1", dt.datetime(2024, 3, 1, 8, 30)), ("u2", dt.datetime(2024, 3, 2, 13, 0))]


@pytest.mark.parametrize("written", [
    "2024-03-01T09:30:00Z",
    "2024-03-01 09:30:00Z",
    "2024-03-01T09:30Z",
    "2024-03-01T10:30:00+01:00",
    "2024-03-01T10:30:00+0100",
    "2024-03-01T10:30:00+01",
    "2024-03-01T10:30+01:00",
    "2024-03-01T04:30:00-05:00",
    "2024-03-01T09:30:00.000Z",
    "2024-03-01T09:30:00z",  # RFC 3339 allows a lower-case Z, and the reader's pattern accepts it
])
def test_iso_8601_offsets_are_stored_in_utc(baseline, load_into, tmp_path, written):
    path = write(tmp_path / "events.csv", EVENTS + f"A1,u1,login,{written},\n")

    load_into(baseline, path)

    assert rows(baseline, "SELECT timestamp FROM events") == [(dt.datetime(2024, 3, 1, 9, 30),)]


# -- encodings and formats ------------------------------------------------------------------------------------


def test_utf8_with_bom_is_accepted(baseline, load_into, tmp_path):
    path = write(tmp_path / "accounts.csv", "\ufeffaccount_id,name,created_at\nA4,Société Générale,2023-05-02\n",
                 encoding="utf-8")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfaccount_id,")

    report = load_into(baseline, path)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4)}
    assert report.warnings == []
    assert rows(baseline, "SELECT account_id, name FROM accounts WHERE created_at = DATE '2023-05-02'") == [
        ("A4", "Société Générale")]


def test_quoted_values_keep_commas_quotes_and_line_breaks(baseline, load_into, tmp_path):
    path = write(tmp_path / "accounts.csv",
                 'account_id,name,created_at\nA4,"Smith, ""Jr"" & Sons\nLondon",2023-05-02\nA5,-5,2023-05-03\n')

    report = load_into(baseline, path)

    assert changes(report) == {"accounts": (2, 2, 0, 0, 5)}
    assert rows(baseline, "SELECT account_id, name FROM accounts WHERE account_id IN ('A4', 'A5') ORDER BY 1") == [
        ("A4", 'Smith, "Jr" & Sons\nLondon'), ("A5", "-5")]


def test_parquet_files_and_table_folders_are_accepted(baseline, load_into, tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    pq.write_table(pa.table({
        "subscription_id": ["S3", "S4"],
        "account_id": ["A3", "A1"],
        "product": ["api", "seats"],
        "start_date": pa.array([dt.date(2024, 2, 1), dt.date(2024, 3, 1)], pa.date32()),
        "mrr": pa.array([Decimal("30.25"), Decimal("0.5")], pa.decimal128(10, 2)),
        "currency": ["usd", "USD"],
        "quantity": pa.array([3, None], pa.int32()),
        "auto_renew": [True, None],
    }), folder / "subscriptions.parquet")
    (folder / "events").mkdir()
    for part, (user, stamp) in enumerate([("u1", dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)),
                                          ("u2", dt.datetime(2024, 3, 2, 9, 30, tzinfo=dt.UTC))]):
        pq.write_table(pa.table({
            "account_id": ["A1"], "user_id": [user], "event": ["login"],
            "timestamp": pa.array([stamp], pa.timestamp("ms", tz="Europe/Paris")),
            "count": pa.array([part + 1], pa.int64()),
        }), folder / "events" / f"part-{part:05d}.parquet")

    report = load_into(baseline, folder)

    assert changes(report) == {"subscriptions": (2, 2, 0, 0, 4), "events": (2, 2, 0, 0, 2)}
    assert rows(baseline, "SELECT subscription_id, account_id, product, start_date, mrr, currency, quantity, "
                          "auto_renew FROM subscriptions WHERE subscription_id IN ('S3', 'S4') ORDER BY 1") == [
        ("S3", "A3", "api", dt.date(2024, 2, 1), Decimal("30.2500"), "USD", 3, True),
        ("S4", "A1", "seats", dt.date(2024, 3, 1), Decimal("0.5000"), "USD", None, None),
    ]
    assert rows(baseline, "SELECT * FROM events ORDER BY user_id") == [
        ("A1", "u1", "login", dt.datetime(2024, 3, 1, 9, 30), 1),
        ("A1", "u2", "login", dt.datetime(2024, 3, 2, 9, 30), 2),
    ]


def test_a_header_with_a_trailing_comma_loads_and_ignores_the_unnamed_column(baseline, load_into, tmp_path):
    """Spreadsheet exports often end every line with a comma: an unnamed, empty column."""
    path = write(tmp_path / "accounts.csv", "account_id,name,created_at,\nA4,Delta,2023-05-02,\n")

    report = load_into(baseline, path)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4)}
    assert [w.rule for w in report.warnings] == ["unknown_column"]


# -- warnings -------------------------------------------------------------------------------------------------


def test_suspicious_data_loads_with_warnings(baseline, load_into, tmp_path):
    folder = tmp_path / "data"
    write(folder / "accounts.csv", "account_id,name,created_at,notes\nA4,Delta,2023-05-02,met at a fair\n")
    write(folder / "subscriptions.csv", SUBSCRIPTIONS +
          "S3,A4,core,2024-01-01,90,USD\n"
          "S4,A1,trial,2024-01-01,0,USD\n")
    events = write(folder / "events.csv", EVENTS +
                   "A1,u1,login,2024-03-01T09:30:00Z,\n"
                   "A3,u9,login,2024-03-01T09:30:00Z,\n")

    report = load_into(baseline, folder)

    assert changes(report) == {"accounts": (1, 1, 0, 0, 4), "subscriptions": (2, 2, 0, 0, 4),
                               "events": (2, 2, 0, 0, 2)}
    assert [(Path(w.file).name, w.row, w.column, w.value, w.rule) for w in report.warnings] == [
        ("accounts.csv", 0, "notes", None, "unknown_column"),
        ("subscriptions.csv", 2, "mrr", "0.0000", "zero_mrr"),
        ("events.csv", 2, "account_id", "A3", "no_subscription"),
    ]
    assert report.warning_totals == {"subscriptions.mrr: zero_mrr": 1, "events.account_id: no_subscription": 1}
    assert report.warnings[2] == Problem(str(events), 2, "account_id", "A3", "no_subscription",
                                         "events for an account with no subscription line")
    assert rows(baseline, "SELECT subscription_id, mrr FROM subscriptions WHERE subscription_id = 'S4'") == [
        ("S4", Decimal("0.0000"))]
    assert rows(baseline, "SELECT count(*) FROM events WHERE account_id = 'A3'") == [(1,)]


def test_two_identical_lines_of_one_account_load_with_a_warning_on_both(baseline, load_into, tmp_path):
    path = write(tmp_path / "subscriptions.csv", SUBSCRIPTIONS +
                 "S3,A3,core,2024-01-01,90,USD\n"
                 "S4,A3,api,2024-01-01,90,USD\n"
                 "S5,A3,core,2024-01-01,90.00,USD\n")

    report = load_into(baseline, path)

    assert changes(report) == {"subscriptions": (3, 3, 0, 0, 5)}
    assert [(w.row, w.column, w.value, w.rule) for w in report.warnings] == [
        (1, "start_date", "2024-01-01", "overlapping_lines"), (3, "start_date", "2024-01-01", "overlapping_lines")]
    assert report.warning_totals == {"subscriptions.start_date: overlapping_lines": 2}


# -- all or nothing -------------------------------------------------------------------------------------------

VALID_FOLDER = {
    "team.csv": "person_id,name,role\nP3,Ana Ruiz,tam\n",
    "accounts.csv": "account_id,name,created_at,owner_csm_id\nA1,Acme Corporation,2020-01-15,P3\n"
                    "A4,Delta,2023-05-02,P3\n",
    "subscriptions.csv": SUBSCRIPTIONS + "S1,A1,core,2023-01-01,120,USD\nS3,A4,core,2024-01-01,90,USD\n",
    "events.csv": EVENTS + "A4,u1,login,2024-03-01T09:30:00Z,\nA1,u2,login,2024-03-01T09:31:00Z,\n",
}


@pytest.mark.parametrize(("name", "broken", "problem"), [
    ("events.csv", EVENTS + "A4,u1,login,2024-03-01T09:30:00Z,\nA1,u2,login,2099-03-01T09:31:00Z,\n",
     ("events.csv", "future", 2, "timestamp")),
    ("events.csv", "account_id,event,timestamp\nA4,login,2024-03-01T09:30:00Z\n",
     ("events.csv", "missing_column", 0, "user_id")),
    ("subscriptions.csv", SUBSCRIPTIONS + "S1,A1,core,2023-01-01,120,USD\nS3,A4,core,2024-01-01,-90,USD\n",
     ("subscriptions.csv", "range", 2, "mrr")),
    ("team.csv", "person_id,name,role\nP3,Ana Ruiz,cto\n", ("team.csv", "enum", 1, "role")),
], ids=["events_future", "events_missing_column", "subscriptions_negative_mrr", "team_role_not_allowed"])
def test_a_problem_in_one_table_loads_none_of_them(baseline, load_into, tmp_path, name, broken, problem):
    folder = tmp_path / "data"
    for file, text in VALID_FOLDER.items():
        write(folder / file, broken if file == name else text)
    before = fingerprint(baseline)

    with pytest.raises(DataContractError) as caught:
        load_into(baseline, folder)

    assert [(Path(p.file).name, p.rule, p.row, p.column) for p in caught.value.problems] == [problem]
    assert fingerprint(baseline) == before
    assert tables(baseline) == ["accounts", "subscriptions", "team"]
    assert rows(baseline, "SELECT name, owner_csm_id FROM accounts WHERE account_id = 'A1'") == [("Acme", "P1")]


def test_the_valid_folder_of_the_all_or_nothing_test_loads(baseline, load_into, tmp_path):
    """The control of the test above: without the broken file, every table changes."""
    folder = tmp_path / "data"
    for file, text in VALID_FOLDER.items():
        write(folder / file, text)

    report = load_into(baseline, folder)

    assert changes(report) == {"team": (1, 1, 0, 0, 3), "accounts": (2, 1, 1, 0, 4),
                               "subscriptions": (2, 1, 1, 0, 3), "events": (2, 2, 0, 0, 2)}
    assert rows(baseline, "SELECT name, owner_csm_id FROM accounts WHERE account_id = 'A1'") == [
        ("Acme Corporation", "P3")]


def test_a_failure_while_applying_rolls_back_every_table(baseline, load_into, tmp_path, monkeypatch):
    """The apply step is one transaction: an engine error on the third table undoes the first two."""
    import tenure.contract.load as loader

    applied = []
    merge = loader._merge_in_place

    def failing_merge(con, name, exists):
        merge(con, name, exists)
        applied.append(name)
        if len(applied) == 3:
            raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_merge_in_place", failing_merge)
    folder = tmp_path / "data"
    for file, text in VALID_FOLDER.items():
        write(folder / file, text)
    before = fingerprint(baseline)

    with pytest.raises(RuntimeError, match="disk full"):
        load_into(baseline, folder)

    assert applied == ["team", "accounts", "subscriptions"]
    assert fingerprint(baseline) == before
    assert tables(baseline) == ["accounts", "subscriptions", "team"]


# -- the acceptance case --------------------------------------------------------------------------------------

ACCEPTANCE = (SUBSCRIPTIONS +
              "S3,A1,api,2024-01-01,25,USD\n"
              "S4,A2,api,2024-01-01,-50,USD\n"
              "S5,A3,core,2024-02-01,80,USD\n"
              "S6,A999,core,2024-02-01,80,USD\n")


def test_negative_mrr_and_unknown_account_are_both_named_and_nothing_changes(baseline, load_into, tmp_path):
    path = write(tmp_path / "subscriptions.csv", ACCEPTANCE)
    before = fingerprint(baseline)

    with pytest.raises(DataContractError) as caught:
        load_into(baseline, path)

    assert sorted(caught.value.problems, key=lambda p: p.row) == [
        Problem(str(path), 2, "mrr", "-50.0000", "range", "must be at least 0"),
        Problem(str(path), 4, "account_id", "A999", "unknown_reference", "no accounts row has this account_id"),
    ]
    assert caught.value.total_by_rule == {"subscriptions.mrr: range": 1,
                                          "subscriptions.account_id: unknown_reference": 1}
    assert caught.value.exit_code == 5
    assert fingerprint(baseline) == before


def test_the_acceptance_case_through_the_command_line(baseline_folder, tmp_path):
    workspace = shutil.copytree(baseline_folder, tmp_path / "ws")
    path = write(tmp_path / "subscriptions.csv", ACCEPTANCE)
    ws = Workspace.open(workspace)
    before = fingerprint(ws)
    ws.close()
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}

    done = subprocess.run([str(TENURE), "--workspace", str(workspace), "load", str(path)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 5, done.stderr
    output = done.stdout + done.stderr
    assert "The load was rejected; the warehouse is unchanged." in output
    assert f"{path}, row 2, column mrr, value '-50.0000': must be at least 0 [range]" in output
    assert f"{path}, row 4, column account_id, value 'A999': no accounts row has this account_id " \
           "[unknown_reference]" in output
    assert "Traceback" not in output
    ws = Workspace.open(workspace)
    try:
        assert fingerprint(ws) == before
    finally:
        ws.close()
