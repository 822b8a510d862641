"""Segmentation, engagement motions and coverage on a hand-made book with hand-computed answers.

The book at AS_OF = 2025-06-30 (segment rules and engagement matrix in CONFIG below):

    account  ARR      attributes                       segment (source)          motion (hours a month)  owner
    A1       120,000  800 employees, Software, NA      Enterprise (rule 1)       high-touch (10)         P1
             (60,000 on 2025-03-31: then Mid-Market by rule 2, 800 employees ≥ 500)
    A2        24,000  50 employees, Healthcare, EMEA   Regulated (rule 3)        pooled (4)              P5
    A3        12,000  no employee count, APAC          SMB (rule 4)              digital (1)             P2
    A4         6,000  LATAM                            Unsegmented (unmatched)   digital (1)             —
    A5       300,000  loaded segment Strategic         Strategic (loaded)        digital (1)             P9 (no CSM)
    A6       —        its only line ended: not paying, no row

Team: P1 Enterprise CSM, 20 h/week; P5 Mid-Market CSM, 0.5 h/week; P2 and P6 SMB CSMs with no
capacity given (config default 30 h/week); P3 left on 2025-05-01, P4 hired 2025-07-15 (neither on staff).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math

import ibis
import pytest

from cli.helpers import tenure
from tenure.config import parse_config
from tenure.operating.coverage import csm_coverage, segment_coverage
from tenure.operating.motions import assign_motions
from tenure.views.book import book_at
from tenure.views.coverage import coverage_at, segments_at

from .tables import account, line, person, workspace_with

AS_OF = dt.date(2025, 6, 30)
MONTH = 52 / 12  # hours a week → hours a month

CONFIG = """
segments:
  rules:
    - {name: Enterprise, arr_min: 100000}
    - {name: Mid-Market, employees_min: 500}
    - {name: Regulated, industry: [Healthcare]}
    - {name: SMB, region: [NA, APAC]}
engagement:
  motions:
    high-touch: {cadence_days: 14, hours_per_month: 10}
    pooled: {cadence_days: 30, hours_per_month: 4}
    digital: {cadence_days: 90, hours_per_month: 1, dedicated: false}
  matrix:
    Enterprise: {"*": high-touch}
    Regulated: {"*": pooled}
    "*": {"*": digital}
coverage:
  ratios:
    Enterprise: {accounts_per_csm: 1, arr_per_csm: 100000}
