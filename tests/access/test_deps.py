"""Actor resolution and the access dependencies: ActorDep, OptionalActorDep, require() (AC-5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.deps import OptionalActorDep, require, require_recent_reauthentication
from joinedup.audit.models import LedgerEntry
from joinedup.config import Settings
from joinedup.main import create_app
from joinedup.partners.schemas import Role
from tests.auth.fixtures import FakeClock, MakeUser, signed_in

AdminDep = Annotated[Actor, Depends(require(Role.ADMIN, Role.IG_LEAD))]
RecentDep = Annotated[Actor, Depends(require_recent_reauthentication())]


@pytest.fixture
def app_client(engine: object, settings: Settings) -> Iterator[TestClient]:
    """An app with probe routes for each dependency."""
    app = create_app(settings)
    probe = APIRouter()

    @probe.get("/api/v1/probe/admin")
    def _admin(actor: AdminDep) -> dict[str, str]:
        return {"role": actor.role.value}

    @probe.get("/probe/optional")
    def _optional(request: Request, actor: OptionalActorDep) -> dict[str, str]:
        return {"who": actor.username if actor else "", "csrf": request.state.csrf_token}

    @probe.get("/probe/export")
    def _export(actor: RecentDep) -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(probe)
    with TestClient(app) as client:
        yield client


def test_ses1_anonymous_api_request_gets_json_401(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"error": "You need to sign in"}


def test_web1_anonymous_page_request_redirects_to_sign_in_with_a_local_path_only(
    client: TestClient,
) -> None:
    response = client.get("/account/api-tokens?search=Jane+Doe", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Faccount%2Fapi-tokens"
    assert "Jane" not in response.headers["location"]


def test_require_lets_listed_roles_through(app_client: TestClient, make_user: MakeUser) -> None:
    make_user(role=Role.IG_LEAD)
    signed_in(app_client)
    assert app_client.get("/api/v1/probe/admin").json() == {"role": "ig_lead"}


def test_aud4_require_refuses_other_roles_and_audits_the_denial(
    app_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    user = make_user(role=Role.PRACTITIONER)
    signed_in(app_client)
    response = app_client.get("/api/v1/probe/admin")
    assert response.status_code == 403
    (denial,) = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "access.denied"))
    assert denial.actor_user_id == user.id
    assert denial.details == {"path": "/api/v1/probe/admin", "reason": "role"}


def test_optional_actor_and_csrf_token_on_every_page(
    app_client: TestClient, make_user: MakeUser
) -> None:
    anonymous = app_client.get("/probe/optional").json()
    assert anonymous["who"] == "" and len(anonymous["csrf"]) >= 43
    make_user()
    signed_in(app_client)
    signed = app_client.get("/probe/optional").json()
    assert signed["who"] == "alex.morgan"
    assert signed["csrf"] != anonymous["csrf"]


def test_ses2_step_up_dependency_rejects_a_stale_session(
    app_client: TestClient, make_user: MakeUser, clock: FakeClock
) -> None:
    make_user()
    signed_in(app_client)
    assert app_client.get("/probe/export").status_code == 200
    clock.advance(minutes=6)
    response = app_client.get("/probe/export", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/account/reauthenticate?next=%2Fprobe%2Fexport"


def test_ac5_role_change_ends_sessions_and_next_request_fails(
    app_client: TestClient, session: Session, make_user: MakeUser
) -> None:
    from joinedup.auth.service import end_sessions_for_user

    user = make_user(role=Role.ADMIN)
    signed_in(app_client)
    assert app_client.get("/api/v1/probe/admin").status_code == 200
    user.role = Role.PRACTITIONER
    end_sessions_for_user(session=session, user_id=user.id, reason="role_changed")
    assert app_client.get("/api/v1/probe/admin").status_code == 401
    signed_in(app_client)
    assert app_client.get("/api/v1/probe/admin").status_code == 403


def test_err1_failure_while_resolving_the_actor_denies_with_a_generic_error(
    engine: object, settings: Settings, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user()
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        signed_in(client)

        def broken(**_: object) -> None:
            raise RuntimeError("database exploded: SELECT secret FROM user_session")

        monkeypatch.setattr("joinedup.auth.service.resolve_session", broken)
        response = client.get("/api/v1/me")
    assert response.status_code == 500
    assert response.json() == {"error": "Sorry, there is a problem with the service"}
    assert "SELECT" not in response.text
