"""Per-user API tokens: shown once, stored hashed, revocable (AUTH-1, SES-2)."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.auth.models import ApiToken
from joinedup.common.ids import token_digest
from tests.auth.fixtures import FakeClock, MakeUser, post_form, signed_in

_TOKEN = re.compile(r'id="new-token" type="text" readonly value="([^"]+)"')


def _create(client: TestClient, name: str = "Police case system", days: str = "30") -> Response:
    data = {"name": name, "expires_in_days": days}
    return post_form(client, "/account/api-tokens", data, "/account/api-tokens")


def _new_token(client: TestClient) -> str:
    response = _create(client)
    assert response.status_code == 200, response.text
    match = _TOKEN.search(response.text)
    assert match
    return match.group(1)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def token_client(client: TestClient, make_user: MakeUser) -> TestClient:
    """A signed-in browser of a practitioner."""
    make_user()
    signed_in(client)
    return client


def test_auth1_api_token_is_shown_once_and_stored_hashed(
    token_client: TestClient, session: Session
) -> None:
    token = _new_token(token_client)
    assert re.fullmatch(r"ju_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", token)
    stored = session.scalars(select(ApiToken)).one()
    assert stored.token_hash == token_digest(token)
    assert token.split("_")[1] == stored.prefix
    assert token not in (stored.name, stored.prefix, stored.token_hash)
    listing = token_client.get("/account/api-tokens").text
    assert token not in listing
    assert f"ju_{stored.prefix}_" in listing


def test_auth1_api_token_works_as_bearer(token_client: TestClient, make_user: MakeUser) -> None:
    token = _new_token(token_client)
    token_client.cookies.clear()
    response = token_client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 200
    assert response.json()["via_api_token"] is True
    assert response.json()["organisation"]["name"] == "Surrey Police"


def test_auth1_revoked_api_token_is_refused(token_client: TestClient, session: Session) -> None:
    token = _new_token(token_client)
    token_id = session.scalars(select(ApiToken.id)).one()
    revoke = post_form(
        token_client, f"/account/api-tokens/{token_id}/revoke", {}, "/account/api-tokens"
    )
    assert revoke.status_code == 303
    token_client.cookies.clear()
    response = token_client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_auth1_expired_api_token_is_refused(token_client: TestClient, clock: FakeClock) -> None:
    token = _new_token(token_client)
    clock.advance(days=30, seconds=1)
    token_client.cookies.clear()
    assert token_client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_auth1_malformed_or_unknown_bearer_is_refused_without_cookie_fallback(
    token_client: TestClient,
) -> None:
    assert token_client.get("/api/v1/me").status_code == 200  # the cookie works alone
    for value in ("nonsense", "ju_00000000_" + "a" * 43, ""):
        assert token_client.get("/api/v1/me", headers=_bearer(value)).status_code == 401


def test_auth1_api_token_cannot_open_account_pages_or_mint_tokens(
    token_client: TestClient,
) -> None:
    token = _new_token(token_client)
    token_client.cookies.clear()
    assert token_client.get("/account/api-tokens", headers=_bearer(token)).status_code == 403
    data = {"name": "Another", "expires_in_days": "30"}
    response = token_client.post("/account/api-tokens", data=data, headers=_bearer(token))
    assert response.status_code == 403


def test_ses2_creating_a_token_needs_a_recent_password(
    token_client: TestClient, clock: FakeClock
) -> None:
    clock.advance(minutes=6)
    response = _create(token_client)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/reauthenticate"
    data = {"password": "correct horse battery staple", "next": "/account/api-tokens"}
    post_form(token_client, "/account/reauthenticate", data, "/account/reauthenticate")
    assert _create(token_client).status_code == 200


def test_auth1_token_form_validates_its_fields(token_client: TestClient) -> None:
    response = _create(token_client, name="   ", days="400")
    assert response.status_code == 400
    assert "Enter a name for the token" in response.text
    assert "Choose a lifetime between 1 and 365 days" in response.text


def test_ac1_someone_elses_token_answers_not_found(
    token_client: TestClient, make_user: MakeUser, session: Session
) -> None:
    _new_token(token_client)
    token_id = session.scalars(select(ApiToken.id)).one()
    make_user("sam.jones")
    token_client.cookies.clear()
    signed_in(token_client, "sam.jones")
    path = f"/account/api-tokens/{token_id}/revoke"
    assert post_form(token_client, path, {}, "/account/api-tokens").status_code == 404
    missing = f"/account/api-tokens/{uuid.uuid4()}/revoke"
    assert post_form(token_client, missing, {}, "/account/api-tokens").status_code == 404
    session.expire_all()
    assert session.scalars(select(ApiToken)).one().revoked_at is None
