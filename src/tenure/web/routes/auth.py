"""Signing in and out, and the signed-in user's own profile and API tokens."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from tenure.web.access import Principal
from tenure.web.deps import SESSION_COOKIE, allow, current_principal, state
from tenure.web.pages import render
from tenure.workflow.credentials import (
    SESSION_HOURS,
    check_password,
    close_session,
    issue_token,
    open_session,
    revoke_token,
)
from tenure.workflow.models import ApiToken

router = APIRouter()
LOGIN_CSRF_COOKIE = "tenure_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host): a sign-in link cannot send the user elsewhere."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _landing(principal: Principal) -> str:
    return "/" if principal.can("company") else "/book"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None):  # noqa: A002 - the query parameter's name
    principal = current_principal(request)
    if principal is not None:
        return RedirectResponse(_safe_next(next) if next else _landing(principal), status_code=303)
    return _login_form(request, next=_safe_next(next))


def _login_form(request: Request, *, next: str, error: str | None = None, email: str | None = None,  # noqa: A002
                status_code: int = 200):
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", None, status_code=status_code, login_csrf=token, next=next,
                      error=error, email=email)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=state(request).secure_cookies, max_age=3600)
    return response


@router.post("/login", include_in_schema=False)
def login(request: Request, email: str = Form(...), password: str = Form(...), csrf_token: str = Form(""),
          next: str = Form("/")):  # noqa: A002
    """Sign in: a double-submitted CSRF token, a rate limit per address and per email, a new session."""
    app = state(request)
    target = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_form(request, next=target, email=email, status_code=403,
                           error="The sign-in form expired; please try again.")
    address = f"ip:{request.client.host if request.client else 'unknown'}"
    who = f"email:{email.strip().lower()}"
    wait = request.app.state.login_limiter.retry_after(address, who)
    if wait:
        response = _login_form(request, next=target, email=email, status_code=429,
                               error=f"Too many failed sign-ins; try again in {wait // 60 + 1} minutes.")
        response.headers["Retry-After"] = str(wait)
        return response
    with app.store.session(actor=email.strip()) as session:
        user = check_password(session, email, password)
        if user is None:
            request.app.state.login_limiter.failed(address, who)
            failure = True
        else:
            token, _row = open_session(session, user)
            landing = target if next and next != "/" else ("/" if user.role in ("admin", "director", "manager",
                                                                                  "viewer") else "/book")
            failure = False
    if failure:
        return _login_form(request, next=target, email=email, status_code=401,
                           error="That email and password do not match an active user.")
    request.app.state.login_limiter.succeeded(who)
    response = RedirectResponse(landing, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=app.secure_cookies,
                        max_age=SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, principal: Principal = Depends(allow("self"))):
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with state(request).store.session(actor=principal.email) as session:
            close_session(session, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


class Me(BaseModel):
    email: str
    name: str
    role: str
    person_id: str | None
    cleared_restricted: bool
    permissions: list[str]


@router.get("/api/v1/me", response_model=Me, tags=["users"])
def me(principal: Principal = Depends(allow("self"))) -> Me:
    """Who the token or session belongs to, and what they may do."""
    from tenure.web.access import ROLE_PERMISSIONS

    return Me(email=principal.email, name=principal.name, role=principal.role, person_id=principal.person_id,
              cleared_restricted=principal.cleared_restricted,
              permissions=sorted(ROLE_PERMISSIONS.get(principal.role, ())))


class TokenRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="What the token is for (a script's name).")


class IssuedToken(BaseModel):
    id: int
    name: str
    token: str = Field(description="Shown once: tenure keeps only its hash.")


@router.post("/api/v1/me/tokens", response_model=IssuedToken, status_code=201, tags=["users"])
def create_token(request: Request, body: TokenRequest, principal: Principal = Depends(allow("self"))) -> IssuedToken:
    """A new API token for your scripts; copy it now, it is never shown again."""
    with state(request).store.session(actor=principal.email) as session:
        token = issue_token(session, principal.email, body.name)
        session.flush()
        row = session.scalar(select(ApiToken).where(ApiToken.user_id == principal.user_id)
                             .order_by(ApiToken.id.desc()))
        return IssuedToken(id=row.id, name=row.name, token=token)


@router.delete("/api/v1/me/tokens/{token_id}", status_code=204, tags=["users"])
def delete_token(request: Request, token_id: int, principal: Principal = Depends(allow("self"))) -> None:
    """Revoke one of your API tokens."""
    with state(request).store.session(actor=principal.email) as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != principal.user_id:
            raise HTTPException(404, f"you have no API token with id {token_id}")
        revoke_token(session, token_id)
