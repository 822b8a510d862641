"""The workspace configuration, `tenure.yaml`, validated with Pydantic.

Configuration is a file a CS Ops team keeps in version control (DESIGN.md, principle 3).
Unknown keys are errors, not silently ignored, so that a typo never changes a number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tenure.contract.currencies import ISO_4217
from tenure.contract.mapping.model import Mapping
from tenure.desk.config import Desk
from tenure.errors import ConfigError
from tenure.metrics.accounts import ValueDriver, registered
from tenure.metrics.adoption import AdoptionRules
from tenure.metrics.scorecard import DEFAULT_HEALTH_YAML, Health, default_health
from tenure.operating.config import Capacity, Compensation, Costs, Coverage, Engagement, Ownership, Segments
from tenure.playbooks.config import Playbooks
from tenure.playbooks.defaults import DEFAULT_PLAYBOOKS_YAML, default_playbooks
from tenure.strict_yaml import UniqueKeyLoader

CONFIG_FILE = "tenure.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SegmentTargets(Strict):
    """A segment's own yearly targets; an empty one inherits the company's."""

    grr: Annotated[float, Field(gt=0, le=1)] | None = None
    nrr: Annotated[float, Field(gt=0, le=3)] | None = None
    expansion: Annotated[float, Field(ge=0, le=5)] | None = None


class Targets(Strict):
    """Yearly targets the board holds the CS team to, as fractions (0.9 = 90%); they cascade to books."""

    grr: Annotated[float, Field(gt=0, le=1)] = 0.90
    nrr: Annotated[float, Field(gt=0, le=3)] = 1.10
    expansion: Annotated[float, Field(ge=0, le=5)] = Field(
        default=0.15, description="Expansion ARR in a year as a share of the ARR at its start.")
    segments: dict[str, SegmentTargets] = Field(default_factory=dict)


class RevenueRules(Strict):
    """The edge rules on which subscription-analytics vendors disagree (README, "Edge rules")."""

    reactivation_window_months: Annotated[int, Field(ge=0)] | None = Field(
        default=None,
        description="A return more than this many months after churn counts as new, not "
        "reactivation. Empty: every return after churn is a reactivation.",
    )
    retention_window_months: Annotated[int, Field(ge=1, le=120)] = Field(
        default=12, description="Window of the headline GRR, NRR and churn rates."
    )
    default_term_months: Annotated[int, Field(ge=1, le=120)] = Field(
        default=12,
        description="Contract term of a line with neither term_months nor billing_period.",
    )


class Adoption(Strict):
    """Thresholds of the adoption metrics (README, "Account metrics")."""

    onboarding_days: Annotated[int, Field(ge=1, le=730)] = Field(
        default=90, description="Onboarding is complete when every key event is reached within this many days.")
    zombie_min_active_users: Annotated[int, Field(ge=1)] = Field(
        default=1, description="A zombie still has at least this many active users in 30 days.")
    zombie_new_feature_days: Annotated[int, Field(ge=30, le=730)] = Field(
        default=180, description="A zombie used no feature for the first time in this many days.")
    time_to_value_target_days: Annotated[int, Field(ge=1)] = Field(
        default=30, description="Onboarding cohorts whose median time to value is above this are flagged.")

    def rules(self) -> AdoptionRules:
        return AdoptionRules(**self.model_dump(exclude={"time_to_value_target_days"}))


class Value(Strict):
    """One driver of value realised: every `event` is worth `per_event` `unit` (hours, USD, ...)."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    event: str
    per_event: Annotated[float, Field(gt=0)]
    unit: str

    def driver(self) -> ValueDriver:
        return ValueDriver(self.name, self.event, self.per_event, self.unit)


class Predict(Strict):
    """How renewal outcomes are labelled and models trained (README, "Prediction")."""

    horizon_days: Annotated[int, Field(ge=30, le=730)] = Field(
        default=180, description="A renewal due within this many days of a cutoff is labelled by what happened.")
    grace_days: Annotated[int, Field(ge=0, le=120)] = Field(
        default=0, description="A renewal signed up to this many days late is not churn.")
    flat_tolerance: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.01, description="ARR within this fraction of its value before the renewal counts as flat.")
    training_months: Annotated[int, Field(ge=3, le=120)] = Field(
        default=24, description="Months of monthly cutoffs a model trains on (the most recent with known outcomes).")
    risk_threshold: Annotated[float, Field(gt=0, lt=1)] | None = Field(
        default=None, description="A churn probability at or above this flags a renewal as at risk; "
        "empty: twice the churn rate of the rows the model learned from.")


class ChurnReasons(Strict):
    """The churn-reason taxonomy: each primary reason and whether the customer chose to leave."""

    reasons: dict[str, Literal["voluntary", "involuntary"]] = Field(default_factory=lambda: {
        "budget": "voluntary", "price": "voluntary", "poor adoption": "voluntary", "missing feature": "voluntary",
        "switched to competitor": "voluntary", "champion left": "voluntary", "poor support": "voluntary",
        "acquired": "involuntary", "payment failed": "involuntary", "went out of business": "involuntary",
    })
    exit_interview_days: Annotated[int, Field(ge=1, le=90)] = Field(
        default=14, description="An exit-interview CTA is due this many days after a churn or contraction.")


