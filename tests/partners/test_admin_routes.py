"""Administration pages: administrators manage organisations, teams and accounts (AC-1, AC-5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.auth.models import UserSession
from joinedup.partners.models import Organisation, Team, User
from joinedup.partners.schemas import OrgKind, Role
from tests import factories as f
from tests.auth.fixtures import PASSWORD, FakeClock, clock, csrf_from, signed_in

__all__ = ["clock"]
from tests.pages import sign_in_as


def _post(client: TestClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/admin").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_admin_manages_organisations_teams_and_users(client: TestClient, session: Session) -> None:
    county = f.organisation(session, "Surrey County Council", OrgKind.COUNTY_COUNCIL)
    session.commit()
    sign_in_as(client, session, county, Role.ADMIN)

    bad = _post(client, "/admin/organisations", {"name": "", "kind": ""})
    assert bad.status_code == 422 and "There is a problem" in bad.text
    made = _post(client, "/admin/organisations", {"name": "Catch22", "kind": "voluntary_sector"})
    assert made.status_code == 303
    org = session.scalars(select(Organisation).where(Organisation.name == "Catch22")).one()

    form = client.get(f"/admin/organisations/{org.id}/edit")
    assert form.status_code == 200 and 'value="Catch22"' in form.text
    edited = _post(
        client,
        f"/admin/organisations/{org.id}",
        {"name": "Catch22 Surrey", "kind": "voluntary_sector", "district": "Woking"},
    )
    assert edited.status_code == 303
    session.refresh(org)
    assert (org.name, org.district) == ("Catch22 Surrey", "Woking")

    assert (
        _post(client, f"/admin/organisations/{org.id}/teams", {"name": "Youth"}).status_code == 303
    )
    assert session.scalars(select(Team.name).where(Team.organisation_id == org.id)).all() == [
        "Youth"
    ]

    created = _post(
        client,
        "/admin/users",
        {
            "display_name": "Jo Bloggs",
            "username": "jo.bloggs",
            "organisation_id": str(org.id),
            "role": "practitioner",
            "password": PASSWORD,
        },
    )
    assert created.status_code == 303, created.text
    page = client.get(f"/admin/organisations/{org.id}").text
    assert "jo.bloggs" in page and '<option value="supervisor"' in page


def test_ac5_role_change_and_closed_account_end_sessions(
    client: TestClient, session: Session
) -> None:
    county = f.organisation(session, "Surrey County Council", OrgKind.COUNTY_COUNCIL)
    session.commit()
    sign_in_as(client, session, county, Role.ADMIN, username="the.admin")
    other = TestClient(client.app)
    worker = sign_in_as(other, session, county, Role.PRACTITIONER, username="the.worker")
    assert other.get("/api/v1/me").status_code == 200

    assert (
        _post(client, f"/admin/users/{worker.id}/role", {"role": "supervisor"}).status_code == 303
    )
    assert other.get("/api/v1/me").status_code == 401  # the next request, not a later one
    signed_in(other, "the.worker")
    assert other.get("/api/v1/me").json()["role"] == "supervisor"

    assert _post(client, f"/admin/users/{worker.id}/deactivate", {}).status_code == 303
    assert other.get("/api/v1/me").status_code == 401
    session.expire_all()
    assert session.get(User, worker.id).active is False  # type: ignore[union-attr]
    live = session.scalars(
        select(UserSession).where(
            UserSession.user_id == worker.id, UserSession.revoked_at.is_(None)
        )
    ).all()
    assert live == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_ac1_non_admins_cannot_reach_administration(
    client: TestClient, session: Session, role: Role
) -> None:
    org = f.organisation(session)
    session.commit()
    sign_in_as(client, session, org, role)
    assert client.get("/admin").status_code == 403
    token = csrf_from(client.get("/people").text)
    response = client.post(
        "/admin/organisations", data={"csrf_token": token, "name": "X", "kind": "police"}
    )
    assert response.status_code == 403
    assert session.scalar(select(Organisation.id).where(Organisation.name == "X")) is None


def test_ses2_permission_changes_need_a_recent_password(
    client: TestClient, session: Session, clock: FakeClock
) -> None:
    county = f.organisation(session, "Surrey County Council", OrgKind.COUNTY_COUNCIL)
    session.commit()
    sign_in_as(client, session, county, Role.ADMIN, username="the.admin")
    worker = f.user(session, county, Role.PRACTITIONER)
    session.commit()
    clock.advance(minutes=6)
    response = _post(client, f"/admin/users/{worker.id}/role", {"role": "admin"})
    assert response.status_code == 303
    assert response.headers["location"] == "/account/reauthenticate"
    session.expire_all()
    assert session.get(User, worker.id).role is Role.PRACTITIONER  # type: ignore[union-attr]
    token = csrf_from(client.get("/account/reauthenticate").text)
    client.post("/account/reauthenticate", data={"csrf_token": token, "password": PASSWORD})
    assert _post(client, f"/admin/users/{worker.id}/role", {"role": "admin"}).status_code == 303
    session.expire_all()
    assert session.get(User, worker.id).role is Role.ADMIN  # type: ignore[union-attr]
