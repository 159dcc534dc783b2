"""Helpers for page tests: a signed-in client of a chosen organisation and role."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from joinedup.auth import service
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import Role, UserIn
from tests.auth.fixtures import PASSWORD, csrf_from, signed_in


def sign_in_as(
    client: TestClient,
    session: Session,
    org: Organisation,
    role: Role = Role.PRACTITIONER,
    username: str | None = None,
) -> User:
    """Create a user of ``org`` with ``role`` and sign ``client`` in as them."""
    name = username or f"{role.value.replace('_', '.')}.{str(org.id)[:8]}"
    user = service.create_user(
        session=session,
        actor=None,
        user_in=UserIn(
            username=name,
            display_name="Pat Example",
            organisation_id=org.id,
            role=role,
            password=PASSWORD,
        ),
    )
    signed_in(client, name)
    return user


def csrf_header(client: TestClient) -> dict[str, str]:
    """The X-CSRF-Token header a signed-in browser's script would send."""
    return {"X-CSRF-Token": csrf_from(client.get("/people").text)}
