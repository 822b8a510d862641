"""Roles in the browser: a CSM is refused another CSM's account, a viewer is offered no change at all.

The company (tests/web/company.py): the CSM c1 owns A1, A2 and the restricted A5; A3 is c2's.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# what a person could use to change something: a control of a POST form (filters are GET forms)
CHANGES = "main form[method='post' i] :is(button, textarea, select, input:not([type='hidden']))"


def test_a_csm_is_refused_another_csms_account(open_as):
    refused = open_as("csm", "/accounts/A3")
    assert refused.response.status == 403
    assert refused.page.get_by_role("heading", name="Not allowed").is_visible()
    assert "not in your scope" in refused.page.get_by_role("alert").inner_text()
    assert "A3 Inc" not in refused.page.content()
    listing = open_as("csm", "/accounts")
    assert "A3 Inc" not in listing.page.locator("main").inner_text()
    assert listing.page.get_by_role("link", name="A1 Inc").is_visible()


@pytest.mark.parametrize("path", ["/accounts/A1", "/accounts", "/ctas", "/renewals", "/team", "/"])
def test_a_viewer_is_offered_nothing_that_changes_anything(open_as, path):
    page = open_as("viewer", path)
    assert page.response.status == 200
    assert page.page.locator(CHANGES).count() == 0
    assert page.problems == []
