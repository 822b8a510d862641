"""Every route, every role: the authorisation matrix, enforced on the server.

Each request is made with the role's API token. The matrix must name every route the app
serves (pages and API), so adding a route without deciding who may use it fails here.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from fastapi.routing import APIRoute

import web
from tenure.web.app import create_app
from tenure.web.state import AppState
from tenure.workflow.credentials import issue_token
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import USERS, client_for
from web.matrix import ROLES, Case

# served without signing in: the sign-in page itself, the API's schema and docs
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/api/v1/openapi.json"), ("GET", "/api/docs"),
          ("GET", "/api/docs/oauth2-redirect")}


def all_cases() -> list[Case]:
    cases = []
    for module in pkgutil.iter_modules(web.__path__):
        if module.name.startswith("matrix_"):
            cases += importlib.import_module(f"web.{module.name}").CASES
    return cases


CASES = all_cases()


@pytest.fixture(scope="module")
def tokens(company):
    ws = Workspace.open(company)
    store = WorkflowStore.of(ws)
    with store.session() as session:
        found = {role: issue_token(session, email, "matrix") for role, (email, _p, _c) in USERS.items()}
    store.dispose()
    ws.close()
    return found


@pytest.fixture(scope="module")
def app_client(company):
    with client_for(company) as found:
        yield found


def api_routes(routes) -> list[APIRoute]:
    """Every API route, looking inside included routers (FastAPI keeps those as one route each)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            found += api_routes(route.original_router.routes)
    return found


def test_every_route_has_a_case(company):
    app = create_app(AppState.open(company))
    served = {(method, route.path) for route in api_routes(app.routes) for method in route.methods
              if method != "HEAD"}
    assert ("GET", "/api/v1/me") in served
    covered = {(case.method, case.route) for case in CASES}
    assert served - PUBLIC - covered == set(), "routes without an authorisation case"
    assert covered - served == set(), "cases of routes the app does not serve"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_each_role_gets_what_the_matrix_says(case: Case, app_client, tokens):
    got = {}
    for role in ROLES:
        response = app_client.request(case.method, case.path, json=case.json, data=case.data, params=case.params,
                                       headers={"Authorization": f"Bearer {tokens[role]}"})
        got[role] = response.status_code
    assert got == {role: case.status_for(role) for role in ROLES}


def test_without_a_token_the_api_answers_401_in_json(app_client):
    response = app_client.get("/api/v1/me")
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]


def test_a_revoked_or_unknown_token_is_refused(app_client, tokens):
    assert app_client.get("/api/v1/me", headers={"Authorization": "Bearer tnr_nope"}).status_code == 401
