"""Authorisation cases of the renewal and expansion desk: company roles only."""

from web.matrix import COMPANY, Case, only

CASES = [
    Case("GET", "/desk", "/desk", only(COMPANY)),
    Case("GET", "/api/v1/desk/{view}", "/api/v1/desk/renewals", only(COMPANY)),
]
