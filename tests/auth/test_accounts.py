"""Creating and closing accounts through auth.service and the ``joinedup users`` CLI."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from joinedup.access.actor import Actor
from joinedup.audit.models import LedgerEntry
from joinedup.auth import service
from joinedup.auth.passwords import verify_password
from joinedup.cli import app as cli
from joinedup.common.errors import Conflict, Forbidden, ValidationFailed
from joinedup.config import get_settings
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import Role, UserIn
from tests.auth.fixtures import PASSWORD, MakeUser, signed_in


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner aimed at the test database."""
    monkeypatch.setenv("JOINEDUP_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _actor(user: User, org: Organisation) -> Actor:
    return Actor(user.id, user.username, user.display_name, org.id, org.name, user.role)


def test_auth1_create_user_stores_an_argon2id_hash_and_audits(
    session: Session, make_user: MakeUser
) -> None:
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    (event,) = session.scalars(select(LedgerEntry).where(LedgerEntry.name == "user.created"))
    assert event.record_id == str(user.id)
    assert "alex" not in str(event.details)


def test_create_user_refuses_duplicates_and_unknown_organisations(
    session: Session, make_user: MakeUser, org: Organisation
) -> None:
    make_user()
    with pytest.raises(Conflict):
        make_user()
    stranger = UserIn(
        username="no.org",
        display_name="No Org",
        organisation_id=uuid.UUID(int=1),
        role=Role.PRACTITIONER,
        password=PASSWORD,
    )
    with pytest.raises(ValidationFailed):
        service.create_user(session=session, actor=None, user_in=stranger)


def test_ac1_only_administrators_create_users(
    session: Session, make_user: MakeUser, org: Organisation
) -> None:
    practitioner = make_user()
    user_in = UserIn(
        username="new.person",
        display_name="New Person",
        organisation_id=org.id,
        role=Role.ADMIN,
        password=PASSWORD,
    )
    with pytest.raises(Forbidden):
        service.create_user(session=session, actor=_actor(practitioner, org), user_in=user_in)
    admin = make_user("the.admin", role=Role.ADMIN)
    created = service.create_user(session=session, actor=_actor(admin, org), user_in=user_in)
    (event,) = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.name == "user.created", LedgerEntry.record_id == str(created.id)
        )
    )
    assert event.actor_user_id == admin.id


def test_cli_users_create_with_password_on_stdin(
    cli_env: CliRunner, session: Session, org: Organisation, client: TestClient
) -> None:
    args = [
        "users",
        "create",
        "jo.bloggs",
        "--name",
        "Jo Bloggs",
        "--org",
        "Surrey Police",
        "--role",
        "supervisor",
        "--password-stdin",
    ]
    result = cli_env.invoke(cli, args, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created jo.bloggs" in result.output
    user = session.scalars(select(User).where(User.username == "jo.bloggs")).one()
    assert user.role is Role.SUPERVISOR
    assert PASSWORD not in result.output
    signed_in(client, "jo.bloggs")


def test_cli_users_create_prompts_twice_and_enforces_length(
    cli_env: CliRunner, org: Organisation
) -> None:
    args = ["users", "create", "jo.bloggs", "--name", "Jo Bloggs", "--org", "Surrey Police"]
    short = cli_env.invoke(cli, args, input="short\nshort\n")
    assert short.exit_code == 1
    assert "at least 12 characters" in short.output
    ok = cli_env.invoke(cli, [*args, "--totp"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert ok.exit_code == 0, ok.output
    assert "otpauth://totp/" in ok.output


def test_cli_users_create_refuses_unknown_organisation(
    cli_env: CliRunner, org: Organisation
) -> None:
    args = ["users", "create", "jo.bloggs", "--name", "Jo", "--org", "Nowhere", "--password-stdin"]
    result = cli_env.invoke(cli, args, input=PASSWORD + "\n")
    assert result.exit_code == 1
    assert "No organisation has that name" in result.output


def test_ac5_cli_users_deactivate_ends_sessions(
    cli_env: CliRunner, client: TestClient, make_user: MakeUser
) -> None:
    make_user()
    signed_in(client)
    result = cli_env.invoke(cli, ["users", "deactivate", "alex.morgan"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me").status_code == 401
    assert cli_env.invoke(cli, ["users", "deactivate", "nobody"]).exit_code == 1
