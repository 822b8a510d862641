"""Users of the workflow store: who they are, their role, and the team person they are."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from tenure.errors import TenureError
from tenure.workflow.models import ROLES, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def add_user(session: Session, *, email: str, name: str, role: str, person_id: str | None = None,
             known_people: set[str] | None = None, cleared_restricted: bool = False) -> User:
    """Add a user; the email must be new, the role known, the person (if given) in the loaded team."""
    if not EMAIL.match(email):
        raise TenureError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise TenureError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role in ("csm", "manager", "sales") and person_id is None:
        raise TenureError(f"a {role} needs --person, the team person_id whose book they work")
    if person_id is not None and known_people is not None and person_id not in known_people:
        raise TenureError(f"--person {person_id!r} is not in the loaded team table")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise TenureError(f"a user with email {email!r} already exists")
    user = User(email=email, name=name, role=role, person_id=person_id, cleared_restricted=cleared_restricted)
    session.add(user)
    return user