class Config(Strict):
    """Everything in `tenure.yaml`. Later features add their own sections here."""

    base_currency: str = "USD"
    fiscal_year_start_month: Annotated[int, Field(ge=1, le=12)] = 1
    targets: Targets = Targets()
    revenue: RevenueRules = RevenueRules()
    warehouse: str | None = Field(
        default=None,
        description="Ibis connection URL of the warehouse; empty: warehouse.duckdb in the workspace.",
    )
    workflow_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the workflow store; empty: workflow.sqlite in the workspace.",
    )
    adoption: Adoption = Adoption()
    value: list[Value] = Field(default_factory=list)
    health: Health = Field(default_factory=default_health)
    predict: Predict = Predict()
    playbooks: Playbooks = Field(default_factory=default_playbooks)
    churn_reasons: ChurnReasons = ChurnReasons()
    segments: Segments = Segments()
    engagement: Engagement = Engagement()
    coverage: Coverage = Coverage()
    capacity: Capacity = Capacity()
    ownership: Ownership = Ownership()
    costs: Costs = Costs()
    compensation: Compensation = Compensation()
    sources: Mapping = Field(default_factory=Mapping)  # source mappings (docs/sources.md)
    desk: Desk = Desk()

    @field_validator("base_currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value

    @model_validator(mode="after")
    def _measures_known(self) -> Config:
        """Every scorecard measure names a registered metric and scores it by its kind."""
        metrics = {m.name: m for m in registered(self.value_drivers())}
        problems = []
        for i, card in enumerate(self.health.scorecards):
            for j, group in enumerate(card.groups):
                for k, measure in enumerate(group.measures):
                    key = f"health.scorecards.{i}.groups.{j}.measures.{k}"
                    found = metrics.get(measure.metric)
                    if found is None:
                        problems.append(f"key '{key}.metric': unknown metric {measure.metric!r} "
                                        f"(known: {', '.join(metrics)})")
                    elif found.boolean != (measure.flag is not None):
                        kind = "a flag; score it with `flag`" if found.boolean else "a number; score it with " \
                            "`linear` or `steps`"
                        problems.append(f"key '{key}': {measure.metric} is {kind}")
        for i, rule in enumerate(self.playbooks.rules):
            if rule.when.metric is not None and rule.when.metric not in metrics:
                problems.append(f"key 'playbooks.rules.{i}.when.metric': unknown metric {rule.when.metric!r} "
                                f"(known: {', '.join(metrics)})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def value_drivers(self) -> list[ValueDriver]:
        return [v.driver() for v in self.value]


def default_yaml(*, base_currency: str = "USD", warehouse: str | None = None) -> str:
    """The commented `tenure.yaml` that `tenure init` writes."""
    warehouse_line = f"warehouse: {warehouse}" if warehouse else "# warehouse: postgres://user@host/db"
    return f"""\
# tenure workspace configuration. Every key is optional; these are the defaults.
base_currency: {base_currency}          # ISO 4217; other currencies convert through fx_rates
fiscal_year_start_month: 1      # 1 = January; fiscal years are named by the year they end in

targets:                        # yearly; they cascade to segments, teams and CSMs by their book
  grr: 0.90                     # gross revenue retention target (fraction)
  nrr: 1.10                     # net revenue retention target (fraction)
  expansion: 0.15               # expansion ARR in a year as a share of the ARR at its start
  segments: {{}}                  # per-segment overrides, e.g. {{SMB: {{grr: 0.85}}}}

revenue:
  retention_window_months: 12   # window of the headline GRR / NRR / churn
  reactivation_window_months:   # empty: any return after churn is a reactivation
  default_term_months: 12       # term of a line with neither term_months nor billing_period

adoption:
  onboarding_days: 90           # onboarding is complete when every key event is reached in this many days
  zombie_min_active_users: 1    # a zombie still logs in: at least this many active users in 30 days ...
  zombie_new_feature_days: 180  # ... but used no feature for the first time in this many days
  time_to_value_target_days: 30 # onboarding cohorts with a longer median time to value are flagged

# value:                        # value realised, a number a CFO accepts; one line per driver
#   - {{name: hours_saved, event: report_created, per_event: 0.5, unit: hours}}

{DEFAULT_HEALTH_YAML}
{DEFAULT_PLAYBOOKS_YAML}
churn_reasons:                  # the taxonomy exit interviews and `tenure churn-reasons add` use
  reasons: {{budget: voluntary, price: voluntary, poor adoption: voluntary, missing feature: voluntary,
            switched to competitor: voluntary, champion left: voluntary, poor support: voluntary,
            acquired: involuntary, payment failed: involuntary, went out of business: involuntary}}
  exit_interview_days: 14       # every churn or contraction opens an exit-interview CTA due this many days later

predict:
  horizon_days: 180             # renewals due within this many days of a cutoff are predicted
  grace_days: 0                 # a renewal signed up to this many days late is not churn
  flat_tolerance: 0.01          # ARR within 1% of its value before the renewal is a flat renewal
  training_months: 24           # the model trains on this many months of monthly cutoffs
  risk_threshold:               # churn probability that flags a renewal at risk; empty: twice the learned churn rate

# The operating model (README, "The operating model"). Every section below has built-in
# defaults; uncomment one to change it.
# segments:                     # first matching rule wins; a segment loaded on the account overrides
#   rules:
#     - {{name: Enterprise, arr_min: 100000}}
#     - {{name: Mid-Market, arr_min: 20000}}
#     - {{name: Mid-Market, employees_min: 1000}}
#     - {{name: SMB}}              # no condition: every other account
# engagement:                   # segment x health band -> motion; "*" matches any
#   motions:
#     high-touch: {{cadence_days: 14, hours_per_month: 10}}
#     pooled: {{cadence_days: 45, hours_per_month: 3}}
#     digital: {{cadence_days: 90, hours_per_month: 0.25, dedicated: false}}
#   matrix:
#     Enterprise: {{"*": high-touch}}
#     Mid-Market: {{red: high-touch, "*": pooled}}
#     "*": {{red: pooled, "*": digital}}
#   churn_override: {{probability: 0.4, motion: high-touch}}
# coverage:
#   ratios:                     # target book of one CSM per segment
#     Enterprise: {{accounts_per_csm: 15, arr_per_csm: 3000000}}
#     Mid-Market: {{accounts_per_csm: 40, arr_per_csm: 2000000}}
#     SMB: {{accounts_per_csm: 150, arr_per_csm: 1500000}}
#   capacity_hours: 30          # hours a WEEK of a CSM whose team.capacity_hours is empty
#   overloaded_above: 1.0       # effort / capacity above this: overloaded
#   idle_below: 0.5             # ... below this: idle
#   renewal_days: 90
#   balance_max_moves: 20       # tenure balance: at most this many moves
#   balance_freeze_days: 90     # ... and never an account renewing within this many days
# capacity:
#   attrition_per_year: 0.15
#   ramp_quarters: 1
#   ramp_productivity: 0.5
#   target_utilisation: 0.85
#   logo_churn_per_year:        # empty: measured per segment over the last 12 months
# ownership:
#   renewal: cs                 # cs (the CSM), renewal (the renewal specialist) or sales (the AE)
#   expansion: cs               # cs (the CSM) or sales (the AE)
#   strategic_arr_min: 250000   # strategic accounts need an internal executive sponsor
#   strategic_segments: []
#   executive_touch_days: 90    # ... and a meeting with an executive present this often
# costs:                        # loaded yearly cost per team role, for the return on CS spend
#   roles: {{csm: 115000, tam: 135000, onboarding: 100000, renewal: 110000, manager: 165000, director: 220000}}
#   programme_per_year: 0       # the digital programme (tools, content)
# compensation:                 # plans by team role; targets and thresholds are yearly
#   plans:
#     csm:
#       on_target_earnings: 130000
#       variable_share: 0.2
#       components:
#         - {{metric: grr, weight: 0.5, threshold: 0.80, accelerator: 2.0, cap: 1.5}}
#         - {{metric: nrr, weight: 0.3, threshold: 0.90, accelerator: 1.5, cap: 2.0}}
#         - {{metric: logo_retention, weight: 0.2, target: 0.90, threshold: 0.80, accelerator: 1.0, cap: 1.2}}

# The warehouse is warehouse.duckdb in this folder unless an Ibis URL is given:
{warehouse_line}
# CTAs, notes, handoffs and users live in workflow.sqlite here unless a SQLAlchemy URL is given:
# workflow_url: postgresql+psycopg://user@host/tenure
"""


def load_config(path: Path) -> Config:
    """Read and validate a `tenure.yaml`; errors name the file and the key."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)  # a SafeLoader
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file; run `tenure init` to create a workspace") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys, not {type(raw).__name__}")
    return parse_config(raw, source=str(path))


def parse_config(raw: dict, *, source: str = CONFIG_FILE) -> Config:
    """Validate a configuration mapping, translating Pydantic's errors into one ConfigError."""
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                lines.append(f"{source}: key '{key}': unknown key")
            elif err["type"] == "value_error" and not err["loc"]:
                lines.extend(f"{source}: {line}" for line in str(err["ctx"]["error"]).splitlines())
            else:
                value = err.get("input")
                shown = "" if isinstance(value, dict | list) else f" (got {value!r})"
                lines.append(f"{source}: key '{key}': {err['msg'].removeprefix('Value error, ')}{shown}")
        raise ConfigError("\n".join(lines)) from None
