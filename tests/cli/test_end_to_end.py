"""The README's workflow through the real `tenure` command, on a small demo company.

`tenure init DIR` → `tenure demo generate` → `tenure --workspace DIR load DIR/data` → the
revenue views in every format, a past `--as-of`, cohorts, `tenure run`, and the same commands
from inside the workspace folder. The company (150 accounts, 18 months, seed 7) is built once
for the module; every command runs as a separate process, as a user would run it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

from .helpers import (
    BRIDGE_COLUMNS,
    CENTS,
    MOVEMENTS,
    Result,
    all_tables,
    fingerprint,
    lenient_json,
    row_count,
    strict_json,
    tenure,
)

pytestmark = pytest.mark.slow

TODAY = dt.date.today()


def month_index(label: str) -> int:
    year, month = map(int, label.split("-"))
    return year * 12 + month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_end(index: int) -> dt.date:
    return dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1) - dt.timedelta(days=1)


def last_month_end(day: dt.date) -> dt.date:
    """The last month-end on or before `day` (README: the snapshot of `as_of`)."""
    if (day + dt.timedelta(days=1)).day == 1:
        return day
    return day.replace(day=1) - dt.timedelta(days=1)


@dataclass
class Company:
    base: Path  # the folder the commands run in (not a workspace)
    root: Path  # the workspace
    init: Result
    generate: Result
    load: Result


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Company:
    base = tmp_path_factory.mktemp("e2e")
    root = base / "acme"
    init = tenure("init", root, cwd=base)
    assert init.returncode == 0, str(init)
    generate = tenure("demo", "generate", "--out", root / "data", "--accounts", "150", "--months", "18",
                      "--seed", "7", cwd=base)
    assert generate.returncode == 0, str(generate)
    load = tenure("--workspace", root, "load", root / "data", cwd=base)
    assert load.returncode == 0, str(load)
    return Company(base, root, init, generate, load)


Cli = Callable[..., Result]


@pytest.fixture(scope="module")
def cli(company: Company) -> Cli:
    """`tenure --workspace ROOT ARGS...` (or ARGS in ROOT with inside=True), each command run once per module."""
    done: dict[tuple, Result] = {}

    def run(*args: str, inside: bool = False) -> Result:
        key = (args, inside)
        if key not in done:
            if inside:
                done[key] = tenure(*args, cwd=company.root)
            else:
                done[key] = tenure("--workspace", company.root, *args, cwd=company.base)
        return done[key]

    return run


@pytest.fixture(scope="module")
def headline(cli: Cli) -> dict:
    out = cli("metrics", "revenue", "--format", "json")
    assert out.returncode == 0, str(out)
    return lenient_json(out.stdout)


def assert_bridge_foots(bridge: list[dict]) -> None:
    """arr_start + every movement = arr_end in each period; periods chain; movements have their signs."""
    assert bridge
    for row in bridge:
        assert set(BRIDGE_COLUMNS) <= set(row), row
        moved = row["arr_start"] + sum(row[m] for m in MOVEMENTS)
        assert moved == pytest.approx(row["arr_end"], abs=CENTS), row
        assert row["new"] >= 0 and row["expansion"] >= 0 and row["reactivation"] >= 0, row
        assert row["contraction"] <= 0 and row["churn"] <= 0, row
    for earlier, later in pairwise(bridge):
        assert later["arr_start"] == pytest.approx(earlier["arr_end"], abs=0.005), (earlier, later)


def assert_retention(figures: dict) -> None:
    """The README's invariants of one set of retention figures."""
    assert 0 <= figures["grr"] <= 1, figures
    assert figures["grr"] <= figures["nrr"], figures
    assert 0 <= figures["logo_churn"] <= 1 and 0 <= figures["dollar_churn"] <= 1, figures
    # the lost entities keep none of their start: GRR ≤ 1 - dollar churn
    assert figures["grr"] <= 1 - figures["dollar_churn"] + 1e-9, figures


# -- set-up commands ----------------------------------------------------------------------------------


