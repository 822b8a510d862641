"""Drivers of a prediction in plain words: "active users down 42% against the prior 30 days".

A driver is a feature whose SHAP contribution raised the predicted outcome most for that
account. It is written from the account's own value, beside the typical (median) value of the
training rows where that helps a reader judge it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tenure.metrics.registry import BY_NAME

TOP = 3
LABELS = {
    "active_users_7d": "active users in 7 days", "active_users_30d": "active users in 30 days",
    "active_users_90d": "active users in 90 days", "seats": "seats", "seat_utilisation": "seat utilisation",
    "stickiness": "stickiness (DAU/MAU)", "events_per_active_user_30d": "events per active user",
    "feature_breadth_30d": "features used in 30 days", "feature_breadth_90d": "features used in 90 days",
    "features_first_used_180d": "features first used in 180 days",
    "new_feature_adoption_180d": "adoption of new features", "usage_trend_30d": "usage",
    "usage_vs_quarter_ago": "usage", "time_to_value_days": "time to value", "onboarding_complete": "onboarding",
    "zombie": "zombie", "days_since_exec_activity": "last executive contact",
    "meetings_90d": "meetings in 90 days", "business_reviews_90d": "business reviews in 90 days",
    "sponsor_departed_180d": "champion or sponsor", "tickets_30d": "tickets in 30 days",
    "ticket_trend": "ticket trend", "open_urgent_tickets": "open urgent tickets",
    "median_resolution_hours_90d": "median ticket resolution", "csat_90d": "CSAT", "nps_latest": "latest NPS",
    "nps_change": "NPS change", "arr": "ARR", "arr_change_90d": "ARR", "days_to_renewal": "renewal",
    "health_score": "health score", "score_change_30d": "health score", "term_months": "contract term",
    "acv": "ACV up for renewal", "products": "products", "tenure_days": "customer for", "employees": "employees",
}
FLAGS = {
    "zombie": ("zombie account: users log in but adopt nothing new", "not a zombie account"),
    "sponsor_departed_180d": ("champion or executive sponsor left in the last 180 days",
                              "no champion or sponsor left"),
    "onboarding_complete": ("onboarding completed on time", "onboarding not completed on time"),
}
TRENDS = {
    "usage_trend_30d": "against the prior 30 days", "usage_vs_quarter_ago": "against a quarter ago",
    "arr_change_90d": "in 90 days",
}


def label(feature: str) -> str:
    """A short name for a feature."""
    if feature.startswith("health_") and feature[7:] in BY_NAME:
        return f"health measure '{label(feature[7:])}'"
    if feature.endswith("_change_30d") and feature != "score_change_30d":
        return label(feature[: -len("_change_30d")])
    return LABELS.get(feature, feature.replace("_", " "))


def describe(feature: str, value: object, typical: float | None = None) -> str:
    """One feature's value for one account, in words."""
    name = label(feature)
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return f"{name}: no data"
    if feature in FLAGS:
        return FLAGS[feature][0 if bool(value) else 1]
    if isinstance(value, str):
        return f"{name}: {value}"
    number = float(value)
    if feature.endswith("_change_30d") and feature != "score_change_30d":
        return f"{name} {_direction(number)} against the prior 30 days"
    if feature in TRENDS:
        return f"{name} {_direction(number)} {TRENDS[feature]}"
    if feature == "score_change_30d":
        return f"health score {'down' if number < 0 else 'up'} {abs(number):.0f} points in 30 days"
    if feature.startswith("health_") and feature[7:] in BY_NAME:
        return f"{name} scored {number:.0f} of 100"
    if feature == "days_to_renewal":
        return f"renewal in {number:.0f} days"
    if feature == "days_since_exec_activity":
        return f"no executive contact for {number:.0f} days"
    if feature == "tenure_days":
        return f"customer for {number / 365.25:.1f} years"
    text = f"{name} {_amount(feature, number)}"
    if typical is not None and not math.isnan(typical):
        text += f" (typical {_amount(feature, typical)})"
    return text


def top_drivers(rows: pd.DataFrame, contributions: pd.DataFrame, typical: dict[str, float],
                top: int = TOP) -> pd.DataFrame:
    """For each row, the `top` features that raised the prediction most, in words (`driver_1`, ...)."""
    values = contributions.to_numpy()
    order = np.argsort(-values, axis=1)[:, :top]
    columns = contributions.columns
    out = {f"driver_{k + 1}": [] for k in range(top)}
    for i, (_index, row) in enumerate(rows.iterrows()):
        for k in range(top):
            j = order[i, k] if k < order.shape[1] else None
            raised = j is not None and values[i, j] > 0
            feature = columns[j] if raised else None
            out[f"driver_{k + 1}"].append(describe(feature, row[feature], typical.get(feature)) if raised else None)
    return pd.DataFrame(out, index=rows.index)


def _direction(change: float) -> str:
    if abs(change) < 0.005:
        return "flat"
    return f"{'down' if change < 0 else 'up'} {abs(change) * 100:.0f}%"


def _amount(feature: str, number: float) -> str:
    unit = BY_NAME[feature].unit if feature in BY_NAME else ""
    if unit == "ratio":
        return f"{number * 100:.0f}%"
    if unit == "currency" or feature == "acv":
        return f"{number:,.0f}"
    if unit in ("days", "hours"):
        return f"{number:.0f} {unit}"
    if feature == "term_months":
        return f"{number:.0f} months"
    return f"{number:,.0f}" if abs(number) >= 10 else f"{number:.1f}".removesuffix(".0")
