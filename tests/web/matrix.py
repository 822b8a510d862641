"""The authorisation matrix's vocabulary: one `Case` per route, what each role's request must get back.

Each area of the app lists its cases in `tests/web/matrix_<area>.py` as `CASES`; the test in
test_authorisation.py requires a case for every route the app serves, so a new route without an
entry fails the suite. Requests are made with each role's API token (see company.USERS):
`expect` maps a role to the status it must get; roles not named must get `default`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("admin", "director", "manager", "csm", "csm2", "sales", "viewer")
COMPANY = ("admin", "director", "manager", "viewer")  # roles with the `company` permission


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the route's path as the app declares it, e.g. /api/v1/accounts/{account_id}
    path: str  # the path requested, with its parameters filled in
    expect: dict[str, int]
    default: int = 403
    json: dict | None = None
    data: dict | None = None
    params: dict = field(default_factory=dict)

    def status_for(self, role: str) -> int:
        return self.expect.get(role, self.default)


def only(roles, status: int = 200) -> dict[str, int]:
    """`status` for these roles (every other role gets the case's default, 403)."""
    return dict.fromkeys(roles, status)
