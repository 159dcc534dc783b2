"""Administration of organisations and teams: admins only, audited, duplicates refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from joinedup.audit.models import LedgerEntry
from joinedup.common.errors import Conflict, Forbidden
from joinedup.partners import queries, service
from joinedup.partners.schemas import OrganisationIn, OrgKind, Role, TeamIn
from tests import factories as f


def _admin(session: Session):  # type: ignore[no-untyped-def]
    county = f.organisation(session, "Surrey County Council", OrgKind.COUNTY_COUNCIL)
    return f.actor_for(f.user(session, county, Role.ADMIN), county)


def test_admin_creates_organisation_and_team_with_audit(session: Session) -> None:
    admin = _admin(session)
    session.commit()
    org = service.create_organisation(
        session=session,
        actor=admin,
        org_in=OrganisationIn(name="Catch22", kind=OrgKind.VOLUNTARY_SECTOR),
    )
    team = service.create_team(
        session=session, actor=admin, organisation_id=org.id, team_in=TeamIn(name="Youth work")
    )
    detail = queries.get_organisation(session, admin, org.id)
    assert [t.id for t in detail.teams] == [team.id]
    names = session.scalars(select(LedgerEntry.name).order_by(LedgerEntry.seq)).all()
    assert names == ["organisation.created", "team.created"]


def test_duplicates_are_refused_and_nothing_is_half_written(session: Session) -> None:
    admin = _admin(session)
    session.commit()
    org_in = OrganisationIn(name="Catch22", kind=OrgKind.VOLUNTARY_SECTOR)
    service.create_organisation(session=session, actor=admin, org_in=org_in)
    with pytest.raises(Conflict):
        service.create_organisation(session=session, actor=admin, org_in=org_in)
    assert len(queries.list_organisations(session, admin)) == 2
    assert len(session.scalars(select(LedgerEntry)).all()) == 1


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_ac1_only_admins_manage_organisations(session: Session, role: Role) -> None:
    org = f.organisation(session)
    actor = f.actor_for(f.user(session, org, role), org)
    session.commit()
    with pytest.raises(Forbidden):
        service.create_organisation(
            session=session,
            actor=actor,
            org_in=OrganisationIn(name="X Org", kind=OrgKind.EDUCATION),
        )


def test_users_of_an_organisation_are_listed_for_members_and_admins_only(session: Session) -> None:
    admin = _admin(session)
    other = f.organisation(session, "Fire", OrgKind.FIRE_AND_RESCUE)
    outsider_org = f.organisation(session, "Police", OrgKind.POLICE)
    member = f.actor_for(f.user(session, other), other)
    outsider = f.actor_for(f.user(session, outsider_org), outsider_org)
    session.commit()
    assert queries.get_organisation(session, admin, other.id).users is not None
    assert queries.get_organisation(session, member, other.id).users is not None
    hidden = queries.get_organisation(session, outsider, other.id)
    assert hidden.users is None and hidden.user_count == 1
