"""The workspace configuration, `tenure.yaml`, validated with Pydantic.

Configuration is a file a CS Ops team keeps in version control (DESIGN.md, principle 3).
Unknown keys are errors, not silently ignored, so that a typo never changes a number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tenure.contract.currencies import ISO_4217
from tenure.errors import ConfigError

CONFIG_FILE = "tenure.yaml"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Targets(Strict):
    """Retention targets the board holds the CS team to, as fractions (0.9 = 90%)."""

    grr: Annotated[float, Field(gt=0, le=1)] = 0.90
    nrr: Annotated[float, Field(gt=0, le=3)] = 1.10


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

    @field_validator("base_currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        if value not in ISO_4217:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value


def default_yaml(*, base_currency: str = "USD", warehouse: str | None = None) -> str:
    """The commented `tenure.yaml` that `tenure init` writes."""
    warehouse_line = f"warehouse: {warehouse}" if warehouse else "# warehouse: postgres://user@host/db"
    return f"""\
# tenure workspace configuration. Every key is optional; these are the defaults.
base_currency: {base_currency}          # ISO 4217; other currencies convert through fx_rates
fiscal_year_start_month: 1      # 1 = January; fiscal years are named by the year they end in

targets:
  grr: 0.90                     # gross revenue retention target (fraction)
  nrr: 1.10                     # net revenue retention target (fraction)

revenue:
  retention_window_months: 12   # window of the headline GRR / NRR / churn
  reactivation_window_months:   # empty: any return after churn is a reactivation
  default_term_months: 12       # term of a line with neither term_months nor billing_period

# The warehouse is warehouse.duckdb in this folder unless an Ibis URL is given:
{warehouse_line}
"""


def load_config(path: Path) -> Config:
    """Read and validate a `tenure.yaml`; errors name the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
            else:
                lines.append(f"{source}: key '{key}': {err['msg']} (got {err.get('input')!r})")
        raise ConfigError("\n".join(lines)) from None
