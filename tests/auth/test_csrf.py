"""CSRF protection on every form (WEB-1)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from joinedup.access.deps import ActorDep
from joinedup.auth.csrf import sign_csrf_cookie, verify_csrf
from joinedup.auth.models import UserSession
from joinedup.config import Settings
from joinedup.main import create_app
from tests.auth.fixtures import PASSWORD, FakeClock, MakeUser, csrf_from, signed_in


@pytest.fixture
def probe_client(engine: object, settings: Settings) -> Iterator[TestClient]:
    """An app with one extra CSRF-protected POST route to probe the dependency directly."""
    app = create_app(settings)
    probe = APIRouter(dependencies=[Depends(verify_csrf)])

    @probe.post("/api/v1/probe")
    def _probe(request: Request, actor: ActorDep) -> dict[str, str]:
        return {"user_id": str(actor.user_id)}

    app.include_router(probe)
    with TestClient(app) as client:
        yield client


def _sign_in_data(client: TestClient) -> dict[str, str]:
    token = csrf_from(client.get("/sign-in").text)
    return {"csrf_token": token, "username": "alex.morgan", "password": PASSWORD}


def test_web1_anonymous_page_gets_a_signed_double_submit_cookie(client: TestClient) -> None:
    response = client.get("/sign-in")
    token = csrf_from(response.text)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("joinedup_csrf=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert client.cookies["joinedup_csrf"].startswith(token + ".")
    # The same token comes back while the cookie lasts.
    assert csrf_from(client.get("/sign-in").text) == token


def test_web1_sign_in_without_csrf_token_is_refused(
    client: TestClient, session: Session, make_user: MakeUser
) -> None:
    make_user()
    data = _sign_in_data(client)
    del data["csrf_token"]
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 403
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_web1_sign_in_with_a_wrong_csrf_token_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    data = _sign_in_data(client) | {"csrf_token": "forged-token"}
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 403


def test_web1_sign_in_with_a_cookie_signed_by_someone_else_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    data = _sign_in_data(client) | {"csrf_token": "attacker-chosen"}
    client.cookies.set("joinedup_csrf", sign_csrf_cookie("another-secret", "attacker-chosen"))
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 403


def test_web1_sign_in_without_the_csrf_cookie_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    data = _sign_in_data(client)
    client.cookies.delete("joinedup_csrf")
    assert client.post("/sign-in", data=data, follow_redirects=False).status_code == 403


def test_web1_sign_out_without_csrf_token_is_refused(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    signed_in(client)
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in


def test_web1_signed_in_forms_need_the_session_token_not_the_anonymous_one(
    client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    anonymous_token = csrf_from(client.get("/sign-in").text)
    signed_in(client)
    session_token = csrf_from(client.get("/account/api-tokens").text)
    assert session_token != anonymous_token
    refused = client.post("/sign-out", data={"csrf_token": anonymous_token}, follow_redirects=False)
    assert refused.status_code == 403
    headers = {"X-CSRF-Token": session_token}
    assert client.post("/sign-out", headers=headers, follow_redirects=False).status_code == 303


def test_web1_bearer_token_requests_need_no_csrf_token(
    probe_client: TestClient, make_user: MakeUser
) -> None:
    user = make_user()
    signed_in(probe_client)
    assert probe_client.post("/api/v1/probe").status_code == 403  # cookie alone: refused
    page = probe_client.get("/account/api-tokens")
    data = {"csrf_token": csrf_from(page.text), "name": "Case system", "expires_in_days": "30"}
    created = probe_client.post("/account/api-tokens", data=data)
    token = created.text.split('id="new-token"')[1].split('value="')[1].split('"')[0]
    probe_client.cookies.clear()
    response = probe_client.post("/api/v1/probe", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json() == {"user_id": str(user.id)}


def test_web1_form_posted_after_the_session_ended_goes_to_sign_in(
    client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(client)
    token = csrf_from(client.get("/account/api-tokens").text)
    clock.advance(minutes=16)
    response = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in")
