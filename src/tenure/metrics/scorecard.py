"""Health scorecards as configuration: the `health:` section of tenure.yaml, validated.

A scorecard is groups of measures. Each measure scores one registered metric from 0 to 100
(linear between a worst and a best value, in steps, or by a flag), carries a weight in its
group, and says what happens when the metric has no data (skip it and renormalise the
others, or give it a fixed score). Group weights add up to 100, and so do the measure weights
in each group. Bands cut the 0–100 score into red, yellow and green without gaps.
"""

from __future__ import annotations

from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Score = Annotated[float, Field(ge=0, le=100)]
Weight = Annotated[float, Field(gt=0, le=100)]
TOLERANCE = 1e-6


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Linear(Strict):
    """0 points at `worst`, 100 at `best`, straight in between; either direction."""

    worst: float
    best: float

    @model_validator(mode="after")
    def _distinct(self) -> Linear:
        if self.worst == self.best:
            raise ValueError(f"worst and best are both {self.worst}; they must differ")
        return self


class Steps(Strict):
    """Bands of the value: below thresholds[0] scores scores[0], then each threshold up the next score."""

    thresholds: list[float] = Field(min_length=1)
    scores: list[Score]

    @model_validator(mode="after")
    def _ascending(self) -> Steps:
        pairs = zip(self.thresholds, self.thresholds[1:], strict=False)
        if any(b <= a for a, b in pairs):
            raise ValueError(f"thresholds must go strictly up, got {self.thresholds}")
        if len(self.scores) != len(self.thresholds) + 1:
            raise ValueError(f"{len(self.thresholds)} threshold(s) need {len(self.thresholds) + 1} scores, "
                             f"got {len(self.scores)}")
        return self


class Flag(Strict):
    """The score of a yes/no metric."""

    if_true: Score
    if_false: Score


