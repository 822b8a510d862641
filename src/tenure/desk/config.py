"""The `desk:` section of tenure.yaml: horizons, tiers and thresholds of the renewal and expansion desk."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Desk(BaseModel):
    """Settings of the renewal and expansion desk (README, "The renewal and expansion desk")."""

    model_config = ConfigDict(extra="forbid")

    renewal_days: Annotated[int, Field(ge=1, le=730)] = Field(
        default=180, description="The renewal pipeline shows renewals due within this many days.")
    review_min_arr: Annotated[float, Field(ge=0)] = Field(
        default=50_000, description="Accounts with at least this ARR are on the joint CS and Sales review list.")
    contraction_depth: Annotated[float, Field(gt=0, le=1)] | None = Field(
        default=None, description="Share of its ARR a renewal loses when it contracts, in the model's expected "
                                  "renewed ARR; empty: learned from the latest model's training rows (as `tenure "
                                  "forecast` does).")
    expansion_utilisation_above: Annotated[float, Field(gt=0, le=5)] = Field(
        default=0.9, description="Seat utilisation above this is an expansion signal.")
    expansion_probability_above: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.5, description="An expansion probability above this is an expansion signal.")
    expansion_user_growth_min: Annotated[float, Field(gt=0, le=10)] = Field(
        default=0.3, description="A new team using the product: active users in 30 days up by at least this share "
                                 "against the 30 days before ...")
    expansion_new_users_min: Annotated[int, Field(ge=1, le=10_000)] = Field(
        default=3, description="... with at least this many of them active at the account for the first time.")
    expansion_lead_due_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=14, description="An expansion-lead CTA is due this many days after it opens.")
    expansion_credit_cs_share: Annotated[float, Field(ge=0, le=1)] = Field(
        default=0.5, description="Share of an expansion booking credited to CS (the rest to Sales).")
    advocate_min_days_between_asks: Annotated[int, Field(ge=0, le=730)] = Field(
        default=90, description="Never ask the same account for advocacy again within this many days.")
    advocate_max_asks_per_year: Annotated[int, Field(ge=1, le=52)] = Field(
        default=4, description="At most this many advocacy asks of one account in 365 days.")
    vet_min_fit: Annotated[float, Field(gt=0, lt=1)] = Field(
        default=0.5, description="An open new-business deal whose fit score (probability of being retained a year "
                                 "after signature) is below this is flagged.")
