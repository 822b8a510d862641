"""The board-pack sections of adoption × renewal, gaps, onboarding, value and the CS team, on a hand-made company.

The company and its known answers are in `board_company`. Each section's narrative is checked
against its tables: every figure written in the text is one the tables show.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from operating.tables import account, line, workspace_with
from reports.board_company import company, context
from tenure.charts.render import to_svg
from tenure.reports.board import adoption, gaps, onboarding, team, value
from tenure.reports.figures import figures_in
from tenure.reports.render import format_table

MODULES = {"adoption": adoption, "gaps": gaps, "onboarding": onboarding, "value": value, "team": team}


@pytest.fixture(scope="module")
def sections(tmp_path_factory):
    ws = company(tmp_path_factory.mktemp("board"))
    ctx = context(ws)
    built = {name: module.build(ctx) for name, module in MODULES.items()}
    ctx.store.dispose()
    ws.close()
    return built


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A workspace with accounts and subscriptions only, no workflow store: every optional input missing."""
    ws = workspace_with(tmp_path_factory.mktemp("bare"), {
        "accounts": [account("B1"), account("B2")],
        "subscriptions": [line("b1", "B1", "2025-01-01", 1000), line("b2", "B2", "2025-02-01", 500,
                                                                      end_date="2026-08-01")],
    })
    ctx = context(ws, with_store=False)
    built = {name: module.build(ctx) for name, module in MODULES.items()}
    ws.close()
    return built


def table(section, title_start: str) -> pd.DataFrame:
    found = [t.frame for t in section.tables if t.title.startswith(title_start)]
    assert found, f"no table titled {title_start!r} in {[t.title for t in section.tables]}"
    return found[0]


def shown_figures(section) -> set[str]:
    """Every figure written in the cells of the section's tables, as rendered."""
    return {figure for t in section.tables for value in format_table(t).to_numpy().ravel()
            for figure in figures_in(str(value))}


def test_adoption_shares_accounts_that_used_each_feature_before_their_renewal(sections):
    section = sections["adoption"]
    outcomes = table(section, "Renewals decided").set_index("outcome")
    assert outcomes["renewals"].to_dict() == {"churned": 3, "contracted": 1, "flat": 1, "expanded": 1, "retained": 3,
                                              "all renewals": 6}
    assert outcomes.loc["churned", "arr_up_for_renewal"] == 24_000 + 1_200 + 3_000  # A2, A5 (monthly), A8
    features = table(section, "Share of accounts").set_index("feature")
    assert list(features.index) == ["report_created", "export_downloaded", "login"]  # widest gap first
    assert features.loc["report_created", ["churned", "flat", "expanded"]].tolist() == [0.0, 1.0, 1.0]
    assert features.loc["report_created", "retained"] == pytest.approx(2 / 3)
    assert features.loc["export_downloaded", "gap"] == pytest.approx(1 / 3)  # A1's export came after its renewal
    assert features.loc["login"].drop("gap").tolist() == [1.0] * 5 and features.loc["login", "gap"] == 0
    text = " ".join(section.narrative)
    assert text.startswith("6 renewals were decided in the year: 3 churned, 1 contracted, 1 renewed flat and "
                           "1 expanded; 50.0% of them were kept")
    assert "report_created (used by 66.7% of retained against 0.0% of churned accounts, +66.7 pp)" in text
    assert "login (" not in text  # no gap: it does not separate stayers from leavers
    assert "Expanding customers stand out on export_downloaded: 100.0% of them used it, against 0.0%" in text


def test_gaps_rank_reasons_and_features_by_arr_against_the_prior_period(sections):
    section = sections["gaps"]
    summary = table(section, "ARR lost").set_index("period")
    assert summary.loc["2026Q3", ["arr_lost", "arr_with_reason", "voluntary_share", "interviewed_share"]].tolist() == \
        [3000.0, 3000.0, 1.0, 1.0]
    assert summary.loc["2026Q2", ["arr_lost", "interviewed_share"]].tolist() == [2400.0, 0.0]
    reasons = table(section, "Churn reasons")
    assert reasons[["reason", "records", "arr_lost", "competitors"]].values.tolist() == [["price", 1, 3000.0, "Rival"]]
    features = table(section, "Feature gaps")
    assert features[["feature", "accounts", "arr_lost", "arr_at_risk"]].values.tolist() == \
        [["Offline mode", 2, 3000.0, 12000.0]]  # A8 churned; A1 has an open risk CTA
    text = " ".join(section.narrative)
    assert "3,000 of ARR was lost to churn and contraction in 2026Q3, against 2,400 in 2026Q2." in text
    assert "the largest are price (3,000, 100.0%)" in text
    assert "100.0% of the lost ARR was heard in an exit interview." in text
    assert "Offline mode (3,000 lost and 12.0K at risk across 2 accounts)" in text


