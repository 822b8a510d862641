"""Authorisation cases of the accounts area: the list (everyone, cut to their scope), the account 360 and its charts
(A1: c1's account, on the manager's team and the AE's account team; not csm2's), and the changes (the `write`
permission and the account in scope).

The changes are made for real on the matrix's company (notes and CTAs on A1): each allowed role adds one.
"""

import datetime as dt

from web.matrix import ROLES, Case, only

SEE_A1 = [role for role in ROLES if role != "csm2"]
WRITE_A1 = ["admin", "director", "manager", "csm"]
DUE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
CTA = {"title": "Matrix check-in", "kind": "risk", "priority": "high", "due_date": DUE}

CASES = [
    Case("GET", "/accounts", "/accounts", only(ROLES)),
    Case("GET", "/api/v1/accounts", "/api/v1/accounts", only(ROLES)),
    Case("GET", "/accounts/{account_id}", "/accounts/A1", only(SEE_A1)),
    Case("GET", "/api/v1/accounts/{account_id}", "/api/v1/accounts/A1", only(SEE_A1)),
    Case("GET", "/accounts/{account_id}/charts/{name}.svg", "/accounts/A1/charts/arr.svg", only(SEE_A1)),
    Case("POST", "/accounts/{account_id}/notes", "/accounts/A1/notes", only(WRITE_A1, 303), data={"text": "matrix"}),
    Case("POST", "/accounts/{account_id}/ctas", "/accounts/A1/ctas", only(WRITE_A1, 303), data=CTA),
    Case("POST", "/accounts/{account_id}/ctas/{cta_id}/close", "/accounts/A1/ctas/999999/close",
         only(WRITE_A1, 404), data={"note": "matrix"}),
    Case("POST", "/api/v1/accounts/{account_id}/notes", "/api/v1/accounts/A1/notes", only(WRITE_A1, 201),
         json={"text": "matrix"}),
    Case("POST", "/api/v1/accounts/{account_id}/ctas", "/api/v1/accounts/A1/ctas", only(WRITE_A1, 201), json=CTA),
    # an unknown CTA: a whole-company user learns it does not exist; anyone else gets the answer for a CTA
    # outside their scope, so ids cannot be probed
    Case("POST", "/api/v1/ctas/{cta_id}/close", "/api/v1/ctas/999999/close", only(["admin", "director"], 404),
         json={"note": "matrix"}),
]
