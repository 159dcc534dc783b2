"""Session lifetime: idle timeout, absolute lifetime, sign-out and closed accounts (SES-1, AC-5)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.auth import service
from joinedup.auth.models import UserSession
from tests.auth.fixtures import FakeClock, MakeUser, csrf_from, signed_in


def _session_row(session: Session) -> UserSession:
    session.expire_all()
    return session.scalars(select(UserSession)).one()


def test_ses1_idle_timeout_ends_the_session(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(client)
    clock.advance(minutes=14)
    assert client.get("/api/v1/me").status_code == 200  # activity keeps it alive
    clock.advance(minutes=14)
    assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=15, seconds=1)
    assert client.get("/api/v1/me").status_code == 401
    assert _session_row(session).revoked_reason == "idle_timeout"
    names = session.scalars(select(LedgerEntry.name)).all()
    assert "auth.session_expired" in names


def test_ses1_absolute_lifetime_ends_a_busy_session(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(client)
    for _ in range(11 * 6 + 5):  # a request every ten minutes for 11 h 50 min
        clock.advance(minutes=10)
        assert client.get("/api/v1/me").status_code == 200
    clock.advance(minutes=10)
    assert client.get("/api/v1/me").status_code == 401
    assert _session_row(session).revoked_reason == "expired"


def test_ses1_last_seen_is_written_at_most_every_30_seconds(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(client)
    first_seen = _session_row(session).last_seen_at
    clock.advance(seconds=20)
    client.get("/api/v1/me")
    assert _session_row(session).last_seen_at == first_seen
    clock.advance(seconds=20)
    client.get("/api/v1/me")
    assert _session_row(session).last_seen_at == clock.now


def test_ses1_sign_out_kills_the_session_on_the_server(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user()
    old_cookie = signed_in(client)
    token = csrf_from(client.get("/account/api-tokens").text)
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert 'joinedup_session=""' in response.headers["set-cookie"]
    assert _session_row(session).revoked_reason == "signed_out"
    # Replaying the old cookie gets nowhere: 401 on the API, back to sign-in on a page.
    client.cookies.set("joinedup_session", old_cookie)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.set("joinedup_session", old_cookie)
    page = client.get("/account/api-tokens", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/sign-in")


def test_ac5_closed_account_fails_at_the_next_request(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    signed_in(client)
    assert client.get("/api/v1/me").status_code == 200
    service.close_account(session=session, actor=None, user_id=user.id)
    assert client.get("/api/v1/me").status_code == 401
    assert _session_row(session).revoked_reason == "deactivated"


def test_ac5_account_switched_off_in_the_database_fails_at_the_next_request(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    signed_in(client)
    user.active = False
    session.commit()
    assert client.get("/api/v1/me").status_code == 401
    assert _session_row(session).revoked_reason == "account_closed"


def test_ac5_end_sessions_for_user_ends_every_browser(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    signed_in(client)
    with TestClient(client.app) as other:
        signed_in(other)
        ended = service.end_sessions_for_user(
            session=session, user_id=user.id, reason="role_changed"
        )
        assert ended == 2
        assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_ses2_reauthentication_marks_the_session(
    client: TestClient, session: Session, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(client)
    row = _session_row(session)
    assert service.recently_reauthenticated(row)
    clock.advance(minutes=6)
    assert not service.recently_reauthenticated(row)
    client.get("/api/v1/me")  # stay inside the idle timeout
    page = client.get("/account/reauthenticate?next=/account/api-tokens")
    assert 'autocomplete="current-password"' in page.text
    data = {"csrf_token": csrf_from(page.text), "password": "wrong password here", "next": "/"}
    wrong = client.post("/account/reauthenticate", data=data, follow_redirects=False)
    assert wrong.status_code == 400
    assert not service.recently_reauthenticated(_session_row(session))
    data |= {"password": "correct horse battery staple", "next": "/account/api-tokens"}
    right = client.post("/account/reauthenticate", data=data, follow_redirects=False)
    assert right.status_code == 303
    assert right.headers["location"] == "/account/api-tokens"
    assert service.recently_reauthenticated(_session_row(session))
