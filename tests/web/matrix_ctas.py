"""Authorisation cases of the CTA queue and bulk assign.

Assigning an unknown CTA: a user who sees the whole company is told it does not exist (404); a
manager gets the 403 any CTA outside their scope gets, so ids reveal nothing; roles without the
`assign` permission get 403 before anything is looked up.
"""

from web.matrix import ROLES, Case, only

CASES = [
    Case("GET", "/ctas", "/ctas", only(ROLES)),
    Case("GET", "/api/v1/ctas", "/api/v1/ctas", only(ROLES)),
    Case("POST", "/ctas/assign", "/ctas/assign", only(["admin", "director"], 404),
         data={"cta_id": "999999", "owner": "c1"}),
    Case("POST", "/api/v1/ctas/assign", "/api/v1/ctas/assign", only(["admin", "director"], 404),
         json={"cta_ids": [999999], "owner": "c1"}),
]
