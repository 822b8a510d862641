"""The workflow store's tables: what people create and decide, beside the analytics (DESIGN.md, principle 4).

Facts (revenue, usage, tickets) live in the warehouse; calls to action, tasks, notes,
success plans, handoffs, churn reasons, feature requests, escalations, users and the audit
log live here, in SQLite by default or PostgreSQL in production. Account and team ids are
the data contract's (`accounts.account_id`, `team.person_id`), not foreign keys: the two
stores are separate databases.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("admin", "director", "manager", "csm", "sales", "viewer")
CTA_KINDS = ("risk", "expansion", "lifecycle", "renewal")
PRIORITIES = ("low", "medium", "high", "urgent")
FEATURE_STATUSES = ("under review", "planned", "beta", "shipped", "declined")
FORECAST_CALLS = ("commit", "best-case", "at-risk", "lost")
ADVOCACY_KINDS = ("reference_call", "referral", "case_study", "review")
HANDOFF_FIELDS = ("power_users", "pain_point", "gotchas", "success_criteria", "stakeholders",
                  "promised_integrations")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON}


class User(Base):
    """Someone who signs in; linked to a `team` person, which decides whose book they see."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # an argon2 hash (never the password); None: the user cannot sign in to the web app yet
    password_hash: Mapped[str | None] = mapped_column(String(200))
    # may see accounts marked `restricted`, whatever the role
    cleared_restricted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    __secret__ = frozenset({"password_hash"})


class OwnerAssignment(Base):
    """An account's owner set in tenure; the latest one overrides the loaded `owner_csm_id`."""

    __tablename__ = "owner_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    owner_person_id: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    assigned_by: Mapped[str | None] = mapped_column(String(320))
    assigned_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Playbook(Base):
    """A named sequence of steps a CTA brings with it."""

    __tablename__ = "playbooks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    steps: Mapped[list[PlaybookStep]] = relationship(back_populates="playbook", order_by="PlaybookStep.position",
                                                     cascade="all, delete-orphan")


class PlaybookStep(Base):
    __tablename__ = "playbook_steps"
    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbooks.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    owner_role: Mapped[str] = mapped_column(String(20))
    due_days: Mapped[int] = mapped_column(Integer)
    playbook: Mapped[Playbook] = relationship(back_populates="steps")


class Cta(Base):
    """A call to action on an account: why, from which rule, who owns it, by when, how far escalated."""

    __tablename__ = "ctas"
    __table_args__ = (
        # one open CTA per rule and account, however often the rules run
        Index("one_open_cta_per_rule", "rule", "account_id", unique=True,
              sqlite_where=text("status = 'open' AND rule IS NOT NULL"),
              postgresql_where=text("status = 'open' AND rule IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    owner_person_id: Mapped[str | None] = mapped_column(String(100))
    due_date: Mapped[dt.date] = mapped_column(Date)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    close_note: Mapped[str | None] = mapped_column(Text)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    playbook_id: Mapped[int | None] = mapped_column(ForeignKey("playbooks.id"))
    tasks: Mapped[list[Task]] = relationship(back_populates="cta", order_by="Task.position",
                                             cascade="all, delete-orphan")


class Task(Base):
    """One playbook step on one CTA."""

    __tablename__ = "tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    cta_id: Mapped[int] = mapped_column(ForeignKey("ctas.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    owner_role: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[dt.date] = mapped_column(Date)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cta: Mapped[Cta] = relationship(back_populates="tasks")


class TimelineEntry(Base):
    """Something that happened on an account in tenure: a note, a CTA opened or closed, an escalation."""

    __tablename__ = "timeline"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(320))
    cta_id: Mapped[int | None] = mapped_column(ForeignKey("ctas.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SuccessPlan(Base):
    __tablename__ = "success_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    objective: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    criteria: Mapped[list[SuccessCriterion]] = relationship(back_populates="plan", cascade="all, delete-orphan")


class SuccessCriterion(Base):
    __tablename__ = "success_criteria"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("success_plans.id"))
    criterion: Mapped[str] = mapped_column(Text)
    agreed_before_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")
    evidence: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    plan: Mapped[SuccessPlan] = relationship(back_populates="criteria")


class Handoff(Base):
    """What Sales promised, handed to CS; incomplete until every field of HANDOFF_FIELDS is filled."""

    __tablename__ = "handoffs"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), unique=True)
    power_users: Mapped[str | None] = mapped_column(Text)
    pain_point: Mapped[str | None] = mapped_column(Text)
    gotchas: Mapped[str | None] = mapped_column(Text)
    success_criteria: Mapped[str | None] = mapped_column(Text)
    stakeholders: Mapped[str | None] = mapped_column(Text)
    promised_integrations: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(320))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def missing(self) -> list[str]:
        return [f for f in HANDOFF_FIELDS if not (getattr(self, f) or "").strip()]


