"""Managing users (admins only): who may sign in, with which role, book and clearance."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from tenure.web.access import Principal
from tenure.web.deps import allow, state
from tenure.web.pages import render
from tenure.workflow.credentials import set_password
from tenure.workflow.models import ROLES, User
from tenure.workflow.users import add_user

router = APIRouter()


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    person_id: str | None
    active: bool
    cleared_restricted: bool
    can_sign_in: bool


class NewUser(BaseModel):
    email: str
    name: str = Field(min_length=1)
    role: str = Field(description=", ".join(ROLES))
    person_id: str | None = None
    password: str = Field(min_length=10, description="The first password (at least 10 characters).")
    cleared_restricted: bool = False


class UserChange(BaseModel):
    role: str | None = None
    active: bool | None = None
    cleared_restricted: bool | None = None
    password: str | None = Field(None, min_length=10)


def _out(user: User) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, role=user.role, person_id=user.person_id,
                   active=user.active, cleared_restricted=bool(user.cleared_restricted),
                   can_sign_in=bool(user.password_hash))


def _people(request: Request) -> set[str] | None:
    ws = state(request).ws
    team = ws.warehouse.table("team")
    if team is None:
        return None
    return state(request).query(lambda: set(ws.warehouse.execute(team.select("person_id"))["person_id"]))


def _create(request: Request, principal: Principal, body: NewUser) -> UserOut:
    people = _people(request)
    with state(request).store.session(actor=principal.email) as session:
        user = add_user(session, email=body.email.strip(), name=body.name.strip(), role=body.role,
                        person_id=body.person_id or None, known_people=people,
                        cleared_restricted=body.cleared_restricted)
        session.flush()
        set_password(session, user.email, body.password)
        return _out(user)


@router.get("/api/v1/users", response_model=list[UserOut], tags=["users"])
def list_users(request: Request, principal: Principal = Depends(allow("users"))) -> list[UserOut]:
    """Every user, with role, team person, clearance and whether they can sign in."""
    with state(request).store.session(actor=principal.email) as session:
        return [_out(u) for u in session.scalars(select(User).order_by(User.email))]


@router.post("/api/v1/users", response_model=UserOut, status_code=201, tags=["users"])
def create_user(request: Request, body: NewUser, principal: Principal = Depends(allow("users"))) -> UserOut:
    """Add a user with a first password."""
    return _create(request, principal, body)


@router.patch("/api/v1/users/{user_id}", response_model=UserOut, tags=["users"])
def change_user(request: Request, user_id: int, body: UserChange,
                principal: Principal = Depends(allow("users"))) -> UserOut:
    """Change a user's role, clearance or password, or deactivate them (they are signed out)."""
    if body.role is not None and body.role not in ROLES:
        raise HTTPException(400, f"role must be one of {', '.join(ROLES)}, not {body.role!r}")
    with state(request).store.session(actor=principal.email) as session:
        user = session.get(User, user_id)
        if user is None:
            raise HTTPException(404, f"no user with id {user_id}")
        if user.id == principal.user_id and (body.active is False or (body.role and body.role != "admin")):
            raise HTTPException(400, "you cannot deactivate yourself or take away your own admin role")
        for name in ("role", "active", "cleared_restricted"):
            if getattr(body, name) is not None:
                setattr(user, name, getattr(body, name))
        if body.password is not None or body.active is False:
            set_password(session, user.email, body.password) if body.password else None
        if body.active is False:
            from sqlalchemy import delete

            from tenure.workflow.models import WebSession

            session.execute(delete(WebSession).where(WebSession.user_id == user.id))
        return _out(user)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, principal: Principal = Depends(allow("users")), added: str | None = None):
    users = list_users(request, principal)
    return render(request, "users.html", principal, users=users, roles=ROLES, added=added, error=None)


@router.post("/users", include_in_schema=False)
def users_add(request: Request, principal: Principal = Depends(allow("users")), email: str = Form(...),
              name: str = Form(...), role: str = Form(...), person_id: str = Form(""), password: str = Form(...),
              cleared_restricted: bool = Form(False)):
    from pydantic import ValidationError

    from tenure.errors import TenureError

    try:
        body = NewUser(email=email, name=name, role=role, person_id=person_id or None, password=password,
                       cleared_restricted=cleared_restricted)
        user = _create(request, principal, body)
    except (ValidationError, TenureError) as exc:
        message = "; ".join(e["msg"] for e in exc.errors()) if isinstance(exc, ValidationError) else str(exc)
        return render(request, "users.html", principal, status_code=400, users=list_users(request, principal),
                      roles=ROLES, added=None, error=message)
    return RedirectResponse(f"/users?added={user.email}", status_code=303)
