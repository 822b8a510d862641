"""The rules engine against a hand-made account state and a real store (SQLite and PostgreSQL).

Time is injected: each evaluation names its date, nothing sleeps.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tenure.errors import TenureError
from tenure.playbooks.config import Playbooks
from tenure.playbooks.engine import evaluate
from tenure.workflow.models import AuditEntry, Cta, OutboxMessage, Task, TimelineEntry
from tenure.workflow.models import Playbook as PlaybookRow

DAY = dt.date(2026, 3, 2)
CONFIG = Playbooks.model_validate({
    "escalate_after_days": 7,
    "escalation": ["owner", "manager", "director"],
    "definitions": {"save": {"steps": [
        {"title": "Call the champion", "owner_role": "owner", "due_days": 3},
        {"title": "Manager review", "owner_role": "manager", "due_days": 10},
    ]}},
    "rules": [
        {"name": "red", "when": {"band": "red"}, "segments": ["Enterprise"], "playbook": "save", "priority": "high",
         "due_days": 5},
        {"name": "usage-drop", "when": {"metric": "usage_trend_30d", "below": -0.3}, "close_when_clear": False},
        {"name": "renewal-risk", "when": {"renewal_within_days": 90, "churn_probability_above": 0.3},
         "kind": "renewal"},
        {"name": "digital", "when": {"band": "red"}, "segments": ["SMB"],
         "message": {"subject": "Hello {{ account.name }}", "body": "Score {{ account.score | round | int }}"}},
    ],
})
MANAGERS = {"P1": "M1", "P2": "M1"}


def _state(**changes) -> pd.DataFrame:
    rows = [
        {"account_id": "A1", "name": "Acme", "segment": "Enterprise", "band": "red", "score": 30.0,
         "usage_trend_30d": -0.5, "days_to_renewal": 60, "churn_probability": 0.4, "owner": "P1", "arr": 100_000},
        {"account_id": "A2", "name": "Beta", "segment": "Enterprise", "band": "green", "score": 80.0,
         "usage_trend_30d": 0.1, "days_to_renewal": 200, "churn_probability": 0.05, "owner": "P2", "arr": 50_000},
        {"account_id": "A3", "name": "Cito", "segment": "SMB", "band": "red", "score": 22.4,
         "usage_trend_30d": None, "days_to_renewal": 20, "churn_probability": None, "owner": None, "arr": 3_000},
    ]
    frame = pd.DataFrame(rows)
    for key, value in changes.items():
        account, column = key.split("__")
        frame.loc[frame["account_id"] == account, column] = value
    return frame


def _run(store, state, day=DAY, dry_run=False):
    with store.session() as session:
        outcome = evaluate(CONFIG, state, session, as_of=day, managers=MANAGERS, director="D1", dry_run=dry_run)
    return outcome


def _open(store):
    with store.session() as session:
        return {(c.rule, c.account_id) for c in session.scalars(select(Cta).where(Cta.status == "open"))}


def test_rules_fire_once_per_account_however_often_they_run(store):
    first = _run(store, _state())
    assert first.by_rule["red"]["opened"] == 1 and first.by_rule["usage-drop"]["opened"] == 1
    assert first.by_rule["renewal-risk"]["opened"] == 1 and first.by_rule["digital"]["messages"] == 1
    assert _open(store) == {("red", "A1"), ("usage-drop", "A1"), ("renewal-risk", "A1")}
    again = _run(store, _state())
    assert sum(c["opened"] for c in again.by_rule.values()) == 0
    assert again.by_rule["red"]["already_open"] == 1
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Cta)) == 3
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_cta_carries_its_playbook_tasks_owner_and_timeline(store):
    _run(store, _state())
    with store.session() as session:
        cta = session.scalar(select(Cta).where(Cta.rule == "red"))
        assert (cta.owner_person_id, cta.priority, cta.due_date) == ("P1", "high", DAY + dt.timedelta(days=5))
        assert [(t.title, t.due_date) for t in cta.tasks] == [("Call the champion", DAY + dt.timedelta(days=3)),
                                                             ("Manager review", DAY + dt.timedelta(days=10))]
        entry = session.scalar(select(TimelineEntry).where(TimelineEntry.cta_id == cta.id))
        assert "opened by rule red" in entry.text
        playbook = session.get(PlaybookRow, cta.playbook_id)
        assert playbook.name == "save" and [s.title for s in playbook.steps] == ["Call the champion", "Manager review"]


def test_cleared_conditions_close_and_refire(store):
    _run(store, _state())
    healthy = _state(A1__band="green", A1__usage_trend_30d=0.2)
    cleared = _run(store, healthy, DAY + dt.timedelta(days=1))
    assert cleared.by_rule["red"]["closed"] == 1
    assert ("red", "A1") not in _open(store)
    assert ("usage-drop", "A1") in _open(store)  # its rule keeps CTAs open until someone closes them
    refired = _run(store, _state(), DAY + dt.timedelta(days=2))
    assert refired.by_rule["red"]["opened"] == 1
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Cta).where(Cta.rule == "red")) == 2
        closed = session.scalar(select(Cta).where(Cta.rule == "red", Cta.status == "closed"))
        assert "cleared on 2026-03-03" in closed.close_note


def test_overdue_ctas_escalate_step_by_step(store):
    _run(store, _state())
    due = DAY + dt.timedelta(days=5)
    assert _run(store, _state(), due).escalated == 0
    assert _run(store, _state(), due + dt.timedelta(days=1)).escalated >= 1
    with store.session() as session:
        red = session.scalar(select(Cta).where(Cta.rule == "red"))
        assert (red.escalation_level, red.owner_person_id) == (1, "M1")
    _run(store, _state(), due + dt.timedelta(days=7))
    with store.session() as session:
        red = session.scalar(select(Cta).where(Cta.rule == "red"))
        assert (red.escalation_level, red.owner_person_id) == (2, "D1")
        steps = session.scalars(select(TimelineEntry.text).where(TimelineEntry.cta_id == red.id,
                                                                 TimelineEntry.kind == "escalation")).all()
        assert len(steps) == 2 and "escalated to the manager (M1; was P1)" in steps[0]
    _run(store, _state(), due + dt.timedelta(days=30))
    with store.session() as session:  # the director is the top of the chain
        red = session.scalar(select(Cta).where(Cta.rule == "red"))
        assert (red.escalation_level, red.owner_person_id) == (2, "D1")


def test_digital_touches_render_their_template(store):
    _run(store, _state())
    with store.session() as session:
        message = session.scalar(select(OutboxMessage))
        assert (message.account_id, message.subject, message.body) == ("A3", "Hello Cito", "Score 22")


def test_a_dry_run_changes_nothing(store):
    outcome = _run(store, _state(), dry_run=True)
    assert outcome.by_rule["red"]["opened"] == 1
    assert {f["account_id"] for f in outcome.fired} == {"A1", "A3"}
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Cta)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_a_failure_half_way_applies_nothing(store):
    broken = CONFIG.model_copy(deep=True)
    broken.rules[3].message.body = "{{ account.no_such_column }}"
    with pytest.raises(TenureError, match="message template failed"), store.session() as session:
        evaluate(broken, _state(), session, as_of=DAY)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Cta)) == 0
        assert session.scalar(select(func.count()).select_from(Task)) == 0
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_the_audit_log_records_every_change(store):
    _run(store, _state())
    _run(store, _state(A1__band="green"), DAY + dt.timedelta(days=1))
    with store.session() as session:
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        tables = {(e.table_name, e.action) for e in entries}
        assert {("ctas", "insert"), ("tasks", "insert"), ("timeline", "insert"), ("outbox", "insert"),
                ("ctas", "update")} <= tables
        closing = next(e for e in entries if e.table_name == "ctas" and e.action == "update")
        assert closing.before["status"] == "open" and closing.after["status"] == "closed"
        assert all(e.actor == "tenure" for e in entries)


def test_the_store_itself_refuses_a_second_open_cta_for_a_rule_and_account(store):
    with pytest.raises(IntegrityError), store.session() as session:
        for _ in range(2):
            session.add(Cta(account_id="A9", kind="risk", reason="x", rule="red", priority="low",
                            due_date=DAY))
            session.flush()


def test_a_rule_names_a_known_playbook():
    with pytest.raises(ValueError, match="no playbook called 'missing'"):
        Playbooks.model_validate({"rules": [{"name": "r", "when": {"band": "red"}, "playbook": "missing"}]})
    with pytest.raises(ValueError, match="needs `above` or `below`"):
        Playbooks.model_validate({"rules": [{"name": "r", "when": {"metric": "arr"}}]})


def test_a_band_change_is_a_condition(store):
    config = Playbooks.model_validate({"rules": [
        {"name": "turned-red", "when": {"band": "red", "band_was": ["green", "yellow"]}}]})
    state = _state().assign(band_30d_ago=["green", "green", "red"])
    with store.session() as session:
        outcome = evaluate(config, state, session, as_of=DAY)
    assert [f["account_id"] for f in outcome.fired] == ["A1"]


def test_band_30_days_ago_comes_from_the_score_and_its_change():
    from tenure.metrics.scorecard import default_health
    from tenure.playbooks.state import _band_of

    bands = default_health().bands
    got = [None if pd.isna(b) else b for b in _band_of(pd.Series([30.0, 50.0, 70.0, 100.0, None]), bands)]
    assert got == ["red", "yellow", "green", "green", None]