"""

TABLES = {
    "team": [
        person("P1", segment="Enterprise", capacity_hours=20),
        person("P5", segment="Mid-Market", capacity_hours=0.5),
        person("P2", segment="SMB"),
        person("P6", segment="SMB"),
        person("P3", segment="SMB", capacity_hours=30, hired_at="2023-01-01", left_at="2025-05-01"),
        person("P4", segment="SMB", capacity_hours=30, hired_at="2025-07-15"),
        person("P9", role="ae"),
    ],
    "accounts": [
        account("A1", employees=800, industry="Software", region="NA", owner_csm_id="P1"),
        account("A2", employees=50, industry="Healthcare", region="EMEA", owner_csm_id="P5"),
        account("A3", region="APAC", owner_csm_id="P2"),
        account("A4", region="LATAM"),
        account("A5", segment="Strategic", region="NA", owner_csm_id="P9"),
        account("A6", region="NA", owner_csm_id="P2"),
    ],
    "subscriptions": [
        line("S1", "A1", "2024-01-01", 5000, end_date="2025-04-01"),
        line("S2", "A1", "2025-04-01", 10000),
        line("S3", "A2", "2025-01-01", 2000),
        line("S4", "A3", "2025-01-01", 1000),
        line("S5", "A4", "2025-01-01", 500),
        line("S6", "A5", "2024-06-01", 25000),
        line("S7", "A6", "2024-01-01", 800, end_date="2025-06-01"),
    ],
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    return workspace_with(tmp_path_factory.mktemp("coverage"), TABLES, CONFIG)


def rows(frame, key: str) -> dict:
    return {r[key]: r for r in frame.to_dict("records")}


def test_segments_first_rule_wins_loaded_segment_overrides(ws):
    summary, listing = segments_at(ws, as_of=AS_OF)
    got = {r["account_id"]: (r["segment"], r["segment_source"]) for r in listing.to_dict("records")}
    assert got == {"A1": ("Enterprise", "rule 1"), "A2": ("Regulated", "rule 3"), "A3": ("SMB", "rule 4"),
                   "A4": ("Unsegmented", "unmatched"), "A5": ("Strategic", "loaded")}
    by = rows(summary, "segment")
    assert by["Enterprise"]["arr"] == pytest.approx(120_000)
    assert by["Strategic"]["loaded"] == 1 and by["Unsegmented"]["unmatched"] == 1
    assert summary["arr_share"].sum() == pytest.approx(1.0)
    assert by["Strategic"]["arr_share"] == pytest.approx(300_000 / 462_000)


def test_segments_are_point_in_time(ws):
    _summary, listing = segments_at(ws, as_of=dt.date(2025, 3, 31))
    a1 = listing.set_index("account_id").loc["A1"]
    assert (a1["segment"], a1["segment_source"], a1["arr"]) == ("Mid-Market", "rule 2", pytest.approx(60_000))


def test_rule_on_a_missing_column_names_the_key(tmp_path):
    from tenure.errors import ConfigError

    ws = workspace_with(tmp_path, {k: TABLES[k] for k in ("team", "accounts", "subscriptions")},
                        "segments:\n  rules:\n    - {name: X, where: {plan_tier: [gold]}}\n")
    with pytest.raises(ConfigError, match=r"segments\.rules\.0.*plan_tier"):
        segments_at(ws, as_of=AS_OF)


def test_motion_matrix_in_the_engine_matches_its_definition():
    """Every segment × band cell (named, "*" row, "*" column, unknown) agrees with Engagement.motion_of."""
    config = parse_config({"engagement": {
        "motions": {"a": {"cadence_days": 7, "hours_per_month": 9}, "b": {"cadence_days": 30, "hours_per_month": 2},
                    "c": {"cadence_days": 90, "hours_per_month": 0.5, "dedicated": False}},
        "matrix": {"Ent": {"red": "a", "*": "b"}, "Mid": {"green": "c"}, "*": {"red": "b", "*": "c"}},
        "churn_override": {"probability": 0.5, "motion": "a"},
    }}).engagement
    segments, bands = ["Ent", "Mid", "SMB", None], ["red", "yellow", "green", None]
    cells = list(itertools.product(segments, bands))
    book = ibis.memtable({"segment": [s for s, _ in cells], "band": [b for _, b in cells],
                          "churn_probability": [0.1] * len(cells)},
                         schema={"segment": "string", "band": "string", "churn_probability": "float64"})
    out = assign_motions(book, config).execute()
    for row in out.to_dict("records"):
        expected = config.motion_of(row["segment"], row["band"])
        assert row["motion"] == expected, row
        assert row["effort_hours"] == config.motions[expected].hours_per_month
        assert row["dedicated"] == config.motions[expected].dedicated
    # Mid has no "*" column: a yellow Mid account falls to the catch-all, not to the "*" row's red
    assert config.motion_of("Mid", "yellow") == "c" and config.motion_of("Mid", "red") == "c"
    risky = ibis.memtable({"segment": ["SMB", "SMB"], "band": ["green", "green"], "churn_probability": [0.5, None]})
    assert list(assign_motions(risky, config).execute()["motion"]) == ["a", "c"]


def test_book_motion_and_effort(ws):
    book = ws.warehouse.execute(book_at(ws, as_of=AS_OF))
    got = {r["account_id"]: (r["motion"], r["effort_hours"], r["owner"] if isinstance(r["owner"], str) else None)
           for r in book.to_dict("records")}
    assert got == {"A1": ("high-touch", 10, "P1"), "A2": ("pooled", 4, "P5"), "A3": ("digital", 1, "P2"),
                   "A4": ("digital", 1, None), "A5": ("digital", 1, "P9")}


def test_coverage_per_csm_flags(ws):
    view = coverage_at(ws, as_of=AS_OF)
    by = rows(view.csms, "person_id")
    assert set(by) == {"P1", "P5", "P2", "P6", "P9", "(unassigned)"}  # P3 left, P4 not hired yet
    p1 = by["P1"]
    assert (p1["accounts"], p1["arr"], p1["effort_hours"]) == (1, pytest.approx(120_000), 10)
    assert p1["utilisation"] == pytest.approx(10 / (20 * MONTH))  # 0.115: not busy, but over the ARR ratio
    assert p1["flag"] == "overloaded"
    assert by["P5"]["utilisation"] == pytest.approx(4 / (0.5 * MONTH)) and by["P5"]["flag"] == "overloaded"
    assert by["P2"]["capacity_hours"] == 30 and by["P2"]["utilisation"] == pytest.approx(1 / (30 * MONTH))
    assert by["P2"]["flag"] == "idle"
    assert (by["P6"]["accounts"], by["P6"]["utilisation"], by["P6"]["flag"]) == (0, 0, "idle")
    assert by["P9"]["flag"] == "owner is not a CSM on record" and by["P9"]["arr"] == pytest.approx(300_000)
    assert by["(unassigned)"]["flag"] == "unassigned accounts" and by["(unassigned)"]["arr"] == pytest.approx(6_000)
    assert view.csms["arr"].sum() == pytest.approx(462_000)  # no ARR drops out of the picture


def test_coverage_follows_owner_reassignments(ws):
    view = coverage_at(ws, as_of=AS_OF, owners={"A4": "P6", "A5": "P1"})
    by = rows(view.csms, "person_id")
    assert "(unassigned)" not in by and "P9" not in by
    assert by["P1"]["accounts"] == 2 and by["P1"]["arr"] == pytest.approx(420_000)
    assert by["P6"]["accounts"] == 1 and by["P6"]["dedicated_accounts"] == 0


def test_coverage_per_segment(ws):
    view = coverage_at(ws, as_of=AS_OF)
    by = rows(view.segments, "segment")
    enterprise = by["Enterprise"]
    assert (enterprise["csms"], enterprise["accounts_per_csm"], enterprise["arr_per_csm"]) == (1, 1, 120_000)
    assert enterprise["csms_by_ratio"] == 2  # max(ceil(1 / 1), ceil(120,000 / 100,000))
    assert by["SMB"]["csms"] == 2 and by["SMB"]["dedicated_accounts"] == 0
    assert by["SMB"]["csms_by_ratio"] is None or math.isnan(by["SMB"]["csms_by_ratio"])  # no ratio configured
    assert by["Strategic"]["csms"] == 0 and math.isnan(by["Strategic"]["arr_per_csm"])


def test_coverage_without_a_team_table(tmp_path):
    ws = workspace_with(tmp_path, {k: TABLES[k] for k in ("accounts", "subscriptions")}, CONFIG)
    view = coverage_at(ws, as_of=AS_OF)
    assert set(view.csms["flag"]) == {"owner is not a CSM on record", "unassigned accounts"}
    assert view.segments["csms"].isna().all() or (view.segments["csms"] == 0).all()


def test_csm_coverage_expression_on_memtables():
    """The engine expressions alone, on a book with a band: red ARR and renewals due are counted per CSM."""
    config = parse_config({}).coverage
    book = ibis.memtable({"account_id": ["X", "Y", "Z"], "owner": ["C1", "C1", "C1"], "segment": ["SMB"] * 3,
                          "arr": [10.0, 20.0, 40.0], "effort_hours": [1.0, 2.0, 3.0], "dedicated": [True, True, False],
                          "band": ["red", "green", "red"], "days_to_renewal": [30, 90, 91]})
    team = ibis.memtable({"person_id": ["C1"], "name": ["Cee"], "role": ["csm"], "segment": ["SMB"],
                          "manager_id": [None], "capacity_hours": [None], "hired_at": [None], "left_at": [None]},
                         schema={"person_id": "string", "name": "string", "role": "string", "segment": "string",
                                 "manager_id": "string", "capacity_hours": "float64", "hired_at": "date",
                                 "left_at": "date"})
    out = csm_coverage(book, team, config, as_of=AS_OF, lowest_band="red").execute().iloc[0]
    assert (out["red_arr"], out["renewals_due"], out["renewals_due_arr"]) == (50, 2, 30)
    assert out["dedicated_accounts"] == 2 and out["capacity_hours"] == config.capacity_hours
    seg = segment_coverage(book, team, config, as_of=AS_OF, lowest_band="red").execute().iloc[0]
    assert (seg["csms"], seg["red_arr"], seg["csms_by_ratio"]) == (1, 50, 1)


@pytest.mark.slow
def test_cli_segments_coverage_motions(ws):
    folder = ws.root
    ws.close()
    seg = tenure("segments", "--as-of", AS_OF, "--format", "json", cwd=folder)
    assert seg.returncode == 0, seg
    assert {r["segment"] for r in json.loads(seg.stdout)} == {"Enterprise", "Regulated", "SMB", "Unsegmented",
                                                              "Strategic"}
    cov = tenure("coverage", "--as-of", AS_OF, "--format", "json", cwd=folder)
    assert cov.returncode == 0, cov
    payload = json.loads(cov.stdout)
    assert {r["person_id"]: r["flag"] for r in payload["csms"]}["P5"] == "overloaded"
    assert {"csms", "segments", "as_of"} == set(payload)
    flagged = tenure("coverage", "--as-of", AS_OF, "--by", "csm", "--flagged", cwd=folder)
    assert flagged.returncode == 0 and "Flags:" in flagged.stdout and "P6" in flagged.stdout, flagged
    mot = tenure("motions", "--as-of", AS_OF, "--accounts", "--motion", "pooled", "--format", "csv", cwd=folder)
    assert mot.returncode == 0 and mot.stdout.splitlines()[1].startswith("A2,"), mot
    bad = tenure("motions", "--motion", "white-glove", cwd=folder)
    assert bad.returncode == 1 and "not a configured motion" in bad.stderr and "Traceback" not in bad.output
