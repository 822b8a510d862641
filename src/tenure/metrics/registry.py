"""The account-metric registry: one name, description and unit per metric.

The scorecard, the CLI, the web and reports all describe a metric from here, so "seat
utilisation" means the same thing, in the same unit, wherever it is shown. A metric is a
column of the point-in-time account table (`tenure.metrics.accounts`); its family says
which input table it needs, so a missing table is reported as "no data", never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenure.errors import NotFound


@dataclass(frozen=True)
class Metric:
    """A per-account measure at a date: what it means and how to read it."""

    name: str
    family: str  # adoption, engagement, support, sentiment, financial, value
    unit: str  # users, seats, ratio, days, count, hours, score, flag, currency, ...
    description: str
    needs: str  # the contract table it is computed from
    boolean: bool = False
    absent: float | bool | None = None  # an account with no rows in a loaded `needs` table has this value


METRICS: tuple[Metric, ...] = (
    # adoption (events, features, subscriptions)
    Metric("active_users_7d", "adoption", "users", "Distinct users with any event in the last 7 days.", "events",
           absent=0),
    Metric("active_users_30d", "adoption", "users", "Distinct users with any event in the last 30 days.", "events",
           absent=0),
    Metric("active_users_90d", "adoption", "users", "Distinct users with any event in the last 90 days.", "events",
           absent=0),
    Metric("seats", "adoption", "seats", "Seats under contract: the quantity of the paying lines active today.",
           "subscriptions"),
    Metric("seat_utilisation", "adoption", "ratio", "Active users in 30 days ÷ seats (empty when no seat count).",
           "events"),
    Metric("stickiness", "adoption", "ratio",
           "DAU/MAU: average daily active users over the last 30 days ÷ active users in 30 days.", "events"),
    Metric("events_per_active_user_30d", "adoption", "events/user",
           "Depth: events (summing `count`) in 30 days ÷ active users in 30 days.", "events"),
    Metric("feature_breadth_30d", "adoption", "features", "Distinct events (features) used in the last 30 days.",
           "events", absent=0),
    Metric("feature_breadth_90d", "adoption", "features", "Distinct events (features) used in the last 90 days.",
           "events", absent=0),
    Metric("features_first_used_180d", "adoption", "features",
           "Features the account used for the first time in the last 180 days.", "events", absent=0),
    Metric("new_feature_adoption_180d", "adoption", "ratio",
           "Share of the features released in the last 180 days (features.released_at) that the account has used; "
           "empty when none was released.", "features"),
    Metric("usage_trend_30d", "adoption", "ratio",
           "Events in the last 30 days ÷ events in the 30 days before them, minus 1 (+0.2 = 20% more).", "events"),
    Metric("usage_vs_quarter_ago", "adoption", "ratio",
           "Events in the last 30 days ÷ events in the same 30-day window a quarter (90 days) earlier, minus 1.",
           "events"),
    Metric("time_to_value_days", "adoption", "days",
           "Days from the first paid contract start to the first key event (features.is_key); 0 if reached "
           "before the start; empty until reached.", "features"),
    Metric("onboarding_complete", "adoption", "flag",
           "Every key event that existed by the end of the onboarding period (adoption.onboarding_days after the "
           "first paid start, released_at empty = always) was reached within it; empty while that period is "
           "still running and not all are reached, or when no key feature existed then.", "features",
           boolean=True),
    Metric("zombie", "adoption", "flag",
           "Users still log in (active users in 30 days ≥ adoption.zombie_min_active_users) but no feature was "
           "used for the first time in adoption.zombie_new_feature_days and 30-day breadth is flat or falling "
           "against a quarter ago.", "events", boolean=True, absent=False),
    # engagement (activities, contacts)
    Metric("days_since_exec_activity", "engagement", "days",
           "Days since the last activity with an executive present (exec_present); empty if never.", "activities"),
    Metric("meetings_90d", "engagement", "count", "Meetings, QBRs and EBRs in the last 90 days.", "activities",
           absent=0),
    Metric("business_reviews_90d", "engagement", "count", "QBRs and EBRs in the last 90 days.", "activities", absent=0),
    Metric("sponsor_departed_180d", "engagement", "flag",
           "A champion or executive sponsor left (contacts.left_at) in the last 180 days.", "contacts",
           boolean=True, absent=False),
    # support (tickets)
    Metric("tickets_30d", "support", "tickets", "Tickets opened in the last 30 days.", "tickets", absent=0),
    Metric("ticket_trend", "support", "ratio",
           "(Tickets in the last 30 days + 1) ÷ (monthly average of the 90 days before them + 1): 1 is steady, "
           "2 about double.", "tickets", absent=1.0),
    Metric("open_urgent_tickets", "support", "tickets",
           "High or urgent tickets open today (not resolved by today).", "tickets", absent=0),
    Metric("median_resolution_hours_90d", "support", "hours",
           "Median hours from creation to resolution of the tickets resolved in the last 90 days.", "tickets"),
    Metric("csat_90d", "support", "score", "Mean CSAT of the tickets resolved in the last 90 days.", "tickets"),
    # sentiment (surveys)
    Metric("nps_latest", "sentiment", "score", "Score (0–10) of the latest NPS response.", "surveys"),
    Metric("nps_change", "sentiment", "points", "Latest NPS response's score minus the one before it.", "surveys"),
    # financial (subscriptions)
    Metric("arr", "financial", "currency", "ARR today: 12 × the MRR of the lines active today, in base currency.",
           "subscriptions"),
    Metric("arr_change_90d", "financial", "ratio", "ARR today ÷ ARR 90 days ago, minus 1; empty if it had none.",
           "subscriptions"),
    Metric("days_to_renewal", "financial", "days", "Days until the next renewal (README, renewals).",
           "subscriptions"),
)

BY_NAME = {m.name: m for m in METRICS}


def metric(name: str) -> Metric:
    """The registered metric called `name`, or a clear error listing what exists."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise NotFound(f"no metric called {name!r}; known metrics: {', '.join(BY_NAME)}") from None


def value_metric(name: str, unit: str, event: str, per_event: float) -> Metric:
    """A metric of value realised, declared in the `value:` section of tenure.yaml."""
    return Metric(f"value_{name}_90d", "value", unit,
                  f"Value realised in the last 90 days: {per_event:g} {unit} per '{event}' event.", "events", absent=0)
