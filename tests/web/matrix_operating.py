"""Authorisation cases of the operating model: company-wide figures, for the roles that read them."""

from web.matrix import COMPANY, Case, only

CASES = [
    Case("GET", "/operating", "/operating", only(COMPANY)),
    Case("GET", "/api/v1/operating/segments", "/api/v1/operating/segments", only(COMPANY)),
    Case("GET", "/api/v1/operating/coverage", "/api/v1/operating/coverage", only(COMPANY)),
    Case("GET", "/api/v1/operating/capacity", "/api/v1/operating/capacity", only(COMPANY),
         params={"arr_growth": "0.3"}),
]
