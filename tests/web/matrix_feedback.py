"""Authorisation cases of product feedback: company roles read it; directors, managers and admins move requests."""

from web.matrix import COMPANY, Case, only

MOVERS = ("admin", "director", "manager")  # the `assign` permission

CASES = [
    Case("GET", "/feedback", "/feedback", only(COMPANY)),
    Case("GET", "/api/v1/feedback", "/api/v1/feedback", only(COMPANY)),
    Case("PATCH", "/api/v1/feedback/requests/{request_id}", "/api/v1/feedback/requests/999999", only(MOVERS, 404),
         json={"status": "planned"}),
    Case("POST", "/feedback/requests/{request_id}/status", "/feedback/requests/999999/status", only(MOVERS, 404),
         data={"status": "planned"}),
]