def test_init_generate_and_load_report_what_they_did(company: Company):
    assert (company.root / "tenure.yaml").is_file()
    assert "Created workspace" in company.init.stdout and str(company.root) in company.init.stdout
    for table in ("accounts", "subscriptions"):
        assert (company.root / "data" / f"{table}.parquet").is_file()
    assert "Wrote a demo company" in company.generate.stdout
    accounts = int(re.search(r"accounts ([\d,]+)", company.generate.stdout).group(1).replace(",", ""))
    assert accounts >= 150
    # the load summary names every table written, and the warehouse holds what it says
    tables = fingerprint(company.root)
    assert {"accounts", "subscriptions"} <= set(tables)
    for name, (rows, _hash) in tables.items():
        assert re.search(rf"{name}\s.*\s{rows:,}\s", company.load.stdout), (name, rows, company.load.stdout)
    assert tables["accounts"][0] == accounts
    for result in (company.init, company.generate, company.load):
        assert "Traceback" not in result.output


# -- metrics revenue ----------------------------------------------------------------------------------


def test_revenue_json_headline_and_bridge(headline: dict):
    ran_on = dt.date.fromisoformat(headline["as_of"])
    assert ran_on in {TODAY, dt.date.today()}  # the day the suite started, or the next when it ran past midnight
    period_end = last_month_end(ran_on)
    assert headline["period_end"] == period_end.isoformat()
    assert headline["currency"] == "USD" and headline["window_months"] == 12
    assert headline["arr"] > 0 and headline["paying_accounts"] > 0
    assert_retention(headline)
    assert 0 <= headline["accounts_lost"] <= headline["accounts_at_start"]
    assert headline["logo_churn"] == pytest.approx(headline["accounts_lost"] / headline["accounts_at_start"])
    assert headline["quick_ratio"] is None or headline["quick_ratio"] >= 0
    assert headline["targets"] == {"grr": 0.9, "nrr": 1.1}

    bridge = headline["bridge"]
    assert_bridge_foots(bridge)
    last = month_index(period_end.isoformat()[:7])
    assert [row["period"] for row in bridge] == [month_label(i) for i in range(last - 11, last + 1)]
    assert bridge[-1]["arr_end"] == pytest.approx(headline["arr"], abs=0.005)


def test_revenue_csv_is_the_bridge(cli: Cli, headline: dict):
    out = cli("metrics", "revenue", "--format", "csv")
    assert out.returncode == 0, str(out)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert list(rows[0]) == ["period", *BRIDGE_COLUMNS]
    assert [r["period"] for r in rows] == [r["period"] for r in headline["bridge"]]
    for from_csv, from_json in zip(rows, headline["bridge"], strict=True):
        for column in BRIDGE_COLUMNS:
            assert float(from_csv[column]) == pytest.approx(from_json[column], abs=0.005), (column, from_csv)


def test_revenue_quarterly_bridge_foots_and_matches_the_months(cli: Cli, headline: dict):
    out = cli("metrics", "revenue", "--period", "quarter", "--periods", "4", "--format", "json")
    assert out.returncode == 0, str(out)
    quarters = lenient_json(out.stdout)["bridge"]
    assert len(quarters) == 4
    assert all(re.fullmatch(r"\d{4}Q[1-4]", q["period"]) for q in quarters), quarters
    assert_bridge_foots(quarters)
    assert quarters[-1]["arr_end"] == pytest.approx(headline["arr"], abs=0.005)


def test_revenue_by_segment_partitions_the_headline(cli: Cli, headline: dict):
    out = cli("metrics", "revenue", "--by", "segment", "--format", "json")
    assert out.returncode == 0, str(out)
    summary = lenient_json(out.stdout)
    groups = summary["groups"]
    assert len(groups) >= 2 and all("segment" in g for g in groups)
    assert len({g["segment"] for g in groups}) == len(groups)
    # each account has one segment: the groups add up to the headline
    assert sum(g["arr"] for g in groups) == pytest.approx(headline["arr"], abs=CENTS * len(groups))
    assert sum(g["paying_accounts"] for g in groups) == headline["paying_accounts"]
    assert sum(g["accounts_start"] for g in groups) == headline["accounts_at_start"]
    assert sum(g["accounts_lost"] for g in groups) == headline["accounts_lost"]
    for group in groups:
        if group["accounts_start"]:
            assert_retention(group)
    assert summary["arr"] == headline["arr"] and summary["grr"] == headline["grr"]

    table = cli("metrics", "revenue", "--by", "segment", "--format", "csv")
    assert table.returncode == 0, str(table)
    rows = list(csv.DictReader(io.StringIO(table.stdout)))
    assert list(rows[0])[:2] == ["segment", "arr"]
    assert {r["segment"] for r in rows} == {g["segment"] for g in groups}


