"""One account's scope (`may_see`) and the list's scope (`scope`) follow the same rule, for every role."""

from __future__ import annotations

import pandas as pd
import pytest

from tenure.web.access import Directory, Principal, may_see, scope

DIRECTORY = Directory(
    accounts=pd.DataFrame({"account_id": ["A1", "A2", "A3", "A4", "A5"], "name": ["a", "b", "c", "d", "e"],
                           "owner": ["c1", "c1", "c2", None, "c1"],
                           "restricted": [False, False, False, False, True]}),
    reports_to={"c1": "m1", "c2": "m1"}, sales_people={"A1": frozenset({"s1"}), "A4": frozenset({"s2"})}, names={})
PEOPLE = {"admin": None, "director": None, "viewer": None, "manager": "m1", "csm": "c1", "sales": "s1"}
EXPECTED = {"admin": {"A1", "A2", "A3", "A4"}, "director": {"A1", "A2", "A3", "A4"}, "viewer": {"A1", "A2", "A3", "A4"},
            "manager": {"A1", "A2", "A3"}, "csm": {"A1", "A2"}, "sales": {"A1"}}


@pytest.mark.parametrize("cleared", [False, True])
@pytest.mark.parametrize("role", sorted(PEOPLE))
def test_one_account_and_the_list_agree(role, cleared):
    principal = Principal(1, "x@example.com", "X", role, PEOPLE[role], cleared)
    listed = set(scope(principal, DIRECTORY)["account_id"])
    expected = EXPECTED[role] | ({"A5"} if cleared and role in ("admin", "director", "viewer", "manager", "csm")
                                 else set())
    assert listed == expected
    assert {a for a in DIRECTORY.accounts["account_id"] if may_see(principal, DIRECTORY, a)} == listed
    assert not may_see(principal, DIRECTORY, "unknown")


def test_a_user_without_a_team_person_sees_no_book():
    principal = Principal(1, "x@example.com", "X", "csm", None, True)
    assert scope(principal, DIRECTORY).empty
    assert not may_see(principal, DIRECTORY, "A1")
