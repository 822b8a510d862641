"""Forecast calls on renewals, and the open work the renewal desk shows beside them.

A renewal owner calls each renewal in the pipeline commit, best-case, at-risk or lost. Every call is
kept (the history shows how a call moved); the latest per account and renewal date is the current
one. A call goes on the account's timeline. The renewal date and ARR of a call are the pipeline's on
the day it is made, so a call always names the renewal it was about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenure.desk.renewals import CALL_COLUMNS, why_not_in_pipeline
from tenure.errors import TenureError
from tenure.workflow.models import FORECAST_CALLS, Cta, Escalation, ForecastCall, Task, TimelineEntry, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

IMPORT_COLUMNS = ("account_id", "renewal_date", "call", "called_at", "arr")
WORK_COLUMNS = ["account_id", "open_ctas", "open_risk_ctas", "open_escalations", "next_step", "next_step_due",
                "next_step_cta"]


def check_call(call: str) -> str:
    """The call word, or a clear error naming the allowed ones."""
    if call not in FORECAST_CALLS:
        raise TenureError(f"a forecast call is one of {', '.join(FORECAST_CALLS)}, not {call!r}")
    return call


def record_call(session: Session, *, account_id: str, call: str, renewal: Mapping | None, as_of: dt.date,
                window_days: int, actor: str, note: str | None = None,
                called_at: dt.datetime | None = None) -> ForecastCall:
    """Record a call on the account's renewal in the pipeline as of `as_of`.

    `renewal` is the account's next renewal as of `as_of` (renewal_date, days_to_renewal, term_months,
    arr, owner: the renewal owner), None when it is not paying: the call takes its date, ARR and owner.
    An account whose next renewal is not in the pipeline (a monthly plan, or beyond `window_days`) is an
    error that says why."""
    check_call(call)
    reason = why_not_in_pipeline(renewal, account_id=account_id, as_of=as_of, days=window_days)
    if reason is not None:
        raise TenureError(reason)
    renewal_date = pd.Timestamp(renewal["renewal_date"]).date()
    before = _current(session, account_id, renewal_date)
    owner = renewal.get("owner")
    entry = ForecastCall(account_id=account_id, renewal_date=renewal_date, call=call, arr=float(renewal["arr"]),
                         owner_person_id=owner if isinstance(owner, str) else None,
                         note=(note or "").strip() or None, called_at=called_at or utcnow())
    session.add(entry)
    session.flush()
    session.add(_timeline(entry, actor, was=before.call if before is not None else None))
    return entry


def call_history(session: Session, *, account_id: str | None = None) -> pd.DataFrame:
    """Every call (CALL_COLUMNS), by account, renewal date and time made."""
    query = select(ForecastCall).order_by(ForecastCall.account_id, ForecastCall.renewal_date, ForecastCall.called_at,
                                          ForecastCall.id)
    if account_id is not None:
        query = query.where(ForecastCall.account_id == account_id)
    rows = [{"id": c.id, "account_id": c.account_id, "renewal_date": c.renewal_date, "call": c.call, "arr": c.arr,
             "owner": c.owner_person_id, "note": c.note, "called_at": c.called_at} for c in session.scalars(query)]
    return pd.DataFrame(rows, columns=CALL_COLUMNS)


def import_calls(session: Session, rows: pd.DataFrame, *, known_accounts: set[str], actor: str,
                 source: str) -> tuple[int, int]:
    """Import `account_id, renewal_date, call, called_at, arr[, owner_person_id][, note]` rows (a CRM export,
    the demo's calls); returns (imported, already recorded).

    Every row is checked first — known account, call word, ISO dates, a call made before its renewal
    date, ARR a number ≥ 0 — and a bad file changes nothing. A call already recorded (same account,
    renewal date, call and time) is skipped, so importing a file again adds nothing."""
    missing = [c for c in IMPORT_COLUMNS if c not in rows.columns]
    if missing:
        raise TenureError(f"{source}: missing column(s) {', '.join(missing)} (needs {', '.join(IMPORT_COLUMNS)}; "
                          "optional owner_person_id, note)")
    problems, parsed = [], []
    for i, row in enumerate(rows.to_dict("records"), start=2):
        found = _parse(row, i, source, known_accounts)
        if isinstance(found, list):
            problems.extend(found)
        else:
            parsed.append(found)
    if problems:
        raise TenureError(f"{len(problems)} problem(s), nothing imported:\n" + "\n".join(problems[:20]))
    seen = {(c.account_id, c.renewal_date, c.call, c.called_at) for c in session.scalars(select(ForecastCall))}
    imported = skipped = 0
    for call in sorted(parsed, key=lambda c: (c.called_at, c.account_id)):
        key = (call.account_id, call.renewal_date, call.call, call.called_at)
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        before = _current(session, call.account_id, call.renewal_date, made_before=call.called_at)
        session.add(call)
        session.flush()
        session.add(_timeline(call, actor, was=before.call if before is not None else None))
        imported += 1
    return imported, skipped


def open_work(session: Session, *, as_of: dt.date) -> pd.DataFrame:
    """Per account with open work at the end of `as_of` (WORK_COLUMNS): open CTAs, open risk CTAs, open
    escalations, and the next step — the open task due first among its open CTAs."""
    moment = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    ctas = [c for c in session.scalars(select(Cta).where(Cta.opened_at < moment).options(selectinload(Cta.tasks)))
            if c.closed_at is None or c.closed_at >= moment]
    escalations = [e for e in session.scalars(select(Escalation).where(Escalation.opened_at < moment))
                   if e.resolved_at is None or e.resolved_at >= moment]
    work: dict[str, dict] = {}

    def of(account_id: str) -> dict:
        return work.setdefault(account_id, {"account_id": account_id, "open_ctas": 0, "open_risk_ctas": 0,
                                            "open_escalations": 0, "next_step": None, "next_step_due": None,
                                            "next_step_cta": None})

    tasks: list[tuple[Task, Cta]] = []
    for cta in ctas:
        row = of(cta.account_id)
        row["open_ctas"] += 1
        row["open_risk_ctas"] += cta.kind == "risk"
        tasks.extend((t, cta) for t in cta.tasks if t.done_at is None or t.done_at >= moment)
    for escalation in escalations:
        of(escalation.account_id)["open_escalations"] += 1
    for task, cta in sorted(tasks, key=lambda pair: (pair[0].due_date, pair[1].id, pair[0].position)):
        row = work[cta.account_id]
        if row["next_step"] is None:
            row.update(next_step=task.title, next_step_due=task.due_date, next_step_cta=cta.id)
    return pd.DataFrame(list(work.values()), columns=WORK_COLUMNS)


def _current(session: Session, account_id: str, renewal_date: dt.date,
             made_before: dt.datetime | None = None) -> ForecastCall | None:
    query = select(ForecastCall).where(ForecastCall.account_id == account_id,
                                       ForecastCall.renewal_date == renewal_date)
    if made_before is not None:
        query = query.where(ForecastCall.called_at <= made_before)
    return session.scalars(query.order_by(ForecastCall.called_at.desc(), ForecastCall.id.desc()).limit(1)).first()


def _timeline(call: ForecastCall, actor: str, *, was: str | None) -> TimelineEntry:
    change = f" (was {was})" if was is not None and was != call.call else " (unchanged)" if was else ""
    text = (f"Forecast call on the renewal of {call.renewal_date} ({call.arr:,.0f} ARR): {call.call}{change}"
            + (f" by {call.owner_person_id}" if call.owner_person_id else "") + (f": {call.note}" if call.note else ""))
    return TimelineEntry(account_id=call.account_id, kind="forecast_call", text=text, author=actor,
                         occurred_at=call.called_at)


def _parse(row: dict, line: int, source: str, known: set[str]) -> ForecastCall | list[str]:
    """One import row as an unsaved call, or its problems."""
    problems = []

    def problem(column: str, value, rule: str) -> None:
        problems.append(f"{source}, row {line}, column {column}, value {value!r}: {rule}")

    account = str(row.get("account_id") or "").strip()
    if account not in known:
        problem("account_id", account, "unknown account")
    call = str(row.get("call") or "").strip()
    if call not in FORECAST_CALLS:
        problem("call", call, f"not one of {', '.join(FORECAST_CALLS)}")
    renewal = _date(row.get("renewal_date"))
    if renewal is None:
        problem("renewal_date", row.get("renewal_date"), "not an ISO date (YYYY-MM-DD)")
    called = _moment(row.get("called_at"))
    if called is None:
        problem("called_at", row.get("called_at"), "not an ISO date or timestamp")
    if renewal is not None and called is not None and called.date() >= renewal:
        problem("called_at", row.get("called_at"), f"a call is made before its renewal date {renewal}")
    try:
        arr = float(str(row.get("arr")).strip())
        if not arr >= 0:
            raise ValueError
    except ValueError:
        problem("arr", row.get("arr"), "not a number of at least 0")
        arr = 0.0
    if problems:
        return problems
    owner = str(row.get("owner_person_id") or "").strip() or None
    note = str(row.get("note") or "").strip() or None
    return ForecastCall(account_id=account, renewal_date=renewal, call=call, arr=arr, owner_person_id=owner,
                        note=note, called_at=called)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _moment(value) -> dt.datetime | None:
    text = str(value).strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
