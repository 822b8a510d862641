"""Authorisation cases of the sign-in area and user management."""

from web.matrix import ROLES, Case, only

CASES = [
    Case("GET", "/api/v1/me", "/api/v1/me", only(ROLES)),
    Case("POST", "/api/v1/me/tokens", "/api/v1/me/tokens", only(ROLES, 201), json={"name": "matrix"}),
    Case("DELETE", "/api/v1/me/tokens/{token_id}", "/api/v1/me/tokens/999999", only(ROLES, 404)),
    Case("POST", "/logout", "/logout", only(ROLES, 303)),
    Case("GET", "/api/v1/users", "/api/v1/users", only(["admin"])),
    Case("POST", "/api/v1/users", "/api/v1/users", only(["admin"], 400),
         json={"email": "new@example.com", "name": "New", "role": "boss", "password": "long enough pass"}),
    Case("PATCH", "/api/v1/users/{user_id}", "/api/v1/users/999999", only(["admin"], 404), json={"active": True}),
    Case("GET", "/users", "/users", only(["admin"])),
    Case("POST", "/users", "/users", only(["admin"], 400),
         data={"email": "x@example.com", "name": "X", "role": "boss", "password": "long enough pass"}),
]
