"""`tenure serve` warms the company-wide results up, so the first visitors do not wait for them."""

from __future__ import annotations

from tenure.web.app import warm_up
from tenure.web.state import AppState
from web.company import AS_OF


def test_warm_up_builds_what_the_first_pages_need(company):
    app_state = AppState.open(company)
    warm_up(app_state)
    built = set(app_state._cache)
    app_state.close()
    assert {"directory", ("accounts", AS_OF), ("accounts at", AS_OF), ("dashboard", AS_OF)} <= built
