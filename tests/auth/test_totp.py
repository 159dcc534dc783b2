"""The TOTP second factor (AUTH-1)."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.auth import service
from joinedup.auth.errors import SignInFailed
from joinedup.auth.models import UserSession
from joinedup.auth.rules import new_totp_secret
from joinedup.config import Settings
from tests.auth.fixtures import FakeClock, MakeUser, csrf_from, sign_in

SECRET = new_totp_secret()


def _code(clock: FakeClock, offset: int = 0) -> str:
    return str(pyotp.TOTP(SECRET).at(clock.now, counter_offset=offset))


def _enter_code(client: TestClient, code: str) -> Response:
    page = client.get("/sign-in/code?next=/account/api-tokens")
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page.text), "code": code, "next": "/account/api-tokens"}
    return client.post("/sign-in/code", data=data, follow_redirects=False)


def _sessions(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(UserSession)) or 0)


def test_auth1_totp_user_must_enter_a_code_after_the_password(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    response = sign_in(client, next_path="/account/api-tokens")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in/code?next=%2Faccount%2Fapi-tokens"
    assert "joinedup_session" not in response.cookies
    assert _sessions(session) == 0
    assert client.get("/api/v1/me").status_code == 401
    finished = _enter_code(client, _code(clock))
    assert finished.status_code == 303
    assert finished.headers["location"] == "/account/api-tokens"
    assert client.get("/api/v1/me").status_code == 200


def test_auth1_totp_accepts_one_step_either_side(
    client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    sign_in(client)
    assert _enter_code(client, _code(clock, -1)).status_code == 303
    client.cookies.clear()
    clock.advance(seconds=30)
    sign_in(client)
    assert _enter_code(client, _code(clock, +2)).status_code == 400


def test_auth1_wrong_codes_fail_and_wear_out_the_challenge(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    sign_in(client)
    for _ in range(3):
        wrong = _enter_code(client, "000000" if _code(clock) != "000000" else "111111")
        assert wrong.status_code == 400
        assert "Enter the correct security code" in wrong.text
    worn_out = _enter_code(client, _code(clock))
    assert worn_out.status_code == 400
    assert "timed out" in worn_out.text
    assert _sessions(session) == 0


def test_auth1_a_used_code_cannot_be_replayed(
    client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    sign_in(client)
    code = _code(clock)
    assert _enter_code(client, code).status_code == 303
    client.cookies.clear()
    clock.advance(seconds=5)
    sign_in(client)
    assert _enter_code(client, code).status_code == 400


def test_auth1_challenge_expires_after_five_minutes(
    client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    sign_in(client)
    clock.advance(minutes=5, seconds=1)
    assert "timed out" in _enter_code(client, _code(clock)).text


def test_auth1_code_page_without_a_challenge_goes_to_sign_in(client: TestClient) -> None:
    response = client.get("/sign-in/code", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"


def test_auth1_wrong_codes_count_towards_throttling(
    client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    for _ in range(2):
        sign_in(client)
        for _ in range(3):
            _enter_code(client, "000000" if _code(clock) != "000000" else "111111")
    assert sign_in(client).status_code == 429


def test_auth1_sign_in_service_takes_the_code_in_one_call(
    session: Session, settings: Settings, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user(totp_secret=SECRET)
    kwargs = {
        "username": "alex.morgan",
        "password": "correct horse battery staple",
        "ip": "10.0.0.1",
    }
    pending = service.sign_in(session=session, settings=settings, **kwargs)
    assert pending.needs_totp and pending.session_token is None
    with pytest.raises(SignInFailed):
        service.sign_in(session=session, settings=settings, totp_code="12345", **kwargs)
    done = service.sign_in(session=session, settings=settings, totp_code=_code(clock), **kwargs)
    assert done.session_token is not None and not done.needs_totp
