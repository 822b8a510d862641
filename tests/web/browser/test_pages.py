"""Every page of the navigation renders in Chromium for the director, and the dashboard draws its charts.

Each page is opened as a person would (signed in through the form), must answer 200 with no console
error, failed request or error response, and is saved as a screenshot under test-output/screenshots
(the director's pages, plus the CSM's book), so a reviewer can see the app without running it.
"""

from __future__ import annotations

import pytest

from tenure.web.access import ROLE_PERMISSIONS
from tenure.web.pages import NAVIGATION
from web.browser.conftest import is_drawn

pytestmark = [pytest.mark.slow, pytest.mark.browser]

DIRECTOR_PAGES = [(path, label) for path, label, permission in NAVIGATION
                  if permission in ROLE_PERMISSIONS["director"]]


def slug(label: str) -> str:
    return label.lower().replace(" ", "-")


def test_the_director_dashboard_draws_its_charts(open_as):
    dashboard = open_as("director", "/")
    assert dashboard.response.status == 200
    charts = dashboard.charts()
    assert len(charts) >= 6
    assert [chart for chart in charts if not is_drawn(chart)] == []
    assert dashboard.page.get_by_role("heading", name="ARR per health band").is_visible()
    assert dashboard.problems == []


@pytest.mark.parametrize(("path", "label"), DIRECTOR_PAGES, ids=[slug(label) for _p, label in DIRECTOR_PAGES])
def test_each_page_of_the_navigation_renders_for_the_director(open_as, path, label):
    page = open_as("director", path)
    assert page.response.status == 200, page.page.content()[:2000]
    assert page.page.locator("main h1").first.is_visible()
    assert page.page.locator("header nav a.active").inner_text() == label
    page.screenshot(f"director-{slug(label)}")
    assert page.problems == []


def test_the_csm_sees_their_book(open_as):
    book = open_as("csm", "/book")
    assert book.response.status == 200
    text = book.page.locator("main").inner_text()
    assert "A1 Inc" in text and "A2 Inc" in text
    assert "A3 Inc" not in text and "A4 Inc" not in text and "A5 Inc" not in text
    book.screenshot("csm-book")
    assert book.problems == []
