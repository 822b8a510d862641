"""The accounts list and the account 360 in Chromium: filter (the filter lands in the URL), open, note, close a CTA.

The company (tests/web/company.py): A1 is Enterprise, A2, A3 and A4 are SMB, A5 is restricted (the
director is not cleared for it). The CSM c1 owns A1 and A2; an open renewal CTA is seeded on A1.
"""

from __future__ import annotations

import re

import pytest

from web.browser.conftest import SEEDED_CTA, is_drawn

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def listed(page) -> list[str]:
    """The account ids in the list's rows, in order."""
    return page.locator("main table tbody tr td:first-child .muted").all_inner_texts()


def test_filtering_the_accounts_puts_the_filter_in_the_url(open_as):
    accounts = open_as("director", "/accounts")
    page = accounts.page
    assert sorted(listed(page)) == ["A1", "A2", "A3", "A4"]
    with page.expect_navigation():
        page.get_by_label("Segment").select_option("SMB")
    assert re.search(r"[?&]segment=SMB(&|$)", page.url)
    assert sorted(listed(page)) == ["A2", "A3", "A4"]
    assert page.get_by_label("Segment").input_value() == "SMB"
    saved = page.url
    again = open_as("director", saved.removeprefix(saved.split("/accounts")[0]))
    assert sorted(listed(again.page)) == ["A2", "A3", "A4"]
    assert accounts.problems == [] and again.problems == []


def test_opening_an_account_from_the_list(open_as):
    accounts = open_as("director", "/accounts")
    page = accounts.page
    with page.expect_navigation():
        page.get_by_role("link", name="A1 Inc").click()
    assert page.url.endswith("/accounts/A1")
    assert "A1 Inc" in page.locator("main h1").inner_text()
    charts = accounts.charts()
    assert len(charts) >= 2 and all(is_drawn(chart) for chart in charts), charts
    accounts.screenshot("director-account-360")
    assert accounts.problems == []


def test_a_note_added_on_the_account_appears_on_its_timeline(open_as):
    account = open_as("csm", "/accounts/A1")
    page = account.page
    note = "Champion confirmed the renewal budget in the browser test"
    page.get_by_label("Note").fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Add note").click()
    assert page.url.split("?")[0].endswith("/accounts/A1")
    assert page.locator("main").get_by_text("Note added.").is_visible()
    assert page.locator("ul.timeline li").filter(has_text=note).count() == 1
    assert account.problems == []


def test_closing_a_cta_from_the_account_page(open_as):
    account = open_as("csm", "/accounts/A1")
    page = account.page
    row = page.locator("main table tbody tr").filter(has_text=SEEDED_CTA)
    assert row.count() == 1
    row.get_by_placeholder("what was done").fill("Renewal call held; budget confirmed")
    with page.expect_navigation():
        row.get_by_role("button", name="Close").click()
    assert page.locator("main").get_by_text("CTA closed.").is_visible()
    assert page.locator("main table tbody tr").filter(has_text=SEEDED_CTA).count() == 0
    assert page.locator("ul.timeline li").filter(has_text="Renewal call held; budget confirmed").count() >= 1
    assert account.problems == []
