"""The data contract: the canonical input tables, defined once.

Every loader, validator, simulator and test reads these definitions, so a column is
named, typed and constrained in exactly one place (DESIGN.md, "The data contract").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """The logical type of a contract column, independent of the storage engine."""

    STRING = "string"
    DATE = "date"  # ISO date, YYYY-MM-DD
    TIMESTAMP = "timestamp"  # ISO 8601 with a UTC offset; stored as UTC
    DECIMAL = "decimal"  # money and rates: exact decimal, no thousands separators
    INTEGER = "integer"
    BOOLEAN = "boolean"  # true/false or 1/0


SQL_TYPES = {
    Kind.STRING: "VARCHAR",
    Kind.DATE: "DATE",
    Kind.TIMESTAMP: "TIMESTAMP",
    Kind.DECIMAL: "DECIMAL(18,4)",
    Kind.INTEGER: "BIGINT",
    Kind.BOOLEAN: "BOOLEAN",
}


@dataclass(frozen=True)
class Column:
    """One column: its type, whether a value is required, and the rules on its values."""

    name: str
    kind: Kind
    required: bool = False
    allowed: tuple[str, ...] | None = None  # enum values
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    currency: bool = False  # an ISO 4217 code
    not_in_future: bool = False  # facts that cannot have happened after the load
    references: tuple[str, str] | None = None  # (table, column) that must hold the value


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, key and the cross-column rules it obeys."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    # (earlier, later, strict): `later` must be after `earlier` (or equal if not strict)
    date_order: tuple[tuple[str, str, bool], ...] = ()
    doc: str = ""
    column_by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_by_name", {c.name: c for c in self.columns})

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return self.column_by_name[name]


ACCOUNT = ("accounts", "account_id")
PERSON = ("team", "person_id")

CONTACT_ROLES = ("champion", "exec_sponsor", "power_user", "admin", "user")
TEAM_ROLES = ("csm", "tam", "onboarding", "renewal", "ae", "manager", "director", "executive")
ACTIVITY_TYPES = ("meeting", "qbr", "ebr", "call", "email")
BILLING_PERIODS = ("month", "quarter", "year")
OPPORTUNITY_TYPES = ("renewal", "expansion", "new")
SURVEY_TYPES = ("nps", "csat")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            (
                Column("account_id", Kind.STRING, required=True),
                Column("name", Kind.STRING, required=True),
                Column("created_at", Kind.DATE, required=True, not_in_future=True),
                Column("industry", Kind.STRING),
                Column("region", Kind.STRING),
                Column("employees", Kind.INTEGER, minimum=0),
                Column("owner_csm_id", Kind.STRING, references=PERSON),
                Column("parent_account_id", Kind.STRING, references=ACCOUNT),
                Column("segment", Kind.STRING),
                Column("restricted", Kind.BOOLEAN),
            ),
            key=("account_id",),
            doc="One row per customer account (the CRM's account).",
        ),
        Table(
            "subscriptions",
            (
                Column("subscription_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("product", Kind.STRING, required=True),
                Column("start_date", Kind.DATE, required=True),
                Column("mrr", Kind.DECIMAL, required=True, minimum=0),
                Column("currency", Kind.STRING, required=True, currency=True),
                Column("end_date", Kind.DATE),
                Column("quantity", Kind.INTEGER, minimum=0),
                Column("billing_period", Kind.STRING, allowed=BILLING_PERIODS),
                Column("term_months", Kind.INTEGER, minimum=0, exclusive_minimum=True),
                Column("renewal_date", Kind.DATE),
                Column("auto_renew", Kind.BOOLEAN),
            ),
            key=("subscription_id",),
            date_order=(("start_date", "end_date", True), ("start_date", "renewal_date", True)),
            doc="One row per subscription line: a product at a monthly price over a period.",
        ),
        Table(
            "events",
            (
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("user_id", Kind.STRING, required=True),
                Column("event", Kind.STRING, required=True),
                Column("timestamp", Kind.TIMESTAMP, required=True, not_in_future=True),
                Column("count", Kind.INTEGER, minimum=0, exclusive_minimum=True),
            ),
            doc="Product usage: one row per user action (or per user, event and time with a count).",
        ),
        Table(
            "contacts",
            (
                Column("contact_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("email", Kind.STRING, required=True),
                Column("name", Kind.STRING),
                Column("title", Kind.STRING),
                Column("role", Kind.STRING, allowed=CONTACT_ROLES),
                Column("left_at", Kind.DATE),
            ),
            key=("contact_id",),
            doc="People at the customer.",
        ),
        Table(
            "tickets",
            (
                Column("ticket_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("created_at", Kind.TIMESTAMP, required=True, not_in_future=True),
                Column("priority", Kind.STRING, required=True, allowed=("low", "normal", "high", "urgent")),
                Column("resolved_at", Kind.TIMESTAMP),
                Column("status", Kind.STRING, allowed=("open", "pending", "solved", "closed")),
                Column("csat", Kind.DECIMAL, minimum=0),
            ),
            key=("ticket_id",),
            date_order=(("created_at", "resolved_at", False),),
            doc="Support tickets.",
        ),
        Table(
            "activities",
            (
                Column("activity_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("occurred_at", Kind.TIMESTAMP, required=True, not_in_future=True),
                Column("type", Kind.STRING, required=True, allowed=ACTIVITY_TYPES),
                Column("exec_present", Kind.BOOLEAN),
                Column("person_id", Kind.STRING, references=PERSON),
            ),
            key=("activity_id",),
            doc="Meetings, business reviews, calls and emails with the customer.",
        ),
        Table(
            "surveys",
            (
                Column("response_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("submitted_at", Kind.TIMESTAMP, required=True, not_in_future=True),
                Column("type", Kind.STRING, required=True, allowed=SURVEY_TYPES),
                Column("score", Kind.DECIMAL, required=True, minimum=0),
                Column("contact_id", Kind.STRING, references=("contacts", "contact_id")),
                Column("comment", Kind.STRING),
            ),
            key=("response_id",),
            doc="NPS and CSAT survey responses.",
        ),
        Table(
            "opportunities",
            (
                Column("opportunity_id", Kind.STRING, required=True),
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("type", Kind.STRING, required=True, allowed=OPPORTUNITY_TYPES),
                Column("amount", Kind.DECIMAL, required=True, minimum=0),
                Column("close_date", Kind.DATE, required=True),
                Column("stage", Kind.STRING, required=True),
                Column("probability", Kind.DECIMAL, minimum=0, maximum=1),
                Column("status", Kind.STRING, allowed=("open", "won", "lost")),
                Column("churn_reason", Kind.STRING),
                Column("owner_id", Kind.STRING, references=PERSON),
                Column("created_at", Kind.DATE),
                Column("use_case", Kind.STRING),
                Column("promised_integrations", Kind.STRING),
                Column("success_criteria_agreed", Kind.BOOLEAN),
            ),
            key=("opportunity_id",),
            date_order=(("created_at", "close_date", False),),
            doc="CRM opportunities: renewals, expansions and new business.",
        ),
        Table(
            "team",
            (
                Column("person_id", Kind.STRING, required=True),
                Column("name", Kind.STRING, required=True),
                Column("role", Kind.STRING, required=True, allowed=TEAM_ROLES),
                Column("email", Kind.STRING),
                Column("manager_id", Kind.STRING, references=PERSON),
                Column("segment", Kind.STRING),
                Column("capacity_hours", Kind.DECIMAL, minimum=0),
                Column("hired_at", Kind.DATE),
                Column("left_at", Kind.DATE),
            ),
            key=("person_id",),
            date_order=(("hired_at", "left_at", False),),
            doc="Your own people: CSMs, managers, account executives and others.",
        ),
        Table(
            "account_team",
            (
                Column("account_id", Kind.STRING, required=True, references=ACCOUNT),
                Column("person_id", Kind.STRING, required=True, references=PERSON),
                Column("role", Kind.STRING, required=True, allowed=TEAM_ROLES),
                Column("since", Kind.DATE),
            ),
            key=("account_id", "person_id", "role"),
            doc="Who on your side works on each account, in which role.",
        ),
        Table(
            "features",
            (
                Column("event", Kind.STRING, required=True),
                Column("released_at", Kind.DATE),
                Column("is_key", Kind.BOOLEAN),
            ),
            key=("event",),
            doc="The product's features (event names), when each was released, and which are key.",
        ),
        Table(
            "fx_rates",
            (
                Column("currency", Kind.STRING, required=True, currency=True),
                Column("date", Kind.DATE, required=True),
                Column("rate_to_base", Kind.DECIMAL, required=True, minimum=0, exclusive_minimum=True),
            ),
            key=("currency", "date"),
            doc="Conversion rates: one unit of `currency` is worth `rate_to_base` of the base currency.",
        ),
    )
}

# Tables whose rows reference others are loaded after the tables they reference.
LOAD_ORDER = (
    "team", "accounts", "features", "fx_rates", "contacts", "subscriptions", "events",
    "tickets", "activities", "surveys", "opportunities", "account_team",
)
assert set(LOAD_ORDER) == set(TABLES)


def table(name: str) -> Table:
    """The contract table called `name`."""
    return TABLES[name]