def test_revenue_by_product_splits_arr_per_product(cli: Cli, headline: dict):
    out = cli("metrics", "revenue", "--by", "product", "--format", "json")
    assert out.returncode == 0, str(out)
    summary = lenient_json(out.stdout)
    groups = summary["groups"]
    assert len(groups) >= 2 and all("product" in g for g in groups)
    assert sum(g["arr"] for g in groups) == pytest.approx(headline["arr"], abs=CENTS * len(groups))
    # an account pays for one product at least: no product has more paying accounts than the company
    assert max(g["paying_accounts"] for g in groups) <= headline["paying_accounts"]
    assert sum(g["paying_accounts"] for g in groups) >= headline["paying_accounts"]
    for group in groups:
        if group["accounts_start"]:
            assert_retention(group)
    assert_retention(summary)  # the per-(account, product) headline
    assert_bridge_foots(summary["bridge"])


def test_every_json_view_is_strict_json(cli: Cli):
    """JSON output is read by other tools: NaN/Infinity (Python's extensions) are not JSON; a missing figure is null."""
    views = [
        ("metrics", "revenue", "--format", "json"),
        ("metrics", "revenue", "--by", "segment", "--format", "json"),
        ("metrics", "revenue", "--by", "product", "--format", "json"),
        ("metrics", "cohorts", "--period", "month", "--format", "json"),
    ]
    for args in views:
        out = cli(*args)
        assert out.returncode == 0, str(out)
        try:
            strict_json(out.stdout)
        except ValueError as exc:
            pytest.fail(f"`tenure {' '.join(args)}` printed invalid JSON: {exc}")


def test_as_of_gives_the_numbers_as_they_were(cli: Cli, headline: dict):
    """A past --as-of snapshots the month-end before it, and its ARR is that month's ARR in today's bridge."""
    earlier = month_index(headline["period_end"][:7]) - 6
    as_of = month_end(earlier) + dt.timedelta(days=10)
    out = cli("metrics", "revenue", "--as-of", as_of.isoformat(), "--format", "json")
    assert out.returncode == 0, str(out)
    past = lenient_json(out.stdout)
    assert past["as_of"] == as_of.isoformat()
    assert past["period_end"] == month_end(earlier).isoformat()
    assert past["bridge"][-1]["period"] == month_label(earlier)
    assert_bridge_foots(past["bridge"])
    assert past["arr"] > 0
    assert_retention(past)
    then = next(row for row in headline["bridge"] if row["period"] == month_label(earlier))
    assert past["arr"] == pytest.approx(then["arr_end"], abs=0.005)
    # the months both bridges show are the same months
    shared = {row["period"]: row for row in headline["bridge"]}
    for row in past["bridge"]:
        if row["period"] in shared:
            for column in BRIDGE_COLUMNS:
                assert row[column] == pytest.approx(shared[row["period"]][column], abs=0.005), (column, row)


# -- metrics cohorts ----------------------------------------------------------------------------------


