"""The FastAPI application: pages and the REST API over one workspace, secured in one place.

`create_app` wires the routers (one module per area), the static assets shipped in the package
(no CDN: the app works without internet), the security headers, and the translation of errors:
JSON `{"error": {"status", "message"}}` under `/api/`, a page elsewhere, a redirect to the
sign-in page for a page requested without a session.
"""

from __future__ import annotations

import importlib
import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tenure import __version__
from tenure.errors import Forbidden, NotFound, TenureError
from tenure.web.deps import SignInRequired, current_principal
from tenure.web.pages import render
from tenure.web.ratelimit import LoginLimiter
from tenure.web.state import AppState

# the areas of the app, each a module of tenure.web.routes with a `router`
AREAS = ("auth", "users", "dashboard", "accounts", "book", "renewals", "ctas", "handoffs", "operating", "feedback",
         "desk", "reports")
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
TITLES = {400: "That did not work", 401: "Sign in first", 403: "Not allowed", 404: "Not found",
          405: "Not allowed", 422: "Check the form", 429: "Too many attempts"}


def create_app(app_state: AppState, *, warm: bool = False) -> FastAPI:
    """The app over `app_state`; with `warm`, the company-wide results are computed as the server starts."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if warm:
            threading.Thread(target=warm_up, args=(app_state,), name="tenure-warm-up", daemon=True).start()
        yield

    app = FastAPI(title="tenure", version=__version__, docs_url="/api/docs", redoc_url=None, lifespan=lifespan,
                  openapi_url="/api/v1/openapi.json",
                  description="The customer success platform's REST API. Sign in with an API token: "
                              "`Authorization: Bearer <token>` (`tenure users token EMAIL --name NAME`).")
    app.state.tenure = app_state
    app.state.login_limiter = LoginLimiter()
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")
    for area in AREAS:
        app.include_router(importlib.import_module(f"tenure.web.routes.{area}").router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") or "text/html" in response.headers.get("content-type", ""):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(SignInRequired)
    async def sign_in(request: Request, _exc: SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                             for e in exc.errors())
        return _error(request, 422, f"invalid request: {problems}")

    @app.exception_handler(TenureError)
    async def tenure_error(request: Request, exc: TenureError):
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
        return _error(request, status, str(exc))

    return app


def warm_up(app_state: AppState) -> None:
    """Build what the first visitors would otherwise wait for: the directory, the accounts list, the
    frames account pages are cut from, and the dashboard (a minute on a large company)."""
    from tenure.web.deps import directory_of
    from tenure.web.routes.accounts import account_frames_of, account_list_of
    from tenure.web.routes.dashboard import figures_of

    for build in (directory_of, account_list_of, account_frames_of, figures_of):
        try:
            build(app_state)
        except Exception as exc:  # a page shows the same problem as a clear error when it is opened
            logging.getLogger("tenure.web").warning("warming up %s failed: %s", build.__name__, exc)


def _error(request: Request, status: int, message: str, headers: dict | None = None):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "message": message}}, status_code=status, headers=headers)
    principal = current_principal(request)
    return render(request, "error.html", principal, status_code=status, status=status,
                  heading=TITLES.get(status, "Something went wrong"), message=message)

