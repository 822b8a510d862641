"""Digital touches: Jinja2 templates rendered in a sandbox, and delivery to a webhook.

Templates see `account` (the account's state: name, segment, score, band, arr, renewal_date,
every metric, churn_probability, owner) and `rule` (its name). Rendering is sandboxed and
strict: a template cannot reach Python internals, and an unknown variable is an error rather
than an empty string in a customer's inbox.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select

from tenure.errors import TenureError
from tenure.workflow.models import OutboxMessage, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tenure.playbooks.config import Message, Rule

ENVIRONMENT = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
TIMEOUT_SECONDS = 10


def check(template: str) -> None:
    """Raise ValueError when a template does not parse (used by config validation)."""
    try:
        ENVIRONMENT.parse(template)
    except TemplateError as exc:
        raise ValueError(f"template does not parse: {exc}") from None


def render(message: Message, account: dict, rule: str) -> tuple[str, str]:
    """The subject and body for one account."""
    values = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in account.items()}
    try:
        return (ENVIRONMENT.from_string(message.subject).render(account=values, rule={"name": rule}),
                ENVIRONMENT.from_string(message.body).render(account=values, rule={"name": rule}))
    except TemplateError as exc:
        raise TenureError(f"rule {rule}: the message template failed for account {account.get('account_id')}: "
                          f"{exc}") from None


def deliver(session: Session, rules: list[Rule]) -> tuple[int, int]:
    """POST every unsent message of a rule with a webhook; returns (sent, failed). Failures are kept to retry."""
    hooks = {r.name: r.message.webhook for r in rules if r.message is not None and r.message.webhook}
    sent = failed = 0
    if not hooks:
        return sent, failed
    pending = session.scalars(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None),
                                                          OutboxMessage.rule.in_(list(hooks))))
    for message in pending:
        payload = json.dumps({"account_id": message.account_id, "rule": message.rule, "subject": message.subject,
                              "body": message.body, "for_date": message.for_date.isoformat()}).encode()
        request = urllib.request.Request(hooks[message.rule], data=payload, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                message.sent_at, message.delivery = utcnow(), f"HTTP {response.status}"
                sent += 1
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            message.delivery = f"failed: {getattr(exc, 'reason', exc)}"
            failed += 1
    return sent, failed
