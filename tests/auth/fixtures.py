"""Fixtures and helpers shared by the auth and access tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from joinedup.auth import service
from joinedup.common import clock as clock_module
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrgKind, Role, UserIn

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeClock:
    """A clock the tests move by hand; patched in for ``joinedup.common.clock.utc_now``."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Freeze the time the auth code reads; ``clock.advance(minutes=16)`` moves it."""
    fake = FakeClock()
    monkeypatch.setattr(clock_module, "utc_now", fake)
    return fake


@pytest.fixture
def org(session: Session) -> Organisation:
    """A police force."""
    organisation = Organisation(name="Surrey Police", kind=OrgKind.POLICE)
    session.add(organisation)
    session.commit()
    return organisation


MakeUser = Callable[..., User]


@pytest.fixture
def make_user(session: Session, org: Organisation) -> MakeUser:
    """Create users through ``auth.service.create_user`` (password hashed, audited)."""

    def make(
        username: str = "alex.morgan",
        *,
        role: Role = Role.PRACTITIONER,
        password: str = PASSWORD,
        totp_secret: str | None = None,
    ) -> User:
        user_in = UserIn(
            username=username,
            display_name="Alex Morgan",
            organisation_id=org.id,
            role=role,
            password=password,
        )
        return service.create_user(
            session=session, actor=None, user_in=user_in, totp_secret=totp_secret
        )

    return make


def csrf_from(html: str) -> str:
    """The CSRF token a page embeds in its forms."""
    match = _CSRF.search(html)
    assert match, "page has no csrf_token field"
    return match.group(1)


def sign_in(
    client: TestClient,
    username: str = "alex.morgan",
    password: str = PASSWORD,
    next_path: str = "/",
) -> Response:
    """Fill in and post the sign-in form (without following the redirect)."""
    token = csrf_from(client.get("/sign-in").text)
    data = {"csrf_token": token, "username": username, "password": password, "next": next_path}
    return client.post("/sign-in", data=data, follow_redirects=False)


def signed_in(client: TestClient, username: str = "alex.morgan") -> str:
    """Sign in and return the session cookie's value."""
    response = sign_in(client, username)
    assert response.status_code == 303, response.text
    return client.cookies["joinedup_session"]


def post_form(client: TestClient, path: str, data: dict[str, str], page: str) -> Response:
    """Post a form with the CSRF token taken from ``page``."""
    token = csrf_from(client.get(page).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
