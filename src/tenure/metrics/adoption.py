"""Adoption: who uses the product, how deeply, how broadly, and whether it is growing.

All of it is computed in the engine from two passes over `events` known at `as_of`: one over
the whole history for each account's first use of each feature (new adoption, time to
value, onboarding), and one over the last 120 days rolled up to (user, day, feature) for
active users, depth, breadth and trends. The metrics are described in `registry`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from tenure.metrics.columns import join_on_account, ratio
from tenure.metrics.window import Day

RECENT_DAYS = 120  # the longest recent window: 30 days a quarter ago ends 90 days back


@dataclass(frozen=True)
class AdoptionRules:
    """The thresholds of `adoption:` in tenure.yaml."""

    onboarding_days: int = 90
    zombie_min_active_users: int = 1
    zombie_new_feature_days: int = 180


def first_uses(events: ir.Table) -> ir.Table:
    """When each account first used each feature: (account_id, event, first_used), over all events.

    It does not depend on `as_of` (a first use before `as_of` is the same first use whatever
    comes later), so a backfill computes it once and passes it to every date.
    """
    return events.group_by(["account_id", "event"]).aggregate(first_used=events.timestamp.min())


def adoption_metrics(events: ir.Table, features: ir.Table | None, lines: ir.Table, customers: ir.Table, *,
                     as_of: dt.date, rules: AdoptionRules | None = None,
                     firsts: ir.Table | None = None) -> ir.Table:
    """One row per account in `customers` (a table with `account_id`) with the event-based adoption metrics.

    Seats and utilisation are in `accounts.account_metrics`: seats need only subscriptions.

    `lines` are the paying subscription lines in the base currency (`paying_lines`); `firsts`
    is `first_uses(events)`, computed here when not given. Accounts
    without events get zero users and empty ratios; feature-based metrics are empty when no
    `features` table is loaded.
    """
    rules = rules or AdoptionRules()
    day = Day(as_of)
    known = events.filter(events.timestamp < day.end)
    firsts = first_uses(events) if firsts is None else firsts
    firsts = firsts.filter(firsts.first_used < day.end)
    out = customers.select("account_id")
    parts = [_recent_usage(known, day), _new_adoption(firsts, day, rules)]
    if features is not None:
        used, released = _new_features_used(firsts, features, day)
        parts += [_time_to_value(firsts, features, lines, day, rules), used]
    out = join_on_account(out, *parts)
    zero = ("active_users_7d", "active_users_30d", "active_users_90d", "feature_breadth_30d", "feature_breadth_90d",
            "features_first_used_180d", "_first_used_zombie", "_events_30d", "_events_prior_30d",
            "_events_quarter_ago", "_breadth_quarter_ago", "_user_days_30d")
    out = out.mutate(**{name: ibis.coalesce(out[name], 0) for name in zero})
    users = out.active_users_30d
    out = out.mutate(
        stickiness=ratio(out._user_days_30d / 30.0, users),
        events_per_active_user_30d=ratio(out._events_30d, users),
        usage_trend_30d=ratio(out._events_30d, out._events_prior_30d) - 1,
        usage_vs_quarter_ago=ratio(out._events_30d, out._events_quarter_ago) - 1,
        zombie=(users >= rules.zombie_min_active_users) & (out._first_used_zombie == 0)
        & (out.feature_breadth_30d <= out._breadth_quarter_ago),
    )
    if features is not None:
        out = out.mutate(new_feature_adoption_180d=ratio(ibis.coalesce(out._new_used, 0), released))
    else:
        out = out.mutate(time_to_value_days=ibis.null("int64"), onboarding_complete=ibis.null("boolean"),
                         new_feature_adoption_180d=ibis.null("float64"))
    return out.select(
        "account_id", "active_users_7d", "active_users_30d", "active_users_90d",
        "stickiness", "events_per_active_user_30d", "feature_breadth_30d", "feature_breadth_90d",
        "features_first_used_180d", "new_feature_adoption_180d", "usage_trend_30d", "usage_vs_quarter_ago",
        "time_to_value_days", "onboarding_complete", "zombie",
    )


def _recent_usage(known: ir.Table, day: Day) -> ir.Table:
    """Users, events and breadth in the recent windows.

    Distinct counts are taken in two plain group-bys rather than COUNT(DISTINCT): a user is
    active in a window when their last active day falls in it, a feature is used in a window
    when its last use does; this is several times faster on large event tables.
    """
    recent = known.filter(known.timestamp >= day.since(RECENT_DAYS))
    recent = recent.mutate(day=recent.timestamp.date(), uses=ibis.coalesce(recent["count"], 1))
    since = {n: day.date_since(n) for n in (7, 30, 60, 90)}

    d = recent.day
    last_30 = d >= since[30]
    quarter_ago = d < since[90]  # the 30 days ending a quarter before: days 91–120 back
    users = recent.group_by(["account_id", "user_id"]).aggregate(
        last_day=d.max(),
        events_30d=recent.uses.sum(where=last_30),
        events_prior_30d=recent.uses.sum(where=(d >= since[60]) & ~last_30),
        events_quarter_ago=recent.uses.sum(where=quarter_ago),
    )
    per_account = users.group_by("account_id").aggregate(
        active_users_7d=(users.last_day >= since[7]).sum(),
        active_users_30d=(users.last_day >= since[30]).sum(),
        active_users_90d=(users.last_day >= since[90]).sum(),
        _events_30d=users.events_30d.sum(),
        _events_prior_30d=users.events_prior_30d.sum(),
        _events_quarter_ago=users.events_quarter_ago.sum(),
    )
    user_days = recent.filter(last_30).select("account_id", "user_id", "day").distinct()
    active_days = user_days.group_by("account_id").aggregate(_user_days_30d=user_days.count())
    features = recent.group_by(["account_id", "event"]).aggregate(
        last_day=recent.day.max(), used_quarter_ago=(recent.day < since[90]).any(),
    )
    breadth = features.group_by("account_id").aggregate(
        feature_breadth_30d=(features.last_day >= since[30]).sum(),
        feature_breadth_90d=(features.last_day >= since[90]).sum(),
        _breadth_quarter_ago=features.used_quarter_ago.sum(),
    )
    return join_on_account(per_account, breadth, active_days)


def _new_adoption(firsts: ir.Table, day: Day, rules: AdoptionRules) -> ir.Table:
    """How many features each account used for the first time recently (180 days, and the zombie window)."""
    return firsts.group_by("account_id").aggregate(
        features_first_used_180d=(firsts.first_used >= day.since(180)).sum(),
        _first_used_zombie=(firsts.first_used >= day.since(rules.zombie_new_feature_days)).sum(),
    )


def _paid_starts(lines: ir.Table) -> ir.Table:
    """Each account's first paid start: where time to value and onboarding start."""
    paid = lines.filter(lines.mrr > 0)
    return paid.group_by("account_id").aggregate(_first_start=paid.start_date.min())


