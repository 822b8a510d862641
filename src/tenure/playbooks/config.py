"""Playbooks as configuration: the `playbooks:` section of tenure.yaml, validated.

A rule is a condition over an account's state at a date (health, metrics, renewal, churn
probability), scoped by segment, and an action: open a call to action with a playbook, or,
for digital-touch segments, write a templated message to the outbox. Every condition key
given must hold (they are ANDed).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tenure.workflow.models import CTA_KINDS, PRIORITIES, ROLES

Kind = Literal[CTA_KINDS]  # type: ignore[valid-type]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
Role = Literal[ROLES + ("owner",)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Step(Strict):
    """One task of a playbook: what, for which role, due how many days after the CTA opens."""

    title: str
    owner_role: Role = "owner"
    due_days: Annotated[int, Field(ge=0, le=365)] = 7


class Playbook(Strict):
    description: str = ""
    steps: list[Step] = Field(min_length=1)


class Condition(Strict):
    """What must hold for a rule to fire; every key given must hold."""

    band: str | list[str] | None = None
    band_was: str | list[str] | None = Field(
        default=None, description="The band 30 days earlier (with `band`: a band change, e.g. green → red).")
    score_below: float | None = None
    score_drop: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="The health score fell by at least this many points in 30 days.")
    metric: str | None = None
    above: float | None = None
    below: float | None = None
    renewal_within_days: Annotated[int, Field(ge=0)] | None = None
    churn_probability_above: Annotated[float, Field(ge=0, le=1)] | None = None
    zombie: bool | None = None
    sponsor_departed: bool | None = None
    urgent_tickets_open: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="At least this many high or urgent tickets open.")
    onboarding_incomplete_after_days: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="Customer for at least this many days and onboarding not complete.")
    customer_for_at_most_days: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="A new customer: the first paid start at most this many days ago.")
    handoff_incomplete: bool | None = Field(
        default=None, description="No complete sales-to-CS handoff recorded (`tenure handoffs`).")

    @model_validator(mode="after")
    def _complete(self) -> Condition:
        if (self.above is not None or self.below is not None) and self.metric is None:
            raise ValueError("`above` and `below` compare a `metric`; name it")
        if self.metric is not None and self.above is None and self.below is None:
            raise ValueError(f"metric {self.metric!r} needs `above` or `below`")
        if not self.model_dump(exclude_none=True):
            raise ValueError("a condition needs at least one key")
        return self


class Message(Strict):
    """A digital touch: Jinja2 templates over `account` (its state) and `rule`."""

    subject: str
    body: str
    webhook: str | None = Field(default=None, description="POST each message as JSON to this URL.")

    @model_validator(mode="after")
    def _templates_parse(self) -> Message:
        from tenure.playbooks.messages import check

        check(self.subject)
        check(self.body)
        return self


class Rule(Strict):
    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    when: Condition
    segments: list[str] = Field(default_factory=list, description="Only accounts of these segments; empty: all.")
    kind: Kind = "risk"
    priority: Priority = "medium"
    reason: str | None = Field(default=None, description="Why the CTA is open, shown to its owner.")
    playbook: str | None = None
    due_days: Annotated[int, Field(ge=0, le=365)] = 7
    close_when_clear: bool = True
    message: Message | None = Field(default=None, description="Write to the outbox instead of opening a CTA.")


class Playbooks(Strict):
    escalate_after_days: Annotated[int, Field(ge=1, le=90)] = Field(
        default=7, description="An overdue CTA moves one step up the chain every this many days past due.")
    escalation: list[Literal["owner", "manager", "director", "executive"]] = Field(
        default_factory=lambda: ["owner", "manager", "director"], min_length=1)
    definitions: dict[str, Playbook] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_playbooks(self) -> Playbooks:
        problems = []
        names = [r.name for r in self.rules]
        for name in {n for n in names if names.count(n) > 1}:
            problems.append(f"rule name {name!r} is used twice")
        for i, rule in enumerate(self.rules):
            if rule.playbook is not None and rule.playbook not in self.definitions:
                problems.append(f"rules.{i}.playbook: no playbook called {rule.playbook!r} in `definitions` "
                                f"(known: {', '.join(self.definitions) or 'none'})")
        if problems:
            raise ValueError("\n".join(problems))
        return self
