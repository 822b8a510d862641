"""The account brief on the hand-made company of `board_company`: its sentences, its files, and what it says
when data is missing."""

from __future__ import annotations

import html
import re

import pytest
import typer
from pypdf import PdfReader
from typer.testing import CliRunner

from desk.renewal_fixtures import store_predictions
from operating.tables import account, line, workspace_with
from reports.board_company import AS_OF, company
from reports.fake_chat import chat_server
from tenure.cli import report_account
from tenure.cli.context import Options
from tenure.errors import NotFound
from tenure.reports.brief import build_brief

pytestmark = pytest.mark.slow  # each brief scores its account's health: a few seconds apiece


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    workspace = company(tmp_path_factory.mktemp("brief"))
    store_predictions(workspace, "2026-09-30", [("A1", 0.42, 0.1, 0.05, "active users down 40%")])
    yield workspace
    workspace.close()


def report_cli() -> typer.Typer:
    """`tenure report account` as the report group registers it, under a root of its own."""
    root, group = typer.Typer(), typer.Typer()
    report_account.register(group)
    root.add_typer(group, name="report")
    return root


def text_of(page: str) -> str:
    """The visible text of an HTML document, whitespace collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", page, flags=re.S))))


def test_the_brief_is_written_as_html_and_pdf_with_the_facts_in_plain_sentences(ws, tmp_path):
    out = tmp_path / "briefs"
    with chat_server(lambda body: (500, {"error": "down"})) as (url, received):
        result = CliRunner().invoke(report_cli(), ["report", "account", "A1", "--as-of", str(AS_OF), "--out",
                                                   str(out), "--llm-url", url],
                                    obj=Options(workspace=ws.root, warehouse=None))
    assert result.exit_code == 0, result.output
    html_path, pdf_path = out / "account-A1-2026-09-30.html", out / "account-A1-2026-09-30.pdf"
    assert result.stdout.splitlines() == [str(html_path), str(pdf_path)]
    assert len(received) == 4  # one rewrite asked per section; the endpoint failed, so the computed text stays
    assert "  ARR, contract and health: kept the computed text (the language model call failed: HTTP 500)" \
        in result.stderr.splitlines()
    shown = text_of(html_path.read_text(encoding="utf-8"))
    assert "A1 Inc pays 12.0K of ARR (the same as a year ago) and has been a customer since 2025-03-01." in shown
    assert "The next renewal is on 2027-03-01, in 152 days, with 12.0K up for renewal on a 12-month term." in shown
    assert "Health is 27 (red on the standard scorecard)" in shown
    assert "The churn model puts the risk of churn at the next renewal at 42.0%, expansion at 5.0%; its drivers: " \
           "active users down 40%." in shown
    assert "churn probability at or above the risk threshold (42.0%)" in shown
    assert "Value realised in the last 90 days: hours saved 8 hours." in shown
    assert "Success plan “Cut reporting time in half” (active): 1 of 2 criteria met; still open: Five teams " \
           "onboarded." in shown
    assert "champion or sponsor left (in the last 180 days)" in shown and "CTAs overdue (1 CTA)" in shown
    assert "No executive sponsor is on record. Champion: Ana Lopez (VP Operations). Ben Ray (CFO), exec sponsor, " \
           "left on 2026-08-15. Our CSM is Cleo Park." in shown
    actions = shown[shown.index("Recommended next actions"):]
    assert [a in actions for a in ("Close the overdue CTAs first: #1 (usage down).", "Open a save plan",
                                   "Find an executive sponsor", "Run an adoption review",
                                   "Bring evidence for the open success criteria: Five teams onboarded.")] == [True] * 5
    pdf = PdfReader(pdf_path)
    printed = " ".join(page.extract_text() for page in pdf.pages)
    assert 1 <= len(pdf.pages) <= 3 and "A1 Inc" in printed and "Recommended next actions" in printed


def test_an_unknown_account_is_a_clear_error(ws):
    with pytest.raises(NotFound, match="no account with account_id 'NOPE'"):
        build_brief(ws, "NOPE", as_of=AS_OF)


def test_an_account_that_left_is_briefed_as_a_former_customer(ws):
    title, subtitle, sections = build_brief(ws, "A2", as_of=AS_OF)
    assert title == "A2 Inc" and subtitle == "Account brief as of 2026-09-30 · A2 · SMB · CSM Person C2"
    contract = sections[0]
    assert contract.narrative == ["A2 Inc is not a paying customer on 2026-09-30.",
                                  "Health: no health score: not a paying customer."]
    assert contract.tables[0].frame["arr_a_year_ago"].tolist() == [24_000]
    assert sections[1].narrative[0] == "Usage: not a paying customer."


def test_missing_optional_tables_are_said_not_zero(tmp_path):
    bare = workspace_with(tmp_path, {"accounts": [account("B1", segment="SMB")],
                                     "subscriptions": [line("b1", "B1", "2026-01-01", 500)]})
    (bare.root / "workflow.sqlite").unlink()  # a workspace whose workflow store was never created
    _title, _subtitle, sections = build_brief(bare, "B1", as_of=AS_OF)
    usage, risks, actions = sections[1], sections[2], sections[3]
    assert usage.no_data == ("no product usage is loaded (the events table); no value driver is configured and no "
                             "workflow store holds plans")
    assert risks.narrative[-1] == "Stakeholders: no contact is recorded at the customer."
    assert "The next renewal is on 2027-01-01, in 93 days" in sections[0].narrative[0]
    assert actions.narrative == ["Prepare the renewal of 2027-01-01: confirm the decision maker, the budget and the "
                                 "value delivered against the success criteria before the call."]
    bare.close()


def test_an_unknown_format_is_refused_before_any_work(ws, tmp_path):
    result = CliRunner().invoke(report_cli(), ["report", "account", "A1", "--format", "docx", "--out", str(tmp_path)],
                                obj=Options(workspace=ws.root, warehouse=None))
    assert "--format takes html and/or pdf (e.g. html,pdf), not 'docx'" in str(result.exception)
    assert list(tmp_path.iterdir()) == []