def _time_to_value(firsts: ir.Table, features: ir.Table, lines: ir.Table, day: Day,
                   rules: AdoptionRules) -> ir.Table:
    """Days from the first paid start to the first key event, and whether onboarding completed in time.

    Onboarding asks for the key features that existed during the account's onboarding period
    and by `as_of` (no `released_at`: always existed), so a key feature shipped later never
    rewrites an earlier verdict.
    """
    key = features.filter(features.is_key.fill_null(False)).select("event", "released_at")
    starts = _paid_starts(lines)
    deadline_day = starts._first_start + ibis.interval(days=rules.onboarding_days)
    starts = starts.mutate(_deadline=deadline_day.cast("timestamp"), _period_over=day.date >= deadline_day,
                           _cutoff=ibis.least(deadline_day.cast("date"), day.date))
    expected = starts.cross_join(key)
    expected = expected.filter(expected.released_at.isnull() | (expected.released_at <= expected._cutoff))
    reached = expected.join(firsts, ["account_id", "event"])
    needed = expected.group_by("account_id").aggregate(_needed=expected.count())
    per_account = reached.group_by("account_id").aggregate(_in_time=(reached.first_used < reached._deadline).sum())
    first_key = firsts.semi_join(key, "event").group_by("account_id").aggregate(_first_key=firsts.first_used.min())
    joined = join_on_account(starts, needed, per_account, first_key)
    days = joined._first_key.cast("date").delta(joined._first_start, unit="day")
    ttv = ibis.ifelse(days < 0, 0, days)  # a key event in a trial before the first paid start: value from day 0
    needed_count = ibis.coalesce(joined._needed, 0)
    complete = ibis.cases(
        (needed_count == 0, ibis.null("boolean")),
        (ibis.coalesce(joined._in_time, 0) >= needed_count, True),
        (joined._period_over, False),
        else_=ibis.null("boolean"),
    )
    return joined.select("account_id", time_to_value_days=ttv.cast("int64"), onboarding_complete=complete)


def _new_features_used(firsts: ir.Table, features: ir.Table, day: Day) -> tuple[ir.Table, ir.IntegerScalar]:
    """Per account, how many of the features released in the last 180 days it has used; and how many there are."""
    released = features.filter((features.released_at >= day.date_since(180)) & (features.released_at <= day.date))
    used = firsts.semi_join(released.select("event"), "event")
    return used.group_by("account_id").aggregate(_new_used=used.count()), released.count().as_scalar()


def feature_adoption(events: ir.Table, features: ir.Table | None, customers: ir.Table, *, as_of: dt.date,
                     days: int = 30) -> ir.Table:
    """Per feature: the share of paying accounts and of active users that used it in the last `days` days.

    `customers` holds the account_id of the paying accounts. With a `features` table every
    listed feature appears (unused ones at 0) with its release date and key flag.
    """
    day = Day(as_of)
    recent = events.filter((events.timestamp >= day.since(days)) & (events.timestamp < day.end))
    recent = recent.semi_join(customers, "account_id")
    users = recent.select("event", "account_id", "user_id").distinct()
    per_feature = users.group_by("event").aggregate(accounts=users.account_id.nunique(), users=users.count())
    active = recent.select("account_id", "user_id").distinct().count().as_scalar()
    paying = customers.count().as_scalar()
    if features is not None:
        listed = features.select("event", "released_at", is_key=features.is_key.fill_null(False))
        per_feature = listed.left_join(per_feature, "event").drop("event_right")
    else:
        per_feature = per_feature.mutate(released_at=ibis.null("date"), is_key=ibis.null("boolean"))
    accounts = ibis.coalesce(per_feature.accounts, 0)
    users_count = ibis.coalesce(per_feature.users, 0)
    return per_feature.select(
        "event", "released_at", "is_key", accounts=accounts, users=users_count,
        account_share=ratio(accounts, paying), user_share=ratio(users_count, active),
    ).order_by([ibis.desc("account_share"), "event"])
