"""Signing in and the protections around it: hashed secrets, cookies, CSRF, rate limits, redirects."""

from __future__ import annotations

import json

from sqlalchemy import select

from tenure.workflow.models import AuditEntry, User, WebSession
from tenure.workflow.store import WorkflowStore
from tenure.workspace import Workspace
from web.company import PASSWORD, USERS, csrf_of


def _login_token(client) -> str:
    return client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]


def _store(company) -> WorkflowStore:
    return WorkflowStore.of(Workspace.open(company))


def test_a_page_without_a_session_sends_the_user_to_sign_in_and_back(client):
    response = client.get("/users?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/users%3Fx%3D1"


def test_the_session_cookie_is_httponly_secure_and_samesite(client):
    response = client.post("/login", data={"email": USERS["director"][0], "password": PASSWORD,
                                           "csrf_token": _login_token(client), "next": "/"})
    assert response.status_code == 303
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "tenure_session=" in v)
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie


def test_a_wrong_password_signs_nobody_in(client):
    response = client.post("/login", data={"email": USERS["csm"][0], "password": "wrong password",
                                           "csrf_token": _login_token(client), "next": "/"})
    assert response.status_code == 401
    assert "do not match" in response.text
    assert "tenure_session" not in client.cookies


def test_the_login_form_needs_its_csrf_token(client):
    client.get("/login")
    response = client.post("/login", data={"email": USERS["csm"][0], "password": PASSWORD, "csrf_token": "forged",
                                           "next": "/"})
    assert response.status_code == 403
    assert "tenure_session" not in client.cookies


def test_failed_sign_ins_are_rate_limited_per_email(client):
    email = USERS["viewer"][0]
    statuses = [client.post("/login", data={"email": email, "password": f"guess {i}",
                                            "csrf_token": _login_token(client), "next": "/"}).status_code
                for i in range(6)]
    assert statuses == [401] * 5 + [429]
    refused = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _login_token(client),
                                          "next": "/"})
    assert refused.status_code == 429  # even the right password waits out the window
    assert int(refused.headers["Retry-After"]) > 0


def test_sign_in_never_redirects_off_site(client):
    response = client.post("/login", data={"email": USERS["director"][0], "password": PASSWORD,
                                           "csrf_token": _login_token(client), "next": "https://evil.example/x"})
    assert response.headers["location"] == "/"


def test_a_change_from_a_browser_session_needs_the_csrf_token(as_role):
    client = as_role("csm")
    refused = client.post("/api/v1/me/tokens", json={"name": "script"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    accepted = client.post("/api/v1/me/tokens", json={"name": "script"}, headers={"X-CSRF-Token": csrf_of(client)})
    assert accepted.status_code == 201
    token = accepted.json()["token"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "csm"


def test_signing_out_ends_the_session_on_the_server(as_role):
    client = as_role("director")
    cookie = client.cookies.get("tenure_session")
    assert client.post("/logout", data={"csrf_token": csrf_of(client)}).status_code == 303
    client.cookies.clear()
    client.cookies.set("tenure_session", cookie)  # the old cookie, replayed
    assert client.get("/api/v1/me").status_code == 401


def test_secrets_are_hashed_and_never_in_the_audit_log(company, as_role):
    client = as_role("admin")
    issued = client.post("/api/v1/me/tokens", json={"name": "audit check"},
                         headers={"X-CSRF-Token": csrf_of(client)}).json()["token"]
    store = _store(company)
    with store.session() as session:
        user = session.scalar(select(User).where(User.email == USERS["admin"][0]))
        assert user.password_hash.startswith("$argon2id$")
        audit = json.dumps([[e.before, e.after] for e in session.scalars(select(AuditEntry))])
        sessions = [s.token_hash for s in session.scalars(select(WebSession))]
    store.dispose()
    assert PASSWORD not in audit and issued not in audit and user.password_hash not in audit
    assert not any(hashed in audit for hashed in sessions)
    assert "(secret)" in audit


def test_an_admin_adds_a_user_who_can_then_sign_in(as_role, client):
    admin = as_role("admin")
    created = admin.post("/api/v1/users", json={"email": "new.csm@example.com", "name": "New CSM", "role": "csm",
                                                "person_id": "c3", "password": "a fine long password"},
                         headers={"X-CSRF-Token": csrf_of(admin)})
    assert created.status_code == 201, created.text
    assert created.json()["can_sign_in"] is True
    signed = client.post("/login", data={"email": "new.csm@example.com", "password": "a fine long password",
                                         "csrf_token": _login_token(client), "next": "/"})
    assert signed.status_code == 303
    assert client.get("/api/v1/me").json()["person_id"] == "c3"


def test_an_unknown_person_or_short_password_is_a_clear_error(as_role):
    admin = as_role("admin")
    unknown = admin.post("/api/v1/users", json={"email": "who@example.com", "name": "Who", "role": "csm",
                                                "person_id": "nobody", "password": "a fine long password"},
                         headers={"X-CSRF-Token": csrf_of(admin)})
    assert unknown.status_code == 400
    assert "nobody" in unknown.json()["error"]["message"]
    short = admin.post("/api/v1/users", json={"email": "who@example.com", "name": "Who", "role": "viewer",
                                              "password": "short"}, headers={"X-CSRF-Token": csrf_of(admin)})
    assert short.status_code == 422
    assert "password" in short.json()["error"]["message"]


def test_a_deactivated_user_is_signed_out_everywhere(company, as_role):
    csm = as_role("csm2")
    token = csm.post("/api/v1/me/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf_of(csm)}).json()["token"]
    admin = as_role("admin")
    users = admin.get("/api/v1/users").json()
    target = next(u for u in users if u["email"] == USERS["csm2"][0])
    changed = admin.patch(f"/api/v1/users/{target['id']}", json={"active": False},
                          headers={"X-CSRF-Token": csrf_of(admin)})
    assert changed.status_code == 200
    assert csm.get("/api/v1/me").status_code == 401
    assert csm.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    admin.patch(f"/api/v1/users/{target['id']}", json={"active": True}, headers={"X-CSRF-Token": csrf_of(admin)})


def test_pages_carry_the_security_headers(client):
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
