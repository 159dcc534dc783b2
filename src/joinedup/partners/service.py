"""Administration of the partner directory: organisations, teams, users. One action, one
transaction, its audit event inside it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.audit.events import AuditEvent
from joinedup.audit.service import record
from joinedup.common.errors import Conflict, Forbidden, NotFound
from joinedup.db import atomic
from joinedup.partners.models import Organisation, Team, User
from joinedup.partners.schemas import OrganisationIn, OrganisationOut, Role, TeamIn, TeamOut


def _require(actor: Actor, action: Action, resource: Resource) -> None:
    if not can(actor, action, resource):
        raise Forbidden()


def _event(actor: Actor, name: str, record_type: str, record_id: uuid.UUID) -> AuditEvent:
    return AuditEvent(
        name=name,
        actor_user_id=actor.user_id,
        actor_organisation_id=actor.organisation_id,
        actor_role=actor.role.value,
        record_type=record_type,
        record_id=str(record_id),
    )


def create_organisation(
    *, session: Session, actor: Actor, org_in: OrganisationIn
) -> OrganisationOut:
    """Add a partner organisation (administrators only)."""
    _require(actor, Action.MANAGE_ORGANISATIONS, Resource("organisation"))
    with atomic(session):
        if session.scalar(select(Organisation.id).where(Organisation.name == org_in.name)):
            raise Conflict("An organisation with that name already exists")
        org = Organisation(**org_in.model_dump())
        session.add(org)
        session.flush()
        record(session, _event(actor, "organisation.created", "organisation", org.id))
    return OrganisationOut.model_validate(org)


def update_organisation(
    *, session: Session, actor: Actor, organisation_id: uuid.UUID, org_in: OrganisationIn
) -> OrganisationOut:
    """Change an organisation's name, kind or district (administrators only)."""
    _require(actor, Action.MANAGE_ORGANISATIONS, Resource("organisation", organisation_id))
    with atomic(session):
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound()
        for key, value in org_in.model_dump().items():
            setattr(org, key, value)
        try:
            session.flush()
        except IntegrityError as exc:
            raise Conflict("An organisation with that name already exists") from exc
        record(session, _event(actor, "organisation.updated", "organisation", org.id))
    return OrganisationOut.model_validate(org)


def create_team(
    *, session: Session, actor: Actor, organisation_id: uuid.UUID, team_in: TeamIn
) -> TeamOut:
    """Add a team to an organisation (administrators only)."""
    _require(actor, Action.MANAGE_ORGANISATIONS, Resource("team", organisation_id))
    with atomic(session):
        if session.get(Organisation, organisation_id) is None:
            raise NotFound()
        duplicate = session.scalar(
            select(Team.id).where(
                Team.organisation_id == organisation_id, Team.name == team_in.name
            )
        )
        if duplicate:
            raise Conflict("That organisation already has a team with that name")
        team = Team(organisation_id=organisation_id, name=team_in.name)
        session.add(team)
        session.flush()
        record(session, _event(actor, "team.created", "team", team.id))
    return TeamOut.model_validate(team)


def set_user_role(*, session: Session, actor: Actor, user_id: uuid.UUID, role: Role) -> None:
    """Change a user's role (administrators only); their sessions end so it applies at once."""
    from joinedup.auth.service import end_sessions_for_user

    _require(actor, Action.MANAGE_USERS, Resource("user"))
    with atomic(session):
        user = session.get(User, user_id)
        if user is None:
            raise NotFound()
        user.role = role
        record(session, _event(actor, "user.updated", "user", user.id))
        end_sessions_for_user(session=session, user_id=user.id, reason="role_changed")
