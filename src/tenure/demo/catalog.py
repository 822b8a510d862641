"""What the demo company sells: its products and the product features users touch.

The core product ("platform") is sold per seat; add-ons are priced as a share of the core
line and sold later as upsells. Features are the event names of the usage data: a few are
basic (everyone uses them from day one), some are adopted over time, three are key "aha"
moments for time to value, some need an add-on, and several ship during the last year of
history so that adoption of new features can separate engaged customers from the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo.timeline import Window

CORE = "platform"
ADDONS = ("analytics", "automation", "api")
PRODUCTS = (CORE, *ADDONS)
ADDON_PRICE_SHARE = np.array([0.20, 0.25, 0.15])  # add-on MRR as a share of the core line's MRR


@dataclass(frozen=True)
class Feature:
    """One event name: how popular it is once adopted, and what gates its use."""

    event: str
    popularity: float  # chance an active user touches it on an active day, once adopted
    repeats: float = 1.5  # mean extra uses on a day it is used (a row's count is 1 + Poisson)
    basic: bool = False  # used from the first day
    key: bool = False  # an "aha" event: the first one marks time to value
    addon: int = -1  # index into ADDONS of the add-on it needs, or -1
    released_days_before_end: int | None = None  # new features; None = released long before history


FEATURES = (
    Feature("login", 1.0, repeats=0.4, basic=True),
    Feature("dashboard_viewed", 0.275, basic=True),
    Feature("record_created", 0.175, basic=True),
    Feature("record_updated", 0.2, repeats=4.0, basic=True),
    Feature("search_performed", 0.15, basic=True),
    Feature("report_viewed", 0.15),
    Feature("comment_added", 0.075),
    Feature("file_uploaded", 0.06),
    Feature("user_invited", 0.015),
    Feature("export_downloaded", 0.05),
    Feature("alert_configured", 0.02),
    Feature("workflow_run", 0.06),
    Feature("report_created", 0.04, key=True),
    Feature("integration_connected", 0.01, key=True),
    Feature("workflow_published", 0.02, key=True),
    Feature("analytics_query", 0.1, addon=0),
    Feature("automation_rule_created", 0.04, addon=1),
    Feature("api_call", 0.125, repeats=30.0, addon=2),
    Feature("ai_assistant_used", 0.09, released_days_before_end=320),
    Feature("forecast_viewed", 0.06, released_days_before_end=230),
    Feature("playbook_launched", 0.03, released_days_before_end=140),
    Feature("sandbox_created", 0.015, released_days_before_end=60),
)
EVENT_NAMES = tuple(f.event for f in FEATURES)
POPULARITY = np.array([f.popularity for f in FEATURES])
REPEATS = np.array([f.repeats for f in FEATURES])
IS_BASIC = np.array([f.basic for f in FEATURES])
IS_KEY = np.array([f.key for f in FEATURES])
KEY_FEATURES = np.flatnonzero(IS_KEY)
NEEDS_ADDON = np.array([f.addon for f in FEATURES])
IS_NEW = np.array([f.released_days_before_end is not None for f in FEATURES])


def release_days(window: Window) -> np.ndarray:
    """Release day of every feature: new ones within the last year of history, the rest years before it.

    New features keep their spacing but are squeezed into the window when it is shorter
    than a year, so a feature is always released inside the history it is observed in.
    """
    span = min(365, window.end - window.start)
    released = np.empty(len(FEATURES), dtype=np.int64)
    for i, feature in enumerate(FEATURES):
        if feature.released_days_before_end is not None:
            released[i] = window.end - feature.released_days_before_end * span // 365
        elif feature.basic:
            released[i] = window.start - 8 * 365
        else:
            released[i] = window.start - (7 - i % 5) * 365 + 30 * i
    return released
