"""The board pack on a hand-made company with known answers (tests/reports/board_workspace.py).

Every figure a section writes must be found in that section's formatted tables; the waterfall
must add up; a workspace with only accounts and subscriptions must give "no data" sections,
not a failure, through the CLI; the PDF must open with a page per section. The first pages are rendered to PNG
under test-output/reports/ for a human to look at.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from cli.helpers import assert_error, tenure
from reports.board_workspace import (
    ARR_DUE,
    ARR_END,
    ARR_START,
    AT_RISK_ARR,
    EXPECTED_CHURN,
    MOVED_DOWN_ARR,
    MOVEMENTS,
    PERIOD,
    full_workspace,
    minimal_workspace,
)
from tenure.errors import TenureError
from tenure.reports.board.bridge import waterfall
from tenure.reports.board.context import board_context
from tenure.reports.board.document import SECTIONS, BoardPack, build_board
from tenure.reports.figures import figures_in
from tenure.reports.render import format_table, parse_formats, render_html
from tenure.workspace import Workspace

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reports"


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = full_workspace(tmp_path_factory.mktemp("board"))
    ws.close()
    return ws.root


@pytest.fixture(scope="module")
def pack(company: Path) -> BoardPack:
    ws = Workspace.open(company)
    try:
        return build_board(ws, PERIOD)
    finally:
        ws.close()


def section(pack: BoardPack, key: str):
    return next(s for s in pack.sections if s.key == key)


def table(pack: BoardPack, key: str, title_start: str):
    return next(t for t in section(pack, key).tables if t.title.startswith(title_start))


def cells(section) -> Counter:
    """Every figure written in the section's formatted tables."""
    found = Counter()
    for t in section.tables:
        for value in format_table(t).to_numpy().ravel():
            found.update(figures_in(str(value)))
    return found


@pytest.mark.slow
def test_every_section_is_built_in_order(pack):
    assert len(pack.sections) == len(SECTIONS)
    assert [s.key for s in pack.sections][:6] == ["headline", "bridge", "retention", "health", "risk", "forecast"]


@pytest.mark.slow
def test_every_figure_of_every_narrative_is_in_its_tables(pack):
    checked = 0
    for s in pack.sections:
        if s.no_data:
            continue
        assert s.narrative, f"{s.key} has data but no interpretation"
        found = cells(s)
        for paragraph in s.narrative:
            for figure in figures_in(paragraph):
                assert figure in found, f"{s.key}: {figure!r} of {paragraph!r} is in none of its tables"
                checked += 1
    assert checked > 50


@pytest.mark.slow
def test_the_waterfall_adds_up_to_the_known_bridge(pack):
    bridge = table(pack, "bridge", "ARR bridge by period").frame.set_index("period").loc[PERIOD]
    assert bridge["arr_start"] == ARR_START and bridge["arr_end"] == ARR_END
    assert {m: bridge[m] for m in MOVEMENTS} == MOVEMENTS
    steps = waterfall(bridge)
    assert list(steps["step"]) == ["start", "new", "expansion", "reactivation", "contraction", "churn", "end"]
    assert steps["arr"].iloc[:-1].sum() == steps["arr"].iloc[-1] == ARR_END
    chart = section(pack, "bridge").charts[0].chart
    assert chart.data["arr"].tolist() == steps["arr"].tolist()


@pytest.mark.slow
def test_headline_against_target_prior_and_year_ago(pack):
    arr = table(pack, "headline", "ARR at the end").frame
    assert arr["period"].tolist() == ["2026Q3", "2026Q2", "2025Q3"]
    assert arr["arr"].tolist() == [79_200.0, 85_200.0, 93_000.0]
    rates = table(pack, "headline", "Retention of each period").frame.iloc[0]
    assert rates["grr"] == pytest.approx(58_800 / 85_200) and rates["nrr"] == pytest.approx(64_800 / 85_200)
    assert rates["grr_target"] == pytest.approx(0.9 ** 0.25) and rates["accounts_lost"] == 1
    text = " ".join(section(pack, "headline").narrative)
    assert "ARR closed 2026Q3 at 79.2K across 6 paying accounts" in text
    assert "69.0% of its starting ARR (GRR) against a target of 97.4% (-28.4 pp)" in text


@pytest.mark.slow
def test_health_moves_and_risk_from_stored_history_scores_and_ctas(pack):
    moved = table(pack, "health", "Band moves").frame.set_index("moved")
    assert moved.loc["down", "arr"] == MOVED_DOWN_ARR and moved.loc["up", "arr"] == 0
    bands = table(pack, "health", "ARR per health band").frame.set_index("band")
    assert bands.loc["red", "arr_end"] == AT_RISK_ARR and bands.loc["red", "arr_start"] == 0
    summary = table(pack, "risk", "Renewals due and at risk").frame.iloc[0]
    assert (summary["arr_due"], summary["at_risk_arr"]) == (ARR_DUE, AT_RISK_ARR)
    assert summary["expected_churn"] == pytest.approx(EXPECTED_CHURN)
    largest = table(pack, "risk", "Largest at-risk renewals").frame
    assert largest["account"].tolist() == ["Acme", "Gum"]
    assert largest["open_ctas"].tolist() == ["risk, due 2026-10-15", "none"]  # Gum's CTA closed before the date
    assert "No CTA was open on Gum." in section(pack, "risk").narrative
    assert section(pack, "forecast").no_data.startswith("no renewal model is trained")


