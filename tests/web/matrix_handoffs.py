"""Authorisation cases of handoffs and success criteria, on A1 (c1's book; the AE s1 is on its account team).

csm2 (c2) has the `handoffs` permission but A1 is outside their book; a viewer has no `handoffs` permission.
"""

from web.matrix import Case, only

EDITORS = ("admin", "director", "manager", "csm", "sales")
WITH_PERMISSION = (*EDITORS, "csm2")

CASES = [
    Case("GET", "/handoffs", "/handoffs", only(WITH_PERMISSION)),
    Case("GET", "/api/v1/handoffs", "/api/v1/handoffs", only(WITH_PERMISSION)),
    Case("GET", "/handoffs/{account_id}", "/handoffs/A1", only(EDITORS)),
    Case("GET", "/api/v1/handoffs/{account_id}", "/api/v1/handoffs/A1", only(EDITORS)),
    Case("POST", "/handoffs/{account_id}", "/handoffs/A1", only(EDITORS, 303), data={"pain_point": "matrix"}),
    Case("PUT", "/api/v1/handoffs/{account_id}", "/api/v1/handoffs/A1", only(EDITORS), json={"pain_point": "matrix"}),
    Case("POST", "/handoffs/{account_id}/success-criteria", "/handoffs/A1/success-criteria", only(EDITORS, 303),
         data={"criterion": "matrix", "objective": "matrix"}),
    Case("POST", "/api/v1/accounts/{account_id}/success-criteria", "/api/v1/accounts/A1/success-criteria",
         only(EDITORS, 201), json={"criterion": "matrix", "objective": "matrix"}),
]
