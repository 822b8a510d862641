"""Signing in: password hashes, browser sessions and API tokens, kept so a stolen database reveals no secret.

Passwords are hashed with argon2id (argon2-cffi's defaults, the OWASP recommendation); browser
sessions and API tokens are random 256-bit values of which only the SHA-256 is stored, so
they cannot be replayed from a copy of the store. The web layer calls these; nothing here
knows about HTTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select

from tenure.errors import NotFound, TenureError
from tenure.workflow.models import ApiToken, User, WebSession, utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

MIN_PASSWORD = 10
SESSION_HOURS = 12
_HASHER = PasswordHasher()
# verifying against this when the email is unknown keeps the time of a failed sign-in the same
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_password(session: Session, email: str, password: str) -> User:
    """Hash and store a user's password (at least MIN_PASSWORD characters); signs out their browsers."""
    if len(password) < MIN_PASSWORD:
        raise TenureError(f"a password needs at least {MIN_PASSWORD} characters")
    user = user_by_email(session, email)
    user.password_hash = _HASHER.hash(password)
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    return user


def user_by_email(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


def check_password(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None (the same for every kind of failure)."""
    user = session.scalar(select(User).where(User.email == email.strip()))
    if user is None or not user.active or not user.password_hash:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
    return user


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def open_session(session: Session, user: User, *, hours: int = SESSION_HOURS) -> tuple[str, WebSession]:
    """A new browser session: returns the cookie token (kept nowhere) and the stored row with its CSRF token."""
    token = secrets.token_urlsafe(32)
    row = WebSession(user_id=user.id, token_hash=digest(token), csrf_token=secrets.token_urlsafe(32),
                     expires_at=utcnow() + dt.timedelta(hours=hours))
    session.add(row)
    session.execute(delete(WebSession).where(WebSession.expires_at < utcnow()))
    return token, row


def session_of(session: Session, token: str) -> tuple[User, WebSession] | None:
    """The signed-in user of a cookie token, while the session is unexpired and the user active."""
    row = session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if row is None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    return (user, row) if user is not None and user.active else None


def close_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == digest(token)))


def issue_token(session: Session, email: str, name: str) -> str:
    """A new API token for a user's scripts; the token itself is returned once and never stored."""
    user = user_by_email(session, email)
    if not name.strip():
        raise TenureError("an API token needs a --name saying what it is for")
    token = "tnr_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name.strip(), token_hash=digest(token)))
    return token


def token_user(session: Session, token: str) -> User | None:
    """The active user of an unrevoked API token (its last use is recorded)."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or row.last_used_at < utcnow() - dt.timedelta(hours=1):
        row.last_used_at = utcnow()  # hourly, so scripts do not fill the audit log
    return user


def revoke_token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no API token with id {token_id}")
    row.revoked_at = row.revoked_at or utcnow()
    return row
