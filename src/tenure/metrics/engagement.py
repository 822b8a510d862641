"""Engagement: how recently executives met us, how often we meet, whether sponsors are still there."""

from __future__ import annotations

import datetime as dt

import ibis.expr.types as ir

from tenure.metrics.window import Day

MEETING_TYPES = ("meeting", "qbr", "ebr")
BUSINESS_REVIEWS = ("qbr", "ebr")
SPONSOR_ROLES = ("champion", "exec_sponsor")


def activity_metrics(activities: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Per account with activities: days since an executive was present, meetings and reviews in 90 days."""
    day = Day(as_of)
    known = activities.filter(activities.occurred_at < day.end)
    last_90 = known.occurred_at >= day.since(90)
    per_account = known.group_by("account_id").aggregate(
        _last_exec=known.occurred_at.max(where=known.exec_present.fill_null(False)),
        meetings_90d=(last_90 & known.type.isin(MEETING_TYPES)).sum(),
        business_reviews_90d=(last_90 & known.type.isin(BUSINESS_REVIEWS)).sum(),
    )
    return per_account.select(
        "account_id", "meetings_90d", "business_reviews_90d",
        days_since_exec_activity=day.days_since(per_account._last_exec),
    )


def contact_metrics(contacts: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Per account with contacts: whether a champion or executive sponsor left in the last 180 days."""
    day = Day(as_of)
    left = contacts.left_at
    departed = contacts.role.isin(SPONSOR_ROLES) & (left >= day.date_since(180)) & (left <= day.date)
    return contacts.group_by("account_id").aggregate(sponsor_departed_180d=departed.fill_null(False).any())

