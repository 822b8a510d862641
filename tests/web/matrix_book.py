"""Authorisation cases of My book and Team."""

from web.matrix import COMPANY, ROLES, Case, only

CASES = [
    Case("GET", "/book", "/book", only(ROLES)),
    Case("GET", "/api/v1/book", "/api/v1/book", only(ROLES)),
    Case("GET", "/team", "/team", only(COMPANY)),  # the roles with the `team` permission
    Case("GET", "/api/v1/team", "/api/v1/team", only(COMPANY)),
]