class ChurnReason(Base):
    """Why ARR was lost (churn or contraction), from the exit interview or the CSM."""

    __tablename__ = "churn_reasons"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    movement: Mapped[str] = mapped_column(String(20))
    arr_lost: Mapped[float] = mapped_column(Float)
    primary_reason: Mapped[str] = mapped_column(String(100))
    secondary_reason: Mapped[str | None] = mapped_column(String(100))
    voluntary: Mapped[bool] = mapped_column(Boolean, default=True)
    competitor: Mapped[str | None] = mapped_column(String(200))
    stay_condition: Mapped[str | None] = mapped_column(Text)
    interviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str | None] = mapped_column(String(320))


class FeatureRequest(Base):
    __tablename__ = "feature_requests"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="under review")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    accounts: Mapped[list[FeatureRequestAccount]] = relationship(back_populates="request",
                                                                 cascade="all, delete-orphan")


class FeatureRequestAccount(Base):
    __tablename__ = "feature_request_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("feature_requests.id"))
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    beta_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    request: Mapped[FeatureRequest] = relationship(back_populates="accounts")


class Escalation(Base):
    __tablename__ = "escalations"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    severity: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    exec_owner_person_id: Mapped[str | None] = mapped_column(String(100))
    cross_functional_owner: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class OutboxMessage(Base):
    """A digital touch a rule wrote for an account, waiting to be (or already) sent."""

    __tablename__ = "outbox"
    __table_args__ = (Index("one_message_per_rule_account_day", "rule", "account_id", "for_date", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    rule: Mapped[str] = mapped_column(String(100))
    for_date: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivery: Mapped[str | None] = mapped_column(Text)


class ForecastCall(Base):
    """A renewal owner's call on one renewal; the latest per account and renewal date is the current one.

    Every call is kept, so the history shows how a call moved and call accuracy can be measured
    against what happened."""

    __tablename__ = "forecast_calls"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    renewal_date: Mapped[dt.date] = mapped_column(Date)
    call: Mapped[str] = mapped_column(String(20))
    arr: Mapped[float] = mapped_column(Float)  # the ARR up for renewal when the call was made
    owner_person_id: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    called_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class DealFlag(Base):
    """A concern recorded on an open new-business deal before signature (deal vetting)."""

    __tablename__ = "deal_flags"
    __table_args__ = (Index("one_flag_per_deal_rule", "opportunity_id", "rule", unique=True),)
    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[str] = mapped_column(String(100), index=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    rule: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)
    fit_score: Mapped[float | None] = mapped_column(Float)
    flagged_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AdvocacyRecord(Base):
    """An advocacy ask and its outcome: a reference call, a referral, a case study or a review."""

    __tablename__ = "advocacy_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(100), index=True)
    contact_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    referred_account_id: Mapped[str | None] = mapped_column(String(100))  # a referral's new customer
    recorded_by: Mapped[str | None] = mapped_column(String(320))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ApiToken(Base):
    """A token a script signs in with: only its SHA-256 is kept; the token is shown once, when issued."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    __secret__ = frozenset({"token_hash"})


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the store its SHA-256 and the CSRF token."""

    __tablename__ = "web_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    __secret__ = frozenset({"token_hash", "csrf_token"})


class AuditEntry(Base):
    """Every change to the store: who, which row, before and after, when."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor: Mapped[str] = mapped_column(String(320))
    table_name: Mapped[str] = mapped_column(String(100))
    row_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
