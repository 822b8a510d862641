"""Authorisation cases of the director dashboard: company-wide figures; CSMs and sales users are sent to their book."""

from web.matrix import COMPANY, Case, only

CASES = [
    Case("GET", "/", "/", {**only(COMPANY), **only(["csm", "csm2", "sales"], 303)}),
    Case("GET", "/api/v1/dashboard", "/api/v1/dashboard", only(COMPANY)),
]