@pytest.mark.slow
def test_without_stored_scores_risk_falls_back_to_the_lowest_health_band(company, tmp_path):
    root = shutil.copytree(company, tmp_path / "copy")
    ws = Workspace.open(root)
    try:
        ws.warehouse.raw().execute("DROP TABLE prediction_history")
        built = build_board(ws, PERIOD, sections=("risk",)).sections[0]
    finally:
        ws.close()
    summary = next(t for t in built.tables if t.title.startswith("Renewals due")).frame.iloc[0]
    assert (summary["arr_due"], summary["at_risk_arr"]) == (ARR_DUE, AT_RISK_ARR) and pd.isna(summary["expected_churn"])
    largest = next(t for t in built.tables if t.title.startswith("Largest")).frame
    assert largest["account"].tolist() == ["Acme", "Gum"] and "churn_probability" not in largest.columns
    assert largest["drivers"].iloc[0] == "seat utilisation (-20 points); meetings in 90 days (-10 points)"
    assert "red health band on 2026-09-28" in built.narrative[0]


@pytest.mark.slow
def test_html_is_self_contained(pack):
    html = render_html(title=pack.title, subtitle=pack.subtitle, sections=pack.sections, currency=pack.currency)
    assert "https://" not in html and "http://" not in html.replace("http://www.w3.org/", "")
    assert "<link" not in html and "<script" not in html
    assert html.count("<svg") == sum(len(s.charts) for s in pack.sections if not s.no_data) >= 8


@pytest.mark.slow
def test_cli_pack_for_a_workspace_with_only_the_required_tables_says_no_data_and_prints(tmp_path):
    ws = minimal_workspace(tmp_path)
    ws.close()
    out = tenure("--workspace", ws.root, "report", "board", "--period", PERIOD, "--out", tmp_path / "packs",
                 cwd=tmp_path)
    assert out.returncode == 0, str(out)
    html, pdf = (tmp_path / "packs" / f"board-{PERIOD}.{kind}" for kind in ("html", "pdf"))
    assert out.stdout.split() == [str(html), str(pdf)]
    text = html.read_text(encoding="utf-8")
    assert "ARR closed 2026Q3 at 79.2K" in text
    for missing in ("No data: no health history is stored", "No data: neither a churn score nor a health snapshot",
                    "No data: no renewal model is trained"):
        assert missing in text

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]
    assert len(pages) >= len(SECTIONS) and "Customer success board pack" in pages[0]
    for title in ("Headline", "ARR bridge", "Retention", "Health", "Risk", "Forecast"):
        assert any(page.startswith(title) or f" {title} " in page for page in pages), f"no page shows {title!r}"
    assert any("No data: no renewal model is trained" in page for page in pages)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("board-*.png"):
        old.unlink()
    shutil.copy(pdf, OUTPUT / "board.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-l", "2", str(pdf), str(OUTPUT / "board")], check=True)
    assert len(list(OUTPUT.glob("board-*.png"))) == 2


def test_a_bad_period_format_or_date_is_named(tmp_path):
    ws = Workspace.init(tmp_path / "ws")  # each is refused before any data is read
    try:
        with pytest.raises(TenureError, match="'2026Q5' is not a period; write 2026Q3"):
            board_context(ws, "2026Q5")
        with pytest.raises(TenureError, match="ends on 2026-09-30, after --as-of 2026-08-01"):
            board_context(ws, PERIOD, as_of=dt.date(2026, 8, 1))
        with pytest.raises(TenureError, match="ends on 2999-12-31 and --as-of is 2999-12-31, after today"):
            board_context(ws, "2999Q4")
        with pytest.raises(TenureError, match="--format takes html and/or pdf .*'docx'"):
            parse_formats("html,docx")
        later = dt.date(2026, 10, 5)
        context = board_context(ws, PERIOD, as_of=later)
        context.store.dispose()
        assert (context.prior.label, context.year_ago.label, context.as_of) == ("2026Q2", "2025Q3", later)
        assert [p.label for p in context.periods_back(3)] == ["2026Q1", "2026Q2", "2026Q3"]
    finally:
        ws.close()
    out = tenure("--workspace", ws.root, "report", "board", "--period", "2026Q5", cwd=tmp_path)
    assert_error(out, 1, "--period '2026Q5' is not a period", "2026Q3")
