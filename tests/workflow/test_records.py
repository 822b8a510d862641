"""Handoffs, churn reasons and exit interviews, feature requests and escalations, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from tenure.config import ChurnReasons
from tenure.errors import TenureError
from tenure.workflow.churn import import_from_crm, open_exit_interviews, record
from tenure.workflow.handoffs import edit, incomplete_accounts, may_edit
from tenure.workflow.models import HANDOFF_FIELDS, Cta, TimelineEntry, User
from tenure.workflow.requests import open_escalation, request_feature, resolve_escalation, set_status

TAXONOMY = ChurnReasons()
DAY = dt.date(2026, 2, 15)
LOSSES = pd.DataFrame([
    {"account_id": "A1", "month_end": dt.date(2026, 1, 31), "movement": "churn", "arr_lost": 12_000.0},
    {"account_id": "A2", "month_end": dt.date(2026, 1, 31), "movement": "contraction", "arr_lost": 3_000.0},
])


def _timeline(session, account, kind):
    return session.scalars(select(TimelineEntry.text).where(TimelineEntry.account_id == account,
                                                             TimelineEntry.kind == kind)).all()


def test_a_handoff_is_complete_only_when_every_field_is_filled(store):
    with store.session(actor="ae@example.com") as session:
        handoff = edit(session, "A1", {"power_users": "Ann, Bo", "pain_point": "manual reports"}, actor="ae")
        assert handoff.missing == ["gotchas", "success_criteria", "stakeholders", "promised_integrations"]
        assert incomplete_accounts(session, ["A1", "A2"]) == {"A1", "A2"}
        edit(session, "A1", {f: "filled" for f in HANDOFF_FIELDS[2:]}, actor="ae")
        assert incomplete_accounts(session, ["A1", "A2"]) == {"A2"}
        assert _timeline(session, "A1", "handoff") == ["Sales-to-CS handoff complete"]
        with pytest.raises(TenureError, match="unknown handoff field"):
            edit(session, "A1", {"budget": "x"}, actor="ae")


@pytest.mark.parametrize(("role", "person", "allowed"), [
    ("admin", None, True), ("manager", "M1", True), ("csm", "P1", True), ("csm", "P2", False),
    ("sales", "AE1", True), ("sales", "AE2", False), ("viewer", None, False),
])
def test_who_may_edit_a_handoff(role, person, allowed):
    user = User(email="u@example.com", name="U", role=role, person_id=person)
    assert may_edit(user, "A1", owner="P1", executives={"AE1"}) is allowed


def test_exit_interviews_open_once_per_account_and_month_and_close_when_answered(store):
    with store.session() as session:
        assert open_exit_interviews(session, LOSSES, as_of=DAY, due_days=14, owners={"A1": "P1"}) == 2
    with store.session() as session:
        assert open_exit_interviews(session, LOSSES, as_of=DAY, due_days=14, owners={}) == 0
        cta = session.scalar(select(Cta).where(Cta.account_id == "A1"))
        assert (cta.kind, cta.owner_person_id, cta.due_date) == ("lifecycle", "P1", DAY + dt.timedelta(days=14))
        record(session, TAXONOMY, account_id="A1", occurred_on=dt.date(2026, 1, 31), movement="churn",
               arr_lost=12_000, primary="switched to competitor", competitor="Rival", interviewed=True,
               stay_condition="a Salesforce integration", actor="csm@example.com")
    with store.session() as session:
        cta = session.scalar(select(Cta).where(Cta.account_id == "A1"))
        assert cta.status == "closed" and "switched to competitor" in cta.close_note
        # closed is not forgotten: the same month's loss never opens a second interview
        assert open_exit_interviews(session, LOSSES, as_of=DAY + dt.timedelta(days=1), due_days=14, owners={}) == 0


def test_churn_reasons_come_from_the_taxonomy(store):
    with store.session() as session, pytest.raises(TenureError, match="not in the churn-reason taxonomy"):
        record(session, TAXONOMY, account_id="A1", occurred_on=DAY, movement="churn", arr_lost=1,
               primary="aliens", actor="x")
    with store.session() as session:
        reason = record(session, TAXONOMY, account_id="A1", occurred_on=DAY, movement="churn", arr_lost=1,
                        primary="acquired", actor="x")
        assert reason.voluntary is False


def test_crm_reasons_import_once(store):
    lost = pd.DataFrame([{"account_id": "A1", "close_date": "2026-01-31", "amount": 5000.0, "churn_reason": "price"},
                         {"account_id": "A2", "close_date": "2026-01-15", "amount": 800.0, "churn_reason": "budget"}])
    with store.session() as session:
        assert import_from_crm(session, TAXONOMY, lost, actor="x") == (2, 0)
    with store.session() as session:
        assert import_from_crm(session, TAXONOMY, lost, actor="x") == (0, 2)
    with store.session() as session, pytest.raises(TenureError, match="not in the taxonomy"):
        import_from_crm(session, TAXONOMY, lost.assign(churn_reason="moon"), actor="x")


def test_a_feature_status_change_reaches_every_requesting_account(store):
    with store.session() as session:
        request = request_feature(session, "SSO with Okta", "A1", actor="csm")
        request_feature(session, "SSO with Okta", "A2", actor="csm", beta=True)
        with pytest.raises(TenureError, match="already asked"):
            request_feature(session, "SSO with Okta", "A2", actor="csm")
        request_id = request.id
    with store.session() as session:
        _request, told = set_status(session, request_id, "beta", actor="pm")
        assert told == 2
        for account in ("A1", "A2"):
            assert _timeline(session, account, "feature_status") == [
                "Feature request 'SSO with Okta' moved from under review to beta: tell the customer"]
        with pytest.raises(TenureError, match="status must be one of"):
            set_status(session, request_id, "someday", actor="pm")


def test_escalations_record_time_to_resolve(store):
    opened = dt.datetime(2026, 2, 1, 9, 0)
    with store.session() as session:
        escalation = open_escalation(session, "A1", severity="critical", summary="Outage", actor="csm",
                                     executive="D1", cross_functional="Engineering", opened_at=opened)
        resolved = resolve_escalation(session, escalation.id, actor="csm", resolved_at=opened + dt.timedelta(hours=30))
        assert (resolved.resolved_at - resolved.opened_at) == dt.timedelta(hours=30)
        expected = f"Escalation #{escalation.id} resolved after 30 hours"
        assert _timeline(session, "A1", "escalation_resolved") == [expected]
        with pytest.raises(TenureError, match="was resolved"):
            resolve_escalation(session, escalation.id, actor="csm")
        assert session.scalar(select(func.count()).select_from(TimelineEntry)) == 2


def test_a_success_plan_is_achieved_when_every_criterion_is_met(store):
    from tenure.workflow.plans import add_criterion, add_plan, complete

    with store.session() as session:
        plan = add_plan(session, "A1", "Automate board reporting", actor="csm")
        first = add_criterion(session, plan.id, "Board pack in tenure", before_signature=True)
        second = add_criterion(session, plan.id, "Two teams onboarded")
        complete(session, first.id, "March pack sent", actor="csm")
        assert plan.status == "active"
        with pytest.raises(TenureError, match="evidence"):
            complete(session, second.id, "  ", actor="csm")
        complete(session, second.id, "Sales and Finance active", actor="csm")
        assert plan.status == "achieved" and first.agreed_before_signature


def test_an_owner_set_in_tenure_overrides_the_loaded_owner(store):
    from tenure.playbooks.state import _effective_owner
    from tenure.workflow.plans import reassign

    state = pd.DataFrame({"account_id": ["A1", "A2"], "owner_csm_id": ["P1", "P2"]})
    with store.session() as session:
        reassign(session, "A1", "P7", reason="book balancing", actor="manager")
        reassign(session, "A1", "P8", reason="P7 left", actor="manager")
    with store.session() as session:
        assert _effective_owner(session, state).tolist() == ["P8", "P2"]


def test_digital_touches_are_posted_to_the_webhook(store):
    import http.server
    import json
    import threading

    from tenure.playbooks.config import Rule
    from tenure.playbooks.messages import deliver
    from tenure.workflow.models import OutboxMessage

    received = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        rules = [Rule.model_validate({"name": "ok", "when": {"band": "red"}, "message": {
                     "subject": "s", "body": "b", "webhook": f"http://127.0.0.1:{server.server_port}/hook"}}),
                 Rule.model_validate({"name": "down", "when": {"band": "red"}, "message": {
                     "subject": "s", "body": "b", "webhook": "http://127.0.0.1:9/closed"}})]
        with store.session() as session:
            for rule in ("ok", "down"):
                session.add(OutboxMessage(account_id="A1", rule=rule, for_date=DAY, subject="Hello", body="Body"))
        with store.session() as session:
            assert deliver(session, rules) == (1, 1)
        with store.session() as session:
            assert deliver(session, rules) == (0, 1)  # sent once; the failed one is retried
            sent = session.scalar(select(OutboxMessage).where(OutboxMessage.rule == "ok"))
            failed = session.scalar(select(OutboxMessage).where(OutboxMessage.rule == "down"))
            assert sent.sent_at is not None and sent.delivery == "HTTP 204"
            assert failed.sent_at is None and failed.delivery.startswith("failed")
        assert received == [{"account_id": "A1", "rule": "ok", "subject": "Hello", "body": "Body",
                             "for_date": DAY.isoformat()}]
    finally:
        server.shutdown()


def test_users_are_checked_before_they_are_added(store):
    from tenure.workflow.users import add_user

    with store.session() as session:
        add_user(session, email="ada@example.com", name="Ada", role="admin")
        add_user(session, email="pat@example.com", name="Pat", role="csm", person_id="P1", known_people={"P1"})
        for kwargs, message in (
            ({"email": "ada@example.com", "role": "admin"}, "already exists"),
            ({"email": "not-an-email", "role": "admin"}, "not an email"),
            ({"email": "x@example.com", "role": "boss"}, "role must be one of"),
            ({"email": "y@example.com", "role": "csm"}, "needs --person"),
            ({"email": "z@example.com", "role": "csm", "person_id": "P9"}, "not in the loaded team"),
        ):
            with pytest.raises(TenureError, match=message):
                add_user(session, name="N", known_people={"P1"}, **kwargs)
        assert session.scalar(select(func.count()).select_from(User)) == 2
