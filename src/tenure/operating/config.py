"""The operating model as configuration: segments, engagement motions, coverage, capacity, ownership,
costs and compensation plans (the sections of tenure.yaml the `operating` engines read).

Every section has defaults that describe a common B2B SaaS model, so a workspace works before
anyone edits it; every key is validated, and mistakes are reported by key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Money = Annotated[float, Field(ge=0)]
WEEKS_PER_MONTH = 52 / 12  # team.capacity_hours is hours a week; motions' effort is hours a month
Fraction = Annotated[float, Field(ge=0, le=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SegmentRule(Strict):
    """One segmentation rule: every condition given must hold (an empty rule matches every account).

    ARR bounds are point-in-time (ARR at the date asked for); `max` bounds are exclusive, so tiers
    written as `arr_min: 100000` then `arr_max: 100000` never overlap.
    """

    name: Annotated[str, Field(min_length=1)]
    arr_min: Money | None = None
    arr_max: Money | None = None
    employees_min: Annotated[int, Field(ge=0)] | None = None
    employees_max: Annotated[int, Field(ge=0)] | None = None
    industry: list[str] | None = None
    region: list[str] | None = None
    where: dict[str, list[str]] = Field(
        default_factory=dict, description="Any other account attribute and the values it may take.")


class Segments(Strict):
    """Segmentation: the first rule that matches names the segment; a `segment` loaded on the account wins."""

    rules: list[SegmentRule] = Field(default_factory=list)
    unmatched: str = Field(default="Unsegmented", description="Segment of an account that no rule matches.")


class Motion(Strict):
    """How an account is served: a target touch cadence and the CSM hours a month it takes."""

    cadence_days: Annotated[int, Field(ge=1, le=365)]
    hours_per_month: Annotated[float, Field(ge=0, le=200)]
    dedicated: bool = Field(default=True, description="Served by a named CSM (false: a scaled digital programme).")


class ChurnOverride(Strict):
    """Accounts whose churn probability is at least `probability` get `motion`, whatever their band."""

    probability: Annotated[float, Field(gt=0, le=1)]
    motion: str


class Engagement(Strict):
    """The risk-tiered engagement model: segment × health band → motion ("*" matches any)."""

    motions: dict[str, Motion] = Field(default_factory=lambda: {
        "high-touch": Motion(cadence_days=14, hours_per_month=10.0),
        "pooled": Motion(cadence_days=45, hours_per_month=3.0),
        "digital": Motion(cadence_days=90, hours_per_month=0.25, dedicated=False),
    })
    matrix: dict[str, dict[str, str]] = Field(default_factory=lambda: {
        "Enterprise": {"*": "high-touch"},
        "Mid-Market": {"red": "high-touch", "*": "pooled"},
        "*": {"red": "pooled", "*": "digital"},
    })
    churn_override: ChurnOverride | None = None

    @model_validator(mode="after")
    def _motions_known(self) -> Engagement:
        problems = []
        for segment, bands in self.matrix.items():
            for band, motion in bands.items():
                if motion not in self.motions:
                    problems.append(f"matrix.{segment}.{band}: unknown motion {motion!r} "
                                    f"(motions: {', '.join(self.motions)})")
        if self.churn_override is not None and self.churn_override.motion not in self.motions:
            problems.append(f"churn_override.motion: unknown motion {self.churn_override.motion!r}")
        if "*" not in self.matrix or "*" not in self.matrix["*"]:
            problems.append("matrix: needs a catch-all `'*': {'*': MOTION}` so that every account has a motion")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def motion_of(self, segment: str | None, band: str | None) -> str:
        """The matrix cell: the segment's row (else "*"), the band's column (else "*")."""
        row = self.matrix.get(segment or "", self.matrix["*"])
        return row.get(band or "", row.get("*", self.matrix["*"]["*"]))


class Ratio(Strict):
    """Target load of one CSM in a segment; a book above it is overloaded."""

    accounts_per_csm: Annotated[int, Field(ge=1)] | None = None
    arr_per_csm: Annotated[float, Field(gt=0)] | None = None


class Coverage(Strict):
    """Targets of coverage: ratios per segment and the capacity of a CSM."""

    ratios: dict[str, Ratio] = Field(default_factory=lambda: {
        "Enterprise": Ratio(accounts_per_csm=15, arr_per_csm=3_000_000),
        "Mid-Market": Ratio(accounts_per_csm=40, arr_per_csm=2_000_000),
        "SMB": Ratio(accounts_per_csm=150, arr_per_csm=1_500_000),
    })
    capacity_hours: Annotated[float, Field(gt=0, le=80)] = Field(
        default=30, description="Hours a WEEK a CSM gives to accounts when `team.capacity_hours` (also hours a "
        "week) is empty; a month's capacity is this × WEEKS_PER_MONTH.")
    overloaded_above: Annotated[float, Field(gt=0)] = Field(
        default=1.0, description="A CSM whose effort load ÷ capacity is above this is overloaded.")
    idle_below: Annotated[float, Field(ge=0)] = Field(
        default=0.5, description="A CSM whose effort load ÷ capacity is below this is idle.")
    renewal_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=90, description="Renewals due within this many days are counted per CSM.")
    balance_max_moves: Annotated[int, Field(ge=0, le=10_000)] = Field(
        default=20, description="Book balancing moves at most this many accounts in one proposal.")
    balance_freeze_days: Annotated[int, Field(ge=0, le=730)] = Field(
        default=90, description="Book balancing never moves an account renewing within this many days.")

    @model_validator(mode="after")
    def _bounds(self) -> Coverage:
        if self.idle_below >= self.overloaded_above:
            raise ValueError(f"idle_below ({self.idle_below}) must be below overloaded_above ({self.overloaded_above})")
        return self


class Capacity(Strict):
    """The people side of the headcount plan."""

    attrition_per_year: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.15, description="Share of CSMs expected to leave in a year.")
    ramp_quarters: Annotated[int, Field(ge=0, le=8)] = Field(
        default=1, description="Quarters a new hire takes to carry a full book.")
    ramp_productivity: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.5, description="Share of a full book a new hire carries while ramping.")
    target_utilisation: Annotated[float, Field(gt=0, le=1.5)] = Field(
        default=0.85, description="Plan CSMs to this share of their capacity hours, leaving room for the unplanned.")
    logo_churn_per_year: Fraction | None = Field(
        default=None, description="Share of accounts lost a year in the plan; empty: the last 12 months' logo churn.")


class Ownership(Strict):
    """Who owns the renewal and the expansion, and what makes an account strategic."""

    renewal: Literal["cs", "renewal", "sales"] = Field(
        default="cs", description="cs: the CSM; renewal: the account's renewal specialist; sales: its AE.")
    expansion: Literal["cs", "sales"] = "cs"
    strategic_arr_min: Money | None = Field(
        default=250_000, description="Accounts with at least this ARR are strategic and need an executive sponsor.")
    strategic_segments: list[str] = Field(default_factory=list, description="Segments that are strategic as a whole.")
    executive_touch_days: Annotated[int, Field(ge=1, le=365)] = Field(
        default=90, description="A strategic account needs a meeting with an executive present this often.")


ROLE_COSTS = {"csm": 115_000.0, "tam": 135_000.0, "onboarding": 100_000.0, "renewal": 110_000.0,
              "manager": 165_000.0, "director": 220_000.0}


class Costs(Strict):
    """Fully loaded yearly cost per team role (salary, benefits, tools), for the return on CS spend."""

    roles: dict[str, Money] = Field(default_factory=lambda: dict(ROLE_COSTS))
    programme_per_year: Money = Field(default=0, description="Yearly cost of the digital programme (tools, content).")


CompMetric = Literal["grr", "nrr", "logo_retention", "expansion_arr"]


class Component(Strict):
    """One measure of a compensation plan: attainment = actual ÷ target.

    Below `threshold` (an actual value) it pays nothing; from threshold to target it pays the
    attainment (95% of target pays 95%); above target each point pays `accelerator` points, up
    to `cap` (a payout rate, 1.5 = 150%).

    `target` and `threshold` are yearly, like `targets:`, and convert to the period the same way:
    grr, nrr and logo_retention compound (0.90 a year is 0.90^(3/12) a quarter); for
    expansion_arr they are shares of the book's starting ARR a year, prorated (0.15 a year is
    book ARR × 0.15 × 3/12 of expansion ARR a quarter).
    """

    metric: CompMetric
    weight: Annotated[float, Field(gt=0, le=1)]
    target: Annotated[float, Field(gt=0)] | None = Field(
        default=None, description="Yearly; empty: the book's cascaded target (README, Targets). "
        "logo_retention has no cascaded target and needs one.")
    threshold: Annotated[float, Field(ge=0)] = 0.0
    accelerator: Annotated[float, Field(ge=0, le=10)] = 1.0
    cap: Annotated[float, Field(ge=0, le=10)] = 1.5

    @model_validator(mode="after")
    def _target(self) -> Component:
        if self.metric == "logo_retention" and self.target is None:
            raise ValueError("logo_retention has no cascaded target (targets: holds grr, nrr and expansion); "
                             "give the component a yearly `target`, e.g. 0.9")
        if self.target is not None and self.threshold > self.target:
            raise ValueError(f"threshold {self.threshold:g} is above target {self.target:g}")
        return self


class CompPlan(Strict):
    on_target_earnings: Annotated[float, Field(gt=0)]
    variable_share: Annotated[float, Field(gt=0, lt=1)]
    components: list[Component] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights(self) -> CompPlan:
        total = sum(c.weight for c in self.components)
        if abs(total - 1) > 1e-6:
            raise ValueError(f"component weights add up to {total:g}, not 1")
        metrics = [c.metric for c in self.components]
        if len(set(metrics)) != len(metrics):
            raise ValueError("a metric is used by more than one component")
        return self


def _default_plans() -> dict[str, CompPlan]:
    return {"csm": CompPlan(on_target_earnings=130_000, variable_share=0.2, components=[
        Component(metric="grr", weight=0.5, threshold=0.80, accelerator=2.0, cap=1.5),
        Component(metric="nrr", weight=0.3, threshold=0.90, accelerator=1.5, cap=2.0),
        Component(metric="logo_retention", weight=0.2, target=0.90, threshold=0.80, accelerator=1.0, cap=1.2),
    ])}


class Compensation(Strict):
    """Compensation plans by team role (`csm`, `tam`, ...): each person is paid on their own book."""

    plans: dict[str, CompPlan] = Field(default_factory=_default_plans)