class Measure(Strict):
    """One metric's part of a group's score."""

    metric: str
    weight: Weight
    linear: Linear | None = None
    steps: Steps | None = None
    flag: Flag | None = None
    missing: object = Field(default="skip", description="'skip' (renormalise the others) or a score 0–100.")

    @field_validator("missing")
    @classmethod
    def _skip_or_score(cls, value: object) -> str | float:
        if value == "skip":
            return "skip"
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100:
            return float(value)
        raise ValueError(f"must be 'skip' or a score from 0 to 100, not {value!r}")

    @model_validator(mode="after")
    def _one_scoring(self) -> Measure:
        given = [name for name in ("linear", "steps", "flag") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one scoring function (linear, steps or flag), got {given or 'none'}")
        return self


class Group(Strict):
    """A weighted part of the score: adoption, engagement, support, sentiment, financial, ..."""

    name: str
    weight: Weight
    measures: list[Measure] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_add_up(self) -> Group:
        _check_total(sum(m.weight for m in self.measures), f"the measure weights of group '{self.name}'")
        return self


class Scorecard(Strict):
    """A scorecard for the accounts of some segments (none: every account no other scorecard takes)."""

    name: str
    segments: list[str] = Field(default_factory=list)
    groups: list[Group] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_add_up(self) -> Scorecard:
        _check_total(sum(g.weight for g in self.groups), f"the group weights of scorecard '{self.name}'")
        return self

    def measures(self) -> list[tuple[Group, Measure]]:
        return [(group, measure) for group in self.groups for measure in group.measures]


class Health(Strict):
    """The `health:` section: bands and scorecards (each defaults to the shipped one when left out)."""

    bands: dict[str, tuple[Score, Score]] = Field(default_factory=lambda: dict(_DEFAULT["bands"]),
                                                  validate_default=True)
    scorecards: list[Scorecard] = Field(default_factory=lambda: _DEFAULT["scorecards"], min_length=1,
                                        validate_default=True)

    @field_validator("bands")
    @classmethod
    def _bands_cover(cls, bands: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        ordered = sorted(bands.items(), key=lambda item: item[1][0])
        if not ordered:
            raise ValueError("give at least one band")
        edge = 0.0
        for name, (low, high) in ordered:
            if high <= low:
                raise ValueError(f"band '{name}' runs from {low} to {high}; the upper bound must be higher")
            if low != edge:
                kind = "gap" if low > edge else "overlap"
                raise ValueError(f"band '{name}' starts at {low} but the band below ends at {edge}: a {kind}")
            edge = high
        if edge != 100:
            raise ValueError(f"the bands end at {edge}; the top band must end at 100")
        return dict(ordered)

    @model_validator(mode="after")
    def _one_default(self) -> Health:
        names = [s.name for s in self.scorecards]
        if len(set(names)) != len(names):
            raise ValueError(f"scorecard names must be unique, got {names}")
        defaults = [s.name for s in self.scorecards if not s.segments]
        if len(defaults) != 1:
            raise ValueError("exactly one scorecard must list no segments, to score every account the others "
                             f"do not; found {len(defaults)} ({', '.join(defaults) or 'none'})")
        seen: dict[str, str] = {}
        for card in self.scorecards:
            for segment in card.segments:
                if segment in seen:
                    raise ValueError(f"segment '{segment}' is in scorecards '{seen[segment]}' and '{card.name}'")
                seen[segment] = card.name
        return self

    @property
    def lowest_band(self) -> str:
        """The band of the accounts most at risk (the one starting at 0)."""
        return next(iter(self.bands))

    def scorecard_for(self, segment: str | None) -> Scorecard:
        for card in self.scorecards:
            if segment in card.segments:
                return card
        return next(card for card in self.scorecards if not card.segments)


def _check_total(total: float, what: str) -> None:
    if abs(total - 100) > TOLERANCE:
        raise ValueError(f"{what} add up to {total:g}, not 100")


DEFAULT_HEALTH_YAML = """\
health:
  bands:                        # score ranges from 0 to 100, no gaps; the lowest band is "at risk"
    red: [0, 45]
    yellow: [45, 70]
    green: [70, 100]
  scorecards:
    - name: standard            # every account not taken by a scorecard below
      groups:
        - name: adoption        # depth of adoption weighs most
          weight: 45
          measures:
            - {metric: seat_utilisation, weight: 25, linear: {worst: 0.2, best: 0.7}}
            - {metric: feature_breadth_30d, weight: 20, linear: {worst: 3, best: 14}}
            - {metric: stickiness, weight: 15, linear: {worst: 0.05, best: 0.18}}
            - {metric: new_feature_adoption_180d, weight: 15, linear: {worst: 0, best: 0.5}}
            - {metric: usage_trend_30d, weight: 15, linear: {worst: -0.4, best: 0.1}}
            - {metric: zombie, weight: 10, flag: {if_true: 0, if_false: 100}}
        - name: engagement      # executive engagement
          weight: 25
          measures:
            - {metric: days_since_exec_activity, weight: 50, linear: {worst: 180, best: 30}, missing: 0}
            - {metric: meetings_90d, weight: 25, linear: {worst: 0, best: 3}}
            - {metric: sponsor_departed_180d, weight: 25, flag: {if_true: 0, if_false: 100}}
        - name: support         # the ticket trend and what is burning now
          weight: 20
          measures:
            - {metric: ticket_trend, weight: 40, linear: {worst: 2.5, best: 1.0}}
            - {metric: open_urgent_tickets, weight: 35, steps: {thresholds: [1, 2], scores: [100, 40, 0]}}
            - {metric: csat_90d, weight: 25, linear: {worst: 2, best: 4.5}}
        - name: sentiment       # low weight: a promoter can still churn
          weight: 5
          measures:
            - {metric: nps_latest, weight: 100, linear: {worst: 4, best: 9}}
        - name: financial
          weight: 5
          measures:
            - {metric: arr_change_90d, weight: 100, linear: {worst: -0.2, best: 0.05}}
    - name: digital             # tech-touch accounts: no executive meetings to expect
      segments: [SMB]
      groups:
        - name: adoption
          weight: 60
          measures:
            - {metric: seat_utilisation, weight: 25, linear: {worst: 0.2, best: 0.7}}
            - {metric: feature_breadth_30d, weight: 20, linear: {worst: 3, best: 14}}
            - {metric: stickiness, weight: 15, linear: {worst: 0.05, best: 0.18}}
            - {metric: new_feature_adoption_180d, weight: 15, linear: {worst: 0, best: 0.5}}
            - {metric: usage_trend_30d, weight: 15, linear: {worst: -0.4, best: 0.1}}
            - {metric: zombie, weight: 10, flag: {if_true: 0, if_false: 100}}
        - name: support
          weight: 25
          measures:
            - {metric: ticket_trend, weight: 40, linear: {worst: 2.5, best: 1.0}}
            - {metric: open_urgent_tickets, weight: 35, steps: {thresholds: [1, 2], scores: [100, 40, 0]}}
            - {metric: csat_90d, weight: 25, linear: {worst: 2, best: 4.5}}
        - name: sentiment
          weight: 5
          measures:
            - {metric: nps_latest, weight: 100, linear: {worst: 4, best: 9}}
        - name: financial
          weight: 10
          measures:
            - {metric: arr_change_90d, weight: 100, linear: {worst: -0.2, best: 0.05}}
"""


_DEFAULT = yaml.safe_load(DEFAULT_HEALTH_YAML)["health"]


def default_health() -> Health:
    """The scorecards `tenure init` writes, used too when tenure.yaml has no `health:` section."""
    return Health.model_validate(_DEFAULT)
