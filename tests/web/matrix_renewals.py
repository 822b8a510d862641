"""Authorisation cases of the renewals page and API."""

from web.matrix import ROLES, Case, only

CASES = [
    Case("GET", "/renewals", "/renewals", only(ROLES)),
    Case("GET", "/api/v1/renewals", "/api/v1/renewals", only(ROLES)),
]