def test_onboarding_by_cohort_and_segment_against_the_target(sections):
    section = sections["onboarding"]
    rows = table(section, "Onboarding by start cohort")
    got = rows.set_index(["cohort", "segment"])["median_to_value"].to_dict()
    assert got[("2026-Q3", "SMB")] == 5 and got[("2026-Q1", "SMB")] == 10
    assert got[("2025-Q1", "Enterprise")] == 337 and math.isnan(got[("2025-Q2", "SMB")])
    assert rows.loc[rows["slow"] == "slow", "cohort"].tolist() == ["2025-Q1", "2025-Q2"]
    assert rows.loc[rows["cohort"] == "2025-Q2", "complete_in_time"].tolist() == [0.0, 0.0]
    text = " ".join(section.narrative)
    assert "SMB: 1 account, 100.0% reached first value in a median of 5 days (2026-Q1: 10 days)" in text
    assert text.endswith("Of the 2026-Q3 starts, all past onboarding (every key event reached, or the onboarding "
                         "period over), the share that reached every key event in time was 100.0% in SMB; median "
                         "time to value 5 days in SMB, against a target of 30 days.")


def test_value_delivered_in_total_and_by_segment(sections):
    section = sections["value"]
    totals = table(section, "Value delivered, against")
    assert totals[["driver", "period", "value", "prior_period", "prior_value"]].values.tolist() == \
        [["Hours saved", "2026Q3", 10.0, "2026Q2", 2.0]]
    assert totals["change"].iloc[0] == pytest.approx(4.0)
    by_segment = table(section, "Value delivered by segment")
    assert by_segment[["segment", "value_hours_saved", "share_hours_saved"]].values.tolist() == \
        [["Enterprise", 8.0, 0.8], ["SMB", 2.0, 0.2]]
    assert section.narrative == ["Hours saved: 10 hours in 2026Q3 (2 hours per report_created), up 400.0% on 2026Q2 "
                                 "(2 hours). By segment: Enterprise (8, 80.0%) and SMB (2, 20.0%)."]


def test_team_results_coverage_ctas_and_spend(sections):
    section = sections["team"]
    results = table(section, "Results against target").set_index("book")
    assert results.loc["company", "grr"] == pytest.approx(36_000 / 39_000)  # A8's 3,000 churned in the quarter
    assert results.loc["SMB", "grr"] == pytest.approx(14_400 / 17_400)
    assert results.loc["Enterprise", "grr_vs_target"] == pytest.approx(1 - 0.9 ** 0.25)
    coverage = table(section, "Coverage").set_index("segment")
    assert coverage.loc["all", ["accounts", "arr", "CSMs", "arr_per_csm"]].tolist() == [5, 43_200, 2, 21_600]
    assert coverage.loc["SMB", "arr_target"] == 1_500_000
    ctas = table(section, "CTAs").set_index("period")
    assert ctas.loc["2026Q3"].tolist() == [2, 2, 1] and ctas.loc["2026Q2"].tolist() == [1, 0, 1]
    spend = table(section, "Return on CS spend").set_index("period")
    costs = 2 * 115_000 + 165_000  # two CSMs and a manager at the default yearly costs
    assert spend.loc["2026Q3", ["CS_cost", "arr", "CSMs", "arr_per_csm"]].tolist() == [costs, 43_200, 2, 21_600]
    assert spend.loc["2026Q2", "arr"] == 39_000
    text = " ".join(section.narrative)
    assert text.startswith("GRR was 92.3% in 2026Q3 against a target of 97.4% (-5.1 pp)")
    assert "Enterprise did best (+2.6 pp) and SMB worst (-14.6 pp)" in text
    assert "2 CTAs opened and 2 closed in 2026Q3 (2026Q2: 1 and 0); 1 overdue at its end (2026Q2: 1)." in text


@pytest.mark.parametrize("name", MODULES)
def test_every_narrative_figure_is_shown_in_a_table(sections, name):
    section = sections[name]
    assert section.no_data is None and section.narrative
    written = set(figures_in(" ".join(section.narrative)))
    assert written, "a narrative without figures says nothing measurable"
    assert written <= shown_figures(section), f"not in any table: {written - shown_figures(section)}"


@pytest.mark.parametrize("name", MODULES)
def test_every_chart_renders_to_svg(sections, name):
    for chart in sections[name].charts:
        assert to_svg(chart.chart).lstrip().startswith(("<svg", "<?xml"))


def test_missing_optional_tables_say_no_data(bare):
    assert bare["adoption"].no_data == "no product usage is loaded (the events table)"
    assert bare["gaps"].no_data.startswith("no workflow store")
    assert "need the events and features table(s)" in bare["onboarding"].no_data
    assert bare["value"].no_data.startswith("no value driver is configured")
    assert "No team table is loaded" in " ".join(bare["team"].narrative)
    assert [t.title.split(",")[0] for t in bare["team"].tables] == ["Results against target"]


def test_the_bare_team_narrative_still_matches_its_table(bare):
    written = set(figures_in(" ".join(bare["team"].narrative)))
    assert written <= shown_figures(bare["team"])
