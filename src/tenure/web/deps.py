"""What every route depends on: the app state, the signed-in user, their permission, CSRF and scope.

A route declares its permission with `Depends(allow("write"))`; the dependency signs the user
in (an API token in `Authorization: Bearer`, or the session cookie), refuses a user without
the permission (403), and, for a change made from a browser session, refuses a request whose
CSRF token (form field `csrf_token` or header `X-CSRF-Token`) is not the session's. API-token
requests carry no cookie, so they cannot be forged cross-site and need no CSRF token.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from fastapi import HTTPException, Request

from tenure.web.access import WHOLE_COMPANY, Directory, Principal, may_change, may_see, scope
from tenure.web.directory import build_directory
from tenure.web.state import AppState
from tenure.workflow.credentials import session_of, token_user

SESSION_COOKIE = "tenure_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """Raised for a page request without a session: the app redirects it to the sign-in page."""


def state(request: Request) -> AppState:
    return request.app.state.tenure


def current_principal(request: Request) -> Principal | None:
    """The user of this request, or None: from an API token, else from the session cookie."""
    if "principal" in request.scope:
        return request.scope["principal"]
    app = state(request)
    found = None
    header = request.headers.get("authorization", "")
    with app.store.session() as session:
        if header.lower().startswith("bearer "):
            user = token_user(session, header[7:].strip())
            if user is not None:
                found = _principal(user, None)
        elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
            signed_in = session_of(session, cookie)
            if signed_in is not None:
                found = _principal(*signed_in)
    request.scope["principal"] = found
    return found


def _principal(user, web_session) -> Principal:
    return Principal(user_id=user.id, email=user.email, name=user.name, role=user.role, person_id=user.person_id,
                     cleared_restricted=bool(user.cleared_restricted),
                     csrf_token=web_session.csrf_token if web_session is not None else None)


def allow(permission: str) -> Callable:
    """A dependency: the signed-in user, who must hold `permission` (and a valid CSRF token for changes)."""

    async def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            if request.url.path.startswith("/api/"):
                raise HTTPException(401, "sign in first: send an API token as 'Authorization: Bearer <token>'")
            raise SignInRequired()
        if request.method not in SAFE_METHODS and principal.csrf_token is not None:
            await _check_csrf(request, principal.csrf_token)
        if not principal.can(permission):
            raise HTTPException(403, f"a {principal.role} may not do this (it needs the '{permission}' permission)")
        return principal

    dependency.permission = permission  # read by the authorisation-matrix test
    return dependency


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")


def directory(request: Request) -> Directory:
    return directory_of(state(request))


def directory_of(app: AppState) -> Directory:
    return app.cached("directory", lambda: build_directory(app.ws, app.store))


def visible(principal: Principal, request: Request):
    """The accounts the user may see (account_id, name, owner, restricted)."""
    return scope(principal, directory(request))


def require_account(principal: Principal, request: Request, account_id: str, *, change: str | None = None) -> None:
    """Refuse an account outside the user's scope, with one answer whether or not it exists (nothing leaks).

    A user who sees the whole company gets a plain 404 for an unknown id; anyone else gets 403 for
    any account not in their book. `change` names the permission a change to the account needs.
    """
    found = directory(request)
    if not may_see(principal, found, account_id):
        if principal.role in WHOLE_COMPANY and (account_id not in found.index or found.index[account_id][1]):
            raise HTTPException(404, f"no account {account_id!r}")
        raise HTTPException(403, f"account {account_id!r} is not in your scope")
    if change is not None and not may_change(principal, found, account_id, change):
        raise HTTPException(403, f"a {principal.role} may not change {account_id}")