def test_cohorts_json_long_form(cli: Cli, headline: dict):
    out = cli("metrics", "cohorts", "--period", "month", "--format", "json")
    assert out.returncode == 0, str(out)
    rows = lenient_json(out.stdout)
    assert rows
    last = month_index(headline["period_end"][:7])
    ages: dict[str, list[int]] = defaultdict(list)
    sizes: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        assert 0 <= row["accounts"] <= row["cohort_accounts"], row
        assert 0 <= row["logo_retention"] <= 1 and row["revenue_retention"] >= 0, row
        assert row["logo_retention"] == pytest.approx(row["accounts"] / row["cohort_accounts"]), row
        if row["age"] == 0:  # a monthly cohort is everyone paying at its own month-end
            assert row["logo_retention"] == 1 and row["revenue_retention"] == pytest.approx(1), row
        # only ended periods are shown
        assert month_index(row["cohort"]) + row["age"] <= last, row
        ages[row["cohort"]].append(row["age"])
        sizes[row["cohort"]].add(row["cohort_accounts"])
    for cohort, seen in ages.items():
        assert sorted(seen) == list(range(last - month_index(cohort) + 1)), cohort
        assert len(sizes[cohort]) == 1, cohort
    # at the last month-end every paying account sits in exactly one cohort
    now = [row for row in rows if month_index(row["cohort"]) + row["age"] == last]
    assert sum(row["accounts"] for row in now) == headline["paying_accounts"]
    assert sum(row["arr"] for row in now) == pytest.approx(headline["arr"], abs=1)


def test_cohorts_table_shows_readable_retention(cli: Cli):
    """The matrix view: its title, and retention figures a reader can read (not cells cut to `1…`)."""
    out = cli("metrics", "cohorts", "--metric", "logo")
    assert out.returncode == 0, str(out)
    assert "Logo retention by start quarter" in out.stdout
    shown = "\n".join(out.stdout.splitlines()[:8])
    assert re.search(r"\d+\.\d%", out.stdout), f"no retention percentage is readable in the matrix:\n{shown}"


# -- tenure run, and working from inside the workspace -------------------------------------------------


def test_inside_the_workspace_without_workspace_option(cli: Cli):
    outside = cli("metrics", "revenue", "--format", "json")
    inside = cli("metrics", "revenue", "--format", "json", inside=True)
    assert inside.returncode == 0, str(inside)
    assert lenient_json(inside.stdout) == lenient_json(outside.stdout)


def test_loading_the_same_files_again_from_inside_changes_nothing(company: Company):
    before = fingerprint(company.root)
    again = tenure("load", "data", cwd=company.root)
    assert again.returncode == 0, str(again)
    assert "Traceback" not in again.output
    assert fingerprint(company.root) == before
    # the summary says so: nothing inserted or updated, every row unchanged
    for name, (rows, _hash) in before.items():
        line = next(line for line in again.stdout.splitlines() if re.search(rf"\b{name}\b", line))
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", line)]
        assert numbers[1:3] == [0, 0], line  # rows read, inserted, updated, unchanged, rows in table
        assert numbers[-1] == rows, line


def test_run_prints_the_headline_and_stores_the_revenue_tables(company: Company, headline: dict):
    out = tenure("run", cwd=company.root)
    assert out.returncode == 0, str(out)
    assert "Traceback" not in out.output
    text = out.stdout
    lines: dict[str, str] = {}
    for line in text.splitlines():  # the first line starting with each word: the headline comes first
        if line.strip():
            lines.setdefault(line.split()[0], line)
    assert f"{headline['arr']:,.0f}" in lines["ARR"] and f"({headline['paying_accounts']:,} paying" in lines["ARR"]
    assert f"{headline['grr'] * 100:.1f}%" in lines["GRR"]
    assert f"{headline['nrr'] * 100:.1f}%" in lines["NRR"]
    assert "Logo churn" in text and "Dollar churn" in text and "Quick ratio" in text
    assert "ARR bridge" in text
    for row in headline["bridge"]:
        bridge_line = next(line for line in text.splitlines() if f" {row['period']} " in line)
        assert f"{row['arr_end']:,.0f}" in bridge_line, bridge_line
    # what it says it stored is in the warehouse
    stored = dict(re.findall(r"(revenue_\w+) \(([\d,]+) rows\)", text))
    assert set(stored) == {"revenue_mrr", "revenue_movements", "revenue_renewals"}, text
    assert set(stored) <= all_tables(company.root)
    for table, rows in stored.items():
        assert row_count(company.root, table) == int(rows.replace(",", "")), table
    assert int(stored["revenue_renewals"].replace(",", "")) == headline["paying_accounts"]
