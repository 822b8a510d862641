"""One small company per test module; each test gets its own app and clients over it."""

from __future__ import annotations

import pytest

from web.company import build_company, client_for, shared_app, sign_in


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    return build_company(tmp_path_factory.mktemp("company"))


@pytest.fixture
def client(company):
    with client_for(company) as found:
        yield found


@pytest.fixture
def as_role(company):
    """`as_role("csm")`: a client signed in as that role's user."""
    opened = []

    def make(role: str):
        found = client_for(company)
        opened.append(found)
        return sign_in(found, role)

    yield make
    for found in opened:
        found.close()


@pytest.fixture(scope="module")
def signed_in(company):
    """`signed_in(role)`: a client signed in as that role, all over one app shared by the module, so the
    company-wide results the app caches are built once per module."""
    with shared_app(company) as make:
        yield make
