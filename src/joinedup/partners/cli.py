"""``joinedup users ...``: create and deactivate user accounts from the command line."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.auth.rules import new_totp_secret, totp_uri
from joinedup.auth.service import close_account, create_user
from joinedup.common.errors import JoinedUpError
from joinedup.config import get_settings
from joinedup.db import engine_for, session_factory
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import Role, UserIn

app = typer.Typer(no_args_is_help=True, help="User accounts.")

MIN_PASSWORD_LENGTH = 12


def _session() -> Session:
    return session_factory(engine_for(get_settings().database_url))()


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        _fail(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    return str(password)


def _user_in(**fields: object) -> UserIn:
    try:
        return UserIn.model_validate(fields)
    except ValidationError as exc:
        # Field names and rules only: the values typed (a password among them) are not echoed.
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(f"Not created: {problems}")


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Sign-in name: lower case, digits, . _ -")],
    name: Annotated[str, typer.Option("--name", help="The person's full name.")],
    org: Annotated[str, typer.Option("--org", help="The organisation's exact name.")],
    role: Annotated[Role, typer.Option("--role", help="What the user does.")] = Role.PRACTITIONER,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    totp: Annotated[
        bool, typer.Option("--totp", help="Enrol a TOTP second factor; prints its URI once.")
    ] = False,
) -> None:
    """Create a user account (the password is asked for twice unless --password-stdin)."""
    password = _read_password(password_stdin)
    with _session() as session:
        organisation = session.scalars(select(Organisation).where(Organisation.name == org)).first()
        if organisation is None:
            _fail("No organisation has that name.")
        user_in = _user_in(
            username=username,
            display_name=name,
            organisation_id=organisation.id,
            role=role,
            password=password,
        )
        secret = new_totp_secret() if totp else None
        try:
            create_user(session=session, actor=None, user_in=user_in, totp_secret=secret)
        except JoinedUpError as exc:
            _fail(f"Not created: {exc.message}")
    typer.echo(f"Created {username} ({role.label}) in {organisation.name}.")
    if secret:
        typer.echo("Add this to the user's authenticator app (it is shown only once):")
        typer.echo(totp_uri(secret, username, "JoinedUp"))


@app.command("deactivate")
def deactivate(username: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Close a user account and end all its sessions at once."""
    with _session() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            _fail("No user has that name.")
        close_account(session=session, actor=None, user_id=user.id)
    typer.echo(f"Deactivated {username}; their sessions have ended.")
