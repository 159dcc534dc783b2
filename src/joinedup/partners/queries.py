"""Reads of the partner directory: organisations, teams and users (no personal case data)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from joinedup.access.actor import Actor
from joinedup.access.policy import Action, Resource, can
from joinedup.common.errors import NotFound
from joinedup.partners.models import Organisation, User
from joinedup.partners.schemas import OrganisationOut, OrgKind, TeamOut, UserOut


class OrganisationDetail(BaseModel):
    """An organisation with its teams and, for its own members and admins, its users."""

    organisation: OrganisationOut
    teams: list[TeamOut]
    users: list[UserOut] | None
    user_count: int


def list_organisations(session: Session, actor: Actor) -> list[OrganisationOut]:
    """Every partner organisation, by kind then name."""
    stmt = select(Organisation).order_by(Organisation.kind, Organisation.name)
    return [OrganisationOut.model_validate(o) for o in session.scalars(stmt)]


def organisations_by_kind(session: Session, actor: Actor) -> dict[OrgKind, list[OrganisationOut]]:
    """Partner organisations grouped by kind, in the order of ``OrgKind``."""
    grouped: dict[OrgKind, list[OrganisationOut]] = {k: [] for k in OrgKind}
    for org in list_organisations(session, actor):
        grouped[org.kind].append(org)
    return {k: v for k, v in grouped.items() if v}


def get_organisation(
    session: Session, actor: Actor, organisation_id: uuid.UUID
) -> OrganisationDetail:
    """One organisation; its user list only for its own members and administrators."""
    org = session.scalars(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.teams))
    ).first()
    if org is None:
        raise NotFound()
    user_count = (
        session.scalar(select(func.count()).select_from(User).where(User.organisation_id == org.id))
        or 0
    )
    users: list[UserOut] | None = None
    may_manage = can(actor, Action.MANAGE_USERS, Resource("user", org.id)).allowed
    if may_manage or actor.organisation_id == org.id:
        rows = session.scalars(
            select(User).where(User.organisation_id == org.id).order_by(User.display_name)
        )
        users = [UserOut.model_validate(u) for u in rows]
    return OrganisationDetail(
        organisation=OrganisationOut.model_validate(org),
        teams=[TeamOut.model_validate(t) for t in org.teams],
        users=users,
        user_count=user_count,
    )


def find_organisation_id(session: Session, name: str) -> uuid.UUID | None:
    """The id of the organisation called ``name`` (exact), if any."""
    return session.scalar(select(Organisation.id).where(Organisation.name == name))


def list_users(session: Session, actor: Actor) -> list[tuple[UserOut, str]]:
    """Every user with their organisation's name, for administrators."""
    rows = session.execute(
        select(User, Organisation.name)
        .join(Organisation, User.organisation_id == Organisation.id)
        .order_by(Organisation.name, User.display_name)
    )
    return [(UserOut.model_validate(u), org_name) for u, org_name in rows]


def get_user(session: Session, user_id: uuid.UUID) -> UserOut:
    """One user account."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    return UserOut.model_validate(user)
