"""The mapping commands as a user runs them: `tenure load --mapping/--preset`, `tenure sources check|suggest|presets`.

Every command runs as a separate `tenure` process in a workspace made by `tenure init`; the
warehouse is compared before and after with `Warehouse.fingerprint()`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from cli.helpers import fingerprint
from tenure.contract.mapping.files import parse_mapping, presets

from .helpers import DATA

TENURE = Path(sys.executable).with_name("tenure")
SAAS = DATA / "sources" / "saas"
NPS = DATA / "sources" / "nps"


def tenure(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([str(TENURE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)



def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("mapping_cli")
    made = tenure("init", base / "ws", cwd=base)
    assert made.returncode == 0, made.stderr
    return base / "ws"


@pytest.fixture
def workspace(fresh: Path, tmp_path: Path) -> Path:
    return shutil.copytree(fresh, tmp_path / "ws")


def test_an_export_loaded_with_a_mapping_gives_revenue_metrics(workspace, tmp_path):
    loaded = tenure("-w", workspace, "load", SAAS, "--mapping", SAAS / "mapping.yaml", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "Traceback" not in loaded.stdout + loaded.stderr

    revenue = tenure("-w", workspace, "metrics", "revenue", "--as-of", "2024-06-30", "--format", "json", cwd=tmp_path)

    assert revenue.returncode == 0, revenue.stderr
    figures = json.loads(revenue.stdout)
    # ARR: (1000 + 99.50 + 250) x 12; the window starts 2023-06-30 with C-1 1000, C-2 500, C-3 250 a month
    assert figures["arr"] == pytest.approx(16194.0)
    assert figures["paying_accounts"] == 2
    assert figures["grr"] == pytest.approx(15000 / 21000)  # C-1 capped at 1000, C-2 churned, C-3 250
    assert figures["nrr"] == pytest.approx(1349.5 / 1750)
    assert figures["logo_churn"] == pytest.approx(1 / 3)

    again = tenure("-w", workspace, "load", SAAS, "--mapping", SAAS / "mapping.yaml", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "│ subscriptions │         4 │        0 │       0 │         4 │             4 │" in again.stdout


def test_check_shows_columns_mapped_rows_and_changes_without_loading(workspace, tmp_path):
    before = fingerprint(workspace)

    checked = tenure("-w", workspace, "sources", "check", SAAS, "--mapping", SAAS / "mapping.yaml", "--rows", "2",
                     cwd=tmp_path)

    assert checked.returncode == 0, checked.stderr
    out = checked.stdout
    assert "billing_lines.csv → subscriptions (read by mapping.yaml: sources.files.1 (pattern billing_lines*.csv))" \
        in flat(out)
    assert "│ Price │ mrr │" in flat(out)
    assert "│ Billing │ mrr, billing_period, term_months │" in flat(out)
    assert "│ mrr │ = price / 12 if billing == 'Annual' else price │" in flat(out)
    assert "│ billing_period │ column 'Billing', value map │" in flat(out)
    assert "First 2 rows, as they would be stored" in out
    assert "│ 1 │ L1 │ C-1 │ Core │ 2023-01-01 │ 1000.0000 │ USD │ — │ 25 │ year │ 12 │" in flat(out)
    assert "99.5000" not in out  # only the first two lines are shown
    assert "│ Website │ lookup 'account_by_domain' (key) │" in flat(out)
    assert "A load would change (nothing was loaded)" in out
    assert fingerprint(workspace) == before == {}


def test_check_lists_every_problem_and_exits_like_a_rejected_load(workspace, tmp_path):
    export = shutil.copytree(SAAS, tmp_path / "export")
    billing = (export / "billing_lines.csv").read_text(encoding="utf-8")
    (export / "billing_lines.csv").write_text(billing.replace("$250.00", "$25O.00").replace("06/01/2023", "13/01/2023"),
                                              encoding="utf-8")
    support = (export / "support.csv").read_text(encoding="utf-8")
    (export / "support.csv").write_text(support.replace("gamma.example", "delta.example"), encoding="utf-8")

    checked = tenure("-w", workspace, "sources", "check", export, "--mapping", SAAS / "mapping.yaml", cwd=tmp_path)

    assert checked.returncode == 5, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stdout + checked.stderr
    err = flat(checked.stderr)
    assert "3 problem(s): a load would be rejected. Nothing was loaded." in err
    assert (f"{export / 'billing_lines.csv'}, row 3, column Price, value '$25O.00': not a number like 1,234.50"
            in err)
    assert "[number_format]" in err
    assert (f"{export / 'billing_lines.csv'}, row 3, column Begins, value '13/01/2023': not a date in the format "
            "'%m/%d/%Y' [date_format]") in err
    assert (f"{export / 'support.csv'}, row 2, column Org Domain, value 'delta.example': no row of customers.csv has "
            "this Website (lookup 'account_by_domain') [unknown_key]") in err
    assert fingerprint(workspace) == {}


def test_check_as_json(workspace, tmp_path):
    checked = tenure("-w", workspace, "sources", "check", NPS / "nps_responses.csv", "--preset", "nps",
                     "--format", "json", cwd=tmp_path)

    # the survey's accounts are not loaded: the contract's reference rule rejects every row
    assert checked.returncode == 5, checked.stderr
    report = json.loads(checked.stdout)
    (survey,) = report["files"]
    assert survey["table"] == "surveys"
    assert survey["columns"] == ["Response ID", "Company ID", "Submitted At", "Score", "Comment"]
    assert survey["preview"][0]["score"] == "9.0000"
    assert survey["preview"][0]["submitted_at"] == "2024-03-01 09:30:00"
    assert {p["rule"] for p in report["problems"]} == {"unknown_reference"}
    assert {p["column"] for p in report["problems"]} == {"Company ID (account_id)"}
    assert report["changes"] is None


def test_check_works_outside_a_workspace(tmp_path):
    checked = tenure("sources", "check", SAAS, "--mapping", SAAS / "mapping.yaml", cwd=tmp_path)

    assert checked.returncode == 0, checked.stderr
    assert "no workspace here" in checked.stderr
    assert "A load would change (nothing was loaded)" in checked.stdout


SUBSCRIPTION_EXPORT = (
    "Subscription ID,Customer ID,Plan,MRR,Created,Canceled,Billing Interval,Seats,Notes\n"
    '1001,C-1,Pro,"$1,234.50",01/31/2024,,Monthly,10,first\n'
    "1002,C-2,Basic,$49.00,02/15/2024,08/15/2024,Yearly,3,\n"
    "1003,C-3,Basic,$49.00,03/01/2024,,Monthly,1,\n"
)


def test_suggest_proposes_a_mapping_that_check_accepts(workspace, tmp_path):
    loaded = tenure("-w", workspace, "load", SAAS / "customers.csv", "--mapping", SAAS / "mapping.yaml", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    export = tmp_path / "acme_billing.csv"
    export.write_text(SUBSCRIPTION_EXPORT, encoding="utf-8")

    suggested = tenure("sources", "suggest", export, cwd=tmp_path)

    assert suggested.returncode == 0, suggested.stderr
    text = suggested.stdout
    mapping = parse_mapping(yaml.safe_load(text), source="suggested")  # valid as it is printed
    (spec,) = mapping.files
    assert (spec.table, spec.pattern) == ("subscriptions", "acme_billing.csv")
    assert spec.columns == {"subscription_id": "Subscription ID", "account_id": "Customer ID", "product": "Plan",
                            "start_date": "Created", "mrr": "MRR", "end_date": "Canceled",
                            "quantity": "Seats", "billing_period": "Billing Interval"}
    assert {name: fmt.model_dump() for name, fmt in spec.formats.items()} == {
        "Created": {"type": "date", "format": "%m/%d/%Y"}, "Canceled": {"type": "date", "format": "%m/%d/%Y"}}
    assert spec.constants == {"currency": "USD"}
    assert spec.values == {"billing_period": {"monthly": "month", "yearly": "year"}}
    assert "# not used: Notes" in text
    assert "values like '$1,234.50'" in text
    (tmp_path / "suggested.yaml").write_text(text, encoding="utf-8")

    checked = tenure("-w", workspace, "sources", "check", export, "--mapping", tmp_path / "suggested.yaml",
                     cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1234.5000" in checked.stdout


def test_suggest_reads_separators_decimal_commas_and_enum_values(tmp_path):
    export = tmp_path / "helpdesk_export.csv"
    export.write_text("Ticket ID;Org;Opened;Priority;Solved;CSAT\n"
                      "101;C-1;2024-03-01T10:00:00Z;P1;2024-03-02T11:00:00Z;4,5\n"
                      "102;C-2;2024-03-05T09:30:00Z;Critical;;\n", encoding="utf-8")

    suggested = tenure("sources", "suggest", export, "--table", "tickets", cwd=tmp_path)

    assert suggested.returncode == 0, suggested.stderr
    (spec,) = parse_mapping(yaml.safe_load(suggested.stdout), source="suggested").files
    assert (spec.table, spec.delimiter) == ("tickets", ";")
    assert spec.columns == {"ticket_id": "Ticket ID", "account_id": "Org", "created_at": "Opened",
                            "priority": "Priority", "resolved_at": "Solved", "csat": "CSAT"}
    assert spec.formats["CSAT"].model_dump() == {"type": "number", "decimal": ",", "thousands": None}
    assert spec.values == {"priority": {"p1": "urgent", "critical": "urgent"}}


def test_presets_by_name_and_an_unknown_preset(workspace, tmp_path):
    listed = tenure("sources", "presets", "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [p["preset"] for p in json.loads(listed.stdout)["presets"]] == sorted(presets())
    assert {"nps", "stripe-subscriptions", "zendesk-tickets", "segment-track"} <= set(presets())

    unknown = tenure("-w", workspace, "load", NPS / "nps_responses.csv", "--preset", "qualtrix", cwd=tmp_path)
    assert unknown.returncode == 3
    assert f"unknown preset 'qualtrix'; known presets: {', '.join(sorted(presets()))}" in flat(unknown.stderr)
    assert "Traceback" not in unknown.stdout + unknown.stderr


def test_a_bad_mapping_file_is_a_configuration_error_naming_the_key(workspace, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  files:\n    - pattern: x.csv\n      table: accounts\n"
                   "      derived: {name: \"__import__('os').system('echo pwned')\"}\n", encoding="utf-8")
    data = tmp_path / "x.csv"
    data.write_text("a\n1\n", encoding="utf-8")

    result = tenure("-w", workspace, "load", data, "--mapping", bad, cwd=tmp_path)

    assert result.returncode == 2
    assert "pwned" not in result.stdout
    assert (f"{bad}: key 'sources.files.0.derived.name': attribute access ('.') is not allowed"
            in flat(result.stderr))
    assert "Traceback" not in result.stdout + result.stderr
