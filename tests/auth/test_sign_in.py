"""Signing in: generic failures, throttling, session tokens and redirects (AUTH-1, SES-1)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.auth.models import LoginAttempt, UserSession
from joinedup.common.ids import token_digest
from joinedup.config import Settings
from joinedup.main import create_app
from tests.auth.fixtures import PASSWORD, FakeClock, MakeUser, csrf_from, sign_in


def _events(session: Session, name: str) -> list[LedgerEntry]:
    session.expire_all()
    return list(session.scalars(select(LedgerEntry).where(LedgerEntry.name == name)))


def test_auth1_correct_password_opens_a_session(client: TestClient, make_user: MakeUser) -> None:
    make_user()
    response = sign_in(client, next_path="/account/api-tokens")
    assert response.status_code == 303
    assert response.headers["location"] == "/account/api-tokens"
    assert client.get("/api/v1/me").json()["display_name"] == "Alex Morgan"


def test_auth1_wrong_password_gives_generic_error_and_no_session(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user()
    response = sign_in(client, password="not the password at all")
    assert response.status_code == 400
    assert "Enter a correct user name and password" in response.text
    assert "joinedup_session" not in response.cookies
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
    assert len(_events(session, "auth.login_failed")) == 1
    assert client.get("/api/v1/me").status_code == 401


def test_auth1_unknown_user_and_closed_account_answer_like_a_wrong_password(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    wrong = sign_in(client, password="not the password at all")
    unknown = sign_in(client, username="nobody.here")
    user.active = False
    session.commit()
    closed = sign_in(client)
    assert wrong.status_code == unknown.status_code == closed.status_code == 400
    message = "Enter a correct user name and password"
    assert all(message in r.text for r in (wrong, unknown, closed))
    assert "joinedup_session" not in closed.cookies


def test_auth1_seventh_attempt_in_60_seconds_is_throttled(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    for _ in range(6):
        assert sign_in(client, password="wrong password here").status_code == 400
        clock.advance(seconds=5)
    seventh = sign_in(client)  # even the right password waits
    assert seventh.status_code == 429
    assert seventh.headers["retry-after"] == "60"
    assert "Too many attempts" in seventh.text
    assert "joinedup_session" not in seventh.cookies
    assert len(_events(session, "auth.login_throttled")) == 1
    clock.advance(seconds=61)
    assert sign_in(client).status_code == 303


def test_auth1_throttling_counts_per_user_name_not_per_account_only(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    make_user("sam.jones")
    for _ in range(6):
        sign_in(client, username="Alex.Morgan ", password="wrong password here")
    assert sign_in(client).status_code == 429
    assert sign_in(client, username="sam.jones").status_code == 303


def test_auth1_throttling_per_ip_address(
    engine: object, settings: Settings, make_user: MakeUser
) -> None:
    make_user()
    strict = settings.model_copy(update={"login_attempts_per_ip": 3})
    with TestClient(create_app(strict)) as client:
        for name in ("a.one", "b.two", "c.three"):
            assert sign_in(client, username=name).status_code == 400
        assert sign_in(client).status_code == 429


def test_auth1_attempts_store_a_digest_not_the_user_name(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user()
    sign_in(client, password="wrong password here")
    attempt = session.scalars(select(LoginAttempt)).one()
    assert "alex" not in attempt.username_digest
    assert attempt.username_digest != token_digest("alex.morgan")  # keyed, not a plain hash
    assert len(attempt.username_digest) == 64


def test_ses1_session_token_is_random_stored_hashed_and_rotated_at_login(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user()
    assert sign_in(client).status_code == 303
    first = client.cookies["joinedup_session"]
    assert len(first) >= 43  # 32 random bytes, URL-safe base64: 256 bits
    stored = session.scalars(select(UserSession)).one()
    assert stored.token_hash == token_digest(first)
    assert first not in (stored.token_hash, stored.csrf_token)
    # Sign in again from the signed-in browser: a new token, the old session ended.
    token = csrf_from(client.get("/account/api-tokens").text)
    data = {"csrf_token": token, "username": "alex.morgan", "password": PASSWORD, "next": "/"}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 303
    second = client.cookies["joinedup_session"]
    assert second != first
    session.expire_all()
    old = session.scalars(select(UserSession).where(UserSession.token_hash == token_digest(first)))
    assert old.one().revoked_reason == "replaced"


def test_ses1_session_cookie_attributes(
    engine: object, settings: Settings, make_user: MakeUser
) -> None:
    make_user()
    secure = settings.model_copy(update={"cookie_secure": True})
    with TestClient(create_app(secure), base_url="https://testserver") as client:
        response = sign_in(client)
    cookie = response.headers["set-cookie"].lower()
    for attribute in ("httponly", "samesite=lax", "path=/", "secure", "max-age=43200"):
        assert attribute in cookie


def test_web1_sign_in_never_redirects_off_site(client: TestClient, make_user: MakeUser) -> None:
    make_user()
    response = sign_in(client, next_path="https://evil.example/steal")
    assert response.headers["location"] == "/"
    client.cookies.clear()
    response = sign_in(client, next_path="//evil.example")
    assert response.headers["location"] == "/"


def test_auth1_signed_in_user_visiting_sign_in_goes_on(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    sign_in(client)
    response = client.get("/sign-in?next=/account/api-tokens", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/api-tokens"


def test_auth1_login_events_are_audited(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    sign_in(client)
    (event,) = _events(session, "auth.login_succeeded")
    assert event.actor_user_id == user.id
    assert event.details["second_factor"] is False
